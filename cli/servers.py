"""What the operator commands reach directly, without the web app: the stack's settings, its
database and its Temporal (the environment's servers, the running stack's, or the embedded ones
of DATA_DIR, started for the occasion), and who is at the keyboard."""

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from cli.common import _, fail, no_stack
from domain.model import Role
from settings import Settings, get_settings

T = TypeVar("T")


def settings_for(data_dir: Path) -> Settings:
    return get_settings().model_copy(update={"data_dir": data_dir})


def with_database(data_dir: Path, body: Callable[[Any], Awaitable[T]]) -> T:
    """Run `body(pool)` on the stack's database: DATABASE_URL, the running stack's, or the
    embedded server of DATA_DIR started for the occasion (and stopped after if it was not
    running)."""
    import bootstrap

    settings = settings_for(data_dir)
    if not bootstrap.servers(settings).database_url and not (data_dir / "pg").exists():
        # never a second, empty database beside the one the stack runs elsewhere
        fail(_("no StudyFlow stack in {data_dir} (no stack.json, no database): start it with "
               "`studyflow up`, or give the --data-dir it runs with, or set DATABASE_URL").format(
                   data_dir=data_dir))
    with bootstrap.database(settings) as found:
        dsn = found.database_url
        assert dsn is not None

        async def main() -> T:
            pool = await bootstrap.open_pool(dsn, found.owner_url, min_size=1, max_size=2)
            try:
                return await body(pool)
            finally:
                await pool.close()

        return asyncio.run(main())


ROLES = [role.value for role in Role]


Operator = Annotated[str, typer.Option("--by", help="Who does this (goes to the audit); "
                                         "default: your login name.")]
Reason = Annotated[str, typer.Option(help="Why (goes to the audit).")]


def login_name() -> str:
    import getpass

    return getpass.getuser()


def with_engine(data_dir: Path, body: Callable[[Any, Any], Awaitable[T]]) -> T:
    """Run `body(pool, client)` against the running stack's database and Temporal."""
    import bootstrap

    settings = settings_for(data_dir)
    address = bootstrap.servers(settings).temporal_address
    if not address:
        no_stack(data_dir)

    async def run(pool: Any) -> T:
        return await body(pool, await bootstrap.connect_temporal(settings, address))

    return with_database(data_dir, run)


def owner_database(data_dir: Path, body: Callable[[str], Coroutine[Any, Any, T]]) -> T:
    """Run `body(dsn)` with the schema owner's DSN when there is one (DATABASE_OWNER_URL, or the
    embedded server of DATA_DIR, started for the occasion), else the running stack's."""
    import bootstrap

    settings = settings_for(data_dir)
    if settings.database_owner_url:
        return asyncio.run(body(settings.database_owner_url))
    with bootstrap.database(settings) as found:
        dsn = found.owner_url or found.database_url
        assert dsn is not None
        return asyncio.run(body(dsn))
