"""A coordinator's day in French, in Chromium, from sign-in to export: the login page, the
dashboard, a study's page with its facts and audit trail, the inbox with a notice, the
reports, the account page and the export. On every page no English catalogue string (a
msgid whose French differs) and no raw field name (snake_case) is shown. Screenshots in
tests/e2e/screenshots/walk-fr-*.png."""

import io
import re
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po
from rich.console import Console

import i18n
from cli.demo import walk

from .conftest import SHOTS
from .test_languages import _api

# msgids that read the same in both languages once placeholders are taken out, or are
# proper names: never counted as English
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}|%s")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")
SNAKE = re.compile(r"\b[a-z]{2,}(?:_[a-z0-9]{2,})+\b")
URL = re.compile(r"\S+://\S+|/\S*")


@cache
def english_phrases() -> tuple[list[str], list[str]]:
    """The catalogue's English texts whose French differs: the phrases of two words or more
    (each part between placeholders), and the single words that are not French as well."""
    with i18n.catalogue_path("fr").open("rb") as f:
        catalog = read_po(f, locale="fr")
    phrases: set[str] = set()
    words: set[str] = set()
    # a word the French texts use too (active, correct, date...) says nothing
    french_words = {w.lower() for m in catalog if m.string for text in (
        m.string if isinstance(m.string, tuple) else (m.string,)) for w in WORD.findall(text)}
    for m in catalog:
        if not m.id or not m.string:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        french = " ".join(m.string) if isinstance(m.string, tuple) else m.string
        for text in ids:
            if text == french:
                continue
            for part in PLACEHOLDER.split(text):
                found = WORD.findall(part)
                if len(found) >= 2:
                    phrases.add(" ".join(found))
                elif (len(found) == 1 and len(found[0]) >= 5
                      and found[0].lower() not in french_words):
                    words.add(found[0])
    return sorted(phrases), sorted(words)


def english_on(text: str) -> list[str]:
    """The English catalogue texts shown in `text` (a page's visible words), each with the
    words around it."""
    flat = " ".join(WORD.findall(URL.sub(" ", text)))
    phrases, words = english_phrases()
    shown = []
    for english in [*phrases, *words]:
        if m := re.search(rf"(?<![\w'-]){re.escape(english)}(?![\w'-])", flat):
            shown.append(f"{english!r} in “…{flat[max(0, m.start() - 40):m.end() + 40]}…”")
    return shown


async def visible_text(page) -> str:
    """What a person reads: the page's text, its buttons' and fields' words (placeholders,
    options), not the addresses or codes inside <code>."""
    return await page.evaluate("""() => {
        const parts = [document.title, document.body.innerText];
        for (const e of document.querySelectorAll('input[placeholder], textarea[placeholder]'))
            parts.push(e.placeholder);
        for (const e of document.querySelectorAll('input[type=submit], button'))
            parts.push(e.value || '');
        const codes = [...document.querySelectorAll('code, .token, .mono')]
            .map(e => e.innerText);
        let text = parts.join('\\n');
        for (const c of codes) if (c) text = text.split(c).join(' ');
        return text; }""")


async def look(page, name: str, problems: dict[str, list[str]], data: list[str]) -> str:
    """Screenshot the page and note what it shows in English; `data` (the studies' titles,
    typed by the other tests of the session in any language) is not the interface's."""
    await page.screenshot(path=SHOTS / f"walk-fr-{name}.png", full_page=True)
    shown = text = await visible_text(page)
    for typed in data:
        text = text.replace(typed, " ")
    found = english_on(text) + [f"raw field name: {w}" for w in SNAKE.findall(
        URL.sub(" ", text))]
    if found:
        problems[name] = found
    return shown


async def test_a_coordinator_works_in_french_from_sign_in_to_export(browser, stack, tokens,
                                                                   tmp_path: Path):
    # the demo's study (`make demo`): two sites, documents, participants, a recruitment plan,
    # its staff's reasons in French
    with i18n.use("fr"):
        sid = await walk(stack, Console(file=io.StringIO()))
    events = await _api(stack, tokens, "GET", f"/api/studies/{sid}/events", "coordinator")
    sponsor = next(e for e in events if e["type"] == "SponsorAssigned")
    seq = sponsor["seq"]  # corrected by the role that recorded it
    await _api(stack, tokens, "POST", f"/api/studies/{sid}/commands", sponsor["role"], {
        "type": "correct", "seq": seq, "changes": {"sponsor": "CHU de Nantes"},
        "reason": "faute de frappe"})
    studies = await _api(stack, tokens, "GET", "/api/studies?limit=500", "coordinator")
    data = sorted({s["title"] for s in studies["items"]}, key=len, reverse=True)
    context = await browser.new_context(base_url=stack.web_url, locale="fr-FR",
                                        viewport={"width": 1280, "height": 900},
                                        accept_downloads=True)
    page = await context.new_page()
    problems: dict[str, list[str]] = {}
    try:
        await page.goto("/login")
        await look(page, "login", problems, data)
        await page.get_by_label("Jeton d'accès").fill(tokens["coordinator"])
        await page.locator("form.token-login button").click()
        await page.wait_for_url("**/")
        assert await page.get_attribute("html", "lang") == "fr"
        await look(page, "dashboard", problems, data)

        await page.goto(f"/studies/{sid}")
        study = await look(page, "study", problems, data)
        assert "Piste d'audit" in study or "piste d'audit" in study

        await page.goto("/inbox")
        inbox = await look(page, "inbox", problems, data)
        # the correction's notice told whole from its parts (migration 041), in French
        assert "rectifié" in inbox and "CHU de Nantes" in inbox, inbox
        assert "ASPIRE" in inbox

        await page.goto("/reports")
        await look(page, "reports", problems, data)
        await page.goto("/account")
        await look(page, "account", problems, data)

        # the export: the audit trail as a French Excel opens it
        await page.goto(f"/studies/{sid}")
        form = page.locator("form.export")
        await form.locator("select[name=fmt]").select_option("excel")
        await form.locator("input[name=reason]").fill("audit du promoteur")
        async with page.expect_download() as download:
            await form.locator("button").click()
        path = tmp_path / "export.csv"
        await (await download.value).save_as(path)
        header = path.read_text(encoding="utf-8-sig").splitlines()[0]
        assert ";" in header, header
        columns = header.split(";")
        english = [c for c in columns if english_on(c) or SNAKE.search(c) or (
            c.islower() and c.isascii())]  # a column named by its code, not in words
        if english:
            problems["export columns"] = english
        # and its cells: codes in words (stages, commands, documents), dates as dates
        codes = sorted({f"{column}: {code}" for line in path.read_text(
            encoding="utf-8-sig").splitlines()[1:] for column, cell in zip(
            columns, line.split(";"), strict=False) for code in SNAKE.findall(cell)})
        if codes:
            problems["export cells"] = codes
    finally:
        await context.close()
    assert not problems, f"English or raw field names on French pages: {problems}"
