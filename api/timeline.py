"""The study timeline as a Gantt-style SVG: one row per clock, grouped by regulatory track,
each clock from its start to its due date, stopped intervals hatched, met or missed marked,
milestones from the audit trail, today as a line. Geometry only: the template draws it."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from babel.dates import format_date

import i18n
from domain import CLOCKS, Track
from domain.messages_en import MESSAGES
from i18n import N_
from i18n import gettext as _

from . import words

MILESTONES = {  # event type -> (track, date field, label)
    "ProtocolSubmitted": (Track.sponsor_insurance, None, N_("protocol")),
    "SponsorAssigned": (Track.sponsor_insurance, None, N_("sponsor")),
    "InsuranceRecorded": (Track.sponsor_insurance, None, N_("insurance")),
    "RegistrationRecorded": (Track.sponsor_insurance, None, N_("registration")),
    "EthicsSubmitted": (Track.ethics, "submitted_on", N_("submitted")),
    "EthicsOpinionRecorded": (Track.ethics, "opinion_on", N_("opinion")),
    "EthicsConditionsLifted": (Track.ethics, "lifted_on", N_("conditions lifted")),
    "CnilRecorded": (Track.data_protection, None, N_("CNIL")),
    "CnilDecisionRecorded": (Track.data_protection, "decision_on", N_("CNIL decision")),
    "AnsmSubmitted": (Track.authority, "submitted_on", N_("submitted")),
    "AnsmObjectionRecorded": (Track.authority, "objected_on", N_("objection")),
    "AnsmDecisionRecorded": (Track.authority, "decision_on", N_("decision")),
    "AnsmNotified": (Track.authority, "sent_on", N_("informed")),
    "DirectorInformed": (Track.recruitment, "informed_on", N_("director")),
    "ConventionSigned": (Track.recruitment, "signed_on", N_("convention")),
    "MilestoneNotified": (Track.recruitment, "notified_on", N_("notified")),
    "SiteActivated": (Track.recruitment, "activated_on", N_("site")),
    "SiteClosed": (Track.recruitment, "closed_on", N_("site closed")),
    "EndDeclared": (Track.end, "ended_on", N_("end")),
    "ResultsReported": (Track.end, "reported_on", N_("results")),
}
LABEL_W, ROW_H, WIDTH, TOP = 190, 26, 960, 28
MONTH_LABEL_W = 56  # "Sep 2026" at the timeline's font size


def track_title(track: Track, framework: str) -> str:
    """Under the EU regulations some tracks carry other bodies' clocks, and say so."""
    return _(MESSAGES.get(f"track.{track.value}.{framework}") or MESSAGES[f"track.{track.value}"])


@dataclass
class Row:
    y: int
    label: str
    track: str
    bars: list[dict[str, Any]] = field(default_factory=list)
    marks: list[dict[str, Any]] = field(default_factory=list)


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _legal(event: dict[str, Any]) -> date | None:
    """When a fact took effect: its legal date, else (a fact without one) when it was recorded.
    A history brought in years later is drawn when it happened, not when it was typed."""
    return _day(event.get("effective_on")) or _day(event["at"])


