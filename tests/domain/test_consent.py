"""Consent collection as the law asks it (CSP L1122-1-1, L1122-1-3, L1122-2): the kind per
category, witnesses, minors and their parents, majority, emergencies, consent form versions."""

from datetime import date, timedelta

import pytest

from domain import RuleViolation, next_alarm_on
from domain.model import ParticipantStatus
from domain.regulation import CLOCKS, CONSENT_RULES

from .helpers import TODAY, advance, day, run, study

KIND = {c.value: r.kind.value for c, r in CONSENT_RULES.items()}


def refused(code: str, state, command: dict, role: str = "investigator") -> RuleViolation:
    with pytest.raises(RuleViolation) as e:
        run(state, command, role)
    assert e.value.code == code, e.value.message
    return e.value


def registered(category: str = "RIPH1", code: str = "P-0001", emergency_inclusion=False,
               **extra):
    state, _ = run(study(category, emergency_inclusion=emergency_inclusion),
                   {"type": "register_participant", "code": code, **extra}, "investigator")
    return state


def consent(state, code: str = "P-0001", **extra):
    body = {"type": "record_consent", "code": code, "kind": KIND[state.category.value],
            "consent_form_version": state.consent_form_version or "1", "consented_on": day(0),
            **extra}
    return body


def test_the_rule_table_names_its_sources():
    assert KIND == {"RIPH1": "written", "RIPH2": "express", "RIPH3": "non_opposition",
                    "NON_RIPH": "non_opposition"}
    assert all(r.source for r in CONSENT_RULES.values())
    assert CONSENT_RULES["RIPH1"].witness_if_unable_to_write
    assert not CONSENT_RULES["RIPH1"].one_holder_if_other_unavailable


def test_a_participant_unable_to_write_consents_before_a_witness():
    state = registered("RIPH1")
    err = refused("witness_required", state, consent(state, unable_to_write=True))
    assert "L1122-1-1" in err.message
    state, events = run(state, consent(state, unable_to_write=True, witnessed=True),
                        "investigator")
    assert state.participants["P-0001"].status is ParticipantStatus.consented and events[0].witnessed


def test_witnesses_belong_to_written_consent_only():
    state = registered("RIPH2")
    refused("witness_required", state, consent(state, unable_to_write=True, witnessed=True))


@pytest.mark.parametrize("category", ["RIPH1", "RIPH2", "RIPH3"])
def test_a_minor_needs_both_holders_of_parental_authority(category):
    state = registered(category, majority_on=day(3000))
    refused("minor_needs_holders", state, consent(state))
    refused("both_holders_required", state, consent(state, by="holders", holders=1))
    state, _ = run(state, consent(state, by="holders", holders=2), "investigator")
    assert state.participants["P-0001"].consent_by.value == "holders"


def test_a_sole_holder_consents_alone():
    state = registered("RIPH1", majority_on=day(3000))
    run(state, consent(state, by="holders", holders=1, holder_exception="sole_holder"),
        "investigator")


def test_one_holder_when_the_other_is_unavailable_only_for_minimal_risk_research():
    for category, allowed in (("RIPH1", False), ("RIPH2", True), ("RIPH3", True)):
        state = registered(category, majority_on=day(3000))
        body = consent(state, by="holders", holders=1,
                       holder_exception="other_holder_unavailable")
        if allowed:
            run(state, body, "investigator")
        else:
            refused("both_holders_required", state, body)


def test_an_adult_consents_in_their_own_name():
    state = registered("RIPH1")
    refused("not_a_minor", state, consent(state, by="holders", holders=2))
    refused("not_a_minor", study("RIPH1"), {"type": "register_participant", "code": "P-0001",
                                            "majority_on": day(-1)})


def test_at_majority_the_participant_must_consent_in_their_own_name():
    majority = TODAY + timedelta(days=30)
    state = registered("RIPH1", majority_on=majority.isoformat())
    state, _ = run(state, consent(state, by="holders", holders=2), "investigator")
    state, _ = run(state, {"type": "include", "code": "P-0001", "included_on": day(0)},
                   "investigator")
    assert next_alarm_on(state) <= majority
    state, events = advance(state, majority)
    assert [e.type for e in events] == ["ReconsentRequired"]
    p = state.participants["P-0001"]
    assert p.status is ParticipantStatus.needs_reconsent and p.reconsent_cause == "majority"
    assert advance(state, majority + timedelta(days=1))[1] == []  # once
    body = {"type": "reconsent", "code": "P-0001", "consent_form_version": "1.0",
            "consented_on": majority.isoformat()}
    state, _ = run(state, body, "investigator", today=majority)
    p = state.participants["P-0001"]
    assert p.status is ParticipantStatus.included and p.consent_by.value == "participant"
    later = advance(state, majority + timedelta(days=400))[1]
    assert "ReconsentRequired" not in [e.type for e in later]


