"""The legal day of an instant is its calendar day in Paris (domain.regulation.legal_day): from
22:00 UTC in summer, 23:00 UTC in winter, it is already the next day there, which the UTC date
(or a machine's own zone) would still call today."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import legal_time
from domain.regulation import legal_day


@pytest.mark.parametrize(("at", "day"), [
    # summer time (UTC+2): Paris midnight is 22:00 UTC
    (datetime(2026, 6, 30, 22, 30, tzinfo=UTC), date(2026, 7, 1)),
    (datetime(2026, 6, 30, 21, 59, tzinfo=UTC), date(2026, 6, 30)),
    (datetime(2026, 6, 30, 22, 0, tzinfo=UTC), date(2026, 7, 1)),
    # winter time (UTC+1): Paris midnight is 23:00 UTC, the new year included
    (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), date(2027, 1, 1)),
    (datetime(2026, 12, 31, 22, 30, tzinfo=UTC), date(2026, 12, 31)),
    # the nights the clocks change: 29 March 2026 (02:00 -> 03:00), 25 October (03:00 -> 02:00)
    (datetime(2026, 3, 28, 23, 0, tzinfo=UTC), date(2026, 3, 29)),
    (datetime(2026, 3, 29, 21, 59, tzinfo=UTC), date(2026, 3, 29)),
    (datetime(2026, 3, 29, 22, 0, tzinfo=UTC), date(2026, 3, 30)),
    (datetime(2026, 10, 24, 22, 0, tzinfo=UTC), date(2026, 10, 25)),
    (datetime(2026, 10, 25, 22, 59, tzinfo=UTC), date(2026, 10, 25)),
    (datetime(2026, 10, 25, 23, 0, tzinfo=UTC), date(2026, 10, 26)),
])
def test_the_legal_day_is_the_calendar_day_in_paris(at: datetime, day: date) -> None:
    assert legal_day(at) == day


def test_an_instant_written_in_another_zone_is_the_same_legal_day() -> None:
    new_york = datetime(2026, 6, 30, 18, 30, tzinfo=ZoneInfo("America/New_York"))  # 22:30 UTC
    assert legal_day(new_york) == date(2026, 7, 1)
    tokyo = datetime(2027, 1, 1, 8, 30, tzinfo=ZoneInfo("Asia/Tokyo"))  # 23:30 UTC on 31 Dec
    assert legal_day(tokyo) == date(2027, 1, 1)


def test_a_naive_time_is_refused_rather_than_read_in_the_machines_zone() -> None:
    with pytest.raises(ValueError, match="aware"):
        legal_day(datetime(2026, 6, 30, 22, 30))


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                    timezones=st.just(UTC)))
def test_paris_is_the_utc_day_or_the_next_never_another(at: datetime) -> None:
    """Paris is one or two hours ahead of UTC: the next day exactly from 22:00 UTC (summer) or
    23:00 UTC (winter), the same day otherwise."""
    offset = at.astimezone(ZoneInfo("Europe/Paris")).utcoffset()
    assert offset in (timedelta(hours=1), timedelta(hours=2))
    ahead = at.hour >= 24 - offset.seconds // 3600
    assert legal_day(at) == at.date() + timedelta(days=1 if ahead else 0)


def test_recorded_late_counts_the_day_of_entry_in_paris() -> None:
    """Typed at 23:30 UTC on 20 March, it is 21 March in Paris: eight days after a fact of 13
    March, over a limit of seven (the UTC date would say seven, not late)."""
    at = datetime(2026, 3, 20, 23, 30, tzinfo=UTC)
    assert legal_time.recorded_late(date(2026, 3, 13), at, 7)
    assert not legal_time.recorded_late(date(2026, 3, 14), at, 7)
