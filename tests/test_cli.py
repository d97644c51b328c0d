"""The `studyflow` command as a user runs it: real processes, real servers."""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from stack.temporal import free_port

CLI = [sys.executable, "-m", "cli.main"]
ENV = {k: v for k, v in os.environ.items() if k not in ("TEMPORAL_ADDRESS", "DATABASE_URL")}


def cli(*args: str, data_dir: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args, "--data-dir", str(data_dir)], capture_output=True,
                          text=True, timeout=120, env=ENV, check=check)


def wait_healthy(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} never became healthy")


class Up:
    def __init__(self, data_dir: Path, *extra: str) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.proc = subprocess.Popen(
            [*CLI, "up", "--data-dir", str(data_dir), "--port", str(self.port), "--no-ui",
             *extra], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while not (data_dir / "stack.json").exists():
            assert self.proc.poll() is None, self.proc.stdout.read().decode()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "stack.json never appeared"
            time.sleep(0.2)
        self.info = json.loads((data_dir / "stack.json").read_text())

    def stop(self) -> list[psutil.Process]:
        children = psutil.Process(self.proc.pid).children(recursive=True)
        self.proc.send_signal(signal.SIGTERM)
        assert self.proc.wait(60) == 0
        return children


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "data"
    subprocess.run([sys.executable, "-c", "from pathlib import Path; import sys; "
                    "from stack import postgres; postgres.stop(Path(sys.argv[1]))",
                    str(tmp_path / "data")], env=ENV, check=False, capture_output=True)


def test_up_serves_stops_cleanly_and_a_restart_finds_every_study(data_dir: Path):
    up = Up(data_dir)
    info = up.info
    assert set(info) == {"web_url", "temporal_address", "temporal_namespace",
                         "temporal_ui_url", "database_url"}
    wait_healthy(info["web_url"])
    token = cli("token", "create", "--actor", "alice", "--role", "coordinator",
                data_dir=data_dir).stdout
    assert len(token.strip().splitlines()) == 1
    auth = {"Authorization": f"Bearer {token.strip()}"}
    r = httpx.post(info["web_url"] + "/api/studies", headers=auth, timeout=60, json={
        "title": "Survives restarts", "category": "NON_RIPH", "investigator": "Dr A",
        "reason": "new"})
    assert r.status_code == 201
    sid = r.json()["id"]
    children = up.stop()
    assert children, "the stack should have started server processes"
    time.sleep(0.5)
    assert not [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    assert not (data_dir / "stack.json").exists()

    up = Up(data_dir)
    wait_healthy(up.info["web_url"])
    r = httpx.post(f"{up.info['web_url']}/api/studies/{sid}/commands", headers=auth, timeout=60,
                   json={"type": "submit_protocol", "version": "1", "document_sha256": "a" * 64,
                         "reason": "after restart"})
    assert r.status_code == 200  # investigator or coordinator may submit the protocol
    r = httpx.post(f"{up.info['web_url']}/api/studies/{sid}/commands", headers=auth, timeout=60,
                   json={"type": "record_cnil", "route": "MR-004", "reference": "R",
                         "reason": "after restart"})
    assert r.status_code == 200 and r.json()["state"] == "ready"
    verify = cli("audit", "verify", data_dir=data_dir)
    assert "audit intact: 5 events" in verify.stdout
    exported = cli("audit", "export", "--study", sid, "--format", "csv", data_dir=data_dir)
    assert exported.stdout.splitlines()[0].startswith("seq,") and sid in exported.stdout
    tok = ("--token", token.strip())
    cli("preferences", "set", "--email", "alice@chu.test", "--no-digest", *tok, data_dir=data_dir)
    shown = json.loads(cli("preferences", "show", *tok, data_dir=data_dir).stdout)
    assert shown == {"actor": "alice", "role": "coordinator", "email": "alice@chu.test",
                     "digest": False}
    bad = cli("preferences", "set", "--email", "nope", *tok, data_dir=data_dir, check=False)
    assert bad.returncode != 0 and "422" in bad.stderr and "Traceback" not in bad.stderr
    up.stop()


def test_up_without_worker_then_a_separate_worker(data_dir: Path):
    up = Up(data_dir, "--no-worker")
    url = up.info["web_url"]
    assert httpx.get(url + "/healthz", timeout=10).status_code == 503
    worker = subprocess.Popen([*CLI, "worker", "--data-dir", str(data_dir)], env=ENV,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_healthy(url)
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(60) == 0
        up.stop()


def test_user_errors_exit_non_zero_without_a_traceback(data_dir: Path):
    r = cli("token", "create", "--actor", "a", "--role", "superuser", data_dir=data_dir,
            check=False)
    assert r.returncode != 0 and "unknown role" in r.stderr and "Traceback" not in r.stderr
    r = cli("study", "list", data_dir=data_dir, check=False)
    assert r.returncode != 0 and "no running stack" in r.stderr
