"""The one wiring module: from Settings to the running parts. The web app (api/app.py's
lifespan), the worker (worker.py, `studyflow worker`), the embedded stack (stack/runner.py) and
every CLI command get here, and nowhere else, the servers to use, the database pool (the app's
role; migrations as the schema owner), the Temporal client (data converter, payload codec, TLS
and API key), the event store, the read models, the activity objects and the secret key; so
that every process of one installation agrees by construction."""

import contextlib
import json
import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import asyncpg
from temporalio.client import Client
from temporalio.envconfig import ClientConfigProfile
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.worker import UnsandboxedWorkflowRunner, Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from activities.notify import NotifyActivities
from activities.store import StoreActivities
from codec import AesGcmCodec, codec_for, data_converter
from settings import Settings
from store import EventStore, ReadModels, app_dsn, create_pool, open_database
from store.documents import DocumentStore
from workflows.daily import CheckpointWorkflow, DigestWorkflow
from workflows.study import StudyWorkflow

STACK_FILE = "stack.json"
SECRET_KEY_FILE = "secret_key"
WORKFLOWS = [StudyWorkflow, DigestWorkflow, CheckpointWorkflow]


# --- where the servers are ---------------------------------------------------------------------
def read_stack_file(data_dir: Path) -> dict[str, Any] | None:
    """What a running `studyflow up` on `data_dir` wrote: its web URL and its servers."""
    path = data_dir / STACK_FILE
    return json.loads(path.read_text()) if path.exists() else None


@dataclass(frozen=True)
class Servers:
    database_url: str | None  # the app's role
    owner_url: str | None  # the schema owner's, for migrations
    temporal_address: str | None


def servers(settings: Settings) -> Servers:
    """The environment's servers (DATABASE_URL, DATABASE_OWNER_URL, TEMPORAL_ADDRESS), else
    those of the stack running on DATA_DIR."""
    info = read_stack_file(settings.data_dir) or {}
    return Servers(settings.database_url or info.get("database_url"),
                   settings.database_owner_url,
                   settings.temporal_address or info.get("temporal_address"))


@contextlib.contextmanager
def database(settings: Settings) -> Iterator[Servers]:
    """The servers, with a database for certain: the environment's or the running stack's, else
    the embedded PostgreSQL of DATA_DIR started for the occasion (its owner's DSN as owner_url)
    and stopped after unless it was running already."""
    found = servers(settings)
    if found.database_url:
        yield found
        return
    from stack import postgres

    started = not (settings.data_dir / "pg" / "postmaster.pid").exists()
    owner = postgres.start(settings.data_dir)
    try:
        yield Servers(app_dsn(owner), owner, found.temporal_address)
    finally:
        if started:
            postgres.stop(settings.data_dir)


# --- connections ------------------------------------------------------------------------------
async def open_pool(dsn: str, owner_dsn: str | None = None, *, migrate: bool = True,
                    min_size: int = 2, max_size: int = 10) -> asyncpg.Pool:
    """The process's pool, as the app's role; `migrate`: apply the pending migrations first, as
    the schema owner (`owner_dsn`, or `dsn` when there is none)."""
    if migrate:
        return await open_database(dsn, owner_dsn, min_size=min_size, max_size=max_size)
    return await create_pool(dsn, min_size=min_size, max_size=max_size)


def temporal_connect_config(settings: Settings, address: str | None = None) -> dict[str, Any]:
    """How to reach Temporal: Temporal's own environment configuration (TEMPORAL_ADDRESS,
    TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_PROFILE and its TOML file:
    temporalio.envconfig, so that Temporal Cloud works as documented), the embedded stack's
    address when it runs its own server."""
    connect = dict(ClientConfigProfile.load().to_client_connect_config())
    connect["target_host"] = (address or settings.temporal_address or connect.get("target_host")
                              or "127.0.0.1:7233")
    connect["namespace"] = connect.get("namespace") or settings.temporal_namespace
    return connect


