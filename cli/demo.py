"""The demo walk: a sample RIPH1 study from draft to recruiting through the HTTP API, as staff
would do it, with a progress display and the study's timeline at the end."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from store import ReadModels


def _days_ago(n: int) -> str:
    return (datetime.now(UTC).date() - timedelta(days=n)).isoformat()


STEPS: list[tuple[str, str, dict[str, Any]]] = [
    ("investigator", "submit_protocol", {"version": "1.0", "document_sha256": "5f" * 32}),
    ("coordinator", "assign_sponsor", {"sponsor": "Assistance Publique - Hôpitaux de Paris"}),
    ("regulatory", "record_insurance", {"insurer": "Relyens", "policy": "RC-2026-0042"}),
    ("regulatory", "submit_to_ethics", {"committee": "CPP Île-de-France I",
                                        "submitted_on": _days_ago(40)}),
    ("regulatory", "submit_to_ansm", {"submitted_on": _days_ago(39)}),
    ("regulatory", "record_ethics_opinion", {"opinion": "favourable", "opinion_on": _days_ago(3)}),
    ("regulatory", "record_cnil", {"route": "MR-001", "reference": "MR001-2026-117"}),
    ("regulatory", "record_ansm_decision", {"decision": "authorized", "decision_on": _days_ago(1)}),
    ("coordinator", "open_recruitment", {}),
]


async def walk(stack: Any, console: Console) -> str:
    read = ReadModels(stack.pool)
    tokens = {role: await read.create_token(f"demo-{role}", role)
              for role in ("investigator", "coordinator", "regulatory", "auditor")}
    async with httpx.AsyncClient(base_url=stack.web_url, timeout=60) as http:
        async def call(role: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
            r = await http.post(path, json=body, headers={"Authorization": f"Bearer {tokens[role]}"})
            r.raise_for_status()
            return r.json()

        participants = ["P-0001", "P-0002", "P-0003"]
        with Progress(TextColumn("{task.description:<44}"), BarColumn(),
                      TextColumn("{task.completed}/{task.total}"), console=console) as progress:
            task = progress.add_task("create the study", total=1 + len(STEPS) + 3 * len(participants))
            study = await call("investigator", "/api/studies", {
                "title": "ASPIRE - low-dose aspirin after preterm birth", "category": "RIPH1",
                "investigator": "Pr. Claire Martin", "reason": "protocol approved by the board"})
            sid = study["id"]
            progress.advance(task)
            for role, kind, fields in STEPS:
                progress.update(task, description=f"{kind} ({role})")
                study = await call(role, f"/api/studies/{sid}/commands",
                                   {"type": kind, "reason": f"demo: {kind}", **fields})
                progress.advance(task)
            for code in participants:
                progress.update(task, description=f"include {code}")
                await call("investigator", f"/api/studies/{sid}/participants",
                           {"code": code, "reason": "screened and eligible"})
                progress.advance(task)
                await call("investigator", f"/api/studies/{sid}/participants/{code}/commands", {
                    "type": "record_consent", "kind": "written", "consent_form_version": "1.0",
                    "consented_on": _days_ago(0), "reason": "signed information form"})
                progress.advance(task)
                await call("investigator", f"/api/studies/{sid}/participants/{code}/commands", {
                    "type": "include", "included_on": _days_ago(0), "reason": "first visit"})
                progress.advance(task)
        events = (await http.get(f"/api/studies/{sid}/events",
                                 headers={"Authorization": f"Bearer {tokens['auditor']}"})).json()

    table = Table("seq", "at (UTC)", "event", "by", "reason", title=f"Timeline of {sid}")
    for e in events:
        table.add_row(str(e["seq"]), e["at"][:19], e["type"], f"{e['actor']} ({e['role']})",
                      e["reason"])
    console.print(table)
    console.print(f"Study [bold]{sid}[/bold] is [green]{study['state']}[/green].")
    console.print(f"Web app: {stack.web_url}/login  (API docs: {stack.web_url}/docs)")
    console.print(f"Coordinator token (paste it on the login page): {tokens['coordinator']}")
    if stack.info.get("temporal_ui_url"):
        console.print(f"Temporal UI: {stack.info['temporal_ui_url']}")
    return sid
