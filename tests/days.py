"""The legal days the tests date their facts on: today as the law counts it (the calendar day
in Paris, `domain.regulation.legal_day`), as the stack's workflows, the API's checks and the web
forms judge them. The UTC date is a day behind from 22:00 or 23:00 UTC: a suite dating its facts
by it would test another day than the one the code judges, an hour or two a night.

Real time, always: the stack under test runs its workflows on real time, so these never read
`wallclock.now`, which a test may replace to stand at a chosen instant."""

from datetime import UTC, date, datetime, timedelta

from domain.regulation import legal_day


def today() -> date:
    return legal_day(datetime.now(UTC))


def day(n: int = 0) -> str:
    """The ISO legal date `n` days after today (negative: before)."""
    return (today() + timedelta(days=n)).isoformat()


def days_ago(n: int) -> str:
    """The ISO legal date `n` days before today."""
    return day(-n)
