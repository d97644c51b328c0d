"""Sign-in pages and endpoints: the login form (local account: `username`, `password`, then the
second factor; a personal `token` while WEB_TOKEN_LOGIN is on; OpenID Connect when configured),
the TOTP enrolment, the change of a one-time password, sign-out (here, everywhere), the
person's account page (sessions, personal tokens), the OpenID Connect callback, and the JSON
endpoints for personal tokens and sign tokens. Every sign-in, failure, lock-out, enrolment and
role change is an event of the operations stream (21 CFR 11.300(d))."""

import html
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote

import structlog
from fastapi import APIRouter, Body, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from domain import Actor, Role
from domain.signatures import meaning as signature_meaning
from domain.signatures import needs_signature
from i18n import gettext as _
from i18n import reasons
from settings import Settings
from store import operations
from store.accounts import Accounts, digest

from ..auth import local, oidc, sessions, signatures
from ..auth.sessions import ACTIVE, WebSession
from ..deps import CurrentActor, authenticate
from ..errors import ApiError
from ..pages import render

log = structlog.get_logger()
router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["people"])
CALLBACK = "/auth/oidc/callback"
STAGE_PAGES = {"new_password": "/login/password", "enrol": "/login/enrol",
               "second_factor": "/login/second-factor", ACTIVE: "/"}


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _accounts(request: Request) -> Accounts:
    return Accounts(request.app.state.pool)




async def audit(request: Request, type: str, data: dict[str, Any], *, by: str, role: str,
                reason: str) -> None:
    client = request.client.host if request.client else "?"
    await operations.record(request.app.state.event_store, type, {**data, "client": client},
                            by=by, reason=reason, role=role)


# --- the login page -----------------------------------------------------------------------------
def _login_context(request: Request, **extra: Any) -> dict[str, Any]:
    settings = _settings(request)
    return {"token_login": settings.web_token_login, "oidc": oidc.configured(settings),
            "provider": settings.oidc_provider_name, **extra}


def login_page(request: Request, status: int = 200, **extra: Any) -> HTMLResponse:
    return render(request, "login.html", status, **_login_context(request, **extra))


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, expired: int = 0) -> HTMLResponse:
    session = await sessions.current(request)
    if session is not None and session.stage != ACTIVE:
        return RedirectResponse(STAGE_PAGES[session.stage], status_code=303)  # type: ignore
    return login_page(request, expired=bool(expired))


@router.post("/login")
async def login(request: Request, username: Annotated[str, Form()] = "",
                password: Annotated[str, Form()] = "", token: Annotated[str, Form()] = "",
                csrf: Annotated[str, Form()] = "") -> Response:
    limiter = request.app.state.login_limiter
    client = request.client.host if request.client else "?"
    if wait := limiter.retry_after(client):
        return login_page(request, 429, error=_("too many failed logins from {client}: try again in {wait} s"
                                                ).format(
                              client=client, wait=wait), username=username)
    sessions.check_csrf(request, csrf)
    if token.strip():
        return await _token_login(request, token.strip())
    return await _password_login(request, username.strip(), password)


async def _token_login(request: Request, token: str) -> Response:
    if not _settings(request).web_token_login:
        return login_page(request, 403, error=_("Sign-in with a token is turned off here: use your account."))
    try:
        actor = await authenticate(request, request.app.state.read_models, token)
    except ApiError as e:
        return login_page(request, e.status, error=e.message)
    if actor is None:
        return login_page(request, 401, error=_("This token is not valid."))
    response = RedirectResponse("/", status_code=303)
    sid = await sessions.open_session(request, response, actor.name, actor.role.value, "token",
                                      ACTIVE, {"token_hash": digest(token)})
    await audit(request, "SignedIn", {"account": actor.name, "method": "token",
                                      "session": digest(sid)[:12]},
                by=actor.name, role=actor.role.value, reason=reasons.SIGNED_IN_WITH_TOKEN)
    return response


