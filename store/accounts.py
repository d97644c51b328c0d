"""People who sign in: local accounts (an argon2 hash, a TOTP secret, the failures counted for
the lock-out) and directory accounts (an OpenID Connect issuer and subject); the web sessions
kept server-side; the OpenID Connect requests awaiting their answer; personal tokens with an
owner, a label, scopes and an expiry. Written by the web app and the CLI directly, never
projected from the events; every change that matters to an inspector is also recorded as an
event of the operations stream by its caller (api/auth, cli/users.py)."""

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from .db import HERE, sql_file

Q = sql_file(HERE / "sql" / "accounts.sql")


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class ResolvedToken:
    actor: str
    role: str
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None
    printed_name: str


class Accounts:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    # --- accounts ----------------------------------------------------------------------------
    async def create(self, actor: str, role: str, *, kind: str, printed_name: str,
                     email: str | None = None, password_hash: str | None = None,
                     one_time: bool = False, issuer: str | None = None,
                     subject: str | None = None) -> dict[str, Any]:
        async with self.pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(Q["account_insert"], actor, role, printed_name, email,
                                      kind, password_hash, one_time, issuer, subject)
            await conn.execute(Q["account_person"], actor, role, email)
        return dict(row)

    async def get(self, actor: str) -> dict[str, Any] | None:
        row = await self.pool.fetchrow(Q["account_get"], actor)
        return dict(row) if row else None

    async def by_subject(self, issuer: str, subject: str) -> dict[str, Any] | None:
        row = await self.pool.fetchrow(Q["account_by_subject"], issuer, subject)
        return dict(row) if row else None

    async def all(self) -> list[dict[str, Any]]:
        return [dict(r) for r in await self.pool.fetch(Q["account_list"])]

    async def failed(self, actor: str, threshold: int, lock_for: timedelta) -> dict[str, Any]:
        return dict(await self.pool.fetchrow(Q["account_failed"], actor, threshold, lock_for))

    async def succeeded(self, actor: str) -> None:
        await self.pool.execute(Q["account_succeeded"], actor)

    async def set_password(self, actor: str, password_hash: str, one_time: bool) -> None:
        await self.pool.execute(Q["account_set_password"], actor, password_hash, one_time)

    async def set_totp(self, actor: str, secret: str | None) -> None:
        await self.pool.execute(Q["account_set_totp"], actor, secret)

    async def use_totp_step(self, actor: str, step: int) -> bool:
        """True the first time a code's time step is used, False for a replayed code."""
        return await self.pool.fetchval(Q["account_use_totp_step"], actor, step) is not None

    async def disable(self, actor: str, reason: str) -> bool:
        async with self.pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(Q["account_disable"], actor, reason)
            if row:  # a disabled person's sessions and tokens end with the account
                await conn.execute(Q["session_revoke_all"], actor)
                await conn.execute(Q["token_revoke_all_own"], actor)
        return row is not None

    async def enable(self, actor: str) -> bool:
        return await self.pool.fetchrow(Q["account_enable"], actor) is not None

    async def set_role(self, actor: str, role: str) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(Q["account_set_role"], actor, role)
            await conn.execute(Q["account_person"], actor, role, row["email"] if row else None)

    # --- web sessions -------------------------------------------------------------------------
    async def open_session(self, actor: str, role: str, method: str, stage: str,
                           lifetime: timedelta, data: dict[str, Any] | None = None) -> str:
        """A new session; returns the cookie's value (only its hash is stored)."""
        sid = secrets.token_urlsafe(32)
        expires = datetime.now(UTC) + lifetime
        await self.pool.execute(Q["session_insert"], digest(sid), actor, role, method, stage,
                                expires, data or {})
        return sid

    async def session(self, sid: str) -> dict[str, Any] | None:
        row = await self.pool.fetchrow(Q["session_get"], digest(sid))
        return dict(row) if row else None

    async def touch_session(self, sid: str) -> None:
        await self.pool.execute(Q["session_touch"], digest(sid))

    async def session_stage(self, sid: str, stage: str, role: str | None = None) -> None:
        await self.pool.execute(Q["session_stage"], digest(sid), stage, role)

    async def session_reauthenticated(self, sid: str, at: datetime) -> None:
        await self.pool.execute(Q["session_reauthenticated"], digest(sid), at)

    async def set_session_data(self, sid: str, data: dict[str, Any]) -> None:
        await self.pool.execute(Q["session_set_data"], digest(sid),
                                json.loads(json.dumps(data, default=str)))

    async def close_session(self, sid: str) -> None:
        await self.pool.execute(Q["session_revoke"], digest(sid))

    async def close_sessions(self, actor: str) -> int:
        done = await self.pool.execute(Q["session_revoke_all"], actor)
        return int(done.split()[-1])

    async def sessions(self, actor: str) -> list[dict[str, Any]]:
        return [dict(r) for r in await self.pool.fetch(Q["session_list"], actor)]

    # --- OpenID Connect requests in flight ------------------------------------------------------
    async def remember_oidc(self, state: str, browser: str, nonce: str, verifier: str,
                            purpose: str, payload: dict[str, Any]) -> None:
        await self.pool.execute(Q["oidc_request_insert"], state, digest(browser), nonce,
                                verifier, purpose, json.loads(json.dumps(payload, default=str)))

    async def take_oidc(self, state: str, browser: str) -> dict[str, Any] | None:
        """The request that `state` names, once, if this browser started it less than ten
        minutes ago."""
        rows = await self.pool.fetch(Q["oidc_request_take"], state)
        for r in rows:
            if r["state"] == state and r["fresh"] and secrets.compare_digest(
                    r["browser"], digest(browser)):
                return dict(r)
        return None

    # --- personal tokens ------------------------------------------------------------------------
    async def create_token(self, actor: str, role: str, *, label: str | None,
                           expires_at: datetime | None, scopes: tuple[str, ...] = ()) -> str:
        token = secrets.token_urlsafe(32)
        await self.pool.execute(Q["token_insert_personal"], digest(token), actor, role,
                                expires_at, list(scopes), label)
        return token

    async def resolve_token(self, token: str) -> ResolvedToken | None:
        row = await self.pool.fetchrow(Q["token_resolve_full"], digest(token))
        if not row or row["disabled_at"] is not None:
            return None
        return ResolvedToken(row["actor"], row["role"], tuple(row["scopes"] or ()),
                             row["created_at"], row["expires_at"], row["printed_name"])

    async def tokens(self, actor: str) -> list[dict[str, Any]]:
        return [dict(r) for r in await self.pool.fetch(Q["token_list_own"], actor)]

    async def revoke_token(self, actor: str, token_id: str) -> dict[str, Any] | None:
        """Revoke the caller's own token whose id is `token_id` (12 hex digits)."""
        if len(token_id) != 12 or any(c not in "0123456789abcdef" for c in token_id):
            return None
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(Q["token_revoke_own"], actor, token_id + "%")
            if len(rows) > 1:
                raise LookupError(token_id)  # rolled back: never two at once
        return dict(rows[0]) if rows else None
