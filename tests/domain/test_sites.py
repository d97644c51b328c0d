"""Research sites: added before or after the approvals, activated once the study is approved and
the unit's documents are in, closed; a participant is registered and included only at an
active site. Recruitment plans: a positive target over a period that ends after it starts."""

from datetime import date

import pytest
from pydantic import TypeAdapter, ValidationError

from domain import AnyCommand, RuleViolation, view
from domain import commands as c
from domain.sites import SITE_REQUIREMENTS, SiteStatus
from domain.tracks import sites
from domain.views import tasks

from .helpers import day, run, study


def refused(code: str, state, command, role="coordinator"):  # type: ignore[no-untyped-def]
    with pytest.raises(RuleViolation) as err:
        run(state, command, role)
    assert err.value.code == code, err.value.message
    return err.value


def with_sites(*codes: str, active: bool = True):  # type: ignore[no-untyped-def]
    state = study("RIPH1")  # recruiting
    for code in codes:
        state, _ = run(state, {"type": "add_site", "site": code, "name": f"Hôpital {code}",
                               "investigator": f"Dr {code}"})
        if active:
            state, _ = run(state, {"type": "activate_site", "site": code,
                                   "activated_on": day(0)})
    return state


def test_a_site_may_be_added_before_the_approvals_but_activated_only_after_them():
    state = study("RIPH1", until="submit_to_ethics")
    state, events = run(state, {"type": "add_site", "site": "S01", "name": "Hôpital Nord",
                                "investigator": "Dr Nord"})
    assert [e.type for e in events] == ["SiteAdded"]
    assert state.sites["S01"].status is SiteStatus.added
    err = refused("study_not_approved", state,
                  {"type": "activate_site", "site": "S01", "activated_on": day(0)})
    assert "L1121-4" in err.message and "in_review" in err.message


def test_activation_needs_the_site_and_not_before_the_last_approval():
    state = with_sites("S01", active=False)
    refused("unknown_site", state, {"type": "activate_site", "site": "S09",
                                    "activated_on": day(0)})
    refused("date_out_of_order", state, {"type": "activate_site", "site": "S01",
                                         "activated_on": day(-10)})
    state, events = run(state, {"type": "activate_site", "site": "S01", "activated_on": day(0),
                                "agreement_signed_on": day(-5)})
    assert state.sites["S01"].status is SiteStatus.active
    assert state.sites["S01"].documents == {"agreement_signed_on": date.fromisoformat(day(-5))}
    refused("site_already_active", state, {"type": "activate_site", "site": "S01",
                                           "activated_on": day(0)})


def test_the_units_required_documents_block_the_activation_naming_them():
    state = with_sites("S01", active=False)
    strict = tuple(r.model_copy(update={"required": True}) for r in SITE_REQUIREMENTS)
    cmd = c.ActivateSite(type="activate_site", site="S01", activated_on=day(0))
    with pytest.raises(RuleViolation) as err:
        sites.activate_site(state, cmd, strict)
    assert err.value.code == "site_requirements_missing"
    assert "convention" in err.value.message and "L1121-16-1" in err.value.message
    complete = c.ActivateSite(type="activate_site", site="S01", activated_on=day(0),
                              agreement_signed_on=day(-3), initiation_visit_on=day(-1))
    [event] = sites.activate_site(state, complete, strict)
    assert set(event.documents) == {"agreement_signed_on", "initiation_visit_on"}  # type: ignore[attr-defined]
    # a document dated after the activation is not a document in hand at activation
    late = c.ActivateSite(type="activate_site", site="S01", activated_on=day(-1),
                          agreement_signed_on=day(0), initiation_visit_on=day(-1))
    with pytest.raises(RuleViolation):
        sites.activate_site(state, late, strict)


def test_a_participant_is_registered_only_at_an_active_site():
    state = with_sites("S01", active=False)
    err = refused("site_not_active", state,
                  {"type": "register_participant", "code": "P-0001", "site": "S01"})
    assert "activate_site" in err.message
    refused("unknown_site", state, {"type": "register_participant", "code": "P-0001",
                                    "site": "S07"})
    state, _ = run(state, {"type": "activate_site", "site": "S01", "activated_on": day(0)})
    state, events = run(state, {"type": "register_participant", "code": "P-0001",
                                "site": "S01"})
    assert events[0].site == "S01" and state.participants["P-0001"].site == "S01"


