"""The studies projection: one row per study with its view, for the dashboard and the API."""

from datetime import datetime
from typing import Any

import asyncpg

from ..db import sql_beside

Q = sql_beside(__file__)


class Studies:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def list(self, *, state: str | None = None, category: str | None = None,
                   overdue: bool | None = None, q_text: str | None = None, limit: int = 50,
                   offset: int = 0) -> tuple[list[dict[str, Any]], int]:
        """A page of studies, most urgent first, and how many match the filters."""
        rows = await self.pool.fetch(Q["list_studies"], state, category, overdue, q_text,
                                     limit, offset)
        total = await self.pool.fetchval(Q["count_studies"], state, category, overdue, q_text)
        return [dict(r) for r in rows], total

    async def counts_by_state(self) -> dict[str, int]:
        return {r["state"]: r["n"] for r in await self.pool.fetch(Q["count_by_state"])}

    async def get(self, study_id: str) -> dict[str, Any] | None:
        view: dict[str, Any] | None = await self.pool.fetchval(Q["get_study"], study_id)
        return view

    async def exists(self, study_id: str) -> bool:
        return bool(await self.pool.fetchval(Q["study_exists"], study_id))

    # --- rebuild, inside the caller's transaction ----------------------------------------------
    @staticmethod
    async def project(conn: asyncpg.Connection, view: dict[str, Any], created_at: datetime,
                      updated_at: datetime) -> None:
        """A study's row, with its deadlines and tasks (the `project_study` function writes
        all three, as each append does)."""
        await conn.execute(Q["project_study"], view, updated_at)
        await conn.execute(Q["set_study_created_at"], view["id"], created_at)

    @staticmethod
    async def clear(conn: asyncpg.Connection) -> None:
        await conn.execute(Q["clear_studies"])
