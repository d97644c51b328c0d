"""`studyflow audit`: verify the hash chains (and the documents), record a checkpoint, export
the trail."""

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.common import DEFAULT_DIR, DataDir, _, console, fail
from cli.servers import Operator, Reason, login_name, settings_for, with_database
from i18n import reasons

app = typer.Typer(help="The audit trail: verify its hash chains, export it.",
                  no_args_is_help=True)


@app.command("verify")
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


@app.command("checkpoint")
def audit_checkpoint(by: Operator = "", data_dir: DataDir = DEFAULT_DIR) -> None:
    """Record now the head hash of every stream written since the last checkpoint (the worker
    does it daily)."""
    from store import EventStore

    event = with_database(data_dir, lambda pool: EventStore(pool).checkpoint(
        actor=by or login_name(), role="admin", reason=reasons.CHECKPOINT_ON_DEMAND))
    print(_("checkpoint seq {seq}: {streams} streams, hash {hash}").format(
        seq=event.seq, streams=event.data["streams"], hash=event.hash))


@app.command("export")
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
