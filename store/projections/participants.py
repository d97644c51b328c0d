"""The participants projection: each participant's view (pseudonymous code, status, consent),
upserted with the events that change it."""

from datetime import date
from typing import Any

import asyncpg

from domain import inbox
from domain.state import Participant

from ..db import sql_beside

Q = sql_beside(__file__)


def _participant(view: dict[str, Any]) -> Participant:
    """A stored view as the domain's participant; a field a later version dropped is ignored
    (the view was written by the code of its day)."""
    return Participant.model_validate({k: v for k, v in view.items()
                                       if k in Participant.model_fields})


class Participants:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def of_study(self, study_id: str, status: str | None = None, after: str = "",
                       limit: int | None = None) -> list[dict[str, Any]]:
        """Views in code order: all of them, or a page (by status, after a code)."""
        if status is None and limit is None and not after:
            return [r["view"] for r in await self.pool.fetch(Q["participants"], study_id)]
        return [r["view"] for r in await self.pool.fetch(Q["participants_page"], study_id,
                                                          status, after, limit or 100_000)]

    async def for_tasks(self, limit: int) -> list[tuple[str, str, Participant, date]]:
        """(study id, study title, participant, the database's today) of the participants who
        may need a task (domain/inbox.py's statuses and horizon), earliest majority first."""
        rows = await self.pool.fetch(
            Q["participants_for_tasks"], [s.value for s in inbox.RECONSENT_STATUSES],
            inbox.MINOR_CONSENT_BY.value, [s.value for s in inbox.MINOR_ACTIVE_STATUSES],
            inbox.MAJORITY_HORIZON_DAYS, limit)
        return [(r["study_id"], r["study_title"], _participant(r["view"]), r["today"])
                for r in rows]

    # --- rebuild, inside the caller's transaction ----------------------------------------------
    @staticmethod
    async def upsert(conn: asyncpg.Connection, study_id: str,
                     views: list[dict[str, Any]]) -> None:
        await conn.execute(Q["upsert_participants"], study_id, views)

    @staticmethod
    async def clear(conn: asyncpg.Connection) -> None:
        await conn.execute(Q["clear_participants"])
