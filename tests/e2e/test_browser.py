"""Staff use the web pages in a real browser: log in, see what is late first, read a study's
timeline, sign off a step with a reason, see the refusal of a rule in words."""

from pathlib import Path

import httpx
from playwright.async_api import expect

from scenarios import only, riph1_walk, until, without
from tests.days import day, days_ago

from .conftest import SHOTS

# what `seed` sends of the shared RIPH1 walk: the insurance is left for staff to sign off
SEEDED = ("submit_protocol", "assign_sponsor", "record_registration", "submit_to_ethics")


async def seed(stack, tokens, title: str, late: bool) -> str:
    """A RIPH1 study submitted to the CPP; `late`: recorded 50 days after the fact."""
    async with httpx.AsyncClient(base_url=stack.web_url, timeout=60) as http:
        async def post(path: str, body: dict, role: str) -> dict:
            r = await http.post(path, json={**body, "reason": "seed"},
                                headers={"Authorization": f"Bearer {tokens[role]}"})
            assert r.status_code < 300, r.text
            return r.json()

        sid = (await post("/api/studies", {"title": title, "category": "RIPH1",
                                           "investigator": "Dr Web"}, "coordinator"))["id"]
        for role, body in only(riph1_walk(days_ago(50 if late else 1)), *SEEDED):
            await post(f"/api/studies/{sid}/commands", body, role)
        return sid


async def login(page, token: str) -> None:
    await page.goto("/login")
    await page.get_by_label("Access token").fill(token)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url("**/")


async def test_login_dashboard_timeline_sign_off_and_audit(page, stack, tokens):
    on_time = await seed(stack, tokens, "Browser on-time study", late=False)
    late = await seed(stack, tokens, "Browser overdue study", late=True)
    await page.goto("/")
    assert "/login" in page.url  # not logged in: sent to the login form
    await login(page, tokens["coordinator"])
    rows = page.locator("table.studies tbody tr")
    first = await rows.first.inner_text()
    assert "overdue" in first  # the overdue study comes first
    await page.screenshot(path=SHOTS / "dashboard.png", full_page=True)

    await page.get_by_role("link", name="Browser overdue study").click()
    await page.wait_for_url(f"**/studies/{late}")
    svg = page.locator("svg.timeline")
    assert await svg.count() == 1
    assert await svg.locator("rect.bar.overdue").count() >= 1  # the missed completeness clock
    assert await svg.locator("line.today").count() == 1
    await page.screenshot(path=SHOTS / "study-timeline.png", full_page=True)

    await page.goto(f"/studies/{on_time}")
    await page.locator("#form-record_insurance summary").click()
    form = page.get_by_role("form", name="Record the insurance (assurance)")
    await form.get_by_label("Insurer").fill("Relyens")
    await form.get_by_label("Policy number").fill("RC-77")
    await form.get_by_label("Reason (for the audit trail)").fill("certificate received")
    await form.get_by_role("button").click()
    await page.wait_for_url(f"**/studies/{on_time}#audit")
    audit = await page.locator("#audit table").inner_text()
    assert "Insurance recorded" in audit and "certificate received" in audit
    steps = await page.locator(".steps").inner_text()
    assert "Insurance done" in steps
    await page.screenshot(path=SHOTS / "after-sign-off.png", full_page=True)


async def test_a_refused_command_shows_its_reason_in_words(page, stack, tokens):
    sid = await seed(stack, tokens, "Browser refusal study", late=False)
    await login(page, tokens["regulatory"])
    await page.goto(f"/studies/{sid}")
    await page.locator("#form-submit_to_ansm summary").click()
    form = page.get_by_role("form", name="Submit to the ANSM (authorization)")
    future = day(5)
    await form.get_by_label("Submitted on").fill(future)
    await form.get_by_label("Reason (for the audit trail)").fill("file sent")
    await form.get_by_role("button").click()
    alert = page.get_by_role("alert")
    assert "in the future" in await alert.inner_text()
    await page.screenshot(path=SHOTS / "refusal.png", full_page=True)


