"""Issue 15 on the time-skipping server: each clock the texts changed, still running on its due
day and missed the day after, with the consequence the text gives (a lapse, a refusal...)."""

from datetime import date, timedelta

import scenarios
from domain import CLOCKS
from domain.clocks import add_months

from .test_clocks_after_approval import deadline, eu, fires, recruiting, submitted


async def missed(harness, sid: str) -> list[str]:
    return [e.data["deadline"] for e in await harness.store.read_stream(sid)
            if e.type == "DeadlineMissed"]


async def amend(harness, sid: str, on: date) -> dict:
    return await harness.send(sid, {"type": "submit_amendment", "substantial": True,
                                    "description": "new arm", "protocol_version": "2.0",
                                    "submitted_on": on.isoformat()})


# --- vigilance -----------------------------------------------------------------------------------
async def test_r1123_49_an_sae_opens_no_clock_its_assessment_as_a_fatal_susar_does(harness):
    sid, day0 = await recruiting(harness)
    view = await harness.send(sid, {"type": "report_safety_event", "kind": "sae",
                                    "occurred_on": day0.isoformat()}, "investigator")
    assert "safety.SE-1" not in [d["name"] for d in view["deadlines"]]
    assert "assess_safety_event" in [t["command"] for t in view["tasks"]]
    await harness.skip(20)
    assert "safety.SE-1" not in await missed(harness, sid)  # no 15-day declaration clock
    assessed = await harness.today()
    await harness.send(sid, {"type": "assess_safety_event", "event_id": "SE-1",
                             "assessed_on": assessed.isoformat(), "susar": True,
                             "fatal_or_life_threatening": True}, "regulatory")
    await fires(harness, sid, "safety.SE-1", assessed)  # without delay


async def test_r1123_62_the_end_declaration_answers_an_urgent_safety_measure(harness):
    sid, day0 = await recruiting(harness)
    await harness.send(sid, {"type": "report_safety_event", "kind": "urgent_safety_measure",
                             "occurred_on": day0.isoformat()}, "investigator")
    await harness.send(sid, {"type": "declare_end", "ended_on": day0.isoformat(),
                             "early": True}, "regulatory")
    await harness.skip(5)
    view = await harness.send(sid, {"type": "submit_end_declaration",
                                    "declared_on": (day0 + timedelta(5)).isoformat()},
                              "regulatory")
    assert deadline(view, "safety.SE-1")["status"] == "met"
    await harness.skip(12)
    assert "safety.SE-1" not in await missed(harness, sid)


async def test_r1123_61_no_annual_safety_report_falls_due_after_the_end(harness):
    sid, day0 = await recruiting(harness)
    await harness.send(sid, {"type": "declare_end", "ended_on": day0.isoformat()}, "regulatory")
    await harness.skip(370)
    assert not [name for name in await missed(harness, sid) if name.startswith("annual")]


# --- ANSM (CSP L1123-8, R1123-44) ----------------------------------------------------------------
async def test_r1123_44_an_express_product_s_modification_is_refused_by_silence_at_35_days(
        harness):
    sid = await harness.create()
    day0 = await harness.today()
    for role, command in scenarios.riph1_walk(day0):
        if command["type"] == "submit_to_ansm":
            command = {**command, "express_authorization": True}
        await harness.send(sid, command, role)
    await amend(harness, sid, day0)
    view = await fires(harness, sid, "amendment.AM-1.ansm",
                       day0 + timedelta(days=CLOCKS["amendment_ansm_express"].days))
    amendment = next(a for a in view["amendments"] if a["id"] == "AM-1")
    assert (amendment["ansm_decision"], amendment["status"]) == ("refused", "rejected")


async def test_r1123_44_the_ansm_s_extension_moves_its_clock_by_10_days(harness):
    sid, day0 = await recruiting(harness)
    await amend(harness, sid, day0)
    view = await harness.send(sid, {"type": "extend_review", "deadline": "amendment.AM-1.ansm",
                                    "notified_on": day0.isoformat(), "days": 10}, "regulatory")
    assert deadline(view, "amendment.AM-1.ansm")["due_on"] == (
        day0 + timedelta(days=45)).isoformat()
    view = await fires(harness, sid, "amendment.AM-1.ansm", day0 + timedelta(days=45))
    assert next(a for a in view["amendments"])["ansm_decision"] == "authorized"


