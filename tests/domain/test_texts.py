"""Issue 15: every clock and rule as the texts say it, one test per rule, named after its
source (Code de la santé publique, Regulation (EU) 536/2014, Regulation (EU) 2017/745)."""

from datetime import timedelta

import pytest

from domain import RULES, RuleViolation, StudyStatus, tasks, view
from domain.clocks import add_months, period_end
from domain.model import DeadlineStatus, ParticipantStatus, Periods

from .helpers import SKIP, TODAY, WALK, advance, day, run, study


def refused(code: str, state, command: dict, role: str = "regulatory") -> RuleViolation:
    with pytest.raises(RuleViolation) as e:
        run(state, command, role)
    assert e.value.code == code, e.value.message
    return e.value


def after(n: int):
    return TODAY + timedelta(days=n)


def eu(start: int, days: int, evaluation: bool = True):
    """The due date of an EU period of `days` from day `start`: Reg. 1182/71 art. 3(4), and
    CTIS's winter clock stop for an evaluation timer (both checked on fixed dates in
    test_clocks.py)."""
    return period_end(after(start), after(start + days),
                      Periods.eu_evaluation if evaluation else Periods.eu)


def submitted(framework: str = "JARDE", on: int = -30):
    """A RIPH1 submitted to the CPP (or filed in CTIS, or for a device) on day `on`."""
    state = study("RIPH1", until="submit_to_ethics", framework=framework)
    state, _ = run(state, {"type": "submit_to_ethics", "committee": "CPP A",
                           "submitted_on": day(on)}, "regulatory")
    return state


def recruiting(category: str = "RIPH1", framework: str = "JARDE"):
    return study(category, until="-", framework=framework)


def amendment(state, on: int = 0):
    state, _ = run(state, {"type": "submit_amendment", "substantial": True, "description": "d",
                           "protocol_version": "2.0", "submitted_on": day(on)})
    return state


# --- EU_CTR: Regulation 536/2014 ---------------------------------------------------------------
def test_ctr_art_8_the_decision_runs_5_days_from_the_part_one_conclusion_not_the_filing():
    state = submitted("EU_CTR", on=-20)
    state, _ = run(state, {"type": "submit_to_ansm", "submitted_on": day(-20)}, "regulatory")
    assert "ansm_authorization" not in state.deadlines  # no decision before the conclusion
    state, _ = advance(state, TODAY)
    assert state.ansm.decision is None  # six days and more after filing: nothing decided
    state, _ = run(state, {"type": "record_ethics_opinion", "opinion": "favourable",
                           "opinion_on": day(-1)}, "regulatory")
    decision = state.deadlines["ansm_authorization"]
    assert (decision.clock, decision.starts_on, decision.due_on) == (
        "ctr_decision", after(-1), eu(-1, 5))
    # art. 8(4): silence makes the conclusion the decision
    state, _ = advance(state, decision.due_on + timedelta(days=1))
    assert state.ansm.decision == "authorized" and state.ansm.tacit


def test_ctr_art_8_no_decision_clock_after_an_unfavourable_conclusion():
    state = submitted("EU_CTR", on=-20)
    state, _ = run(state, {"type": "submit_to_ansm", "submitted_on": day(-20)}, "regulatory")
    state, _ = run(state, {"type": "record_ethics_opinion", "opinion": "unfavourable",
                           "opinion_on": day(-1)}, "regulatory")
    assert "ansm_authorization" not in state.deadlines
    assert state.status is StudyStatus.rejected


def test_ctr_art_6_8_requests_extend_part_one_to_76_days_in_all_and_may_be_repeated():
    state = submitted("EU_CTR", on=-40)
    state, _ = run(state, {"type": "record_ethics_completeness", "notified_on": day(-40)},
                   "regulatory")
    state, _ = run(state, {"type": "ethics_request_information", "requested_on": day(-30),
                           "questions": "Q1"}, "regulatory")
    part_one = state.deadlines["cpp_opinion"]
    # not suspended: the period runs on, 45 + 31 days from the validation date
    assert part_one.status is DeadlineStatus.open
    assert (part_one.clock, part_one.due_on) == ("ctr_assessment_with_request", eu(-40, 76))
    refused("information_request_open", state, {"type": "ethics_request_information",
                                                "requested_on": day(-29), "questions": "Q2"})
    state, _ = run(state, {"type": "ethics_information_supplied", "supplied_on": day(-20)},
                   "regulatory")
    state, _ = run(state, {"type": "ethics_request_information", "requested_on": day(-10),
                           "questions": "Q2"}, "regulatory")  # a second request
    assert state.deadlines["sponsor_answer.2"].due_on == eu(-10, 12)
    state, _ = run(state, {"type": "ethics_information_supplied", "supplied_on": day(-5)},
                   "regulatory")
    assert state.deadlines["cpp_opinion"].due_on == eu(-40, 76)  # 76 days, not 88
    assert state.deadlines["sponsor_answer.2"].status is DeadlineStatus.met


