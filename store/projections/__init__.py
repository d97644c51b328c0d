"""The read models, one projection per table (a module and its `.sql` file each). Every append
writes them in its own transaction (the `append_batch` and `project_study` functions of the
migrations); `Projections.rebuild` writes them again from the events alone."""

from collections.abc import Callable
from typing import Any

import asyncpg

from ..chain import as_stored_json, stored
from ..db import q
from .deadlines import Deadlines
from .notifications import Notifications
from .participants import Participants
from .portfolio import Portfolio
from .studies import Studies
from .tasks import Tasks

# (type, data) of a study's events -> its view and its participants' views (domain.project)
Projector = Callable[[list[tuple[str, dict[str, Any]]]], tuple[dict[str, Any],
                                                               list[dict[str, Any]]]]

__all__ = ["Deadlines", "Notifications", "Participants", "Portfolio", "Projections", "Projector",
           "Studies", "Tasks"]


class Projections:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.studies = Studies(pool)
        self.deadlines = Deadlines(pool)
        self.tasks = Tasks(pool)
        self.participants = Participants(pool)
        self.notifications = Notifications(pool)
        self.portfolio = Portfolio(pool)

    async def rebuild(self, project: Projector) -> int:
        """Rebuild studies, deadlines, tasks and participants from the events alone, in one
        transaction (readers see the old tables until it commits). `project` folds a study's
        events into its view and its participants' views, as the workflow does. Notifications
        are what was sent: they stay."""
        async with self.pool.acquire() as conn, conn.transaction():
            for clear in (Tasks.clear, Participants.clear, Deadlines.clear, Studies.clear):
                await clear(conn)
            streams = [r["stream_id"] for r in await conn.fetch(q("study_streams"))]
            for sid in streams:
                events = [stored(r) for r in await conn.fetch(q("read_stream"), sid)]
                study, participants = project([(e.type, e.data) for e in events])
                await Studies.project(conn, as_stored_json(study), events[0].recorded_at,
                                      events[-1].recorded_at)
                if participants:
                    await Participants.upsert(conn, sid, as_stored_json(participants))
        return len(streams)
