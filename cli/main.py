"""`studyflow`: run the stack, a worker, the demo; tokens; the audit; studies from the shell."""

import asyncio
import json
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from cli import dossier, history, imports, portfolio, users
from cli.common import (
    DEFAULT_DIR,
    DataDir,
    Speaking,
    Token,
    _,
    api,
    cannot_read,
    command_body,
    console,
    fail,
    no_stack,
    progress_bar,
    report,
    show,
    speak,
    table,
    unknown_role,
    upload,
    yes,
)
from domain.commands import PARTICIPANT_COMMAND_TYPES, STUDY_COMMAND_TYPES
from domain.model import Role
from i18n import N_, format_size, reasons
from settings import Settings, get_settings
from stack.logs import configure_logging

app = typer.Typer(help="StudyFlow: clinical studies through the Jardé law.",
                  no_args_is_help=True, pretty_exceptions_enable=False, cls=Speaking)
token_app = typer.Typer(help="Bearer tokens (stored hashed).", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail: verify its hash chains, export it.",
                        no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(audit_app, name="audit")
app.add_typer(users.app, name="user")
app.add_typer(dossier.app, name="dossier")

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
            console.print(_("StudyFlow is up at {url} (stack.json in {data_dir}); Ctrl-C to "
                            "stop.").format(url=f"[bold]{stack.web_url}[/bold]",
                                            data_dir=data_dir), soft_wrap=True)
            await stop.wait()

    run_until_signal(body)


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

    run_until_signal(body)


# --- database-side commands -----------------------------------------------------------------------
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


@token_app.command("create")
def token_create(actor: Annotated[str, typer.Option(help="Who the token is for.")],
                 role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")],
                 expires_in_days: Annotated[float | None, typer.Option(
                     help="Valid for this many days (default: until revoked).")] = None,
                 by: Operator = "", reason: Reason = reasons.TOKEN_ISSUED,
                 data_dir: DataDir = DEFAULT_DIR) -> None:
    """Print a new bearer token (only the token) for ACTOR with ROLE."""
    from datetime import UTC, datetime, timedelta

    from store import EventStore, operations

    if role not in ROLES:
        unknown_role(role)
    if not actor.strip():
        fail(_("the actor name is empty"))
    if expires_in_days is not None and expires_in_days <= 0:
        fail(_("--expires-in-days must be positive"))
    expires = (datetime.now(UTC) + timedelta(days=expires_in_days)) if expires_in_days else None
    token = with_database(data_dir, lambda pool: operations.issue_token(
        EventStore(pool), actor, role, expires, by=by or login_name(), reason=reason))
    print(token)


@token_app.command("list")
def token_list(data_dir: DataDir = DEFAULT_DIR) -> None:
    """Every token: its id (never the token), holder, role, expiry, revocation."""
    from api import words
    from i18n import format_datetime as dt
    from store import EventStore, operations

    rows = with_database(data_dir, lambda pool: operations.list_tokens(EventStore(pool)))
    table((N_("id"), N_("actor"), N_("role"), N_("created"), N_("expires"), N_("revoked")),
          [(r["token_id"], r["actor"], words.role(r["role"]), dt(r["created_at"]),
            dt(r["expires_at"]) if r["expires_at"] else "",
            dt(r["revoked_at"]) if r["revoked_at"] else "") for r in rows])


@token_app.command("revoke")
def token_revoke(token_id: Annotated[str, typer.Argument(help="The id `token list` shows.")],
                 reason: Reason, by: Operator = "", data_dir: DataDir = DEFAULT_DIR) -> None:
    """Revoke a token at once; the revocation is an audit event."""
    from api import words
    from store import EventStore, operations

    if len(token_id) < 8:
        fail(_("give at least 8 characters of the token id"))
    try:
        row = with_database(data_dir, lambda pool: operations.revoke_token(
            EventStore(pool), token_id, by=by or login_name(), reason=reason))
    except LookupError as e:
        fail(str(e))
    console.print(_("revoked {token_id} ({actor}, {role})").format(
        token_id=token_id, actor=row["actor"], role=words.role(row["role"])), soft_wrap=True)


@audit_app.command("verify")
def audit_verify(data_dir: DataDir = DEFAULT_DIR) -> None:
    """Recompute the event store's hash chains and check them against the checkpoints, and
    re-hash every stored document: exit 0 if intact, 1 naming the first broken event and every
    missing or altered document."""
    import bootstrap
    from store import EventStore

    async def verify(pool: Any) -> tuple[Any, int, list[Any]]:
        checked, problems = await bootstrap.document_store(settings_for(data_dir),
                                                           pool).verify()
        return await EventStore(pool).verify(), checked, problems

    result, checked, problems = with_database(data_dir, verify)
    for p in problems:
        print(_("audit BROKEN: {problem}").format(problem=p.describe()))
    if result.ok and not problems:
        print(_("audit intact: {events} events in {streams} streams.").format(
            events=result.events, streams=result.streams))
        print(_("Checked: every event's hash recomputed from its content, and every event "
                "linked to the one before it in its stream."))
        print(_("{heads} stream heads also match the last checkpoint.").format(
            heads=result.checkpoint_heads) if result.checkpoint_heads else
            _("No checkpoint recorded yet to compare with (the worker records one daily; "
              "`studyflow audit checkpoint` records one now)."))
        print(_("{n} documents re-hashed: each matches its SHA-256.").format(n=checked))
        return
    if b := result.first_broken:
        print(_("audit BROKEN at stream {stream} version {version} (seq {seq}): {problem}")
              .format(stream=b.stream_id, version=b.version, seq=b.seq, problem=b.describe()))
    raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint(by: Operator = "", data_dir: DataDir = DEFAULT_DIR) -> None:
    """Record now the head hash of every stream written since the last checkpoint (the worker
    does it daily)."""
    from store import EventStore

    event = with_database(data_dir, lambda pool: EventStore(pool).checkpoint(
        actor=by or login_name(), role="admin", reason=reasons.CHECKPOINT_ON_DEMAND))
    print(_("checkpoint seq {seq}: {streams} streams, hash {hash}").format(
        seq=event.seq, streams=event.data["streams"], hash=event.hash))


@audit_app.command("export")
def audit_export(study: Annotated[str | None, typer.Option(help="One study's trail only.")] = None,
                 fmt: Annotated[str, typer.Option(
                     "--format", help="jsonl, csv, or excel (the CSV a French Excel opens)")
                 ] = "jsonl",
                 output: Annotated[Path | None, typer.Option(help="File (default: stdout).")] = None,
                 by: Operator = "", reason: Reason = reasons.AUDIT_EXPORT,
                 data_dir: DataDir = DEFAULT_DIR) -> None:
    """Export the audit trail (every study, or one) as JSON lines or CSV, with a manifest
    (FILE.manifest.json, or on stderr); the export is itself recorded in the audit."""
    from api import excel
    from store import EventStore, audit

    if fmt not in ("jsonl", "csv", "excel"):
        fail(_("--format is jsonl, csv or excel"))
    text, manifest = with_database(data_dir, lambda pool: audit.export(
        EventStore(pool), study, fmt, actor=by or login_name(), role="admin",  # type: ignore[arg-type]
        reason=reason, renderer=excel.render if fmt == "excel" else None))
    if study and not manifest["count"]:
        fail(_("no study {study} in the audit trail").format(study=study))
    body = json.dumps(manifest, indent=2, ensure_ascii=False)
    if output:
        output.write_text(text)
        Path(f"{output}.manifest.json").write_text(body + "\n")
        console.print(_("exported {count} events to {output} (sha256 {sha256}; manifest "
                        "{manifest})").format(count=manifest["count"], output=output,
                                              sha256=manifest["sha256"],
                                              manifest=f"{output}.manifest.json"),
                      soft_wrap=True)  # paths are not cut across lines
    else:
        sys.stdout.write(text)
        sys.stderr.write(body + "\n")


# --- operator actions on the engine ------------------------------------------------------------
admin_app = typer.Typer(help="Operator actions on study workflows (each one audited).",
                        no_args_is_help=True)
app.add_typer(admin_app, name="admin")


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


@admin_app.command("reset")
def admin_reset(study_id: str, reason: Reason, by: Operator = "",
                data_dir: DataDir = DEFAULT_DIR) -> None:
    """Replace the study's workflow run by a new one folded from its audit trail."""
    from api import engine
    from store import EventStore, operations

    async def body(pool: Any, client: Any) -> dict[str, Any]:
        store = EventStore(pool)
        events = await store.read_stream(study_id)
        if not events:
            raise engine.StudyNotFound(study_id)
        await operations.record(store, "WorkflowReset", {
            "study_id": study_id, "version": events[-1].version}, by=by or login_name(),
            reason=reason)
        return await engine.restart_from_events(client, study_id, events,
                                                settings_for(data_dir).temporal_task_queue)

    try:
        study = with_engine(data_dir, body)
    except engine.StudyNotFound:
        fail(_("no study {study}").format(study=study_id))
    from api import words

    console.print(_("{study} restarted from its {n} events: {state}").format(
        study=study_id, n=study["version"], state=words.state(study["state"])))


@admin_app.command("terminate")
def admin_terminate(study_id: str, reason: Reason, by: Operator = "",
                    data_dir: DataDir = DEFAULT_DIR) -> None:
    """Stop the study's workflow for good (its audit trail stays; `admin reset` restarts it)."""
    from temporalio.service import RPCError

    from store import EventStore, operations

    async def body(pool: Any, client: Any) -> None:
        await client.get_workflow_handle(study_id).terminate(reason=reason)
        await operations.record(EventStore(pool), "WorkflowTerminated", {"study_id": study_id},
                                by=by or login_name(), reason=reason)

    try:
        with_engine(data_dir, body)
    except RPCError as e:
        fail(f"{study_id}: {e.message}")
    console.print(_("{study}: workflow terminated").format(study=study_id))


@admin_app.command("redeliver")
def admin_redeliver(study_id: Annotated[str, typer.Option("--study")],
                    seq: Annotated[int, typer.Option(help="The append whose notices to send.")],
                    reason: Reason, by: Operator = "", data_dir: DataDir = DEFAULT_DIR) -> None:
    """Re-run the delivery activity for notices whose retries gave up (each person and channel
    still gets each notice once)."""
    import bootstrap
    from activities.models import DeliverInput
    from store import EventStore, operations

    async def body(pool: Any) -> int:
        sent = await bootstrap.notify_activities(settings_for(data_dir), pool).deliver(
            DeliverInput(study_id=study_id, seq=seq))
        await operations.record(EventStore(pool), "ActivityRerun", {
            "activity": "deliver_notifications", "study_id": study_id, "seq": seq,
            "sent": sent}, by=by or login_name(), reason=reason)
        return sent

    console.print(_("{n} messages sent").format(n=with_database(data_dir, body)))


@app.command("rebuild-read-models")
def rebuild_read_models(data_dir: DataDir = DEFAULT_DIR) -> None:
    """Rebuild every read model (studies, deadlines, tasks, participants) from the events alone,
    in one transaction. Notifications and deliveries are records of what was sent: kept."""
    from domain import project
    from store import ReadModels

    n = with_database(data_dir, lambda pool: ReadModels(pool).rebuild(project))
    console.print(_("rebuilt the read models of {n} studies from the event store").format(n=n))


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


# --- studies through the HTTP API -----------------------------------------------------------------
study_app = typer.Typer(help="Studies, through the running stack's HTTP API.",
                        no_args_is_help=True)
app.add_typer(study_app, name="study")
study_app.command("correct")(history.correct)
study_app.command("batch")(history.batch)
app.add_typer(imports.app, name="import")
app.add_typer(portfolio.sites_app, name="sites")
app.add_typer(portfolio.recruitment_app, name="recruitment")
app.add_typer(portfolio.reports_app, name="reports")
app.add_typer(portfolio.calendar_app, name="calendar")


@study_app.command("list")
def study_list(token: Token = None, state: str | None = None, overdue: bool = False,
               data_dir: DataDir = DEFAULT_DIR) -> None:
    """List studies, overdue first."""
    from api import words
    from i18n import format_date

    query = "?limit=500" + (f"&state={state}" if state else "") + ("&overdue=true" if overdue else "")
    items = api(data_dir, token, "GET", "/api/studies" + query)["items"]
    table((N_("id"), N_("title"), N_("category"), N_("state"), N_("next due"), N_("overdue")),
          [(s["id"], s["title"], s["category"], words.state(s["state"]),
            format_date(s["next_due_on"]) if s["next_due_on"] else "", yes(s["overdue"]))
           for s in items])


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


def command_help(types: tuple[str, ...], intro: str) -> str:
    """The command types and their fields, from the catalogue: `--help` lists them all."""
    from domain.catalogue import ENTRIES

    models = {entry.type: entry.model for entry in ENTRIES}
    lines = [intro, "Command types (--field NAME=VALUE; * required):"]
    for kind in types:
        fields = [f"{name}{'*' if info.is_required() else ''}"
                  for name, info in models[kind].model_fields.items() if name not in ("type", "code")]
        lines.append(f"{kind}: {', '.join(fields) or '(no field)'}")
    return "\n\n".join(lines)


@study_app.command("command", help=command_help(
    STUDY_COMMAND_TYPES, "Send a study command, e.g. `study command ID assign_sponsor "
    "--field sponsor=AP-HP --reason 'sponsor agreed'`."))
def study_command(study_id: str, type_: Annotated[str, typer.Argument(metavar="TYPE")],
                  reason: Annotated[str, typer.Option(help="Why (goes to the audit).")],
                  field: Annotated[list[str] | None, typer.Option(help="key=value")] = None,
                  file: Annotated[list[str] | None, typer.Option(
                      "--file", help="KIND=PATH: a document behind the fact (uploaded, then "
                      "referenced), e.g. ethics_opinion_letter=avis.pdf")] = None,
                  token: Token = None, data_dir: DataDir = DEFAULT_DIR) -> None:
    """Send a study command, e.g. `study command ID assign_sponsor --field sponsor=AP-HP`;
    `--file KIND=PATH` attaches documents."""
    body = command_body(type_, reason, field or [])
    refs = []
    for spec in file or []:
        kind, sep, path = spec.partition("=")
        if not sep or not Path(path).is_file():
            fail(_("--file takes KIND=PATH of an existing file, got {value}").format(
                value=repr(spec)))
        doc = upload(data_dir, token, Path(path), kind, reason)
        refs.append({"sha256": doc["sha256"], "kind": kind})
    if refs:
        body["documents"] = refs
    show(api(data_dir, token, "POST", f"/api/studies/{study_id}/commands", body))


@study_app.command("events")
def study_events(study_id: str, token: Token = None, data_dir: DataDir = DEFAULT_DIR) -> None:
    """The study's audit trail."""
    show(api(data_dir, token, "GET", f"/api/studies/{study_id}/events"))


# --- participants through the HTTP API ---------------------------------------------------------
participants_app = typer.Typer(help="Participants and their consents, through the HTTP API.",
                               no_args_is_help=True)
app.add_typer(participants_app, name="participants")
Study = Annotated[str, typer.Option("--study", help="The study's id.")]


@participants_app.command("list")
def participants_list(study: Study, status: str | None = None,
                      after: Annotated[str, typer.Option(
                          help="Start after this code (the page before's last).")] = "",
                      limit: Annotated[int, typer.Option(
                          min=1, max=10_000, help="Participants per page.")] = 200,
                      token: Token = None, data_dir: DataDir = DEFAULT_DIR) -> None:
    """The study's participants by code, a page at a time: code, status, consent kind and form
    version. A full page ends with the option that shows the next one."""
    from urllib.parse import urlencode

    from api import words
    from i18n import format_date
    from i18n import gettext as _

    query = {"limit": limit, **({"after": after} if after else {}),
             **({"status": status} if status else {})}
    rows = api(data_dir, token, "GET", f"/api/studies/{study}/participants?{urlencode(query)}")
    speak()

    def day(value: Any) -> str:
        return format_date(value) if value else ""

    table((N_("code"), N_("status"), N_("consent"), N_("form version"), N_("consented on"),
           N_("included on"), N_("to do")),
          [(p["code"], words.status(p["status"]), p.get("consent_kind") or "",
            p.get("consent_form_version") or "", day(p.get("consented_on")),
            day(p.get("included_on")),
            words.reason(p["reconsent_cause"]) if p.get("reconsent_cause") else
            _("re-consent at majority {date}").format(date=day(p["majority_on"]))
            if p.get("majority_on") else "") for p in rows],
          title=_("{n} participants").format(n=len(rows)))
    if len(rows) == limit:
        print(_("next page: --after {code}").format(code=rows[-1]["code"]))


@participants_app.command("register")
def participants_register(study: Study, code: str,
                          reason: Annotated[str, typer.Option(help="Why (goes to the audit).")],
                          field: Annotated[list[str] | None, typer.Option(help="key=value")] = None,
                          token: Token = None, data_dir: DataDir = DEFAULT_DIR) -> None:
    """Register a participant under a pseudonymous code (--field majority_on=YYYY-MM-DD for a
    minor, --field emergency=true for an emergency inclusion)."""
    body = {**command_body("register_participant", reason, field or []), "code": code}
    del body["type"]  # the path says it
    show(api(data_dir, token, "POST", f"/api/studies/{study}/participants", body)["participants"])


@participants_app.command("command", help=command_help(
    PARTICIPANT_COMMAND_TYPES, "Send a participant command, e.g. `participants command --study "
    "ID P-0001 record_consent --field kind=written --field consent_form_version=1.0 "
    "--field consented_on=2026-11-25`."))
def participants_command(study: Study, code: str,
                         type_: Annotated[str, typer.Argument(metavar="TYPE")],
                         reason: Annotated[str, typer.Option(help="Why (goes to the audit).")],
                         field: Annotated[list[str] | None, typer.Option(help="key=value")] = None,
                         token: Token = None, data_dir: DataDir = DEFAULT_DIR) -> None:
    """Send a participant command, e.g. `participants command --study ID P-0001 record_consent
    --field kind=written --field consent_form_version=1.0 --field consented_on=2026-11-25`."""
    body = command_body(type_, reason, field or [])
    show(api(data_dir, token, "POST", f"/api/studies/{study}/participants/{code}/commands",
             body)["participants"])


IMPORT_CHUNK = 200


@participants_app.command("import")
def participants_import(file: Annotated[Path, typer.Argument(help="CSV: a header row, then "
                                                             "one command per row (type, code, "
                                                             "its fields, optional reason).")],
                        study: Study,
                        reason: Annotated[str, typer.Option(help="For rows without one.")] =
                        "participant import",
                        token: Token = None, data_dir: DataDir = DEFAULT_DIR) -> None:
    """Apply a CSV of participant commands. Each row is applied once, even when the file is
    imported again; each bad row is reported with its line number and reason, the good ones are
    applied. Exit code 1 if any row was refused."""
    import csv
    import hashlib


    try:
        with file.open(newline="", encoding="utf-8-sig") as f:
            rows = [(reader.line_num, row) for reader in [csv.DictReader(f)] for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        cannot_read(file, e)
    items = []
    for line, row in rows:
        item: dict[str, Any] = {k.strip(): v.strip() for k, v in row.items()
                                if k and isinstance(v, str) and v.strip()}
        # the same row of the same study is the same command: imported again, it is skipped
        item["key"] = "import-" + hashlib.sha256(json.dumps(
            [study, sorted(item.items())]).encode()).hexdigest()[:32]
        items.append((line, item))
    counts = {"applied": 0, "already_applied": 0, "refused": 0}
    refused: list[str] = []
    with progress_bar(_("importing {file}").format(file=file.name), len(items)) as advance:
        for start in range(0, len(items), IMPORT_CHUNK):
            chunk = items[start:start + IMPORT_CHUNK]
            answer = api(data_dir, token, "POST", f"/api/studies/{study}/participants/bulk",
                         {"reason": reason, "items": [item for _, item in chunk]})
            for (line, item), result in zip(chunk, answer["results"], strict=True):
                counts[result["status"]] += 1
                if result["status"] == "refused":
                    err = result["error"]
                    refused.append(_("line {line}: {code} {type}: {error}: {message}").format(
                        line=line, code=item.get("code", "?"), type=item.get("type", "?"),
                        error=err["code"], message=err["message"]))
            advance(len(chunk))
    report(refused, _("{applied} applied, {already} already applied, {refused} refused").format(
        applied=counts["applied"], already=counts["already_applied"],
        refused=counts["refused"]))


# --- configuration -------------------------------------------------------------------------------
config_app = typer.Typer(help="The effective configuration.", no_args_is_help=True)
app.add_typer(config_app, name="config")


def without_password(url: str | None) -> str | None:
    from urllib.parse import urlsplit, urlunsplit

    if not url:
        return url
    u = urlsplit(url)
    if u.password is None:
        return url
    netloc = f"{u.username}:****@{u.hostname}" + (f":{u.port}" if u.port else "")
    return urlunsplit((u.scheme, netloc, u.path, u.query, u.fragment))


@config_app.command("show")
def config_show(data_dir: DataDir = DEFAULT_DIR) -> None:
    """Print the settings in effect (environment, .env, defaults), secrets hidden."""
    from bootstrap import temporal_connect_config
    from codec import CodecKeyError, keys_for

    settings = settings_for(data_dir)
    shown = settings.model_dump(mode="json", by_alias=False)
    for name in ("database_url", "database_owner_url"):
        shown[name] = without_password(shown[name])
    shown = {str(Settings.model_fields[k].validation_alias or k): v for k, v in shown.items()}
    temporal = temporal_connect_config(settings)
    shown["temporal (envconfig)"] = {
        "address": temporal["target_host"], "namespace": temporal["namespace"],
        "tls": bool(temporal.get("tls")), "api_key": "****" if temporal.get("api_key") else None}
    try:
        shown["codec key ids"] = [kid for kid, _ in keys_for(settings)]
    except CodecKeyError as e:
        shown["codec key ids"] = f"ERROR: {e}"
    show(shown)


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