def test_ctr_art_6_8_an_unanswered_request_makes_the_application_lapse():
    state = submitted("EU_CTR", on=-40)
    state, _ = run(state, {"type": "record_ethics_completeness", "notified_on": day(-40)},
                   "regulatory")
    state, _ = run(state, {"type": "ethics_request_information", "requested_on": day(-20),
                           "questions": "Q1"}, "regulatory")
    state, events = advance(state, TODAY)
    assert "EthicsSubmissionLapsed" in [e.type for e in events]
    assert state.ethics.lapsed and state.status is StudyStatus.rejected
    assert "second_review_window" not in state.deadlines


def test_ctr_arts_17_to_19_a_modification_is_validated_in_6_assessed_in_38_decided_in_5():
    state = amendment(recruiting(framework="EU_CTR"), on=-10)
    assessment = state.deadlines["amendment.AM-1.cpp"]
    assert (assessment.clock, assessment.starts_on, assessment.due_on) == (
        "ctr_modification_assessment", after(-10 + 6), eu(-10 + 6, 38))
    assert "amendment.AM-1.ansm" not in state.deadlines  # decided after the conclusion
    state, _ = run(state, {"type": "record_ethics_opinion", "opinion": "favourable",
                           "opinion_on": day(-1), "amendment_id": "AM-1"}, "regulatory")
    decision = state.deadlines["amendment.AM-1.ansm"]
    assert (decision.clock, decision.due_on) == ("ctr_modification_decision", eu(-1, 5))
    # art. 19: silence makes the conclusion the decision
    state, _ = advance(state, decision.due_on + timedelta(days=1))
    assert state.amendments["AM-1"].status == "approved" and state.protocol_version == "2.0"


def test_ctr_art_42_susars_are_reported_within_7_or_15_days():
    for fatal, days in ((True, 7), (False, 15)):
        state, _ = run(recruiting(framework="EU_CTR"), {
            "type": "report_safety_event", "kind": "susar", "occurred_on": day(0),
            "fatal_or_life_threatening": fatal}, "investigator")
        assert state.deadlines["safety.SE-1"].due_on == eu(0, days, evaluation=False)


# --- Vigilance: CSP R1123-49 to R1123-62 -----------------------------------------------------
def test_r1123_53_fatal_susar_is_declared_without_delay():
    state, events = run(recruiting(), {"type": "report_safety_event", "kind": "susar",
                                       "occurred_on": day(-3), "aware_on": day(-1),
                                       "fatal_or_life_threatening": True}, "investigator")
    deadline = state.deadlines["safety.SE-1"]
    # due the very day the sponsor knew of it, escalated the day after
    assert (deadline.clock, deadline.starts_on, deadline.due_on) == (
        "susar_fatal", after(-1), after(-1))
    state, missed = advance(state, TODAY)
    assert [e.type for e in missed][:1] == ["DeadlineMissed"]
    state, _ = run(state, {"type": "declare_safety_event", "event_id": "SE-1",
                           "declared_on": day(0)}, "regulatory")
    # R1123-53 last al.: the follow-up 8 days after the first report of a fatal one
    assert state.deadlines["safety.SE-1.followup"].due_on == after(8)


@pytest.mark.parametrize("category", ["RIPH2", "RIPH3"])
def test_r1123_53_susars_are_declared_to_the_ansm_in_riph1_only(category):
    state, _ = run(recruiting(category), {"type": "report_safety_event", "kind": "susar",
                                          "occurred_on": day(0),
                                          "fatal_or_life_threatening": True}, "investigator")
    assert "safety.SE-1" not in state.deadlines


def test_r1123_49_an_sae_opens_no_declaration_clock_but_a_task_for_the_sponsor():
    state, _ = run(recruiting(), {"type": "report_safety_event", "kind": "sae",
                                  "occurred_on": day(-2), "fatal_or_life_threatening": False},
                   "investigator")
    assert "safety.SE-1" not in state.deadlines
    task = next(t for t in tasks(state) if t.command == "assess_safety_event")
    assert task.role.value == "regulatory" and "SE-1" in task.title
    refused("safety_event_not_assessed", state, {"type": "declare_safety_event",
                                                 "event_id": "SE-1", "declared_on": day(0)})
    # assessed as a fatal SUSAR: declared without delay from the assessment
    state, _ = run(state, {"type": "assess_safety_event", "event_id": "SE-1",
                           "assessed_on": day(-1), "susar": True,
                           "fatal_or_life_threatening": True}, "regulatory")
    assert state.deadlines["safety.SE-1"].due_on == after(-1)
    assert not [t for t in tasks(state) if t.command == "assess_safety_event"]
    refused("safety_event_already_assessed", state, {
        "type": "assess_safety_event", "event_id": "SE-1", "assessed_on": day(0),
        "susar": False})


def test_r1123_49_an_sae_assessed_as_no_susar_needs_nothing_more():
    state, _ = run(recruiting(), {"type": "report_safety_event", "kind": "sae",
                                  "occurred_on": day(-2)}, "investigator")
    state, _ = run(state, {"type": "assess_safety_event", "event_id": "SE-1",
                           "assessed_on": day(0), "susar": False}, "regulatory")
    assert "safety.SE-1" not in state.deadlines and state.safety_events["SE-1"].susar is False


