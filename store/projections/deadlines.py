"""The deadlines projection: every clock of every study, open or closed (written with the study
by `project_study`)."""

import asyncpg

from ..db import sql_beside

Q = sql_beside(__file__)


class Deadlines:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def gauges(self) -> dict[str, int]:
        """How many clocks are open, and how many of them are past their day (metrics)."""
        row = await self.pool.fetchrow(Q["deadline_gauges"])
        return {"open": row["open"], "overdue": row["overdue"]}

    @staticmethod
    async def clear(conn: asyncpg.Connection) -> None:
        await conn.execute(Q["clear_deadlines"])
