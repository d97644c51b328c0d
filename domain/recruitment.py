"""Recruitment against the plan: the plan line, the cumulative inclusion curve, the date the
target is reached at the current rate, and the rule that raises an alert when the study or a
site falls more than its plan's percent behind (at most once a week). Pure: the same figures
for the study page, the API, the workflow's clock and the tests."""

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any, NamedTuple

from . import events as ev
from .model import StudyStatus
from .sites import ALERT_EVERY_DAYS, STUDY_SCOPE, PaceAlert, RecruitmentPlan, Site, SiteStatus
from .state import StudyState

# the plan's alerts run while the study recruits (not before it opens, not in follow-up)
PACE_STATUSES = frozenset({StudyStatus.recruiting})


class Inclusion(NamedTuple):
    """What the curve needs of one participant (from the folded state), or of `n` participants
    sharing these facts (the read model's aggregate: a study's curve never reads each row)."""

    site: str | None
    included_on: date | None
    withdrawn_on: date | None = None
    completed_on: date | None = None
    n: int = 1


# --- the plan line ------------------------------------------------------------------------------
def planned_on(plan: RecruitmentPlan, day: date) -> float:
    """Inclusions planned by `day`: 0 before the period, the target after it, evenly between."""
    if day <= plan.starts_on:
        return 0.0
    if day >= plan.ends_on:
        return float(plan.target)
    return plan.target * (day - plan.starts_on).days / (plan.ends_on - plan.starts_on).days


def planned_total(plans: Sequence[RecruitmentPlan], day: date) -> float:
    return sum(planned_on(p, day) for p in plans)


def behind(plan: RecruitmentPlan, included: int, day: date) -> bool:
    """More than the plan's percent below the plan line, and by one participant at least (a
    plan of 0.4 inclusions is not behind with none)."""
    return behind_all([plan], included, day)


def catch_up(plan: RecruitmentPlan, day: date) -> int:
    """The fewest inclusions that are not behind on `day`."""
    planned = planned_on(plan, day)
    n = max(0, math.floor(planned * (1 - plan.behind_percent / 100)))
    while behind(plan, n, day):
        n += 1
    return n


