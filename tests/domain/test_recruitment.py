"""Recruitment against the plan: the cumulative curve's figures are the events' own (inclusions,
withdrawals, completions counted on their legal dates), the plan line rises evenly, the target's
date is projected at the current rate, and a study or site more than its percent behind raises
one alert, a task and a notice for the coordinator, at most once a week."""

from datetime import date, timedelta

from domain import clocks, next_alarm_on, notifications_for, tick
from domain.recruitment import (
    Inclusion,
    behind,
    catch_up,
    curve,
    first_behind_on,
    planned_on,
    progress,
    projected_on,
)
from domain.sites import RecruitmentPlan
from domain.views import tasks
from scenarios import riph1_walk

from .helpers import TODAY, advance, day, run

D = date.fromisoformat


def recruiting_since(opened: int = -120, sites: tuple[str, ...] = ("S01", "S02")):  # type: ignore[no-untyped-def]
    """A RIPH1 study recruiting since `opened` days before TODAY, with active sites."""
    state, _ = run(None, {"type": "create_study", "title": "PACE", "category": "RIPH1",
                          "investigator": "Dr A"})
    for role, command in riph1_walk(day(opened - 60), opinion_on=day(opened - 5),
                                    decision_on=day(opened - 2), opened_on=day(opened)):
        state, _ = run(state, command, role)
    for code in sites:
        state, _ = run(state, {"type": "add_site", "site": code, "name": f"Hôpital {code}",
                               "investigator": f"Dr {code}"})
        state, _ = run(state, {"type": "activate_site", "site": code, "activated_on": day(opened)})
    return state


def include(state, code: str, on: str, site: str | None = "S01"):  # type: ignore[no-untyped-def]
    state, _ = run(state, {"type": "register_participant", "code": code,
                           **({"site": site} if site else {})}, "investigator")
    state, _ = run(state, {"type": "record_consent", "code": code, "kind": "written",
                           "consent_form_version": "1.0", "consented_on": on}, "investigator")
    state, _ = run(state, {"type": "include", "code": code, "included_on": on}, "investigator")
    return state


def inclusions(state) -> list[Inclusion]:  # type: ignore[no-untyped-def]
    return [Inclusion(p.site, p.included_on, p.withdrawn_on, p.completed_on)
            for p in state.participants.values()]


PLAN = RecruitmentPlan(target=100, starts_on=D("2026-01-01"), ends_on=D("2026-12-27"),
                       behind_percent=20)


def test_the_plan_line_rises_evenly_from_zero_to_the_target():
    assert planned_on(PLAN, D("2025-12-01")) == 0
    assert planned_on(PLAN, PLAN.starts_on) == 0
    assert planned_on(PLAN, D("2026-06-30")) == 100 * 180 / 360
    assert planned_on(PLAN, PLAN.ends_on) == planned_on(PLAN, D("2027-06-01")) == 100


def test_behind_means_more_than_the_percent_and_by_one_participant_at_least():
    day_ = D("2026-06-30")  # 50 planned
    assert not behind(PLAN, 40, day_)  # 20 % behind exactly: not more
    assert behind(PLAN, 39, day_)
    assert catch_up(PLAN, day_) == 40
    assert not behind(PLAN, 0, D("2026-01-02"))  # 0.28 planned: nobody missing yet
    # with 10 included, the study falls behind when 10 is more than 20 % under the line
    first = first_behind_on(PLAN, 10, PLAN.starts_on)
    assert first is not None and behind(PLAN, 10, first)
    assert not behind(PLAN, 10, first - timedelta(days=1))
    assert first_behind_on(PLAN, 100, PLAN.starts_on) is None


