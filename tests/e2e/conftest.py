"""Browser tests: Debian's Chromium (/usr/bin/chromium) driven by Playwright, headless, against
the session's real stack. Screenshots land in tests/e2e/screenshots/ to be looked at."""

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).parent / "screenshots"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make test installs it as root)")
    from playwright.async_api import async_playwright

    SHOTS.mkdir(exist_ok=True)
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        await b.close()


@pytest.fixture
async def page(browser, stack):  # type: ignore[no-untyped-def]
    context = await browser.new_context(base_url=stack.web_url,
                                        viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    yield page
    await context.close()
