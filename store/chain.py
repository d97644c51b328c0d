"""The audit record's rules, shared by every event store: what an event's hash covers, how a
stream's chain is checked, what the daily checkpoints pin down. Pure Python (no driver), so that
the PostgreSQL store and its in-memory twin compute and verify the very same hashes."""

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from i18n import N_

from .models import StoredEvent

GENESIS = "0" * 64
OPERATIONS = "operations"  # operator actions: tokens, exports, workflow resets
CHECKPOINTS = "audit-checkpoints"  # daily: the head hash of every stream written since
COLUMNS = ("stream_id", "version", "type", "data", "actor", "role", "reason", "recorded_at",
           "idempotency_key", "prev_hash", "hash")  # with `global_seq`: a row of `events`


class ConcurrencyError(Exception):
    """The stream is not at the expected version: someone else wrote first."""


def timestamp(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def as_stored_json(value: Any) -> Any:
    """What a JSON column gives back: canonical JSON read again (dates as text)."""
    return None if value is None else json.loads(canonical(value))


def event_body(*, stream_id: str, version: int, type: str, data: Any, actor: str, role: str,
               reason: str, recorded_at: datetime, idempotency_key: str,
               signature: Any = None) -> str:
    """The canonical JSON of an event's content: what its hash covers, after prev_hash. An
    electronic signature's manifestation is part of it when the event carries one (and only
    then, so that the events written before signatures existed keep their hashes)."""
    content = {
        "stream_id": stream_id, "version": version, "type": type, "data": data,
        "actor": actor, "role": role, "reason": reason, "recorded_at": timestamp(recorded_at),
        "idempotency_key": idempotency_key,
    }
    if signature is not None:
        content["signature"] = signature
    return canonical(content)


def chain_hash(prev_hash: str, body: str) -> str:
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def event_hash(prev_hash: str, **content: Any) -> str:
    return chain_hash(prev_hash, event_body(**content))


def stored(row: Mapping[str, Any]) -> StoredEvent:
    """A row of `events` (a database record or a dict with the same keys) as a StoredEvent."""
    return StoredEvent(seq=row["global_seq"], signature=row.get("signature"),
                       **{k: row[k] for k in COLUMNS})


GAP = N_("version {found} where {expected} was expected (a gap)")
UNLINKED = N_("prev_hash does not match the hash of the event before it")
REORDERED = N_("seq out of order (a reordered or inserted row)")
ALTERED = N_("content does not match its hash (altered)")
DELETED = N_("missing, though the checkpoint of {when} recorded it (deleted)")
REWRITTEN = N_("hash differs from the checkpoint of {when} (a rewritten chain)")
# each problem's stable code, for the scripts that read the API's answer
CODES = {GAP: "version_gap", UNLINKED: "prev_hash_mismatch", REORDERED: "seq_out_of_order",
         ALTERED: "altered", DELETED: "deleted_since_checkpoint",
         REWRITTEN: "rewritten_since_checkpoint"}


class Broken(BaseModel):
    stream_id: str
    version: int
    seq: int
    problem: str  # in English (the API's answer keeps it; its `message` is in the reader's)
    code: str = ""  # stable: CODES
    # the same as a catalogue msgid and its values, for a person's language (the CLI)
    template: str = Field("", exclude=True)
    values: dict[str, Any] = Field(default_factory=dict, exclude=True)

    def describe(self) -> str:
        from i18n import gettext

        return gettext(self.template).format(**self.values) if self.template else self.problem


def broken(stream_id: str, version: int, seq: int, template: str, **values: Any) -> Broken:
    return Broken(stream_id=stream_id, version=version, seq=seq, code=CODES[template],
                  problem=template.format(**values), template=template, values=values)


class VerifyResult(BaseModel):
    ok: bool
    events: int
    streams: int
    checkpoint_heads: int = 0  # heads recorded by checkpoints, each checked against the table
    first_broken: Broken | None = None


class ChainCheck:
    """Fed every event ordered by (stream, version), says the first one that breaks its chain:
    versions gapless from 1, each prev_hash the hash before it, seq growing with version, each
    hash the sha256 of its content."""

    def __init__(self) -> None:
        self.events = self.streams = 0
        self._stream: str | None = None
        self._version, self._prev, self._last_seq = 0, GENESIS, 0

    def feed(self, r: Mapping[str, Any]) -> Broken | None:
        self.events += 1
        if r["stream_id"] != self._stream:
            self._stream, self._version, self._prev, self._last_seq = r["stream_id"], 0, \
                GENESIS, 0
            self.streams += 1
        self._version += 1
        problem, values = None, {}
        if r["version"] != self._version:
            problem = GAP
            values = {"found": r["version"], "expected": self._version}
        elif r["prev_hash"] != self._prev:
            problem = UNLINKED
        elif r["global_seq"] <= self._last_seq:
            problem = REORDERED
        elif event_hash(self._prev, stream_id=r["stream_id"], version=r["version"],
                        type=r["type"], data=r["data"], actor=r["actor"], role=r["role"],
                        reason=r["reason"], recorded_at=r["recorded_at"],
                        idempotency_key=r["idempotency_key"],
                        signature=r.get("signature")) != r["hash"]:
            problem = ALTERED
        if problem:
            return broken(r["stream_id"], r["version"], r["global_seq"], problem, **values)
        self._prev, self._last_seq = r["hash"], r["global_seq"]
        return None

    def result(self, checkpoint_heads: int = 0, broken: Broken | None = None) -> VerifyResult:
        return VerifyResult(ok=broken is None, events=self.events, streams=self.streams,
                            checkpoint_heads=checkpoint_heads, first_broken=broken)


def checkpoint_broken(*, stream_id: str, version: int, seq: int | None, missing: bool,
                      checkpoint_at: datetime) -> Broken:
    """A head a checkpoint recorded that the record no longer holds as recorded. A chain
    rewritten from end to end (hashes recomputed) is consistent with itself: the checkpoints,
    taken before, still hold the heads as they were."""
    when = f"{checkpoint_at:%Y-%m-%d %H:%M} UTC"
    return broken(stream_id, version, seq or 0, DELETED if missing else REWRITTEN, when=when)


def checkpoint_heads(since: int, events: Iterable[StoredEvent]) -> tuple[int, dict[str, Any]]:
    """The head (version, hash) of every stream written after seq `since` (the checkpoints' own
    stream aside), and the highest seq they cover: a checkpoint's content."""
    heads: dict[str, dict[str, Any]] = {}
    through = since
    for e in sorted(events, key=lambda e: (e.stream_id, e.version)):
        if e.seq > since and e.stream_id != CHECKPOINTS:
            heads[e.stream_id] = {"version": e.version, "hash": e.hash}
            through = max(through, e.seq)
    return through, heads
