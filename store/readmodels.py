"""What the API and the CLI read, in one object: the projections (store/projections/) and the
access tables (store/access.py). Each method says which one answers."""

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

import asyncpg

from .access import Access, token_hash
from .audit import audit_row
from .calendar import CalendarFeeds
from .chain import stored
from .db import q
from .eventstore import EventStore
from .models import Preferences
from .projections import Projections, Projector

__all__ = ["Projector", "ReadModels", "audit_row", "token_hash"]


class ReadModels:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.projections = Projections(pool)
        self.access = Access(pool)
        self.calendar = CalendarFeeds(pool)

    # --- studies ---------------------------------------------------------------------------------
    async def list_studies(self, *, state: str | None = None, category: str | None = None,
                           overdue: bool | None = None, q_text: str | None = None,
                           limit: int = 50, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
        return await self.projections.studies.list(state=state, category=category,
                                                   overdue=overdue, q_text=q_text, limit=limit,
                                                   offset=offset)

    async def counts_by_state(self) -> dict[str, int]:
        return await self.projections.studies.counts_by_state()

    async def get_study(self, study_id: str) -> dict[str, Any] | None:
        return await self.projections.studies.get(study_id)

    async def study_exists(self, study_id: str) -> bool:
        return await self.projections.studies.exists(study_id)

    async def study_events(self, study_id: str) -> list[dict[str, Any]]:
        """The study's audit trail (the event store, not a projection)."""
        return [audit_row(e) for e in await EventStore(self.pool).read_stream(study_id)]

    async def study_events_without(self, study_id: str,
                                   types: Collection[str]) -> list[dict[str, Any]]:
        """The study's audit trail less the events of `types`, in order: a study of 10,000
        participants has its own facts read, not every participant's."""
        return [audit_row(stored(r)) for r in await self.pool.fetch(
            q("read_stream_without"), study_id, sorted(types))]

    async def latest_study_events(self, study_id: str, limit: int,
                                  without: Collection[str] = ()) -> list[dict[str, Any]]:
        """The study's latest `limit` events, newest first (less those of `without`)."""
        return [audit_row(stored(r)) for r in await self.pool.fetch(
            q("read_stream_latest"), study_id, sorted(without), limit)]

    # --- participants, inbox, notifications ----------------------------------------------------
    async def participants(self, study_id: str, status: str | None = None, after: str = "",
                           limit: int | None = None) -> list[dict[str, Any]]:
        return await self.projections.participants.of_study(study_id, status, after, limit)

    async def tasks_for_role(self, role: str, limit: int = 200) -> list[dict[str, Any]]:
        return await self.projections.tasks.for_role(role, limit)

    async def notifications(self, role: str | None = None, study_id: str | None = None,
                            limit: int = 200) -> list[dict[str, Any]]:
        return await self.projections.notifications.recent(role, study_id, limit)

    # --- the portfolio: reports, a study's recruitment (store/projections/portfolio.py) ---------
    async def portfolio(self, since: date) -> dict[str, Any]:
        return await self.projections.portfolio.report(since)

    async def recruitment_facts(self, study_id: str) -> list[Any]:
        return await self.projections.portfolio.recruitment_facts(study_id)

    # --- recovery --------------------------------------------------------------------------------
    async def rebuild(self, project: Projector) -> int:
        return await self.projections.rebuild(project)

    # --- tokens, people, HTTP idempotency -------------------------------------------------------
    async def create_token(self, actor: str, role: str,
                           expires_at: datetime | None = None) -> str:
        return await self.access.create_token(actor, role, expires_at)

    async def resolve_token(self, token: str) -> tuple[str, str] | None:
        return await self.access.resolve_token(token)

    async def revoke_token(self, token: str) -> bool:
        return await self.access.revoke_token(token)

    async def person(self, actor: str) -> dict[str, Any] | None:
        return await self.access.person(actor)

    async def set_person(self, actor: str, role: str, prefs: Preferences) -> dict[str, Any]:
        return await self.access.set_person(actor, role, prefs)

    async def stored_answer(self, actor: str, key: str) -> tuple[int, Any] | None:
        return await self.access.stored_answer(actor, key)

    async def stored_answers(self, actor: str, keys: list[str]) -> dict[str, tuple[int, Any]]:
        return await self.access.stored_answers(actor, keys)

    async def store_answer(self, actor: str, key: str, status: int, body: Any) -> None:
        await self.access.store_answer(actor, key, status, body)