async def _password_login(request: Request, name: str, password: str) -> Response:
    settings = _settings(request)
    check = await local.check_password(_accounts(request), settings, name, password)
    if not check.ok:
        await _failure(request, name, check, "password")
        request.app.state.login_limiter.failed(request.client.host if request.client else "?")
        return login_page(request, 423 if check.problem == "locked" else 401,
                          error=_failure_words(check, settings), username=name)
    account = check.account
    assert account is not None
    response = RedirectResponse("/", status_code=303)
    stage = _next_stage(account, settings, after="password")
    sid = await sessions.open_session(request, response, account["actor"], account["role"],
                                      "password", stage)
    if stage == ACTIVE:
        await _signed_in(request, account, sid, "password")
    response.headers["location"] = STAGE_PAGES[stage]
    return response


def _next_stage(account: dict[str, Any], settings: Settings, after: str) -> str:
    order = ["password", "new_password", "second_factor"]
    done = order.index(after)
    if done < 1 and account["password_one_time"]:
        return "new_password"
    if done < 2 and (account["totp_secret"] or settings.totp_required):
        return "second_factor" if account["totp_secret"] else "enrol"
    return ACTIVE


def _failure_words(check: local.Check, settings: Settings) -> str:
    if check.problem == "locked" or check.locked_now:
        return _("This account is locked after {n} failed attempts: try again in {minutes} "
                 "minutes, or ask an administrator.").format(
            n=settings.lockout_threshold, minutes=f"{settings.lockout_minutes:g}")
    if check.problem == "disabled":
        return _("This account is disabled: ask an administrator.")
    if check.problem == "wrong_code":
        return _("This code is not valid (or was already used): enter the current one.")
    return _("The user name or the password is wrong.")


async def _failure(request: Request, name: str, check: local.Check, method: str) -> None:
    account = check.account
    by = account["actor"] if account else "anonymous"
    role = account["role"] if account else "system"
    await audit(request, "SignInFailed", {"account": name[:64], "method": method,
                                          "problem": check.problem},
                by=by, role=role, reason=f"sign-in failed: {check.problem}")
    if check.locked_now and account:
        await audit(request, "AccountLocked", {
            "account": account["actor"], "failures": account["failed_attempts"],
            "until": account["locked_until"].isoformat() if account["locked_until"] else None},
            by=account["actor"], role=account["role"],
            reason=reasons.LOCKED)


async def _signed_in(request: Request, account: dict[str, Any], sid: str, method: str) -> None:
    await _accounts(request).succeeded(account["actor"])
    await audit(request, "SignedIn", {"account": account["actor"], "method": method,
                                      "session": digest(sid)[:12]},
                by=account["actor"], role=account["role"], reason=f"signed in ({method})")


async def _pending(request: Request, stage: str) -> tuple[WebSession, dict[str, Any]]:
    session = await sessions.current(request)
    if session is None or session.stage != stage:
        raise sessions.LoginRequired(expired=bool(getattr(request.state, "session_expired",
                                                          False)))
    account = await _accounts(request).get(session.actor)
    if account is None or account["disabled_at"] is not None:
        raise sessions.LoginRequired()
    return session, account


# --- the steps after the password -----------------------------------------------------------------
@router.get("/login/second-factor", response_class=HTMLResponse)
async def second_factor_form(request: Request) -> HTMLResponse:
    await _pending(request, "second_factor")
    return render(request, "login_code.html")


@router.post("/login/second-factor")
async def second_factor(request: Request, code: Annotated[str, Form()] = "",
                        csrf: Annotated[str, Form()] = "") -> Response:
    sessions.check_csrf(request, csrf)
    session, account = await _pending(request, "second_factor")
    settings = _settings(request)
    check = await local.check_totp(_accounts(request), settings, account, code)
    if not check.ok:
        await _failure(request, account["actor"], check, "totp")
        if check.problem == "locked" or check.locked_now:
            await sessions.close(request, Response())
            return login_page(request, 423, error=_failure_words(check, settings))
        return render(request, "login_code.html", 401, error=_failure_words(check, settings))
    await _accounts(request).session_stage(session.sid, ACTIVE)
    await _signed_in(request, account, session.sid, "password+totp")
    return RedirectResponse("/", status_code=303)


