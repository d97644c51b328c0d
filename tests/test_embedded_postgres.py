"""The embedded PostgreSQL's stop: `fast` for data kept, `immediate` for data about to be
deleted (a test session's), which has no shutdown checkpoint to wait for."""

import asyncio
from pathlib import Path

import asyncpg

from stack import postgres


async def _sql(dsn: str, query: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetch(query)
    finally:
        await conn.close()


def test_a_discarded_server_stops_at_once_and_nothing_committed_is_lost(tmp_path: Path):
    dsn = postgres.start(tmp_path)
    try:
        asyncio.run(_sql(dsn, "CREATE TABLE kept AS SELECT 42 AS answer"))
        postgres.stop(tmp_path, discard=True)
        assert not (tmp_path / "pg" / "postmaster.pid").exists()
        # stopped as by a crash: the next start replays the log, the committed row is there
        dsn = postgres.start(tmp_path)
        assert [r["answer"] for r in asyncio.run(_sql(dsn, "SELECT answer FROM kept"))] == [42]
    finally:
        postgres.stop(tmp_path)
    assert not (tmp_path / "pg" / "postmaster.pid").exists()
