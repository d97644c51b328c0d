"""`studyflow`: run the stack, a worker, the demo; tokens; the audit; studies from the shell."""

import asyncio
import json
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from settings import Settings, get_settings
from stack.logs import configure_logging

app = typer.Typer(help="StudyFlow: clinical studies through the Jardé law.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
token_app = typer.Typer(help="Bearer tokens (stored hashed).", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail: verify its hash chains, export it.",
                        no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(audit_app, name="audit")
console = Console(stderr=True)
T = TypeVar("T")

DataDir = Annotated[Path, typer.Option("--data-dir", help="Where the embedded servers keep "
                                       "their data.", envvar="STUDYFLOW_DATA_DIR")]
DEFAULT_DIR = Path(".studyflow")


def fail(message: str, code: int = 2) -> None:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


def run_until_signal(body: Callable[[asyncio.Event], Awaitable[T]]) -> T:
    """Run `body(stop)` where `stop` is set by SIGINT or SIGTERM: clean shutdown, no orphans."""

    async def main() -> T:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        return await body(stop)

    return asyncio.run(main())


def settings_for(data_dir: Path) -> Settings:
    return get_settings().model_copy(update={"data_dir": data_dir})


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
            console.print(f"StudyFlow is up at [bold]{stack.web_url}[/bold] "
                          f"(stack.json in {data_dir}); Ctrl-C to stop.")
            await stop.wait()

    run_until_signal(body)


@app.command()
def worker(data_dir: DataDir = DEFAULT_DIR) -> None:
    """Run a worker on its own, against the stack of DATA_DIR (or the environment's servers)."""
    from stack.runner import read_stack_file
    from store import create_pool
    from worker import connect_temporal, run_worker

    settings = settings_for(data_dir)
    configure_logging(settings.log_format)
    info = read_stack_file(data_dir) or {}
    dsn = settings.database_url or info.get("database_url")
    address = settings.temporal_address or info.get("temporal_address")
    if not dsn or not address:
        fail(f"no running stack in {data_dir} (start `studyflow up --no-worker`) and no "
             "DATABASE_URL / TEMPORAL_ADDRESS set")

    async def body(stop: asyncio.Event) -> None:
        pool = await create_pool(dsn or "")
        try:
            client = await connect_temporal(settings, address)
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
                console.print("Serving until Ctrl-C.")
                await stop.wait()

    run_until_signal(body)


# --- database-side commands -----------------------------------------------------------------------
def with_database(data_dir: Path, body: Callable[[Any], Awaitable[T]]) -> T:
    """Run `body(pool)` on the stack's database: DATABASE_URL, the running stack's, or the
    embedded server of DATA_DIR started for the occasion (and stopped after if it was not
    running)."""
    from stack import postgres
    from stack.runner import read_stack_file
    from store import create_pool, migrate

    settings = settings_for(data_dir)
    dsn = settings.database_url or (read_stack_file(data_dir) or {}).get("database_url")
    started = False
    if not dsn:
        started = not (data_dir / "pg" / "postmaster.pid").exists()
        dsn = postgres.start(data_dir)

    async def main() -> T:
        await migrate(dsn)
        pool = await create_pool(dsn, min_size=1, max_size=2)
        try:
            return await body(pool)
        finally:
            await pool.close()

    try:
        return asyncio.run(main())
    finally:
        if started:
            postgres.stop(data_dir)


ROLES = ["investigator", "coordinator", "regulatory", "auditor", "admin"]


@token_app.command("create")
def token_create(actor: Annotated[str, typer.Option(help="Who the token is for.")],
                 role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")],
                 data_dir: DataDir = DEFAULT_DIR) -> None:
    """Print a new bearer token (only the token) for ACTOR with ROLE."""
    from store import ReadModels

    if role not in ROLES:
        fail(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    if not actor.strip():
        fail("the actor name is empty")
    token = with_database(data_dir, lambda pool: ReadModels(pool).create_token(actor, role))
    print(token)


@audit_app.command("verify")
def audit_verify(data_dir: DataDir = DEFAULT_DIR) -> None:
    """Recompute the event store's hash chains: exit 0 if intact, 1 naming the first break."""
    from store import EventStore

    result = with_database(data_dir, lambda pool: EventStore(pool).verify())
    if result.ok:
        print(f"audit intact: {result.events} events in {result.streams} studies")
        return
    b = result.first_broken
    assert b is not None
    print(f"audit BROKEN at study {b.stream_id} version {b.version} (seq {b.seq}): {b.problem}")
    raise typer.Exit(1)


@audit_app.command("export")
def audit_export(study: Annotated[str | None, typer.Option(help="One study's trail only.")] = None,
                 fmt: Annotated[str, typer.Option("--format", help="jsonl or csv")] = "jsonl",
                 output: Annotated[Path | None, typer.Option(help="File (default: stdout).")] = None,
                 data_dir: DataDir = DEFAULT_DIR) -> None:
    """Export the audit trail (every study, or one) as JSON lines or CSV."""
    from store import ReadModels

    if fmt not in ("jsonl", "csv"):
        fail("--format is jsonl or csv")
    text = with_database(data_dir, lambda pool: ReadModels(pool).export(study, fmt))
    if output:
        output.write_text(text)
        console.print(f"exported {len(text.splitlines())} lines to {output}")
    else:
        sys.stdout.write(text)


# --- studies through the HTTP API -----------------------------------------------------------------
study_app = typer.Typer(help="Studies, through the running stack's HTTP API.",
                        no_args_is_help=True)
app.add_typer(study_app, name="study")
Token = Annotated[str | None, typer.Option(envvar="STUDYFLOW_TOKEN", help="Bearer token.")]


def api(data_dir: Path, token: str | None, method: str, path: str,
        body: dict[str, Any] | None = None) -> Any:
    import httpx

    from stack.runner import read_stack_file

    info = read_stack_file(data_dir)
    if not info:
        fail(f"no running stack in {data_dir}: start `studyflow up` first")
    if not token:
        fail("a token is needed: --token or STUDYFLOW_TOKEN (studyflow token create)")
    assert info is not None
    r = httpx.request(method, info["web_url"] + path, json=body, timeout=60,
                      headers={"Authorization": f"Bearer {token}"})
    if r.status_code >= 400:
        err = r.json().get("error", {}) if r.headers.get("content-type", "").startswith(
            "application/json") else {}
        fail(f"{r.status_code} {err.get('code', '')}: {err.get('message', r.text)}", 1)
    return r.json()


def show(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))


@study_app.command("list")
def study_list(token: Token = None, state: str | None = None, overdue: bool = False,
               data_dir: DataDir = DEFAULT_DIR) -> None:
    """List studies, overdue first."""
    from rich.table import Table

    query = "?limit=500" + (f"&state={state}" if state else "") + ("&overdue=true" if overdue else "")
    items = api(data_dir, token, "GET", "/api/studies" + query)["items"]
    table = Table("id", "title", "category", "state", "next due", "overdue")
    for s in items:
        table.add_row(s["id"], s["title"], s["category"], s["state"], str(s["next_due_on"] or ""),
                      "yes" if s["overdue"] else "")
    Console().print(table)


@study_app.command("show")
def study_show(study_id: str, token: Token = None, data_dir: DataDir = DEFAULT_DIR) -> None:
    """One study as JSON."""
    show(api(data_dir, token, "GET", f"/api/studies/{study_id}"))


@study_app.command("create")
def study_create(title: str, category: str, investigator: str,
                 reason: Annotated[str, typer.Option(help="Why (goes to the audit).")],
                 token: Token = None, data_dir: DataDir = DEFAULT_DIR) -> None:
    """Create a study in draft."""
    show(api(data_dir, token, "POST", "/api/studies", {
        "title": title, "category": category, "investigator": investigator, "reason": reason}))


def parse_fields(fields: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields:
        key, sep, value = f.partition("=")
        if not sep:
            fail(f"--field takes key=value, got {f!r}")
        out[key] = {"true": True, "false": False}.get(value, value)
    return out


@study_app.command("command")
def study_command(study_id: str, type_: Annotated[str, typer.Argument(metavar="TYPE")],
                  reason: Annotated[str, typer.Option(help="Why (goes to the audit).")],
                  field: Annotated[list[str] | None, typer.Option(help="key=value")] = None,
                  token: Token = None, data_dir: DataDir = DEFAULT_DIR) -> None:
    """Send a study command, e.g. `study command ID assign_sponsor --field sponsor=AP-HP`."""
    body = {"type": type_, "reason": reason, **parse_fields(field or [])}
    show(api(data_dir, token, "POST", f"/api/studies/{study_id}/commands", body))


@study_app.command("events")
def study_events(study_id: str, token: Token = None, data_dir: DataDir = DEFAULT_DIR) -> None:
    """The study's audit trail."""
    show(api(data_dir, token, "GET", f"/api/studies/{study_id}/events"))


# --- the caller's notification preferences ----------------------------------------------------------
prefs_app = typer.Typer(help="Your notification preferences (e-mail, daily digest).",
                        no_args_is_help=True)
app.add_typer(prefs_app, name="preferences")


@prefs_app.command("show")
def preferences_show(token: Token = None, data_dir: DataDir = DEFAULT_DIR) -> None:
    """Who the token is for, and how they hear of notifications."""
    show(api(data_dir, token, "GET", "/api/me"))


@prefs_app.command("set")
def preferences_set(email: Annotated[str | None, typer.Option(help="Where mails go.")] = None,
                    digest: Annotated[bool, typer.Option(
                        help="Routine notices in one daily mail (--no-digest: one by one).")] = True,
                    token: Token = None, data_dir: DataDir = DEFAULT_DIR) -> None:
    """Set your e-mail address and whether routine notices come as a daily digest. Urgent ones
    (escalations, tacit decisions) always come at once."""
    show(api(data_dir, token, "PUT", "/api/me/preferences", {"email": email, "digest": digest}))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    app()
