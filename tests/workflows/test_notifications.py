"""Notifications reach people: urgent ones at once by e-mail (a real SMTP server, in process) and
by a signed webhook; routine ones in one daily digest per person, from the digest workflow."""

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from activities.models import DeliverInput, DigestResult
from activities.notify import NotifyActivities, signature
from settings import Settings
from store import Preferences, ReadModels
from workflows.daily import DigestWorkflow

SECRET = "webhook-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """What the SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        msg = message_from_bytes(envelope.content, _class=EmailMessage, policy=policy.default)
        for rcpt in envelope.rcpt_tos:
            msg["X-Rcpt"] = rcpt
        self.messages.append(msg)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


class Hooks(list[tuple[bytes, str]]):
    """What the webhook receiver received: (body, signature header)."""


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture(scope="module")
def webhook() -> Iterator[tuple[Hooks, str]]:
    hooks = Hooks()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            hooks.append((body, self.headers["X-StudyFlow-Signature"]))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield hooks, f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


@pytest.fixture
def notify_settings(smtp: tuple[Inbox, int], webhook: tuple[Hooks, str]) -> Settings:
    return Settings(SMTP_URL=f"smtp://127.0.0.1:{smtp[1]}", SMTP_FROM="studyflow@chu.test",  # type: ignore[call-arg]
                    WEBHOOK_URL=webhook[1], WEBHOOK_SECRET=SECRET)


@pytest.fixture(autouse=True)
def empty(smtp: tuple[Inbox, int], webhook: tuple[Hooks, str]) -> None:
    smtp[0].messages.clear()
    webhook[0].clear()


async def people(read: ReadModels) -> None:
    await read.set_person("carol", "coordinator", Preferences(email="carol@chu.test"))
    await read.set_person("rita", "regulatory", Preferences(email="rita@chu.test", digest=False))
    await read.set_person("Dr Martin", "investigator", Preferences(email="martin@chu.test"))
    await read.set_person("Dr Other", "investigator", Preferences(email="other@chu.test"))
    await read.set_person("nomail", "coordinator", Preferences(email=None))


async def eventually(check: Any, seconds: float = 20) -> None:
    end = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < end, "notifications were not delivered in time"
        await asyncio.sleep(0.1)


async def test_urgent_notices_go_at_once_to_the_people_holding_the_role(
        harness, smtp, webhook, read_models, pool):
    inbox, hooks = smtp[0], webhook[0]
    await people(read_models)
    sid = await harness.create()
    today = await harness.today()
    await harness.walk(sid, until="submit_to_ansm", on=today)
    await harness.skip(70)  # past the CPP's clocks: reminders, escalations, tacit rejection
    assert (await harness.query(sid))["state"] == "rejected"

    rows = [dict(r) for r in await pool.fetch(
        "SELECT id, role, urgent, message FROM notifications WHERE study_id = $1", sid)]
    urgent = [r for r in rows if r["urgent"]]
    assert urgent and any(not r["urgent"] for r in rows)
    want = {"carol@chu.test": [r for r in urgent if r["role"] == "coordinator"],
            "rita@chu.test": [r for r in rows if r["role"] == "regulatory"],  # no digest: all
            "martin@chu.test": [r for r in urgent if r["role"] == "investigator"]}
    await eventually(lambda: all(len(inbox.to(a)) >= len(w) for a, w in want.items())
                     and len(hooks) >= len(urgent))
    await asyncio.sleep(0.5)  # nothing more arrives
    for address, wanted in want.items():
        got = inbox.to(address)
        assert sorted(m.get_content().splitlines()[0] for m in got) == sorted(
            r["message"] for r in wanted), address
    assert all("URGENT" in m["Subject"] for m in inbox.to("carol@chu.test"))
    assert inbox.to("other@chu.test") == []  # not this study's investigator
    assert len(inbox.messages) == sum(len(w) for w in want.values())

    assert len(hooks) == len(urgent)
    for body, sig in hooks:
        assert sig == signature(SECRET, body)
        payload = json.loads(body)
        assert payload["study_id"] == sid and payload["urgent"] is True
    assert sorted(json.loads(b)["id"] for b, _ in hooks) == sorted(r["id"] for r in urgent)


async def test_a_delivery_is_sent_once_even_when_the_activity_runs_again(
        harness, smtp, webhook, read_models, pool, notify_settings):
    inbox = smtp[0]
    await people(read_models)
    sid = await harness.create()
    await harness.walk(sid, until="submit_to_ansm", on=await harness.today())
    await harness.skip(70)
    seq = await pool.fetchval("SELECT max(seq) FROM notifications WHERE study_id = $1 AND urgent",
                              sid)
    await eventually(lambda: len(webhook[0]) > 0)
    await asyncio.sleep(0.5)
    before = len(inbox.messages), len(webhook[0])
    again = await NotifyActivities(pool, notify_settings).deliver(DeliverInput(study_id=sid, seq=seq))
    assert again == 0
    assert (len(inbox.messages), len(webhook[0])) == before


async def test_routine_notices_come_in_one_daily_digest_per_person(
        harness, smtp, read_models, pool):
    inbox = smtp[0]
    await people(read_models)
    first, second = await harness.create(), await harness.create()
    for sid in (first, second):
        await harness.walk(sid, until="submit_to_ansm", on=await harness.today())
    await harness.skip(70)
    routine = [dict(r) for r in await pool.fetch(
        "SELECT role, message FROM notifications WHERE NOT urgent AND study_id = ANY($1)",
        [first, second])]
    await eventually(lambda: len(inbox.to("rita@chu.test")) > 0)
    await asyncio.sleep(0.5)
    inbox.messages.clear()

    result = await harness.client.execute_workflow(
        DigestWorkflow.run, id=f"digest-{first}", task_queue=harness.task_queue,
        result_type=DigestResult)
    carol, martin = inbox.to("carol@chu.test"), inbox.to("martin@chu.test")
    assert len(carol) == 1 and len(martin) == 1  # one mail each, however many notices
    assert inbox.to("rita@chu.test") == []  # she asked for no digest and had them at once
    for mail, role in ((carol[0], "coordinator"), (martin[0], "investigator")):
        body = mail.get_content()
        mine = [r["message"] for r in routine if r["role"] == role]
        assert mine and all(m in body for m in mine)
        assert f"{len(body.splitlines())} notice" in mail["Subject"]
    assert result.mails == len(inbox.messages)

    again = await harness.client.execute_workflow(
        DigestWorkflow.run, id=f"digest-again-{first}", task_queue=harness.task_queue,
        result_type=DigestResult)
    assert again == DigestResult(mails=0, items=0)  # nothing new since the last digest
