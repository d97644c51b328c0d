"""Legal time, not typing time: clocks judged on the facts' legal dates, tacit outcomes giving
way to facts dated in time, batches judged once, corrections folded in."""

from datetime import timedelta
from typing import Any

import pytest
from pydantic import TypeAdapter

from domain import Actor, AnyCommand, BatchRefused, RuleViolation, decide_batch, fold
from domain.model import DeadlineStatus, Role, StudyStatus
from domain.state import StudyState

from .helpers import TODAY, advance, day, run, study

_PARSE: TypeAdapter[Any] = TypeAdapter(AnyCommand)


def submitted(days_ago: int, until: str = "submit_to_ethics") -> StudyState:
    """A RIPH1 study whose CPP submission, dated `days_ago`, is typed today; the clocks run."""
    state, _ = run(study("RIPH1", until=until),
                   {"type": "submit_to_ethics", "committee": "CPP Ouest", "submitted_on":
                    day(-days_ago)}, "regulatory")
    state, _ = advance(state, TODAY)
    return state


def refused(code: str, state: StudyState, command: dict[str, Any], role: str = "regulatory"
            ) -> RuleViolation:
    with pytest.raises(RuleViolation) as e:
        run(state, command, role)
    assert e.value.code == code, e.value.message
    return e.value


# --- clocks judged in legal time ----------------------------------------------------------------
def test_a_clock_closed_by_a_fact_dated_before_its_due_date_is_met_though_typed_late():
    state = submitted(40)
    assert state.deadlines["cpp_completeness"].status is DeadlineStatus.overdue
    state, _ = run(state, {"type": "ethics_request_information", "requested_on": day(-32),
                           "questions": "Q"}, "regulatory")
    assert state.deadlines["cpp_completeness"].status is DeadlineStatus.met


def test_a_fact_dated_after_the_due_date_leaves_the_clock_missed():
    state = submitted(40)
    state, _ = run(state, {"type": "record_ethics_completeness", "notified_on": day(-20)},
                   "regulatory")
    completeness = state.deadlines["cpp_completeness"]
    assert completeness.status is DeadlineStatus.overdue and completeness.closed_on


# --- tacit outcomes give way to facts dated in time ---------------------------------------------
def test_the_real_opinion_dated_in_time_supersedes_the_tacit_rejection():
    state = submitted(70, until="submit_to_ethics")
    assert state.status is StudyStatus.rejected and state.ethics.tacit
    assert "second_review_window" in state.deadlines
    state, events = run(state, {"type": "record_ethics_opinion", "opinion": "favourable",
                                "opinion_on": day(-30)}, "regulatory")
    superseded = events[0]
    assert superseded.type == "TacitOutcomeSuperseded"
    assert superseded.deadline == "cpp_opinion" and superseded.consequence == "tacit_rejection"
    assert state.ethics.opinion == "favourable" and not state.ethics.tacit
    assert state.status is StudyStatus.in_review  # the ANSM and the CNIL still to come
    assert state.deadlines["cpp_opinion"].status is DeadlineStatus.met
    assert "second_review_window" not in state.deadlines  # opened by the tacit rejection only


def test_an_opinion_dated_after_the_due_date_leaves_the_tacit_rejection_in_force():
    state = submitted(70)
    due = state.deadlines["cpp_opinion"].due_on
    error = refused("tacit_outcome_in_force", state,
                    {"type": "record_ethics_opinion", "opinion": "favourable",
                     "opinion_on": (due + timedelta(days=1)).isoformat()})
    assert str(due) in error.message and str(due + timedelta(days=1)) in error.message


def test_superseding_then_folding_the_events_again_gives_the_same_study():
    state = submitted(70)
    after, events = run(state, {"type": "record_ethics_opinion", "opinion": "favourable",
                                "opinion_on": day(-30)}, "regulatory")
    assert fold(state, events) == after


def test_a_tacit_rejection_the_sponsor_acted_on_is_no_longer_superseded():
    state = submitted(70)
    state, _ = run(state, {"type": "request_second_review", "committee": "CPP Sud",
                           "requested_on": day(0)}, "regulatory")
    refused("tacit_outcome_acted_upon", state, {"type": "record_ethics_opinion",
                                                "opinion": "favourable", "opinion_on": day(-30)})


