"""Local accounts, web sessions, personal tokens and signatures over HTTP, against the session's
real stack: `studyflow user create` in a real process, the login form's `username` and
`password` then the TOTP code (computed as a phone would), the lock-out, the audit events."""

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pyotp
import pytest

import scenarios
from stack.runner import Stack
from store import EventStore, ReadModels, token_hash
from tests.days import today

from .test_fuzz_api import FUZZ_TIMEOUT, WITHOUT_REVOKE, signed_in

CLI = [sys.executable, "-m", "cli.main"]
STRONG = "Correct-Horse-42-battery"


def cli(stack: Stack, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TEMPORAL_ADDRESS"}
    env["DATABASE_URL"] = stack.info["database_url"]
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, env=env,
                          check=check)


def code(secret: str, steps_ahead: int = 0) -> str:
    """The code a phone shows now (or `steps_ahead` 30 s steps later: each code is taken once)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


class Browser:
    """A cookie jar and the forms of the pages, as a browser would post them."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.csrf = ""
        self.enrolment_code = ""  # the TOTP code this browser's account was enrolled with

    async def get(self, path: str) -> httpx.Response:
        r = await self.http.get(path)
        if 'name="csrf"' in r.text:
            self.csrf = csrf_of(r.text)
        return r

    async def post(self, path: str, data: dict[str, Any], csrf: bool = True) -> httpx.Response:
        r = await self.http.post(path, data={**({"csrf": self.csrf} if csrf else {}), **data})
        if 'name="csrf"' in r.text:
            self.csrf = csrf_of(r.text)
        return r

    async def follow(self, r: httpx.Response) -> httpx.Response:
        while r.status_code in (302, 303):
            r = await self.get(r.headers["location"])
        return r


@pytest.fixture
async def browser(stack: Stack) -> AsyncIterator[Browser]:
    async with httpx.AsyncClient(base_url=stack.web_url, timeout=60) as http:
        yield Browser(http)


def new_account(stack: Stack, role: str = "coordinator") -> tuple[str, str]:
    name = f"acc-{uuid.uuid4().hex[:8]}"
    out = cli(stack, "user", "create", "--actor", name, "--role", role, "--email",
              f"{name}@chu.test", "--name", f"Dr {name.title()}").stdout
    lines = out.strip().splitlines()
    assert len(lines) == 1, out  # the one-time password alone, on one line
    return name, lines[0]


async def enrolled(browser: Browser, stack: Stack, role: str = "coordinator"
                   ) -> tuple[str, str, str]:
    """A new account signed in: one-time password changed, TOTP enrolled. (name, password,
    TOTP secret)"""
    name, once = new_account(stack, role)
    await browser.get("/login")
    r = await browser.post("/login", {"username": name, "password": once})
    assert r.status_code == 303 and r.headers["location"] == "/login/password"
    await browser.get("/login/password")
    r = await browser.post("/login/password", {"password": STRONG, "confirm": STRONG})
    assert r.status_code == 303 and r.headers["location"] == "/login/enrol", r.text
    page = await browser.get("/login/enrol")
    assert "<svg" in page.text  # the QR code, inline
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)  # type: ignore
    browser.enrolment_code = code(secret)
    r = await browser.post("/login/enrol", {"code": browser.enrolment_code})
    assert r.status_code == 303 and r.headers["location"] == "/", r.text
    return name, STRONG, secret


async def operations(stack: Stack, account: str) -> list[str]:
    events = await EventStore(stack.pool).read_stream("operations")
    return [e.type for e in events if e.data.get("account") == account]


