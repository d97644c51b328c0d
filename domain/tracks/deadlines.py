"""What every track's clocks share: reminders before a deadline falls due, and its expiry with
the consequence the law attaches to the silence."""

from datetime import date
from typing import Literal

from .. import clocks
from .. import events as ev
from ..model import Consequence, Deadline, DeadlineStatus
from ..regulation import CLOCKS, REMINDER_DAYS_BEFORE
from ..state import StudyState
from .updates import Mutators, mutator, open_deadlines


def consequence(at_expiry: Consequence, subject: str | None, due_on: date) -> list[ev.Event]:
    """The decision the law reads into a silence (the amendment it concerns, if any)."""
    if at_expiry is Consequence.tacit_rejection:
        return [ev.EthicsOpinionRecorded(opinion="unfavourable", opinion_on=due_on, tacit=True,
                                         amendment_id=subject)]
    if at_expiry in (Consequence.tacit_authorization, Consequence.tacit_refusal):
        decision: Literal["authorized", "refused"] = (
            "authorized" if at_expiry is Consequence.tacit_authorization else "refused")
        return [ev.AnsmDecisionRecorded(decision=decision, decision_on=due_on, tacit=True,
                                        amendment_id=subject)]
    return []


def _running(s: StudyState, name: str, due_on: date) -> Deadline | None:
    """The deadline an alarm was raised for, if it still runs with that due date (a corrected
    date that moved it makes the alarm of the old date stale)."""
    deadline = s.deadlines.get(name)
    return deadline if deadline is not None and deadline.due_on == due_on else None


def on_reminder_due(s: StudyState, e: ev.DeadlineReminderDue) -> StudyState:
    deadline = _running(s, e.deadline, e.due_on)
    if deadline is None:
        return s
    sent = {f"reminder_{n}" for n in REMINDER_DAYS_BEFORE if n >= e.days_before}
    return open_deadlines(s, deadline.model_copy(update={"alarms_sent": tuple(
        sorted(set(deadline.alarms_sent) | sent))}))


def on_missed(s: StudyState, e: ev.DeadlineMissed) -> StudyState:
    deadline = _running(s, e.deadline, e.due_on)
    if deadline is None:
        return s
    met = CLOCKS[deadline.clock].at_expiry in (Consequence.tacit_authorization,
                                               Consequence.window_closes)
    return open_deadlines(s, deadline.model_copy(update={
        "status": DeadlineStatus.met if met else DeadlineStatus.overdue,
        "closed_on": deadline.due_on if met else None,
        "alarms_sent": (*deadline.alarms_sent, clocks.EXPIRY)}))


EVOLVE: Mutators = dict([
    mutator(ev.DeadlineReminderDue, on_reminder_due),
    mutator(ev.DeadlineMissed, on_missed),
])
