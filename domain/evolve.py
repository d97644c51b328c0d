"""evolve(state, event) -> state: the only way a study's state changes. Pure and total over
the events decide() can produce; folding a stream's events rebuilds the state. Each event
class has one small mutator, in the module of its track (domain/tracks)."""

from collections.abc import Iterable
from typing import Any

from . import corrections, history
from . import events as ev
from .state import StudyState
from .tracks import (
    amendments,
    authority,
    data_protection,
    deadlines,
    ethics,
    lifecycle,
    participants,
    sites,
    vigilance,
)
from .tracks.updates import Mutators, mutator

MUTATORS: Mutators = {
    **lifecycle.EVOLVE, **ethics.EVOLVE, **data_protection.EVOLVE, **authority.EVOLVE,
    **amendments.EVOLVE, **vigilance.EVOLVE, **participants.EVOLVE, **deadlines.EVOLVE,
    **sites.EVOLVE,
}


def settle(s: StudyState) -> list[ev.Event]:
    """What follows from the facts: amendments decided, the review's outcome."""
    return amendments.outcomes(s) + lifecycle.review_outcome(s)


def fold(state: StudyState | None, events: Iterable[ev.Event]) -> StudyState | None:
    for e in events:
        state = evolve(state, e)
    return state


def replay(recorded: Iterable[tuple[str, dict[str, Any]]]) -> StudyState | None:
    """A study's state from its recorded events (type, data), as the audit record keeps them."""
    return fold(None, (ev.parse_event(t, d) for t, d in recorded))


def evolve(state: StudyState | None, event: ev.Event) -> StudyState:
    fact = history.fact_of(state, event)
    if isinstance(event, ev.StudyCreated):
        return StudyState(id=event.study_id, title=event.title, category=event.category,
                          investigator=event.investigator, framework=event.framework,
                          rules=event.rules, version=1,
                          facts=(fact,) if fact else ())
    if state is None:
        raise ValueError(f"{type(event).__name__} before StudyCreated")
    if fact is not None:
        state = state.model_copy(update={"facts": (*state.facts, fact)})
    mutate = MUTATORS.get(type(event))
    if mutate is None:
        raise ValueError(f"no evolve rule for {type(event).__name__}")
    return mutate(state, event).model_copy(update={"version": state.version + 1})


def _refold(s: StudyState, e: ev.Event) -> StudyState:
    return history.refold(s, evolve, settle)


def _fact_corrected(s: StudyState, e: ev.FactCorrected) -> StudyState:
    return corrections.on_participant_fact_corrected(s, e) if e.code else _refold(s, e)


# The events that make the study fold again from its facts as they now stand.
HISTORY: Mutators = dict([
    mutator(ev.TacitOutcomeSuperseded, _refold),
    mutator(ev.FactCorrected, _fact_corrected),
])
MUTATORS.update(HISTORY)
