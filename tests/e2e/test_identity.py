"""Sign-in and signatures in Chromium: a real OpenID Connect provider (the `oidc-provider-mock`
package's server, started here as its own process, the client registered with it like at a
hospital's directory) and the web app configured for it; local accounts with a TOTP second
factor typed as from a phone. Screenshots land in tests/e2e/screenshots/."""

import asyncio
import contextlib
import json
import re
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pyotp
import pytest
import uvicorn
from pydantic import SecretStr

import scenarios
from stack.runner import Stack
from stack.temporal import bound_socket, free_port
from store import EventStore
from tests.days import today

from .conftest import SHOTS

ROLE_MAP = {"grp-urc-coord": "coordinator", "grp-urc-reg": "regulatory",
            "grp-urc-audit": "auditor"}
USERS = [
    {"sub": "claire", "preferred_username": "cmartin", "name": "Claire Martin",
     "email": "claire.martin@chu.test", "groups": ["grp-all-staff", "grp-urc-reg"]},
    {"sub": "paul", "preferred_username": "pdurand", "name": "Paul Durand",
     "groups": ["grp-urc-coord"]},
    {"sub": "zoe", "preferred_username": "zlefevre", "name": "Zoé Lefèvre",
     "groups": ["grp-cardiology"]},
]
STRONG = "Correct-Horse-42-battery"


def start_provider(port: int) -> subprocess.Popen[bytes] | None:
    """The provider on `port`, once it answers; None if it exited (the port was taken)."""
    args = [sys.executable, "-m", "oidc_provider_mock", "--port", str(port), "--host",
            "127.0.0.1", "--require-nonce", "--require-registration"]
    for user in USERS:
        args += ["--user-claims", json.dumps(user)]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while proc.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/.well-known/openid-configuration"
                         ).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "the provider did not start"
        time.sleep(0.2)
    return None


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """The OpenID Connect provider, a server process of its own; its issuer URL. Its port was
    free when chosen: a process that took it first makes it exit, and it starts on another."""
    for _attempt in range(3):
        port = free_port()
        if proc := start_provider(port):
            break
    else:
        raise AssertionError("the provider exited at start three times")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
