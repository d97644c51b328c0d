"""What every track's clocks share: reminders before a deadline falls due, and its expiry with
the consequence the law attaches to the silence."""

from datetime import date
from typing import Literal

from .. import clocks
from .. import commands as c
from .. import events as ev
from ..model import Consequence, Deadline, DeadlineStatus
from ..regulation import CLOCKS, EXTENSIONS, REMINDER_DAYS_BEFORE
from ..state import StudyState
from .rules import not_before, require, require_input
from .updates import Mutators, change_deadline, mutator, open_deadlines


def consequence(at_expiry: Consequence, subject: str | None, due_on: date,
                deadline: str = "") -> list[ev.Event]:
    """The decision the law reads into a silence (the amendment it concerns, if any)."""
    if at_expiry is Consequence.lapse:
        return [ev.EthicsSubmissionLapsed(deadline=deadline, lapsed_on=due_on,
                                          amendment_id=subject)]
    if at_expiry is Consequence.tacit_acceptance:
        return [ev.CnilDecisionRecorded(decision="authorized", decision_on=due_on, tacit=True)]
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
                                               Consequence.tacit_acceptance,
                                               Consequence.window_closes)
    return open_deadlines(s, deadline.model_copy(update={
        "status": DeadlineStatus.met if met else DeadlineStatus.overdue,
        "closed_on": deadline.due_on if met else None,
        "alarms_sent": (*deadline.alarms_sent, clocks.EXPIRY)}))


def extend_review(s: StudyState, cmd: c.ExtendReview) -> list[ev.Event]:
    """A reviewing body adds days to its own clock, within what its text allows (EXTENSIONS),
    once per clock."""
    deadline = s.deadlines.get(cmd.deadline)
    require(any(d.clock in EXTENSIONS and clocks.is_waiting(d) for d in s.deadlines.values()),
            "no_extendable_review", "no running review in this study may be extended "
            "(R1123-44; Reg. 536/2014 art. 6(7); Reg. 2017/745 art. 70(3), 75(4))")
    require_input(deadline is not None and deadline.clock in EXTENSIONS
                  and clocks.is_waiting(deadline), "review_not_extendable",
                  f"{cmd.deadline} is not a running review that may be extended (extendable: "
                  + ", ".join(sorted(n for n, d in s.deadlines.items()
                                     if d.clock in EXTENSIONS and clocks.is_waiting(d))) + ")")
    assert deadline is not None
    clock = CLOCKS[deadline.clock]
    limit = EXTENSIONS[deadline.clock]
    require(not deadline.extended_days, "review_already_extended",
            f"{clock.label} was already extended by {deadline.extended_days} days "
            f"({clock.source})")
    require_input(cmd.days <= limit, "extension_too_long",
                  f"{clock.label} may be extended by {limit} days at most ({clock.source})")
    not_before(cmd.notified_on, deadline.starts_on, "the extension", "the review's start")
    require_input(cmd.notified_on <= deadline.due_on, "extension_after_due_date",
                  f"{clock.label} fell due on {deadline.due_on}: it cannot be extended after "
                  "that date")
    return [ev.ReviewExtended(deadline=cmd.deadline, notified_on=cmd.notified_on, days=cmd.days)]


def on_review_extended(s: StudyState, e: ev.ReviewExtended) -> StudyState:
    return change_deadline(s, e.deadline, clocks.extend, e.days)


EVOLVE: Mutators = dict([
    mutator(ev.DeadlineReminderDue, on_reminder_due),
    mutator(ev.DeadlineMissed, on_missed),
    mutator(ev.ReviewExtended, on_review_extended),
])
