"""The language and the time zone of what people read: gettext catalogues (Babel `.po` files
under i18n/locales, compiled in memory when first used: a fresh clone needs no build step),
the caller's language (saved preference > Accept-Language > the LANGUAGE setting) held in a
context variable for the request, and dates shown in the TIME_ZONE setting.

English is the source language: the msgids are the English texts; `make translations`
extracts them (i18n/extract.py) and tests/test_i18n.py fails naming any string without a
French translation or any stale entry."""

from __future__ import annotations

import contextvars
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
LOCALES = Path(__file__).parent / "locales"
DOMAIN = "messages"
COOKIE = "studyflow_lang"  # the saved preference of a browser

_language: contextvars.ContextVar[str] = contextvars.ContextVar("language", default="")
_default: list[str] = [DEFAULT_LANGUAGE]
_zone: list[ZoneInfo] = [ZoneInfo("Europe/Paris")]


def configure(language: str, time_zone: str) -> None:
    """The unit's defaults (settings LANGUAGE and TIME_ZONE)."""
    _default[0] = language if language in LANGUAGES else DEFAULT_LANGUAGE
    _zone[0] = ZoneInfo(time_zone)


def unit_language() -> str:
    """The unit's LANGUAGE: for what no one reader asked for (a calendar feed, an e-mail)."""
    return _default[0]


def current() -> str:
    return _language.get() or _default[0]


def zone() -> ZoneInfo:
    return _zone[0]


@contextmanager
def use(language: str) -> Iterator[None]:
    token = _language.set(language if language in LANGUAGES else "")
    try:
        yield
    finally:
        _language.reset(token)


def set_language(language: str) -> contextvars.Token[str]:
    return _language.set(language if language in LANGUAGES else "")


def reset_language(token: contextvars.Token[str]) -> None:
    _language.reset(token)


def catalogue_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> Translations:
    """The language's catalogue, compiled from its .po in memory (a few hundred entries)."""
    with catalogue_path(language).open("rb") as f:
        catalog = read_po(f, locale=language, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def gettext(message: str) -> str:
    return str(translations(current()).gettext(message)) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    return str(translations(current()).ngettext(singular, plural, n))


_ = gettext


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "mark for extraction"
    return message


_TAG = re.compile(r"^\s*([A-Za-z]{1,8})(?:-[A-Za-z0-9]{1,8})*\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$")


def negotiate(preference: str | None, accept_language: str | None) -> str:
    """The saved preference, else the best of Accept-Language, else the unit's LANGUAGE."""
    if preference in LANGUAGES:
        return preference  # type: ignore[return-value]
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((accept_language or "").split(",")):
        m = _TAG.match(part)
        if not m:
            continue
        try:
            q = float(m.group(2)) if m.group(2) else 1.0
        except ValueError:
            continue
        if q > 0:
            ranked.append((-q, i, m.group(1).lower()))
    for _q, _i, tag in sorted(ranked):
        if tag in LANGUAGES:
            return tag
    return _default[0]


# --- dates and times as the unit reads them -------------------------------------------------

def format_date(value: date | str | None) -> str:
    """15/12/2026 in French, 2026-12-15 in English; a datetime is first put in TIME_ZONE."""
    if value in (None, "", "-"):
        return "—"
    if isinstance(value, str):
        try:
            value = (datetime.fromisoformat(value.replace("Z", "+00:00")) if "T" in value
                     else date.fromisoformat(value))
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        value = (value.astimezone(zone()) if value.tzinfo else value).date()
    assert isinstance(value, date)
    return value.strftime("%d/%m/%Y") if current() == "fr" else value.isoformat()


def format_month(value: str | None) -> str:
    """A month (2025-12) as the reader writes it: décembre 2025, December 2025."""
    from babel.dates import format_date as babel_date

    try:
        first = date.fromisoformat(f"{value}-01") if value else None
    except ValueError:
        return str(value)
    return babel_date(first, "LLLL y", locale=current()) if first else "—"


def format_datetime(value: datetime | str | None) -> str:
    """A recorded time in TIME_ZONE: 15/12/2026 14:03 (French) or 2026-12-15 14:03."""
    if value in (None, ""):
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return str(value)
    assert isinstance(value, datetime)
    local = value.astimezone(zone()) if value.tzinfo else value
    return local.strftime("%d/%m/%Y %H:%M" if current() == "fr" else "%Y-%m-%d %H:%M")


def format_number(value: float | int | str | None) -> str:
    """A figure as the reader writes it, to one decimal at most: 24,7 in French, 24.7 in
    English (Babel's number formatting of the language)."""
    from babel.numbers import format_decimal

    if value is None or value == "":
        return ""
    return format_decimal(float(value), format="#,##0.#", locale=current())


# units of a file's size, largest first: (bytes, msgid); French says octets (Ko, Mo, Go)
_SIZES = ((1024 ** 3, N_("{n} GB")), (1024 ** 2, N_("{n} MB")), (1024, N_("{n} KB")),
          (1, N_("{n} B")))


def format_size(size: int) -> str:
    """A file's size as the reader writes numbers: 2,0 Ko in French, 2.0 KB in English (Babel's
    number formatting of the language)."""
    from babel.numbers import format_decimal

    unit, msgid = next(((u, m) for u, m in _SIZES if size >= u), _SIZES[-1])
    number = format_decimal(size / unit, format="#,##0.0" if unit > 1 else "#,##0",
                            locale=current())
    return gettext(msgid).format(n=number)


_FRENCH_DATE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")


def parse_date(text: str) -> str:
    """A date typed `jj/mm/aaaa` (or `15.12.2026`) as ISO; anything else unchanged, for the
    model's validation to judge."""
    m = _FRENCH_DATE.match(text)
    if not m:
        return text
    day, month, year = (int(g) for g in m.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return text


def parse_dates(model: Any, body: dict[str, Any]) -> None:
    """The date fields of a command's `body` (as `model`, a pydantic model, types them) typed
    `jj/mm/aaaa` made ISO, in place: what a web form and the CLI's --field accept alike."""
    for name, info in model.model_fields.items():
        if "date" in str(info.annotation) and isinstance(body.get(name), str):
            body[name] = parse_date(body[name])