def test_the_ansm_decision_dated_in_time_supersedes_its_tacit_authorization():
    state, _ = run(study("RIPH1", until="submit_to_ansm"),
                   {"type": "submit_to_ansm", "submitted_on": day(-70)}, "regulatory")
    state, _ = advance(state, TODAY)
    assert state.ansm.tacit and state.ansm.decision == "authorized"
    state, events = run(state, {"type": "record_ansm_decision", "decision": "authorized",
                                "decision_on": day(-15)}, "regulatory")
    assert [e.type for e in events][:2] == ["TacitOutcomeSuperseded", "AnsmDecisionRecorded"]
    assert not state.ansm.tacit and state.ansm.decision_on.isoformat() == day(-15)
    # the yearly safety report runs from the real decision (R1123-61)
    assert state.deadlines["annual_safety_report.1"].starts_on.isoformat() == day(-15)


# --- a batch of dated facts is judged once ------------------------------------------------------
def _batch(state: StudyState | None, commands: list[tuple[str, dict[str, Any]]]):
    return decide_batch(state, [(_PARSE.validate_python(c), Actor(name="t", role=Role(r)))
                                for r, c in commands], TODAY, "study-t")


def test_a_batch_is_applied_in_legal_date_order_and_produces_no_disproved_expiry():
    state, decided = _batch(study("RIPH1", until="submit_to_ethics"), [
        ("regulatory", {"type": "record_ethics_opinion", "opinion": "favourable",
                        "opinion_on": day(-30)}),
        ("regulatory", {"type": "submit_to_ethics", "committee": "CPP Ouest",
                        "submitted_on": day(-70)}),
        ("regulatory", {"type": "record_ethics_completeness", "notified_on": day(-65)}),
    ])
    assert [index for index, _ in decided] == [1, 2, 0]
    assert state is not None and state.ethics.opinion == "favourable"
    assert {d.status for d in state.deadlines.values()} == {DeadlineStatus.met}
    types = [e.type for _, events in decided for e in events]
    assert "DeadlineMissed" not in types


def test_a_refused_command_refuses_the_whole_batch_naming_its_index():
    with pytest.raises(BatchRefused) as e:
        _batch(study("RIPH1", until="submit_to_ethics"), [
            ("regulatory", {"type": "submit_to_ethics", "committee": "C",
                            "submitted_on": day(-10)}),
            ("regulatory", {"type": "record_ethics_opinion", "opinion": "favourable",
                            "opinion_on": day(-12)}),
        ])
    # in legal-date order the opinion comes before any submission
    assert e.value.index == 1 and e.value.code == "ethics_not_submitted"


# --- corrections --------------------------------------------------------------------------------
def fact(state: StudyState, event_type: str) -> Any:
    return next(f for f in reversed(state.facts) if f.type == event_type)


def correction(state: StudyState, event_type: str, changes: dict[str, Any],
               recorded_by: str = "regulatory") -> dict[str, Any]:
    """The `correct` command as the API sends it, the fact read from the record."""
    f = fact(state, event_type)
    return {"type": "correct", "seq": 100 + f.version, "changes": changes, "version": f.version,
            "recorded_by": recorded_by, "original_type": f.type, "original": f.data}


def test_a_corrected_submission_date_moves_its_due_dates_and_keeps_the_original():
    state = submitted(5)
    due = state.deadlines["cpp_opinion"].due_on
    state, events = run(state, correction(state, "EthicsSubmitted",
                                          {"submitted_on": day(-3)}), "regulatory")
    assert events[0].type == "FactCorrected"
    assert events[0].previous == {"submitted_on": day(-5)}
    assert state.ethics.submitted_on.isoformat() == day(-3)
    assert state.deadlines["cpp_opinion"].due_on == due + timedelta(days=2)
    assert fact(state, "EthicsSubmitted").data["submitted_on"] == day(-5)  # nothing rewritten


