"""evolve(state, event) -> state: the only way a study's state changes. Pure and total over
the events decide() can produce; folding a stream's events rebuilds the state. Each event
class has one small mutator, in the module of its track (domain/tracks)."""

from collections.abc import Iterable

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
    vigilance,
)
from .tracks.updates import Mutators

MUTATORS: Mutators = {
    **lifecycle.EVOLVE, **ethics.EVOLVE, **data_protection.EVOLVE, **authority.EVOLVE,
    **amendments.EVOLVE, **vigilance.EVOLVE, **participants.EVOLVE, **deadlines.EVOLVE,
}


def fold(state: StudyState | None, events: Iterable[ev.Event]) -> StudyState | None:
    for e in events:
        state = evolve(state, e)
    return state


def evolve(state: StudyState | None, event: ev.Event) -> StudyState:
    if isinstance(event, ev.StudyCreated):
        return StudyState(id=event.study_id, title=event.title, category=event.category,
                          investigator=event.investigator, framework=event.framework, version=1)
    if state is None:
        raise ValueError(f"{type(event).__name__} before StudyCreated")
    mutate = MUTATORS.get(type(event))
    if mutate is None:
        raise ValueError(f"no evolve rule for {type(event).__name__}")
    return mutate(state, event).model_copy(update={"version": state.version + 1})