def test_r1123_62_urgent_safety_measure_is_followed_by_an_amendment_or_an_end_declaration():
    measure = {"type": "report_safety_event", "kind": "urgent_safety_measure",
               "occurred_on": day(-5)}
    state, _ = run(recruiting(), measure, "investigator")
    state = amendment(state, on=-1)
    assert state.deadlines["safety.SE-1"].status is DeadlineStatus.met
    state, _ = run(recruiting(), measure, "investigator")
    state, _ = run(state, {"type": "declare_end", "ended_on": day(-3), "early": True})
    assert state.deadlines["safety.SE-1"].status is DeadlineStatus.open
    state, _ = run(state, {"type": "submit_end_declaration", "declared_on": day(0)})
    assert state.deadlines["safety.SE-1"].status is DeadlineStatus.met


def test_r1123_61_no_annual_safety_report_after_the_end_of_the_research():
    state = recruiting()
    assert state.deadlines["annual_safety_report.1"].closed_on is None
    state, _ = run(state, {"type": "declare_end", "ended_on": day(0)})
    annual = state.deadlines["annual_safety_report.1"]
    assert annual.closed_on == TODAY and not [t for t in tasks(state)
                                              if t.command == "submit_annual_safety_report"]


def test_r1123_66_the_end_declaration_concerns_research_on_the_human_person_only():
    state, _ = run(recruiting("NON_RIPH"), {"type": "declare_end", "ended_on": day(0)})
    assert "end_declaration" not in state.deadlines and "results" in state.deadlines
    refused("no_end_declaration_due", state, {"type": "submit_end_declaration",
                                              "declared_on": day(0)})


# --- ANSM: CSP L1123-8, R1123-38, R1123-44 ------------------------------------------------------
def test_r1123_44_express_products_silence_on_a_modification_is_refusal():
    state = study("RIPH1", until="submit_to_ansm")
    state, _ = run(state, {"type": "submit_to_ansm", "submitted_on": day(-30),
                           "express_authorization": True}, "regulatory")
    for role, command in [("regulatory", {"type": "record_ethics_opinion",
                                          "opinion": "favourable", "opinion_on": day(-2)}),
                          ("coordinator", {"type": "record_cnil", "route": "MR-001",
                                           "reference": "R"}),
                          ("regulatory", {"type": "record_ansm_decision",
                                          "decision": "authorized", "decision_on": day(-1)})]:
        state, _ = run(state, command, role)
    state = amendment(state)
    deadline = state.deadlines["amendment.AM-1.ansm"]
    assert (deadline.clock, deadline.due_on) == ("amendment_ansm_express", after(35))
    state, _ = advance(state, after(36))
    assert state.amendments["AM-1"].ansm_decision == "refused"
    assert state.amendments["AM-1"].status == "rejected"


def test_r1123_44_the_ansm_may_extend_its_review_of_a_modification_by_10_days_at_most():
    state = amendment(recruiting())
    extend = {"type": "extend_review", "deadline": "amendment.AM-1.ansm",
              "notified_on": day(0), "days": 11}
    refused("extension_too_long", state, extend)
    refused("review_not_extendable", state, {**extend, "deadline": "amendment.AM-1.cpp",
                                             "days": 5})
    state, _ = run(state, {**extend, "days": 10})
    assert state.deadlines["amendment.AM-1.ansm"].due_on == after(45)
    refused("review_already_extended", state, {**extend, "days": 1})


def test_l1123_8_the_sponsor_may_amend_its_request_once_after_the_ansm_objects():
    state = study("RIPH1", until="record_ansm_decision")
    objection = {"type": "record_ansm_objection", "objected_on": day(-5),
                 "answer_by": day(20), "reasons": "dosing"}
    state, _ = run(state, objection, "regulatory")
    assert state.deadlines["ansm_authorization"].closed_on == after(-5)  # no tacit authorization
    assert state.deadlines["ansm_objection_answer"].due_on == after(20)
    state, _ = run(state, {"type": "amend_ansm_request", "submitted_on": day(0)}, "regulatory")
    assert state.deadlines["ansm_objection_answer"].status is DeadlineStatus.met
    assert state.deadlines["ansm_authorization"].due_on == after(60)  # a new request
    refused("ansm_objection_once", state, {**objection, "objected_on": day(0)})
    refused("ansm_request_already_amended", state, {"type": "amend_ansm_request",
                                                    "submitted_on": day(0)})


def test_l1123_8_without_the_amended_request_the_request_is_rejected():
    state = study("RIPH1", until="record_ansm_decision")
    state, _ = run(state, {"type": "record_ansm_objection", "objected_on": day(-5),
                           "answer_by": day(0), "reasons": "dosing"}, "regulatory")
    state, _ = advance(state, after(1))
    assert state.ansm.decision == "refused" and state.status is StudyStatus.rejected


