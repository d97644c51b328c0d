"""The forms a viewer is offered: the commands the catalogue lets their role send and the rules
accept now, started with plausible values."""

from datetime import timedelta

from domain.forms import available, participant_forms, probe
from domain.model import Role

from .helpers import TODAY, advance, day, run, study


def test_a_draft_study_offers_the_protocol_to_the_unit_and_nothing_to_an_auditor():
    draft, _ = run(None, {"type": "create_study", "title": "T", "category": "RIPH1",
                          "investigator": "I"})
    assert "submit_protocol" in available(draft, Role.investigator, TODAY)
    assert "submit_to_ethics" not in available(draft, Role.coordinator, TODAY)
    assert available(draft, Role.auditor, TODAY) == []
    assert available(draft, Role.admin, TODAY) == []


def test_offered_forms_follow_the_rules_of_the_moment():
    state = study("RIPH1", until="record_ethics_opinion")
    offered = available(state, Role.regulatory, TODAY)
    assert {"record_ethics_opinion", "ethics_request_information",
            "record_ansm_decision"} <= set(offered)
    assert "submit_to_ethics" not in offered  # already submitted
    assert "open_recruitment" not in available(state, Role.coordinator, TODAY)


def test_forms_come_in_the_contract_order():
    offered = available(study("RIPH1", until="record_ethics_opinion"), Role.coordinator, TODAY)
    assert offered.index("record_insurance") < offered.index("record_ethics_opinion") \
        < offered.index("record_cnil")


def test_a_form_refused_only_for_the_values_it_starts_with_is_still_offered():
    state = study("RIPH1", until="record_ethics_opinion")
    state, _ = run(state, {"type": "record_ethics_opinion", "opinion": "unfavourable",
                           "opinion_on": day(0)}, "regulatory")
    late = TODAY + timedelta(days=40)  # the one-month window has closed: the date is wrong,
    state, _ = advance(state, late)  # not the request itself
    assert "request_second_review" in available(state, Role.regulatory, late)


def test_probe_starts_a_form_with_plausible_values():
    state = study("RIPH3", until="record_cnil")
    cnil = probe(state, "record_cnil", TODAY)
    assert cnil == {"type": "record_cnil", "route": "MR-003", "reference": "-",
                    "requested_on": TODAY}
    opinion = probe(state, "record_ethics_opinion", TODAY)
    assert opinion["opinion"] == "favourable" and opinion["opinion_on"] == TODAY
    assert opinion["amendment_id"] is None
    assert probe(state, "report_safety_event", TODAY)["kind"] == "susar"


def test_an_opinion_form_points_at_the_pending_amendment_once_the_review_is_over():
    state, _ = run(study("RIPH1"), {"type": "submit_amendment", "substantial": True,
                                    "description": "d", "protocol_version": "2",
                                    "submitted_on": day(0)})
    assert probe(state, "record_ethics_opinion", TODAY)["amendment_id"] == "AM-1"
    assert probe(state, "record_ansm_decision", TODAY)["amendment_id"] == "AM-1"


def test_participant_forms_are_offered_while_the_study_runs_to_the_unit_only():
    assert participant_forms(study("RIPH1", until="open_recruitment"), Role.coordinator,
                             TODAY) == []
    state = study("RIPH2")
    forms = dict(participant_forms(state, Role.investigator, TODAY))
    assert {"register_participant", "record_consent", "withdraw_consent", "include"} <= set(forms)
    assert forms["record_consent"]["kind"] == "express"
    assert forms["record_consent"]["consented_on"] == TODAY
    assert participant_forms(state, Role.regulatory, TODAY) == []
