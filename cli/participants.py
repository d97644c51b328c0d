"""`studyflow participants`: participants and their consents through the HTTP API: list (a page
at a time), register, send a command, import a CSV of commands."""

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.common import (
    DEFAULT_DIR,
    DataDir,
    Token,
    _,
    api,
    cannot_read,
    command_body,
    command_help,
    progress_bar,
    report,
    show,
    speak,
    table,
)
from domain.commands import PARTICIPANT_COMMAND_TYPES
from i18n import N_

app = typer.Typer(help="Participants and their consents, through the HTTP API.",
                  no_args_is_help=True)
Study = Annotated[str, typer.Option("--study", help="The study's id.")]


@app.command("list")
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


@app.command("register")
def participants_register(study: Study, code: str,
                          reason: Annotated[str, typer.Option(help="Why (goes to the audit).")],
                          field: Annotated[list[str] | None, typer.Option(help="key=value")] = None,
                          token: Token = None, data_dir: DataDir = DEFAULT_DIR) -> None:
    """Register a participant under a pseudonymous code (--field majority_on=YYYY-MM-DD for a
    minor, --field emergency=true for an emergency inclusion)."""
    body = {**command_body("register_participant", reason, field or []), "code": code}
    del body["type"]  # the path says it
    show(api(data_dir, token, "POST", f"/api/studies/{study}/participants", body)["participants"])


@app.command("command", help=command_help(
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


@app.command("import")
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
