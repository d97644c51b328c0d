"""Helpers shared by the benchmarks: percentiles and a throwaway embedded stack."""

import asyncio
import compileall
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psutil


def pct(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summary(name: str, latencies_ms: Sequence[float]) -> str:
    return (f"{name:<28} p50 {pct(latencies_ms, 50):7.1f} ms   p99 {pct(latencies_ms, 99):7.1f} ms"
            f"   mean {statistics.fmean(latencies_ms):7.1f} ms   n={len(latencies_ms)}")


async def rate(n: int, concurrency: int, one: Callable[[], Awaitable[None]]) -> float:
    """Runs per second of `n` runs of `one`, `concurrency` at a time."""
    sem = asyncio.Semaphore(concurrency)

    async def guarded() -> None:
        async with sem:
            await one()

    t0 = time.perf_counter()
    await asyncio.gather(*(guarded() for _ in range(n)))
    return n / (time.perf_counter() - t0)


class Stack:
    """The embedded stack as production runs it: `studyflow up --no-worker` (web app, servers)
    and `studyflow worker` processes, or with `workers=0` the one-process `studyflow up` (web
    app and worker together); tokens per role; optionally the bare floor's worker (`bare`),
    with `bare_drives` driving its own load in its process (bench/bare.py --drive)."""

    ROLES = ("investigator", "coordinator", "regulatory")

    def __init__(self, workers: int = 1, bare: bool = False, bare_drives: bool = False) -> None:
        self.root = Path(__file__).resolve().parent.parent
        self.data_dir = Path(tempfile.mkdtemp(prefix="studyflow-bench-"))
        self.cli = [sys.executable, "-m", "cli.main"]
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("TEMPORAL_ADDRESS", "DATABASE_URL")}
        self.n_workers, self.with_bare, self.bare_drives = workers, bare, bare_drives
        self.workers: list[psutil.Popen] = []
        self.bare_worker: subprocess.Popen[bytes] | None = None
        self.info: dict[str, Any] = {}
        self.tokens: dict[str, str] = {}

    def start_worker(self) -> "psutil.Popen":
        import psutil

        worker = psutil.Popen([*self.cli, "worker", "--data-dir", str(self.data_dir)],
                              cwd=self.root, env={**self.env, "LOG_FORMAT": "json"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.workers.append(worker)
        return worker

    async def __aenter__(self) -> "Stack":
        # as installed in production (pip compiles a wheel's modules): the workflow sandbox
        # imports the workflow's module afresh for each study it loads, from its bytecode
        compileall.compile_dir(self.root / "workflows", quiet=1)
        self.up = subprocess.Popen([*self.cli, "up", "--data-dir", str(self.data_dir), "--port",
                                    "0", "--no-ui", *(["--no-worker"] if self.n_workers else [])],
                                   cwd=self.root,
                                   env={**self.env, "LOG_FORMAT": "json"},
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while not (self.data_dir / "stack.json").exists():
            if self.up.poll() is not None:
                raise SystemExit("studyflow up failed")
            await asyncio.sleep(0.2)
        self.info = json.loads((self.data_dir / "stack.json").read_text())
        for _ in range(self.n_workers):
            self.start_worker()
        self.tokens = {role: subprocess.run(
            [*self.cli, "token", "create", "--actor", f"bench-{role}", "--role", role,
             "--data-dir", str(self.data_dir)], cwd=self.root, env=self.env,
            capture_output=True, text=True, check=True).stdout.strip() for role in self.ROLES}
        if self.with_bare:
            from store import APP_ROLE

            self.bare_worker = bare = subprocess.Popen(
                [sys.executable, str(self.root / "bench" / "bare.py"),
                 self.info["temporal_address"],
                 # the floor creates its own table: the embedded server's owner, not the app role
                 self.info["database_url"].replace(f"{APP_ROLE}@", "postgres@", 1),
                 *(["--drive"] if self.bare_drives else [])],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            assert bare.stdout is not None
            assert bare.stdout.readline().strip() == b"ready"
        return self

    def ask_bare(self, line: str) -> Any:
        """The driving floor's JSON answer to one line (bench/bare.py --drive)."""
        bare = self.bare_worker
        assert bare is not None and bare.stdin is not None and bare.stdout is not None
        bare.stdin.write(line.encode() + b"\n")
        bare.stdin.flush()
        return json.loads(bare.stdout.readline())

    async def __aexit__(self, *exc: object) -> None:
        if self.bare_worker is not None and self.bare_worker.stdin is not None:
            self.bare_worker.stdin.close()  # a driving floor stops at the end of its input
        for proc in (self.bare_worker, *self.workers, self.up):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(90)
        shutil.rmtree(self.data_dir, ignore_errors=True)  # its databases weigh gigabytes
