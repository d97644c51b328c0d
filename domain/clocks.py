"""Legal clocks: opening, stopping, closing deadlines, and what falls due on a given day.
Alarms fire at 00:00 UTC of their day: reminders on due-7 and due-1, expiry the day after the
due date (the whole due date belongs to whoever must act)."""

import calendar
from datetime import date, timedelta

import holidays

from .model import Consequence, Deadline, DeadlineStatus, Periods
from .regulation import CLOCKS, REMINDER_DAYS_BEFORE, Clock

EXPIRY = "expiry"


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


# Public holidays of France, where the unit's trials are reviewed (the reporting or concerned
# Member State's holidays count for a CTIS period).
PUBLIC_HOLIDAYS = holidays.country_holidays("FR")


def due_date(clock: Clock, starts_on: date, extra_days: int = 0,
             periods: Periods = Periods.calendar) -> date:
    """The clock's due date from `starts_on`, `extra_days` added (days stopped or extended),
    counted as `periods` says."""
    return period_end(starts_on, add_months(starts_on, clock.months)
                      + timedelta(days=clock.days + extra_days), periods)


def period_end(starts_on: date, end: date, periods: Periods) -> date:
    """The last day of a period from `starts_on` that would end on `end` in calendar days."""
    if periods is Periods.eu_evaluation:
        end = past_winter_stops(starts_on, end)
    if periods is not Periods.calendar:
        end = working_day(end)
    return end


def in_winter_stop(day: date) -> bool:
    """CTIS's winter clock stop: its timers stop on 22 December at midnight and resume on
    8 January."""
    return (day.month == 12 and day.day >= 23) or (day.month == 1 and day.day <= 7)


def past_winter_stops(starts_on: date, due: date) -> date:
    """`due` moved on by the days of winter clock stop between `starts_on` and it."""
    day, left = starts_on, (due - starts_on).days
    while left > 0:
        day += timedelta(days=1)
        left -= not in_winter_stop(day)
    return day


def working_day(day: date) -> date:
    """Reg. 1182/71 art. 3(4): a period ending on a Saturday, a Sunday or a public holiday ends
    at the end of the next working day."""
    while day.weekday() >= 5 or day in PUBLIC_HOLIDAYS:
        day += timedelta(days=1)
    return day


def open_deadline(name: str, clock_id: str, starts_on: date, subject: str | None = None,
                  periods: Periods = Periods.calendar) -> Deadline:
    """A deadline running `clock_id` from `starts_on`; its days counted as `periods` says (the
    clock's own way under the current rules, plain calendar days under edition 1)."""
    return Deadline(name=name, clock=clock_id, starts_on=starts_on, periods=periods,
                    due_on=due_date(CLOCKS[clock_id], starts_on, periods=periods),
                    subject=subject)


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
        "due_on": due_date(CLOCKS[d.clock], d.starts_on, stopped + d.extended_days, d.periods),
    })


def reanchor(d: Deadline, starts_on: date) -> Deadline:
    return d.model_copy(update={
        "starts_on": starts_on,
        "due_on": due_date(CLOCKS[d.clock], starts_on, d.stopped_days + d.extended_days,
                           d.periods)})


def switch(d: Deadline, clock_id: str) -> Deadline:
    """The same deadline on a longer clock that does not stop (a request for information under
    the EU regulations extends the period: Reg. 536/2014 art. 6(8))."""
    return d.model_copy(update={
        "clock": clock_id,
        "due_on": due_date(CLOCKS[clock_id], d.starts_on, d.stopped_days + d.extended_days,
                           d.periods)})


def extend(d: Deadline, days: int) -> Deadline:
    """The reviewing body adds `days` to its own clock."""
    extended = d.extended_days + days
    if d.periods is Periods.calendar:
        return d.model_copy(update={"extended_days": extended,
                                    "due_on": d.due_on + timedelta(days=days)})
    return d.model_copy(update={"extended_days": extended, "due_on": due_date(
        CLOCKS[d.clock], d.starts_on, d.stopped_days + extended, d.periods)})


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
