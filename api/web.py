"""The staff web pages: server-rendered (Jinja2), a login form setting an HttpOnly cookie, CSRF
tokens on every form. Commands go through the same path as the JSON API (api/commands.py).
Here the dashboard, a study's page (its forms, corrections, export) and the reports; the inbox's
pages in web_inbox.py, the documents' in web_documents.py, what every page shares in pages.py."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

import i18n
import wallclock
from domain import Actor, RuleViolation, StudyState, StudyStatus, may_operate, replay
from domain.catalogue import COMMAND_ROLES
from domain.events import PARTICIPANT_EVENT_TYPES
from domain.forms import PARTICIPANT_FORMS, STUDY_FORMS, available, participant_forms, probe
from domain.regulation import CLOCKS
from domain.sites import SITE_REQUIREMENTS
from i18n import gettext as _
from store import ReadModels, audit

from . import (
    charts,
    commands,
    errors,
    excel,
    history,
    portfolio,
    timeline,
    trail,
    validation,
    web_documents,
    web_inbox,
    words,
)
from .auth import sessions
from .deps import Reader, Store, Temporal
from .errors import ApiError
from .pages import LABELS, Viewer, check_csrf, error_page, render
from .routes import auth as auth_routes
from .routes.audit import EXTENSION, MEDIA

router = APIRouter(include_in_schema=False)
STATES = [status.value for status in StudyStatus]
PARTICIPANT_TABLE_ROWS = 200  # the page shows the first ones; the API and CLI page through all
AUDIT_ROWS = 500  # the latest events on the page; the export and the API give them all



@router.get("/", response_class=HTMLResponse)
async def dashboard(request: Request, actor: Viewer, read: Reader, state: str = "",
                    category: str = "", q: str = "", page: int = 1) -> HTMLResponse:
    page = min(max(page, 1), 10**6)  # past the last page: an empty one, never an overflow
    size = 50
    studies, total = await read.list_studies(state=state or None, category=category or None,
                                             q_text=q or None, limit=size,
                                             offset=(page - 1) * size)
    return render(request, "dashboard.html", actor=actor, studies=studies, total=total,
                  counts=await read.counts_by_state(), states=STATES, state=state,
                  category=category, q=q, page=page, pages=max(1, -(-total // size)))


@router.get("/language/{language}")
async def choose_language(request: Request, language: str, next: str = "/") -> Response:
    """The language switch of the header: saved in a cookie for a year (the preference wins
    over the browser's Accept-Language)."""
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    if language in i18n.LANGUAGES:
        response.set_cookie(i18n.COOKIE, language, max_age=365 * 86400, httponly=True,
                            samesite="lax")
    return response


@router.get("/studies/new", response_class=HTMLResponse)
async def new_study_form(request: Request, actor: Viewer) -> HTMLResponse:
    return render(request, "new_study.html", actor=actor)


@router.post("/studies/new")
async def new_study(request: Request, actor: Viewer, read: Reader, client: Temporal,
                    title: Annotated[str, Form()] = "", category: Annotated[str, Form()] = "",
                    investigator: Annotated[str, Form()] = "",
                    framework: Annotated[str, Form()] = "JARDE",
                    reason: Annotated[str, Form()] = "",
                    csrf: Annotated[str, Form()] = "", once: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    body = {"title": title, "category": category, "investigator": investigator,
            "framework": framework, "reason": reason}
    try:
        _, study = await commands.create_study(client, read, actor, body,
                                               f"web:{once}" if once.strip() else None,
                                               request.app.state.settings.temporal_task_queue)
    except (ApiError, RuleViolation) as e:
        return render(request, "new_study.html", status=_status(e), actor=actor,
                      error=_message(e), values=body)
    return RedirectResponse(f"/studies/{study['id']}", status_code=303)


def _status(e: Exception) -> int:
    return e.status if isinstance(e, ApiError) else 409


def _message(e: Exception) -> str:
    """The refusal in the reader's language (api/errors.words)."""
    if isinstance(e, ApiError):
        return e.message if e.worded else errors.words(e.code, e.message)
    if isinstance(e, RuleViolation):
        return errors.words(e.code, e.message)
    return str(e)


def _field_errors(e: Exception) -> dict[str, str]:
    details = e.extra.get("details", []) if isinstance(e, ApiError) else []
    return {d["field"]: d["msg"] for d in details if isinstance(d, dict) and d.get("field")}


async def folded(read: ReadModels, study_id: str) -> tuple[StudyState | None, list[dict]]:
    """The study's own events, and its state as far as the study's own forms need it: read
    and folded without the participants' events, which a study of 10,000 participants counts
    by the ten thousand and no study form, timeline row or correction depends on."""
    events = await read.study_events_without(study_id, PARTICIPANT_EVENT_TYPES)
    return replay((e["type"], e["data"]) for e in events), events


# the sites a form may name: those it may act on (a plan: the study's own, "", or a site's)
REQUIREMENT_FIELDS = frozenset(r.field for r in SITE_REQUIREMENTS)
SITE_CHOICES = {"register_participant": ("", {"active"}), "activate_site": (None, {"added"}),
                "close_site": (None, {"added", "active"}),
                "set_recruitment_plan": ("", {"added", "active"})}


def site_choices(kind: str, sites: list[dict[str, Any]]) -> list[str] | None:
    spec = SITE_CHOICES.get(kind)
    if spec is None:
        return None
    first, statuses = spec
    codes = [s["code"] for s in sites if s["status"] in statuses]
    return ([first] if first is not None else []) + codes


def form_fields(kind: str, defaults: dict[str, Any],
                sites: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Inputs for a command, read off its pydantic model."""
    out = []
    for name, info in {**STUDY_FORMS, **PARTICIPANT_FORMS}[kind].model_fields.items():
        if name in ("type", "documents"):  # the file comes in its own field (_document_field)
            continue
        ann = str(info.annotation)
        choices = trail.choices(info.annotation)
        if name == "site" and (listed := site_choices(kind, sites or [])) is not None:
            choices = listed
        widget = ("date" if "date" in ann else "checkbox" if "bool" in ann
                  else "select" if choices else "text")
        # a document the unit asks for at a site's activation: blank until someone attests it
        value = None if name in REQUIREMENT_FIELDS else defaults.get(name)
        out.append({"name": name, "label": validation.field_name(name), "widget": widget,
                    # the protocol's hash is the file's when the file is attached
                    "choices": choices, "required": info.is_required() and widget != "checkbox"
                    and name != "document_sha256",
                    "value": "" if value in (None, "-") or widget in ("text",) and name not in (
                        "amendment_id", "event_id") else value})
    return out


async def study_page(request: Request, actor: Actor, read: ReadModels, study_id: str,
                     status: int = 200, error: str | None = None,
                     failed: str | None = None, correcting: int | None = None,
                     posted: dict[str, str] | None = None, only: str = "",
                     after: str = "", typed: dict[str, str] | None = None,
                     field_errors: dict[str, str] | None = None) -> HTMLResponse:
    """`typed`, `field_errors`: a refused form (`failed`) comes back with what was typed and
    each field's message beside it."""
    study = await read.get_study(study_id)
    if study is None:
        return render(request, "not_found.html", status=404, actor=actor, study_id=study_id)
    state, own = await folded(read, study_id)
    today = wallclock.today()
    sites = study.get("sites") or []
    kinds = available(state, actor.role, today) if state else []
    forms = [{"kind": k, "label": _(LABELS[k]),
              "fields": form_fields(k, probe(state, k, today) if state else {}, sites)}
             for k in kinds]
    if failed and failed not in kinds and failed in STUDY_FORMS:
        forms.insert(0, {"kind": failed, "label": _(LABELS[failed]), "fields": form_fields(
            failed, probe(state, failed, today) if state else {}, sites)})
    for f in forms:
        f["document_kinds"] = web_documents.kinds_for(str(f["kind"]))
    people = [{"kind": k, "label": _(LABELS[k]), "fields": form_fields(k, d, sites)}
              for k, d in (participant_forms(state, actor.role, today) if state else [])]
    recruitment = await portfolio.recruitment(read, study, today)
    curve = charts.recruitment_chart(recruitment, today)
    site_charts = [(site, chart) for site in recruitment["by_site"] if (
        chart := charts.recruitment_chart(site, today, height=210))]
    for f in forms + people:
        f["who"] = sorted(r.value for r in COMMAND_ROLES.get(str(f["kind"]), frozenset()))
        if f["kind"] == failed:
            keep_typed(f, typed or {}, field_errors or {})
    participants = await read.participants(study_id, after=after,
                                           limit=PARTICIPANT_TABLE_ROWS)
    # a study of 10,000 participants records them by the ten thousand: "study" shows its own
    # facts only, so that an opinion recorded long ago can still be found and corrected here;
    # otherwise the latest events, read as a window (the study's version counts them all)
    if only == "study":
        latest, total = own[::-1][:AUDIT_ROWS], len(own)
    else:
        latest, total = await read.latest_study_events(study_id, AUDIT_ROWS), study["version"]
    # corrections and supersessions are the study's own events: `own` holds every one
    rows = trail.rows(own, latest, actor, request.app.state.settings.late_entry_days,
                      correcting, posted)
    return render(request, "study.html", status=status, actor=actor, study=study,
                  rows=rows, events_total=total, only=only, forms=forms,
                  error=error, failed=failed,
                  error_on_row=any(r.form is not None for r in rows),
                  late_after_days=request.app.state.settings.late_entry_days,
                  timeline=timeline.build(study, trail.as_corrected(own), today),
                  clocks=CLOCKS,
                  participants=participants, participants_page=PARTICIPANT_TABLE_ROWS,
                  participant_forms=people,
                  recruitment=recruitment, curve=curve, site_charts=site_charts,
                  participants_total=sum(study["participants"].values()),
                  step_names=words.steps(), step_who=step_who(),
                  # the study's own numbering, without gaps (the global seq stays the anchor)
                  no={e["seq"]: e["version"] for e in [*own, *latest]},
                  next_actors=next_actors(study),
                  may_export=may_operate(actor.role, "export_audit"),
                  documents=await web_documents.section(request, actor, own))


def keep_typed(form: dict[str, Any], typed: dict[str, str], errors: dict[str, str]) -> None:
    for fld in form["fields"]:
        if fld["widget"] == "checkbox":
            fld["value"] = fld["name"] in typed
        elif fld["name"] in typed:
            fld["value"] = typed[fld["name"]]
        fld["error"] = errors.get(fld["name"])
    form["reason"] = typed.get("reason", "")


def step_who() -> dict[str, list[str]]:
    return {step: sorted(r.value for r in COMMAND_ROLES[kind])
            for step, kind in words.STEP_COMMANDS.items()}


def next_actors(study: dict[str, Any]) -> list[dict[str, Any]]:
    """Who must act next: the role each running clock waits on, soonest first."""
    running = sorted((d for d in study.get("deadlines", []) if d.get("status") in ("open", "overdue")
                      and d.get("role")), key=lambda d: str(d.get("due_on")))
    return [{"who": [d["role"]], "what": _(d.get("label") or d["name"]), "due_on": d["due_on"]}
            for d in running[:3]]


@router.get("/studies/{study_id}/commands")
@router.get("/studies/{study_id}/participants/commands")
@router.get("/studies/{study_id}/corrections")
@router.get("/studies/{study_id}/export")
async def back_to_study(study_id: str) -> Response:
    """A refused form's page reloaded, or its address opened again: the study's page, never
    a bare "method not allowed"."""
    return RedirectResponse(f"/studies/{study_id}", status_code=303)


@router.get("/studies/{study_id}", response_class=HTMLResponse)
async def study(request: Request, study_id: str, actor: Viewer, read: Reader,
                correct: int | None = None, only: str = "",
                after: Annotated[str, Query(max_length=64)] = "") -> HTMLResponse:
    """`?correct=SEQ` opens the correction form on that row of the audit trail: one form on
    the page rather than one per row, which for a study of 10,000 participants would weigh a
    megabyte; `?only=study` lists the study's own facts, without its participants';
    `?after=CODE` pages the participant table (200 by code at a time)."""
    return await study_page(request, actor, read, study_id, correcting=correct,
                            only="study" if only == "study" else "", after=after)


async def _submit(request: Request, study_id: str, actor: Actor, read: ReadModels,
                  client: Any, participants: bool) -> Response:
    """A sign-off form posted: the command goes the JSON API's way; a refusal comes back on the
    study's page, in words, with the form open."""
    form = dict(await request.form())
    check_csrf(request, str(form.pop("csrf", "")))
    once = str(form.pop("once", "")).strip()
    kind = str(form.get("type", ""))
    taken = web_documents.take_file(form)
    typed = {k: str(v) for k, v in form.items() if k not in ("signature_password",
                                                              "signature_code")}
    body: dict[str, Any] = {k: v for k, v in form.items() if v != ""}
    models = PARTICIPANT_FORMS if participants else STUDY_FORMS
    if kind in models:  # an unticked checkbox is not sent: it means false
        for name, info in models[kind].model_fields.items():
            if "bool" in str(info.annotation):
                body[name] = name in form
        i18n.parse_dates(models[kind], body)  # jj/mm/aaaa as well as ISO
    try:
        action = f"/studies/{study_id}/{'participants/' if participants else ''}commands"
        # the file first: its reference, not the file, goes through a re-authentication
        if refs := await web_documents.attach(request, actor, taken,
                                              str(form.get("reason", ""))):
            form[web_documents.REFS_FIELD] = web_documents.encode_refs(refs)
        carried = web_documents.decode_refs(body.pop(web_documents.REFS_FIELD, None))
        body["documents"] = refs or carried
        if signing := await auth_routes.sign_web_form(request, actor, form, kind, action):
            return signing  # first, a new authentication at the directory
        for secret in ("signature_password", "signature_code"):
            body.pop(secret, None)
        settings = request.app.state.settings
        await commands.study_command(
            client, read, actor, study_id, body, f"web:{once}" if once else None,
            participant=str(form.get("code", "")) if participants else None,
            code_pattern=settings.participant_code_pattern,
            site_pattern=settings.site_code_pattern,
            behind_percent=settings.recruitment_behind_percent,
            documents=request.app.state.documents,
            documents_required=settings.documents_required)
    except (ApiError, RuleViolation) as e:
        return await study_page(request, actor, read, study_id, status=_status(e),
                                error=_message(e), failed=kind, typed=typed,
                                field_errors=_field_errors(e))
    anchor = "participants" if participants else "audit"
    return RedirectResponse(f"/studies/{study_id}#{anchor}", status_code=303)


@router.post("/studies/{study_id}/commands")
async def study_command(request: Request, study_id: str, actor: Viewer, read: Reader,
                        client: Temporal) -> Response:
    return await _submit(request, study_id, actor, read, client, participants=False)


@router.post("/studies/{study_id}/participants/commands")
async def participant_command(request: Request, study_id: str, actor: Viewer, read: Reader,
                              client: Temporal) -> Response:
    return await _submit(request, study_id, actor, read, client, participants=True)


@router.post("/studies/{study_id}/corrections")
async def correction(request: Request, study_id: str, actor: Viewer, read: Reader,
                     store: Store, client: Temporal) -> Response:
    """The correction form of an audit row, sent the JSON API's way (`correct`): the fields
    changed from the values the form was filled with, the reason; a refusal comes back on the
    row, in words, with what was typed. Its one-time key makes a double submission correct
    once."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    raw_seq = str(form.get("seq", ""))
    seq = validation.whole_number(raw_seq) or 0
    only = "study" if form.get("only") == "study" else ""
    once = str(form.get("once", "")).strip()
    posted: dict[str, str] = {}
    changes: dict[str, Any] = {}
    for key, was in form.multi_items():
        if not key.startswith("was."):
            continue
        name = key.removeprefix("was.")
        checkbox = form.get(f"kind.{name}") == "checkbox"
        value = ("true" if name in form else "false") if checkbox else str(form.get(name, ""))
        posted[name] = value
        if value != str(was):
            changes[name] = (value == "true") if checkbox else (value or None)
    body: dict[str, Any] = {"type": "correct", "seq": seq, "changes": changes,
                            "reason": str(form.get("reason", ""))}
    try:
        if not changes:
            raise ApiError(422, "correction_changes_nothing",
                           "nothing to correct: change at least one value")
        body = await history.correction(store, actor, study_id, body)
        await commands.study_command(client, read, actor, study_id, body,
                                     f"web:{once}" if once else None)
    except (ApiError, RuleViolation) as e:
        return await study_page(request, actor, read, study_id, status=_status(e),
                                error=_message(e), correcting=seq, posted=posted, only=only)
    query = "?only=study" if only else ""
    return RedirectResponse(f"/studies/{study_id}{query}#event-{seq}", status_code=303)


@router.post("/studies/{study_id}/export")
async def study_export(request: Request, study_id: str, actor: Viewer, read: Reader,
                       store: Store, csrf: Annotated[str, Form()] = "",
                       fmt: Annotated[str, Form()] = "jsonl",
                       reason: Annotated[str, Form()] = "") -> Response:
    """The study's audit trail as a file; the export is itself an audit event."""
    check_csrf(request, csrf)
    if not may_operate(actor.role, "export_audit"):
        raise ApiError(403, "forbidden", f"a {actor.role.value} may not export the audit trail")
    if not await read.study_exists(study_id):
        return render(request, "not_found.html", status=404, actor=actor, study_id=study_id)
    if fmt not in MEDIA or not reason.strip():
        return await study_page(request, actor, read, study_id, status=422,
                                error=_("An export needs a format and a reason."))
    text, manifest = await audit.export(store, study_id, fmt,  # type: ignore[arg-type]
                                        actor=actor.name, role=actor.role.value,
                                        reason=reason.strip(),
                                        renderer=excel.render if fmt == "excel" else None)
    return Response(text, media_type=MEDIA[fmt], headers={
        "Content-Disposition": f'attachment; filename="{study_id}-audit.{EXTENSION[fmt]}"',
        "X-StudyFlow-Export-Sha256": manifest["sha256"],
        "X-StudyFlow-Export-Manifest": f"/api/audit/exports/{manifest['recorded_seq']}"})


@router.get("/reports", response_class=HTMLResponse)
async def reports(request: Request, actor: Viewer, read: Reader,
                  months: int = 12) -> HTMLResponse:
    """The unit's portfolio: coordinators, regulatory affairs and admins."""
    if not may_operate(actor.role, "view_reports"):
        return render(request, "forbidden.html", status=403, actor=actor,
                      message=_("The unit's reports are for: {roles}.").format(
                          roles=words.roles(["coordinator", "regulatory", "admin"])))
    months = min(max(months, 1), 60)
    rep = await portfolio.report(read, months)
    month_list = charts.last_months(rep["generated_on"], months)
    return render(request, "reports.html", actor=actor, rep=rep, months=months,
                  states_chart=charts.state_bars(rep, STATES),
                  cpp_chart=charts.decision_bars(rep["cpp"], "committee"),
                  ansm_chart=charts.decision_bars(rep["ansm"], "category"),
                  clocks_chart=charts.month_bars(rep["clocks"], ("met", "missed"), month_list),
                  inclusions_chart=charts.month_bars(rep["inclusions"], ("included",),
                                                     month_list))


def install(app: Any, secret: bytes) -> None:
    """`secret` signs the CSRF tokens: the same in every web process (bootstrap.secret_key)."""
    app.state.secret = secret
    app.include_router(router)
    app.include_router(web_inbox.router)
    app.include_router(web_documents.router)
    errors.html_page = error_page

    @app.exception_handler(sessions.LoginRequired)
    async def to_login(request: Request, e: sessions.LoginRequired) -> Response:
        return RedirectResponse("/login?expired=1" if e.expired else "/login", status_code=303)
