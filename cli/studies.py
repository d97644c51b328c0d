"""`studyflow study`: studies through the running stack's HTTP API: list, show, create, send a
command (with its documents), the trail; corrections and dated batches (cli/history.py)."""

from pathlib import Path
from typing import Annotated

import typer

from cli import history
from cli.common import (
    DEFAULT_DIR,
    DataDir,
    Token,
    _,
    api,
    command_body,
    command_help,
    fail,
    show,
    table,
    upload,
    yes,
)
from domain.commands import STUDY_COMMAND_TYPES
from i18n import N_

app = typer.Typer(help="Studies, through the running stack's HTTP API.", no_args_is_help=True)
app.command("correct")(history.correct)
app.command("batch")(history.batch)


@app.command("list")
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


@app.command("show")
def study_show(study_id: str, token: Token = None, data_dir: DataDir = DEFAULT_DIR) -> None:
    """One study as JSON."""
    show(api(data_dir, token, "GET", f"/api/studies/{study_id}"))


@app.command("create")
def study_create(title: str, category: str, investigator: str,
                 reason: Annotated[str, typer.Option(help="Why (goes to the audit).")],
                 token: Token = None, data_dir: DataDir = DEFAULT_DIR) -> None:
    """Create a study in draft."""
    show(api(data_dir, token, "POST", "/api/studies", {
        "title": title, "category": category, "investigator": investigator, "reason": reason}))


@app.command("command", help=command_help(
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


@app.command("events")
def study_events(study_id: str, token: Token = None, data_dir: DataDir = DEFAULT_DIR) -> None:
    """The study's audit trail."""
    show(api(data_dir, token, "GET", f"/api/studies/{study_id}/events"))