async def test_a_local_account_signs_in_with_password_then_totp(browser, stack):
    name, password, secret = await enrolled(browser, stack)
    page = await browser.get("/")
    assert page.status_code == 200 and name in page.text
    cookie = next(c for c in browser.http.cookies.jar if c.name == "studyflow_session")
    assert cookie.has_nonstandard_attr("HttpOnly") and cookie.get_nonstandard_attr(
        "SameSite", "").lower() == "lax"
    assert cookie.value not in str(await stack.pool.fetch("SELECT id_hash FROM web_sessions"))

    # a second sign-in: the password alone is not enough
    async with httpx.AsyncClient(base_url=stack.web_url) as http:
        other = Browser(http)
        await other.get("/login")
        r = await other.post("/login", {"username": name, "password": password})
        assert r.headers["location"] == "/login/second-factor"
        assert (await other.get("/")).headers["location"].startswith("/login")
        await other.get("/login/second-factor")
        # the very code used at enrolment (a new 30 s step may have begun since)
        r = await other.post("/login/second-factor", {"code": browser.enrolment_code})
        assert r.status_code == 401 and "already used" in r.text
        r = await other.post("/login/second-factor", {"code": code(secret, 1)})
        assert r.status_code == 303 and (await other.get("/")).status_code == 200
    types = await operations(stack, name)
    for expected in ("AccountCreated", "PasswordChanged", "TotpEnrolled", "SignedIn",
                     "SignInFailed"):
        assert expected in types, types


async def test_repeated_failures_lock_the_account_and_are_audited(browser, stack):
    name, once = new_account(stack)
    await browser.get("/login")
    for _ in range(5):  # LOCKOUT_THRESHOLD
        r = await browser.post("/login", {"username": name, "password": "wrong-password-1A"})
    assert r.status_code == 401 and "locked" in r.text
    r = await browser.post("/login", {"username": name, "password": once})  # even the right one
    assert r.status_code == 423 and "locked" in r.text
    types = await operations(stack, name)
    assert types.count("SignInFailed") == 6 and "AccountLocked" in types
    cli(stack, "user", "enable", name, "--reason", "called the help desk")
    r = await browser.post("/login", {"username": name, "password": once})
    assert r.status_code == 303


async def test_an_unknown_name_and_a_wrong_password_get_the_same_answer(browser, stack):
    name, _ = new_account(stack)
    await browser.get("/login")
    a = await browser.post("/login", {"username": "nobody-here", "password": "x"})
    b = await browser.post("/login", {"username": name, "password": "x"})
    assert a.status_code == b.status_code == 401
    assert "The user name or the password is wrong." in a.text and \
        "The user name or the password is wrong." in b.text


async def test_password_rules_refuse_a_weak_new_password(browser, stack):
    name, once = new_account(stack)
    await browser.get("/login")
    await browser.post("/login", {"username": name, "password": once})
    await browser.get("/login/password")
    r = await browser.post("/login/password", {"password": "short", "confirm": "short"})
    assert r.status_code == 422 and "at least 12 characters" in r.text


async def test_disabled_accounts_lose_their_sessions_and_tokens(browser, stack):
    name, _, _ = await enrolled(browser, stack)
    await browser.get("/account")
    r = await browser.post("/account/tokens", {"label": "my script", "days": "7"})
    token = re.search(r'id="new-token">([^<]+)<', r.text).group(1)  # type: ignore[union-attr]
    auth = {"Authorization": f"Bearer {token}"}
    assert (await browser.http.get("/api/studies", headers=auth)).status_code == 200
    cli(stack, "user", "disable", name, "--reason", "left the unit")
    assert (await browser.http.get("/api/studies", headers=auth)).status_code == 401
    assert (await browser.http.get("/")).headers["location"].startswith("/login")
    assert "AccountDisabled" in await operations(stack, name)


async def test_a_token_in_use_revoked_by_another_process_is_refused_at_once(api, stack):
    """The web app keeps resolved tokens a few seconds (api/auth/cache.py); a revocation from
    the command line, another process, empties it all the same."""
    token = await ReadModels(stack.pool).create_token("cached-user", "auditor")
    auth = {"Authorization": f"Bearer {token}"}
    for _ in range(3):  # the second and third calls find it in the cache
        assert (await api.http.get("/api/studies", headers=auth)).status_code == 200
    cli(stack, "token", "revoke", token_hash(token)[:12], "--reason", "leaked")
    assert (await api.http.get("/api/studies", headers=auth)).status_code == 401


