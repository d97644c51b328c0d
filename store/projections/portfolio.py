"""The unit's portfolio reports, computed in SQL from the read models: studies per state and
category, the CPP's and the ANSM's decision times, clocks met and missed per month and role,
inclusions per month; and what a study's recruitment curve reads of its participants."""

from datetime import date
from typing import Any

import asyncpg

from ..db import sql_beside

Q = sql_beside(__file__)


def _days(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


class Portfolio:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def report(self, since: date) -> dict[str, Any]:
        """Every figure of the portfolio, the monthly ones from the month of `since`, in one
        connection (a consistent read of the read models)."""
        async with self.pool.acquire() as conn, conn.transaction(isolation="repeatable_read",
                                                                 readonly=True):
            studies = await conn.fetch(Q["studies_by_state_category"])
            cpp = await conn.fetch(Q["cpp_decision_times"])
            ansm = await conn.fetch(Q["ansm_decision_times"])
            clocks = await conn.fetch(Q["clocks_by_month"], since)
            inclusions = await conn.fetch(Q["inclusions_by_month"], since)
        return {
            "studies": [dict(r) for r in studies],
            "cpp": [{**dict(r), "median_days": _days(r["median_days"]),
                     "p90_days": _days(r["p90_days"])} for r in cpp],
            "ansm": [{**dict(r), "median_days": _days(r["median_days"]),
                      "p90_days": _days(r["p90_days"])} for r in ansm],
            "clocks": [dict(r) for r in clocks],
            "inclusions": [dict(r) for r in inclusions],
        }

    async def recruitment_facts(self, study_id: str) -> list[asyncpg.Record]:
        return await self.pool.fetch(Q["recruitment_facts"], study_id)
