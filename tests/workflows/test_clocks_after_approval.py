"""Every clock of a study's later life, and of the EU frameworks, on the time-skipping server:
still open on its due day, missed the day after (00:00 UTC) with its legal consequence; clocks
that stop for a request restart with the time left."""

from datetime import date, timedelta
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

from domain import CLOCKS
from domain.clocks import period_end
from domain.model import Periods


def deadline(view: dict[str, Any], name: str) -> dict[str, Any]:
    return next(d for d in view["deadlines"] if d["name"] == name)


async def fires(harness, sid: str, name: str, due: date) -> dict[str, Any]:
    """Skip to `due`: the clock is still running; one day more: it was missed."""
    today = await harness.today()
    assert deadline(await harness.query(sid), name)["due_on"] == due.isoformat()
    await harness.skip((due - today).days)
    assert deadline(await harness.query(sid), name)["status"] in ("open", "stopped"), name
    await harness.skip(1.1)
    view = await harness.query(sid)
    assert deadline(view, name)["status"] in ("overdue", "met"), name
    missed = [e for e in await harness.store.read_stream(sid)
              if e.type == "DeadlineMissed" and e.data["deadline"] == name]
    assert len(missed) == 1 and missed[0].actor == "studyflow-clock"
    return view


async def recruiting(harness, framework: str = "JARDE") -> tuple[str, date]:
    sid = await harness.create(framework=framework)
    today = await harness.today()
    await harness.walk(sid, until="-", on=today)
    return sid, today


async def test_ansm_silence_on_a_substantial_amendment_authorizes_it_at_35_days(harness):
    sid, day0 = await recruiting(harness)
    view = await harness.send(sid, {"type": "submit_amendment", "substantial": True,
                                    "description": "new arm", "protocol_version": "2.0",
                                    "submitted_on": day0.isoformat()})
    view = await fires(harness, sid, "amendment.AM-1.ansm",
                       day0 + timedelta(days=CLOCKS["amendment_ansm"].days))
    assert view["protocol_version"] == "1.0"  # the CPP has not given its opinion yet
    view = await fires(harness, sid, "amendment.AM-1.cpp",
                       day0 + timedelta(days=CLOCKS["amendment_cpp"].days))
    assert view["protocol_version"] == "1.0"  # CPP silence: the amendment is rejected


async def test_a_second_substantial_amendment_may_be_pending_beside_the_first(harness):
    sid, day0 = await recruiting(harness)
    for version in ("2.0", "3.0"):
        await harness.send(sid, {"type": "submit_amendment", "substantial": True,
                                 "description": version, "protocol_version": version,
                                 "submitted_on": day0.isoformat()})
    view = await harness.send(sid, {"type": "record_ethics_opinion", "opinion": "favourable",
                                    "opinion_on": day0.isoformat(), "amendment_id": "AM-2"},
                              "regulatory")
    view = await harness.send(sid, {"type": "record_ansm_decision", "decision": "authorized",
                                    "decision_on": day0.isoformat(), "amendment_id": "AM-2"},
                              "regulatory")
    assert view["protocol_version"] == "3.0"
    assert deadline(view, "amendment.AM-1.cpp")["status"] == "open"


@pytest.mark.parametrize(("fatal", "clock"), [(True, "susar_fatal"), (False, "susar")])
async def test_r1123_53_susar_declaration_clock_then_its_follow_up(harness, fatal, clock):
    """A fatal or life-threatening SUSAR: due the day it is known ("sans délai"), missed the
    next; the others in 15 days. The follow-up: 8 days from the first report of a fatal one, 8
    days from the end of the 15-day limit for the others."""
    sid, day0 = await recruiting(harness)
    await harness.send(sid, {"type": "report_safety_event", "kind": "susar",
                             "occurred_on": day0.isoformat(),
                             "fatal_or_life_threatening": fatal}, "investigator")
    limit = day0 + timedelta(days=CLOCKS[clock].days)
    await fires(harness, sid, "safety.SE-1", limit)
    declared = await harness.today()
    await harness.send(sid, {"type": "declare_safety_event", "event_id": "SE-1",
                             "declared_on": declared.isoformat()}, "regulatory")
    await fires(harness, sid, "safety.SE-1.followup",
                (declared if fatal else limit) + timedelta(days=CLOCKS["susar_followup"].days))


async def test_an_urgent_safety_measure_needs_its_amendment_within_15_days(harness):
    sid, day0 = await recruiting(harness)
    await harness.send(sid, {"type": "report_safety_event", "kind": "urgent_safety_measure",
                             "occurred_on": day0.isoformat()}, "investigator")
    await fires(harness, sid, "safety.SE-1", day0 + timedelta(days=15))