async def test_personal_tokens_are_listed_and_revoked_by_their_owner(api, stack):
    auth = api.auth("auditor")
    r = await api.http.post("/api/me/tokens", json={"label": "nightly export",
                                                   "expires_in_days": 10}, headers=auth)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["expires_at"] > datetime.now(UTC).isoformat()
    mine = (await api.http.get("/api/me/tokens", headers=auth)).json()
    assert made["token_id"] in [t["token_id"] for t in mine]
    assert all("token" not in t for t in mine)  # never the token itself
    new = {"Authorization": f"Bearer {made['token']}"}
    assert (await api.http.get("/api/studies", headers=new)).status_code == 200
    other = await api.http.delete(f"/api/me/tokens/{made['token_id']}",
                                  headers=api.auth("coordinator"))
    assert other.status_code == 404  # not theirs
    r = await api.http.delete(f"/api/me/tokens/{made['token_id']}", headers=new)
    assert r.status_code == 200
    assert (await api.http.get("/api/studies", headers=new)).status_code == 401
    r = await api.http.post("/api/me/tokens", json={"label": "x", "expires_in_days": 0},
                            headers=auth)
    assert r.status_code == 422  # personal tokens expire


async def test_sign_out_everywhere_ends_every_session(browser, stack):
    name, password, secret = await enrolled(browser, stack)
    async with httpx.AsyncClient(base_url=stack.web_url) as http:
        other = Browser(http)
        await other.get("/login")
        await other.post("/login", {"username": name, "password": password})
        await other.get("/login/second-factor")
        await other.post("/login/second-factor", {"code": code(secret, 1)})
        assert (await other.get("/")).status_code == 200
        await browser.get("/account")
        r = await browser.post("/logout/everywhere", {})
        assert r.status_code == 303
        assert (await other.http.get("/")).headers["location"].startswith("/login")
    assert (await browser.http.get("/")).headers["location"].startswith("/login")


async def test_an_idle_session_expires(browser, stack):
    await enrolled(browser, stack)
    await stack.pool.execute("UPDATE web_sessions SET last_seen_at = now() - interval '16 min'")
    r = await browser.http.get("/")
    assert r.status_code == 303 and r.headers["location"] == "/login?expired=1"
    assert "Your session expired" in (await browser.get("/login?expired=1")).text


async def test_an_old_session_expires_however_active(browser, stack):
    await enrolled(browser, stack)
    await stack.pool.execute("UPDATE web_sessions SET expires_at = now() - interval '1 s' "
                             "WHERE revoked_at IS NULL")
    r = await browser.http.get("/")
    assert r.headers["location"] == "/login?expired=1"


async def test_the_codec_accepts_the_session_of_an_auditor(browser, stack):
    await enrolled(browser, stack, role="auditor")
    body = {"payloads": [{"metadata": {"encoding": "anNvbi9wbGFpbg=="}, "data": "e30="}]}
    r = await browser.http.post("/codec/encode", json=body,
                                headers={"Origin": "http://127.0.0.1:8233"})
    assert r.status_code == 200, r.text
    assert r.headers["access-control-allow-origin"] == "http://127.0.0.1:8233"
    assert r.headers["access-control-allow-credentials"] == "true"
    async with httpx.AsyncClient(base_url=stack.web_url) as anonymous:
        assert (await anonymous.post("/codec/decode", json=body)).status_code == 401


async def test_a_coordinator_session_may_not_decode(browser, stack):
    await enrolled(browser, stack, role="coordinator")
    r = await browser.http.post("/codec/decode", json={"payloads": []})
    assert r.status_code == 403


# --- signatures -------------------------------------------------------------------------------
async def _to_opinion(api, sid: str) -> None:
    day = today().isoformat()
    for role, command in scenarios.until(scenarios.riph1_walk(day), "record_ethics_opinion"):
        r = await api.post(f"/api/studies/{sid}/commands", {**command, "reason": "walk"}, role)
        assert r.status_code == 200, r.text


