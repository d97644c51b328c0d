"""The whole stack for one data dir: PostgreSQL, Temporal, the worker and the web app, started
in that order and stopped in reverse. Servers named by DATABASE_URL / TEMPORAL_ADDRESS are used
as they are; only what the stack started is stopped."""

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any

import structlog
import uvicorn

import bootstrap
from bootstrap import STACK_FILE, read_stack_file
from settings import Settings
from store import app_dsn

from . import postgres
from .temporal import DevServer, bound_socket

log = structlog.get_logger()
__all__ = ["PortInUse", "Stack", "read_stack_file"]


class PortInUse(RuntimeError):
    """The web app's address is taken (or not this machine's): nothing was started."""

    def __init__(self, host: str, port: int, error: str) -> None:
        super().__init__(f"the web app cannot listen on {host}:{port}: {error}")
        self.host, self.port, self.error = host, port, error


class Stack:
    def __init__(self, settings: Settings, data_dir: Path, host: str = "127.0.0.1",
                 port: int = 8000, worker: bool = True, ui: bool = True,
                 throwaway: bool = False) -> None:
        """`throwaway`: the data dir is deleted after the stack stops (a test session's), so its
        PostgreSQL stops without writing anything back (postgres.stop's `discard`)."""
        self.data_dir = data_dir.resolve()
        self.throwaway = throwaway
        self.settings = settings.model_copy(update={"data_dir": self.data_dir})
        if "signatures_required" not in settings.model_fields_set:
            # the embedded stack keeps taking scripts' plain tokens for regulatory facts
            # (recorded unsigned); a deployment refuses them (SIGNATURES_REQUIRED, default on)
            self.settings = self.settings.model_copy(update={"signatures_required": False})
        self.host, self.port, self.with_worker, self.ui = host, port, worker, ui
        self.temporal: DevServer | None = None
        self.own_postgres = False
        self._tasks: list[asyncio.Task[Any]] = []
        self._stop_worker = asyncio.Event()
        self.info: dict[str, Any] = {}

    async def __aenter__(self) -> "Stack":
        from api.app import create_app
        from worker import run_worker

        self.data_dir.mkdir(parents=True, exist_ok=True)
        try:  # first, and held from here: no other process can take it before the app serves
            self.socket = bound_socket(self.host, self.port)
        except OSError as e:
            raise PortInUse(self.host, self.port, e.strerror or str(e)) from None
        try:
            port = self.socket.getsockname()[1]
            dsn, owner = self.settings.database_url, self.settings.database_owner_url
            if not dsn:
                owner, self.own_postgres = postgres.start(self.data_dir), True
                dsn = app_dsn(owner)
            self.owner_dsn = owner or dsn  # migrations (and, in tests, a tamperer) use it
            self.pool = await bootstrap.open_pool(dsn, owner)
            address, ui_url = self.settings.temporal_address, None
            if not address:
                self.temporal = DevServer(self.data_dir / "temporal", ui=self.ui,
                                          codec_endpoint=f"http://{self.host}:{port}/codec")
                address, ui_url = await self.temporal.start(), self.temporal.ui_url
                if ui_url:  # its UI calls /codec/decode from its own origin
                    self.settings = self.settings.model_copy(update={
                        "codec_cors_origins": [*self.settings.codec_cors_origins, ui_url]})
            self.client = await bootstrap.connect_temporal(self.settings, address)
            if self.with_worker:
                self._tasks.append(asyncio.create_task(
                    run_worker(self.settings, self.client, self.pool, self._stop_worker)))
            config = uvicorn.Config(create_app(self.settings, self.pool, self.client),
                                    host=self.host, port=port, log_level="warning",
                                    lifespan="on")
            self.server = uvicorn.Server(config)
            self._tasks.append(asyncio.create_task(self.server.serve(sockets=[self.socket])))
            while not self.server.started:
                if self._tasks[-1].done():
                    self._tasks[-1].result()
                    raise RuntimeError(f"the web app could not start on {self.host}:{port}")
                await asyncio.sleep(0.05)
            if self.with_worker:
                await self._wait_healthy()
        except BaseException:
            await self.__aexit__(None, None, None)
            raise
        self.info = {"web_url": f"http://{self.host}:{port}", "temporal_address": address,
                     "temporal_namespace": self.settings.temporal_namespace,
                     "temporal_ui_url": ui_url, "database_url": dsn}
        (self.data_dir / STACK_FILE).write_text(json.dumps(self.info, indent=2))
        log.info("stack ready", **self.info)
        return self

    async def _wait_healthy(self, timeout: float = 60) -> None:
        from api.health import checks

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not all((result := await checks(self.pool, self.client,
                                              self.settings.temporal_task_queue)).values()):
            if loop.time() > deadline:
                raise RuntimeError(f"the stack did not become healthy: {result}")
            await asyncio.sleep(0.1)

    @property
    def web_url(self) -> str:
        return str(self.info["web_url"])

    async def __aexit__(self, *exc: object) -> None:
        if server := getattr(self, "server", None):
            server.should_exit = True
        self._stop_worker.set()
        for task in self._tasks:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(task, 20)
        if pool := getattr(self, "pool", None):
            with contextlib.suppress(Exception):
                await pool.close()
        if sock := getattr(self, "socket", None):
            sock.close()
        if self.temporal:
            self.temporal.stop()
        if self.own_postgres:
            postgres.stop(self.data_dir, discard=self.throwaway)
        with contextlib.suppress(FileNotFoundError):
            (self.data_dir / STACK_FILE).unlink()
        log.info("stack stopped")
