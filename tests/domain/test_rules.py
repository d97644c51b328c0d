"""The rules of the Jardé law as the domain enforces them, one behaviour per test."""

from datetime import timedelta

import pytest
from pydantic import ValidationError

from domain import COMMAND_ROLES, RuleViolation, StudyStatus, missing_steps, steps
from domain.clocks import working_day
from domain.model import Role, Step, StepStatus
from domain.regulation import CNIL_ROUTES, CONSENT_KIND, REQUIRED_STEPS

from .helpers import CNIL, SHA, TODAY, day, run, study


def refused(code: str, state, command: dict, role: str = "coordinator") -> RuleViolation:
    with pytest.raises(RuleViolation) as e:
        run(state, command, role)
    assert e.value.code == code, e.value.message
    return e.value


# --- categories and required steps ---------------------------------------------------------
@pytest.mark.parametrize("category", ["RIPH1", "RIPH2", "RIPH3", "NON_RIPH"])
def test_each_category_reaches_ready_exactly_when_its_last_step_is_done(category):
    state = study(category, until="open_recruitment")
    assert state.status is StudyStatus.ready
    assert missing_steps(state) == []
    required = REQUIRED_STEPS[state.category]
    for step, status in steps(state).items():
        assert (status is StepStatus.not_required) == (step not in required)


def test_required_steps_table_follows_the_law():
    assert REQUIRED_STEPS["RIPH1"] == set(Step)
    assert Step.insurance in REQUIRED_STEPS["RIPH2"] and Step.ansm in REQUIRED_STEPS["RIPH2"]
    assert Step.insurance not in REQUIRED_STEPS["RIPH3"]
    assert REQUIRED_STEPS["NON_RIPH"] == {Step.protocol, Step.cnil}


def test_a_riph1_is_not_ready_without_the_ansm_authorization():
    state = study("RIPH1", until="record_ansm_decision")
    assert state.status is StudyStatus.in_review
    assert missing_steps(state) == [Step.ansm]


def test_open_recruitment_names_the_missing_steps():
    state = study("RIPH1", until="record_insurance")
    err = refused("steps_incomplete", state, {"type": "open_recruitment"})
    for step in ("insurance", "ethics", "cnil", "ansm"):
        assert step in err.message


def test_open_recruitment_moves_ready_to_recruiting():
    assert study("RIPH2").status is StudyStatus.recruiting


# --- roles -------------------------------------------------------------------------------------
SAMPLE = {
    "submit_protocol": {"version": "2", "document_sha256": SHA},
    "assign_sponsor": {"sponsor": "S"}, "record_insurance": {"insurer": "I", "policy": "P"},
    "submit_to_ethics": {"committee": "C", "submitted_on": day(0)},
    "record_ethics_completeness": {"notified_on": day(0)},
    "ethics_request_information": {"requested_on": day(0), "questions": "Q"},
    "ethics_information_supplied": {"supplied_on": day(0)},
    "record_ethics_opinion": {"opinion": "favourable", "opinion_on": day(0)},
    "request_second_review": {"committee": "C2", "requested_on": day(0)},
    "record_cnil": {"route": "MR-001", "reference": "R"},
    "submit_to_ansm": {"submitted_on": day(0)},
    "record_ansm_decision": {"decision": "authorized", "decision_on": day(0)},
    "notify_ansm": {"sent_on": day(0)}, "open_recruitment": {}, "close_recruitment": {},
    "submit_amendment": {"substantial": True, "description": "D", "protocol_version": "2",
                         "submitted_on": day(0)},
    "report_safety_event": {"kind": "susar", "occurred_on": day(0),
                            "fatal_or_life_threatening": False},
    "declare_safety_event": {"event_id": "SE-1", "declared_on": day(0)},
    "submit_annual_safety_report": {"submitted_on": day(0)}, "suspend": {}, "resume": {},
    "submit_observations": {"submitted_on": day(0)}, "notify_halt": {"notified_on": day(0)},
    "declare_end": {"ended_on": day(0), "early": False},
    "submit_end_declaration": {"declared_on": day(0)},
    "report_results": {"reported_on": day(0)}, "archive": {},
    "register_participant": {"code": "P-0001"},
    "record_consent": {"code": "P-0001", "kind": "written", "consent_form_version": "1",
                       "consented_on": day(0)},
    "withdraw_consent": {"code": "P-0001", "withdrawn_on": day(0)},
    "object_to_data_use": {"code": "P-0001"},
    "reconsent": {"code": "P-0001", "consent_form_version": "2", "consented_on": day(0)},
    "complete": {"code": "P-0001"}, "include": {"code": "P-0001", "included_on": day(0)},
    "issue_consent_form": {"version": "2", "change": "major", "issued_on": day(0)},
    "correct": {"seq": 3, "changes": {"sponsor": "S2"}},
    "record_registration": {"number": "2026-A01234-56"},
    "lift_ethics_conditions": {"lifted_on": day(0)},
    "record_cnil_decision": {"decision": "authorized", "decision_on": day(0)},
    "record_processing_register": {"entry": "REG-12", "entered_on": day(0)},
    "inform_director": {"informed_on": day(0)},
    "sign_convention": {"signed_on": day(0)},
    "notify_milestone": {"milestone": "start", "notified_on": day(0)},
    "record_ansm_objection": {"objected_on": day(0), "answer_by": day(10), "reasons": "R"},
    "amend_ansm_request": {"submitted_on": day(0)},
    "extend_review": {"deadline": "amendment.AM-1.ansm", "notified_on": day(0), "days": 5},
    "assess_safety_event": {"event_id": "SE-1", "assessed_on": day(0), "susar": True},
    "add_site": {"site": "S01", "name": "Hôpital Nord", "investigator": "Dr B"},
    "activate_site": {"site": "S01", "activated_on": day(0)},
    "close_site": {"site": "S01", "closed_on": day(0)},
    "set_recruitment_plan": {"target": 10, "starts_on": day(0), "ends_on": day(100)},
}
DENIED = [(kind, role) for kind, roles in COMMAND_ROLES.items() if kind != "create_study"
          for role in Role if role not in roles]


