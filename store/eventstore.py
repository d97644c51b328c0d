"""The event store: append (hash chain, optimistic concurrency, idempotency, read models in the
same transaction), read, verify."""

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
from pydantic import BaseModel

from .db import q
from .models import AppendRequest, AppendResult, NewEvent, StoredEvent

GENESIS = "0" * 64
OPERATIONS = "operations"  # operator actions: tokens, exports, workflow resets
CHECKPOINTS = "audit-checkpoints"  # daily: the head hash of every stream written since


class ConcurrencyError(Exception):
    """The stream is not at the expected version: someone else wrote first."""


def timestamp(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def event_body(*, stream_id: str, version: int, type: str, data: Any, actor: str, role: str,
               reason: str, recorded_at: datetime, idempotency_key: str) -> str:
    """The canonical JSON of an event's content: what its hash covers, after prev_hash."""
    return canonical({
        "stream_id": stream_id, "version": version, "type": type, "data": data,
        "actor": actor, "role": role, "reason": reason, "recorded_at": timestamp(recorded_at),
        "idempotency_key": idempotency_key,
    })


def event_hash(prev_hash: str, **content: Any) -> str:
    return hashlib.sha256((prev_hash + event_body(**content)).encode()).hexdigest()


def stored(row: asyncpg.Record) -> StoredEvent:
    return StoredEvent(seq=row["global_seq"], **{k: row[k] for k in (
        "stream_id", "version", "type", "data", "actor", "role", "reason", "recorded_at",
        "idempotency_key", "prev_hash", "hash")})


class Broken(BaseModel):
    stream_id: str
    version: int
    seq: int
    problem: str


class VerifyResult(BaseModel):
    ok: bool
    events: int
    streams: int
    checkpoint_heads: int = 0  # heads recorded by checkpoints, each checked against the table
    first_broken: Broken | None = None


class EventStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def append(self, req: AppendRequest) -> AppendResult:
        """One statement (the `append_batch` function): head check, hash chain, events and
        read models together, or nothing."""
        keys = [f"{req.idempotency_key}:{i}" for i in range(len(req.events))]
        cols: list[list[Any]] = [[] for _ in range(6)]
        for i, (key, event) in enumerate(zip(keys, req.events, strict=True)):
            data = canonical(event.data)
            actor, role = event.actor or req.actor, event.role or req.role
            reason = event.reason or req.reason
            body = event_body(stream_id=req.stream_id, version=req.expected_version + i + 1,
                              type=event.type, data=json.loads(data), actor=actor, role=role,
                              reason=reason, recorded_at=req.recorded_at, idempotency_key=key)
            for col, value in zip(cols, (event.type, data, actor, role, reason, body),
                                  strict=True):
                col.append(value)
        try:
            rows = await self.pool.fetch(
                q("append_batch"), req.stream_id, req.expected_version, req.recorded_at, keys,
                *cols, _json(req.study), _json(req.participants), _json(req.notifications))
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

    async def verify(self) -> VerifyResult:
        """Recompute every stream's chain: versions gapless from 1, each prev_hash the hash
        before it, each hash the sha256 of its content, seq growing with version."""
        events = streams = 0
        stream, version, prev, last_seq = None, 0, GENESIS, 0
        async with self.pool.acquire() as conn, conn.transaction():
            async for r in conn.cursor(q("all_events_by_stream"), prefetch=2000):
                events += 1
                if r["stream_id"] != stream:
                    stream, version, prev, last_seq = r["stream_id"], 0, GENESIS, 0
                    streams += 1
                version += 1
                problem = None
                if r["version"] != version:
                    problem = f"version {r['version']} where {version} was expected (a gap)"
                elif r["prev_hash"] != prev:
                    problem = "prev_hash does not match the hash of the event before it"
                elif r["global_seq"] <= last_seq:
                    problem = "seq out of order (a reordered or inserted row)"
                elif event_hash(prev, stream_id=r["stream_id"], version=r["version"],
                                type=r["type"], data=r["data"], actor=r["actor"],
                                role=r["role"], reason=r["reason"],
                                recorded_at=r["recorded_at"],
                                idempotency_key=r["idempotency_key"]) != r["hash"]:
                    problem = "content does not match its hash (altered)"
                if problem:
                    return VerifyResult(ok=False, events=events, streams=streams,
                                        first_broken=Broken(stream_id=r["stream_id"],
                                                            version=r["version"],
                                                            seq=r["global_seq"],
                                                            problem=problem))
                prev, last_seq = r["hash"], r["global_seq"]
            # A chain rewritten from end to end (hashes recomputed) is consistent with itself:
            # the checkpoints, taken before, still hold the heads as they were.
            heads = await conn.fetchval(q("checkpoint_heads_count"), CHECKPOINTS)
            m = await conn.fetchrow(q("checkpoint_mismatch"), CHECKPOINTS)
        if m:
            when = f"{m['checkpoint_at']:%Y-%m-%d %H:%M} UTC"
            problem = (f"missing, though the checkpoint of {when} recorded it (deleted)"
                       if m["missing"] else
                       f"hash differs from the checkpoint of {when} (a rewritten chain)")
            return VerifyResult(ok=False, events=events, streams=streams, checkpoint_heads=heads,
                                first_broken=Broken(stream_id=m["stream_id"], version=m["version"],
                                                    seq=m["global_seq"] or 0, problem=problem))
        return VerifyResult(ok=True, events=events, streams=streams, checkpoint_heads=heads)

    async def record(self, stream_id: str, type: str, data: dict[str, Any], *, actor: str,
                     role: str, reason: str) -> StoredEvent:
        """Append one event to a system stream (operations, checkpoints) that several processes
        write: read the head, append after it, again if someone else wrote first."""
        for _ in range(50):
            head = await self.pool.fetchval(q("stream_head"), stream_id)
            try:
                result = await self.append(AppendRequest(
                    stream_id=stream_id, expected_version=head,
                    events=[NewEvent(type=type, data=data)], actor=actor, role=role,
                    reason=reason, recorded_at=datetime.now(UTC),
                    idempotency_key=f"{stream_id}:{uuid.uuid4()}"))
                return result.events[0]
            except ConcurrencyError:
                continue
        raise ConcurrencyError(f"{stream_id}: too many concurrent writers")

    async def checkpoint(self, actor: str, role: str, reason: str) -> StoredEvent:
        """Record the head (version, hash) of every stream written since the last checkpoint."""
        since = await self.pool.fetchval(q("last_checkpoint_seq"), CHECKPOINTS) or 0
        rows = await self.pool.fetch(q("heads_since"), since, CHECKPOINTS)
        heads = {r["stream_id"]: {"version": r["version"], "hash": r["hash"]} for r in rows}
        through = max([since, *(r["global_seq"] for r in rows)])
        return await self.record(CHECKPOINTS, "AuditCheckpoint", {
            "through_seq": through, "streams": len(heads), "heads": heads},
            actor=actor, role=role, reason=reason)



def _json(value: Any) -> Any:
    return None if value is None else json.loads(canonical(value))
