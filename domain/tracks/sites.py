"""Research sites and recruitment plans: a site is added (before or after the approvals),
activated once the study is approved and the unit's documents are in (domain/sites.py), then
closed; a participant is included only at an active site. A plan sets the target and the
period, for the study or one site; the clock raises an alert when recruitment falls behind it
(domain/recruitment.py)."""

from datetime import date

from .. import commands as c
from .. import events as ev
from ..sites import (
    ACTIVATION_STATUSES,
    PLAN_STATUSES,
    SITE_CHANGE_STATUSES,
    SITE_REQUIREMENTS,
    PaceAlert,
    RecruitmentPlan,
    Requirement,
    Site,
    SiteStatus,
)
from ..state import StudyState
from .rules import not_before, require, require_status
from .updates import Mutators, mutator, updated

DEFAULT_BEHIND_PERCENT = 20  # when neither the command nor the unit's setting gives one


# --- decide -----------------------------------------------------------------------------------
def _site(s: StudyState, code: str) -> Site:
    site = s.sites.get(code)
    require(site, "unknown_site", f"no site {code} in this study: add it first (add_site)")
    assert site is not None
    return site


def add_site(s: StudyState, cmd: c.AddSite) -> list[ev.Event]:
    require_status(s, SITE_CHANGE_STATUSES, "adding a site")
    require(cmd.site not in s.sites, "site_exists", f"site {cmd.site} is already in this study")
    return [ev.SiteAdded(site=cmd.site, name=cmd.name, investigator=cmd.investigator)]


def missing_requirements(cmd: c.ActivateSite,
                         requirements: tuple[Requirement, ...] = SITE_REQUIREMENTS
                         ) -> list[Requirement]:
    return [r for r in requirements if r.required and getattr(cmd, r.field, None) is None]


def activate_site(s: StudyState, cmd: c.ActivateSite,
                  requirements: tuple[Requirement, ...] = SITE_REQUIREMENTS) -> list[ev.Event]:
    site = _site(s, cmd.site)
    require(site.status is not SiteStatus.closed, "site_closed",
            f"site {cmd.site} closed on {site.closed_on}: add it again under a new code")
    require(site.status is SiteStatus.added, "site_already_active",
            f"site {cmd.site} has been active since {site.activated_on}")
    require(s.status in ACTIVATION_STATUSES, "study_not_approved",
            "a site is activated once the study holds every approval its category requires "
            f"(CSP L1121-4): the study is {s.status.value}")
    missing = missing_requirements(cmd, requirements)
    require(not missing, "site_requirements_missing", "before a site includes, the unit requires "
            + "; ".join(f"the {r.label} ({r.field}, {r.source})" for r in missing))
    approved = max(filter(None, [s.ethics.opinion_on, s.ansm.decision_on, s.ansm.notified_on]),
                   default=None)
    not_before(cmd.activated_on, approved, "the site's activation", "the study's last approval")
    documents: dict[str, date] = {}
    for r in requirements:
        attested = getattr(cmd, r.field, None)
        if attested is not None:
            not_before(cmd.activated_on, attested, "the site's activation", f"the {r.label}")
            documents[r.field] = attested
    return [ev.SiteActivated(site=cmd.site, activated_on=cmd.activated_on, documents=documents)]


def close_site(s: StudyState, cmd: c.CloseSite) -> list[ev.Event]:
    site = _site(s, cmd.site)
    require(site.status is not SiteStatus.closed, "site_closed",
            f"site {cmd.site} has been closed since {site.closed_on}")
    not_before(cmd.closed_on, site.activated_on, "the site's closure", "its activation")
    return [ev.SiteClosed(site=cmd.site, closed_on=cmd.closed_on)]


def set_recruitment_plan(s: StudyState, cmd: c.SetRecruitmentPlan) -> list[ev.Event]:
    require_status(s, PLAN_STATUSES, "setting the recruitment plan")
    if cmd.site is not None:
        site = _site(s, cmd.site)
        require(site.status is not SiteStatus.closed, "site_closed",
                f"site {cmd.site} closed on {site.closed_on}: it recruits no more")
    return [ev.RecruitmentPlanSet(target=cmd.target, starts_on=cmd.starts_on,
                                  ends_on=cmd.ends_on, site=cmd.site,
                                  behind_percent=cmd.behind_percent or DEFAULT_BEHIND_PERCENT)]


def require_site_includes(s: StudyState, code: str | None, on: date | None = None) -> None:
    """A participant is registered or included at `code` only while the site is active: from
    its activation and, for a dated inclusion, up to its closure (an inclusion recorded after
    the closure but dated before it was in time)."""
    if code is None:
        return
    site = _site(s, code)
    in_time = (site.status is SiteStatus.closed and on is not None
               and site.closed_on is not None and on <= site.closed_on)
    if not in_time:
        require(site.status is not SiteStatus.closed, "site_closed",
                f"site {code} closed on {site.closed_on}: no inclusion after its closure")
        require(site.status is SiteStatus.active, "site_not_active",
                f"site {code} is not active: inclusions at a site need it activated first "
                "(activate_site, once the study is approved and the unit's documents are in)")
    if on is not None:
        not_before(on, site.activated_on, "the inclusion", f"the activation of site {code}")


# --- evolve -----------------------------------------------------------------------------------
def _with_site(s: StudyState, code: str, **fields: object) -> StudyState:
    return updated(s, sites={**s.sites, code: s.sites[code].model_copy(update=fields)})


def _without_alert(s: StudyState, key: str) -> StudyState:
    return updated(s, pace_alerts={k: v for k, v in s.pace_alerts.items() if k != key})


def on_site_added(s: StudyState, e: ev.SiteAdded) -> StudyState:
    return updated(s, sites={**s.sites, e.site: Site(code=e.site, name=e.name,
                                                      investigator=e.investigator)})


def on_site_activated(s: StudyState, e: ev.SiteActivated) -> StudyState:
    return _with_site(s, e.site, status=SiteStatus.active, activated_on=e.activated_on,
                      documents=dict(e.documents))


def on_site_closed(s: StudyState, e: ev.SiteClosed) -> StudyState:
    return _without_alert(_with_site(s, e.site, status=SiteStatus.closed, closed_on=e.closed_on),
                          e.site)


def on_plan_set(s: StudyState, e: ev.RecruitmentPlanSet) -> StudyState:
    plan = RecruitmentPlan(target=e.target, starts_on=e.starts_on, ends_on=e.ends_on,
                           behind_percent=e.behind_percent)
    if e.site is None:
        return _without_alert(updated(s, recruitment_plan=plan), "")
    return _without_alert(_with_site(s, e.site, plan=plan), e.site)


def on_behind_plan(s: StudyState, e: ev.RecruitmentBehindPlan) -> StudyState:
    return updated(s, pace_alerts={**s.pace_alerts, e.site or "": PaceAlert(
        on=e.on, planned=e.planned, included=e.included, catch_up=e.catch_up)})


EVOLVE: Mutators = dict([
    mutator(ev.SiteAdded, on_site_added),
    mutator(ev.SiteActivated, on_site_activated),
    mutator(ev.SiteClosed, on_site_closed),
    mutator(ev.RecruitmentPlanSet, on_plan_set),
    mutator(ev.RecruitmentBehindPlan, on_behind_plan),
])
