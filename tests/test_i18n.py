"""The catalogues: every string people read has its French words, no entry is stale, every
refusal code has its sentence; the caller's language and the unit's dates and time zone."""

import ast
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import i18n
from domain.messages_en import REFUSALS
from i18n.extract import extract

ROOT = Path(__file__).resolve().parent.parent
# codes whose message is built in the reader's language, field by field (api/validation.py)
WORDED_FIELD_BY_FIELD = {"invalid_command", "invalid_input", "unknown_fields"}


def _catalogue(language: str):
    with i18n.catalogue_path(language).open("rb") as f:
        return read_po(f, locale=language)


def _ids(catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def _translated(message) -> bool:
    return all(message.string) if isinstance(message.string, tuple) else bool(message.string)


@pytest.fixture(scope="module")
def wanted() -> set[str]:
    return _ids(extract())


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_string_has_a_translation_and_none_is_stale(language, wanted):
    catalog = _catalogue(language)
    have = _ids(catalog)
    missing = sorted(wanted - have)
    stale = sorted(have - wanted)
    untranslated = sorted(str(m.id) for m in catalog if m.id and not _translated(m))
    fuzzy = sorted(str(m.id) for m in catalog if m.id and m.fuzzy)
    assert not missing, f"{language}: not in the catalogue (run `make translations`): {missing}"
    assert not stale, f"{language}: stale entries no code uses any more: {stale}"
    assert not untranslated, f"{language}: without translation: {untranslated}"
    assert not fuzzy, f"{language}: fuzzy, to check: {fuzzy}"


PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")


def test_translations_keep_every_placeholder():
    for m in _catalogue("fr"):
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for s in strings:
            assert set(PLACEHOLDER.findall(s)) == wanted, (m.id, s)


def _raised_codes() -> set[str]:
    """Every stable code a rule or the API raises (the code argument's literal)."""
    position = {"require": 1, "require_input": 1, "RuleViolation": 0, "InputRefused": 0,
                "BatchRefused": 0, "ApiError": 1}
    codes = set()
    for folder in ("domain", "api", "workflows", "store", "activities"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                f = node.func
                name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(
                    f, ast.Attribute) else None
                if name in position and len(node.args) > position[name]:
                    arg = node.args[position[name]]
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        codes.add(arg.value)
    return codes


def test_every_refusal_code_has_its_sentence():
    codes = _raised_codes()
    assert len(codes) > 80
    missing = sorted(codes - set(REFUSALS) - WORDED_FIELD_BY_FIELD)
    assert not missing, f"refusal codes without a sentence in domain/messages_en.REFUSALS: {missing}"


def test_french_words_for_the_legal_vocabulary():
    with i18n.use("fr"):
        assert i18n.gettext("CPP completeness notice") == "Recevabilité du dossier par le CPP"
        assert "avis favorable du CPP" in i18n.gettext(
            REFUSALS["ansm_notification_needs_favourable_opinion"])
        assert i18n.gettext("express consent") == "consentement exprès"
        assert i18n.gettext("non-opposition") == "non-opposition"
        assert "EIG" in i18n.gettext("serious adverse event (EIG)")
        assert i18n.gettext("End-of-research declaration") == "Déclaration de fin de recherche"
    with i18n.use("en"):
        assert i18n.gettext("CPP completeness notice") == "CPP completeness notice"


@pytest.mark.parametrize(("preference", "header", "default", "expected"), [
    (None, None, "fr", "fr"),
    (None, None, "en", "en"),
    (None, "en-GB,en;q=0.9,fr;q=0.8", "fr", "en"),
    (None, "de-DE,fr;q=0.5,en;q=0.4", "en", "fr"),
    (None, "de-DE", "fr", "fr"),
    (None, "fr;q=0, en", "fr", "en"),
    ("fr", "en-US", "en", "fr"),  # the saved preference wins
    ("xx", "en", "fr", "en"),
])
def test_language_preference_then_accept_language_then_setting(preference, header, default,
                                                               expected):
    i18n.configure(default, "Europe/Paris")
    try:
        assert i18n.negotiate(preference, header) == expected
    finally:
        i18n.configure("en", "Europe/Paris")


def test_dates_in_french_and_times_in_paris():
    with i18n.use("fr"):
        assert i18n.format_date(date(2026, 12, 15)) == "15/12/2026"
        assert i18n.format_date("2026-12-15") == "15/12/2026"
        # 23:30 UTC on 28 March is already the 29th in Paris (winter time, UTC+1)
        assert i18n.format_date(datetime(2026, 3, 28, 23, 30, tzinfo=UTC)) == "29/03/2026"
        # after the last Sunday of March, Paris is UTC+2
        assert i18n.format_datetime("2026-03-29T10:00:00+00:00") == "29/03/2026 12:00"
        assert i18n.format_datetime("2026-10-25T10:00:00+00:00") == "25/10/2026 11:00"
        assert i18n.format_date(None) == "—"
    with i18n.use("en"):
        assert i18n.format_date(date(2026, 12, 15)) == "2026-12-15"


@pytest.mark.parametrize(("typed", "iso"), [
    ("09/11/2026", "2026-11-09"), ("9/11/2026", "2026-11-09"), ("09.11.2026", "2026-11-09"),
    ("2026-11-09", "2026-11-09"), ("31/02/2026", "31/02/2026"), ("demain", "demain"),
])
def test_dates_typed_dd_mm_yyyy(typed, iso):
    assert i18n.parse_date(typed) == iso


def test_the_language_setting_takes_gettext_style_values():
    from settings import Settings
    assert Settings(LANGUAGE="en_GB:en").language == "en"  # type: ignore[call-arg]
    assert Settings(LANGUAGE="de").language == "fr"  # type: ignore[call-arg]
    assert Settings().language in ("fr", "en")  # type: ignore[call-arg]


def test_every_field_of_the_events_has_words():
    """The audit trail's columns (the Excel export, one per field of the events' data) and a
    correction's notice name each field in words, never by its code."""
    import inspect

    from api.validation import FIELD_NAMES
    from domain import events as ev

    fields = {f for cls in vars(ev).values()
              if inspect.isclass(cls) and issubclass(cls, ev.Event)
              for f in cls.model_fields if f != "type"}
    assert not sorted(fields - set(FIELD_NAMES)), "fields without words in api/validation.py"
