"""The event store's in-memory twin: the same contract as the PostgreSQL store (optimistic
concurrency by expected version, idempotency keys answering with the first write, the same hash
chain, a global seq, checkpoints), for fast tests and tools. Not for production: nothing
survives the process."""

import asyncio
import json
from datetime import UTC
from typing import Any

from .chain import (
    CHECKPOINTS,
    GENESIS,
    ChainCheck,
    ConcurrencyError,
    VerifyResult,
    as_stored_json,
    canonical,
    chain_hash,
    checkpoint_broken,
    checkpoint_heads,
    event_body,
    stored,
)
from .models import AppendRequest, AppendResult, StoredEvent, command_answer
from .port import append_after_head


class InMemoryEventStore:
    def __init__(self) -> None:
        # rows as the `events` table holds them; `data` kept as its canonical JSON text, so that
        # what is read back is a fresh copy, as from a JSON column
        self.rows: list[dict[str, Any]] = []
        self._streams: dict[str, list[dict[str, Any]]] = {}
        self._by_key: dict[str, dict[str, Any]] = {}
        self._seq = 0
        self._lock = asyncio.Lock()
        # the read models an append carries, as its last append left them
        self.studies: dict[str, dict[str, Any]] = {}
        self.participants: dict[tuple[str, str], dict[str, Any]] = {}
        self.notifications: list[dict[str, Any]] = []
        # the callers' idempotent answers an append carried: (actor, key) -> (status, body)
        self.answers: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}

    def _event(self, row: dict[str, Any]) -> StoredEvent:
        return stored({**row, "data": json.loads(row["data"])})

    async def append(self, req: AppendRequest) -> AppendResult:
        keys = [f"{req.idempotency_key}:{i}" for i in range(len(req.events))]
        async with self._lock:
            if keys and keys[0] in self._by_key:
                return self._duplicate(keys)
            stream = self._streams.get(req.stream_id, [])
            if len(stream) != req.expected_version:
                raise ConcurrencyError(f"stream {req.stream_id} is at version {len(stream)}, "
                                       f"not {req.expected_version}")
            if any(k in self._by_key for k in keys):
                return self._duplicate(keys)  # a batch that shares keys with a written one
            prev = stream[-1]["hash"] if stream else GENESIS
            rows: list[dict[str, Any]] = []
            for i, (key, event) in enumerate(zip(keys, req.events, strict=True)):
                data = canonical(event.data)
                content: dict[str, Any] = dict(
                    stream_id=req.stream_id, version=req.expected_version + i + 1,
                    type=event.type, actor=event.actor or req.actor,
                    role=event.role or req.role, reason=event.reason or req.reason,
                    recorded_at=req.recorded_at.astimezone(UTC), idempotency_key=key)
                signature = as_stored_json(event.signature)
                h = chain_hash(prev, event_body(**content, data=json.loads(data),
                                                signature=signature))
                rows.append({**content, "data": data, "prev_hash": prev, "hash": h,
                             "global_seq": self._seq + i + 1, "signature": signature})
                prev = h
            self._seq += len(rows)
            self.rows.extend(rows)
            self._streams.setdefault(req.stream_id, []).extend(rows)
            self._by_key.update((r["idempotency_key"], r) for r in rows)
            self._project(req, rows)
            return AppendResult(events=[self._event(r) for r in rows])

    def _duplicate(self, keys: list[str]) -> AppendResult:
        rows = sorted((self._by_key[k] for k in keys if k in self._by_key),
                      key=lambda r: r["global_seq"])
        return AppendResult(events=[self._event(r) for r in rows], duplicate=True)

    def _project(self, req: AppendRequest, rows: list[dict[str, Any]]) -> None:
        if req.study is not None:
            self.studies[req.stream_id] = as_stored_json(req.study)
        for p in as_stored_json(req.participants):
            self.participants[(req.stream_id, p["code"])] = p
        last_seq = rows[-1]["global_seq"] if rows else None
        self.notifications.extend({**n, "study_id": req.stream_id, "seq": last_seq,
                                   "created_at": req.recorded_at}
                                  for n in as_stored_json(req.notifications))
        for a in req.answers:
            self.answers.setdefault((a.actor, a.key), (a.status, as_stored_json(a.body)))
        for r in req.replies:
            seqs = [row["global_seq"] for row in rows[r.first:r.first + r.count]]
            self.answers.setdefault((r.actor, r.key), (r.status, as_stored_json(
                command_answer(req.study or {}, seqs, r.extra))))

    async def read_stream(self, stream_id: str) -> list[StoredEvent]:
        return [self._event(r) for r in self._streams.get(stream_id, [])]

    async def events_after(self, after: int, stream_id: str | None = None,
                           limit: int = 5000) -> list[StoredEvent]:
        rows = self._streams.get(stream_id, []) if stream_id is not None else self.rows
        return [self._event(r) for r in rows if r["global_seq"] > after][:limit]

    async def head(self, stream_id: str) -> int:
        return len(self._streams.get(stream_id, []))

    async def verify(self) -> VerifyResult:
        check = ChainCheck()
        for r in sorted(self.rows, key=lambda r: (r["stream_id"], r["version"])):
            if broken := check.feed({**r, "data": json.loads(r["data"])}):
                return check.result(broken=broken)
        checkpoints = [(cp, json.loads(cp["data"]).get("heads", {}))
                       for cp in self._streams.get(CHECKPOINTS, [])]
        heads = sum(len(recorded) for _, recorded in checkpoints)
        for cp, recorded in checkpoints:
            for stream_id in sorted(recorded):
                head = recorded[stream_id]
                found = next((r for r in self._streams.get(stream_id, [])
                              if r["version"] == head["version"]), None)
                if found is None or found["hash"] != head["hash"]:
                    return check.result(heads, checkpoint_broken(
                        stream_id=stream_id, version=head["version"],
                        seq=None if found is None else found["global_seq"],
                        missing=found is None,
                        checkpoint_at=cp["recorded_at"]))
        return check.result(heads)

    async def record(self, stream_id: str, type: str, data: dict[str, Any], *, actor: str,
                     role: str, reason: str) -> StoredEvent:
        return await append_after_head(self, stream_id, type, data, actor=actor, role=role,
                                       reason=reason)

    async def checkpoint(self, actor: str, role: str, reason: str) -> StoredEvent:
        last = self._streams.get(CHECKPOINTS, [])
        since = json.loads(last[-1]["data"]).get("through_seq", 0) if last else 0
        through, heads = checkpoint_heads(since, (self._event(r) for r in self.rows
                                                  if r["global_seq"] > since))
        return await self.record(CHECKPOINTS, "AuditCheckpoint", {
            "through_seq": through, "streams": len(heads), "heads": heads},
            actor=actor, role=role, reason=reason)
