"""Web sessions kept in PostgreSQL (store/accounts.py): the cookie holds a random id whose hash
names the row; HttpOnly, SameSite=Lax, Secure when served over https; an idle timeout and an
absolute one; a session is `active` only once every step of the sign-in is done (password, then
the second factor, its enrolment or a new password). CSRF tokens are an HMAC of the browser's
session id (or, before sign-in, of an anonymous cookie), so that a form only works in the
browser it was served to."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import Request
from starlette.responses import Response

from domain import Actor, Role
from settings import Settings
from store.accounts import Accounts

from ..errors import ApiError

COOKIE = "studyflow_session"
PRE_COOKIE = "studyflow_browser"  # before sign-in: binds the login form and OIDC state
TOUCH_EVERY = timedelta(seconds=30)  # last_seen_at is written at most this often
ACTIVE = "active"
ACCOUNT_METHODS = ("password", "oidc")  # sessions of a person's account (not a pasted token)


class LoginRequired(Exception):
    """No active session: the page answers with the login form (`expired`: it timed out)."""

    def __init__(self, expired: bool = False) -> None:
        super().__init__("login required")
        self.expired = expired


@dataclass(frozen=True)
class WebSession:
    sid: str
    actor: str
    role: str
    method: str  # password | oidc | token
    stage: str
    auth_time: datetime
    data: dict[str, Any]

    @property
    def as_actor(self) -> Actor:
        return Actor(name=self.actor, role=Role(self.role))

    @property
    def is_account(self) -> bool:
        return self.method in ACCOUNT_METHODS


def accounts(request: Request) -> Accounts:
    return Accounts(request.app.state.pool)


def _settings(request: Request) -> Settings:
    return request.app.state.settings


async def current(request: Request) -> WebSession | None:
    """The browser's session, whatever its stage; None if there is none or it timed out (then
    `request.state.session_expired` is set)."""
    if hasattr(request.state, "web_session"):
        return request.state.web_session  # type: ignore[no-any-return]
    found = await _load(request)
    request.state.web_session = found
    return found


async def _load(request: Request) -> WebSession | None:
    sid = request.cookies.get(COOKIE, "")
    if not sid:
        return None
    store = accounts(request)
    row = await store.session(sid)
    if row is None:
        return None
    settings = _settings(request)
    now = datetime.now(UTC)
    idle = timedelta(minutes=settings.session_idle_minutes)
    if now >= row["expires_at"] or now - row["last_seen_at"] > idle:
        await store.close_session(sid)
        request.state.session_expired = True
        return None
    if row["method"] == "token" and not await _token_still_valid(request, row["data"]):
        await store.close_session(sid)
        return None
    if now - row["last_seen_at"] > TOUCH_EVERY:
        await store.touch_session(sid)
    return WebSession(sid, row["actor"], row["role"], row["method"], row["stage"],
                      row["auth_time"], dict(row["data"] or {}))


async def _token_still_valid(request: Request, data: dict[str, Any]) -> bool:
    """A token login lasts no longer than its token (revoked, expired)."""
    from store.db import q

    row = await request.app.state.pool.fetchrow(q("resolve_token"), data.get("token_hash", ""))
    return row is not None


async def active(request: Request) -> WebSession:
    """The signed-in person's session, or LoginRequired."""
    session = await current(request)
    if session is None or session.stage != ACTIVE:
        raise LoginRequired(expired=bool(getattr(request.state, "session_expired", False)))
    return session


async def open_session(request: Request, response: Response, actor: str, role: str,
                       method: str, stage: str, data: dict[str, Any] | None = None) -> str:
    """A new session for `actor` (a previous one of this browser is closed: no fixation)."""
    old = request.cookies.get(COOKIE)
    store = accounts(request)
    if old:
        await store.close_session(old)
    settings = _settings(request)
    sid = await store.open_session(actor, role, method, stage,
                                   timedelta(hours=settings.session_absolute_hours), data)
    set_cookie(request, response, COOKIE, sid, int(settings.session_absolute_hours * 3600))
    request.state.web_session = WebSession(sid, actor, role, method, stage,
                                           datetime.now(UTC), dict(data or {}))
    return sid


async def close(request: Request, response: Response) -> WebSession | None:
    session = await current(request)
    if sid := request.cookies.get(COOKIE):
        await accounts(request).close_session(sid)
    response.delete_cookie(COOKIE, path="/")
    return session


def secure(request: Request) -> bool:
    forced = _settings(request).session_cookie_secure
    return request.url.scheme == "https" if forced is None else forced


def set_cookie(request: Request, response: Response, name: str, value: str,
               max_age: int | None) -> None:
    # Lax, not Strict: the answer of the directory (a navigation from its site) must reach
    # the session; the forms are guarded by their CSRF token, the JSON API by bearer tokens
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="lax",
                        secure=secure(request))


# --- CSRF -------------------------------------------------------------------------------------
def browser_id(request: Request) -> str:
    """What this browser's forms are bound to: its session cookie, else its anonymous cookie
    (made now, set on the answer by `finish`)."""
    sid = request.cookies.get(COOKIE)
    if sid:
        return "s:" + sid
    pre = request.cookies.get(PRE_COOKIE) or getattr(request.state, "new_browser", None)
    if not pre:
        pre = request.state.new_browser = secrets.token_urlsafe(24)
    return "b:" + pre


def csrf_token(request: Request) -> str:
    bound = browser_id(request)
    return hmac.new(request.app.state.secret, b"csrf:" + bound.encode(),
                    hashlib.sha256).hexdigest()[:40]


def check_csrf(request: Request, token: str) -> None:
    if not token or not hmac.compare_digest(csrf_token(request), token):
        raise ApiError(403, "csrf", "the form expired or came from elsewhere: reload the page")


def finish(request: Request, response: Response) -> Response:
    """Set the anonymous cookie made while rendering, if any."""
    if new := getattr(request.state, "new_browser", None):
        set_cookie(request, response, PRE_COOKIE, new, None)
    return response
