"""Faults on the real stack while commands flow, clients retrying with the same Idempotency-Key:
the worker killed (-9) twenty times, PostgreSQL stopped and started, the Temporal dev server
restarted on its database. After each: no event lost, none duplicated, every chain verifies,
every study in the state its accepted commands say."""

import asyncio
import contextlib
import json
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import httpx
import psutil

from domain import fold, parse_event, view
from stack import postgres
from tests.days import days_ago

from ..test_cli import CLI, ENV, Up, cli, wait_healthy
from ..walk import riph1_walk

TODAY = days_ago(0)
WALK = riph1_walk(TODAY)


class Client:
    """A client that retries every call with the same Idempotency-Key until it is answered."""

    def __init__(self, url: str, tokens: dict[str, str]) -> None:
        self.http = httpx.AsyncClient(base_url=url, timeout=90)
        self.tokens = tokens
        self.retries = 0
        self.unavailable = 0  # 503 answers seen

    async def call(self, path: str, body: dict[str, Any], role: str, key: str) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.tokens[role]}", "Idempotency-Key": key}
        for _ in range(600):
            try:
                r = await self.http.post(path, json=body, headers=headers)
                if r.status_code in (200, 201):
                    return r.json()
                assert r.status_code in (502, 503, 504), r.text  # never a 500, never a 409
                self.unavailable += r.status_code == 503
            except httpx.TransportError:
                pass
            self.retries += 1
            await asyncio.sleep(0.3)
        raise AssertionError(f"{path} {key} never answered")

    async def study(self, n: int) -> str:
        created = await self.call("/api/studies", {
            "title": f"Fault study {n}", "category": "RIPH1", "investigator": "Dr F",
            "reason": "fault test"}, "coordinator", f"create-{n}")
        sid = created["id"]
        for i, (role, body) in enumerate(WALK):
            await self.call(f"/api/studies/{sid}/commands", {**body, "reason": "fault test"},
                            role, f"{sid}-{i}")
        return sid


def start_worker(data_dir: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*CLI, "worker", "--data-dir", str(data_dir)], env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def check_everything(url: str, tokens: dict[str, str], data_dir: Path,
                           sids: list[str]) -> None:
    verify = cli("audit", "verify", data_dir=data_dir)
    assert "audit intact" in verify.stdout, verify.stdout
    dsn = json.loads((data_dir / "stack.json").read_text())["database_url"]
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        async with httpx.AsyncClient(base_url=url, timeout=60, headers={
                "Authorization": f"Bearer {tokens['coordinator']}"}) as http:
            for sid in sids:
                rows = await conn.fetch("SELECT type, data FROM events WHERE stream_id = $1 "
                                        "ORDER BY version", sid)
                types = [r["type"] for r in rows]
                # every accepted command's events, once each
                for once in ("StudyCreated", "ProtocolSubmitted", "SponsorAssigned",
                             "InsuranceRecorded", "EthicsSubmitted", "AnsmSubmitted",
                             "EthicsOpinionRecorded", "CnilRecorded", "AnsmDecisionRecorded"):
                    assert types.count(once) == 1, (sid, once, types)
                state = fold(None, (parse_event(r["type"], json.loads(r["data"])
                                                if isinstance(r["data"], str) else r["data"])
                                    for r in rows))
                assert state is not None and state.status.value == "recruiting"
                stored = (await http.get(f"/api/studies/{sid}")).json()
                assert stored["version"] == len(rows) and stored["state"] == "recruiting"
                assert json.loads(json.dumps(view(state), default=str))["version"] == len(rows)
    finally:
        await conn.close()


async def test_the_stack_survives_worker_kills_a_database_stop_and_a_temporal_restart(
        tmp_path: Path):
    data_dir = tmp_path / "data"
    up = Up(data_dir, "--no-worker")
    url = up.info["web_url"]
    worker = start_worker(data_dir)
    temporal_again: subprocess.Popen[bytes] | None = None
    try:
        wait_healthy(url, 90)
        tokens = {role: cli("token", "create", "--actor", f"fault-{role}", "--role", role,
                            data_dir=data_dir).stdout.strip()
                  for role in ("investigator", "coordinator", "regulatory")}
        client = Client(url, tokens)
        sids: list[str] = []

        # 1. kill -9 the worker twenty times while six studies walk to recruitment
        kills = 0

        async def killer() -> None:
            nonlocal worker, kills
            for _ in range(20):
                await asyncio.sleep(1.0)
                worker.send_signal(signal.SIGKILL)
                worker.wait()
                kills += 1
                worker = start_worker(data_dir)

        results = await asyncio.gather(killer(), *(client.study(n) for n in range(6)))
        sids += results[1:]
        assert kills == 20
        await check_everything(url, tokens, data_dir, sids)


        # 2. stop PostgreSQL mid-run: the API answers 503 meanwhile, nothing is lost
        async def outage() -> None:
            await asyncio.sleep(1.0)
            postgres.stop(data_dir)
            async with httpx.AsyncClient(base_url=url, timeout=30) as http:
                r = await http.get("/api/studies", headers={
                    "Authorization": f"Bearer {tokens['coordinator']}"})
                assert r.status_code == 503, r.text
                assert (await http.get("/healthz")).status_code == 503
            await asyncio.sleep(3)
            postgres.start(data_dir)

        results = await asyncio.gather(outage(), *(client.study(n) for n in range(6, 9)))
        sids += results[1:]
        await check_everything(url, tokens, data_dir, sids)

        # 3. restart the Temporal dev server on its persisted database
        async def restart_temporal() -> None:
            nonlocal temporal_again
            await asyncio.sleep(1.0)
            [server] = [p for p in psutil.Process(up.proc.pid).children(recursive=True)
                        if p.name() == "temporal"]
            cmdline = server.cmdline()
            os.killpg(server.pid, signal.SIGTERM)
            for _ in range(300):  # gone, or a zombie its parent has not reaped yet
                with contextlib.suppress(psutil.NoSuchProcess):
                    if server.status() != psutil.STATUS_ZOMBIE:
                        await asyncio.sleep(0.1)
                        continue
                break
            temporal_again = subprocess.Popen(  # noqa: ASYNC220 - a server, left running
                cmdline, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True)

        results = await asyncio.gather(restart_temporal(),
                                       *(client.study(n) for n in range(9, 12)))
        sids += results[1:]
        await check_everything(url, tokens, data_dir, sids)
        assert len(set(sids)) == 12
        print(f"faults survived: 20 worker kills, a PostgreSQL outage, a Temporal restart; "
              f"{len(sids) * 10} commands, "
              f"{client.retries} client retries, {client.unavailable} answers 503")
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        if temporal_again is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(temporal_again.pid, signal.SIGTERM)
            temporal_again.wait(30)
        up.proc.send_signal(signal.SIGTERM)
        up.proc.wait(90)
        postgres.stop(data_dir)
