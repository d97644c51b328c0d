"""A notice as its reader reads it: the sentence rendered at display time, in the reader's
language, from the notice's stable parts (kind, clock, due date, study). The English message
stored when it was written stays as it is: the record of what was sent (audit, e-mail).
The pages, the API and the e-mails read notices through here."""

import json
import re
from typing import Any

from domain.inbox import MESSAGES, notice_key
from domain.regulation import CLOCKS

from . import N_, current, format_date, format_number
from . import gettext as _

NOTICE_KINDS = {
    "reminder": N_("Reminder"), "escalation": N_("Urgent: a deadline is missed or imminent"),
    "decision": N_("Decision"), "correction": N_("Correction"),
    "action": N_("Action required"), "recruitment": N_("Recruitment behind plan"),
}


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def kind_words(kind: str) -> str:
    return _(NOTICE_KINDS[kind]) if kind in NOTICE_KINDS else kind


def _said(name: str, value: Any) -> str:
    """One value a notice names, as its reader reads it: a date, a number, a code in words."""
    from api import words
    from api.validation import field_name

    if value is None or value == "":
        return "—"
    if name in ("on", "occurred_on"):
        return format_date(value)
    if name == "planned":
        return format_number(value)
    if name == "state":
        return words.state(value)
    if name == "decision":
        return words.status(value)
    if name == "event":
        return words.event(value)
    if name == "cause":
        return words.cause(value)
    if name == "changes" and isinstance(value, dict):
        return ", ".join(_("{field}: {value}").format(field=field_name(k), value=_said(k, v))
                         for k, v in value.items())
    if isinstance(value, str) and _ISO_DATE.match(value):
        return format_date(value)
    return str(value)


def _from_parts(n: dict[str, Any]) -> str | None:
    """A notice without a clock told from the parts stored with it (migration 041); None for an
    older notice, which has none."""
    parts = n.get("parts")
    if isinstance(parts, str):  # a connection without the jsonb codec
        parts = json.loads(parts)
    if not isinstance(parts, dict) or parts.get("key") not in MESSAGES:
        return None
    values = {k: _said(k, v) for k, v in parts.items() if k != "key"}
    return _(MESSAGES[parts["key"]]).format(study=n.get("study_title") or n["study_id"],
                                            **values)


def notice_text(n: dict[str, Any]) -> str:
    """The notice's sentence in the current language (i18n.current()): in English the sentence
    the rules wrote, with its figures; otherwise from its stable parts."""
    if current() == "en" and n.get("message"):
        return str(n["message"])
    if (told := _from_parts(n)) is not None:
        return told
    clock = CLOCKS.get(str(n.get("clock") or ""))
    kind = str(n["kind"])
    key = notice_key(kind, n.get("deadline"), n.get("due_on")) if clock else "notice.study"
    return _(MESSAGES[key]).format(
        study=n.get("study_title") or n["study_id"], clock=_(clock.label) if clock else "",
        due_on=format_date(n.get("due_on")), kind=kind_words(kind))
