"""Folding a study again from its facts, as they now stand: a correction replaces the values of
the fact it names, a superseded tacit outcome is left out, and what follows from the facts
(settle: the review's outcome, amendments decided) is worked out again. Nothing recorded is
deleted: the stream keeps every event; only the fold reads them differently."""

from collections.abc import Callable, Iterable
from typing import Any

from . import events as ev
from .model import StudyStatus
from .state import Fact, StudyState

Evolve = Callable[[StudyState | None, ev.Event], StudyState]
Settle = Callable[[StudyState], list[ev.Event]]
REFOLDING = frozenset({"TacitOutcomeSuperseded", "FactCorrected"})


def fact_of(s: StudyState | None, event: ev.Event) -> Fact | None:
    """The fact an event adds to the study's history (None: a participant's own event)."""
    if event.type in ev.PARTICIPANT_EVENT_TYPES:  # type: ignore[attr-defined]
        return None
    version = s.version + 1 if s else 1
    return Fact(version=version, type=event.type,  # type: ignore[attr-defined]
                data=event.payload())


def is_settled(fact: Fact) -> bool:
    """An event settle() wrote: it is worked out again from the facts rather than replayed."""
    if fact.type == "AmendmentDecided":
        return True
    return (fact.type == "StudyStatusChanged"
            and fact.data["from_status"] == StudyStatus.in_review.value
            and fact.data["to_status"] in (StudyStatus.ready.value, StudyStatus.rejected.value))


def corrected_facts(facts: Iterable[Fact]) -> list[Fact]:
    """The facts with their corrections applied and the superseded tacit outcomes left out."""
    facts = list(facts)
    changes: dict[int, dict[str, Any]] = {}
    left_out: set[int] = set()
    for f in facts:
        if f.type == "FactCorrected" and f.data.get("code") is None:
            changes.setdefault(f.data["version"], {}).update(f.data["changes"])
        elif f.type == "TacitOutcomeSuperseded":
            left_out.add(f.data["superseded_version"])
    return [f.model_copy(update={"data": {**f.data, **changes[f.version]}})
            if f.version in changes else f for f in facts if f.version not in left_out]


def refold(s: StudyState, evolve: Evolve, settle: Settle) -> StudyState:
    """`s` folded again from its facts. Participants keep their state: their events are their
    own; the deadlines of a participant (a deferred consent) stay as they are."""
    state: StudyState | None = None
    for fact in corrected_facts(s.facts):
        if is_settled(fact) or fact.type in REFOLDING:
            continue
        state = evolve(state, ev.parse_event(fact.type, fact.data))
        for follows in settle(state):
            state = evolve(state, follows)
    assert state is not None
    participant_deadlines = {name: d for name, d in s.deadlines.items()
                             if d.subject in s.participants}
    return state.model_copy(update={
        "version": s.version, "facts": s.facts, "participants": s.participants,
        "deadlines": {**state.deadlines, **participant_deadlines}})


def tacit_outcome(s: StudyState, event_type: str, amendment_id: str | None) -> Fact | None:
    """The tacit outcome in force of that kind (an opinion, a decision), if the study has one."""
    for fact in reversed(corrected_facts(s.facts)):
        if fact.type == event_type and fact.data.get("amendment_id") == amendment_id:
            return fact if fact.data.get("tacit") else None
    return None


def missed_before(s: StudyState, fact: Fact) -> Fact | None:
    """The missed deadline whose expiry gave `fact` (the clock writes them side by side)."""
    return next((f for f in s.facts if f.version == fact.version - 1
                 and f.type == "DeadlineMissed"), None)
