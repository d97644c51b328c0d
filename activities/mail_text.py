"""The words of the e-mails, in the unit's language (LANGUAGE): what happened, what to do, by
when, and the link to the study's page (PUBLIC_URL). Pure text: activities/notify.py sends."""

from datetime import date
from typing import Any

import i18n
from domain.catalogue import MET_BY, labels
from domain.messages_en import MESSAGES
from i18n import gettext as _
from i18n.notices import kind_words, notice_text

kind = kind_words  # a notice's kind in words


def study_url(public_url: str, study_id: str) -> str:
    return f"{public_url.rstrip('/')}/studies/{study_id}"


def headline(n: dict[str, Any]) -> str:
    """The notice in one line: in English the sentence the rules wrote; otherwise the notice's
    sentence from its parts (i18n.notices: study, clock, due date), as the inbox shows it."""
    return notice_text({**n, "clock": n.get("clock") or n.get("deadline")})


def notice(n: dict[str, Any], public_url: str, language: str) -> tuple[str, str]:
    """(subject, body) of one notice's e-mail."""
    with i18n.use(language):
        urgent = " " + _("URGENT") if n["urgent"] else ""
        subject = f"[StudyFlow]{urgent} {n['study_title']}"
        lines = [headline(n), ""]
        clock_id = str(n.get("clock") or n.get("deadline") or "")
        if clock_id in MET_BY:
            command = labels(MESSAGES).get(MET_BY[clock_id], MET_BY[clock_id])
            lines.append(_("What to do: {action}").format(action=_(command)))
        if isinstance(n.get("due_on"), date):
            lines.append(_("By: {date}").format(
                date=i18n.format_date(n["due_on"])))
        lines.append(_("Study: {url}").format(url=study_url(public_url, str(n["study_id"]))))
        return subject, "\n".join(lines)


def digest(rows: list[dict[str, Any]], public_url: str, language: str) -> tuple[str, str]:
    """(subject, body) of a daily digest: one line per notice, each with its link."""
    with i18n.use(language):
        subject = "[StudyFlow] " + i18n.ngettext("Daily digest: %(num)s notice",
                                                 "Daily digest: %(num)s notices",
                                                 len(rows)) % {"num": len(rows)}
        lines = [f"- {i18n.format_date(r['created_at'])} {headline(r)} "
                 f"— {study_url(public_url, str(r['study_id']))}" for r in rows]
        return subject, "\n".join(lines)