async def test_a_role_without_the_right_sees_no_form(page, stack, tokens):
    sid = await seed(stack, tokens, "Browser auditor study", late=False)
    await login(page, tokens["auditor"])
    await page.goto(f"/studies/{sid}")
    assert await page.locator("form[action$='/commands']").count() == 0
    assert "Nothing your role (auditor)" in await page.locator("main").inner_text()


async def test_inbox_links_each_task_to_the_form_that_clears_it(page, stack, tokens):
    sid = await seed(stack, tokens, "Browser inbox study", late=True)
    await login(page, tokens["regulatory"])
    await page.goto("/inbox")
    link = page.locator(f"a[href^='/studies/{sid}#form-']").first
    href = await link.get_attribute("href")
    await link.click()
    await page.wait_for_url(f"**{href}")
    assert await page.locator(href[href.index("#"):]).count() == 1


async def test_keyboard_only_login_and_a_phone_sized_screen(browser, stack, tokens):
    context = await browser.new_context(base_url=stack.web_url,
                                        viewport={"width": 390, "height": 844})
    page = await context.new_page()
    await seed(stack, tokens, "Browser phone study", late=False)
    await page.goto("/login")
    # autofocus on the token: applied once the page has loaded, so waited for (a loaded
    # machine has failed a check made at once)
    await expect(page.locator("#token")).to_be_focused()
    await page.keyboard.type(tokens["coordinator"])
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/")
    overflow = await page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 390, f"the page is {overflow}px wide on a 390px screen"
    await page.screenshot(path=SHOTS / "phone-dashboard.png", full_page=True)
    await context.close()


async def create_in_browser(page, title: str, category: str, investigator: str,
                            framework: str = "JARDE") -> str:
    """Fill the new-study form as a person would; returns the new study's id."""
    await page.goto("/studies/new")
    await page.get_by_label("Title").fill(title)
    await page.get_by_label("Category (Jardé law)").select_option(category)
    await page.get_by_label("Regulatory framework").select_option(framework)
    await page.get_by_label("Principal investigator").fill(investigator)
    await page.get_by_label("Reason (for the audit trail)").fill("new idea")
    await page.get_by_role("button", name="Create the study").click()
    await page.wait_for_url("**/studies/study-*")
    return page.url.rsplit("/", 1)[1]


async def test_new_study_from_the_browser(page, stack, tokens):
    await login(page, tokens["investigator"])
    await create_in_browser(page, "Created in the browser", "RIPH3", "Dr Click")
    assert "Created in the browser" in await page.locator("h1").inner_text()


async def test_notification_preferences_from_the_inbox(page, stack, tokens):
    await login(page, tokens["auditor"])
    await page.goto("/inbox")
    await page.get_by_label("E-mail").fill("not-an-address")
    await page.evaluate("document.querySelector('#pref-email').type = 'text'")  # past the browser
    await page.get_by_role("button", name="Save").click()
    assert "not an e-mail address" in await page.get_by_role("alert").inner_text()
    await page.get_by_label("E-mail").fill("audit@chu.test")
    await page.get_by_label("Routine notices in one daily digest").uncheck()
    await page.get_by_role("button", name="Save").click()
    await page.wait_for_url("**/inbox#preferences")
    assert await page.get_by_label("E-mail").input_value() == "audit@chu.test"
    assert not await page.get_by_label("Routine notices in one daily digest").is_checked()
    await page.screenshot(path=SHOTS / "inbox-preferences.png", full_page=True)
    person = await stack.pool.fetchrow("SELECT email, digest FROM people WHERE actor = $1",
                                       "auditor-user")
    assert dict(person) == {"email": "audit@chu.test", "digest": False}