@cache
def metrics_runtime(bind: str) -> Runtime:
    """One runtime per process, serving the SDK's metrics (workflow task latency, activity
    failures, poll counts...) for Prometheus at `bind`."""
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=bind)))


async def connect_temporal(settings: Settings, address: str | None = None) -> Client:
    runtime = metrics_runtime(settings.temporal_metrics_bind) if settings.temporal_metrics_bind \
        else None
    return await Client.connect(**temporal_connect_config(settings, address),
                                data_converter=data_converter(settings), runtime=runtime)


# --- secrets ----------------------------------------------------------------------------------
def secret_key(settings: Settings) -> bytes:
    """SECRET_KEY; without it, a key generated once in DATA_DIR/secret_key (mode 600), so that
    `up`, the workers and every web process on one data dir sign with the same key."""
    if settings.secret_key:
        return settings.secret_key.get_secret_value().encode()
    path = settings.data_dir / SECRET_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # written aside then linked into place: a process starting at the same moment reads
        # either no file or the whole key, and one key wins
        draft = path.with_name(f".{SECRET_KEY_FILE}.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
        draft.unlink()
    return path.read_text().strip().encode()


# --- the parts --------------------------------------------------------------------------------
def notify_activities(settings: Settings, pool: asyncpg.Pool) -> NotifyActivities:
    """Notification delivery: the mailer (SMTP_URL) and webhook (WEBHOOK_URL) of the settings."""
    return NotifyActivities(pool, settings)


def activities(settings: Settings, pool: asyncpg.Pool) -> list[Callable[..., Any]]:
    notify = notify_activities(settings, pool)
    store = StoreActivities(EventStore(pool), notify.deliverable)
    return [store.append_events, store.load_study, store.write_checkpoint, notify.deliver,
            notify.send_digests]


def build_worker(settings: Settings, client: Client, pool: asyncpg.Pool,
                 task_queue: str | None = None) -> Worker:
    return Worker(
        client,
        task_queue=task_queue or settings.temporal_task_queue,
        max_cached_workflows=settings.worker_cache_size,
        sticky_queue_schedule_to_start_timeout=timedelta(seconds=settings.worker_sticky_timeout),
        workflows=WORKFLOWS,
        activities=activities(settings, pool),
        workflow_runner=SandboxedWorkflowRunner() if settings.workflow_sandbox
        else UnsandboxedWorkflowRunner(),
    )


def document_store(settings: Settings, pool: asyncpg.Pool) -> DocumentStore:
    """The documents' metadata in PostgreSQL; their bytes there too, or in the S3-compatible
    store the settings name (DOCUMENT_BACKEND=s3)."""
    if settings.document_backend == "s3":
        from store.documents.s3 import S3Backend

        return DocumentStore(pool, S3Backend.from_settings(settings))
    return DocumentStore(pool)


@dataclass(frozen=True)
class Services:
    """What the web app serves with (kept on app.state)."""

    settings: Settings
    pool: asyncpg.Pool
    temporal: Client
    event_store: EventStore
    read_models: ReadModels
    codec: AesGcmCodec
    documents: DocumentStore


@contextlib.asynccontextmanager
async def services(settings: Settings, pool: asyncpg.Pool | None = None,
                   client: Client | None = None) -> AsyncIterator[Services]:
    """The web app's services on the given pool and client, or on its own (DATABASE_URL, no
    migration: `up` or the stack has run them), closed after."""
    own = await open_pool(settings.database_url or "", migrate=False) if pool is None else None
    try:
        the_pool = pool or own
        assert the_pool is not None
        yield Services(settings=settings, pool=the_pool,
                       temporal=client or await connect_temporal(settings),
                       event_store=EventStore(the_pool), read_models=ReadModels(the_pool),
                       codec=codec_for(settings),
                       documents=document_store(settings, the_pool))
    finally:
        if own is not None:
            await own.close()
