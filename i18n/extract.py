"""`python -m i18n.extract` (make translations): every string people read, extracted from the
code and the templates (babel.cfg) and from domain's message tables, merged into each
language's .po (new entries blank, stale ones dropped). tests/test_i18n.py compares the same
extraction with the catalogues."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from domain.inbox import MESSAGES as INBOX
from domain.messages_en import MESSAGES, REFUSALS
from domain.regulation import CLOCKS, INVESTIGATOR_FILE
from domain.signatures import SIGNED_COMMANDS

from . import DOMAIN, LANGUAGES, catalogue_path

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", "tests", "bench", "build", ".git", "node_modules", ".studyflow"}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def cli_help() -> list[str]:
    """The CLI's `--help` texts, as the command tree holds them (cli.common.Speaking
    translates the same paragraphs)."""
    import typer

    from cli.common import help_paragraphs, words_of
    from cli.main import app

    return [p for _h, _a, paragraphs in help_paragraphs(typer.main.get_command(app))
            for p in paragraphs if words_of(p)]


def extract() -> Catalog:
    """The template catalogue: what the code asks to be translated."""
    catalog = Catalog(domain=DOMAIN, project="StudyFlow", version="1")
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    for path, lineno, message, comments, context in extract_from_dir(
            ROOT, method_map, options_map, keywords=KEYWORDS,
            callback=None, strip_comment_tags=True,
            directory_filter=lambda d: Path(d).name not in SKIP):
        catalog.add(message, None, [(path, lineno)], auto_comments=comments, context=context)
    for text in cli_help():
        catalog.add(text, None, [("cli/main.py", 0)])
    for table, origin in ((MESSAGES, "domain/messages_en.py"), (REFUSALS, "domain/messages_en.py"),
                          (INBOX, "domain/inbox.py"),
                          (SIGNED_COMMANDS, "domain/signatures.py"),
                          ({c.id: c.label for c in CLOCKS.values()}, "domain/regulation.py"),
                          ({"investigator_file": INVESTIGATOR_FILE}, "domain/regulation.py")):
        for text in table.values():
            catalog.add(text, None, [(origin, 0)])
    return catalog


def update() -> None:
    template = extract()
    for language in LANGUAGES:
        path = catalogue_path(language)
        if path.exists():
            with path.open("rb") as f:
                catalog = read_po(f, locale=language, domain=DOMAIN)
        else:
            catalog = Catalog(locale=language, domain=DOMAIN)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.fuzzy = False
        catalog.project, catalog.version = "StudyFlow", "1"
        catalog.obsolete.clear()  # stale entries go: the test names them otherwise
        if language == "en":  # the source language: every msgstr is its msgid
            for message in catalog:
                if message.id and not all(message.string if isinstance(message.string, tuple)
                                          else (message.string,)):
                    message.string = message.id
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            write_po(f, catalog, width=100, omit_header=False, sort_output=True,
                     include_lineno=False)
        missing = [m.id for m in catalog if m.id and not m.string]
        print(f"{language}: {len(catalog)} strings, {len(missing)} without translation",
              file=sys.stderr)


if __name__ == "__main__":
    update()