@router.get("/login/enrol", response_class=HTMLResponse)
async def enrol_form(request: Request) -> HTMLResponse:
    session, account = await _pending(request, "enrol")
    return await _enrol_page(request, session, account)


async def _enrol_page(request: Request, session: WebSession, account: dict[str, Any],
                      status: int = 200, error: str | None = None) -> HTMLResponse:
    secret = session.data.get("totp_pending")
    if not secret:  # one secret per enrolment, kept in the session until confirmed
        secret = local.new_totp_secret()
        await _accounts(request).set_session_data(session.sid, {**session.data,
                                                                "totp_pending": secret})
    uri = local.provisioning_uri(secret, account["actor"], _settings(request).totp_issuer)
    return render(request, "login_enrol.html", status, qr=local.qr_svg(uri), secret=secret,
                   uri=uri, error=error)


@router.post("/login/enrol")
async def enrol(request: Request, code: Annotated[str, Form()] = "",
                csrf: Annotated[str, Form()] = "") -> Response:
    sessions.check_csrf(request, csrf)
    session, account = await _pending(request, "enrol")
    settings = _settings(request)
    secret = session.data.get("totp_pending")
    check = await local.check_totp(_accounts(request), settings, account, code, secret=secret)
    if not secret or not check.ok:
        await _failure(request, account["actor"], check, "totp_enrolment")
        if check.problem == "locked" or check.locked_now:
            await sessions.close(request, Response())
            return login_page(request, 423, error=_failure_words(check, settings))
        return await _enrol_page(request, session, account, 401,
                                 "This code is not valid: scan the code again and enter the "
                                 "six digits your app shows now.")
    store = _accounts(request)
    await store.set_totp(account["actor"], secret)
    await store.use_totp_step(account["actor"], local.totp_step(secret, code) or 0)
    await store.set_session_data(session.sid, {k: v for k, v in session.data.items()
                                               if k != "totp_pending"})
    await store.session_stage(session.sid, ACTIVE)
    await audit(request, "TotpEnrolled", {"account": account["actor"]}, by=account["actor"],
                role=account["role"], reason=reasons.SECOND_FACTOR_ENROLLED)
    await _signed_in(request, account, session.sid, "password+totp")
    return RedirectResponse("/", status_code=303)


@router.get("/login/password", response_class=HTMLResponse)
async def new_password_form(request: Request) -> HTMLResponse:
    await _pending(request, "new_password")
    return render(request, "login_password.html",
                   min_length=_settings(request).password_min_length)


@router.post("/login/password")
async def new_password(request: Request, password: Annotated[str, Form()] = "",
                       confirm: Annotated[str, Form()] = "",
                       csrf: Annotated[str, Form()] = "") -> Response:
    sessions.check_csrf(request, csrf)
    session, account = await _pending(request, "new_password")
    settings = _settings(request)
    problems = local.password_problems(password, settings, account["actor"])
    if password != confirm:
        problems.append(_("the two entries must be the same"))
    if local.verify_password(account["password_hash"], password):
        problems.append(_("not the one-time password"))
    if problems:
        return render(request, "login_password.html", 422,
                       error=_("The new password needs: {problems}.").format(problems="; ".join(problems)),
                       min_length=settings.password_min_length)
    store = _accounts(request)
    await store.set_password(account["actor"], local.hash_password(password), one_time=False)
    await audit(request, "PasswordChanged", {"account": account["actor"]},
                by=account["actor"], role=account["role"], reason=reasons.PASSWORD_REPLACED)
    stage = _next_stage(account, settings, after="new_password")
    await store.session_stage(session.sid, stage)
    if stage == ACTIVE:
        await _signed_in(request, account, session.sid, "password")
    return RedirectResponse(STAGE_PAGES[stage], status_code=303)


# --- signing out ------------------------------------------------------------------------------------
@router.post("/logout")
async def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    sessions.check_csrf(request, csrf)
    response = RedirectResponse("/login", status_code=303)
    session = await sessions.close(request, response)
    if session is not None:
        await audit(request, "SignedOut", {"account": session.actor, "everywhere": False},
                    by=session.actor, role=session.role, reason=reasons.SIGNED_OUT)
    return response


