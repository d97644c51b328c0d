"""The portfolio in a real browser: a two-site study's recruitment curve against its plan (per
site and in total) on the study page, on a desk screen and on a phone, the unit's dashboard with
its charts, a site form from the catalogue, and the calendar address on the inbox."""

import httpx

from cli.demo import batches, dated_history
from scenarios import STUDY

from .conftest import SHOTS
from .test_browser import login


async def seed(stack, tokens) -> str:  # type: ignore[no-untyped-def]
    """The demo's study: two sites, a plan, five months of inclusions (one site behind)."""
    async with httpx.AsyncClient(base_url=stack.web_url, timeout=120) as http:
        async def post(path: str, body: dict, role: str) -> dict:
            r = await http.post(path, json={**body, "reason": "seed"},
                                headers={"Authorization": f"Bearer {tokens[role]}"})
            assert r.status_code < 300, r.text
            return r.json()

        sid = (await post("/api/studies", {**STUDY, "title": "Browser recruitment study"},
                          "coordinator"))["id"]
        for role, commands in batches(dated_history()):
            await post(f"/api/studies/{sid}/commands:batch", {"commands": commands}, role)
        return sid


async def test_the_recruitment_curve_on_the_study_page(page, stack, tokens):
    sid = await seed(stack, tokens)
    await login(page, tokens["coordinator"])
    await page.goto(f"/studies/{sid}#recruitment")
    section = page.locator("#recruitment")
    assert await section.locator("svg.curve").count() == 3  # the study, each of its sites
    text = await section.inner_text()
    assert "28 included of 60" not in text and "included of 60" in text
    assert "behind plan" in text and "PAR-NCK" in text and "LIL-JDF" in text
    await section.screenshot(path=SHOTS / "recruitment-curve.png")
    # the sites' activations on the timeline's recruitment row
    assert await page.locator("svg.timeline .mark text", has_text="site").count() >= 1
    await page.locator("svg.timeline").screenshot(path=SHOTS / "timeline-sites.png")
    # the site forms come from the catalogue: the sites' codes offered in a list
    await page.locator("#form-set_recruitment_plan summary").click()
    options = await page.locator("#set_recruitment_plan-site option").all_inner_texts()
    assert options[1:] == ["LIL-JDF", "PAR-NCK"]


async def test_the_curve_reads_on_a_phone(browser, stack, tokens):
    sid = await seed(stack, tokens)
    context = await browser.new_context(base_url=stack.web_url,
                                        viewport={"width": 390, "height": 844})
    page = await context.new_page()
    await login(page, tokens["coordinator"])
    await page.goto(f"/studies/{sid}#recruitment")
    curve = page.locator("#recruitment svg.curve").first
    box = await curve.bounding_box()
    assert box is not None and 300 <= box["width"] <= 390
    overflow = await page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 390, f"the page is {overflow}px wide on a 390px screen"
    await page.locator("#recruitment").screenshot(path=SHOTS / "phone-recruitment-curve.png")
    await page.goto("/reports")
    await page.screenshot(path=SHOTS / "phone-reports.png", full_page=True)
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await context.close()


async def test_the_units_dashboard_and_the_calendar_address(page, stack, tokens):
    await seed(stack, tokens)
    await login(page, tokens["coordinator"])
    await page.get_by_role("link", name="Reports").click()
    await page.wait_for_url("**/reports")
    assert await page.locator("svg.chart.bars").count() >= 4
    assert await page.get_by_role("heading", name="CPP: days from submission to opinion").count()
    csv_links = page.locator("a[href$='format=csv']")
    assert await csv_links.count() >= 5
    await page.screenshot(path=SHOTS / "reports.png", full_page=True)
    await page.goto("/inbox")
    await page.get_by_role("button", name="Get the calendar address").first.click()
    await page.wait_for_url("**/inbox#calendar")
    url = await page.locator("input.feed-url").first.input_value()
    assert "/calendar/" in url and url.endswith(".ics")
    async with httpx.AsyncClient() as http:
        feed = await http.get(url)
    assert feed.status_code == 200 and "BEGIN:VEVENT" in feed.text
    await page.locator("#calendar").screenshot(path=SHOTS / "calendar-feed.png")