async def test_staff_export_a_studys_audit_trail_from_its_page(browser, stack, tokens):
    sid = await seed(stack, tokens, "Browser export study", late=False)
    context = await browser.new_context(base_url=stack.web_url, accept_downloads=True)
    page = await context.new_page()
    await login(page, tokens["auditor"])
    await page.goto(f"/studies/{sid}")
    await page.get_by_label("Export as").select_option("csv")
    await page.get_by_label("Reason for the export").fill("sponsor audit")
    async with page.expect_download() as info:
        await page.get_by_role("button", name="Export the audit trail").click()
    download = await info.value
    text = Path(await download.path()).read_text()
    assert text.startswith("seq,study_id,") and text.count(sid) >= 3
    await context.close()
    recorded = await stack.pool.fetchrow(
        "SELECT actor, reason, data->>'scope' AS scope FROM events WHERE stream_id = "
        "'operations' AND type = 'AuditExported' ORDER BY global_seq DESC LIMIT 1")
    assert dict(recorded) == {"actor": "auditor-user", "reason": "sponsor audit", "scope": sid}
    # the investigator's page has no export form
    page = await browser.new_page(base_url=stack.web_url)
    await login(page, tokens["investigator"])
    await page.goto(f"/studies/{sid}")
    assert await page.get_by_role("button", name="Export the audit trail").count() == 0
    await page.close()


async def test_an_eu_ctr_study_shows_its_ctis_clocks_on_the_timeline(page, stack, tokens):
    await login(page, tokens["regulatory"])
    sid = await create_in_browser(page, "CTR trial from the browser", "RIPH1", "Dr Ctis",
                                  framework="EU_CTR")
    async with httpx.AsyncClient(base_url=stack.web_url, timeout=60) as http:
        for role, body in until(riph1_walk(days_ago(3), committee="CTIS"), "submit_to_ansm"):
            r = await http.post(f"/api/studies/{sid}/commands", json={**body, "reason": "r"},
                                headers={"Authorization": f"Bearer {tokens[role]}"})
            assert r.status_code == 200, r.text
    await page.goto(f"/studies/{sid}")
    assert "EU_CTR" in await page.locator("main").inner_text()
    svg = await page.locator("svg.timeline").inner_html()
    assert "Validation &amp; Part I — CTIS" in svg and "CTIS validation" in svg
    assert "Part I assessment (CTIS)" in svg
    await page.screenshot(path=SHOTS / "ctr-timeline.png", full_page=True)


async def test_consent_forms_and_the_participants_table(page, stack, tokens):
    sid = await seed(stack, tokens, "Browser consent study", late=False)
    async with httpx.AsyncClient(base_url=stack.web_url, timeout=60) as http:
        for role, body in without(riph1_walk(days_ago(0)), *SEEDED):  # the rest of the walk
            r = await http.post(f"/api/studies/{sid}/commands", json={**body, "reason": "seed"},
                                headers={"Authorization": f"Bearer {tokens[role]}"})
            assert r.status_code == 200, r.text
    await login(page, tokens["investigator"])
    await page.goto(f"/studies/{sid}")

    async def submit(form_kind: str, label: str, **fields: str) -> None:
        details = page.locator(f"#form-{form_kind}")
        if await details.get_attribute("open") is None:  # a refused form comes back open
            await details.locator("summary").click()
        form = page.get_by_role("form", name=label)
        for name, value in fields.items():
            field = form.get_by_label(name, exact=True)
            if await field.evaluate("e => e.tagName") == "SELECT":
                await field.select_option(value)
            else:
                await field.fill(value)
        await form.get_by_label("Reason (for the audit trail)").fill("at the visit")
        await form.get_by_role("button").click()

    await submit("register_participant", "Register a participant (code only)",
                 **{"Participant code": "Marie Curie"})
    assert "pseudonymous" in await page.get_by_role("alert").inner_text()  # a name: refused
    await submit("register_participant", "Register a participant (code only)",
                 **{"Participant code": "P-0007"})
    await page.wait_for_url(f"**/studies/{sid}#participants")
    await submit("record_consent", "Record a consent (consentement)",
                 **{"Participant code": "P-0007", "Kind": "express",
                    "Consent form version": "1.0"})
    assert "needs written consent" in await page.get_by_role("alert").inner_text()
    await submit("record_consent", "Record a consent (consentement)",
                 **{"Participant code": "P-0007", "Kind": "written",
                    "Consent form version": "1.0"})
    await page.wait_for_url(f"**/studies/{sid}#participants")
    row = await page.locator("table.participants tbody tr").first.inner_text()
    assert "P-0007" in row and "consented" in row and "written" in row and "1.0" in row
    assert "consented: 1" in await page.locator("#participants .counts").inner_text()
    await page.screenshot(path=SHOTS / "participants.png", full_page=True)