async def test_the_annual_safety_report_falls_due_on_each_anniversary(harness):
    sid, day0 = await recruiting(harness)
    first = day0 + relativedelta(years=1)
    await fires(harness, sid, "annual_safety_report.1", first)
    await harness.send(sid, {"type": "submit_annual_safety_report",
                             "submitted_on": (await harness.today()).isoformat()}, "regulatory")
    view = await harness.query(sid)
    assert deadline(view, "annual_safety_report.2")["due_on"] == (
        day0 + relativedelta(years=2)).isoformat()


@pytest.mark.parametrize(("early", "days"), [(False, 90), (True, 15)])
async def test_end_declaration_then_results_within_a_year(harness, early, days):
    sid, day0 = await recruiting(harness)
    await harness.send(sid, {"type": "declare_end", "ended_on": day0.isoformat(),
                             "early": early}, "regulatory")
    await fires(harness, sid, "end_declaration", day0 + timedelta(days=days))
    await harness.send(sid, {"type": "submit_end_declaration",
                             "declared_on": (await harness.today()).isoformat()}, "regulatory")
    view = await harness.query(sid)
    results_due = date.fromisoformat(deadline(view, "results")["due_on"])
    assert results_due == day0 + relativedelta(years=1)
    await fires(harness, sid, "results", results_due)


async def test_the_second_review_window_closes_one_month_after_the_opinion(harness):
    sid = await harness.create()
    day0 = await harness.today()
    await harness.walk(sid, until="record_ethics_opinion", on=day0)
    await harness.send(sid, {"type": "record_ethics_opinion", "opinion": "unfavourable",
                             "opinion_on": day0.isoformat()}, "regulatory")
    month = day0 + relativedelta(months=1)
    view = await fires(harness, sid, "second_review_window", month)
    assert deadline(view, "second_review_window")["status"] == "met"  # the window closed


async def test_a_suspension_by_the_authority_gives_one_week_for_observations(harness):
    sid, day0 = await recruiting(harness)
    view = await harness.send(sid, {"type": "suspend", "by": "authority"}, "regulatory")
    assert view["state"] == "suspended"
    await fires(harness, sid, "sponsor_observations", day0 + timedelta(days=7))
    view = await harness.send(sid, {"type": "submit_observations",
                                    "submitted_on": (await harness.today()).isoformat()},
                              "regulatory")
    assert deadline(view, "sponsor_observations")["closed_on"]


# --- EU frameworks: the same workflow, driven by the table ---------------------------------------
def eu(start: date, days: int) -> date:
    """The last day of a CTIS evaluation period of `days` from `start` (Reg. 1182/71 art. 3(4)
    and the winter clock stop, checked on fixed dates in tests/domain/test_clocks.py)."""
    return period_end(start, start + timedelta(days=days), Periods.eu_evaluation)


async def submitted(harness, framework: str) -> tuple[str, date]:
    sid = await harness.create(framework=framework)
    day0 = await harness.today()
    await harness.walk(sid, until="submit_to_ansm", on=day0)
    return sid, day0


async def test_ctr_validation_10_days_then_part_one_assessment_45(harness):
    sid, day0 = await submitted(harness, "EU_CTR")
    validated = eu(day0, 10)
    await fires(harness, sid, "cpp_completeness", validated)
    view = await fires(harness, sid, "cpp_opinion", eu(validated, 45))
    assert view["state"] == "in_review"  # no tacit outcome: escalated to the staff


async def test_ctr_request_for_information_extends_the_clock_and_lapses_after_12_days(harness):
    sid, day0 = await submitted(harness, "EU_CTR")
    await harness.send(sid, {"type": "record_ethics_completeness",
                             "notified_on": day0.isoformat()}, "regulatory")
    await harness.skip(20)
    asked = day0 + timedelta(days=20)
    view = await harness.send(sid, {"type": "ethics_request_information",
                                    "requested_on": asked.isoformat(), "questions": "Q"},
                              "regulatory")
    assert deadline(view, "cpp_opinion")["clock"] == "ctr_assessment_with_request"
    view = await fires(harness, sid, "sponsor_answer", eu(asked, 12))
    assert view["state"] == "rejected"  # art. 6(8): the application lapsed


async def test_ctr_art_6_8_requests_extend_part_one_to_76_days_in_all(harness):
    """The sponsor's answering time is inside the 31 days, not added to them: 76 days from the
    validation date however long the answer took, and a second request changes nothing."""
    sid, day0 = await submitted(harness, "EU_CTR")
    await harness.send(sid, {"type": "record_ethics_completeness",
                             "notified_on": day0.isoformat()}, "regulatory")
    await harness.send(sid, {"type": "ethics_request_information",
                             "requested_on": day0.isoformat(), "questions": "Q"}, "regulatory")
    await harness.skip(5)
    supplied = day0 + timedelta(days=5)
    await harness.send(sid, {"type": "ethics_information_supplied",
                             "supplied_on": supplied.isoformat()}, "regulatory")
    await harness.send(sid, {"type": "ethics_request_information",
                             "requested_on": supplied.isoformat(), "questions": "Q2"},
                       "regulatory")
    await harness.send(sid, {"type": "ethics_information_supplied",
                             "supplied_on": supplied.isoformat()}, "regulatory")
    await fires(harness, sid, "cpp_opinion", eu(day0, 45 + 31))


