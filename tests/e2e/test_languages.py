"""The staff's pages in French and in English, in Chromium: the dashboard, a study's page, a
refused form that keeps what was typed, the inbox with a notice, a double submission that
takes effect once. Screenshots in tests/e2e/screenshots/{fr,en}-*.png."""


import httpx
import pytest

from tests.days import day

from .conftest import SHOTS
from .test_browser import seed

WORDS = {
    "fr": {"locale": "fr-FR", "token": "Jeton d'accès", "studies": "Recherches",
           "steps": "Étapes", "who": "Prochaine action attendue de", "reason":
           "Motif (pour la piste d'audit)", "future": "dans le futur", "inbox":
           "Boîte de réception", "notice": "Correction", "date": "/20",
           "ansm": "Déposer la demande d'autorisation à l'ANSM",
           "insurance": "Enregistrer l'assurance", "insurer": "Assureur",
           "policy": "Numéro de police", "recorded": "Assurance enregistrée",
           "english": ("Studies", "Steps", "Inbox", "Reason")},
    "en": {"locale": "en-GB", "token": "Access token", "studies": "Studies", "steps": "Steps",
           "who": "Who must act next", "reason": "Reason (for the audit trail)",
           "future": "in the future", "inbox": "Inbox", "notice": "Correction",
           "date": "-", "ansm": "Submit to the ANSM (authorization)",
           "insurance": "Record the insurance (assurance)", "insurer": "Insurer",
           "policy": "Policy number", "recorded": "Insurance recorded", "english": ()},
}


async def _api(stack, tokens, method: str, path: str, role: str, body=None):
    async with httpx.AsyncClient(base_url=stack.web_url, timeout=60) as http:
        r = await http.request(method, path, json=body,
                               headers={"Authorization": f"Bearer {tokens[role]}"})
        assert r.status_code < 300, r.text
        return r.json()


async def _page(browser, stack, language: str):
    context = await browser.new_context(base_url=stack.web_url, locale=WORDS[language]["locale"],
                                        viewport={"width": 1280, "height": 900})
    return context, await context.new_page()


async def _login(page, token: str, language: str) -> None:
    await page.goto("/login")
    await page.get_by_label(WORDS[language]["token"]).fill(token)
    await page.locator("form.token-login button").click()
    await page.wait_for_url("**/")


@pytest.mark.parametrize("language", ["fr", "en"])
async def test_the_staff_pages_in_each_language(browser, stack, tokens, language):
    w = WORDS[language]
    sid = await seed(stack, tokens, f"Étude navigateur {language}", late=False)
    context, page = await _page(browser, stack, language)
    try:
        await _login(page, tokens["regulatory"], language)
        assert await page.get_attribute("html", "lang") == language
        assert await page.locator("h1").first.inner_text() == w["studies"]
        await page.screenshot(path=SHOTS / f"{language}-dashboard.png", full_page=True)

        await page.goto(f"/studies/{sid}")
        text = await page.locator("main").inner_text()
        assert w["steps"] in text and w["who"] in text
        for word in w["english"]:  # no English heading on a French page
            assert f"\n{word}\n" not in f"\n{text}\n"
        await page.screenshot(path=SHOTS / f"{language}-study.png", full_page=True)

        # a refused form comes back open, with what was typed and the rule in words
        await page.locator("#form-submit_to_ansm summary").click()
        form = page.get_by_role("form", name=w["ansm"])
        future = day(5)
        await form.locator("input[type=date]").first.fill(future)
        await form.get_by_label(w["reason"]).fill("dossier envoyé")
        await form.get_by_role("button").first.click()
        alert = page.get_by_role("alert").first
        assert w["future"] in await alert.inner_text()
        form = page.get_by_role("form", name=w["ansm"])
        assert await form.locator("input[type=date]").first.input_value() == future
        assert await form.get_by_label(w["reason"]).input_value() == "dossier envoyé"
        await page.screenshot(path=SHOTS / f"{language}-refused-form.png", full_page=True)
        await page.reload()  # the refused page reloaded: the study again, never raw JSON
        assert await page.get_attribute("html", "lang") == language
    finally:
        await context.close()


@pytest.mark.parametrize("language", ["fr", "en"])
async def test_the_inbox_with_a_notice_and_a_double_submission(browser, stack, tokens,
                                                               language):
    w = WORDS[language]
    sid = await seed(stack, tokens, f"Étude boîte {language}", late=False)
    events = await _api(stack, tokens, "GET", f"/api/studies/{sid}/events", "coordinator")
    seq = next(e["seq"] for e in events if e["type"] == "SponsorAssigned")
    await _api(stack, tokens, "POST", f"/api/studies/{sid}/commands", "coordinator", {
        "type": "correct", "seq": seq, "changes": {"sponsor": "CHU de Nantes"},
        "reason": "faute de frappe"})
    context, page = await _page(browser, stack, language)
    try:
        await _login(page, tokens["coordinator"], language)
        count = page.locator("header .count")
        assert int(await count.inner_text()) >= 1
        await page.goto("/inbox")
        notices = await page.locator("#notices").inner_text()
        assert w["notice"] in notices and f"Étude boîte {language}" in notices
        await page.screenshot(path=SHOTS / f"{language}-inbox.png", full_page=True)

        # a double submission on a slow line: the same form posted twice, one effect
        await page.goto(f"/studies/{sid}")
        await page.locator("#form-record_insurance summary").click()
        form = page.get_by_role("form", name=w["insurance"])
        await form.get_by_label(w["insurer"]).fill("Relyens")
        await form.get_by_label(w["policy"]).fill("RC-2026")
        await form.get_by_label(w["reason"]).fill("attestation reçue")
        statuses = await form.evaluate("""f => {
            const body = () => new URLSearchParams(new FormData(f));
            return Promise.all([fetch(f.action, {method: 'POST', body: body()}),
                                fetch(f.action, {method: 'POST', body: body()})])
                .then(rs => rs.map(r => r.status)); }""")
        assert statuses == [200, 200]  # both answered with the study's page
        events = await _api(stack, tokens, "GET", f"/api/studies/{sid}/events", "coordinator")
        assert [e["type"] for e in events].count("InsuranceRecorded") == 1
        await page.reload()  # the page as it stands now: the insurance recorded once
        trail = await page.locator("table.audit").inner_text()
        assert trail.count(w["recorded"]) == 1
        await page.screenshot(path=SHOTS / f"{language}-after-double-submission.png",
                              full_page=True)
    finally:
        await context.close()
