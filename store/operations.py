"""Operator actions, each recorded in the operations stream with who, why and when: tokens
issued and revoked (the audit names a token by the first 12 hex digits of its hash, never by
the token itself), workflows restarted or terminated, activities re-run."""

from datetime import datetime
from typing import Any

from .access import Access, token_hash
from .chain import OPERATIONS
from .db import q
from .eventstore import EventStore
from .models import StoredEvent
from .port import EventStorePort


def token_id(token: str) -> str:
    return token_hash(token)[:12]


async def issue_token(store: EventStore, actor: str, role: str, expires_at: datetime | None, *,
                      by: str, reason: str) -> str:
    token = await Access(store.pool).create_token(actor, role, expires_at)
    try:
        await record(store, "TokenIssued", {
            "token_id": token_id(token), "actor": actor, "role": role,
            "expires_at": expires_at.isoformat() if expires_at else None}, by=by, reason=reason)
    except BaseException:
        await Access(store.pool).revoke_token(token)  # no token without its audit event
        raise
    return token


async def list_tokens(store: EventStore) -> list[dict[str, Any]]:
    return [{**dict(r), "token_id": r["token_hash"][:12]}
            for r in await store.pool.fetch(q("list_tokens"))]


async def revoke_token(store: EventStore, tid: str, *, by: str, reason: str) -> dict[str, Any]:
    """Revoke the token whose id is `tid`; LookupError if none (or several) match."""
    async with store.pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(q("revoke_token_by_id"), tid + "%")
        if len(rows) != 1:
            raise LookupError(f"{len(rows)} active tokens have the id {tid!r}")
        row = dict(rows[0])
    await record(store, "TokenRevoked", {"token_id": tid, "actor": row["actor"],
                                         "role": row["role"]}, by=by, reason=reason)
    return row


async def record(store: EventStorePort, type: str, data: dict[str, Any], *, by: str,
                 reason: str, role: str = "admin") -> StoredEvent:
    return await store.record(OPERATIONS, type, data, actor=by, role=role, reason=reason)