@pytest.mark.parametrize(("kind", "role"), DENIED)
def test_a_role_not_in_the_table_is_refused(kind, role):
    refused("role_not_allowed", study("RIPH1", until="submit_to_ethics"),
            {"type": kind, **SAMPLE[kind]}, role.value)


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_auditors_and_admins_change_nothing(role):
    # an admin may only correct a mistyped fact (issue 14)
    assert [k for k, roles in COMMAND_ROLES.items() if Role(role) in roles] == (
        ["correct"] if role == "admin" else [])


def test_every_contract_command_has_a_role_rule_and_a_sample():
    assert set(SAMPLE) | {"create_study"} == set(COMMAND_ROLES)


# --- CNIL -------------------------------------------------------------------------------------
@pytest.mark.parametrize("category", ["RIPH1", "RIPH2", "RIPH3", "NON_RIPH"])
def test_a_cnil_route_that_does_not_fit_the_category_is_refused(category):
    state = study(category, until="record_cnil")
    for route in {"MR-001", "MR-003", "MR-004"} - CNIL_ROUTES[state.category]:
        err = refused("cnil_route_mismatch", state,
                      {"type": "record_cnil", "route": route, "reference": "R"})
        assert CNIL[category] in err.message


def test_cnil_authorization_comes_after_the_cpp_opinion():
    state = study("RIPH3", until="record_ethics_opinion")
    refused("cnil_authorization_needs_cpp_opinion", state,
            {"type": "record_cnil", "route": "authorization", "reference": "A"})


# --- ethics -----------------------------------------------------------------------------------
def test_ethics_submission_needs_protocol_and_sponsor():
    state = study("RIPH1", until="submit_protocol")
    cmd = {"type": "submit_to_ethics", "committee": "C", "submitted_on": day(0)}
    refused("protocol_required", state, cmd)
    state = study("RIPH1", until="assign_sponsor")
    refused("sponsor_required", state, cmd)


def test_non_riph_studies_do_not_go_to_a_cpp():
    state = study("NON_RIPH", until="record_cnil")
    refused("ethics_not_applicable", state,
            {"type": "submit_to_ethics", "committee": "C", "submitted_on": day(0)})


def test_the_cpp_may_request_information_only_once():
    state = study("RIPH1", until="submit_to_ansm")
    rfi = {"type": "ethics_request_information", "requested_on": day(-20), "questions": "Q"}
    state, _ = run(state, rfi)
    state, _ = run(state, {"type": "ethics_information_supplied", "supplied_on": day(-10)})
    refused("ethics_information_already_requested", state, rfi)


