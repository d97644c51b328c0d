"""The staff web pages: server-rendered (Jinja2), a login form setting an HttpOnly cookie, CSRF
tokens on every form. Commands go through the same path as the JSON API (api/commands.py)."""

import hashlib
import hmac
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from domain import Actor, RuleViolation, StudyState, StudyStatus, fold, may_operate, parse_event
from domain.catalogue import labels
from domain.events import PARTICIPANT_EVENT_TYPES
from domain.forms import PARTICIPANT_FORMS, STUDY_FORMS, available, participant_forms, probe
from domain.messages_en import MESSAGES
from domain.regulation import CLOCKS
from store import Preferences, ReadModels, audit

from . import commands, history, timeline, trail
from .deps import Reader, Store, Temporal, authenticate, token_actor
from .errors import ApiError
from .routes.audit import MEDIA

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)
COOKIE = "studyflow_session"
STATES = [status.value for status in StudyStatus]
LABELS = labels(MESSAGES)  # each command's name, for its form
PARTICIPANT_TABLE_ROWS = 200  # the page shows the first ones; the API and CLI page through all
AUDIT_ROWS = 500  # the latest events on the page; the export and the API give them all


class LoginRequired(Exception):
    pass


def csrf_token(request: Request) -> str:
    session = request.cookies.get(COOKIE, "")
    return hmac.new(request.app.state.secret, session.encode(), hashlib.sha256).hexdigest()[:32]


def check_csrf(request: Request, token: str) -> None:
    if not hmac.compare_digest(csrf_token(request), token or ""):
        raise ApiError(403, "csrf", "the form expired or came from elsewhere: reload the page")


async def page_actor(request: Request, read: Reader) -> Actor:
    actor = await token_actor(request.cookies.get(COOKIE, ""), read)
    if actor is None:
        raise LoginRequired()
    return actor


Viewer = Annotated[Actor, Depends(page_actor)]


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    actor = context.get("actor")
    return templates.TemplateResponse(request, name, {
        "actor": actor, "csrf": csrf_token(request), "labels": LABELS, **context},
        status_code=status)


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request) -> HTMLResponse:
    return render(request, "login.html")


