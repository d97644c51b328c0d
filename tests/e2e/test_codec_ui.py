"""The Temporal UI of the embedded stack shows decrypted payloads to an auditor signed in to
StudyFlow in the same browser: the UI calls the codec endpoint with the session cookie
(credentials included), the endpoint answers CORS with credentials for the UI's origin."""

import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from settings import Settings
from stack.runner import Stack
from store import ReadModels

from .conftest import SHOTS


@pytest.fixture(scope="module")
async def ui_stack() -> AsyncIterator[Stack]:
    data_dir = Path(tempfile.mkdtemp(prefix="studyflow-ui-stack-"))
    settings = Settings(TEMPORAL_ADDRESS=None, DATABASE_URL=None)  # type: ignore[call-arg]
    async with Stack(settings, data_dir, port=0, ui=True, throwaway=True) as s:
        yield s
    shutil.rmtree(data_dir, ignore_errors=True)


async def test_the_temporal_ui_decodes_payloads_for_a_signed_in_auditor(browser, ui_stack):
    read = ReadModels(ui_stack.pool)
    coordinator = await read.create_token("ui-coordinator", "coordinator")
    auditor = await read.create_token("ui-auditor", "auditor")
    title = "Etude Chiffree Visible"
    async with httpx.AsyncClient(base_url=ui_stack.web_url, timeout=60) as http:
        r = await http.post("/api/studies", json={"title": title, "category": "RIPH2",
                                                  "investigator": "Dr Codec", "reason": "ui"},
                            headers={"Authorization": f"Bearer {coordinator}"})
        assert r.status_code == 201, r.text
        sid = r.json()["id"]
    ui = ui_stack.info["temporal_ui_url"]
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    await page.goto(ui_stack.web_url + "/login")
    await page.get_by_label("Access token").fill(auditor)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url("**/")
    # the UI's own codec settings, as a person ticks them: this endpoint, with credentials
    await page.goto(ui + "/namespaces/default/workflows")
    await page.evaluate("""endpoint => {
        localStorage.setItem('endpoint', JSON.stringify(endpoint));
        localStorage.setItem('includeCredentials', 'true');
        localStorage.setItem('passAccessToken', 'false');
        localStorage.setItem('overrideRemoteCodecConfiguration', 'true');
    }""", ui_stack.web_url + "/codec")
    decoded: list[int] = []
    page.on("response", lambda r: decoded.append(r.status) if "/codec/decode" in r.url else None)
    await page.goto(f"{ui}/namespaces/default/workflows/{sid}")
    # the workflow's input, decrypted by the codec: its field names are in no plaintext
    await page.get_by_text('"carried_state"').first.wait_for(timeout=30_000)
    await page.screenshot(path=SHOTS / "temporal-ui-decoded.png", full_page=True)
    assert decoded and all(s == 200 for s in decoded), decoded
    assert "Codec Server could not connect" not in await page.content()
    await context.close()
