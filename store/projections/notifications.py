"""The notifications projection: the in-app notices written with the events, what was delivered
of them on other channels, and to whom they go (domain/inbox.py decides who receives)."""

from typing import Any

import asyncpg

from domain import inbox

from ..db import sql_beside

Q = sql_beside(__file__)


class Notifications:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def recent(self, role: str | None = None, study_id: str | None = None,
                     limit: int = 200) -> list[dict[str, Any]]:
        return [dict(r) for r in await self.pool.fetch(Q["notifications"], role, study_id,
                                                       limit)]

    async def of_append(self, study_id: str, seq: int) -> list[dict[str, Any]]:
        """The notices one append wrote (its last event's seq), with the study's title and
        investigator."""
        return [dict(r) for r in await self.pool.fetch(Q["undelivered_notifications"],
                                                       study_id, seq)]

    async def recipients(self, notice: dict[str, Any]) -> list[dict[str, Any]]:
        """The people who receive a notice of `of_append`: actor, role, email, digest."""
        named = inbox.named_recipient(notice["role"], notice["investigator"])
        return [dict(r) for r in await self.pool.fetch(Q["people_with_role"], notice["role"],
                                                       named)]

    async def delivered(self, notification_id: int, recipient: str, channel: str) -> bool:
        return bool(await self.pool.fetchval(Q["delivered"], notification_id, recipient,
                                             channel))

    async def record_delivery(self, notification_id: int, recipient: str, channel: str) -> None:
        await self.pool.execute(Q["record_delivery"], notification_id, recipient, channel)

    async def digest_people(self) -> list[dict[str, Any]]:
        """People who want routine notices in a daily digest and have an address."""
        return [dict(r) for r in await self.pool.fetch(Q["digest_people"])]

    async def digest_items(self, person: dict[str, Any]) -> list[dict[str, Any]]:
        """The routine notices a person receives, since their last digest, oldest first."""
        # a role the study names: only the studies that name this person
        named = inbox.named_recipient(person["role"], person["actor"])
        return [dict(r) for r in await self.pool.fetch(Q["digest_items"], person["last_digest"],
                                                       person["role"], named)]

    async def mark_digest(self, actor: str, last_id: int) -> None:
        await self.pool.execute(Q["mark_digest"], actor, last_id)

    async def inbox(self, actor: str, role: str, limit: int = 100,
                    before: int | None = None) -> list[dict[str, Any]]:
        """The notices a person receives, newest first (older than notice `before` when
        given: the next page), with `read` for them."""
        named = inbox.named_recipient(role, actor)
        return [dict(r) for r in await self.pool.fetch(Q["inbox_notices"], role, named, actor,
                                                       limit, before)]

    async def unread(self, actor: str, role: str) -> int:
        """How many of the person's latest notices they have not read (the header's count)."""
        named = inbox.named_recipient(role, actor)
        return int(await self.pool.fetchval(Q["unread_count"], role, named, actor))

    async def mark_read(self, notification_id: int, actor: str) -> None:
        await self.pool.execute(Q["record_delivery"], notification_id, actor, "read")

    async def mark_all_read(self, actor: str, role: str) -> int:
        """Every notice the header counts (`unread`'s window) read by the person: how many
        were not yet."""
        named = inbox.named_recipient(role, actor)
        status = await self.pool.execute(Q["mark_all_read"], role, named, actor)
        return int(status.rsplit(" ", 1)[-1])

    async def counts(self) -> dict[str, Any]:
        """For the metrics: reminders sent in-app, deliveries by channel."""
        return {"reminders": await self.pool.fetchval(Q["reminder_count"]),
                "delivered": {r["channel"]: r["n"]
                              for r in await self.pool.fetch(Q["deliveries_by_channel"])}}