def test_the_curve_counts_the_events_on_their_legal_dates():
    state = recruiting_since()
    dates = [day(-110), day(-110), day(-90), day(-60), day(-30), day(-30), day(-5)]
    for n, on in enumerate(dates, 1):
        state = include(state, f"P-{n:04d}", on, "S01" if n % 2 else "S02")
    state, _ = run(state, {"type": "withdraw_consent", "code": "P-0002",
                           "withdrawn_on": day(-50)}, "investigator")
    state, _ = run(state, {"type": "complete", "code": "P-0001", "completed_on": day(-20)},
                   "investigator")
    state, _ = run(state, {"type": "set_recruitment_plan", "target": 30,
                           "starts_on": day(-120), "ends_on": day(240)})
    plan = state.recruitment_plan
    assert plan is not None
    points = curve(inclusions(state), [plan], TODAY)
    assert [p["on"] for p in points] == sorted({D(d) for d in dates} | {
        D(day(-50)), D(day(-20)), D(day(-120)), TODAY})
    by_day = {p["on"]: p for p in points}
    for p in points:  # each point: the events dated on or before it
        assert p["included"] == sum(1 for d in dates if D(d) <= p["on"])
        assert p["planned"] == round(30 * (p["on"] - D(day(-120))).days / 360, 1)
    assert by_day[D(day(-50))]["withdrawn"] == 1 and by_day[D(day(-60))]["withdrawn"] == 0
    assert by_day[D(day(-20))]["completed"] == 1 and by_day[TODAY]["included"] == 7
    # the plan's end lies ahead: the curve stops today, the plan gives the rest
    assert points[-1]["on"] == TODAY


def test_progress_per_site_and_in_total_with_the_projected_date():
    state = recruiting_since()
    for n, (on, site) in enumerate([(-100, "S01"), (-80, "S02"), (-40, "S01"), (-20, "S01")], 1):
        state = include(state, f"P-{n:04d}", day(on), site)
    state, _ = run(state, {"type": "set_recruitment_plan", "target": 12, "starts_on": day(-120),
                           "ends_on": day(120)})
    state, _ = run(state, {"type": "set_recruitment_plan", "target": 8, "starts_on": day(-120),
                           "ends_on": day(120), "site": "S01"})
    out = progress(state.recruitment_plan, state.sites.values(), inclusions(state), TODAY)
    assert (out["target"], out["included"]) == (12, 4)
    assert [(s["site"], s["target"], s["included"]) for s in out["by_site"]] == [
        ("S01", 8, 3), ("S02", None, 1)]
    # 4 inclusions in 120 days since the plan started: 8 more take 240 days
    assert out["projected_target_on"] == TODAY + timedelta(days=240)
    assert out["by_site"][0]["projected_target_on"] == TODAY + timedelta(days=200)
    assert out["planned_today"] == 6.0 and out["behind"]  # 4 of 6: a third behind
    assert out["by_site"][1]["curve"][-1]["included"] == 1


def test_a_study_planned_through_its_sites_sums_their_targets_and_lines():
    state = recruiting_since()
    for code, target in (("S01", 10), ("S02", 20)):
        state, _ = run(state, {"type": "set_recruitment_plan", "target": target,
                               "starts_on": day(-100), "ends_on": day(100), "site": code})
    out = progress(None, state.sites.values(), [], TODAY)
    assert out["target"] == 30 and out["planned_today"] == 15.0
    assert out["projected_target_on"] is None  # no inclusion: no rate


def test_the_target_date_is_the_day_it_was_reached_once_it_is():
    dates = [D("2026-02-01"), D("2026-01-10"), D("2026-03-01")]
    assert projected_on(2, dates, None, D("2026-04-01")) == D("2026-02-01")
    assert projected_on(None, dates, None, D("2026-04-01")) is None


def test_behind_plan_raises_one_alert_a_task_and_a_notice_then_waits_a_week():
    state = recruiting_since()
    state = include(state, "P-0001", day(-100))
    state, events = run(state, {"type": "set_recruitment_plan", "target": 50,
                                "starts_on": day(-120), "ends_on": day(120)})
    # planned today 25, one included: the clock's alert comes with the plan's own append
    alerts = [e for e in tick(state, TODAY) if e.type == "RecruitmentBehindPlan"]
    assert len(alerts) == 1 and alerts[0].site is None and alerts[0].included == 1
    state, _ = advance(state, TODAY)
    [task] = [t for t in tasks(state) if t.kind == "recruitment"]
    assert task.role.value == "coordinator" and "behind plan" in task.title
    [notice] = notifications_for(state, alerts)
    assert notice.role.value == "coordinator" and "behind plan" in notice.message
    # not again before a week has passed, then again if still behind
    for n in range(1, 7):
        assert not [e for e in tick(state, TODAY + timedelta(days=n))
                    if e.type == "RecruitmentBehindPlan"]
    assert next_alarm_on(state) == TODAY + timedelta(days=7)
    assert [e.type for e in tick(state, TODAY + timedelta(days=7))] == ["RecruitmentBehindPlan"]