def test_an_answer_needs_an_open_request():
    state = study("RIPH1", until="submit_to_ansm")
    refused("no_information_request", state,
            {"type": "ethics_information_supplied", "supplied_on": day(0)})


def test_an_opinion_before_the_submission_is_refused():
    state = study("RIPH1", until="submit_to_ansm")
    refused("date_out_of_order", state,
            {"type": "record_ethics_opinion", "opinion": "favourable", "opinion_on": day(-40)})


def test_an_opinion_is_recorded_once():
    state = study("RIPH1", until="record_cnil")
    refused("ethics_opinion_already_recorded", state,
            {"type": "record_ethics_opinion", "opinion": "favourable", "opinion_on": day(0)})


def test_an_unfavourable_opinion_rejects_the_study_and_opens_the_second_review_window():
    state = study("RIPH1", until="record_ethics_opinion")
    state, _ = run(state, {"type": "record_ethics_opinion", "opinion": "unfavourable",
                           "opinion_on": day(-2)}, "regulatory")
    assert state.status is StudyStatus.rejected
    assert state.deadlines["second_review_window"].due_on.isoformat() == "2026-12-22"


def test_second_review_once_within_a_month_by_another_committee():
    state = study("RIPH1", until="submit_to_ethics")
    state, _ = run(state, {"type": "submit_to_ethics", "committee": "CPP A",
                           "submitted_on": day(-60)}, "regulatory")
    state, _ = run(state, {"type": "record_ethics_opinion", "opinion": "unfavourable",
                           "opinion_on": day(-40)}, "regulatory")
    late = {"type": "request_second_review", "committee": "CPP B", "requested_on": day(0)}
    refused("second_review_window_closed", state, late)
    state = study("RIPH1", until="record_ethics_opinion")
    state, _ = run(state, {"type": "record_ethics_opinion", "opinion": "unfavourable",
                           "opinion_on": day(-5)}, "regulatory")
    refused("second_review_same_committee", state,
            {"type": "request_second_review", "committee": "CPP A", "requested_on": day(0)})
    state, events = run(state, {"type": "request_second_review", "committee": "CPP B",
                                "requested_on": day(0)})
    assert state.status is StudyStatus.in_review
    assert "second_review.cpp_opinion" in state.deadlines
    assert state.deadlines["second_review_window"].status.value == "met"
    state, _ = run(state, {"type": "record_ethics_opinion", "opinion": "unfavourable",
                           "opinion_on": day(0)}, "regulatory")
    refused("second_review_already_used", state,
            {"type": "request_second_review", "committee": "CPP C", "requested_on": day(0)})


# --- ANSM -------------------------------------------------------------------------------------
@pytest.mark.parametrize("category", ["RIPH2", "RIPH3"])
def test_only_a_riph1_asks_the_ansm_for_authorization(category):
    refused("ansm_authorization_riph1_only", study(category, until="record_cnil"),
            {"type": "submit_to_ansm", "submitted_on": day(0)}, "regulatory")


def test_riph1_does_not_notify_the_ansm():
    refused("ansm_notification_riph2_3_only", study("RIPH1", until="record_cnil"),
            {"type": "notify_ansm", "sent_on": day(0)}, "regulatory")


def test_the_ansm_notification_follows_the_favourable_opinion():
    refused("ansm_notification_needs_favourable_opinion",
            study("RIPH2", until="record_ethics_opinion"),
            {"type": "notify_ansm", "sent_on": day(0)}, "regulatory")


def test_a_decision_needs_a_submission():
    refused("ansm_not_submitted", study("RIPH1", until="submit_to_ansm"),
            {"type": "record_ansm_decision", "decision": "authorized", "decision_on": day(0)},
            "regulatory")


def test_an_ansm_refusal_rejects_the_study():
    state = study("RIPH1", until="record_ansm_decision")
    state, _ = run(state, {"type": "record_ansm_decision", "decision": "refused",
                           "decision_on": day(0)}, "regulatory")
    assert state.status is StudyStatus.rejected


# --- dates and states -------------------------------------------------------------------------
def test_legal_dates_in_the_future_are_refused():
    refused("date_in_future", study("RIPH1", until="submit_to_ethics"),
            {"type": "submit_to_ethics", "committee": "C", "submitted_on": day(1)})


