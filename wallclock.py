"""The clock of the processes outside the workflows (the web app, the CLI, the benchmarks): now,
and today as the law counts it. A workflow reads `workflow.now()` instead (workflows/study.py);
both name the day through `domain.regulation.legal_day`, so that the API's checks, the web
forms' defaults and the studies' clocks agree on what "today" is, past 22:00 UTC included.

Callers read the time through this module's functions at call time (never a value kept from
import), so that a test may replace `now` to stand at a chosen instant."""

from datetime import UTC, date, datetime

from domain.regulation import legal_day


def now() -> datetime:
    """This instant, aware, in UTC."""
    return datetime.now(UTC)


def today() -> date:
    """The legal day now: the calendar day in Paris."""
    return legal_day(now())