def test_a_closed_site_includes_no_one_after_its_closure():
    state = with_sites("S01")
    state, _ = run(state, {"type": "register_participant", "code": "P-0001", "site": "S01"})
    state, _ = run(state, {"type": "record_consent", "code": "P-0001", "kind": "written",
                           "consent_form_version": "1.0", "consented_on": day(0)}, "investigator")
    state, _ = run(state, {"type": "close_site", "site": "S01", "closed_on": day(0)})
    assert state.sites["S01"].status is SiteStatus.closed
    err = refused("site_closed", state,
                  {"type": "register_participant", "code": "P-0002", "site": "S01"})
    assert "closed" in err.message
    refused("site_closed", state, {"type": "close_site", "site": "S01", "closed_on": day(0)})
    # an inclusion recorded after the closure but dated on or before it was in time
    state, _ = run(state, {"type": "include", "code": "P-0001", "included_on": day(0)},
                   "investigator")
    assert state.participants["P-0001"].included_on is not None


def test_an_inclusion_dated_after_the_closure_is_refused():
    state = with_sites("S01")
    state, _ = run(state, {"type": "register_participant", "code": "P-0001", "site": "S01"})
    state, _ = run(state, {"type": "record_consent", "code": "P-0001", "kind": "written",
                           "consent_form_version": "1.0", "consented_on": day(0)}, "investigator")
    state, _ = run(state, {"type": "close_site", "site": "S01", "closed_on": day(0)})
    with pytest.raises(RuleViolation) as err:
        run(state, {"type": "include", "code": "P-0001", "included_on": day(1)},
            "investigator", today=date.fromisoformat(day(1)))
    assert err.value.code == "site_closed"


def test_a_closure_is_not_before_the_activation():
    state = with_sites("S01")
    refused("date_out_of_order", state, {"type": "close_site", "site": "S01",
                                         "closed_on": day(-1)})


def test_only_the_coordinator_manages_sites_and_plans():
    state = with_sites()
    for kind, body in (("add_site", {"site": "S02", "name": "N", "investigator": "I"}),
                       ("set_recruitment_plan", {"target": 5, "starts_on": day(0),
                                                 "ends_on": day(30)})):
        refused("role_not_allowed", state, {"type": kind, **body}, "investigator")


@pytest.mark.parametrize("target", [0, -3, "ten", 2.5, True, None])
def test_a_target_that_is_not_a_positive_integer_is_malformed(target):
    with pytest.raises(ValidationError):
        TypeAdapter(AnyCommand).validate_python({"type": "set_recruitment_plan",
                                                 "target": target, "starts_on": day(0),
                                                 "ends_on": day(10)})


@pytest.mark.parametrize("ends", [0, -1])
def test_a_period_that_ends_before_or_as_it_starts_is_malformed(ends):
    with pytest.raises(ValidationError, match="ends"):
        TypeAdapter(AnyCommand).validate_python({"type": "set_recruitment_plan", "target": 10,
                                                 "starts_on": day(0), "ends_on": day(ends)})


def test_plans_of_the_study_and_of_a_site_and_their_future_dates():
    state = with_sites("S01")
    # a plan's dates are expected, not facts: they may lie in the future
    state, _ = run(state, {"type": "set_recruitment_plan", "target": 40, "starts_on": day(0),
                           "ends_on": day(365)})
    state, _ = run(state, {"type": "set_recruitment_plan", "target": 15, "starts_on": day(0),
                           "ends_on": day(200), "site": "S01", "behind_percent": 30})
    assert state.recruitment_plan and state.recruitment_plan.target == 40
    assert state.recruitment_plan.behind_percent == 20
    assert state.sites["S01"].plan and state.sites["S01"].plan.behind_percent == 30
    refused("unknown_site", state, {"type": "set_recruitment_plan", "target": 5,
                                    "starts_on": day(0), "ends_on": day(9), "site": "S05"})
    shown = view(state)
    assert shown["recruitment_plan"]["target"] == 40
    assert [s["code"] for s in shown["sites"]] == ["S01"]


def test_the_sites_forms_are_offered_when_there_is_a_site_to_act_on():
    from domain.forms import available
    from domain.model import Role

    from .helpers import TODAY

    state = with_sites("S01", active=False)
    offered = available(state, Role.coordinator, TODAY)
    assert {"add_site", "activate_site", "close_site", "set_recruitment_plan"} <= set(offered)
    state, _ = run(state, {"type": "close_site", "site": "S01", "closed_on": day(0)})
    offered = available(state, Role.coordinator, TODAY)
    assert "activate_site" not in offered and "close_site" not in offered
    assert "add_site" not in available(state, Role.investigator, TODAY)


def test_no_task_without_a_plan():
    assert not [t for t in tasks(with_sites("S01")) if t.kind == "recruitment"]
