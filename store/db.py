"""One asyncpg pool per process, numbered migrations applied at start-up, SQL loaded by name
from `.sql` files."""

import json
import re
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from domain.regulation import LEGAL_TIME_ZONE

HERE = Path(__file__).parent
MIGRATIONS = HERE / "migrations"
MIGRATION_LOCK = 7_401_230  # pg_advisory_lock key: one migrator at a time
APP_ROLE = "studyflow_app"  # may only INSERT and SELECT events (migration 009)
# The sessions' zone: `current_date` in the read models' queries (overdue flags, a minor's
# coming of age) is then the legal day, the calendar day in Paris, whatever the server's own
# default; timestamps still travel as instants (asyncpg decodes them in UTC).
SESSION = {"TimeZone": LEGAL_TIME_ZONE.key}


def app_dsn(owner_dsn: str) -> str:
    """The same server and database, as the application's role (embedded servers trust local
    connections; a real server gives the role its password in DATABASE_URL)."""
    u = urlsplit(owner_dsn)
    host = u.netloc.rpartition("@")[2]
    return urlunsplit((u.scheme, f"{APP_ROLE}@{host}", u.path, u.query, u.fragment))


async def open_database(dsn: str, owner_dsn: str | None = None, **pool: int) -> asyncpg.Pool:
    """Migrate as the owner, then pool connections as the application."""
    await migrate(owner_dsn or dsn)
    return await create_pool(dsn, **pool)


@cache
def sql_file(path: Path) -> dict[str, str]:
    """The named queries of one `.sql` file (each after a `-- name: NAME` line)."""
    parts = re.split(r"^-- name: (\w+)\n", path.read_text(), flags=re.M)
    return {name: body.strip() for name, body in zip(parts[1::2], parts[2::2], strict=True)}


def sql_beside(module_file: str) -> dict[str, str]:
    """The queries of the `.sql` file named like a module (projections/studies.py ->
    projections/studies.sql)."""
    return sql_file(Path(module_file).with_suffix(".sql"))


@cache
def queries() -> dict[str, str]:
    """Every named query of store/sql and store/projections; a name is defined once."""
    found: dict[str, str] = {}
    for path in sorted([*(HERE / "sql").glob("*.sql"), *(HERE / "projections").glob("*.sql")]):
        for name, body in sql_file(path).items():
            if name in found:
                raise ValueError(f"query {name!r} defined twice ({path.name})")
            found[name] = body
    return found


def q(name: str) -> str:
    return queries()[name]


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("jsonb", encoder=lambda v: json.dumps(v, default=str),
                              decoder=json.loads, schema="pg_catalog")


async def _no_session_state(conn: asyncpg.Connection) -> None:
    """Pooled connections carry no session state (no SET, LISTEN, cursor or session-level
    advisory lock), so a released one needs no reset query, a round trip per use; asyncpg still
    rolls back a transaction left open."""


async def create_pool(dsn: str, min_size: int = 2, max_size: int = 10) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size,
                                     init=_init_connection, reset=_no_session_state,
                                     server_settings=SESSION)
    assert pool is not None
    return pool


async def connect(dsn: str) -> asyncpg.Connection:
    conn = await asyncpg.connect(dsn, server_settings=SESSION)
    await _init_connection(conn)
    return conn


async def migrate(dsn: str) -> list[str]:
    """Apply the migrations not yet applied, in order; returns their names."""
    conn = await asyncpg.connect(dsn)
    applied: list[str] = []
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
        paths = sorted(MIGRATIONS.glob("[0-9][0-9][0-9]_*.sql"))
        if await conn.fetchval("SELECT to_regclass('schema_migrations')") is None:
            await conn.execute("CREATE TABLE schema_migrations (name text PRIMARY KEY, "
                               "applied_at timestamptz NOT NULL DEFAULT now())")
        done = {r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations")}
        for path in paths:  # an up-to-date schema needs no DDL: the app's role may check it
            if path.name in done:
                continue
            async with conn.transaction():
                await conn.execute(path.read_text())
                await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", path.name)
            applied.append(path.name)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
        await conn.close()
    return applied