def build(study: dict[str, Any], events: list[dict[str, Any]], today: date) -> dict[str, Any]:
    deadlines = study.get("deadlines", [])
    days = [today] + [_legal(e) for e in events] + [
        d for dl in deadlines for d in (_day(dl["starts_on"]), _day(dl["due_on"]))]
    start = min(x for x in days if x) - timedelta(days=3)
    end = max(x for x in days if x) + timedelta(days=7)
    span = max((end - start).days, 1)

    def x(d: date) -> float:
        return round(LABEL_W + (WIDTH - LABEL_W - 10) * (d - start).days / span, 1)

    rows: list[Row] = []
    y = TOP
    framework = study.get("framework", "JARDE")
    for track in Track:
        title = track_title(track, framework)
        group = [dl for dl in deadlines if CLOCKS[dl["clock"]].track is track]
        marks = []
        for e in events:
            spec = MILESTONES.get(e["type"])
            if spec and spec[0] == track:
                on = _day(e["data"].get(spec[1])) if spec[1] else _legal(e)
                if on:
                    marks.append({"x": x(on), "label": _(spec[2]),
                                  "title": f"{words.event(e['type'])} {i18n.format_date(on)}"})
        recruiting = [e for e in events if e["type"] == "StudyStatusChanged"
                      and e["data"].get("to_status") == "recruiting"]
        if not group and not marks and not (track is Track.recruitment and recruiting):
            continue
        header = Row(y=y, label=title, track=track.value, marks=_merge(marks))
        if track is Track.recruitment and recruiting:
            opened = _legal(recruiting[0]) or today
            closed = next((_legal(e) for e in events if e["type"] == "StudyStatusChanged"
                           and e["data"].get("from_status") == "recruiting"), None) or today
            header.bars.append({"x": x(opened), "w": max(x(closed) - x(opened), 3),
                                "status": "recruiting", "title": f"recruiting {opened} → {closed}"})
        rows.append(header)
        y += ROW_H
        for dl in group:
            row = Row(y=y, label=_(dl["label"]), track=track.value)
            s, due = _day(dl["starts_on"]), _day(dl["due_on"])
            assert s and due
            row.bars.append({"x": x(s), "w": max(x(due) - x(s), 3), "status": dl["status"],
                             "title": f"{dl['label']}: {s} → due {due} ({dl['status']}; "
                                      f"{dl['source']})"})
            if dl.get("stopped_on"):
                stop = _day(dl["stopped_on"]) or today
                row.bars.append({"x": x(stop), "w": max(x(today) - x(stop), 3),
                                 "status": "stopped-interval", "title": f"clock stopped {stop}"})
            elif dl.get("stopped_days"):
                ethics = study["steps"]["ethics"]
                requested = _day(ethics.get("information_requested_on"))
                if requested:
                    row.bars.append({"x": x(requested), "w": x(requested + timedelta(
                        days=dl["stopped_days"])) - x(requested), "status": "stopped-interval",
                        "title": f"clock stopped {dl['stopped_days']} days"})
            closed_on = _day(dl.get("closed_on"))
            if closed_on:
                row.marks.append({"x": x(closed_on), "label": "✓" if dl["status"] == "met" else "✗",
                                  "title": f"{dl['status']} on {closed_on}"})
            elif dl["status"] == "overdue":
                row.marks.append({"x": x(due), "label": "✗", "title": f"missed {due}"})
            rows.append(row)
            y += ROW_H
    months = []
    m = date(start.year, start.month, 1)
    # a history brought in spans years: one month in `step` is labelled, so labels never overlap
    month_w = (WIDTH - LABEL_W - 10) * 30.4 / span
    step = next(n for n in (1, 2, 3, 6, 12, 24, 60, 120) if n * month_w >= MONTH_LABEL_W or n == 120)
    while m <= end:
        if m >= start and (m.month - 1) % step == 0:
            months.append({"x": x(m), "label": format_date(m, "MMM yyyy", locale=i18n.current())})
        m = date(m.year + (m.month == 12), m.month % 12 + 1, 1)
    return {"rows": rows, "height": y + 10, "width": WIDTH, "today_x": x(today),
            "today": today, "months": months, "label_w": LABEL_W, "row_h": ROW_H}


def _merge(marks: list[dict[str, Any]], gap: float = 60) -> list[dict[str, Any]]:
    """Milestones too close to read apart become one, their labels joined."""
    out: list[dict[str, Any]] = []
    for m in sorted(marks, key=lambda m: m["x"]):
        if out and m["x"] - out[-1]["x"] < gap:
            if m["label"] not in out[-1]["label"].split(", "):
                out[-1]["label"] += f", {m['label']}"
            out[-1]["title"] += f"; {m['title']}"
        else:
            out.append(dict(m))
    return out