# --- EU_MDR: Regulation 2017/745 --------------------------------------------------------------
def test_mdr_art_70_7_authorization_runs_from_the_validation_date_not_the_filing():
    state = submitted("EU_MDR", on=-20)
    state, _ = run(state, {"type": "submit_to_ansm", "submitted_on": day(-20)}, "regulatory")
    assert state.deadlines["ansm_authorization"].starts_on == after(-10)  # validation due
    state, _ = run(state, {"type": "record_ethics_completeness", "notified_on": day(-15)},
                   "regulatory")
    authorization = state.deadlines["ansm_authorization"]
    assert (authorization.starts_on, authorization.due_on) == (after(-15), after(-15 + 45))


def test_mdr_art_75_3_one_clock_and_the_modification_takes_effect_at_38_days():
    state = amendment(recruiting(framework="EU_MDR"))
    assert "amendment.AM-1.cpp" not in state.deadlines
    state, events = advance(state, after(39))
    assert [e.type for e in events].count("AnsmDecisionRecorded") == 1
    assert state.amendments["AM-1"].status == "approved" and state.protocol_version == "2.0"


def test_mdr_art_75_3_a_negative_ethics_opinion_stops_the_modification():
    state = amendment(recruiting(framework="EU_MDR"))
    state, _ = run(state, {"type": "record_ethics_opinion", "opinion": "unfavourable",
                           "opinion_on": day(0), "amendment_id": "AM-1"}, "regulatory")
    assert state.amendments["AM-1"].status == "rejected"


def test_mdr_art_75_4_the_modification_clock_extends_by_7_days_to_consult_experts():
    state = amendment(recruiting(framework="EU_MDR"))
    extend = {"type": "extend_review", "deadline": "amendment.AM-1.ansm",
              "notified_on": day(0)}
    refused("extension_too_long", state, {**extend, "days": 8})
    state, _ = run(state, {**extend, "days": 7})
    assert state.deadlines["amendment.AM-1.ansm"].due_on == after(38 + 7)


def test_mdr_art_77_5_the_report_is_due_3_months_after_an_early_end():
    state, _ = run(recruiting(framework="EU_MDR"),
                   {"type": "declare_end", "ended_on": day(0), "early": True})
    assert state.deadlines["results"].due_on == add_months(TODAY, 3)
    state, _ = run(recruiting(framework="EU_MDR"), {"type": "declare_end", "ended_on": day(0)})
    assert state.deadlines["results"].due_on == add_months(TODAY, 12)


def test_mdr_art_77_1_an_end_for_safety_is_notified_within_24_hours():
    state, _ = run(recruiting(framework="EU_MDR"),
                   {"type": "declare_end", "ended_on": day(0), "for_safety": True})
    assert state.deadlines["end_declaration"].due_on == after(1)
    assert state.early_end and state.deadlines["results"].due_on == add_months(TODAY, 3)


def test_mdr_art_70_3_an_incomplete_application_lapses_after_10_days():
    state = submitted("EU_MDR", on=-20)
    state, _ = run(state, {"type": "ethics_request_information", "requested_on": day(-15),
                           "questions": "missing IB"}, "regulatory")
    assert state.deadlines["completeness_answer"].clock == "mdr_validation_answer"
    state, _ = advance(state, TODAY)
    assert state.ethics.lapsed and state.status is StudyStatus.rejected


# --- Jardé CPP: CSP R1123-23, R1123-25, R1123-43 ---------------------------------------------
def test_r1123_23_an_incomplete_file_the_sponsor_10_days_then_the_cpp_5():
    state = submitted(on=-20)
    incomplete = {"type": "ethics_request_information", "requested_on": day(-15),
                  "questions": "the insurance certificate", "stage": "validation"}
    state, _ = run(state, incomplete, "regulatory")
    answer = state.deadlines["completeness_answer"]
    assert (answer.clock, answer.due_on) == ("cpp_completion", after(-5))
    assert state.deadlines["cpp_completeness"].status is DeadlineStatus.stopped
    state, _ = run(state, {"type": "ethics_information_supplied", "supplied_on": day(-10)},
                   "regulatory")
    recheck = state.deadlines["cpp_completeness"]
    assert (recheck.clock, recheck.due_on) == ("cpp_completeness_recheck", after(-5))
    # the 45 days run from the completeness of the completed file
    assert state.deadlines["cpp_opinion"].due_on == after(-5 + 45)
    # by default a Jardé CPP's question is on the assessment (the clock stops, R1123-23 I)
    state, _ = run(state, {"type": "record_ethics_completeness", "notified_on": day(-8)},
                   "regulatory")
    state, _ = run(state, {**incomplete, "stage": None, "requested_on": day(-5)}, "regulatory")
    assert state.deadlines["cpp_opinion"].status is DeadlineStatus.stopped


def test_r1123_23_an_incomplete_file_not_completed_in_10_days_is_deemed_withdrawn():
    state = submitted(on=-20)
    state, _ = run(state, {"type": "ethics_request_information", "requested_on": day(-15),
                           "questions": "Q", "stage": "validation"}, "regulatory")
    state, events = advance(state, TODAY)
    assert "EthicsSubmissionLapsed" in [e.type for e in events]
    assert state.status is StudyStatus.rejected
    assert "second_review_window" not in state.deadlines  # no opinion, no second review


