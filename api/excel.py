"""The audit trail as a French Excel opens it: `;` between columns, UTF-8 with a BOM, one
column per field that matters (each field of the events' data its own column, never a JSON
cell), headers and event names in the reader's language, times in TIME_ZONE. The `csv` format
stays the machine's (comma, the contract's columns) for the scripts that read it."""

import csv
import io
from typing import Any

import i18n
from i18n import N_
from i18n import gettext as _
from store.audit import signature_line

from . import validation, words

COLUMNS = [("number", N_("No. in the study")), ("seq", N_("Audit sequence")),
           ("study_id", N_("Study")), ("effective_on", N_("Legal date")),
           ("at", N_("Recorded")), ("type", N_("What")), ("actor", N_("Who")),
           ("role", N_("Role")), ("reason", N_("Why"))]
TAIL = [("signature", N_("Electronic signature")), ("hash", N_("Fingerprint")),
        ("prev_hash", N_("Previous fingerprint"))]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k} = {_cell(v)}" for k, v in sorted(value.items()))
    return str(value)


def _document(d: dict[str, Any]) -> str:
    """An attached document in words: its file's name, kind and size (its fingerprint has a
    column of its own in the trail of the upload)."""
    return f"{d.get('name') or d.get('sha256')} ({words.document_kind(d.get('kind'))}, " \
           f"{i18n.format_size(int(d.get('size') or 0))})"


def _value(field: str, value: Any) -> str:
    """A field's value as a person reads it: codes in words, dates as dates."""
    if value is None:
        return ""
    if field in ("from_status", "to_status"):
        return words.state(value)
    if field == "command":
        return words.command(str(value))
    if field == "documents" and isinstance(value, list):
        return ", ".join(_document(d) if isinstance(d, dict) else _cell(d) for d in value)
    if isinstance(value, dict):  # a site's documents (dates), a correction's changes
        return "; ".join(f"{validation.field_name(k)} = {_value(k, v)}"
                         for k, v in sorted(value.items()))
    if field.endswith("_on") and isinstance(value, str):
        return i18n.format_date(value)
    return _cell(value)


def render(rows: list[dict[str, Any]]) -> str:
    fields = sorted({k for r in rows for k in (r.get("data") or {})})
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads UTF-8 only with its byte order mark
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_(title) for _k, title in COLUMNS] + [validation.field_name(f)
                                                           for f in fields]
                    + [_(title) for _k, title in TAIL])
    for r in rows:
        data = r.get("data") or {}
        signature = r.get("signature")
        writer.writerow([
            r.get("version"), r.get("seq"), r.get("study_id"), i18n.format_date(
                r.get("effective_on")) if r.get("effective_on") else "",
            i18n.format_datetime(r.get("at")), words.event(r.get("type")), r.get("actor"),
            words.role(r.get("role")), words.reason(r.get("reason")),
            *[_value(f, data.get(f)) for f in fields],
            signature_line(signature) if signature else "", r.get("hash"), r.get("prev_hash")])
    return out.getvalue()
