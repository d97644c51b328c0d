"""Today outside the workflows (wallclock.py) is the legal day of now: the Paris day, the day
after the UTC date from 22:00/23:00 UTC, whatever zone the machine runs in."""

import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

import wallclock

SUMMER_EVENING = datetime(2026, 6, 30, 22, 30, tzinfo=UTC)
NEW_YEARS_EVE = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(("at", "today"), [(SUMMER_EVENING, "2026-07-01"),
                                           (NEW_YEARS_EVE, "2027-01-01")])
def test_today_is_the_paris_day_of_now(monkeypatch: pytest.MonkeyPatch, at: datetime,
                                       today: str) -> None:
    monkeypatch.setattr(wallclock, "now", lambda: at)
    assert wallclock.today().isoformat() == today


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Pacific/Kiritimati"])
def test_today_does_not_depend_on_the_machines_zone(monkeypatch: pytest.MonkeyPatch,
                                                    zone: str) -> None:
    """Ten hours behind or fourteen ahead of UTC, the machine's own date (date.today()) is
    another day for hours every day; the legal day is still the one in Paris."""
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        before = datetime.now(PARIS).date()
        today = wallclock.today()
        assert today in (before, datetime.now(PARIS).date())  # a Paris midnight in between
    finally:
        monkeypatch.undo()
        time.tzset()


def test_now_is_an_aware_utc_instant() -> None:
    before = datetime.now(UTC)
    now = wallclock.now()
    assert now.tzinfo is UTC and before <= now <= datetime.now(UTC)
