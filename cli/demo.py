"""The demo walk: a sample RIPH1 study from draft to recruiting through the HTTP API, as staff
would do it, with a progress display and the study's timeline at the end. The study was
submitted weeks ago: its history is typed in from the paper file as batches of dated facts
(`commands:batch`, one per role that may send them), judged on their legal dates, so that no
clock the file itself shows was met is ever flagged overdue; then recruitment opens and the
first participants are included today."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from domain import COMMAND_ROLES
from scenarios import STUDY, Step, http_call, inclusion, riph1_walk
from store import ReadModels

PARTICIPANTS = ["P-0001", "P-0002", "P-0003"]
REASONS = {"register_participant": "screened and eligible",
           "record_consent": "signed information form", "include": "first visit"}


def _days_ago(n: int) -> str:
    return (datetime.now(UTC).date() - timedelta(days=n)).isoformat()


def batches(steps: list[Step]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Consecutive steps grouped into batches one role may send whole: (role, commands)."""
    groups: list[tuple[set[str], str, list[dict[str, Any]]]] = []
    for role, command in steps:
        allowed = {r.value for r in COMMAND_ROLES[command["type"]]}
        if groups and groups[-1][0] & allowed:
            roles, first, commands = groups[-1]
            groups[-1] = (roles & allowed, first, [*commands, command])
        else:
            groups.append((allowed, role, [command]))
    return [(first if first in roles else sorted(roles)[0], commands)
            for roles, first, commands in groups]


async def walk(stack: Any, console: Console) -> str:
    read = ReadModels(stack.pool)
    tokens = {role: await read.create_token(f"demo-{role}", role)
              for role in ("investigator", "coordinator", "regulatory", "auditor")}
    # a study submitted some weeks ago (the CPP's completeness notice four days later), its
    # favourable opinion three days ago, authorized yesterday; recruitment opens today
    steps = riph1_walk(_days_ago(1), submitted_on=_days_ago(40), ansm_submitted_on=_days_ago(39),
                       completeness_on=_days_ago(36), opinion_on=_days_ago(3))
    history = batches([s for s in steps if s[1]["type"] != "open_recruitment"])
    opening = [s for s in steps if s[1]["type"] == "open_recruitment"]
    inclusions = [inclusion(code, _days_ago(0)) for code in PARTICIPANTS]
    async with httpx.AsyncClient(base_url=stack.web_url, timeout=60) as http:
        async def call(role: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
            r = await http.post(path, json=body, headers={"Authorization": f"Bearer {tokens[role]}"})
            r.raise_for_status()
            return r.json()

        with Progress(TextColumn("{task.description:<44}"), BarColumn(),
                      TextColumn("{task.completed}/{task.total}"), console=console) as progress:
            task = progress.add_task("create the study",
                                     total=1 + len(steps) + sum(map(len, inclusions)))
            study = await call("investigator", "/api/studies",
                               {**STUDY, "reason": "protocol approved by the board"})
            sid = study["id"]
            progress.advance(task)
            for role, commands in history:
                progress.update(task, description=f"{len(commands)} dated facts ({role})")
                study = await call(role, f"/api/studies/{sid}/commands:batch", {
                    "reason": "typed in from the paper file", "commands": [
                        {**c, "reason": f"demo: {c['type']}"} for c in commands]})
                progress.advance(task, len(commands))
            for role, command in opening:
                progress.update(task, description=f"{command['type']} ({role})")
                study = await call(role, f"/api/studies/{sid}/commands",
                                   {**command, "reason": f"demo: {command['type']}"})
                progress.advance(task)
            for code, participant in zip(PARTICIPANTS, inclusions, strict=True):
                progress.update(task, description=f"include {code}")
                for role, command in participant:
                    path, body = http_call(sid, command)
                    await call(role, path, {**body, "reason": REASONS[command["type"]]})
                    progress.advance(task)
        events = (await http.get(f"/api/studies/{sid}/events",
                                 headers={"Authorization": f"Bearer {tokens['auditor']}"})).json()

    table = Table("seq", title=f"Timeline of {sid}")
    for name in ("legal date", "recorded (UTC)", "event"):
        table.add_column(name, no_wrap=True)
    table.add_column("by")
    table.add_column("reason")
    for e in events:
        table.add_row(str(e["seq"]), e["effective_on"] or "", e["at"][:16].replace("T", " "),
                      e["type"], e["actor"], e["reason"])
    console.print(table)
    clocks = ", ".join(f"{d['label']}: {d['status']}" for d in study["deadlines"])
    console.print(f"Clocks, judged on the legal dates: {clocks or 'none'}.")
    console.print(f"Study [bold]{sid}[/bold] is [green]{study['state']}[/green].")
    console.print(f"Web app: {stack.web_url}/login  (API docs: {stack.web_url}/docs)")
    console.print(f"Coordinator token (paste it on the login page): {tokens['coordinator']}")
    if stack.info.get("temporal_ui_url"):
        console.print(f"Temporal UI: {stack.info['temporal_ui_url']}")
    return sid