def test_r1123_43_the_cpp_may_ask_once_on_an_amendment_60_days_in_all_suspended():
    state = amendment(recruiting(), on=-20)
    ask = {"type": "ethics_request_information", "requested_on": day(-10), "questions": "Q",
           "amendment_id": "AM-1"}
    state, _ = run(state, ask)
    cpp = state.deadlines["amendment.AM-1.cpp"]
    assert (cpp.status, cpp.clock) == (DeadlineStatus.stopped, "amendment_cpp_with_request")
    assert state.deadlines["amendment.AM-1.sponsor_answer"].due_on == after(-10 + 12)
    state, _ = run(state, {"type": "ethics_information_supplied", "supplied_on": day(-4),
                           "amendment_id": "AM-1"})
    assert state.deadlines["amendment.AM-1.cpp"].due_on == after(-20 + 60 + 6)
    refused("ethics_information_already_requested", state, {**ask, "requested_on": day(0)})
    refused("no_information_request", state, {"type": "ethics_information_supplied",
                                              "supplied_on": day(0), "amendment_id": "AM-1"})


def test_r1123_25_the_month_runs_from_the_notification_and_the_platform_designates():
    state = study("RIPH1", until="record_ethics_opinion")
    state, _ = run(state, {"type": "record_ethics_opinion", "opinion": "unfavourable",
                           "opinion_on": day(-25), "notified_on": day(-20)}, "regulatory")
    window = state.deadlines["second_review_window"]
    assert (window.starts_on, window.due_on) == (after(-20), add_months(after(-20), 1))
    state, _ = run(state, {"type": "request_second_review", "committee": "CPP Sud-Est II",
                           "requested_on": day(0), "platform_file": "RIPH-2026-0421"})
    assert state.ethics.committee == "CPP Sud-Est II"
    assert state.ethics.platform_file == "RIPH-2026-0421" and state.ethics.second_review


def test_r1123_20_the_submission_records_the_platform_file_and_the_drawn_committee():
    state = study("RIPH1", until="submit_to_ethics")
    state, _ = run(state, {"type": "submit_to_ethics", "committee": "CPP Ouest II",
                           "submitted_on": day(0), "platform_file": "RIPH-2026-0007"},
                   "regulatory")
    assert view(state)["steps"]["ethics"]["platform_file"] == "RIPH-2026-0007"


# --- Registration ----------------------------------------------------------------------------
def test_registration_is_required_before_the_cpp_and_the_ansm():
    state = study("RIPH1", until="record_registration")
    for command in ({"type": "submit_to_ethics", "committee": "C", "submitted_on": day(0)},
                    {"type": "submit_to_ansm", "submitted_on": day(0)}):
        err = refused("registration_required", state, command)
        assert "ID-RCB" in err.message
    assert [t.command for t in tasks(state)].count("record_registration") == 1
    state, _ = run(state, {"type": "record_registration", "number": "2026-A01234-56"})
    assert view(state)["registration"] == "2026-A01234-56"
    assert "record_registration" not in [t.command for t in tasks(state)]
    refused("registration_already_recorded", state,
            {"type": "record_registration", "number": "2026-512345-12-00"})


def test_registration_takes_an_id_rcb_or_an_eu_ct_number():
    state = study("RIPH1", until="record_registration")
    run(state, {"type": "record_registration", "number": "2026-512345-12-00"})
    for bad in ("2026-A1234-56", "2026-412345-12-00", "ID-RCB"):
        with pytest.raises(Exception) as e:
            run(state, {"type": "record_registration", "number": bad})
        assert "pattern" in str(e.value)


def test_a_registration_is_changed_by_a_correction():
    state = study("RIPH1", until="record_registration")
    state, events = run(state, {"type": "record_registration", "number": "2026-A01234-56"})
    fact = next(f for f in state.facts if f.type == "RegistrationRecorded")
    state, _ = run(state, {"type": "correct", "seq": 7, "changes": {"number": "2026-A01234-57"},
                           "version": fact.version, "recorded_by": "coordinator",
                           "original_type": "RegistrationRecorded",
                           "original": events[0].payload()})
    assert state.registration == "2026-A01234-57"


# --- Consent: CSP L1121-4, L1122-1, L1122-1-1, L1122-1-4, L1122-2 ------------------------------
def registered(category: str = "RIPH1", **extra):
    state = study(category, until="-")
    state, _ = run(state, {"type": "register_participant", "code": "P-0001", **extra},
                   "investigator")
    return state


def consent(state, **extra) -> dict:
    return {"type": "record_consent", "code": "P-0001", "kind": "written",
            "consent_form_version": "1.0", "consented_on": day(0), **extra}


def test_l1122_1_1_a_written_consent_satisfies_a_riph2_express_requirement():
    state = registered("RIPH2")
    state, events = run(state, consent(state, unable_to_write=True, witnessed=True),
                        "investigator")
    assert events[0].kind.value == "written" and events[0].witnessed
    refused("consent_kind_mismatch", registered("RIPH2"),
            consent(state, kind="non_opposition"), "investigator")