def test_the_protocol_is_locked_once_submitted_to_the_cpp():
    refused("protocol_locked", study("RIPH1", until="submit_to_ansm"),
            {"type": "submit_protocol", "version": "2", "document_sha256": SHA}, "investigator")


def test_suspend_and_resume_return_to_the_previous_state():
    state = study("RIPH1")
    state, _ = run(state, {"type": "suspend"})
    assert state.status is StudyStatus.suspended
    refused("recruitment_not_open", state, {"type": "register_participant", "code": "P-0001"},
            "investigator")
    state, _ = run(state, {"type": "resume"})
    assert state.status is StudyStatus.recruiting


def test_end_results_archive():
    state = study("RIPH1")
    refused("invalid_state", state, {"type": "report_results", "reported_on": day(0)})
    state, _ = run(state, {"type": "close_recruitment"})
    state, _ = run(state, {"type": "declare_end", "ended_on": day(0), "early": False})
    assert state.status is StudyStatus.ended
    assert state.deadlines["end_declaration"].due_on.isoformat() == day(90)
    assert state.deadlines["results"].due_on.isoformat() == "2027-11-24"
    state, _ = run(state, {"type": "submit_end_declaration", "declared_on": day(0)})
    state, _ = run(state, {"type": "report_results", "reported_on": day(0)})
    state, _ = run(state, {"type": "archive"})
    assert state.status is StudyStatus.archived
    refused("study_closed", state, {"type": "suspend"})


# --- amendments and safety --------------------------------------------------------------------
def test_a_substantial_amendment_takes_effect_only_once_cpp_and_ansm_approve():
    state = study("RIPH1")
    amend = {"type": "submit_amendment", "substantial": True, "description": "new arm",
             "protocol_version": "2.0", "submitted_on": day(0)}
    state, events = run(state, amend)
    assert events[0].amendment_id == "AM-1" and state.protocol_version == "1.0"
    state, _ = run(state, {**amend, "protocol_version": "3.0"})  # several may be pending
    state, _ = run(state, {"type": "record_ethics_opinion", "opinion": "favourable",
                           "opinion_on": day(0), "amendment_id": "AM-1"}, "regulatory")
    assert state.protocol_version == "1.0"
    state, _ = run(state, {"type": "record_ansm_decision", "decision": "authorized",
                           "decision_on": day(0), "amendment_id": "AM-1"}, "regulatory")
    assert state.protocol_version == "2.0" and state.amendments["AM-1"].status == "approved"
    assert state.amendments["AM-2"].status == "pending"


def test_a_non_substantial_amendment_takes_effect_at_once():
    state, _ = run(study("RIPH2"), {"type": "submit_amendment", "substantial": False,
                                    "description": "typo", "protocol_version": "1.1",
                                    "submitted_on": day(0)})
    assert state.protocol_version == "1.1"


def test_r1123_53_a_declaration_meets_its_clock_and_the_follow_up_is_due_8_days_after_the_limit():
    state, events = run(study("RIPH1"), {"type": "report_safety_event", "kind": "susar",
                                         "occurred_on": day(-3),
                                         "fatal_or_life_threatening": False}, "investigator")
    assert events[0].event_id == "SE-1"
    state, _ = run(state, {"type": "declare_safety_event", "event_id": "SE-1",
                           "declared_on": day(0)}, "regulatory")
    assert state.deadlines["safety.SE-1"].status.value == "met"
    # a SUSAR not fatal: 8 days from the end of its 15-day limit (R1123-53, last al.)
    assert state.deadlines["safety.SE-1.followup"].due_on.isoformat() == day(-3 + 15 + 8)
    refused("unknown_safety_event", state, {"type": "declare_safety_event", "event_id": "SE-9",
                                            "declared_on": day(0)}, "regulatory")


# --- participants -------------------------------------------------------------------------------
STRENGTH = {"non_opposition": 0, "express": 1, "written": 2}


