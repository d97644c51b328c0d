"""Who may call and how they hear of things: bearer tokens (stored as hashes only), people and
their notification preferences, and the HTTP answers kept for idempotent retries. Not
projections of the events: written by the API and the CLI directly."""

import hashlib
import json
import secrets
from datetime import datetime
from typing import Any

import asyncpg

from .db import HERE, sql_file
from .models import Preferences

Q = sql_file(HERE / "sql" / "access.sql")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _json(body: Any) -> Any:
    return json.loads(json.dumps(body, default=str))


class Access:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    # --- tokens -----------------------------------------------------------------------------
    async def create_token(self, actor: str, role: str,
                           expires_at: datetime | None = None) -> str:
        token = secrets.token_urlsafe(32)
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(Q["insert_token"], token_hash(token), actor, role, expires_at)
            await conn.execute(Q["ensure_person"], actor, role)
        return token

    async def resolve_token(self, token: str) -> tuple[str, str] | None:
        row = await self.pool.fetchrow(Q["resolve_token"], token_hash(token))
        return (row["actor"], row["role"]) if row else None

    async def revoke_token(self, token: str) -> bool:
        return (await self.pool.execute(Q["revoke_token"], token_hash(token))) != "UPDATE 0"

    # --- people and their notification preferences ---------------------------------------------
    async def person(self, actor: str) -> dict[str, Any] | None:
        row = await self.pool.fetchrow(Q["get_person"], actor)
        return dict(row) if row else None

    async def set_person(self, actor: str, role: str, prefs: Preferences) -> dict[str, Any]:
        return dict(await self.pool.fetchrow(Q["upsert_person"], actor, role, prefs.email,
                                             prefs.digest))

    # --- HTTP idempotency ----------------------------------------------------------------------
    async def stored_answer(self, actor: str, key: str) -> tuple[int, Any] | None:
        row = await self.pool.fetchrow(Q["get_idempotent"], actor, key)
        return (row["status"], row["body"]) if row else None

    async def stored_answers(self, actor: str, keys: list[str]) -> dict[str, tuple[int, Any]]:
        rows = await self.pool.fetch(Q["get_idempotent_many"], actor, keys)
        return {r["key"]: (r["status"], r["body"]) for r in rows}

    async def store_answer(self, actor: str, key: str, status: int, body: Any) -> None:
        await self.pool.execute(Q["put_idempotent"], actor, key, status, _json(body))
