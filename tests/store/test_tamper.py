"""Tampering as a database superuser would: switch the append-only trigger off, then alter,
delete, reorder, insert, or rewrite a whole chain with recomputed hashes. `verify` must name the
first broken event (stream, version, seq) each time."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import asyncpg
import pytest

from store import EventStore
from store.eventstore import event_hash

from .test_event_store import request

Tamper = Callable[[asyncpg.Connection], Awaitable[None]]


async def untriggered(conn: asyncpg.Connection, *statements: str) -> None:
    async with conn.transaction():
        await conn.execute("ALTER TABLE events DISABLE TRIGGER USER")
        for sql in statements:
            await conn.execute(sql)
        await conn.execute("ALTER TABLE events ENABLE TRIGGER USER")


async def alter(conn: asyncpg.Connection) -> None:
    await untriggered(conn, "UPDATE events SET reason = 'rewritten' "
                            "WHERE stream_id = 's1' AND version = 3")


async def delete(conn: asyncpg.Connection) -> None:
    await untriggered(conn, "DELETE FROM events WHERE stream_id = 's1' AND version = 3")


async def reorder(conn: asyncpg.Connection) -> None:
    # swap the global order of versions 3 and 4, keeping every hash as it was
    a, b = [r["global_seq"] for r in await conn.fetch(
        "SELECT global_seq FROM events WHERE stream_id = 's1' AND version IN (3, 4) "
        "ORDER BY version")]
    await untriggered(
        conn,
        f"UPDATE events SET global_seq = -{b} WHERE stream_id = 's1' AND version = 3",
        f"UPDATE events SET global_seq = -{a} WHERE stream_id = 's1' AND version = 4",
        "UPDATE events SET global_seq = -global_seq WHERE global_seq < 0")


async def insert(conn: asyncpg.Connection) -> None:
    # a forged version 3, chained correctly to version 2; the old 3 and after move up one
    prev = await conn.fetchval("SELECT hash FROM events WHERE stream_id = 's1' AND version = 2")
    at = datetime(2026, 1, 2, tzinfo=UTC)
    content = dict(stream_id="s1", version=3, type="Something", data={"forged": True},
                   actor="mallory", role="coordinator", reason="backdated", recorded_at=at,
                   idempotency_key="forged")
    await untriggered(
        conn,
        "UPDATE events SET version = version + 1000 WHERE stream_id = 's1' AND version >= 3",
        "UPDATE events SET version = version - 999 WHERE stream_id = 's1' AND version > 1000")
    await conn.execute(
        "INSERT INTO events (stream_id, version, type, data, actor, role, reason, recorded_at, "
        "idempotency_key, prev_hash, hash) VALUES ('s1', 3, 'Something', $1, 'mallory', "
        "'coordinator', 'backdated', $2, 'forged', $3, $4)",
        {"forged": True}, at, prev, event_hash(prev, **content))


async def rewrite(conn: asyncpg.Connection) -> None:
    # change version 3 and recompute every hash after it: the chain is consistent again
    await untriggered(conn, "UPDATE events SET reason = 'rewritten' "
                            "WHERE stream_id = 's1' AND version = 3")
    rows = await conn.fetch("SELECT * FROM events WHERE stream_id = 's1' ORDER BY version")
    prev = rows[1]["hash"]
    for r in rows[2:]:
        h = event_hash(prev, stream_id=r["stream_id"], version=r["version"], type=r["type"],
                       data=r["data"], actor=r["actor"], role=r["role"], reason=r["reason"],
                       recorded_at=r["recorded_at"], idempotency_key=r["idempotency_key"])
        await untriggered(conn, f"UPDATE events SET prev_hash = '{prev}', hash = '{h}' "
                                f"WHERE stream_id = 's1' AND version = {r['version']}")
        prev = h


async def truncate_tail(conn: asyncpg.Connection) -> None:
    # drop the last two events: what is left is a valid chain, but shorter than recorded
    await untriggered(conn, "DELETE FROM events WHERE stream_id = 's1' AND version >= 4")


@pytest.mark.parametrize(("tamper", "version", "problem"), [
    (alter, 3, "altered"),
    (delete, 4, "gap"),
    (reorder, 4, "seq out of order"),
    (insert, 4, "prev_hash"),
    (rewrite, 5, "rewritten chain"),
    (truncate_tail, 5, "missing"),
])
async def test_verify_names_the_first_broken_event(store: EventStore, superuser, tamper: Tamper,
                                                   version: int, problem: str):
    await store.append(request("s0", 0, n=2))
    await store.append(request("s1", 0, n=5))
    await store.checkpoint(actor="audit", role="system", reason="test checkpoint")
    await store.append(request("s2", 0, n=2))
    before = await store.verify()
    assert before.ok and before.checkpoint_heads == 2  # s0 and s1 (s2 came after)

    await tamper(superuser)
    result = await store.verify()
    assert not result.ok
    broken = result.first_broken
    assert broken is not None
    assert (broken.stream_id, broken.version) == ("s1", version), broken
    assert problem in broken.problem
    if "missing" not in broken.problem:
        seq = await superuser.fetchval("SELECT global_seq FROM events WHERE stream_id = 's1' "
                                       "AND version = $1", version)
        assert broken.seq == seq


async def test_checkpoints_record_only_the_streams_written_since_the_last(store: EventStore):
    await store.append(request("s1", 0, n=2))
    first = await store.checkpoint(actor="audit", role="system", reason="daily")
    await store.append(request("s2", 0))
    second = await store.checkpoint(actor="audit", role="system", reason="daily")
    assert set(first.data["heads"]) == {"s1"} and set(second.data["heads"]) == {"s2"}
    assert second.data["through_seq"] > first.data["through_seq"]
    assert second.version == first.version + 1 and second.prev_hash == first.hash
    assert (await store.verify()).ok