def test_emergency_inclusion_needs_a_protocol_that_provides_for_it():
    refused("emergency_not_in_protocol", study("RIPH1"),
            {"type": "register_participant", "code": "P-0001", "emergency": True})


def test_a_relative_consents_only_at_an_emergency_inclusion():
    state = registered("RIPH1")
    refused("relative_consent_emergency_only", state, consent(state, by="relative"))


def test_after_an_emergency_inclusion_the_participant_consents_as_soon_as_possible():
    state = registered("RIPH1", emergency_inclusion=True, emergency=True)
    state, _ = run(state, consent(state, by="relative"), "investigator")
    state, _ = run(state, {"type": "include", "code": "P-0001", "included_on": day(0)},
                   "investigator")
    d = state.deadlines["deferred_consent.P-0001"]
    assert (d.due_on - TODAY).days == CLOCKS["deferred_consent"].days
    assert "L1122-1-3" in CLOCKS["deferred_consent"].source
    _, events = advance(state, d.due_on + timedelta(days=1))
    assert "DeadlineMissed" in [e.type for e in events]
    state, _ = run(state, consent(state, by="participant", consented_on=day(0)), "investigator")
    assert state.deadlines["deferred_consent.P-0001"].status.value == "met"
    assert state.participants["P-0001"].status is ParticipantStatus.included


def test_withdrawal_any_time_keeps_the_data_collected_before():
    state = registered("RIPH1")
    state, _ = run(state, consent(state), "investigator")
    state, _ = run(state, {"type": "close_recruitment"}, "coordinator")
    state, events = run(state, {"type": "withdraw_consent", "code": "P-0001",
                                "withdrawn_on": day(0)}, "investigator")
    assert events[0].data_kept_until == TODAY
    assert state.participants["P-0001"].status is ParticipantStatus.withdrawn
    state, _ = run(state, {"type": "object_to_data_use", "code": "P-0001"}, "investigator")
    assert state.participants["P-0001"].objected
    refused("already_objected", state, {"type": "object_to_data_use", "code": "P-0001"})


def test_a_major_form_version_asks_every_active_participant_again():
    state = study("RIPH1")
    for code in ("P-0001", "P-0002", "P-0003"):
        state, _ = run(state, {"type": "register_participant", "code": code}, "investigator")
    state, _ = run(state, {"type": "issue_consent_form", "version": "1.0.1", "change": "major",
                           "issued_on": day(0)}, "investigator")
    refused("consent_form_not_current", state, consent(state, consent_form_version="0.9"))
    for code in ("P-0001", "P-0002"):
        state, _ = run(state, consent(state, code), "investigator")
    state, _ = run(state, {"type": "include", "code": "P-0001", "included_on": day(0)},
                   "investigator")
    # a minor change: consents stay valid
    state, _ = run(state, {"type": "issue_consent_form", "version": "1.1", "change": "minor",
                           "issued_on": day(0)}, "investigator")
    assert state.participants["P-0002"].status is ParticipantStatus.consented
    state, _ = run(state, {"type": "include", "code": "P-0002", "included_on": day(0)},
                   "investigator")
    # a major one: both need re-consent, the one never consented is untouched
    state, _ = run(state, {"type": "issue_consent_form", "version": "2.0", "change": "major",
                           "issued_on": day(0)}, "investigator")
    ps = state.participants
    assert ps["P-0001"].status is ps["P-0002"].status is ParticipantStatus.needs_reconsent
    assert ps["P-0003"].status is ParticipantStatus.registered
    refused("consent_not_active", state, {"type": "complete", "code": "P-0001"})
    refused("consent_form_not_current", state, {
        "type": "reconsent", "code": "P-0001", "consent_form_version": "1.1",
        "consented_on": day(0)})
    state, _ = run(state, {"type": "reconsent", "code": "P-0001", "consent_form_version": "2.0",
                           "consented_on": day(0)}, "investigator")
    assert state.participants["P-0001"].status is ParticipantStatus.included
    run(state, {"type": "complete", "code": "P-0001"}, "investigator")


def test_inclusion_needs_a_consent_for_the_current_major_version():
    state = registered("RIPH2")
    refused("consent_required", state, {"type": "include", "code": "P-0001",
                                        "included_on": day(0)})
    state, _ = run(state, consent(state), "investigator")
    state, _ = run(state, {"type": "issue_consent_form", "version": "2.0", "change": "major",
                           "issued_on": day(0)}, "investigator")
    refused("consent_required", state, {"type": "include", "code": "P-0001",
                                        "included_on": day(0)})
    refused("same_consent_form_version", state, {
        "type": "issue_consent_form", "version": "2.0", "change": "minor", "issued_on": day(0)})


def test_registration_and_inclusion_only_while_recruiting():
    state = study("RIPH1", until="open_recruitment")
    refused("recruitment_not_open", state, {"type": "register_participant", "code": "P-0001"})
    assert date.fromisoformat(day(0)) == TODAY
