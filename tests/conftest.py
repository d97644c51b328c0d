"""Shared fixtures: one embedded PostgreSQL for the whole session; each test gets a fresh,
migrated database cloned from a template (fast), and an event store on it."""

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

import i18n
from settings import Settings
from stack import postgres
from stack.runner import Stack
from store import EventStore, ReadModels, app_dsn, connect, create_pool, migrate

# The tests written before the French catalogues read English: the stack and the code they call
# speak English unless a test asks for French (Accept-Language: fr, i18n.use("fr")).
os.environ["LANGUAGE"] = "en"
i18n.configure("en", "Europe/Paris")

ROLES = ("investigator", "coordinator", "regulatory", "auditor", "admin")

TEMPLATE = "studyflow_template"


def _with_db(dsn: str, name: str) -> str:
    base, _, query = dsn.partition("?")
    return f"{base.rsplit('/', 1)[0]}/{name}?{query}"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """DSN of the session's server (database `postgres`, superuser)."""
    data_dir = Path(tempfile.mkdtemp(prefix="studyflow-test-pg-"))
    dsn = postgres.start(data_dir)

    async def make_template() -> None:
        conn = await asyncpg.connect(dsn)
        # throwaway data: nothing waits on the disk for durability (a test that kills the
        # server's processes keeps what they wrote; only a crash of the machine would lose it)
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            await conn.execute(f"ALTER SYSTEM SET {setting} = off")
        await conn.execute("SELECT pg_reload_conf()")
        await conn.execute(f"DROP DATABASE IF EXISTS {TEMPLATE}")
        await conn.execute(f"CREATE DATABASE {TEMPLATE}")
        await conn.close()
        await migrate(_with_db(dsn, TEMPLATE))

    asyncio.run(make_template())
    yield dsn
    postgres.stop(data_dir, discard=True)  # deleted next: no shutdown checkpoint to wait for
    # a session's databases weigh up to 1.5 GB: left behind, a few dozen runs fill the disk
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
async def pg_dsn(pg_server: str) -> str:
    """A fresh migrated database for one test."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(pg_server)
    await conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    await conn.close()
    return _with_db(pg_server, name)


@pytest.fixture
async def pool(pg_dsn: str) -> AsyncIterator[asyncpg.Pool]:
    """Connections as the application's role, which may only insert and read events."""
    p = await create_pool(app_dsn(pg_dsn), min_size=1, max_size=5)
    yield p
    await p.close()


@pytest.fixture
async def superuser(pg_dsn: str) -> AsyncIterator[asyncpg.Connection]:
    """A database superuser, as someone trying to rewrite history would be."""
    conn = await connect(pg_dsn)
    yield conn
    await conn.close()


@pytest.fixture
def store(pool: asyncpg.Pool) -> EventStore:
    return EventStore(pool)


@pytest.fixture
def read_models(pool: asyncpg.Pool) -> ReadModels:
    return ReadModels(pool)


@pytest.fixture(scope="session")
async def stack() -> AsyncIterator[Stack]:
    """The whole stack as `studyflow up` runs it (Temporal dev server, embedded PostgreSQL,
    worker, web app on a free port), once for the session."""
    data_dir = Path(tempfile.mkdtemp(prefix="studyflow-stack-"))
    settings = Settings(TEMPORAL_ADDRESS=None, DATABASE_URL=None,  # type: ignore[call-arg]
                        # the fuzzers send bad Authorization headers by the thousand (the header
                        # is a parameter they generate); the limiter is tested on an app of its
                        # own (tests/api/test_audit.py)
                        LOGIN_MAX_FAILURES=10**9,
                        DOCUMENT_MAX_BYTES=3_000_000,  # a few MB show the limit
                        # the workflow code in the SDK's sandbox (production runs without):
                        # the guard against non-deterministic workflow code
                        WORKFLOW_SANDBOX=True)
    async with Stack(settings, data_dir, port=0, ui=False, throwaway=True) as s:
        yield s
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
async def tokens(stack: Stack) -> dict[str, str]:
    read = ReadModels(stack.pool)
    return {role: await read.create_token(f"{role}-user", role) for role in ROLES}