def test_l1122_1_consent_is_given_on_an_issued_information_form():
    state = study("RIPH1", until="issue_consent_form")
    state, _ = run(state, {"type": "inform_director", "informed_on": day(0)})
    state, _ = run(state, {"type": "open_recruitment"})
    state, _ = run(state, {"type": "register_participant", "code": "P-0001"}, "investigator")
    refused("consent_form_not_issued", state, consent(state), "investigator")


def test_a_first_form_issued_as_major_keeps_the_consents_already_given_on_it():
    # a study recorded before edition 2 collected consents on v1.0 with no form issued
    state = study("RIPH1", until="issue_consent_form")
    state = state.model_copy(update={"rules": 1})
    state, _ = run(state, {"type": "open_recruitment"})
    state, _ = run(state, {"type": "register_participant", "code": "P-0001"}, "investigator")
    state, _ = run(state, consent(state), "investigator")
    state = state.model_copy(update={"rules": RULES})
    state, _ = run(state, {"type": "issue_consent_form", "version": "1.0", "change": "major",
                           "issued_on": day(0)}, "investigator")
    assert state.participants["P-0001"].status is ParticipantStatus.consented
    run(state, {"type": "include", "code": "P-0001", "included_on": day(0)}, "investigator")


def test_l1121_4_a_consent_dated_before_the_favourable_opinion_is_refused():
    state = study("RIPH1", until="-")
    state = state.model_copy(update={"recruitment_opened_on": None})  # an imported study
    state, _ = run(state, {"type": "register_participant", "code": "P-0001"}, "investigator")
    err = refused("date_out_of_order", state, consent(state, consented_on=day(-3)),
                  "investigator")
    assert "favourable opinion" in err.message


def test_l1122_2_ii_one_holder_alone_never_for_a_healthy_volunteer():
    alone = {"by": "holders", "holders": 1, "holder_exception": "other_holder_unavailable",
             "kind": "express"}
    run(registered("RIPH2", majority_on=day(3000)),
        consent(None, **alone), "investigator")
    refused("both_holders_required",
            registered("RIPH2", majority_on=day(3000), healthy_volunteer=True),
            consent(None, **alone), "investigator")


def test_l1122_1_4_a_riph2_cluster_trial_informs_collectively_and_may_use_mr_003():
    state = study("RIPH2", until="submit_protocol")
    state, _ = run(state, {"type": "submit_protocol", "version": "1.0",
                           "document_sha256": "ab" * 32, "cluster_trial": True},
                   "investigator")
    assert state.cluster_trial
    refused("cluster_trial_riph2_only", study("RIPH1", until="submit_protocol"),
            {"type": "submit_protocol", "version": "1.0", "document_sha256": "ab" * 32,
             "cluster_trial": True}, "investigator")
    for role, command in [
            ("coordinator", {"type": "assign_sponsor", "sponsor": "S"}),
            ("regulatory", {"type": "record_insurance", "insurer": "I", "policy": "P"}),
            ("coordinator", {"type": "record_registration", "number": "2026-A01234-56"}),
            ("regulatory", {"type": "submit_to_ethics", "committee": "C",
                            "submitted_on": day(-30)}),
            ("regulatory", {"type": "record_ethics_opinion", "opinion": "favourable",
                            "opinion_on": day(-2)}),
            ("coordinator", {"type": "record_cnil", "route": "MR-003", "reference": "R"}),
            ("regulatory", {"type": "notify_ansm", "sent_on": day(-1)}),
            ("investigator", {"type": "issue_consent_form", "version": "1.0",
                              "change": "major", "issued_on": day(-1)}),
            ("coordinator", {"type": "inform_director", "informed_on": day(-1)}),
            ("coordinator", {"type": "open_recruitment"}),
            ("investigator", {"type": "register_participant", "code": "P-0001"}),
            ("investigator", consent(None, kind="non_opposition"))]:
        state, _ = run(state, command, role)
    assert state.participants["P-0001"].consent_kind.value == "non_opposition"
    refused("cnil_route_mismatch", study("RIPH2", until="record_cnil"),
            {"type": "record_cnil", "route": "MR-003", "reference": "R"}, "coordinator")


# --- Protected participants: CSP L1121-5 to L1121-8, L1122-2 II -------------------------------
def test_l1121_5_a_pregnant_woman_enters_a_riph1_only_for_her_or_her_child_s_benefit():
    state = study("RIPH1", until="-")
    register = {"type": "register_participant", "code": "P-0001", "protection": "pregnant"}
    err = refused("protected_participant_needs_benefit", state, register, "investigator")
    assert "L1121-5" in err.message
    refused("protected_participant_minimal_risk_only", state,
            {**register, "benefit": "others_benefit"}, "investigator")
    state, _ = run(state, {**register, "benefit": "direct_benefit"}, "investigator")
    assert state.participants["P-0001"].benefit == "direct_benefit"
    run(registered("RIPH2", protection="pregnant", benefit="others_benefit"),
        consent(None, kind="express"), "investigator")
    run(study("RIPH3", until="-"), register, "investigator")  # no condition in a RIPH3


