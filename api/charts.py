"""Charts as server-rendered SVG, like the timeline: geometry only, the templates draw it
(api/templates/charts.html). The recruitment curve of a study (cumulative inclusions against
the plan, withdrawals and completions, the projection to the target, today) and the bars of the
unit's portfolio. Sized in SVG units to stay legible when the page is 390 px wide: the chart
scales down to the screen, its labels are few and large."""

import math
from datetime import date, timedelta
from typing import Any

from i18n import N_
from i18n import gettext as _

from . import words

MONTHS = [N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"), N_("May"), N_("Jun"), N_("Jul"),
          N_("Aug"), N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec")]


def month_name(n: int) -> str:
    """A month's short name in the reader's language (1-12)."""
    return _(MONTHS[n - 1])


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def nice_max(value: float, ticks: int = 4) -> tuple[float, float]:
    """An axis maximum at or above `value` and its tick step (1, 2 or 5 times a power of 10)."""
    value = max(value, 1.0)
    raw = value / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(step, 1.0)
    return step * math.ceil(value / step), step


def _months(start: date, end: date, x: Any, min_gap: float) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    m = date(start.year, start.month, 1)
    span_months = max((end.year - start.year) * 12 + end.month - start.month, 1)
    for step in (1, 2, 3, 6, 12, 24):
        if (x(end) - x(start)) / span_months * step >= min_gap:
            break
    while m <= end:
        if m >= start and (m.month - 1) % step == 0:
            label = month_name(m.month) + (f" {m.year % 100:02d}" if m.month == 1 or not out
                                           else "")
            out.append({"x": x(m), "label": label})
        m = date(m.year + (m.month == 12), m.month % 12 + 1, 1)
    return out


def _steps(points: list[tuple[date, int]], x: Any, y: Any) -> str:
    """A cumulative count as a staircase: flat until the day it rises."""
    out: list[str] = []
    previous = 0
    for day, n in points:
        out.append(f"{x(day)},{y(previous)}")
        out.append(f"{x(day)},{y(n)}")
        previous = n
    return " ".join(out)


def recruitment_chart(data: dict[str, Any], today: date, width: int = 420, height: int = 250,
                      title: str = "") -> dict[str, Any] | None:
    """The geometry of one recruitment curve (`data`: the study's or a site's part of
    GET /recruitment). None when there is nothing to draw (no plan, no inclusion)."""
    curve = data.get("curve") or []
    plan = data.get("plan_line") or []
    target = data.get("target")
    if not plan and not any(p["included"] for p in curve):
        return None
    projected = _day(data.get("projected_target_on"))
    days = [today] + [_day(p["on"]) for p in curve if p["included"] or p["withdrawn"]
                      or p["completed"]] + [_day(p["on"]) for p in plan]
    start = min(d for d in days if d)
    end = max(d for d in days if d)
    # the projection is drawn when it falls within twice the chart's span; beyond, an arrow
    limit = end + (end - start)
    shown_projection = projected if projected and projected <= limit else None
    if shown_projection:
        end = max(end, shown_projection)
    end = max(end, start + timedelta(days=30))
    left, right, top, bottom = 36, 14, 14, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value, step = nice_max(max([target or 0, *(p["included"] for p in curve)]) * 1.05)

    def x(d: date) -> float:
        return round(left + plot_w * (d - start).days / max((end - start).days, 1), 1)

    def y(n: float) -> float:
        return round(top + plot_h * (1 - n / top_value), 1)

    def series(key: str) -> list[tuple[date, int]]:
        return [(d, p[key]) for p in curve if (d := _day(p["on"]))]

    included = series("included")
    last = included[-1][1] if included else 0
    plan_points = [(d, p["planned"]) for p in plan if (d := _day(p["on"]))]
    if plan_points and plan_points[0][0] > start:
        plan_points.insert(0, (start, 0))
    if plan_points and plan_points[-1][0] < end:
        plan_points.append((end, plan_points[-1][1]))
    chart = {
        "title": title, "width": width, "height": height, "left": left, "top": top,
        "plot_w": plot_w, "plot_h": plot_h, "bottom_y": top + plot_h,
        "yticks": [{"y": y(v), "label": f"{v:g}"}
                   for v in (step * i for i in range(int(top_value / step) + 1))],
        "xticks": _months(start, end, x, 52),
        "included": _steps(included + [(today, last)], x, y),
        "withdrawn": _steps(series("withdrawn") + [(today, data.get("withdrawn", 0))], x, y)
        if data.get("withdrawn") else None,
        "completed": _steps(series("completed") + [(today, data.get("completed", 0))], x, y)
        if data.get("completed") else None,
        "plan": " ".join(f"{x(d)},{y(n)}" for d, n in plan_points) or None,
        "target_y": y(target) if target else None, "target": target,
        "today_x": x(today), "today": today, "included_now": last,
        "head": {"x": x(today), "y": y(last)},
        "projection": None, "projected_on": projected, "behind": data.get("behind"),
    }
    if projected and target and last < target:
        until = shown_projection or end
        value = target if shown_projection else last + (target - last) * (
            (until - today).days / max((projected - today).days, 1))
        chart["projection"] = {"x1": x(today), "y1": y(last), "x2": x(until), "y2": y(value),
                               "beyond": shown_projection is None}
    return chart


# --- the portfolio's bars -----------------------------------------------------------------------
CATEGORY_ORDER = ("RIPH1", "RIPH2", "RIPH3", "NON_RIPH")


def state_bars(rep: dict[str, Any], states: list[str], width: int = 400) -> dict[str, Any]:
    """Studies per state, each bar split by category (horizontal: long state names stay
    readable on a phone)."""
    rows = rep["studies"]["by_state_and_category"]
    present = [s for s in states if rep["studies"]["by_state"].get(s)]
    most = max([rep["studies"]["by_state"].get(s, 0) for s in present], default=0)
    top_value, step = nice_max(most)
    label_w, row_h, top = 104, 26, 8
    plot_w = width - label_w - 36
    bars = []
    for i, state in enumerate(present):
        x0 = float(label_w)
        segments = []
        for category in CATEGORY_ORDER:
            n = next((r["studies"] for r in rows if r["state"] == state
                      and r["category"] == category), 0)
            if n:
                w = round(plot_w * n / top_value, 1)
                segments.append({"x": round(x0, 1), "w": max(w, 1.5), "category": category,
                                 "n": n})
                x0 += w
        bars.append({"y": top + i * row_h, "label": words.state(state),
                     "total": rep["studies"]["by_state"][state], "end": round(x0, 1),
                     "segments": segments})
    return {"width": width, "height": top + len(present) * row_h + 24, "bars": bars,
            "label_w": label_w, "row_h": row_h,
            "ticks": [{"x": round(label_w + plot_w * v / top_value, 1), "label": f"{v:g}"}
                      for v in (step * i for i in range(int(top_value / step) + 1))],
            "axis_y": top + len(present) * row_h + 14, "categories": CATEGORY_ORDER}


def decision_bars(rows: list[dict[str, Any]], key: str, width: int = 400) -> dict[str, Any]:
    """Median days as a bar and the 90th percentile as a whisker, one row per committee (or
    category)."""
    decided = [r for r in rows if r["median_days"] is not None]
    most = max([r["p90_days"] or r["median_days"] for r in decided], default=0)
    top_value, step = nice_max(most)
    label_w, row_h, top = 128, 30, 8
    plot_w = width - label_w - 84  # room for "median / p90 d" after the whisker

    def x(v: float) -> float:
        return round(label_w + plot_w * v / top_value, 1)

    bars = [{"y": top + i * row_h, "label": str(r[key]), "median": r["median_days"],
             "p90": r["p90_days"], "x_median": x(r["median_days"]),
             "x_p90": x(r["p90_days"] or r["median_days"]), "decided": r["decided"],
             "share": r.get("information_request_share")} for i, r in enumerate(decided)]
    return {"width": width, "height": top + len(bars) * row_h + 26, "bars": bars,
            "label_w": label_w, "row_h": row_h, "axis_y": top + len(bars) * row_h + 14,
            "ticks": [{"x": x(v), "label": f"{v:g}"}
                      for v in (step * i for i in range(int(top_value / step) + 1))]}


def month_bars(rows: list[dict[str, Any]], series: tuple[str, ...], months: list[str],
               width: int = 400, height: int = 190) -> dict[str, Any]:
    """Vertical bars per month, one per series side by side (met and missed clocks; the
    inclusions)."""
    by_month = {r["month"]: r for r in rows}
    most = max([by_month.get(m, {}).get(s, 0) for m in months for s in series], default=0)
    top_value, step = nice_max(most)
    left, top, bottom = 34, 10, 34
    plot_w, plot_h = width - left - 8, height - top - bottom
    slot = plot_w / max(len(months), 1)
    bar_w = max(slot * 0.8 / len(series), 1.0)
    label_every = next(n for n in (1, 2, 3, 4, 6, 12) if slot * n >= 30)
    groups = []
    for i, month in enumerate(months):
        row = by_month.get(month, {})
        x0 = left + i * slot + slot * 0.1
        bars = []
        for j, s in enumerate(series):
            n = row.get(s, 0)
            h = round(plot_h * n / top_value, 1)
            bars.append({"x": round(x0 + j * bar_w, 1), "w": round(bar_w, 1),
                         "y": round(top + plot_h - h, 1), "h": h, "series": s, "n": n})
        label = None
        if i % label_every == 0:
            y, m = month.split("-")
            # the year under January, and under the first month when no January follows soon
            first = i == 0 and int(m) <= 12 - 2 * label_every
            label = month_name(int(m)) + (f" {y[2:]}" if m == "01" or first else "")
        groups.append({"month": month, "bars": bars, "label": label,
                       "label_x": round(left + i * slot + slot / 2, 1)})
    return {"width": width, "height": height, "groups": groups, "series": series,
            "left": left, "plot_w": plot_w, "bottom_y": top + plot_h,
            "yticks": [{"y": round(top + plot_h * (1 - v / top_value), 1), "label": f"{v:g}"}
                       for v in (step * i for i in range(int(top_value / step) + 1))]}


def last_months(until: date, n: int) -> list[str]:
    out = []
    y, m = until.year, until.month
    for _step in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]