@router.post("/login")
async def login(request: Request, read: Reader,
                token: Annotated[str, Form()] = "") -> Response:
    try:
        actor = await authenticate(request, read, token.strip())
    except ApiError as e:
        return render(request, "login.html", status=e.status, error=e.message)
    if actor is None:
        return render(request, "login.html", status=401, error="This token is not valid.")
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(COOKIE, token.strip(), httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", max_age=12 * 3600)
    return response


@router.api_route("/logout", methods=["GET", "POST"])
async def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


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


@router.get("/studies/new", response_class=HTMLResponse)
async def new_study_form(request: Request, actor: Viewer) -> HTMLResponse:
    return render(request, "new_study.html", actor=actor)


@router.post("/studies/new")
async def new_study(request: Request, actor: Viewer, read: Reader, client: Temporal,
                    title: Annotated[str, Form()] = "", category: Annotated[str, Form()] = "",
                    investigator: Annotated[str, Form()] = "",
                    framework: Annotated[str, Form()] = "JARDE",
                    reason: Annotated[str, Form()] = "",
                    csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    body = {"title": title, "category": category, "investigator": investigator,
            "framework": framework, "reason": reason}
    try:
        _, study = await commands.create_study(client, read, actor, body, None,
                                               request.app.state.settings.temporal_task_queue)
    except (ApiError, RuleViolation) as e:
        return render(request, "new_study.html", status=_status(e), actor=actor,
                      error=_message(e), values=body)
    return RedirectResponse(f"/studies/{study['id']}", status_code=303)


def _status(e: Exception) -> int:
    return e.status if isinstance(e, ApiError) else 409


def _message(e: Exception) -> str:
    return e.message if isinstance(e, ApiError | RuleViolation) else str(e)


async def folded(read: ReadModels, study_id: str) -> tuple[StudyState | None, list[dict]]:
    """The study's events, and its state as far as the study's own forms need it: folded
    without the participants' events, which a study of 10,000 participants counts by the
    ten thousand and no study form depends on."""
    events = await read.study_events(study_id)
    state = fold(None, (parse_event(e["type"], e["data"]) for e in events
                        if e["type"] not in PARTICIPANT_EVENT_TYPES))
    return state, events


def form_fields(kind: str, defaults: dict[str, Any]) -> list[dict[str, Any]]:
    """Inputs for a command, read off its pydantic model."""
    out = []
    for name, info in {**STUDY_FORMS, **PARTICIPANT_FORMS}[kind].model_fields.items():
        if name == "type":
            continue
        ann = str(info.annotation)
        choices = trail.choices(info.annotation)
        widget = ("date" if "date" in ann else "checkbox" if "bool" in ann
                  else "select" if choices else "text")
        value = defaults.get(name)
        out.append({"name": name, "label": name.replace("_", " "), "widget": widget,
                    "choices": choices, "required": info.is_required() and widget != "checkbox",
                    "value": "" if value in (None, "-") or widget in ("text",) and name not in (
                        "amendment_id", "event_id") else value})
    return out


async def study_page(request: Request, actor: Actor, read: ReadModels, study_id: str,
                     status: int = 200, error: str | None = None,
                     failed: str | None = None, correcting: int | None = None,
                     posted: dict[str, str] | None = None, only: str = "") -> HTMLResponse:
    study = await read.get_study(study_id)
    if study is None:
        return render(request, "not_found.html", status=404, actor=actor, study_id=study_id)
    state, events = await folded(read, study_id)
    today = datetime.now(UTC).date()
    kinds = available(state, actor.role, today) if state else []
    forms = [{"kind": k, "label": LABELS[k],
              "fields": form_fields(k, probe(state, k, today) if state else {})} for k in kinds]
    if failed and failed not in kinds and failed in STUDY_FORMS:
        forms.insert(0, {"kind": failed, "label": LABELS[failed], "fields": form_fields(
            failed, probe(state, failed, today) if state else {})})
    people = [{"kind": k, "label": LABELS[k], "fields": form_fields(k, d)}
              for k, d in (participant_forms(state, actor.role, today) if state else [])]
    participants = await read.participants(study_id, limit=PARTICIPANT_TABLE_ROWS)
    # a study of 10,000 participants records them by the ten thousand: "study" shows its own
    # facts only, so that an opinion recorded long ago can still be found and corrected here
    listed = [e for e in events if e["type"] not in PARTICIPANT_EVENT_TYPES] if (
        only == "study") else events
    latest = listed[::-1][:AUDIT_ROWS]
    rows = trail.rows(events, latest, actor, request.app.state.settings.late_entry_days,
                      correcting, posted)
    return render(request, "study.html", status=status, actor=actor, study=study,
                  rows=rows, events_total=len(listed), only=only, forms=forms,
                  error=error, failed=failed,
                  error_on_row=any(r.form is not None for r in rows),
                  late_after_days=request.app.state.settings.late_entry_days,
                  timeline=timeline.build(study, trail.as_corrected(events), today),
                  clocks=CLOCKS,
                  participants=participants, participant_forms=people,
                  participants_total=sum(study["participants"].values()),
                  may_export=may_operate(actor.role, "export_audit"))


@router.get("/studies/{study_id}", response_class=HTMLResponse)
async def study(request: Request, study_id: str, actor: Viewer, read: Reader,
                correct: int | None = None, only: str = "") -> HTMLResponse:
    """`?correct=SEQ` opens the correction form on that row of the audit trail: one form on
    the page rather than one per row, which for a study of 10,000 participants would weigh a
    megabyte; `?only=study` lists the study's own facts, without its participants'."""
    return await study_page(request, actor, read, study_id, correcting=correct,
                            only="study" if only == "study" else "")


async def _submit(request: Request, study_id: str, actor: Actor, read: ReadModels,
                  client: Any, participants: bool) -> Response:
    """A sign-off form posted: the command goes the JSON API's way; a refusal comes back on the
    study's page, in words, with the form open."""
    form = dict(await request.form())
    check_csrf(request, str(form.pop("csrf", "")))
    kind = str(form.get("type", ""))
    body: dict[str, Any] = {k: v for k, v in form.items() if v != ""}
    models = PARTICIPANT_FORMS if participants else STUDY_FORMS
    if kind in models:  # an unticked checkbox is not sent: it means false
        for name, info in models[kind].model_fields.items():
            if "bool" in str(info.annotation):
                body[name] = name in form
    try:
        await commands.study_command(
            client, read, actor, study_id, body, None,
            participant=str(form.get("code", "")) if participants else None,
            code_pattern=request.app.state.settings.participant_code_pattern)
    except (ApiError, RuleViolation) as e:
        return await study_page(request, actor, read, study_id, status=_status(e),
                                error=_message(e), failed=kind)
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
    row, in words, with what was typed."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    raw_seq = str(form.get("seq", ""))
    seq = int(raw_seq) if raw_seq.isdigit() else 0
    only = "study" if form.get("only") == "study" else ""
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
        await commands.study_command(client, read, actor, study_id, body, None)
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
                                error="an export needs a format (jsonl or csv) and a reason")
    text, manifest = await audit.export(store, study_id, fmt,  # type: ignore[arg-type]
                                        actor=actor.name, role=actor.role.value,
                                        reason=reason.strip())
    return Response(text, media_type=MEDIA[fmt], headers={
        "Content-Disposition": f'attachment; filename="{study_id}-audit.{fmt}"',
        "X-StudyFlow-Export-Sha256": manifest["sha256"],
        "X-StudyFlow-Export-Manifest": f"/api/audit/exports/{manifest['recorded_seq']}"})


@router.get("/inbox", response_class=HTMLResponse)
async def inbox(request: Request, actor: Viewer, read: Reader) -> HTMLResponse:
    return await inbox_page(request, actor, read)


async def inbox_page(request: Request, actor: Actor, read: ReadModels, status: int = 200,
                     **context: Any) -> HTMLResponse:
    tasks = await read.tasks_for_role(actor.role.value)
    person = await read.person(actor.name) or {"email": None, "digest": True}
    return render(request, "inbox.html", status, actor=actor, tasks=tasks, person=person,
                  **context)


@router.post("/preferences")
async def preferences(request: Request, actor: Viewer, read: Reader,
                      csrf: Annotated[str, Form()] = "", email: Annotated[str, Form()] = "",
                      digest: Annotated[str | None, Form()] = None) -> Response:
    check_csrf(request, csrf)
    try:
        prefs = Preferences(email=email.strip() or None, digest=digest is not None)
    except ValidationError:
        return await inbox_page(request, actor, read, 422,
                                error=f"{email!r} is not an e-mail address")
    await read.set_person(actor.name, actor.role.value, prefs)
    return RedirectResponse("/inbox#preferences", status_code=303)


def install(app: Any, secret: bytes) -> None:
    """`secret` signs the CSRF tokens: the same in every web process (bootstrap.secret_key)."""
    app.state.secret = secret
    app.include_router(router)

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, _: LoginRequired) -> Response:
        return RedirectResponse("/login", status_code=303)
