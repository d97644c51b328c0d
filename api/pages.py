"""What every staff page shares: the templates and their filters, the layout's context
(`render`), the forms' CSRF tokens, the signed-in person (`Viewer`, from the server-side session
of api/auth/sessions.py) and the error page. The pages themselves: web.py (dashboard, studies,
reports), web_inbox.py, web_documents.py, routes/auth.py (sign-in, account)."""

import uuid
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

import i18n
from domain import Actor
from domain.catalogue import labels
from domain.messages_en import MESSAGES
from domain.signatures import SIGNED_COMMANDS
from i18n import gettext as _
from store import ReadModels

from . import validation, words
from .auth import sessions, signatures

HERE = Path(__file__).parent
templates = Jinja2Templates(env=Environment(
    loader=FileSystemLoader(HERE / "templates"), autoescape=True,
    extensions=["jinja2.ext.i18n"]))
templates.env.install_gettext_callables(  # type: ignore[attr-defined]
    i18n.gettext, i18n.ngettext, newstyle=True)
templates.env.globals["language"] = i18n.current
templates.env.filters["d"] = i18n.format_date
templates.env.filters["dt"] = i18n.format_datetime
templates.env.filters["size"] = i18n.format_size
templates.env.filters["month"] = i18n.format_month
templates.env.filters["number"] = i18n.format_number
templates.env.filters["words"] = lambda text: _(text) if text else text
templates.env.filters.update(words.FILTERS)
templates.env.globals["field_name"] = validation.field_name
LABELS = labels(MESSAGES)  # each command's name, for its form



def csrf_token(request: Request) -> str:
    """Bound to the browser's session (api/auth/sessions.py)."""
    return sessions.csrf_token(request)


def check_csrf(request: Request, token: str) -> None:
    sessions.check_csrf(request, token)


async def page_actor(request: Request) -> Actor:
    """The signed-in person of the server-side session (api/auth/sessions.py), and how many
    of their notices wait unread (the header's count)."""
    session = await sessions.active(request)
    signatures.bind(None)  # a page's form signs only through auth.sign_web_form
    actor = session.as_actor
    read: ReadModels = request.app.state.read_models
    request.state.unread = await read.projections.notifications.unread(actor.name,
                                                                     actor.role.value)
    return actor


Viewer = Annotated[Actor, Depends(page_actor)]


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Every page: its forms carry a one-time key (`once`, sent as the command's idempotency
    key: a double submission takes effect once); a banner when e-mail is not configured."""
    actor = context.get("actor")
    settings = request.app.state.settings
    context.setdefault("once", uuid.uuid4().hex)
    response = templates.TemplateResponse(request, name, {
        "unread": request.state.unread if hasattr(request.state, "unread") else 0,
        "mail_off": settings.smtp_url is None, "zone_name": settings.time_zone,
        "actor": actor, "csrf": csrf_token(request),
        "labels": {kind: _(label) for kind, label in LABELS.items()},
        "signed_kinds": SIGNED_COMMANDS,
        "web_session": getattr(request.state, "web_session", None), **context},
        status_code=status)
    return sessions.finish(request, response)  # type: ignore[return-value]


def error_page(request: Request, status: int, message: str) -> Response:
    """An address that leads nowhere, asked by a browser: a page in the reader's language."""
    return templates.TemplateResponse(request, "error.html", {
        "actor": None, "status": status, "message": message, "csrf": "",
        "mail_off": False, "unread": 0}, status_code=status)
