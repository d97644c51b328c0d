"""A notice as its reader reads it: the sentence rendered at display time, in the reader's
language, from the notice's stable parts (kind, clock, due date, study). The English message
stored when it was written stays as it is: the record of what was sent (audit, e-mail).
The pages, the API and the e-mails read notices through here."""

from typing import Any

from domain.inbox import MESSAGES, notice_key
from domain.regulation import CLOCKS

from . import N_, current, format_date
from . import gettext as _

NOTICE_KINDS = {
    "reminder": N_("Reminder"), "escalation": N_("Urgent: a deadline is missed or imminent"),
    "decision": N_("Decision"), "correction": N_("Correction"),
    "action": N_("Action required"), "recruitment": N_("Recruitment behind plan"),
}


def kind_words(kind: str) -> str:
    return _(NOTICE_KINDS[kind]) if kind in NOTICE_KINDS else kind


def notice_text(n: dict[str, Any]) -> str:
    """The notice's sentence in the current language (i18n.current()): in English the sentence
    the rules wrote, with its figures; otherwise from its stable parts."""
    if current() == "en" and n.get("message"):
        return str(n["message"])
    clock = CLOCKS.get(str(n.get("clock") or ""))
    kind = str(n["kind"])
    key = notice_key(kind, n.get("deadline"), n.get("due_on")) if clock else "notice.study"
    return _(MESSAGES[key]).format(
        study=n.get("study_title") or n["study_id"], clock=_(clock.label) if clock else "",
        due_on=format_date(n.get("due_on")), kind=kind_words(kind))
