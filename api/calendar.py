"""Calendar feeds: a person's open deadlines and tasks as an iCalendar (RFC 5545) feed that
Outlook, Thunderbird or a phone subscribe to by URL, made with the `icalendar` library.

The URL is the feed's secret: `/calendar/{id}.{hmac}.ics`, the HMAC of the id under SECRET_KEY,
so that the database alone cannot give a working URL. One live feed per person, role and scope
(`person`: what the caller's inbox holds; `unit`: every open deadline, for the unit's managers);
revoking it stops the URL at once, and asking again gives a new one."""

import hashlib
import hmac
from datetime import date, datetime, timedelta
from typing import Any

from icalendar import Calendar, Event

import i18n
import wallclock
from domain import inbox
from domain.regulation import CLOCKS, legal_day
from i18n import gettext as _
from store import ReadModels

from . import words

SCOPES = ("person", "unit")
PRODID = "-//StudyFlow//Research unit deadlines//EN"
REFRESH = timedelta(hours=1)  # how often a client should fetch the feed again
FEED_ROWS = 2000


def _signature(secret: bytes, feed_id: str) -> str:
    return hmac.new(secret, f"calendar-feed:{feed_id}".encode(), hashlib.sha256).hexdigest()[:32]


def feed_token(secret: bytes, feed_id: str) -> str:
    return f"{feed_id}.{_signature(secret, feed_id)}"


def feed_id_of(secret: bytes, token: str) -> str | None:
    """The feed id a URL's token names, if its signature holds."""
    feed_id, _, signature = token.rpartition(".")
    if not feed_id or not hmac.compare_digest(signature, _signature(secret, feed_id)):
        return None
    return feed_id


def feed_urls(base_url: str, secret: bytes, feed: dict[str, Any]) -> dict[str, Any]:
    url = f"{base_url.rstrip('/')}/calendar/{feed_token(secret, feed['id'])}.ics"
    return {"url": url, "webcal_url": "webcal://" + url.split("://", 1)[1],
            "scope": feed["scope"], "role": feed["role"], "actor": feed["actor"],
            "created_at": feed["created_at"]}


def _uid(study_id: str, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]
    return f"{study_id}.{digest}@studyflow"


def _event(base_url: str, stamp: datetime, today: date, *, study_id: str, study_title: str,
           title: str, due_on: date | None, overdue: bool, kind: str, command: str | None,
           uid: str, role: str | None = None) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    day = due_on or today
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    late = _("OVERDUE") + " · " if overdue else ""
    event.add("summary", f"{late}{title} — {study_title}")
    lines = [_("Study: {title} ({id})").format(title=study_title, id=study_id),
             _("To do: {action}").format(action=words.command(command)) if command else "",
             _("Who acts: {role}").format(role=words.role(role)) if role else "",
             _("No due date: shown on the day the feed is read.") if due_on is None else "",
             f"{base_url.rstrip('/')}/studies/{study_id}"]
    event.add("description", "\n".join(line for line in lines if line))
    event.add("url", f"{base_url.rstrip('/')}/studies/{study_id}")
    event.add("categories", [kind])
    event.add("transp", "TRANSPARENT")  # a deadline, not a meeting: the day stays free
    event.add("status", "CONFIRMED")
    return event


async def items(read: ReadModels, feed: dict[str, Any]) -> list[dict[str, Any]]:
    """What a feed shows: for a person, their role's inbox (of the studies naming them where
    the role is one a study names, as the notices go); for the unit, every open deadline."""
    if feed["scope"] == "unit":
        return [{**d, "kind": "deadline", "title": f"{d['label']}: due {d['due_on']}",
                 "deadline": d["name"], "command": None}
                for d in await read.calendar.open_deadlines(None, None)]
    tasks = await read.tasks_for_role(feed["role"], limit=FEED_ROWS)
    investigators = await read.calendar.investigators(sorted({t["study_id"] for t in tasks}))
    return [t for t in tasks if inbox.receives(feed["role"], feed["actor"],
                                               investigators.get(t["study_id"], ""))]


def _title(row: dict[str, Any]) -> str:
    """An event's title in the current language: a unit deadline by its clock and due date,
    a task as the inbox words it (api.words.task)."""
    if "label" not in row:
        return words.task(row)
    clock = CLOCKS.get(str(row.get("clock") or ""))
    return _("{clock}: due {due_on}").format(clock=_(clock.label) if clock else _(row["label"]),
                                             due_on=i18n.format_date(row.get("due_on")))


def render(feed: dict[str, Any], rows: list[dict[str, Any]], base_url: str,
           now: datetime | None = None, language: str | None = None) -> bytes:
    """The feed's iCalendar text, in `language` (default: the unit's LANGUAGE, since a
    calendar client names no reader). Its UIDs and dates do not depend on the language."""
    with i18n.use(language or i18n.unit_language()):
        return _render(feed, rows, base_url, now)


def _render(feed: dict[str, Any], rows: list[dict[str, Any]], base_url: str,
            now: datetime | None) -> bytes:
    stamp = (now or wallclock.now()).replace(microsecond=0)
    today = legal_day(stamp)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    name = (_("StudyFlow — {actor} ({role})").format(actor=feed["actor"],
                                                       role=words.role(feed["role"]))
            if feed["scope"] == "person" else _("StudyFlow — the unit's open deadlines"))
    cal.add("x-wr-calname", name)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", REFRESH)
    for row in rows:
        # a task's title carries figures that change: its kind of task names it, up to ":"
        key = row.get("deadline") or row.get("participant") or row["title"].split(":")[0]
        cal.add_component(_event(
            base_url, stamp, today, study_id=row["study_id"], study_title=row["study_title"],
            title=_title(row), due_on=row.get("due_on"), overdue=bool(row.get("overdue")),
            kind=row["kind"], command=row.get("command"), role=row.get("role"),
            uid=_uid(row["study_id"], row["kind"], str(key))))
    return cal.to_ical()