@pytest.mark.parametrize("category", ["RIPH1", "RIPH2", "RIPH3", "NON_RIPH"])
def test_l1122_1_1_consent_is_at_least_the_kind_the_category_requires(category):
    """A weaker form is refused; the required one and any stronger one are accepted and
    recorded as given (written ⊇ express ⊇ non-opposition)."""
    state, _ = run(study(category), {"type": "register_participant", "code": "P-0001"},
                   "investigator")
    needed = CONSENT_KIND[state.category]
    for kind, strength in STRENGTH.items():
        body = {"type": "record_consent", "code": "P-0001", "kind": kind,
                "consent_form_version": "1.0", "consented_on": day(0)}
        if strength < STRENGTH[needed.value]:
            refused("consent_kind_mismatch", state, body, "investigator")
            continue
        after, events = run(state, body, "investigator")
        assert after.participants["P-0001"].status.value == "consented"
        assert events[0].kind.value == kind


def test_withdrawal_keeps_the_data_collected_before_it():
    state, _ = run(study("RIPH1"), {"type": "register_participant", "code": "P-0001"},
                   "investigator")
    state, _ = run(state, {"type": "record_consent", "code": "P-0001", "kind": "written",
                           "consent_form_version": "1.0", "consented_on": day(0)}, "investigator")
    state, _ = run(state, {"type": "suspend"})  # withdrawal is possible at any time
    state, events = run(state, {"type": "withdraw_consent", "code": "P-0001",
                                "withdrawn_on": day(0)}, "investigator")
    assert events[0].data_kept_until.isoformat() == day(0)
    assert state.participants["P-0001"].status.value == "withdrawn"


def test_participants_are_pseudonymous_codes_only():
    with pytest.raises(ValidationError):
        run(study("RIPH1"), {"type": "register_participant", "code": "Jean Dupont"})
    refused("participant_exists", run(study("RIPH1"), {"type": "register_participant",
                                                       "code": "P-0001"})[0],
            {"type": "register_participant", "code": "P-0001"})


def test_a_suspension_by_the_authority_gives_the_sponsor_one_week_for_observations():
    state = study("RIPH1", until="-")
    state, _ = run(state, {"type": "suspend", "by": "authority"}, "regulatory")
    assert state.status is StudyStatus.suspended
    d = state.deadlines["sponsor_observations"]
    assert (d.starts_on, d.due_on) == (TODAY, TODAY + timedelta(days=7))
    assert "halt_notification" not in state.deadlines  # Jardé: no halt notification clock
    state, _ = run(state, {"type": "submit_observations", "submitted_on": day(0)},
                   "regulatory")
    assert state.deadlines["sponsor_observations"].closed_on == TODAY
    refused("no_sponsor_observations_due", state,
            {"type": "submit_observations", "submitted_on": day(0)}, "regulatory")


def test_a_halt_is_notified_under_the_eu_regulations_only():
    jarde, _ = run(study("RIPH1", until="-"), {"type": "suspend"}, "regulatory")
    refused("no_halt_notification_due", jarde,
            {"type": "notify_halt", "notified_on": day(0)}, "regulatory")
    for framework, safety, days in (("EU_MDR", False, 15), ("EU_MDR", True, 1),
                                    ("EU_CTR", False, 15)):
        state = study("RIPH1", until="-", framework=framework)
        state, _ = run(state, {"type": "suspend", "for_safety": safety}, "regulatory")
        d = state.deadlines["halt_notification"]
        due = TODAY + timedelta(days=days)  # Reg. 1182/71 art. 3(4) under the CTR
        assert d.due_on == (working_day(due) if framework == "EU_CTR" else due), framework
        state, _ = run(state, {"type": "notify_halt", "notified_on": day(0)}, "regulatory")
        assert state.deadlines["halt_notification"].closed_on == TODAY


def test_the_framework_table_drives_the_same_steps():
    ctr = study("RIPH1", until="record_ethics_completeness", framework="EU_CTR")
    assert ctr.deadlines["cpp_completeness"].clock == "ctr_validation"
    assert ctr.deadlines["cpp_opinion"].clock == "ctr_assessment"
    mdr = study("RIPH1", until="record_ethics_completeness", framework="EU_MDR")
    assert mdr.deadlines["cpp_opinion"].clock == "mdr_authorization"
    rejected, _ = run(study("RIPH1", until="record_ethics_opinion", framework="EU_CTR"),
                      {"type": "record_ethics_opinion", "opinion": "unfavourable",
                       "opinion_on": day(0)}, "regulatory")
    assert "second_review_window" not in rejected.deadlines
    refused("no_second_review", rejected, {"type": "request_second_review",
                                           "committee": "C2", "requested_on": day(0)},
            "regulatory")