def first_behind_on(plan: RecruitmentPlan, included: int, after: date) -> date | None:
    """The first day from `after` on which `included` inclusions are behind the plan (the plan
    line only rises: once behind, behind until more are included)."""
    if behind(plan, included, after):
        return after
    if not behind(plan, included, max(after, plan.ends_on)):
        return None
    lo, hi = after, max(after, plan.ends_on)  # not behind on lo, behind on hi
    while (hi - lo).days > 1:
        mid = lo + timedelta(days=(hi - lo).days // 2)
        lo, hi = (lo, mid) if behind(plan, included, mid) else (mid, hi)
    return hi


# --- the alerts the workflow's clock raises ---------------------------------------------------------
class Scope(NamedTuple):
    key: str  # STUDY_SCOPE or a site code
    plan: RecruitmentPlan
    site: Site | None


def _scopes(s: StudyState) -> list[Scope]:
    """The plans whose pace is watched now: the study's while it recruits, each active site's."""
    if s.status not in PACE_STATUSES:
        return []
    out = [Scope(STUDY_SCOPE, s.recruitment_plan, None)] if s.recruitment_plan else []
    out += [Scope(code, site.plan, site) for code, site in s.sites.items()
            if site.plan and site.status is SiteStatus.active]
    return out


def _counts(s: StudyState) -> dict[str, int]:
    counts = {STUDY_SCOPE: 0}
    for p in s.participants.values():
        if p.included_on is not None:
            counts[STUDY_SCOPE] += 1
            if p.site:
                counts[p.site] = counts.get(p.site, 0) + 1
    return counts


def _next_check(scope: Scope, included: int, alert: PaceAlert | None) -> date | None:
    """The first day the scope may be alerted: behind, and a week after its last alert."""
    earliest = alert.on + timedelta(days=ALERT_EVERY_DAYS) if alert else scope.plan.starts_on
    return first_behind_on(scope.plan, included, earliest)


def pace_alerts(s: StudyState, today: date) -> list[ev.Event]:
    """The behind-plan alerts due on `today`: each watched plan behind, not alerted in the
    last week."""
    counts = _counts(s)
    out: list[ev.Event] = []
    for scope in _scopes(s):
        included = counts.get(scope.key, 0)
        due = _next_check(scope, included, s.pace_alerts.get(scope.key))
        if due is None or due > today or not behind(scope.plan, included, today):
            continue
        out.append(ev.RecruitmentBehindPlan(
            site=scope.key or None, on=today, planned=round(planned_on(scope.plan, today), 1),
            included=included, target=scope.plan.target, catch_up=catch_up(scope.plan, today)))
    return out


def next_check_on(s: StudyState) -> date | None:
    """The next day a watched plan may fall behind (or be alerted again): the workflow's clock
    wakes then. None when no plan is watched or none will fall behind at its present count."""
    counts = _counts(s)
    days = [_next_check(scope, counts.get(scope.key, 0), s.pace_alerts.get(scope.key))
            for scope in _scopes(s)]
    return min(filter(None, days), default=None)


def open_alerts(s: StudyState) -> list[tuple[str, PaceAlert]]:
    """The alerts whose task stays in the coordinator's inbox: the inclusions have not reached
    the figure that was not behind on the alert's day (a new plan answers it too, and so does
    the end of recruitment)."""
    if s.status not in PACE_STATUSES:
        return []
    counts = _counts(s)
    return [(key, alert) for key, alert in sorted(s.pace_alerts.items())
            if counts.get(key, 0) < alert.catch_up]


# --- the curve and the projection ------------------------------------------------------------
def projected_on(target: int | None, inclusions: Iterable[date] | Mapping[date, int],
                 since: date | None, today: date) -> date | None:
    """The day the target is reached at the rate seen since `since` (the plan's start, else
    the first inclusion): the day it was reached if it is; None without a target or a rate.
    `inclusions`: their dates, or how many on each date."""
    if not target:
        return None
    per_day = inclusions if isinstance(inclusions, Mapping) else Counter(inclusions)
    days_ = sorted(d for d, n in per_day.items() if n)
    if not days_:
        return None
    reached = 0
    for day in days_:
        reached += per_day[day]
        if reached >= target:
            return day
    start = min(filter(None, [since, days_[0]]))
    rate = reached / max((today - start).days, 1)
    return today + timedelta(days=math.ceil((target - reached) / rate))


def _per_day(inclusions: Iterable[Inclusion], fact: str) -> Counter[date]:
    """How many participants on each day of a fact: included_on, withdrawn_on (of those
    included), completed_on."""
    out: Counter[date] = Counter()
    for i in inclusions:
        on = getattr(i, fact)
        if on and (fact != "withdrawn_on" or i.included_on):
            out[on] += i.n
    return out


def curve(inclusions: Sequence[Inclusion], plans: Sequence[RecruitmentPlan], today: date
          ) -> list[dict[str, Any]]:
    """Cumulative inclusions, withdrawals (of participants included) and completions against the
    plan line: a point on each day something happened, on the plan's start and end (up to
    today), and today."""
    included, withdrawn, completed = (
        _per_day(inclusions, fact) for fact in ("included_on", "withdrawn_on", "completed_on"))
    days = {*included, *withdrawn, *completed, today, *(p.starts_on for p in plans),
            *(p.ends_on for p in plans)}
    out: list[dict[str, Any]] = []
    totals = [0, 0, 0]
    for day in sorted(d for d in days if d <= today):
        totals = [totals[0] + included[day], totals[1] + withdrawn[day],
                  totals[2] + completed[day]]
        out.append({"on": day, "included": totals[0],
                    "planned": round(planned_total(plans, day), 1) if plans else None,
                    "withdrawn": totals[1], "completed": totals[2]})
    return out


def behind_all(plans: Sequence[RecruitmentPlan], included: int, day: date) -> bool:
    """`behind` for the sum of several plans (a study planned through its sites' plans)."""
    if not plans:
        return False
    planned = planned_total(plans, day)
    gap = planned - included
    return gap >= 1 and gap > planned * min(p.behind_percent for p in plans) / 100


def _summary(inclusions: Sequence[Inclusion], plans: Sequence[RecruitmentPlan],
             target: int | None, today: date) -> dict[str, Any]:
    dates = _per_day(inclusions, "included_on")
    included = sum(dates.values())
    starts = min((p.starts_on for p in plans), default=None)
    return {
        "target": target, "included": included,
        "withdrawn": sum(_per_day(inclusions, "withdrawn_on").values()),
        "completed": sum(_per_day(inclusions, "completed_on").values()),
        "planned_today": round(planned_total(plans, today), 1) if plans else None,
        "starts_on": starts, "ends_on": max((p.ends_on for p in plans), default=None),
        "behind": behind_all(plans, included, today),
        "projected_target_on": projected_on(target, dates, starts, today),
        "curve": curve(inclusions, plans, today),
        # the plan's whole line, past and future: its corners
        "plan_line": [{"on": day, "planned": round(planned_total(plans, day), 1)} for day in
                      sorted({d for p in plans for d in (p.starts_on, p.ends_on)})],
    }


def progress(plan: RecruitmentPlan | None, sites: Iterable[Site],
             inclusions: Sequence[Inclusion], today: date) -> dict[str, Any]:
    """GET /api/studies/{id}/recruitment: the study's target (its plan's, else the sum of its
    sites'), inclusions, each site's, and the cumulative curve against the plan."""
    sites = list(sites)
    site_plans = [site.plan for site in sites if site.plan]
    plans = [plan] if plan else site_plans
    target = plan.target if plan else (sum(p.target for p in site_plans) or None)
    out = _summary(inclusions, plans, target, today)
    out["by_site"] = [{
        "site": site.code, "name": site.name, "investigator": site.investigator,
        "status": site.status.value, "activated_on": site.activated_on,
        "closed_on": site.closed_on,
        **_summary([i for i in inclusions if i.site == site.code],
                   [site.plan] if site.plan else [], site.plan.target if site.plan else None,
                   today),
    } for site in sites]
    out["unsited"] = sum(i.n for i in inclusions if i.included_on and i.site not in
                         {site.code for site in sites})
    return out
