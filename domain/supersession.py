"""Tacit outcomes give way to facts dated in time. When a clock expires because nothing was
recorded, the law's consequence of the silence is applied (a tacit rejection, a tacit
authorization or refusal). If the real fact is recorded later with a legal date on or before
the clock's due date, it was not silence: the tacit outcome is superseded (the record keeps
it) and the study is folded as if the fact had been recorded in time. A fact dated after the
due date leaves the tacit outcome in force."""

from typing import NamedTuple

from . import commands as c
from . import events as ev
from . import history, legal_time
from .model import BEFORE_APPROVAL, StudyStatus
from .regulation import CLOCKS
from .state import StudyState
from .tracks.rules import require


class Superseding(NamedTuple):
    """A command that records the fact a tacit outcome stood in for."""

    event_type: str  # the event the tacit outcome and the fact both are
    outcome: str  # the field holding the outcome (opinion, decision)


SUPERSEDING: dict[type[c.Command], Superseding] = {
    c.RecordEthicsOpinion: Superseding("EthicsOpinionRecorded", "opinion"),
    c.RecordAnsmDecision: Superseding("AnsmDecisionRecorded", "decision"),
}


def superseding(s: StudyState, command: c.Command) -> list[ev.Event]:
    """[TacitOutcomeSuperseded] when `command` records the real fact behind a tacit outcome of
    the study, dated in time; [] when there is no tacit outcome to replace. Refused when the
    fact is dated after the due date, or the study has already acted on the tacit outcome."""
    kind = SUPERSEDING.get(type(command))
    if kind is None:
        return []
    amendment_id = getattr(command, "amendment_id", None)
    tacit = history.tacit_outcome(s, kind.event_type, amendment_id)
    if tacit is None:
        return []
    missed = history.missed_before(s, tacit)
    fact_on = legal_time.command_date(dict(command))
    due_on = legal_time.effective_on(tacit.type, tacit.data)
    assert fact_on is not None and due_on is not None and missed is not None
    clock = CLOCKS[s.deadlines[missed.data["deadline"]].clock] if (
        missed.data["deadline"] in s.deadlines) else None
    what = f"the {clock.label}" if clock else missed.data["deadline"]
    source = f" ({clock.source})" if clock else ""
    silence = tacit.data[kind.outcome]
    require(fact_on <= due_on, "tacit_outcome_in_force",
            f"{what} fell due on {due_on} with nothing recorded: its silence stands as "
            f"{silence}{source}; a {kind.outcome} dated {fact_on}, after that date, cannot "
            "replace it")
    if amendment_id is None:
        require(not (kind.event_type == "EthicsOpinionRecorded" and s.ethics.second_review),
                "tacit_outcome_acted_upon", "a second review was requested after the tacit "
                "unfavourable opinion: the first committee's opinion can no longer replace it")
        changes_outcome = getattr(command, kind.outcome) != silence
        require(not changes_outcome or s.status in BEFORE_APPROVAL | {StudyStatus.rejected},
                "tacit_outcome_acted_upon",
                f"the study is {s.status.value} on the strength of the tacit {silence}: a "
                f"{getattr(command, kind.outcome)} {kind.outcome} no longer replaces it")
    return [ev.TacitOutcomeSuperseded(
        superseded_version=tacit.version, deadline=missed.data["deadline"], due_on=due_on,
        consequence=missed.data["consequence"], by_command=command.type,  # type: ignore[attr-defined]
        superseded_on=fact_on)]
