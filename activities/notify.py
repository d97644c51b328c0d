"""Notifications that reach people: urgent ones at once (e-mail over SMTP, a signed webhook),
routine ones gathered into one daily digest per person. The in-app notice is already written
with the events; these activities deliver it further. Retries come from the activity's retry
policy; a delivery already recorded is not sent again."""

import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from functools import partial
from typing import Any
from urllib.parse import unquote, urlparse

import aiosmtplib
import asyncpg
import httpx
from temporalio import activity

from activities import mail_text
from activities.models import DeliverInput, DigestResult
from settings import Settings
from store.projections import Notifications


class Mailer:
    """SMTP from SMTP_URL (smtp://user:password@host:port, smtps:// for TLS)."""

    def __init__(self, url: str, sender: str) -> None:
        self.url, self.sender = urlparse(url), sender

    async def send(self, to: str, subject: str, body: str) -> None:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = self.sender, to, subject
        msg.set_content(body)
        u = self.url
        await aiosmtplib.send(msg, hostname=u.hostname or "localhost", port=u.port or 25,
                              username=unquote(u.username) if u.username else None,
                              password=unquote(u.password) if u.password else None,
                              use_tls=u.scheme == "smtps", start_tls=False, timeout=30)


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class NotifyActivities:
    def __init__(self, notices: Notifications | asyncpg.Pool, settings: Settings) -> None:
        # a pool is still accepted: the activities then read through their own projection
        self.notices = notices if isinstance(notices, Notifications) else Notifications(notices)
        self.settings = settings
        smtp = settings.smtp_url.get_secret_value() if settings.smtp_url else None
        self.mailer = Mailer(smtp, settings.smtp_from) if smtp else None

    def deliverable(self, notifications: list[dict[str, Any]]) -> bool:
        """Whether `deliver` may have anything to send for these notices: e-mail when a mailer
        is set (a person without a digest gets even routine ones at once), the webhook for
        urgent ones. Nothing to send spares the study an activity per notifying command."""
        return bool(notifications) and (self.mailer is not None or (
            bool(self.settings.webhook_url) and any(n.get("urgent") for n in notifications)))

    async def _once(self, notification_id: int, recipient: str, channel: str,
                    send: Callable[[], Awaitable[None]]) -> bool:
        if await self.notices.delivered(notification_id, recipient, channel):
            return False
        await send()
        await self.notices.record_delivery(notification_id, recipient, channel)
        return True

    @activity.defn(name="deliver_notifications")
    async def deliver(self, inp: DeliverInput) -> int:
        """Urgent notices go out now to every recipient; routine ones now only to people who
        asked for no digest. Returns how many messages were sent."""
        sent = 0
        for n in await self.notices.of_append(inp.study_id, inp.seq):
            if self.mailer:
                for person in await self.notices.recipients(n):
                    if not person["email"] or (person["digest"] and not n["urgent"]):
                        continue
                    sent += await self._once(n["id"], person["actor"], "email",
                                             partial(self._mail, person["email"], n))
            if self.settings.webhook_url and n["urgent"]:
                sent += await self._once(n["id"], "webhook", "webhook",
                                         partial(self._webhook, n))
        return sent

    async def _mail(self, to: str, n: dict[str, Any]) -> None:
        assert self.mailer
        subject, body = mail_text.notice(n, self.settings.public_url, self.settings.language)
        await self.mailer.send(to, subject, body)

    async def _webhook(self, n: dict[str, Any]) -> None:
        assert self.settings.webhook_url
        body = json.dumps({k: n[k] for k in ("id", "study_id", "study_title", "role", "kind",
                                             "message", "urgent", "deadline", "seq")} | {
            "at": n["created_at"].isoformat()}, sort_keys=True).encode()
        secret = self.settings.webhook_secret.get_secret_value() if self.settings.webhook_secret \
            else ""
        async with httpx.AsyncClient(timeout=10) as http:
            r = await http.post(self.settings.webhook_url, content=body, headers={
                "Content-Type": "application/json", "X-StudyFlow-Signature": signature(secret, body)})
            r.raise_for_status()  # a failure is retried by the activity's retry policy

    @activity.defn(name="send_digests")
    async def send_digests(self) -> DigestResult:
        """One mail per person gathering the routine notices since their last digest."""
        mails = items = 0
        if not self.mailer:
            return DigestResult(mails=0, items=0)
        for person in await self.notices.digest_people():
            rows = await self.notices.digest_items(person)
            if not rows:
                continue
            subject, body = mail_text.digest(rows, self.settings.public_url,
                                             self.settings.language)
            await self.mailer.send(person["email"], subject, body)
            await self.notices.mark_digest(person["actor"], rows[-1]["id"])
            mails, items = mails + 1, items + len(rows)
        return DigestResult(mails=mails, items=items)
