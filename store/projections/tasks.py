"""The tasks projection: what each role must do on each study (written with the study by
`project_study`), and the inbox that adds the participants' tasks to it (domain/inbox.py)."""

from datetime import date
from typing import Any

import asyncpg

from domain import inbox

from ..db import sql_beside
from .participants import Participants

Q = sql_beside(__file__)


def _urgency(task: dict[str, Any]) -> tuple[int, bool, date, str, str]:
    """Overdue first (a task with no verdict before them, as PostgreSQL puts NULL first in a
    descending order), then by due date (none last), study, title."""
    overdue = task["overdue"]
    return (0 if overdue is None else 1 if overdue else 2, task["due_on"] is None,
            task["due_on"] or date.min, task["study_id"], task["title"])


class Tasks:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.participants = Participants(pool)

    async def for_role(self, role: str, limit: int = 200) -> list[dict[str, Any]]:
        """The role's inbox, most urgent first: the studies' tasks, and the participants' where
        the role has them."""
        out = [dict(r) for r in await self.pool.fetch(Q["study_tasks_for_role"], role, limit)]
        if inbox.has_participant_tasks(role):
            for study_id, study_title, p, today in await self.participants.for_tasks(limit):
                if (t := inbox.participant_task(p, today)) is not None:
                    out.append({"study_id": study_id, "study_title": study_title,
                                "kind": t.kind, "title": t.title, "due_on": t.due_on,
                                "deadline": None, "command": t.command,
                                "participant": t.participant, "overdue": t.overdue,
                                "title_key": t.title_key, "cause": t.cause})
            out.sort(key=_urgency)
        return out[:limit]

    @staticmethod
    async def clear(conn: asyncpg.Connection) -> None:
        await conn.execute(Q["clear_tasks"])
