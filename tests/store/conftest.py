"""Both event stores behind the port: PostgreSQL (production) and its in-memory twin. A test
taking `any_store` runs once against each; `tamper` alters a stored event as someone with
access to the storage would."""

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from store import EventStore, EventStorePort, InMemoryEventStore

Tamper = Callable[[str, int, str], Awaitable[None]]


@pytest.fixture(params=["postgres", "memory"])
def any_store(request: pytest.FixtureRequest) -> EventStorePort:
    if request.param == "memory":
        return InMemoryEventStore()
    return EventStore(request.getfixturevalue("pool"))


@pytest.fixture
def tamper(any_store: EventStorePort, request: pytest.FixtureRequest) -> Tamper:
    """Rewrite the reason of one stored event, leaving its hash as it was."""
    if isinstance(any_store, InMemoryEventStore):
        async def in_memory(stream_id: str, version: int, reason: str) -> None:
            row: dict[str, Any] = next(r for r in any_store.rows
                                       if (r["stream_id"], r["version"]) == (stream_id, version))
            row["reason"] = reason
        return in_memory

    superuser = request.getfixturevalue("superuser")

    async def in_postgres(stream_id: str, version: int, reason: str) -> None:
        async with superuser.transaction():
            await superuser.execute("ALTER TABLE events DISABLE TRIGGER USER")
            await superuser.execute("UPDATE events SET reason = $3 WHERE stream_id = $1 "
                                    "AND version = $2", stream_id, version, reason)
            await superuser.execute("ALTER TABLE events ENABLE TRIGGER USER")
    return in_postgres