def test_a_corrected_date_that_puts_a_clock_past_due_lets_the_clock_expire():
    state = submitted(5)
    state, _ = run(state, correction(state, "EthicsSubmitted", {"submitted_on": day(-70)}),
                   "regulatory")
    state, events = advance(state, TODAY)
    assert "DeadlineMissed" in [e.type for e in events]
    assert state.status is StudyStatus.rejected and state.ethics.tacit


def test_a_corrected_opinion_changes_the_outcome_while_the_study_has_not_acted_on_it():
    state = submitted(20)
    state, _ = run(state, {"type": "record_ethics_opinion", "opinion": "favourable",
                           "opinion_on": day(-2)}, "regulatory")
    state, _ = run(state, correction(state, "EthicsOpinionRecorded",
                                     {"opinion": "unfavourable"}), "regulatory")
    assert state.ethics.opinion == "unfavourable" and state.status is StudyStatus.rejected


def test_a_correction_that_makes_the_history_impossible_is_refused():
    state = submitted(20)
    state, _ = run(state, {"type": "record_ethics_opinion", "opinion": "favourable",
                           "opinion_on": day(-2)}, "regulatory")
    error = refused("date_out_of_order", state, correction(
        state, "EthicsOpinionRecorded", {"opinion_on": day(-25)}))
    assert "the opinion" in error.message and "the submission" in error.message


@pytest.mark.parametrize(("role", "code"), [("coordinator", "role_not_allowed"),
                                            ("admin", None)])
def test_only_the_role_that_recorded_a_fact_or_an_admin_corrects_it(role, code):
    state = submitted(5)
    command = correction(state, "EthicsSubmitted", {"submitted_on": day(-4)})
    if code:
        refused(code, state, command, role)
    else:
        run(state, command, role)


@pytest.mark.parametrize(("event_type", "changes", "code"), [
    ("DeadlineMissed", {"due_on": "2026-01-01"}, "fact_not_correctable"),
    ("EthicsSubmitted", {"committee_name": "X"}, "field_not_correctable"),
    ("EthicsSubmitted", {"submitted_on": "2099-01-01"}, "date_in_future"),
    ("EthicsSubmitted", {"submitted_on": "not a date"}, "invalid_correction"),
])
def test_what_cannot_be_corrected_is_refused_naming_the_rule(event_type, changes, code):
    state = submitted(20)
    refused(code, state, correction(state, event_type, changes))


def test_a_tacit_outcome_is_superseded_not_corrected():
    state = submitted(70)
    refused("fact_not_correctable", state, correction(state, "EthicsOpinionRecorded",
                                                      {"opinion": "favourable"}))


def test_a_consent_dated_before_recruitment_opened_is_refused():
    state, _ = run(study("RIPH1"), {"type": "register_participant", "code": "P-0001"},
                   "investigator")
    assert state.recruitment_opened_on is not None
    refused("date_out_of_order", state, {"type": "record_consent", "code": "P-0001",
                                         "kind": "written", "consent_form_version": "1.0",
                                         "consented_on": day(-10)}, "investigator")


def test_a_participant_consent_date_is_corrected_on_the_participant():
    state, _ = run(study("RIPH1", until="open_recruitment"),
                   {"type": "open_recruitment", "opened_on": day(-1)})
    state, _ = run(state, {"type": "register_participant", "code": "P-0001"}, "investigator")
    state, events = run(state, {"type": "record_consent", "code": "P-0001", "kind": "written",
                                "consent_form_version": "1.0", "consented_on": day(0)},
                        "investigator")
    original = events[0].payload()
    state, _ = run(state, {"type": "correct", "seq": 99, "changes": {"consented_on": day(-1)},
                           "version": state.version, "recorded_by": "investigator",
                           "original_type": "ConsentRecorded", "original": original},
                   "investigator")
    assert state.participants["P-0001"].consented_on.isoformat() == day(-1)


def test_a_second_correction_names_the_value_the_first_left():
    state = submitted(5)
    state, _ = run(state, correction(state, "EthicsSubmitted", {"submitted_on": day(-4)}),
                   "regulatory")
    state, events = run(state, correction(state, "EthicsSubmitted", {"submitted_on": day(-3)}),
                        "regulatory")
    assert events[0].previous == {"submitted_on": day(-4)}
    assert state.ethics.submitted_on.isoformat() == day(-3)
