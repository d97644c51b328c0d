"""Legal clocks: opening, stopping, closing deadlines, and what falls due on a given day.
Alarms fire at 00:00 UTC of their day: reminders on due-7 and due-1, expiry the day after the
due date (the whole due date belongs to whoever must act)."""

import calendar
from datetime import date, timedelta

from .model import Consequence, Deadline, DeadlineStatus
from .regulation import CLOCKS, REMINDER_DAYS_BEFORE, Clock

EXPIRY = "expiry"


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def due_date(clock: Clock, starts_on: date, stopped_days: int = 0) -> date:
    return add_months(starts_on, clock.months) + timedelta(days=clock.days + stopped_days)


def open_deadline(name: str, clock_id: str, starts_on: date, subject: str | None = None) -> Deadline:
    clock = CLOCKS[clock_id]
    return Deadline(name=name, clock=clock_id, starts_on=starts_on,
                    due_on=due_date(clock, starts_on), subject=subject)


def close(d: Deadline, on: date, tacit: bool = False) -> Deadline:
    """Judged in legal time: met when the fact that closes it is dated on or before its due
    date, however late it was recorded (a clock stopped by a request runs no due date); missed
    otherwise. A deadline missed and then done stays overdue, no longer waiting for anyone; so
    does one closed by the tacit outcome of its own silence."""
    if tacit:
        status = DeadlineStatus.met if d.status is DeadlineStatus.met else DeadlineStatus.overdue
        return d.model_copy(update={"status": status, "closed_on": d.closed_on or on})
    if d.status is DeadlineStatus.stopped:
        return d.model_copy(update={"status": DeadlineStatus.met, "closed_on": on})
    if d.status in (DeadlineStatus.open, DeadlineStatus.overdue) and d.closed_on is None:
        status = DeadlineStatus.met if on <= d.due_on else DeadlineStatus.overdue
        return d.model_copy(update={"status": status, "closed_on": on})
    return d


def stop(d: Deadline, on: date, clock_id: str) -> Deadline:
    """Clock stop (CPP request for information): the clock pauses and switches to its longer
    length."""
    return d.model_copy(update={"status": DeadlineStatus.stopped, "stopped_on": on,
                                "clock": clock_id})


def restart(d: Deadline, on: date) -> Deadline:
    stopped = d.stopped_days + max(0, (on - (d.stopped_on or on)).days)
    return d.model_copy(update={
        "status": DeadlineStatus.open, "stopped_on": None, "stopped_days": stopped,
        "due_on": due_date(CLOCKS[d.clock], d.starts_on, stopped + d.extended_days),
    })


def reanchor(d: Deadline, starts_on: date) -> Deadline:
    return d.model_copy(update={
        "starts_on": starts_on,
        "due_on": due_date(CLOCKS[d.clock], starts_on, d.stopped_days + d.extended_days)})


def switch(d: Deadline, clock_id: str) -> Deadline:
    """The same deadline on a longer clock that does not stop (a request for information under
    the EU regulations extends the period: Reg. 536/2014 art. 6(8))."""
    return d.model_copy(update={
        "clock": clock_id,
        "due_on": due_date(CLOCKS[clock_id], d.starts_on, d.stopped_days + d.extended_days)})


def extend(d: Deadline, days: int) -> Deadline:
    """The reviewing body adds `days` to its own clock."""
    return d.model_copy(update={"extended_days": d.extended_days + days,
                                "due_on": d.due_on + timedelta(days=days)})


def is_waiting(d: Deadline) -> bool:
    """Someone still has to act on it (running, stopped, or missed and not yet done)."""
    return d.status in (DeadlineStatus.open, DeadlineStatus.stopped) or (
        d.status is DeadlineStatus.overdue and d.closed_on is None
        and CLOCKS[d.clock].at_expiry is Consequence.escalate)


def is_overdue(d: Deadline) -> bool:
    return d.status is DeadlineStatus.overdue and d.closed_on is None


def alarms(d: Deadline) -> list[tuple[date, str]]:
    """(day it fires, alarm name) for a running deadline, in firing order."""
    out = [(d.due_on - timedelta(days=n), f"reminder_{n}") for n in REMINDER_DAYS_BEFORE
           if d.due_on - timedelta(days=n) > d.starts_on]
    out.append((d.due_on + timedelta(days=1), EXPIRY))
    return out


def pending_alarms(d: Deadline, today: date) -> list[str]:
    if d.status is not DeadlineStatus.open:
        return []
    return [name for on, name in alarms(d) if on <= today and name not in d.alarms_sent]


def next_alarm_on(deadlines: dict[str, Deadline]) -> date | None:
    days = [on for d in deadlines.values() if d.status is DeadlineStatus.open
            for on, name in alarms(d) if name not in d.alarms_sent]
    return min(days, default=None)
