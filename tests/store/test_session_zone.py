"""The read models' SQL counts days as the law does: their `current_date` (a deadline past due,
a minor's coming of age) is the calendar day in Paris, whatever the server's own zone, because
every session the application opens runs in the legal zone (store/db.py)."""

from datetime import UTC, date, datetime

import asyncpg

from domain.regulation import legal_day


async def test_the_sessions_count_days_in_paris(pool: asyncpg.Pool) -> None:
    for at, day in [(datetime(2026, 6, 30, 22, 30, tzinfo=UTC), date(2026, 7, 1)),
                    (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), date(2027, 1, 1))]:
        assert await pool.fetchval("SELECT $1::timestamptz::date", at) == day


async def test_the_databases_today_is_the_legal_day(pool: asyncpg.Pool) -> None:
    before = legal_day(datetime.now(UTC))
    today = await pool.fetchval("SELECT current_date")
    assert today in (before, legal_day(datetime.now(UTC)))  # a Paris midnight in between


async def test_instants_still_come_back_as_the_same_instants(pool: asyncpg.Pool) -> None:
    at = datetime(2026, 6, 30, 22, 30, tzinfo=UTC)
    assert await pool.fetchval("SELECT $1::timestamptz", at) == at
    assert await pool.fetchval("SELECT '2026-06-30T22:30:00Z'::timestamptz") == at
