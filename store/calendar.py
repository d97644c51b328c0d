"""Calendar feeds: each person's secret feed URL (one live per person, role and scope),
revocable, and what a feed shows. Not a projection of the events: written by the API."""

import secrets
from typing import Any

import asyncpg

from .db import HERE, sql_file

Q = sql_file(HERE / "sql" / "calendar.sql")


class CalendarFeeds:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def current(self, actor: str, role: str, scope: str) -> dict[str, Any] | None:
        """The person's live feed of `scope`, if they have one."""
        row = await self.pool.fetchrow(Q["live_feed"], actor, role, scope)
        return dict(row) if row else None

    async def live(self, actor: str, role: str, scope: str) -> dict[str, Any]:
        """The person's live feed of `scope`, made on first asking."""
        row = await self.pool.fetchrow(Q["live_feed"], actor, role, scope)
        if row is not None:
            return dict(row)
        row = await self.pool.fetchrow(Q["insert_feed"], secrets.token_urlsafe(16), actor,
                                       role, scope)
        if row is None:  # made at the same moment by another request
            return dict(await self.pool.fetchrow(Q["live_feed"], actor, role, scope))
        return {**dict(row), "new": True}

    async def revoke(self, actor: str, role: str, scope: str | None = None) -> list[str]:
        """Revoke the person's live feeds (of `scope`, or all): the URLs stop at once."""
        return [r["scope"] for r in await self.pool.fetch(Q["revoke_feeds"], actor, role, scope)]

    async def serving(self, feed_id: str) -> dict[str, Any] | None:
        """The live feed `feed_id` and whom it serves, if it still serves."""
        row = await self.pool.fetchrow(Q["feed_by_id"], feed_id)
        return dict(row) if row else None

    async def open_deadlines(self, role: str | None, investigator: str | None
                             ) -> list[dict[str, Any]]:
        return [dict(r) for r in await self.pool.fetch(Q["open_deadlines"], role, investigator)]

    async def investigators(self, study_ids: list[str]) -> dict[str, str]:
        return {r["id"]: r["investigator"]
                for r in await self.pool.fetch(Q["study_investigators"], study_ids)}