async def test_a_local_account_signs_a_regulatory_fact_on_the_web(browser, stack, api):
    name, password, secret = await enrolled(browser, stack, role="regulatory")
    sid = await api.create(title="Signed on the web")
    await _to_opinion(api, sid)
    page = await browser.get(f"/studies/{sid}")
    assert 'name="signature_password"' in page.text
    form = {"type": "record_ethics_opinion", "opinion": "favourable",
            "opinion_on": today().isoformat(), "reason": "letter received"}
    r = await browser.post(f"/studies/{sid}/commands", {**form, "signature_password": "nope",
                                                        "signature_code": code(secret, 1)})
    assert r.status_code == 401 and "Not signed" in r.text
    r = await browser.post(f"/studies/{sid}/commands", {**form, "signature_password": password,
                                                        "signature_code": code(secret, 1)})
    assert r.status_code == 303, r.text
    events = (await api.get(f"/api/studies/{sid}/events", "auditor")).json()
    signed = next(e for e in events if e["type"] == "EthicsOpinionRecorded")
    assert signed["actor"] == name
    assert signed["signature"]["printed_name"] == f"Dr {name.title()}"
    assert signed["signature"]["meaning"] == "recorded the CPP opinion"
    assert signed["signature"]["method"] == "password+totp"
    assert (await api.get("/api/audit/verify", "auditor")).json()["ok"] is True
    page = await browser.get(f"/studies/{sid}")
    assert f"Signed by Dr {name.title()}" in page.text


async def test_an_api_client_signs_with_a_young_sign_token(browser, stack, api):
    name, password, secret = await enrolled(browser, stack, role="regulatory")
    sid = await api.create(title="Signed by a script")
    await _to_opinion(api, sid)
    r = await api.http.post("/api/auth/sign-token", json={
        "username": name, "password": password, "code": "000000"})
    assert r.status_code == 401
    r = await api.http.post("/api/auth/sign-token", json={
        "username": name, "password": password, "code": code(secret, 1)})
    assert r.status_code == 201, r.text
    assert r.json()["scopes"] == ["sign"]
    auth = {"Authorization": f"Bearer {r.json()['token']}"}
    body = {"type": "record_ethics_opinion", "opinion": "favourable",
            "opinion_on": today().isoformat(), "reason": "letter"}
    r = await api.http.post(f"/api/studies/{sid}/commands", json=body, headers=auth)
    assert r.status_code == 200, r.text
    events = (await api.get(f"/api/studies/{sid}/events", "auditor")).json()
    signed = next(e for e in events if e["type"] == "EthicsOpinionRecorded")
    assert signed["signature"]["method"] == "sign-token"
    assert signed["signature"]["meaning"] == "recorded the CPP opinion"
    # the export carries it too
    r = await api.http.get(f"/api/audit/export?study={sid}&format=csv", headers=api.auth(
        "auditor"))
    assert r.status_code == 200 and "recorded the CPP opinion" in r.text


def _form_routes(app: Any) -> list[str]:
    """Every state-changing route of the web pages (not the bearer-token API, not the codec)."""
    from fastapi.routing import APIRoute

    def walk(routes: Any, prefix: str = "") -> Any:
        for r in routes:
            inner = getattr(r, "original_router", None)  # an included router (FastAPI >= 0.16x)
            if inner is not None:
                yield from walk(inner.routes, prefix + getattr(inner, "prefix", ""))
            elif isinstance(r, APIRoute):
                yield prefix + r.path if not r.path.startswith(prefix) else r.path, r

    return sorted({path for path, r in walk(app.routes)
                   if r.methods & {"POST", "PUT", "PATCH", "DELETE"}
                   and not path.startswith(("/api", "/codec"))})


async def test_every_state_changing_form_refuses_a_missing_csrf_token(browser, stack, api,
                                                                      tokens):
    from api.app import create_app

    sid = await api.create(title="CSRF study")
    paths = _form_routes(create_app(stack.settings, stack.pool, stack.client))
    assert {"/login", "/logout", "/studies/{study_id}/commands", "/preferences",
            "/account/tokens"} <= set(paths), paths
    await browser.get("/login")
    r = await browser.post("/login", {"token": tokens["coordinator"]})
    assert r.status_code == 303
    before = await stack.pool.fetchval("SELECT count(*) FROM events")
    for path in paths:
        url = path.replace("{study_id}", sid).replace("{seq}", "1").replace("{token_id}", "x")
        assert "{" not in url, f"a path parameter to fill in: {path}"
        for data in ({}, {"csrf": "forged"}):
            r = await browser.http.post(url, data={"type": "assign_sponsor", "sponsor": "X",
                                                   "reason": "forged", **data})
            assert r.status_code == 403, f"{path}: {r.status_code} {r.text[:200]}"
            assert "csrf" in r.text, path
    assert await stack.pool.fetchval("SELECT count(*) FROM events") == before
    assert (await browser.get("/")).status_code == 200  # still signed in: nothing happened