async def test_l1123_8_no_amended_request_by_the_date_set_is_a_refusal(harness):
    sid = await harness.create()
    day0 = await harness.today()
    await harness.walk(sid, until="record_ansm_decision", on=day0)
    await harness.send(sid, {"type": "record_ansm_objection", "objected_on": day0.isoformat(),
                             "answer_by": (day0 + timedelta(20)).isoformat(),
                             "reasons": "dosing"}, "regulatory")
    await harness.skip(61)  # the first 60 days: no tacit authorization after the objection
    view = await harness.query(sid)
    assert view["steps"]["ansm"]["status"] == "rejected" and view["state"] == "rejected"
    assert await missed(harness, sid) == ["ansm_objection_answer"]


# --- CPP (CSP R1123-23, R1123-25, R1123-43) -----------------------------------------------------
async def test_r1123_23_an_incomplete_file_lapses_after_10_days(harness):
    sid, day0 = await submitted(harness, "JARDE")
    await harness.send(sid, {"type": "ethics_request_information", "stage": "validation",
                             "requested_on": day0.isoformat(), "questions": "insurance"},
                       "regulatory")
    view = await fires(harness, sid, "completeness_answer", day0 + timedelta(days=10))
    assert view["state"] == "rejected" and view["steps"]["ethics"]["lapsed"]
    assert "second_review_window" not in [d["name"] for d in view["deadlines"]]


async def test_r1123_23_the_cpp_checks_the_completed_file_within_5_days(harness):
    sid, day0 = await submitted(harness, "JARDE")
    await harness.send(sid, {"type": "ethics_request_information", "stage": "validation",
                             "requested_on": day0.isoformat(), "questions": "insurance"},
                       "regulatory")
    await harness.skip(3)
    completed = day0 + timedelta(days=3)
    view = await harness.send(sid, {"type": "ethics_information_supplied",
                                    "supplied_on": completed.isoformat()}, "regulatory")
    assert deadline(view, "cpp_opinion")["due_on"] == (completed + timedelta(50)).isoformat()
    await fires(harness, sid, "cpp_completeness", completed + timedelta(days=5))


async def test_r1123_43_a_question_on_an_amendment_suspends_its_60_days(harness):
    sid, day0 = await recruiting(harness)
    await amend(harness, sid, day0)
    await harness.skip(10)
    await harness.send(sid, {"type": "ethics_request_information", "amendment_id": "AM-1",
                             "requested_on": (day0 + timedelta(10)).isoformat(),
                             "questions": "Q"}, "regulatory")
    await harness.skip(10)
    view = await harness.send(sid, {"type": "ethics_information_supplied",
                                    "amendment_id": "AM-1",
                                    "supplied_on": (day0 + timedelta(20)).isoformat()},
                              "regulatory")
    assert deadline(view, "amendment.AM-1.sponsor_answer")["status"] == "met"
    await fires(harness, sid, "amendment.AM-1.cpp", day0 + timedelta(days=60 + 10))


async def test_r1123_25_the_second_review_month_runs_from_the_notification(harness):
    sid = await harness.create()
    day0 = await harness.today()
    for role, command in harness.steps(until="record_ethics_opinion", on=day0 - timedelta(30)):
        await harness.send(sid, command, role)
    await harness.send(sid, {"type": "record_ethics_opinion", "opinion": "unfavourable",
                             "opinion_on": (day0 - timedelta(20)).isoformat(),
                             "notified_on": day0.isoformat()}, "regulatory")
    view = await fires(harness, sid, "second_review_window", add_months(day0, 1))
    assert deadline(view, "second_review_window")["status"] == "met"  # the window closed


# --- EU_CTR: Regulation 536/2014 arts 17-19 ---------------------------------------------------
async def test_ctr_arts_17_to_19_a_modification_assessed_in_6_plus_38_decided_in_5(harness):
    sid, day0 = await recruiting(harness, "EU_CTR")
    view = await amend(harness, sid, day0)
    assert "amendment.AM-1.ansm" not in [d["name"] for d in view["deadlines"]]
    view = await fires(harness, sid, "amendment.AM-1.cpp", eu(day0 + timedelta(days=6), 38))
    assert view["protocol_version"] == "1.0"  # a missed assessment is no tacit approval
    concluded = await harness.today()
    await harness.send(sid, {"type": "record_ethics_opinion", "opinion": "favourable",
                             "opinion_on": concluded.isoformat(), "amendment_id": "AM-1"},
                       "regulatory")
    view = await fires(harness, sid, "amendment.AM-1.ansm", eu(concluded, 5))
    assert view["protocol_version"] == "2.0"  # art. 19: the conclusion stands as the decision