@router.post("/logout/everywhere")
async def logout_everywhere(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    sessions.check_csrf(request, csrf)
    session = await sessions.active(request)
    closed = await _accounts(request).close_sessions(session.actor)
    response = RedirectResponse("/login", status_code=303)
    await sessions.close(request, response)
    await audit(request, "SignedOut", {"account": session.actor, "everywhere": True,
                                       "sessions": closed},
                by=session.actor, role=session.role, reason=reasons.SIGNED_OUT_EVERYWHERE)
    return response


# --- the person's account page: sessions and personal tokens ---------------------------------------
@router.get("/account", response_class=HTMLResponse)
async def account_page(request: Request) -> HTMLResponse:
    session = await sessions.active(request)
    return await _account_page(request, session)


async def _account_page(request: Request, session: WebSession, status: int = 200,
                        **extra: Any) -> HTMLResponse:
    store = _accounts(request)
    account = await store.get(session.actor)
    return render(request, "account.html", status, actor=session.as_actor, session=session,
                   account=account, sessions=await store.sessions(session.actor),
                   tokens=await store.tokens(session.actor),
                   current=digest(session.sid), **extra)


@router.post("/account/tokens")
async def create_token_page(request: Request, csrf: Annotated[str, Form()] = "",
                            label: Annotated[str, Form()] = "",
                            days: Annotated[str, Form()] = "30") -> Response:
    sessions.check_csrf(request, csrf)
    session = await sessions.active(request)
    try:
        token = await issue_personal_token(request, session.as_actor, label, days)
    except ApiError as e:
        return await _account_page(request, session, e.status, error=e.message)
    return await _account_page(request, session, 201, new_token=token)


@router.post("/account/tokens/revoke")
async def revoke_token_page(request: Request, csrf: Annotated[str, Form()] = "",
                            token_id: Annotated[str, Form()] = "") -> Response:
    sessions.check_csrf(request, csrf)
    session = await sessions.active(request)
    try:
        await revoke_personal_token(request, session.as_actor, token_id)
    except ApiError as e:
        return await _account_page(request, session, e.status, error=e.message)
    return RedirectResponse("/account#tokens", status_code=303)


async def issue_personal_token(request: Request, actor: Actor, label: str, days: Any,
                               scopes: tuple[str, ...] = (),
                               lifetime: timedelta | None = None) -> dict[str, Any]:
    label = label.strip()[:80]
    if not label:
        raise ApiError(422, "label_required", "name the token (what script uses it)")
    if lifetime is None:
        try:
            n = int(days)
        except (TypeError, ValueError):
            n = 0
        if not 1 <= n <= 365:
            raise ApiError(422, "invalid_expiry", "a personal token expires in 1 to 365 days")
        lifetime = timedelta(days=n)
    expires = datetime.now(UTC) + lifetime
    token = await _accounts(request).create_token(actor.name, actor.role.value, label=label,
                                                  expires_at=expires, scopes=scopes)
    tid = digest(token)[:12]
    await audit(request, "TokenIssued", {"token_id": tid, "actor": actor.name,
                                         "role": actor.role.value, "label": label,
                                         "scopes": list(scopes),
                                         "expires_at": expires.isoformat()},
                by=actor.name, role=actor.role.value, reason=f"personal token: {label}")
    return {"token": token, "token_id": tid, "label": label, "scopes": list(scopes),
            "expires_at": expires.isoformat()}


async def revoke_personal_token(request: Request, actor: Actor, token_id: str) -> None:
    try:
        row = await _accounts(request).revoke_token(actor.name, token_id.strip())
    except LookupError:
        row = None
    if row is None:
        raise ApiError(404, "token_not_found", f"you have no active token {token_id!r}")
    request.app.state.token_cache.forget()  # at once here, whenever the announcement comes
    await audit(request, "TokenRevoked", {"token_id": row["token_id"], "actor": actor.name,
                                          "role": row["role"]},
                by=actor.name, role=actor.role.value, reason=reasons.REVOKED_BY_OWNER)


# --- JSON: personal tokens and sign tokens ----------------------------------------------------------
@api_router.get("/me/tokens", summary="The caller's active tokens (never the tokens themselves)")
async def my_tokens(request: Request, actor: CurrentActor) -> list[dict[str, Any]]:
    return [{**t, "scopes": list(t["scopes"] or [])}
            for t in await _accounts(request).tokens(actor.name)]


@api_router.post("/me/tokens", status_code=201,
                 summary="A new personal token for the caller (shown once), with an expiry")
async def new_token(request: Request, actor: CurrentActor,
                    body: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    return await issue_personal_token(request, actor, str(body.get("label") or ""),
                                      body.get("expires_in_days", 30))


@api_router.delete("/me/tokens/{token_id}", summary="Revoke one of the caller's tokens")
async def delete_token(request: Request, token_id: str, actor: CurrentActor) -> dict[str, Any]:
    await revoke_personal_token(request, actor, token_id)
    return {"token_id": token_id, "revoked": True}


@api_router.post("/auth/sign-token", status_code=201,
                 summary="A token scoped `sign`, valid SIGN_MAX_AGE_SECONDS (default 5 min), "
                         "for a script to sign regulatory facts: authenticate with "
                         "`username`, `password` and the TOTP `code`")
async def sign_token(request: Request, body: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    settings = _settings(request)
    name, password = str(body.get("username") or ""), str(body.get("password") or "")
    store = _accounts(request)
    check = await local.check_password(store, settings, name, password)
    if check.ok and check.account and check.account["totp_secret"]:
        check = await local.check_totp(store, settings, check.account, str(body.get("code")
                                                                              or ""))
    elif check.ok and settings.totp_required:
        check = local.Check(False, check.account, "second_factor_not_enrolled")
    if not check.ok:
        await _failure(request, name, check, "sign-token")
        raise ApiError(423 if check.problem == "locked" else 401, "authentication_failed",
                       _failure_words(check, settings))
    account = check.account
    assert account is not None
    await store.succeeded(account["actor"])
    actor = Actor(name=account["actor"], role=Role(account["role"]))
    return await issue_personal_token(
        request, actor, str(body.get("label") or "sign token"), None,
        scopes=(signatures.SIGN_SCOPE,),
        lifetime=timedelta(seconds=settings.sign_max_age_seconds))


# --- OpenID Connect -----------------------------------------------------------------------------------
def oidc_client(request: Request) -> oidc.OidcClient:
    client = getattr(request.app.state, "oidc", None)
    if client is None:
        if not oidc.configured(_settings(request)):
            raise ApiError(404, "oidc_not_configured", "sign-in with a directory is not set up")
        client = request.app.state.oidc = oidc.OidcClient(_settings(request))
    return client  # type: ignore[no-any-return]


def redirect_uri(request: Request) -> str:
    return _settings(request).oidc_redirect_url or str(request.base_url).rstrip("/") + CALLBACK


def _browser(request: Request, response: Response) -> str:
    """The anonymous cookie the directory's answer is bound to (Lax: it comes back with it)."""
    value = request.cookies.get(sessions.PRE_COOKIE)
    if not value:
        sessions.browser_id(request)
        value = request.state.new_browser
        sessions.finish(request, response)
    return value


@router.get("/login/oidc")
async def oidc_login(request: Request) -> Response:
    try:
        url, state, nonce, verifier = await oidc_client(request).authorization_url(
            redirect_uri(request))
    except oidc.OidcError as e:
        return login_page(request, 502, error=e.message)
    response = RedirectResponse(url, status_code=303)
    await _accounts(request).remember_oidc(state, _browser(request, response), nonce,
                                           verifier, "login", {})
    return response


async def start_oidc_signature(request: Request, session: WebSession, action: str,
                               fields: dict[str, Any]) -> Response:
    """Send the person to the directory to authenticate again (prompt=login, max_age=0); the
    command comes back for confirmation on /auth/oidc/callback."""
    try:
        url, state, nonce, verifier = await oidc_client(request).authorization_url(
            redirect_uri(request), fresh=True)
    except oidc.OidcError as e:
        raise ApiError(502, e.code, e.message) from None
    # a page that moves on, not a redirect: the answer to a form may only redirect to this
    # site (CSP form-action 'self')
    response = _continue_to(request, url)
    await _accounts(request).remember_oidc(state, _browser(request, response), nonce, verifier,
                                           "sign", {"action": action, "fields": fields,
                                                    "actor": session.actor,
                                                    "asked_at": int(datetime.now(UTC)
                                                                    .timestamp())})
    return response


@router.get(CALLBACK)
async def oidc_callback(request: Request, state: str = "", code: str = "", error: str = "",
                        error_description: str = "") -> Response:
    browser = request.cookies.get(sessions.PRE_COOKIE, "")
    pending = await _accounts(request).take_oidc(state, browser) if state and browser else None
    if pending is None:
        return login_page(request, 400, error=_("This sign-in answer is unknown, expired or was "
                                                     "already used: start again."))
    if error:
        return login_page(request, 401, error=_("The directory refused: {why}").format(
            why=error_description or error))
    payload = dict(pending["payload"] or {})
    fresh_since = payload.get("asked_at") if pending["purpose"] == "sign" else None
    try:
        identity = await oidc_client(request).exchange(
            redirect_uri(request), code, pending["code_verifier"], pending["nonce"],
            fresh_since=fresh_since)
    except oidc.OidcError as e:
        await audit(request, "SignInFailed", {"account": "?", "method": "oidc",
                                              "problem": e.code},
                    by="anonymous", role="system", reason=f"sign-in failed: {e.code}")
        return login_page(request, 401, error=e.message)
    if pending["purpose"] == "sign":
        return await _oidc_signed(request, identity, payload)
    return await _oidc_signed_in(request, identity)


async def _oidc_signed_in(request: Request, identity: oidc.Identity) -> Response:
    store = _accounts(request)
    if identity.role is None:
        await audit(request, "SignInFailed", {"account": identity.name, "method": "oidc",
                                              "problem": "no_mapped_role",
                                              "groups": list(identity.groups)},
                    by=identity.name, role="system", reason=reasons.NO_ROLE)
        return render(request, "unmapped.html", 403, account_name=identity.name,
                       printed_name=identity.printed_name, groups=identity.groups,
                       claim=_settings(request).oidc_role_claim)
    account = await store.by_subject(identity.issuer, identity.subject)
    if account is None:
        if await store.get(identity.name) is not None:
            return login_page(request, 409, error=_("An account named {name} already exists here: "
                                                     "ask an administrator to link it.").format(
                                                         name=repr(identity.name)))
        account = await store.create(identity.name, identity.role.value, kind="oidc",
                                     printed_name=identity.printed_name, email=identity.email,
                                     issuer=identity.issuer, subject=identity.subject)
        await audit(request, "AccountCreated", {"account": identity.name, "kind": "oidc",
                                                "role": identity.role.value,
                                                "subject": identity.subject},
                    by=identity.name, role=identity.role.value,
                    reason=reasons.FIRST_DIRECTORY_SIGN_IN)
    if account["disabled_at"] is not None:
        await audit(request, "SignInFailed", {"account": account["actor"], "method": "oidc",
                                              "problem": "disabled"},
                    by=account["actor"], role=account["role"], reason=reasons.DISABLED_SIGN_IN)
        return login_page(request, 403, error=_("This account is disabled: ask an administrator."))
    if account["role"] != identity.role.value:
        await store.set_role(account["actor"], identity.role.value)
        await audit(request, "RoleChanged", {"account": account["actor"],
                                             "from": account["role"],
                                             "to": identity.role.value, "source": "directory"},
                    by=account["actor"], role=identity.role.value,
                    reason=reasons.DIRECTORY_ROLE)
        account = {**account, "role": identity.role.value}
    response = _continue_to(request, "/")
    sid = await sessions.open_session(request, response, account["actor"], account["role"],
                                      "oidc", ACTIVE, {"subject": identity.subject})
    await _signed_in(request, account, sid, "oidc")
    return response


async def _oidc_signed(request: Request, identity: oidc.Identity,
                       payload: dict[str, Any]) -> Response:
    """Back from a re-authentication for a signature: the same person, freshly authenticated;
    the command is shown once more with its meaning, to be confirmed."""
    session = await sessions.active(request)
    account = await _accounts(request).get(session.actor)
    if (account is None or account["oidc_subject"] != identity.subject
            or payload.get("actor") != session.actor):
        await _failure(request, session.actor, local.Check(False, account, "other_person"),
                       "signature")
        raise ApiError(403, "signature_failed", "the directory authenticated someone else: "
                       "the command was not signed")
    fields = dict(payload.get("fields") or {})
    kind = str(fields.get("type", ""))
    auth_time = int(identity.auth_time or datetime.now(UTC).timestamp())
    grant = {"kind": kind, "action": payload.get("action"), "auth_time": auth_time}
    await _accounts(request).set_session_data(session.sid, {**session.data,
                                                            "sign_grant": grant})
    return render(request, "confirm_signature.html", actor=session.as_actor,
                   action=payload.get("action"), fields=fields, kind=kind,
                   meaning=signature_meaning(kind) if needs_signature(kind) else "",
                   printed_name=account["printed_name"],
                   at=datetime.fromtimestamp(auth_time, UTC))


def _continue_to(request: Request, path: str) -> HTMLResponse:
    """A page that moves on to `path` by itself (after the directory's redirect, so that the
    new session's cookie goes with the next request; towards the directory, after a form)."""
    target = html.escape(path if path.startswith(("http://", "https://"))
                         else quote(path, safe="/?=&#"))
    return HTMLResponse(f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
                        f'<meta http-equiv="refresh" content="0;url={target}">'
                        f'<title>Signed in</title></head><body><p><a href="{target}">'
                        f'Continue</a></p></body></html>')


# --- signing a form on the web --------------------------------------------------------------------
async def sign_web_form(request: Request, actor: Actor, form: dict[str, Any], kind: str,
                        action: str) -> Response | None:
    """Bind what the person can sign with to this request, before the command is sent: for a
    command that records a regulatory fact, the password and TOTP code typed in the form (a
    local account), or a re-authentication at the directory just made (an OIDC account: a
    redirect to it first). Refusals are ApiErrors, shown on the page."""
    settings = _settings(request)
    session = await sessions.active(request)
    account = await _accounts(request).get(actor.name) if session.is_account else None
    printed = account["printed_name"] if account else actor.name
    base = signatures.Signing(
        actor.name, printed, required=settings.signatures_required or session.is_account,
        max_age=timedelta(seconds=settings.sign_max_age_seconds),
        why_not="a token login cannot sign: sign in with your account" if not session.is_account
        else "authenticate again to sign")
    signatures.bind(base)
    if not needs_signature(kind) or account is None:
        return None
    now = datetime.now(UTC)
    if session.method == "oidc":
        grant = session.data.get("sign_grant") or {}
        at = datetime.fromtimestamp(int(grant.get("auth_time", 0)), UTC)
        if grant.get("kind") == kind and grant.get("action") == action and \
                now - at <= base.max_age:
            await _accounts(request).set_session_data(session.sid, {
                k: v for k, v in session.data.items() if k != "sign_grant"})  # used once
            signatures.bind(signatures.with_fresh(base, "oidc", at))
            return None
        fields = {k: v for k, v in form.items() if not k.startswith("signature_")}
        return await start_oidc_signature(request, session, action, fields)
    store = _accounts(request)
    check = await local.check_password(store, settings, actor.name,
                                       str(form.get("signature_password", "")))
    method: signatures.Method = "password"
    if check.ok and check.account and check.account["totp_secret"]:
        check = await local.check_totp(store, settings, check.account,
                                       str(form.get("signature_code", "")))
        method = "password+totp"
    if not check.ok:
        await _failure(request, actor.name, check, "signature")
        raise ApiError(401, "signature_failed", "Not signed: " + _failure_words(check, settings))
    signatures.bind(signatures.with_fresh(base, method, now))
    return None
