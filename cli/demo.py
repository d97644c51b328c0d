"""The demo walk: a sample RIPH1 study from draft to recruiting at two sites through the HTTP
API, as staff would do it, with a progress display, the study's timeline and its recruitment
against the plan at the end. The study was submitted months ago: its history is typed in from
the paper file as batches of dated facts (`commands:batch`, one per role that may send them),
judged on their legal dates, so that no clock the file itself shows was met is ever flagged
overdue: the approvals, the two sites and their activation, the recruitment plan, five months
of inclusions (some withdrawn, some completed); then two participants are included today."""

from datetime import timedelta
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

import i18n
import wallclock
from api import words
from api.auth.admin import demo_account
from domain import COMMAND_ROLES
from domain.events import PARTICIPANT_EVENT_TYPES
from i18n import N_
from i18n import gettext as _
from scenarios import (
    DOCUMENTS,
    STUDY,
    Step,
    document_file,
    http_call,
    inclusion,
    riph1_walk,
    without,
)
from store import ReadModels

# the reasons the demo's staff give (recorded in the audit trail, in the unit's language)
REASONS = {"register_participant": N_("screened and eligible"),
           "record_consent": N_("signed information form"), "include": N_("first visit")}
OPENED = 150  # recruitment opened this many days ago
# (code, name, investigator, activated days ago, includes one participant every n days)
SITES = [("LIL-JDF", "CHU de Lille - Hôpital Jeanne de Flandre", "Pr. Claire Martin", 148, 7),
         ("PAR-NCK", "Hôpital Necker-Enfants malades (AP-HP)", "Dr Samir Benali", 100, 21)]
TARGETS = {"LIL-JDF": 35, "PAR-NCK": 25}  # the study's 60, shared out
PLAN_DAYS = 365  # the recruitment period, from the opening
WITHDRAWN = {3: 40, 9: 12}  # participant number -> withdrew this many days ago
COMPLETED = (1, 2, 4)  # their participation is over (a short follow-up)
TODAY_CODES = 2  # participants included today, one command at a time


def _days_ago(n: int) -> str:
    return (wallclock.today() - timedelta(days=n)).isoformat()