async def test_a_date_corrected_on_the_study_page_shows_the_original_struck_through(
        page, browser, stack, tokens):
    sid = await seed(stack, tokens, "Browser correction study", late=True)
    async with httpx.AsyncClient(base_url=stack.web_url, timeout=60) as http:
        events = (await http.get(f"/api/studies/{sid}/events", headers={
            "Authorization": f"Bearer {tokens['auditor']}"})).json()
    submitted = next(e for e in events if e["type"] == "EthicsSubmitted")
    seq, typed, right = submitted["seq"], days_ago(50), days_ago(48)
    assert submitted["effective_on"] == typed and submitted["role"] == "regulatory"

    await login(page, tokens["regulatory"])
    await page.goto(f"/studies/{sid}")
    row = page.locator(f"#event-{seq}")
    assert "recorded late" in await row.inner_text()  # typed 50 days after the fact
    number = submitted["version"]  # the study's own numbering, shown on the page
    await row.get_by_role("link", name=f"Correct event {number}", exact=True).click()
    form = page.get_by_role("form", name=f"Correct event {number} (Submitted to the CPP)")
    assert await form.get_by_label("Submitted on").input_value() == typed  # prefilled
    # a date in the future is refused on the row, in words, with what was typed kept
    future = day(3)
    await form.get_by_label("Submitted on").fill(future)
    await form.get_by_label("Reason for the correction (for the audit trail)").fill("typo")
    await form.get_by_role("button", name="Record the correction").click()
    assert "in the future" in await page.get_by_role("alert").inner_text()
    assert await form.get_by_label("Submitted on").input_value() == future
    await page.locator("#audit").screenshot(path=SHOTS / "correction-refused.png")

    await form.get_by_label("Submitted on").fill(right)
    await form.get_by_label("Reason for the correction (for the audit trail)").fill(
        "the CPP's receipt is dated two days later")
    await form.get_by_role("button", name="Record the correction").click()
    await page.wait_for_url(f"**/studies/{sid}#event-{seq}")
    row = page.locator(f"#event-{seq}")
    assert await row.locator("del").first.inner_text() == typed  # the original, struck through
    assert right in await row.locator("ins").first.inner_text()  # beside the correction
    link = row.get_by_role("link", name="corrected in #")
    fixed = int((await link.get_attribute("href") or "").removeprefix("#event-"))
    correction = await page.locator(f"#event-{fixed}").inner_text()
    assert "Fact corrected" in correction and f"#{number}" in correction
    assert "the CPP's receipt is dated two days later" in correction
    await page.locator("#audit").screenshot(path=SHOTS / "correction.png")

    # the investigator did not record it: no correction offered on that row
    other = await browser.new_page(base_url=stack.web_url)
    await login(other, tokens["investigator"])
    await other.goto(f"/studies/{sid}")
    assert await other.locator(f"#event-{seq} a.correct-link").count() == 0
    assert await other.locator("a.correct-link").count() >= 1  # its own protocol, for one
    await other.close()


