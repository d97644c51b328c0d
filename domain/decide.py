"""decide(state, command, actor, today) -> events, or RuleViolation naming the rule broken.
tick(state, today) -> the events the clocks produce on that day. Both end with settle(), the
status changes that follow from the facts (every required step done -> ready, ...). The rules
of each command are in the module of its track (domain/tracks), found through the catalogue."""

from datetime import date

from . import clocks
from . import commands as c
from . import events as ev
from .catalogue import CATALOGUE
from .errors import InputRefused
from .evolve import fold
from .model import FINISHED, Actor
from .regulation import CLOCKS
from .state import StudyState
from .steps import missing_steps, steps
from .tracks import amendments, lifecycle
from .tracks.deadlines import consequence
from .tracks.participants import reconsent_due
from .tracks.rules import require

__all__ = ["decide", "missing_steps", "next_alarm_on", "settle", "steps", "tick"]


def _no_future_dates(command: c.Command, today: date) -> None:
    for name, value in command:
        if isinstance(value, date) and value > today and name not in c.EXPECTED_DATES:
            raise InputRefused("date_in_future",
                               f"{name} ({value}) is in the future: legal dates are facts that "
                               f"have happened (today is {today})")


def decide(state: StudyState | None, command: c.Command, actor: Actor, today: date,
           study_id: str | None = None) -> list[ev.Event]:
    entry = CATALOGUE[type(command)]
    require(actor.role in entry.roles, "role_not_allowed",
            f"a {actor.role.value} may not send {entry.type}")
    _no_future_dates(command, today)
    if isinstance(command, c.CreateStudy):
        require(state is None, "study_exists", "this study already exists")
        require(study_id, "study_id_required", "a study id is required")
        return lifecycle.create_study(study_id or "", command)
    require(state is not None, "unknown_study", "no such study")
    assert state is not None and entry.decide is not None
    require(state.status not in FINISHED, "study_closed", f"the study is {state.status.value}")
    if isinstance(command, c.RegisterParticipant):
        require(command.majority_on is None or command.majority_on > today, "not_a_minor",
                f"majority_on ({command.majority_on}) is a minor's 18th birthday: it must be "
                "after today; an adult is registered without it")
    if isinstance(command, c.Suspend) and command.suspended_on is None:
        command = command.model_copy(update={"suspended_on": today})
    out = entry.decide(state, command)
    after = fold(state, out)
    assert after is not None
    return out + settle(after)


def settle(s: StudyState) -> list[ev.Event]:
    """What follows from the facts: amendments decided, the review's outcome."""
    return amendments.outcomes(s) + lifecycle.review_outcome(s)


def tick(s: StudyState, today: date) -> list[ev.Event]:
    """The events the legal clocks produce by `today`: the latest reminder due, or the expiry
    with its legal consequence."""
    out: list[ev.Event] = []
    for d in sorted(s.deadlines.values(), key=lambda d: (d.due_on, d.name)):
        due = clocks.pending_alarms(d, today)
        if not due:
            continue
        if clocks.EXPIRY in due:
            at_expiry = CLOCKS[d.clock].at_expiry
            out.append(ev.DeadlineMissed(deadline=d.name, due_on=d.due_on,
                                         consequence=at_expiry.value))
            out.extend(consequence(at_expiry, d.subject, d.due_on))
        else:
            days = min(int(a.removeprefix("reminder_")) for a in due)
            out.append(ev.DeadlineReminderDue(deadline=d.name, due_on=d.due_on, days_before=days))
    out += [ev.ReconsentRequired(code=p.code, cause="majority", due_on=p.majority_on)
            for p in reconsent_due(s) if p.majority_on and p.majority_on <= today]
    if not out:
        return out
    after = fold(s, out)
    assert after is not None
    return out + settle(after)


def next_alarm_on(s: StudyState) -> date | None:
    majorities = [p.majority_on for p in reconsent_due(s) if p.majority_on]
    return min(filter(None, [clocks.next_alarm_on(s.deadlines), *majorities]), default=None)