# --- EU_MDR: Regulation 2017/745 arts 70, 75, 77 ---------------------------------------------
async def test_mdr_art_70_7_authorization_falls_due_45_days_after_the_validation(harness):
    sid, day0 = await submitted(harness, "EU_MDR")
    await harness.send(sid, {"type": "submit_to_ansm", "submitted_on": day0.isoformat()},
                       "regulatory")
    await harness.skip(3)
    validated = day0 + timedelta(days=3)
    await harness.send(sid, {"type": "record_ethics_completeness",
                             "notified_on": validated.isoformat()}, "regulatory")
    await fires(harness, sid, "ansm_authorization", validated + timedelta(days=45))


async def test_mdr_art_70_3_an_incomplete_application_lapses_after_10_days(harness):
    sid, day0 = await submitted(harness, "EU_MDR")
    await harness.send(sid, {"type": "ethics_request_information",
                             "requested_on": day0.isoformat(), "questions": "IB"},
                       "regulatory")
    view = await fires(harness, sid, "completeness_answer", day0 + timedelta(days=10))
    assert view["state"] == "rejected"


async def test_mdr_art_75_4_a_modification_extended_by_7_days_takes_effect_at_45(harness):
    sid, day0 = await recruiting(harness, "EU_MDR")
    view = await amend(harness, sid, day0)
    assert "amendment.AM-1.cpp" not in [d["name"] for d in view["deadlines"]]
    await harness.send(sid, {"type": "extend_review", "deadline": "amendment.AM-1.ansm",
                             "notified_on": day0.isoformat(), "days": 7}, "regulatory")
    view = await fires(harness, sid, "amendment.AM-1.ansm", day0 + timedelta(days=38 + 7))
    assert view["protocol_version"] == "2.0"  # one decision, and the modification applies


async def test_mdr_art_77_5_the_report_falls_due_3_months_after_an_early_end(harness):
    sid, day0 = await recruiting(harness, "EU_MDR")
    await harness.send(sid, {"type": "declare_end", "ended_on": day0.isoformat(),
                             "early": True}, "regulatory")
    await fires(harness, sid, "results", add_months(day0, 3))


async def test_mdr_art_77_1_an_end_for_safety_is_notified_within_24_hours(harness):
    sid, day0 = await recruiting(harness, "EU_MDR")
    await harness.send(sid, {"type": "declare_end", "ended_on": day0.isoformat(),
                             "for_safety": True}, "regulatory")
    await fires(harness, sid, "end_declaration", day0 + timedelta(days=1))


# --- CNIL (Loi 78-17 art. 66) and CTIS notices (Reg. 536/2014 art. 36) ---------------------------
async def test_loi_78_17_art_66_cnil_silence_after_two_months_is_acceptance(harness):
    sid = await harness.create()
    day0 = await harness.today()
    await harness.walk(sid, until="record_cnil", on=day0)
    view = await harness.send(sid, {"type": "record_cnil", "route": "authorization",
                                    "reference": "DR-2026-12",
                                    "requested_on": day0.isoformat()})
    assert view["steps"]["cnil"]["status"] == "in_progress"
    view = await fires(harness, sid, "cnil_authorization", add_months(day0, 2))
    assert view["steps"]["cnil"]["status"] == "done"


async def test_ctr_art_36_the_start_and_the_first_visit_are_notified_within_15_days(harness):
    sid, day0 = await recruiting(harness, "EU_CTR")
    for role, command in scenarios.inclusion("P-0001", day0):
        await harness.send(sid, command, role)
    await fires(harness, sid, "notice.start", day0 + timedelta(days=15))
    view = await harness.query(sid)
    assert deadline(view, "notice.first_visit")["status"] == "overdue"
    view = await harness.send(sid, {"type": "notify_milestone", "milestone": "first_visit",
                                    "notified_on": (await harness.today()).isoformat()},
                              "regulatory")
    assert deadline(view, "notice.first_visit")["closed_on"]


async def test_ctr_art_42_a_fatal_susar_is_reported_within_7_days(harness):
    sid, day0 = await recruiting(harness, "EU_CTR")
    await harness.send(sid, {"type": "report_safety_event", "kind": "susar",
                             "occurred_on": day0.isoformat(),
                             "fatal_or_life_threatening": True}, "investigator")
    view = await fires(harness, sid, "safety.SE-1", day0 + timedelta(days=7))
    assert deadline(view, "safety.SE-1")["clock"] == "ctr_susar_fatal"
