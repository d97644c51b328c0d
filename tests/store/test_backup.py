"""Backup and restore of the event store with PostgreSQL's tools: a restored copy holds every
event, verifies, and the application's role keeps only INSERT and SELECT on the events."""

import asyncpg
import pytest

from store import EventStore, app_dsn, backup, create_pool

from ..conftest import _with_db
from .test_event_store import request


async def test_a_backup_restores_into_a_fresh_database_with_every_chain_intact(
        store: EventStore, pg_dsn, pg_server, tmp_path):
    await store.append(request("s1", 0, n=3))
    await store.append(request("s2", 0, n=2))
    await store.checkpoint(actor="ops", role="admin", reason="before the backup")
    dump = tmp_path / "studyflow.dump"
    await backup.backup(pg_dsn, dump)
    assert dump.stat().st_size > 0

    conn = await asyncpg.connect(pg_server)
    await conn.execute("CREATE DATABASE restored")
    await conn.close()
    restored = _with_db(pg_server, "restored")
    await backup.restore(restored, dump)
    pool = await create_pool(app_dsn(restored), min_size=1, max_size=2)
    try:
        copy = EventStore(pool)
        verified = await copy.verify()
        assert verified.ok and verified.events == 6 and verified.checkpoint_heads == 2
        assert [e.hash for e in await copy.read_stream("s1")] == [
            e.hash for e in await store.read_stream("s1")]
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await pool.execute("DELETE FROM events")
        await copy.append(request("s1", 3))  # the copy goes on where the original stopped
    finally:
        await pool.close()


async def test_restoring_over_a_database_in_use_fails_and_changes_nothing(store, pg_dsn,
                                                                          tmp_path):
    await store.append(request("s1", 0, n=2))
    dump = tmp_path / "studyflow.dump"
    await backup.backup(pg_dsn, dump)
    with pytest.raises(RuntimeError, match="pg_restore failed"):
        await backup.restore(pg_dsn, dump)  # the tables exist: refused, all or nothing
    assert (await store.verify()).events == 2