async def test_ctr_art_8_member_state_silence_5_days_after_the_part_one_conclusion(harness):
    sid, day0 = await submitted(harness, "EU_CTR")
    view = await harness.send(sid, {"type": "submit_to_ansm", "submitted_on": day0.isoformat()},
                              "regulatory")
    assert "ansm_authorization" not in [d["name"] for d in view["deadlines"]]
    await harness.skip(20)
    concluded = day0 + timedelta(days=20)
    await harness.send(sid, {"type": "record_ethics_opinion", "opinion": "favourable",
                             "opinion_on": concluded.isoformat()}, "regulatory")
    view = await fires(harness, sid, "ansm_authorization", eu(concluded, 5))
    assert view["steps"]["ansm"]["status"] == "done"


async def test_mdr_authorization_45_days_or_65_with_a_consultation(harness):
    sid, day0 = await submitted(harness, "EU_MDR")
    await harness.send(sid, {"type": "record_ethics_completeness",
                             "notified_on": day0.isoformat()}, "regulatory")
    view = await harness.send(sid, {"type": "ethics_request_information",
                                    "requested_on": day0.isoformat(), "questions": "experts"},
                              "regulatory")
    assert deadline(view, "cpp_opinion")["clock"] == "mdr_authorization_extended"
    await harness.send(sid, {"type": "ethics_information_supplied",
                             "supplied_on": day0.isoformat()}, "regulatory")
    await fires(harness, sid, "cpp_opinion", day0 + timedelta(days=65))


async def test_mdr_substantial_modification_may_go_ahead_after_38_days(harness):
    sid, day0 = await recruiting(harness, "EU_MDR")
    await harness.send(sid, {"type": "submit_amendment", "substantial": True,
                             "description": "new size", "protocol_version": "2.0",
                             "submitted_on": day0.isoformat()})
    view = await fires(harness, sid, "amendment.AM-1.ansm", day0 + timedelta(days=38))
    assert deadline(view, "amendment.AM-1.ansm")["status"] == "met"  # tacit authorization


@pytest.mark.parametrize(("safety", "days"), [(False, 15), (True, 1)])
async def test_mdr_halt_notified_within_15_days_or_24_hours_for_safety(harness, safety, days):
    sid, day0 = await recruiting(harness, "EU_MDR")
    await harness.send(sid, {"type": "suspend", "for_safety": safety}, "regulatory")
    await fires(harness, sid, "halt_notification", day0 + timedelta(days=days))


async def test_ctr_incomplete_file_10_days_to_complete_then_5_to_validate(harness):
    sid, day0 = await submitted(harness, "EU_CTR")
    view = await harness.send(sid, {"type": "ethics_request_information",
                                    "requested_on": day0.isoformat(), "questions": "missing IB"},
                              "regulatory")
    assert deadline(view, "cpp_completeness")["status"] == "stopped"
    assert deadline(view, "completeness_answer")["due_on"] == eu(day0, 10).isoformat()
    await harness.skip(3)
    completed = day0 + timedelta(days=3)
    view = await harness.send(sid, {"type": "ethics_information_supplied",
                                    "supplied_on": completed.isoformat()}, "regulatory")
    assert deadline(view, "completeness_answer")["status"] == "met"
    assert deadline(view, "cpp_opinion")["due_on"] == eu(eu(completed, 5), 45).isoformat()
    await fires(harness, sid, "cpp_completeness", eu(completed, 5))
    await harness.send(sid, {"type": "record_ethics_completeness",
                             "notified_on": (await harness.today()).isoformat()}, "regulatory")
    # once validated, the Part I requests for information extend the assessment (art. 6(8))
    view = await harness.send(sid, {"type": "ethics_request_information",
                                    "requested_on": (await harness.today()).isoformat(),
                                    "questions": "Part I question"}, "regulatory")
    assert deadline(view, "cpp_opinion")["clock"] == "ctr_assessment_with_request"


async def test_ctr_an_incomplete_file_not_completed_in_10_days_lapses(harness):
    sid, day0 = await submitted(harness, "EU_CTR")
    await harness.send(sid, {"type": "ethics_request_information",
                             "requested_on": day0.isoformat(), "questions": "missing IB"},
                       "regulatory")
    view = await fires(harness, sid, "completeness_answer", eu(day0, 10))
    assert view["state"] == "rejected"
