"""What the evolve mutators of every track share: small pure updates of the folded state."""

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, TypeVar

from .. import clocks
from .. import events as ev
from ..model import Deadline, Periods
from ..regulation import CLOCKS, RULES, clock_for
from ..state import Participant, StudyState


def updated(s: StudyState, **fields: Any) -> StudyState:
    return s.model_copy(update=fields)


def change_deadline(s: StudyState, name: str, change: Callable[..., Deadline], *args: Any
                ) -> StudyState:
    """`change` applied to the deadline `name`, if the study has one."""
    if name not in s.deadlines:
        return s
    return updated(s, deadlines={**s.deadlines, name: change(s.deadlines[name], *args)})


def close_deadlines(s: StudyState, names: Iterable[str], on: date, tacit: bool = False
                    ) -> StudyState:
    for name in names:
        s = change_deadline(s, name, clocks.close, on, tacit)
    return s


def open_deadlines(s: StudyState, *deadlines: Deadline | None) -> StudyState:
    return updated(s, deadlines={**s.deadlines,
                                 **{d.name: d for d in deadlines if d is not None}})


def current_rules(s: StudyState) -> bool:
    """The study runs under this edition of the rules, not an older one a recorded history still
    replays (regulation.RULES)."""
    return s.rules >= RULES


def slot_clock(s: StudyState, slot: str) -> str | None:
    """The clock the study's framework runs in `slot` under the study's rules edition."""
    return clock_for(s.framework, slot, s.rules)


def framework_deadline(s: StudyState, name: str, slot: str, starts_on: date,
                       subject: str | None = None) -> Deadline | None:
    """The deadline `name` running the study's framework's clock for `slot`, if it has one."""
    clock = slot_clock(s, slot)
    if clock is None:
        return None
    periods = CLOCKS[clock].periods if current_rules(s) else Periods.calendar
    return clocks.open_deadline(name, clock, starts_on, subject, periods)


def update_participant(s: StudyState, code: str, **fields: Any) -> StudyState:
    participant = s.participants.get(code) or Participant(code=code)
    return updated(s, participants={**s.participants,
                                    code: participant.model_copy(update=fields)})


def update_amendment(s: StudyState, amendment_id: str, **fields: Any) -> StudyState:
    amendment = s.amendments[amendment_id]
    return updated(s, amendments={**s.amendments,
                                  amendment_id: amendment.model_copy(update=fields)})


E = TypeVar("E", bound=ev.Event)
Mutator = Callable[[StudyState, Any], StudyState]
Mutators = dict[type[ev.Event], Mutator]


def mutator(event: type[E], mutate: Callable[[StudyState, E], StudyState]
            ) -> tuple[type[ev.Event], Mutator]:
    """One row of a track's `EVOLVE` table: the mutator of one event class."""
    return event, mutate