async def directory_app(stack: Stack, provider: str) -> AsyncIterator[str]:
    """A web app of the session's stack configured for the provider (its client registered
    with the callback URL, as an IT department would), signatures required."""
    from api.app import create_app

    sock = bound_socket("127.0.0.1", 0)  # held: no other process takes the port meanwhile
    web = f"http://127.0.0.1:{sock.getsockname()[1]}"
    async with httpx.AsyncClient() as http:
        r = await http.post(provider + "/oauth2/clients", json={
            "redirect_uris": [web + "/auth/oidc/callback"],
            "token_endpoint_auth_method": "client_secret_post"})
    assert r.status_code == 201, r.text
    client = r.json()
    settings = stack.settings.model_copy(update={
        "oidc_issuer": provider, "oidc_client_id": client["client_id"],
        "oidc_client_secret": SecretStr(client["client_secret"]), "oidc_role_map": ROLE_MAP,
        "signatures_required": True, "oidc_provider_name": "the CHU directory"})
    server = uvicorn.Server(uvicorn.Config(create_app(settings, stack.pool, stack.client),
                                           log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        assert not task.done()
        await asyncio.sleep(0.05)
    yield web
    server.should_exit = True
    with contextlib.suppress(Exception):
        await asyncio.wait_for(task, 10)
    sock.close()


@pytest.fixture
async def page(browser, directory_app):  # type: ignore[no-untyped-def]
    context = await browser.new_context(base_url=directory_app,
                                        viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    yield page
    await context.close()


async def directory_sign_in(page: Any, sub: str) -> None:
    await page.goto("/login")
    await page.get_by_role("link", name="Sign in with the CHU directory").click()
    await page.wait_for_url(re.compile(r".*/oauth2/authorize.*"))
    await page.get_by_role("button", name=sub, exact=True).click()


async def operations(stack: Stack) -> list[Any]:
    return await EventStore(stack.pool).read_stream("operations")


async def test_directory_sign_in_maps_the_role_and_creates_the_person(page, stack):
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    await directory_sign_in(page, "claire")
    await page.wait_for_url("**/")
    assert "cmartin" in await page.locator("header").inner_text()
    assert "regulatory" in await page.locator("header").inner_text()
    await page.screenshot(path=SHOTS / "oidc-signed-in.png", full_page=True)
    authorize = next(u for u in requested if "/oauth2/authorize" in u)
    for parameter in ("code_challenge=", "code_challenge_method=S256", "nonce=", "state="):
        assert parameter in authorize, authorize
    account = await stack.pool.fetchrow("SELECT * FROM accounts WHERE actor = 'cmartin'")
    assert account["kind"] == "oidc" and account["role"] == "regulatory"
    assert account["printed_name"] == "Claire Martin" and account["oidc_subject"] == "claire"
    types = [e.type for e in await operations(stack) if e.data.get("account") == "cmartin"]
    assert "AccountCreated" in types and "SignedIn" in types
    # a directory account's session is a server-side one: not the token, not the claims
    cookie = next(c for c in await page.context.cookies() if c["name"] == "studyflow_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"


async def test_a_person_without_a_mapped_group_gets_a_clear_page(page, stack):
    await directory_sign_in(page, "zoe")
    await page.wait_for_url("**/auth/oidc/callback**")
    text = await page.locator("main").inner_text()
    assert "No StudyFlow role for you yet" in text and "grp-cardiology" in text
    await page.screenshot(path=SHOTS / "oidc-unmapped.png", full_page=True)
    assert await stack.pool.fetchval("SELECT count(*) FROM accounts WHERE actor = "
                                     "'zlefevre'") == 0
    await page.goto("/")
    assert "/login" in page.url  # not signed in


async def test_the_role_follows_the_directory_groups(page, stack, provider):
    await directory_sign_in(page, "paul")
    await page.wait_for_url("**/")
    assert "coordinator" in await page.locator("header").inner_text()
    user = next(u for u in USERS if u["sub"] == "paul")
    claims = {k: v for k, v in user.items() if k != "sub"} | {"groups": ["grp-urc-audit"]}
    async with httpx.AsyncClient() as http:
        assert (await http.put(f"{provider}/users/paul", json=claims)).status_code < 300
    await page.get_by_role("button", name="Log out").click()
    await directory_sign_in(page, "paul")
    await page.wait_for_url("**/")
    assert "auditor" in await page.locator("header").inner_text()
    changes = [e for e in await operations(stack) if e.type == "RoleChanged"
               and e.data["account"] == "pdurand"]
    assert changes and changes[-1].data["from"] == "coordinator" and \
        changes[-1].data["to"] == "auditor"


async def _study_at_opinion(stack: Stack, tokens: dict[str, str]) -> str:
    day = today().isoformat()
    async with httpx.AsyncClient(base_url=stack.web_url, timeout=60) as http:
        async def post(path: str, body: dict[str, Any], role: str) -> dict[str, Any]:
            r = await http.post(path, json={**body, "reason": "seed"},
                                headers={"Authorization": f"Bearer {tokens[role]}"})
            assert r.status_code < 300, r.text
            return r.json()

        sid = (await post("/api/studies", {"title": "Directory signature study",
                                           "category": "RIPH1", "investigator": "Dr X"},
                          "coordinator"))["id"]
        for role, body in scenarios.until(scenarios.riph1_walk(day), "record_ethics_opinion"):
            await post(f"/api/studies/{sid}/commands", body, role)
    return str(sid)


async def test_signing_asks_the_directory_to_authenticate_again(page, stack, tokens):
    sid = await _study_at_opinion(stack, tokens)
    await directory_sign_in(page, "claire")
    await page.wait_for_url("**/")
    await page.goto(f"/studies/{sid}")
    form = page.get_by_role("form", name="Record the CPP opinion")
    await page.locator("#form-record_ethics_opinion summary").click()
    await form.get_by_label("Reason (for the audit trail)").fill("letter of the CPP received")
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    await form.get_by_role("button", name="Record the CPP opinion").click()
    await page.wait_for_url(re.compile(r".*/oauth2/authorize.*"))
    assert "prompt=login" in page.url and "max_age=0" in page.url
    await page.get_by_role("button", name="claire", exact=True).click()
    await page.wait_for_url("**/auth/oidc/callback**")
    text = await page.locator("main").inner_text()
    assert "recorded the CPP opinion" in text and "Claire Martin" in text
    await page.screenshot(path=SHOTS / "oidc-confirm-signature.png", full_page=True)
    await page.get_by_role("button", name="Sign").click()
    await page.wait_for_url(f"**/studies/{sid}**")
    assert "Signed by Claire Martin · recorded the CPP opinion" in await page.locator(
        "main").inner_text()
    await page.screenshot(path=SHOTS / "oidc-signed-fact.png", full_page=True)
    rows = await EventStore(stack.pool).read_stream(sid)
    signed = next(e for e in rows if e.type == "EthicsOpinionRecorded")
    assert signed.signature and signed.signature["method"] == "oidc"
    assert signed.signature["printed_name"] == "Claire Martin"
    assert (await EventStore(stack.pool).verify()).ok


async def test_a_signature_by_someone_else_at_the_directory_is_refused(page, stack, tokens):
    sid = await _study_at_opinion(stack, tokens)
    await directory_sign_in(page, "claire")
    await page.wait_for_url("**/")
    await page.goto(f"/studies/{sid}")
    form = page.get_by_role("form", name="Record the CPP opinion")
    await page.locator("#form-record_ethics_opinion summary").click()
    await form.get_by_label("Reason (for the audit trail)").fill("letter received")
    await form.get_by_role("button", name="Record the CPP opinion").click()
    await page.wait_for_url(re.compile(r".*/oauth2/authorize.*"))
    await page.get_by_role("button", name="paul", exact=True).click()
    await page.wait_for_url("**/auth/oidc/callback**")
    assert "someone else" in await page.content()
    rows = await EventStore(stack.pool).read_stream(sid)
    assert not any(e.type == "EthicsOpinionRecorded" for e in rows)


async def test_an_idle_session_ends_at_the_login_page(page, stack):
    await directory_sign_in(page, "claire")
    await page.wait_for_url("**/")
    await stack.pool.execute("UPDATE web_sessions SET last_seen_at = now() - interval '20 min' "
                             "WHERE actor = 'cmartin'")
    await page.goto("/inbox")
    await page.wait_for_url("**/login?expired=1")
    assert "Your session expired" in await page.locator("main").inner_text()
    await page.screenshot(path=SHOTS / "session-expired.png", full_page=True)


async def test_a_form_with_a_forged_csrf_token_is_refused(page, stack):
    await directory_sign_in(page, "paul")
    await page.wait_for_url("**/")
    await page.goto("/inbox")
    await page.evaluate("document.querySelectorAll('input[name=csrf]')"
                        ".forEach(i => i.value = 'forged')")
    async with page.expect_response(lambda r: r.url.endswith("/preferences")) as answer:
        await page.get_by_label("E-mail").fill("paul@chu.test")
        await page.get_by_role("button", name=re.compile("Save")).click()
    assert (await answer.value).status == 403
    assert "csrf" in await page.content()


async def test_a_local_account_enrols_totp_and_signs_in_chromium(page, stack):
    from api.auth import admin

    name = f"loc-{uuid.uuid4().hex[:6]}"
    created = await admin.create_local(stack.pool, stack.settings, name, "investigator",
                                       email=None, printed_name="Dr Local", by="test",
                                       reason="test")
    await page.goto("/login")
    await page.get_by_label("User name").fill(name)
    await page.get_by_label("Password").fill(created.password)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url("**/login/password")
    await page.get_by_label("New password", exact=True).fill(STRONG)
    await page.get_by_label("New password, again").fill(STRONG)
    await page.get_by_role("button", name="Set password").click()
    await page.wait_for_url("**/login/enrol")
    assert await page.locator("figure.qr svg").count() == 1
    await page.screenshot(path=SHOTS / "totp-enrolment.png", full_page=True)
    secret = await page.locator("#totp-secret").inner_text()
    await page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).now())
    await page.get_by_role("button", name="Enrol").click()
    await page.wait_for_url("**/")
    assert name in await page.locator("header").inner_text()
    await page.get_by_role("button", name="Log out").click()
    await page.wait_for_url("**/login")
    await page.get_by_label("User name").fill(name)
    await page.get_by_label("Password").fill(STRONG)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url("**/login/second-factor")
    code = pyotp.TOTP(secret).at(time.time() + 30)  # the one at enrolment is spent
    await page.get_by_label("Code from your authenticator app").fill(code)
    await page.get_by_role("button", name="Verify").click()
    await page.wait_for_url("**/")
    await page.goto("/account")
    await page.get_by_label("What it is for").fill("my R script")
    await page.get_by_role("button", name="Create a token").click()
    assert await page.locator("#new-token").count() == 1
    await page.screenshot(path=SHOTS / "account-tokens.png", full_page=True)
