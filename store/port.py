"""The event store as the application sees it: the operations every implementation offers with
the same meaning. PostgreSQL (store/eventstore.py) is the only one in production; the in-memory
twin (store/memory.py) runs the same contract tests (tests/store/test_contract.py)."""

import uuid
from datetime import UTC, datetime
from typing import Any, Protocol

from .chain import ConcurrencyError, VerifyResult
from .models import AppendRequest, AppendResult, NewEvent, StoredEvent


class EventStorePort(Protocol):
    async def append(self, req: AppendRequest) -> AppendResult:
        """Append the batch after version `req.expected_version` of its stream, with the read
        models it carries, all or nothing. ConcurrencyError when the stream is elsewhere; a
        batch whose idempotency key was already written returns that first write
        (`duplicate=True`) and writes nothing."""
        ...

    async def read_stream(self, stream_id: str) -> list[StoredEvent]:
        """The stream's events in version order ([] for a stream never written)."""
        ...

    async def events_after(self, after: int, stream_id: str | None = None,
                           limit: int = 5000) -> list[StoredEvent]:
        """Up to `limit` events with seq > `after` (of one stream, or of all), in seq order."""
        ...

    async def head(self, stream_id: str) -> int:
        """The stream's version: its number of events (0 for a new stream)."""
        ...

    async def verify(self) -> VerifyResult:
        """Recompute every chain and check it against the checkpoints' heads."""
        ...

    async def record(self, stream_id: str, type: str, data: dict[str, Any], *, actor: str,
                     role: str, reason: str) -> StoredEvent:
        """Append one event after the head of a system stream that several writers share."""
        ...

    async def checkpoint(self, actor: str, role: str, reason: str) -> StoredEvent:
        """Record the head (version, hash) of every stream written since the last checkpoint."""
        ...


async def append_after_head(store: EventStorePort, stream_id: str, type: str,
                            data: dict[str, Any], *, actor: str, role: str,
                            reason: str) -> StoredEvent:
    """Append one event to a system stream (operations, checkpoints) that several processes
    write: read the head, append after it, again if someone else wrote first."""
    for _ in range(50):
        head = await store.head(stream_id)
        try:
            result = await store.append(AppendRequest(
                stream_id=stream_id, expected_version=head,
                events=[NewEvent(type=type, data=data)], actor=actor, role=role,
                reason=reason, recorded_at=datetime.now(UTC),
                idempotency_key=f"{stream_id}:{uuid.uuid4()}"))
            return result.events[0]
        except ConcurrencyError:
            continue
    raise ConcurrencyError(f"{stream_id}: too many concurrent writers")
