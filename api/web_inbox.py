"""The inbox's pages: the person's notices (a page at a time) and their role's tasks, marking
notices read, the notification preferences, the calendar feed's address."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from domain import Actor, may_operate
from i18n import gettext as _
from i18n.notices import kind_words, notice_text
from store import Preferences, ReadModels

from . import calendar
from .deps import Reader, Store
from .errors import ApiError
from .pages import Viewer, check_csrf, render
from .routes import calendar as calendar_routes
from .validation import whole_number

router = APIRouter(include_in_schema=False)
INBOX_PAGE = 100  # notices per page of the inbox, newest first


@router.get("/inbox", response_class=HTMLResponse)
async def inbox(request: Request, actor: Viewer, read: Reader,
                before: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None) -> HTMLResponse:
    """The person's notices, newest first, a page at a time (`?before=ID`: the page after the
    one ending at notice ID), and their role's tasks."""
    return await inbox_page(request, actor, read, before=before)


def notice_words(n: dict[str, Any]) -> dict[str, Any]:
    """A notice as the inbox shows it: its kind in words, its sentence in the reader's
    language."""
    return {**n, "at": n["created_at"], "kind_words": kind_words(str(n["kind"])),
            "text": notice_text(n)}


async def inbox_page(request: Request, actor: Actor, read: ReadModels, status: int = 200,
                     before: int | None = None, **context: Any) -> HTMLResponse:
    notices = [notice_words(n) for n in await read.projections.notifications.inbox(
        actor.name, actor.role.value, limit=INBOX_PAGE, before=before)]
    tasks = await read.tasks_for_role(actor.role.value)
    person = await read.person(actor.name) or {"email": None, "digest": True}
    feeds = {scope: calendar.feed_urls(str(request.base_url), request.app.state.secret, feed)
             for scope in calendar.SCOPES
             if (feed := await read.calendar.current(actor.name, actor.role.value, scope))}
    return render(request, "inbox.html", status, actor=actor, tasks=tasks, person=person,
                  notices=notices, notices_page=INBOX_PAGE, before=before,
                  feeds=feeds, unit_feed=may_operate(actor.role, "unit_calendar"), **context)


@router.post("/inbox/read")
async def notice_read(request: Request, actor: Viewer, read: Reader,
                      csrf: Annotated[str, Form()] = "", id: Annotated[str, Form()] = "",
                      before: Annotated[str, Form()] = "") -> Response:
    """Marks one of the person's notices read (or every one, id=all), back to the page it
    was on."""
    check_csrf(request, csrf)
    notices = read.projections.notifications
    if id == "all":
        await notices.mark_all_read(actor.name, actor.role.value)
    elif (notice := whole_number(id)) is not None:
        await notices.mark_read(notice, actor.name)
    page = f"?before={page_end}" if (page_end := whole_number(before)) else ""
    return RedirectResponse(f"/inbox{page}#notices", status_code=303)


@router.post("/preferences")
async def preferences(request: Request, actor: Viewer, read: Reader,
                      csrf: Annotated[str, Form()] = "", email: Annotated[str, Form()] = "",
                      digest: Annotated[str | None, Form()] = None) -> Response:
    check_csrf(request, csrf)
    try:
        prefs = Preferences(email=email.strip() or None, digest=digest is not None)
    except ValidationError:
        return await inbox_page(request, actor, read, 422,
                                error=_("{email} is not an e-mail address.").format(email=repr(email)))
    await read.set_person(actor.name, actor.role.value, prefs)
    return RedirectResponse("/inbox#preferences", status_code=303)


@router.post("/calendar/feed")
async def calendar_feed(request: Request, actor: Viewer, read: Reader, store: Store,
                        csrf: Annotated[str, Form()] = "", action: Annotated[str, Form()] = "",
                        scope: Annotated[str, Form()] = "person",
                        reason: Annotated[str, Form()] = "") -> Response:
    """The inbox's calendar form: make the feed URL, or revoke it (with a reason)."""
    check_csrf(request, csrf)
    scope = scope if scope in calendar.SCOPES else "person"
    try:
        if action == "revoke":
            await calendar_routes.revoke(actor, read, store, {"reason": reason, "scope": scope})
        else:
            await calendar_routes.feed_url(request, actor, read, store, scope)
    except ApiError as e:
        return await inbox_page(request, actor, read, e.status, error=e.message)
    return RedirectResponse("/inbox#calendar", status_code=303)