@pytest.mark.parametrize("protection", ["deprived_of_liberty", "hospitalized_without_consent"])
def test_l1121_6_persons_deprived_of_liberty_or_in_care_without_consent(protection):
    state = study("RIPH1", until="-")
    err = refused("protected_participant_needs_benefit", state, {
        "type": "register_participant", "code": "P-0001", "protection": protection},
        "investigator")
    assert "L1121-6" in err.message


def test_l1122_2_ii_an_adult_under_tutelle_consents_through_the_guardian():
    state = registered(protection="tutelle", benefit="direct_benefit")
    err = refused("protected_participant_consent_by", state, consent(None), "investigator")
    assert "representative" in err.message and "L1122-2" in err.message
    state, _ = run(state, consent(None, by="representative"), "investigator")
    assert state.participants["P-0001"].consent_by.value == "representative"


def test_l1122_2_ii_an_adult_under_curatelle_consents_with_the_curator_s_assistance():
    state = registered(protection="curatelle", benefit="direct_benefit")
    refused("protected_participant_consent_by", state, consent(None, by="representative"),
            "investigator")
    run(state, consent(None, by="assisted"), "investigator")
    refused("consent_by_not_applicable", registered(), consent(None, by="assisted"),
            "investigator")


# --- Rules editions --------------------------------------------------------------------------
def test_a_study_recorded_under_edition_1_decides_as_then_until_it_adopts_edition_2():
    created, _ = run(None, {"type": "create_study", "title": "T", "category": "RIPH1",
                            "investigator": "Dr A"})
    assert created.rules == RULES
    from domain import Actor, adopt_rules, decide, fold
    from domain.commands import CreateStudy

    old = fold(None, decide(None, CreateStudy(title="T", category="RIPH1", investigator="Dr A"),
                            Actor(name="t", role="coordinator"), TODAY, "study-old", rules=1))
    assert old is not None and old.rules == 1
    old, _ = run(old, {"type": "submit_protocol", "version": "1", "document_sha256": "ab" * 32},
                 "investigator")
    old, _ = run(old, {"type": "assign_sponsor", "sponsor": "S"})
    old, _ = run(old, {"type": "submit_to_ethics", "committee": "C", "submitted_on": day(0)})
    assert old.ethics.submitted_on  # no registration asked of a history recorded before
    adopted = fold(old, adopt_rules(old))
    assert adopted is not None and adopted.rules == RULES and adopt_rules(adopted) == []
    refused("registration_required", adopted, {"type": "submit_to_ansm",
                                               "submitted_on": day(0)})


# --- The weekly steps: start, sites, CNIL ------------------------------------------------------
def ready(category: str = "RIPH1", framework: str = "JARDE"):
    return study(category, until="open_recruitment", framework=framework)


def test_r1123_69_the_director_is_informed_before_the_research_starts():
    state = study("RIPH1", until="inform_director")
    err = refused("director_not_informed", state, {"type": "open_recruitment"}, "coordinator")
    assert "R1123-69" in err.message
    state, _ = run(state, {"type": "inform_director", "informed_on": day(0)})
    refused("date_out_of_order", state, {"type": "open_recruitment", "opened_on": day(-1)},
            "coordinator")
    state, _ = run(state, {"type": "open_recruitment", "opened_on": day(0)})
    assert state.status is StudyStatus.recruiting


def test_r1124_8_a_conditional_favourable_opinion_holds_the_start_until_its_conditions_are_met():
    state = study("RIPH1", until="record_ethics_opinion")
    state, _ = run(state, {"type": "record_ethics_opinion", "opinion": "favourable",
                           "opinion_on": day(-2), "conditions": "revised information note"},
                   "regulatory")
    for role, command in [("coordinator", {"type": "record_cnil", "route": "MR-001",
                                           "reference": "R"}),
                          ("regulatory", {"type": "record_ansm_decision",
                                          "decision": "authorized", "decision_on": day(-1)}),
                          ("investigator", {"type": "issue_consent_form", "version": "1.0",
                                            "change": "major", "issued_on": day(-1)}),
                          ("coordinator", {"type": "inform_director", "informed_on": day(-1)})]:
        state, _ = run(state, command, role)
    assert state.status is StudyStatus.ready
    refused("ethics_conditions_pending", state, {"type": "open_recruitment"}, "coordinator")
    state, _ = run(state, {"type": "lift_ethics_conditions", "lifted_on": day(0)})
    state, _ = run(state, {"type": "open_recruitment"}, "coordinator")
    refused("no_ethics_conditions", state, {"type": "lift_ethics_conditions",
                                            "lifted_on": day(0)})
    refused("conditions_on_a_favourable_opinion_only",
            study("RIPH1", until="record_ethics_opinion"),
            {"type": "record_ethics_opinion", "opinion": "unfavourable", "opinion_on": day(0),
             "conditions": "x"})