async def test_schemathesis_with_a_session_cookie_gets_no_500(browser, stack):
    """The whole OpenAPI surface fuzzed by a browser-like client: a signed-in session's cookie
    (and a token of the same person, as a script beside the browser)."""
    import asyncio
    from pathlib import Path

    name, _, _ = await enrolled(browser, stack, role="auditor")
    session = next(c.value for c in browser.http.cookies.jar if c.name == "studyflow_session")
    await browser.get("/account")
    r = await browser.post("/account/tokens", {"label": "fuzz", "days": "1"})
    token = re.search(r'id="new-token">([^<]+)<', r.text).group(1)  # type: ignore[union-attr]
    st = Path(sys.executable).parent / "schemathesis"
    proc = await asyncio.create_subprocess_exec(
        str(st), "run", f"{stack.web_url}/openapi.json", "-H",
        f"Cookie: studyflow_session={session}", "-H", f"Authorization: Bearer {token}",
        "--max-examples", "5", "--seed", "11", "--checks", "not_a_server_error", "--no-color",
        *WITHOUT_REVOKE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=FUZZ_TIMEOUT)
    assert proc.returncode == 0, out.decode()[-4000:]
    assert await signed_in(stack.web_url, {"Authorization": f"Bearer {token}"})
    assert (await browser.get("/")).status_code == 200  # the session too


@pytest.fixture
async def strict(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """The app as docker-compose runs it: signatures required, no token login."""
    from api.app import create_app

    settings = stack.settings.model_copy(update={"signatures_required": True,
                                                 "web_token_login": False})
    app = create_app(settings, stack.pool, stack.client)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://sf", timeout=60) as http:
        yield http


async def test_with_signatures_required_a_plain_or_old_token_cannot_record_a_fact(
        strict, stack, api, tokens, browser):
    sid = await api.create(title="Strict signatures")
    await _to_opinion(api, sid)
    body = {"type": "record_ethics_opinion", "opinion": "favourable",
            "opinion_on": today().isoformat(), "reason": "letter"}
    plain = {"Authorization": f"Bearer {tokens['regulatory']}"}
    r = await strict.post(f"/api/studies/{sid}/commands", json=body, headers=plain)
    assert r.status_code == 403 and r.json()["error"]["code"] == "signature_required"
    # a command that records no regulatory fact needs no signature
    r = await strict.post(f"/api/studies/{sid}/commands", headers=plain, json={
        "type": "ethics_request_information",
        "requested_on": today().isoformat(), "questions": "q",
        "reason": "r"})
    assert r.status_code in (200, 409), r.text
    name, password, secret = await enrolled(browser, stack, role="regulatory")
    made = await strict.post("/api/auth/sign-token", json={
        "username": name, "password": password, "code": code(secret, 1)})
    assert made.status_code == 201, made.text
    await stack.pool.execute("UPDATE tokens SET created_at = now() - interval '6 min' "
                             "WHERE actor = $1", name)
    r = await strict.post(f"/api/studies/{sid}/commands", json=body, headers={
        "Authorization": f"Bearer {made.json()['token']}"})
    assert r.status_code in (401, 403)  # expired (5 min) or too old to sign
    events = (await api.get(f"/api/studies/{sid}/events", "auditor")).json()
    assert not any(e["type"] == "EthicsOpinionRecorded" for e in events)


async def test_with_token_login_off_the_login_page_has_no_token_field(strict, tokens):
    page = await strict.get("/login")
    assert 'name="username"' in page.text and 'name="token"' not in page.text
    csrf = csrf_of(page.text)
    r = await strict.post("/login", data={"csrf": csrf, "token": tokens["coordinator"]})
    assert r.status_code == 403
