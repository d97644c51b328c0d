"""The event store: append (hash chain, optimistic concurrency, idempotency, read models in the
same transaction), read, verify."""

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import asyncpg
from pydantic import BaseModel

from .db import q
from .models import AppendRequest, AppendResult, StoredEvent

GENESIS = "0" * 64


class ConcurrencyError(Exception):
    """The stream is not at the expected version: someone else wrote first."""


def timestamp(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def event_hash(prev_hash: str, *, stream_id: str, version: int, type: str, data: Any,
               actor: str, role: str, reason: str, recorded_at: datetime,
               idempotency_key: str) -> str:
    body = canonical({
        "stream_id": stream_id, "version": version, "type": type, "data": data,
        "actor": actor, "role": role, "reason": reason, "recorded_at": timestamp(recorded_at),
        "idempotency_key": idempotency_key,
    })
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


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
    first_broken: Broken | None = None


class EventStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def append(self, req: AppendRequest) -> AppendResult:
        keys = [f"{req.idempotency_key}:{i}" for i in range(len(req.events))]
        async with self.pool.acquire() as conn, conn.transaction():
            # One writer per stream at a time; a retried batch finds its first write.
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", req.stream_id)
            existing = await conn.fetch(q("events_by_keys"), keys)
            if existing:
                return AppendResult(events=[stored(r) for r in existing], duplicate=True)
            head = await conn.fetchrow(q("stream_head"), req.stream_id)
            version, prev = (head["version"], head["hash"]) if head else (0, GENESIS)
            if version != req.expected_version:
                raise ConcurrencyError(f"{req.stream_id} is at version {version}, "
                                       f"not {req.expected_version}")
            rows = []
            for key, event in zip(keys, req.events, strict=True):
                version += 1
                data = json.loads(canonical(event.data))  # exactly what jsonb gives back
                actor, role = event.actor or req.actor, event.role or req.role
                reason = event.reason or req.reason
                h = event_hash(prev, stream_id=req.stream_id, version=version, type=event.type,
                               data=data, actor=actor, role=role, reason=reason,
                               recorded_at=req.recorded_at, idempotency_key=key)
                try:
                    rows.append(await conn.fetchrow(
                        q("insert_event"), req.stream_id, version, event.type, data, actor,
                        role, reason, req.recorded_at, key, prev, h))
                except asyncpg.UniqueViolationError as e:
                    raise ConcurrencyError(str(e)) from e
                prev = h
            await _project(conn, req, rows[-1]["global_seq"] if rows else 0)
        return AppendResult(events=[stored(r) for r in rows])

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
        return VerifyResult(ok=True, events=events, streams=streams)


async def _project(conn: asyncpg.Connection, req: AppendRequest, last_seq: int) -> None:
    """The read models, in the append's transaction: the page never shows what the audit
    does not hold."""
    sid, at = req.stream_id, req.recorded_at
    if req.study is not None:
        v = json.loads(canonical(req.study))
        await conn.execute(q("upsert_study"), sid, v["title"], v["category"], v["state"],
                           v["investigator"], v["version"], v["overdue"],
                           _day(v.get("next_due_on")), v, at)
        await conn.execute(q("delete_study_deadlines"), sid)
        await conn.executemany(q("insert_deadline"), [
            (sid, d["name"], d["clock"], d["label"], d["role"], _day(d["starts_on"]),
             _day(d["due_on"]), d["status"], d["waiting"], _day(d.get("closed_on")))
            for d in v["deadlines"]])
        await conn.execute(q("delete_study_tasks"), sid)
        await conn.executemany(q("insert_task"), [
            (sid, t["role"], t["kind"], t["title"], _day(t.get("due_on")), t.get("deadline"),
             t.get("overdue", False)) for t in v.get("tasks", [])])
    if req.participants:
        await conn.executemany(q("upsert_participant"), [
            (sid, p["code"], p["status"], p.get("consent_form_version"),
             json.loads(canonical(p))) for p in req.participants])
    if req.notifications:
        await conn.executemany(q("insert_notification"), [
            (sid, n["role"], n["kind"], n["message"], n["urgent"], n.get("deadline"), last_seq,
             at) for n in req.notifications])


def _day(value: Any):  # type: ignore[no-untyped-def]
    from datetime import date

    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)