async def test_a_tacit_outcome_superseded_by_the_real_opinion_is_shown_struck_through(
        page, stack, tokens):
    async with httpx.AsyncClient(base_url=stack.web_url, timeout=60) as http:
        auth = {"Authorization": f"Bearer {tokens['regulatory']}"}
        # the submission typed 70 days late: the CPP's silence is a tacit unfavourable opinion
        sid = (await http.post("/api/studies", headers=auth, json={
            "title": "Browser superseded study", "category": "RIPH1", "investigator": "Dr T",
            "reason": "seed"})).json()["id"]
        for role, body in only(riph1_walk(days_ago(70)), *SEEDED):
            r = await http.post(f"/api/studies/{sid}/commands", json={**body, "reason": "seed"},
                                headers={"Authorization": f"Bearer {tokens[role]}"})
            assert r.status_code == 200, r.text
        events = (await http.get(f"/api/studies/{sid}/events", headers=auth)).json()
        tacit = next(e for e in events if e["type"] == "EthicsOpinionRecorded")
        assert tacit["data"]["tacit"]
        # ...but the favourable opinion had arrived in time, on day 40
        r = await http.post(f"/api/studies/{sid}/commands", headers=auth, json={
            "type": "record_ethics_opinion", "opinion": "favourable", "opinion_on": days_ago(30),
            "reason": "the CPP's letter was in the post"})
        assert r.status_code == 200, r.text
    await login(page, tokens["regulatory"])
    await page.goto(f"/studies/{sid}")
    row = page.locator(f"#event-{tacit['seq']}")
    assert "superseded" in (await row.get_attribute("class") or "")
    assert await row.locator("del").first.inner_text() == "Opinion of the CPP recorded"
    text = await row.inner_text()
    assert "superseded by #" in text and days_ago(30) in text
    assert await row.locator("a.correct-link").count() == 0  # a tacit outcome is not corrected
    await page.locator("#audit").screenshot(path=SHOTS / "superseded.png")


async def test_an_imported_study_is_drawn_when_its_facts_happened(page, stack, tokens):
    examples = Path(__file__).parent.parent.parent / "docs" / "examples"
    async with httpx.AsyncClient(base_url=stack.web_url, timeout=120) as http:
        r = await http.post("/api/imports/studies?name=studies.csv&reason=adoption",
                            content=(examples / "studies.csv").read_bytes(),
                            headers={"Authorization": f"Bearer {tokens['regulatory']}",
                                     "Content-Type": "text/csv"})
        assert r.status_code == 200, r.text
        sid = r.json()["results"][0]["study_id"]
    await login(page, tokens["regulatory"])
    await page.goto(f"/studies/{sid}")
    svg = await page.locator("svg.timeline").inner_html()
    assert " 2024</text>" in svg  # the history as it happened, not the day it was typed
    assert "Establishment's director informed 2024-04-10" in svg  # on the day the director was informed
    submitted = page.locator("table.audit tr", has_text="Submitted to the CPP")
    assert "2024-02-05" in await submitted.inner_text()
    assert "recorded late" in await submitted.inner_text()
    await page.screenshot(path=SHOTS / "imported.png", full_page=True)
    await page.locator("section[aria-labelledby=h-timeline]").screenshot(
        path=SHOTS / "imported-timeline.png")
    await page.locator("#audit table").screenshot(path=SHOTS / "imported-audit.png")


async def test_a_title_without_a_space_breaks_instead_of_hiding_the_other_columns(page, stack,
                                                                                  tokens):
    """A pasted reference as a title (the fuzz runs make such studies) widened the studies'
    table past the screen: category, state, due date and investigator were out of sight."""
    title = "REF" + "0" * 240
    await seed(stack, tokens, title, late=False)
    await login(page, tokens["coordinator"])
    await page.goto(f"/?q={title}")
    width = await page.evaluate("window.innerWidth")
    assert await page.evaluate("document.documentElement.scrollWidth") <= width
    investigator = page.locator("table.studies tbody tr").first.locator("td").last
    assert await investigator.inner_text() == "Dr Web"
    box = await investigator.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width
    await page.screenshot(path=SHOTS / "long-title.png", full_page=True)
