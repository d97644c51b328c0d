"""The event store on PostgreSQL, the one production uses: append (hash chain, optimistic
concurrency, idempotency, read models in the same transaction), read, verify. Its in-memory twin
is store/memory.py; both meet the contract of store/port.py."""

import json
from typing import Any

import asyncpg
import orjson

from .access import Q as ACCESS
from .chain import (
    CHECKPOINTS,
    GENESIS,
    OPERATIONS,
    Broken,
    ChainCheck,
    ConcurrencyError,
    VerifyResult,
    as_stored_json,
    canonical,
    checkpoint_broken,
    event_body,
    event_hash,
    stored,
    timestamp,
)
from .db import q
from .models import AppendRequest, AppendResult, StoredEvent
from .port import append_after_head

__all__ = [  # the names this module has always offered
    "CHECKPOINTS", "GENESIS", "OPERATIONS", "Broken", "ConcurrencyError", "EventStore",
    "VerifyResult", "canonical", "event_body", "event_hash", "stored", "timestamp",
]


# dates as ISO text, datetimes and anything else as str(): what `canonical` writes
_ORJSON = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def _json_text(value: Any) -> str | None:
    """A read model as the JSON text PostgreSQL parses: one encoding, not three (to Python
    and back, then by the connection's codec). Not hashed, so not canonical: orjson writes a
    study's view in 1.5 us where `canonical` takes 18 (bench/append.py); what orjson refuses
    (an integer beyond 64 bits) goes the canonical way."""
    if value is None:
        return None
    try:
        return orjson.dumps(value, default=str, option=_ORJSON).decode()
    except TypeError:
        return canonical(value)


class EventStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def append(self, req: AppendRequest) -> AppendResult:
        """One statement (the `append_batch` function): head check, hash chain, events and
        read models together, or nothing."""
        keys = [f"{req.idempotency_key}:{i}" for i in range(len(req.events))]
        cols: list[list[Any]] = [[] for _ in range(6)]
        signatures: dict[str, Any] = {}
        for i, (key, event) in enumerate(zip(keys, req.events, strict=True)):
            data = canonical(event.data)
            actor, role = event.actor or req.actor, event.role or req.role
            reason = event.reason or req.reason
            signature = as_stored_json(event.signature)
            if signature is not None:
                signatures[key] = signature
            body = event_body(stream_id=req.stream_id, version=req.expected_version + i + 1,
                              type=event.type, data=json.loads(data), actor=actor, role=role,
                              reason=reason, recorded_at=req.recorded_at, idempotency_key=key,
                              signature=signature)
            for col, value in zip(cols, (event.type, data, actor, role, reason, body),
                                  strict=True):
                col.append(value)
        # migration 041: a notice's parts, keyed by its sentence, copied on by a trigger
        parts = {n["message"]: n["parts"] for n in req.notifications if n.get("parts")}
        args: tuple[Any, ...] = (
            q("append_batch"), req.stream_id, req.expected_version, req.recorded_at, keys,
            *cols, _json_text(req.study), _json_text(req.participants or None),
            _json_text(req.notifications or None))
        if req.replies:  # the callers' answers, shaped from the rows in the same statement
            args = (q("append_batch_replying"), *args[1:],
                    *([getattr(r, f) for r in req.replies]
                      for f in ("actor", "key", "status")),
                    [canonical(r.extra) for r in req.replies],
                    *([getattr(r, f) for r in req.replies] for f in ("first", "count")))
        try:
            if signatures or parts or req.answers:
                async with self.pool.acquire() as conn, conn.transaction():
                    if signatures or parts:  # migrations 021, 041: triggers copy them on
                        await conn.execute(
                            "SELECT set_config('studyflow.signatures', $1, true), "
                            "set_config('studyflow.notice_parts', $2, true)",
                            canonical(signatures) if signatures else "",
                            canonical(parts) if parts else "")
                    rows = await conn.fetch(*args)
                    if req.answers:  # the caller's answers stand or fall with the events
                        await conn.executemany(ACCESS["put_idempotent"], [
                            (a.actor, a.key, a.status, a.body) for a in req.answers])
            else:
                rows = await self.pool.fetch(*args)
        except asyncpg.PostgresError as e:
            if getattr(e, "sqlstate", None) == "SF409":
                raise ConcurrencyError(str(e)) from e
            if isinstance(e, asyncpg.UniqueViolationError):
                # a concurrent attempt of the same batch won the race: answer with its write
                rows = await self.pool.fetch(q("events_by_keys"), keys)
                if rows:
                    return AppendResult(events=[stored(r) for r in rows], duplicate=True)
                raise ConcurrencyError(str(e)) from e
            raise
        return AppendResult(events=[stored(r) for r in rows],
                            duplicate=bool(rows) and rows[0]["duplicate"])

    async def read_stream(self, stream_id: str) -> list[StoredEvent]:
        async with self.pool.acquire() as conn:
            return [stored(r) for r in await conn.fetch(q("read_stream"), stream_id)]

    async def events_after(self, after: int, stream_id: str | None = None,
                           limit: int = 5000) -> list[StoredEvent]:
        return [stored(r) for r in await self.pool.fetch(q("events_after"), after, stream_id,
                                                         limit)]

    async def head(self, stream_id: str) -> int:
        return int(await self.pool.fetchval(q("stream_head"), stream_id))

    async def verify(self) -> VerifyResult:
        """Recompute every stream's chain, then check it against the checkpoints' heads."""
        check = ChainCheck()
        async with self.pool.acquire() as conn, conn.transaction():
            async for r in conn.cursor(q("all_events_by_stream"), prefetch=2000):
                if broken := check.feed(r):
                    return check.result(broken=broken)
            heads = await conn.fetchval(q("checkpoint_heads_count"), CHECKPOINTS)
            m = await conn.fetchrow(q("checkpoint_mismatch"), CHECKPOINTS)
        return check.result(heads, None if m is None else checkpoint_broken(
            stream_id=m["stream_id"], version=m["version"], seq=m["global_seq"],
            missing=m["missing"], checkpoint_at=m["checkpoint_at"]))

    async def record(self, stream_id: str, type: str, data: dict[str, Any], *, actor: str,
                     role: str, reason: str) -> StoredEvent:
        """Append one event to a system stream (operations, checkpoints) that several processes
        write: read the head, append after it, again if someone else wrote first."""
        return await append_after_head(self, stream_id, type, data, actor=actor, role=role,
                                       reason=reason)

    async def checkpoint(self, actor: str, role: str, reason: str) -> StoredEvent:
        """Record the head (version, hash) of every stream written since the last checkpoint."""
        since = await self.pool.fetchval(q("last_checkpoint_seq"), CHECKPOINTS) or 0
        rows = await self.pool.fetch(q("heads_since"), since, CHECKPOINTS)
        heads = {r["stream_id"]: {"version": r["version"], "hash": r["hash"]} for r in rows}
        through = max([since, *(r["global_seq"] for r in rows)])
        return await self.record(CHECKPOINTS, "AuditCheckpoint", {
            "through_seq": through, "streams": len(heads), "heads": heads},
            actor=actor, role=role, reason=reason)

