"""What the API and the CLI read: studies, their audit trail, participants, inboxes, tokens,
stored HTTP answers. Every query is in sql/queries.sql."""

import hashlib
import json
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

import asyncpg

from .db import q
from .eventstore import canonical, stored, timestamp
from .models import Preferences


def audit_row(row: asyncpg.Record) -> dict[str, Any]:
    """An event as the contract shows it (GET /api/studies/{id}/events)."""
    e = stored(row)
    return {"seq": e.seq, "study_id": e.stream_id, "version": e.version, "type": e.type,
            "actor": e.actor, "role": e.role, "at": timestamp(e.recorded_at),
            "reason": e.reason, "data": e.data, "prev_hash": e.prev_hash, "hash": e.hash}


# (type, data) of a study's events -> its view and its participants' views (domain.project)
Projector = Callable[[list[tuple[str, dict[str, Any]]]], tuple[dict[str, Any],
                                                               list[dict[str, Any]]]]


def _canonical(value: Any) -> Any:
    """As the append path stores it (store.eventstore._json): canonical JSON, dates as text."""
    return json.loads(canonical(value))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ReadModels:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def list_studies(self, *, state: str | None = None, category: str | None = None,
                           overdue: bool | None = None, q_text: str | None = None,
                           limit: int = 50, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
        rows = await self.pool.fetch(q("list_studies"), state, category, overdue, q_text,
                                     limit, offset)
        total = await self.pool.fetchval(q("count_studies"), state, category, overdue, q_text)
        return [dict(r) for r in rows], total

    async def counts_by_state(self) -> dict[str, int]:
        return {r["state"]: r["n"] for r in await self.pool.fetch(q("count_by_state"))}

    async def get_study(self, study_id: str) -> dict[str, Any] | None:
        return await self.pool.fetchval(q("get_study"), study_id)

    async def study_exists(self, study_id: str) -> bool:
        return bool(await self.pool.fetchval(q("study_exists"), study_id))

    async def study_events(self, study_id: str) -> list[dict[str, Any]]:
        return [audit_row(r) for r in await self.pool.fetch(q("read_stream"), study_id)]

    async def participants(self, study_id: str, status: str | None = None, after: str = "",
                           limit: int | None = None) -> list[dict[str, Any]]:
        if status is None and limit is None and not after:
            return [r["view"] for r in await self.pool.fetch(q("participants"), study_id)]
        return [r["view"] for r in await self.pool.fetch(q("participants_page"), study_id,
                                                          status, after, limit or 100_000)]


    async def tasks_for_role(self, role: str, limit: int = 200) -> list[dict[str, Any]]:
        return [dict(r) for r in await self.pool.fetch(q("tasks_for_role"), role, limit)]

    async def notifications(self, role: str | None = None, study_id: str | None = None,
                            limit: int = 200) -> list[dict[str, Any]]:
        return [dict(r) for r in await self.pool.fetch(q("notifications"), role, study_id,
                                                       limit)]

    # --- recovery --------------------------------------------------------------------------------
    async def rebuild(self, project: Projector) -> int:
        """Rebuild studies, deadlines, tasks and participants from the events alone, in one
        transaction (readers see the old tables until it commits). `project` folds a study's
        events into its view and its participants' views, as the workflow does."""
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(q("clear_read_models"))
            streams = [r["stream_id"] for r in await conn.fetch(q("study_streams"))]
            for sid in streams:
                events = [stored(r) for r in await conn.fetch(q("read_stream"), sid)]
                study, participants = project([(e.type, e.data) for e in events])
                await conn.execute(q("project_study"), _canonical(study), events[-1].recorded_at)
                await conn.execute(q("set_study_created_at"), sid, events[0].recorded_at)
                if participants:
                    await conn.execute(q("upsert_participants"), sid, _canonical(participants))
        return len(streams)

    # --- tokens -----------------------------------------------------------------------------
    async def create_token(self, actor: str, role: str,
                           expires_at: datetime | None = None) -> str:
        token = secrets.token_urlsafe(32)
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(q("insert_token"), token_hash(token), actor, role, expires_at)
            await conn.execute(q("ensure_person"), actor, role)
        return token

    async def resolve_token(self, token: str) -> tuple[str, str] | None:
        row = await self.pool.fetchrow(q("resolve_token"), token_hash(token))
        return (row["actor"], row["role"]) if row else None

    async def revoke_token(self, token: str) -> bool:
        return (await self.pool.execute(q("revoke_token"), token_hash(token))) != "UPDATE 0"

    # --- people and their notification preferences ---------------------------------------------
    async def person(self, actor: str) -> dict[str, Any] | None:
        row = await self.pool.fetchrow(q("get_person"), actor)
        return dict(row) if row else None

    async def set_person(self, actor: str, role: str, prefs: Preferences) -> dict[str, Any]:
        return dict(await self.pool.fetchrow(q("upsert_person"), actor, role, prefs.email,
                                             prefs.digest))

    # --- HTTP idempotency ----------------------------------------------------------------------
    async def stored_answer(self, actor: str, key: str) -> tuple[int, Any] | None:
        row = await self.pool.fetchrow(q("get_idempotent"), actor, key)
        return (row["status"], row["body"]) if row else None

    async def stored_answers(self, actor: str, keys: list[str]) -> dict[str, tuple[int, Any]]:
        rows = await self.pool.fetch(q("get_idempotent_many"), actor, keys)
        return {r["key"]: (r["status"], r["body"]) for r in rows}

    async def store_answers(self, actor: str, answers: list[tuple[str, int, Any]]) -> None:
        await self.pool.executemany(q("put_idempotent"), [
            (actor, key, status, json.loads(json.dumps(body, default=str)))
            for key, status, body in answers])

    async def store_answer(self, actor: str, key: str, status: int, body: Any) -> None:
        await self.pool.execute(q("put_idempotent"), actor, key, status,
                                json.loads(json.dumps(body, default=str)))