def test_l1121_16_1_a_commercial_sponsor_includes_at_a_site_once_its_convention_is_signed():
    state = study("RIPH1", until="assign_sponsor")
    state, _ = run(state, {"type": "assign_sponsor", "sponsor": "Pharma SA", "commercial": True})
    for role, command in WALK:
        if command["type"] not in {"submit_protocol", "assign_sponsor", *SKIP["RIPH1"]}:
            state, _ = run(state, command, role)
    state, _ = run(state, {"type": "register_participant", "code": "P-0001"}, "investigator")
    state, _ = run(state, consent(None), "investigator")
    include = {"type": "include", "code": "P-0001", "included_on": day(0)}
    err = refused("convention_unique_required", state, include, "investigator")
    assert "L1121-16-1" in err.message
    state, _ = run(state, {"type": "sign_convention", "signed_on": day(0)})
    run(state, include, "investigator")
    refused("convention_commercial_only", recruiting(), {"type": "sign_convention",
                                                         "signed_on": day(0)})


def test_loi_78_17_art_66_a_cnil_authorization_is_tacitly_accepted_after_two_months():
    state = study("RIPH1", until="record_cnil")
    state, _ = run(state, {"type": "record_cnil", "route": "authorization", "reference": "DR-1",
                           "requested_on": day(-1)})
    assert view(state)["steps"]["cnil"]["status"] == "in_progress"
    deadline = state.deadlines["cnil_authorization"]
    assert deadline.due_on == add_months(after(-1), 2)
    state, _ = advance(state, deadline.due_on + timedelta(days=1))
    assert (state.cnil_decision, view(state)["steps"]["cnil"]["status"]) == ("authorized", "done")
    assert state.deadlines["cnil_authorization"].status is DeadlineStatus.met


def test_loi_78_17_art_66_a_cnil_refusal_stops_the_study():
    state = study("RIPH1", until="record_cnil")
    state, _ = run(state, {"type": "record_cnil", "route": "authorization", "reference": "DR-1"})
    state, _ = run(state, {"type": "record_cnil_decision", "decision": "refused",
                           "decision_on": day(0)})
    assert state.status is StudyStatus.rejected


def test_gdpr_art_30_a_reference_methodology_asks_for_the_processing_register_entry():
    state = ready()
    assert "record_processing_register" in [t.command for t in tasks(state)]
    state, _ = run(state, {"type": "record_processing_register", "entry": "REG-2026-12",
                           "entered_on": day(0)})
    assert "record_processing_register" not in [t.command for t in tasks(state)]
    refused("processing_register_already_recorded", state, {
        "type": "record_processing_register", "entry": "X", "entered_on": day(0)})


def test_ctr_art_36_start_first_visit_and_end_of_recruitment_notified_within_15_days():
    state = recruiting(framework="EU_CTR")
    assert state.deadlines["notice.start"].due_on == eu(0, 15, evaluation=False)
    state, _ = run(state, {"type": "register_participant", "code": "P-0001"}, "investigator")
    state, _ = run(state, consent(None), "investigator")
    assert state.deadlines["notice.first_visit"].due_on == eu(0, 15, evaluation=False)
    state, _ = run(state, {"type": "notify_milestone", "milestone": "first_visit",
                           "notified_on": day(0)})
    assert state.deadlines["notice.first_visit"].status is DeadlineStatus.met
    state, _ = run(state, {"type": "close_recruitment"}, "coordinator")
    assert state.deadlines["notice.recruitment_end"].due_on == eu(0, 15, evaluation=False)
    assert "notice.start" not in recruiting().deadlines  # not a Jardé clock
    refused("no_notice.start_due", recruiting(), {"type": "notify_milestone",
                                                  "milestone": "start", "notified_on": day(0)})


def test_l1122_1_3_an_immediate_life_threatening_emergency_includes_before_any_consent():
    register = {"type": "register_participant", "code": "P-0001", "emergency": True,
                "no_relative_present": True}
    refused("vital_emergency_not_in_protocol", study("RIPH1", emergency_inclusion=True),
            register, "investigator")
    state = study("RIPH1", until="submit_protocol")
    state, _ = run(state, {"type": "submit_protocol", "version": "1.0",
                           "document_sha256": "ab" * 32, "emergency_inclusion": True,
                           "vital_emergency": True}, "investigator")
    for role, command in WALK:
        if command["type"] not in {"submit_protocol", *SKIP["RIPH1"]}:
            state, _ = run(state, command, role)
    state, _ = run(state, register, "investigator")
    state, _ = run(state, {"type": "include", "code": "P-0001", "included_on": day(0)},
                   "investigator")
    assert state.participants["P-0001"].status is ParticipantStatus.included
    assert state.deadlines["deferred_consent.P-0001"].starts_on == TODAY
    # the relatives, then the person, are asked as soon as possible
    state, _ = run(state, consent(None, by="relative"), "investigator")
    state, _ = run(state, consent(None), "investigator")
    assert state.deadlines["deferred_consent.P-0001"].status is DeadlineStatus.met
    assert state.participants["P-0001"].status is ParticipantStatus.included