def batches(steps: list[Step]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Consecutive steps grouped into batches one role may send whole: (role, commands). Grouped
    from the end, each batch as long as one role may send it, so that a clock and the fact that
    meets it (a CPP submission and its opinion) fall in the same batch: the clocks are judged at
    the end of each batch, and an opinion typed in a later one would come after the expiry."""
    groups: list[tuple[set[str], list[Step]]] = []
    for role, command in reversed(steps):
        allowed = {r.value for r in COMMAND_ROLES[command["type"]]}
        if groups and groups[-1][0] & allowed:
            roles, members = groups[-1]
            groups[-1] = (roles & allowed, [(role, command), *members])
        else:
            groups.append((allowed, [(role, command)]))
    out = []
    for roles, members in reversed(groups):
        preferred = [r for r, _ in members if r in roles]
        out.append((preferred[0] if preferred else sorted(roles)[0], [c for _, c in members]))
    return out


def dated_history() -> list[Step]:
    """The study's history as dated steps: the approvals, the sites, the plan, the inclusions."""
    steps = riph1_walk(_days_ago(OPENED + 2), submitted_on=_days_ago(OPENED + 50),
                       ansm_submitted_on=_days_ago(OPENED + 49),
                       completeness_on=_days_ago(OPENED + 46), opinion_on=_days_ago(OPENED + 10),
                       opened_on=_days_ago(OPENED))
    # the information form (version 1.0) is part of the file sent to the CPP: issued with the
    # protocol, so that the batch of the regulatory facts holds every submission and its answer
    form = next(c for _, c in steps if c["type"] == "issue_consent_form")
    steps = without(steps, "issue_consent_form")
    steps.insert(1, ("investigator", {**form, "issued_on": _days_ago(OPENED + 50)}))
    steps += [("coordinator", {"type": "add_site", "site": code, "name": name,
                               "investigator": investigator})
              for code, name, investigator, _, _ in SITES]
    steps.append(("coordinator", {"type": "set_recruitment_plan", "target": sum(
        TARGETS.values()), "starts_on": _days_ago(OPENED), "ends_on": _days_ago(
        OPENED - PLAN_DAYS)}))
    # each site's activation and plan, then its inclusions, all in legal-date order
    dated: list[tuple[int, int, Step]] = []
    for code, _name, _investigator, active, every in SITES:
        dated.append((active, 0, ("coordinator", {
            "type": "activate_site", "site": code, "activated_on": _days_ago(active),
            "agreement_signed_on": _days_ago(active + 20),
            "initiation_visit_on": _days_ago(active + 2)})))
        dated.append((active, 1, ("coordinator", {
            "type": "set_recruitment_plan", "site": code, "target": TARGETS[code],
            "starts_on": _days_ago(active), "ends_on": _days_ago(OPENED - PLAN_DAYS)})))
        for ago in range(active - 3, 0, -every):
            dated.append((ago, 2, ("investigator", {"type": "include", "site": code})))
    number = 0
    for ago, _order, (role, command) in sorted(dated, key=lambda d: (-d[0], d[1])):
        if command["type"] != "include":
            steps.append((role, command))
            continue
        number += 1
        code = f"P-{number:04d}"
        for r, c in inclusion(code, _days_ago(ago)):
            steps.append((r, {**c, "site": command["site"]} if c["type"] ==
                          "register_participant" else c))
    for n, ago in sorted(WITHDRAWN.items(), key=lambda w: -w[1]):
        steps.append(("investigator", {"type": "withdraw_consent", "code": f"P-{n:04d}",
                                       "withdrawn_on": _days_ago(ago)}))
    steps += [("investigator", {"type": "complete", "code": f"P-{n:04d}",
                                "completed_on": _days_ago(5)}) for n in COMPLETED]
    return _in_legal_order(steps)


def _in_legal_order(steps: list[Step]) -> list[Step]:
    """Withdrawals and completions in their place among the inclusions (a batch is applied in
    legal-date order; the undated commands stay after the facts written before them)."""
    from domain.legal_time import legal_order

    return [steps[i] for i in legal_order([c for _, c in steps])]


async def upload_documents(http: httpx.AsyncClient, token: str) -> dict[str, dict[str, str]]:
    """The sample study's documents (scenarios.DOCUMENTS), uploaded: command type -> the
    reference its command carries."""
    out = {}
    for command, kind, name, title, lines in DOCUMENTS:
        r = await http.post("/api/documents", headers={"Authorization": f"Bearer {token}"},
                            data={"kind": kind, "reason": _("from the study's paper file")},
                            files={"file": (name, document_file(name, title, lines))})
        r.raise_for_status()
        out[command] = {"sha256": r.json()["sha256"], "kind": kind}
    return out


def with_document(command: dict[str, Any], attached: dict[str, dict[str, str]]
                  ) -> dict[str, Any]:
    """The command with the document behind it; the protocol attached is the one it names."""
    ref = attached.get(command["type"])
    if ref is None:
        return command
    named = {"document_sha256": ref["sha256"]} if "document_sha256" in command else {}
    return {**command, **named, "documents": [ref]}


async def walk(stack: Any, console: Console) -> str:
    # the unit's language for what the walk prints and the reasons its staff give
    i18n.configure(stack.settings.language, stack.settings.time_zone)
    read = ReadModels(stack.pool)
    tokens = {role: await read.create_token(f"demo-{role}", role)
              for role in ("investigator", "coordinator", "regulatory", "auditor")}
    history = batches(dated_history())
    registered = sum(1 for _, cs in history for c in cs if c["type"] == "register_participant")
    today = [(f"P-{registered + n:04d}", inclusion(f"P-{registered + n:04d}", _days_ago(0)))
             for n in range(1, TODAY_CODES + 1)]
    async with httpx.AsyncClient(base_url=stack.web_url, timeout=120) as http:
        async def call(role: str, path: str, body: dict[str, Any],
                       method: str = "POST") -> Any:
            r = await http.request(method, path, json=body if method == "POST" else None,
                                   headers={"Authorization": f"Bearer {tokens[role]}"})
            r.raise_for_status()
            return r.json()

        with Progress(TextColumn("{task.description:<44}"), BarColumn(),
                      TextColumn("{task.completed}/{task.total}"), console=console) as progress:
            task = progress.add_task(_("create the study"), total=1 + sum(
                len(cs) for _, cs in history) + sum(len(p) for _, p in today))
            study = await call("investigator", "/api/studies",
                               {**STUDY, "reason": _("protocol approved by the board")})
            sid = study["id"]
            progress.advance(task)
            progress.update(task, description=_("upload the study's documents"))
            attached = await upload_documents(http, tokens["investigator"])
            for role, commands in history:
                progress.update(task, description=_("{n} dated facts ({role})").format(
                    n=len(commands), role=words.role(role)))
                study = await call(role, f"/api/studies/{sid}/commands:batch", {
                    "reason": _("typed in from the paper file"), "commands": [
                        {**with_document(c, attached), "reason": _("from the paper file: {what}")
                         .format(what=words.command(c["type"]))} for c in commands]})
                progress.advance(task, len(commands))
            site = SITES[0][0]
            for code, participant in today:
                progress.update(task, description=_("include {code} at {site} today").format(
                    code=code, site=site))
                for role, command in participant:
                    path, body = http_call(sid, {**command, "site": site} if command["type"] ==
                                           "register_participant" else command)
                    await call(role, path, {**body, "reason": _(REASONS[command["type"]])})
                    progress.advance(task)
        events = await call("auditor", f"/api/studies/{sid}/events", {}, "GET")
        study = await call("auditor", f"/api/studies/{sid}", {}, "GET")
        recruitment = await call("auditor", f"/api/studies/{sid}/recruitment", {}, "GET")
        feed = await call("coordinator", "/api/calendar/feed-url", {}, "GET")

    table = Table(_("No."), title=_("Timeline of {sid} (the study's own facts)").format(sid=sid))
    for name in (_("Legal date"), _("Recorded"), _("What")):
        table.add_column(name, no_wrap=True)
    table.add_column(_("Who"))
    table.add_column(_("Why"))
    for e in events:
        if e["type"] not in PARTICIPANT_EVENT_TYPES:
            table.add_row(str(e["seq"]), i18n.format_date(e["effective_on"]) if e["effective_on"]
                          else "", i18n.format_datetime(e["at"]), words.event(e["type"]),
                          e["actor"], words.reason(e["reason"]))
    console.print(table)
    progress_table = Table("", _("Included"), _("Target"), _("planned by today"), _("withdrawn"),
                           _("completed"), _("Target at this rate"),
                           title=_("Recruitment against the plan"))
    for label, part in [(_("study"), recruitment),
                        *((s["site"], s) for s in recruitment["by_site"])]:
        progress_table.add_row(
            label, str(part["included"]), str(part["target"] or ""),
            i18n.format_number(part["planned_today"]),
            str(part["withdrawn"]), str(part["completed"]),
            (i18n.format_date(part["projected_target_on"]) if part["projected_target_on"]
             else "") + (f" ({_('behind plan')})" if part["behind"] else ""))
    console.print(progress_table)
    clocks = ", ".join(_("{field}: {value}").format(field=_(d["label"]),
                                                    value=words.status(d["status"]))
                       for d in study["deadlines"])
    console.print(_("Clocks, judged on the legal dates: {clocks}.").format(
        clocks=clocks or _("none")))
    console.print(_("Study {sid} is {state} at {n} sites.").format(
        sid=f"[bold]{sid}[/bold]", state=f"[green]{words.state(study['state'])}[/green]",
        n=len(recruitment["by_site"])))
    console.print(_("Web app: {url}  (API docs: {docs})").format(
        url=f"{stack.web_url}/login", docs=f"{stack.web_url}/docs"))
    console.print(_("Its documents and inspection dossier: {url}").format(
        url=f"{stack.web_url}/studies/{sid}#documents"))
    console.print(_("The study: {study} · the unit's reports: {reports}").format(
        study=f"{stack.web_url}/studies/{sid}#recruitment", reports=f"{stack.web_url}/reports"))
    password = await demo_account(stack.pool, stack.settings, "demo-coordinator", "coordinator",
                                  "Demo Coordinator")
    console.print(_("Sign in as {name}, password {password} (a local account; the first "
                    "sign-in enrols your authenticator app)").format(
        name="[bold]demo-coordinator[/bold]", password=f"[bold]{password}[/bold]"))
    console.print(_("Coordinator token (or paste it on the login page): {token}").format(
        token=tokens["coordinator"]))
    console.print(_("Coordinator's calendar feed (subscribe in Outlook or Thunderbird): "
                    "{url}").format(url=feed["url"]))
    if stack.info.get("temporal_ui_url"):
        console.print(_("Temporal UI: {url}").format(url=stack.info["temporal_ui_url"]))
    return sid
