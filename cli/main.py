"""`studyflow`: run the stack, a worker, the demo; the database's own commands (read models,
backup, restore); and the command groups, each in its own module."""

import asyncio
import os
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from cli import (
    admin,
    audit,
    config,
    dossier,
    imports,
    participants,
    portfolio,
    preferences,
    studies,
    tokens,
    users,
)
from cli.common import DEFAULT_DIR, DataDir, Speaking, _, console, fail
from cli.servers import owner_database, settings_for, with_database
from i18n import format_size
from settings import get_settings
from stack.logs import configure_logging

app = typer.Typer(help="StudyFlow: clinical studies through the Jardé law.",
                  no_args_is_help=True, pretty_exceptions_enable=False, cls=Speaking)
for group, name in ((tokens.app, "token"), (audit.app, "audit"), (users.app, "user"),
                    (dossier.app, "dossier"), (admin.app, "admin"), (studies.app, "study"),
                    (imports.app, "import"), (portfolio.sites_app, "sites"),
                    (portfolio.recruitment_app, "recruitment"),
                    (portfolio.reports_app, "reports"), (portfolio.calendar_app, "calendar"),
                    (participants.app, "participants"), (config.app, "config"),
                    (preferences.app, "preferences")):
    app.add_typer(group, name=name)

T = TypeVar("T")


def run_until_signal(body: Callable[[asyncio.Event], Awaitable[T]]) -> T:
    """Run `body(stop)` where `stop` is set by SIGINT or SIGTERM: clean shutdown, no orphans.
    On uvloop's event loop (the long-running `up` and `worker`): the web app's and the worker's
    sockets, PostgreSQL's and Temporal's callbacks cost less CPU per command than on the
    standard loop's (bench/lifecycle.py)."""

    async def main() -> T:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        return await body(stop)

    try:
        import uvloop
    except ImportError:  # a platform without it (Windows): the standard loop
        return asyncio.run(main())
    return uvloop.run(main())


def run_stack(body: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """`run_until_signal(body)` for a command that starts the stack: its address in use is
    said in words (nothing was started)."""
    from stack.runner import PortInUse

    try:
        run_until_signal(body)
    except PortInUse as e:
        fail(_("{host}:{port} is in use ({error}): give another --port, or --port 0 for any "
               "free one").format(host=e.host, port=e.port, error=e.error))


@app.command()
def up(data_dir: DataDir = DEFAULT_DIR, host: str = "127.0.0.1", port: int = 8000,
       no_worker: Annotated[bool, typer.Option("--no-worker", help="Run no worker here.")] = False,
       ui: Annotated[bool, typer.Option(help="Serve the Temporal web UI.")] = True) -> None:
    """Run the whole stack in the foreground until Ctrl-C."""
    from stack.runner import Stack

    configure_logging(get_settings().log_format)

    async def body(stop: asyncio.Event) -> None:
        async with Stack(settings_for(data_dir), data_dir, host, port, worker=not no_worker,
                         ui=ui) as stack:
            console.print(_("StudyFlow is up at {url} (stack.json in {data_dir}); Ctrl-C to "
                            "stop.").format(url=f"[bold]{stack.web_url}[/bold]",
                                            data_dir=data_dir), soft_wrap=True)
            await stop.wait()

    run_stack(body)


@app.command()
def worker(data_dir: DataDir = DEFAULT_DIR) -> None:
    """Run a worker on its own, against the stack of DATA_DIR (or the environment's servers)."""
    import bootstrap
    from worker import run_worker

    settings = settings_for(data_dir)
    configure_logging(settings.log_format)
    found = bootstrap.servers(settings)
    dsn, address = found.database_url, found.temporal_address
    if not dsn or not address:
        fail(_("no running stack in {data_dir} (start `studyflow up --no-worker`) and no "
               "DATABASE_URL / TEMPORAL_ADDRESS set").format(data_dir=data_dir))

    async def body(stop: asyncio.Event) -> None:
        # the web app (`up`) runs the migrations; a worker only pools as the app's role
        pool = await bootstrap.open_pool(dsn or "", migrate=False)
        try:
            client = await bootstrap.connect_temporal(settings, address)
            await run_worker(settings, client, pool, stop)
        finally:
            await pool.close()

    run_until_signal(body)


@app.command()
def demo(data_dir: DataDir = DEFAULT_DIR, host: str = "127.0.0.1", port: int = 8000,
         exit_: Annotated[bool, typer.Option("--exit", help="Stop once the walk is done.")] = False
         ) -> None:
    """Start the stack, walk a sample RIPH1 study to recruiting, then keep serving."""
    from cli.demo import walk
    from stack.runner import Stack

    configure_logging(get_settings().log_format, level=30)

    async def body(stop: asyncio.Event) -> None:
        async with Stack(settings_for(data_dir), data_dir, host, port) as stack:
            await walk(stack, console)
            if not exit_:
                console.print(_("Serving until Ctrl-C."))
                await stop.wait()

    run_stack(body)


# --- the database's own commands --------------------------------------------------------------
@app.command("rebuild-read-models")
def rebuild_read_models(data_dir: DataDir = DEFAULT_DIR) -> None:
    """Rebuild every read model (studies, deadlines, tasks, participants) from the events alone,
    in one transaction. Notifications and deliveries are records of what was sent: kept."""
    from domain import project
    from store import ReadModels

    n = with_database(data_dir, lambda pool: ReadModels(pool).rebuild(project))
    console.print(_("rebuilt the read models of {n} studies from the event store").format(n=n))


@app.command("backup")
def backup_cmd(output: Annotated[Path, typer.Option(help="The dump file to write.")],
               data_dir: DataDir = DEFAULT_DIR) -> None:
    """Back up the whole database (events and read models) with pg_dump (custom format)."""
    from store import backup

    try:
        owner_database(data_dir, lambda dsn: backup.backup(dsn, output))
    except RuntimeError as e:
        fail(str(e))
    console.print(_("backed up to {output} ({size})").format(
        output=output, size=format_size(output.stat().st_size)), soft_wrap=True)


@app.command("restore")
def restore_cmd(dump: Annotated[Path, typer.Argument(help="A file written by `backup`.")],
                data_dir: DataDir = DEFAULT_DIR) -> None:
    """Restore a backup into an empty database (a new DATA_DIR, or DATABASE_OWNER_URL), all or
    nothing; then `audit verify` it."""
    from store import backup

    if not dump.exists():
        fail(_("no file {file}").format(file=dump))
    try:
        owner_database(data_dir, lambda dsn: backup.restore(dsn, dump))
    except RuntimeError as e:
        fail(_("{error} (restore into an empty database)").format(error=e))
    console.print(_("restored {file}").format(file=dump), soft_wrap=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    app()
