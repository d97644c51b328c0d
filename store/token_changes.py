"""Changes to who may call: migration 042 announces every change to the tokens and accounts
tables (a revocation, an account disabled...) on CHANNEL at its commit. `listening` holds one
connection of the pool to hear them for as long as its block runs."""

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg

CHANNEL = "studyflow_tokens"


@contextlib.asynccontextmanager
async def listening(pool: asyncpg.Pool, changed: Callable[[], None],
                    lost: Callable[[], None]) -> AsyncIterator[None]:
    """`changed()` at each change; `lost()` if the connection that listens is lost (the changes
    are no longer heard)."""
    conn = await pool.acquire()

    def on_change(*_: Any) -> None:
        changed()

    def on_loss(*_: Any) -> None:
        lost()

    try:
        await conn.add_listener(CHANNEL, on_change)
        conn.add_termination_listener(on_loss)
        yield
    finally:
        conn.remove_termination_listener(on_loss)
        try:
            await conn.remove_listener(CHANNEL, on_change)  # UNLISTEN: back to no session state
        except (asyncpg.PostgresError, OSError, asyncpg.InterfaceError):
            conn.terminate()  # the pool's connections carry no LISTEN (store/db.py)
        await pool.release(conn)