def test_the_task_goes_once_the_inclusions_catch_up_and_a_new_plan_answers_it():
    state = recruiting_since()
    state, _ = run(state, {"type": "set_recruitment_plan", "target": 10, "starts_on": day(-100),
                           "ends_on": day(100)})
    state, _ = advance(state, TODAY)
    [alert] = state.pace_alerts.values()
    assert alert.catch_up == 4  # 5 planned, 20 % behind at most
    for n in range(1, 5):
        state = include(state, f"P-{n:04d}", day(0))
    assert not [t for t in tasks(state) if t.kind == "recruitment"]
    state, _ = run(state, {"type": "set_recruitment_plan", "target": 10, "starts_on": day(-10),
                           "ends_on": day(100)})
    assert state.pace_alerts == {}


def test_the_clock_wakes_on_the_day_the_study_falls_behind():
    state = recruiting_since()
    state = include(state, "P-0001", day(-1))
    state, _ = run(state, {"type": "set_recruitment_plan", "target": 20, "starts_on": day(-1),
                           "ends_on": day(199)})
    wake = next_alarm_on(state)
    assert wake is not None and wake > TODAY
    assert not [e for e in tick(state, wake - timedelta(days=1))
                if e.type == "RecruitmentBehindPlan"]
    assert [e.type for e in tick(state, wake)] == ["RecruitmentBehindPlan"]


def test_a_site_is_watched_only_while_it_is_active():
    state = recruiting_since(sites=("S01",))
    state, _ = run(state, {"type": "set_recruitment_plan", "target": 10, "starts_on": day(-100),
                           "ends_on": day(100), "site": "S01"})
    [alert] = [e for e in tick(state, TODAY) if e.type == "RecruitmentBehindPlan"]
    assert alert.site == "S01"
    state, _ = run(state, {"type": "close_site", "site": "S01", "closed_on": day(0)})
    assert not tick(state, TODAY + timedelta(days=30))
    assert next_alarm_on(state) == clocks.next_alarm_on(state.deadlines)  # the legal clocks' only


def test_no_alert_outside_recruitment():
    state = recruiting_since()
    state, _ = run(state, {"type": "set_recruitment_plan", "target": 10, "starts_on": day(-100),
                           "ends_on": day(100)})
    state, _ = run(state, {"type": "close_recruitment"})
    assert not tick(state, TODAY)
    assert next_alarm_on(state) == clocks.next_alarm_on(state.deadlines)


def test_without_a_plan_the_clock_is_unchanged():
    state = recruiting_since()
    state = include(state, "P-0001", day(-3))
    assert next_alarm_on(state) == clocks.next_alarm_on(state.deadlines)
    assert not [e for e in tick(state, TODAY + timedelta(days=400))
                if e.type == "RecruitmentBehindPlan"]


def test_participants_counted_by_day_give_the_figures_of_each_one():
    """The read model hands the curve a count per site and days (never 10,000 rows): `n`
    participants sharing their facts weigh as `n` rows of one."""
    a, b, c = D("2026-01-10"), D("2026-02-01"), D("2026-03-01")
    each = [Inclusion("S01", a), Inclusion("S01", a), Inclusion("S01", a),
            Inclusion("S02", a, c), Inclusion("S02", a, c), Inclusion("S01", b, None, c),
            Inclusion("S01", None, b),  # withdrawn before inclusion: not on the curve
            Inclusion(None, b), Inclusion("S01", None)]
    counted = [Inclusion("S01", a, n=3), Inclusion("S02", a, c, n=2),
               Inclusion("S01", b, None, c), Inclusion("S01", None, b), Inclusion(None, b),
               Inclusion("S01", None)]
    plan = RecruitmentPlan(target=7, starts_on=D("2026-01-01"), ends_on=D("2026-06-30"),
                           behind_percent=20)
    state = recruiting_since()
    sites = state.sites.values()
    on = D("2026-03-15")
    assert progress(plan, sites, counted, on) == progress(plan, sites, each, on)
    out = progress(plan, sites, counted, on)
    assert (out["included"], out["withdrawn"], out["completed"], out["unsited"]) == (7, 2, 1, 1)
    assert out["projected_target_on"] == b  # the 7th inclusion
    assert projected_on(4, {a: 3, b: 1}, None, on) == b
