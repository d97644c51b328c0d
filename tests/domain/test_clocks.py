"""Every clock the domain opens runs the length of the deadline table, and `tick` does on each
day what the law says: remind, escalate, or decide in the authority's silence."""

from datetime import date, timedelta

import pytest

from domain import CLOCKS, StudyStatus
from domain.clocks import add_months, due_date
from domain.model import DeadlineStatus, Periods
from domain.regulation import REMINDER_DAYS_BEFORE

from .helpers import TODAY, advance, day, run, study


def after(n: int, months: int = 0) -> date:
    return add_months(TODAY, months) + timedelta(days=n)


def ethics_submitted(on: int = 0):
    state = study("RIPH1", until="submit_to_ethics")
    state, _ = run(state, {"type": "submit_to_ethics", "committee": "CPP A",
                           "submitted_on": day(on)}, "regulatory")
    return state


def test_cpp_completeness_and_opinion_clocks():
    d = ethics_submitted().deadlines
    completeness = CLOCKS["cpp_completeness"].days
    assert completeness == 10 and CLOCKS["cpp_opinion"].days == 45
    assert d["cpp_completeness"].due_on == after(completeness)
    # 45 days from the completeness notice, or from submitted_on + 10 while it is not recorded
    assert d["cpp_opinion"].due_on == after(completeness + CLOCKS["cpp_opinion"].days)


def test_a_recorded_completeness_notice_reanchors_the_opinion_clock():
    state = ethics_submitted(on=-6)
    state, _ = run(state, {"type": "record_ethics_completeness", "notified_on": day(-2)},
                   "regulatory")
    assert state.deadlines["cpp_completeness"].status is DeadlineStatus.met
    assert state.deadlines["cpp_opinion"].due_on == after(-2 + CLOCKS["cpp_opinion"].days)


def test_a_request_stops_the_clock_the_answer_restarts_it_with_60_days_in_all():
    state = ethics_submitted(on=-30)
    state, _ = run(state, {"type": "ethics_request_information", "requested_on": day(-20),
                           "questions": "Q"}, "regulatory")
    opinion = state.deadlines["cpp_opinion"]
    assert opinion.status is DeadlineStatus.stopped
    assert state.deadlines["sponsor_answer"].due_on == after(-20 + CLOCKS["sponsor_answer"].days)
    assert CLOCKS["sponsor_answer"].days == 12
    state, _ = advance(state, after(60))  # a stopped clock never fires
    assert state.deadlines["cpp_opinion"].status is DeadlineStatus.stopped
    state, _ = run(state, {"type": "ethics_information_supplied", "supplied_on": day(-8)},
                   "regulatory", today=TODAY)
    opinion = state.deadlines["cpp_opinion"]
    total = CLOCKS["cpp_opinion_with_request"].days
    assert total == 60 and opinion.stopped_days == 12
    assert opinion.due_on == after(-30 + 10 + total + 12)


def test_cpp_silence_the_day_after_the_due_date_is_an_unfavourable_opinion():
    state = ethics_submitted()
    due = state.deadlines["cpp_opinion"].due_on
    state, events = advance(state, due)
    assert state.ethics.opinion is None
    state, events = advance(state, due + timedelta(days=1))
    assert state.ethics.opinion == "unfavourable" and state.ethics.tacit
    assert state.status is StudyStatus.rejected
    assert state.deadlines["cpp_opinion"].status is DeadlineStatus.overdue
    assert [e.type for e in events][:2] == ["DeadlineMissed", "EthicsOpinionRecorded"]


def test_reminders_fall_on_due_minus_7_and_due_minus_1_and_only_the_latest_is_sent():
    assert REMINDER_DAYS_BEFORE == (7, 1)
    state = ethics_submitted()
    due = state.deadlines["cpp_opinion"].due_on
    state, events = advance(state, due - timedelta(days=8))
    assert not [e for e in events if getattr(e, "deadline", "") == "cpp_opinion"]
    state, events = advance(state, due - timedelta(days=7))
    assert [(e.deadline, e.days_before) for e in events if e.type == "DeadlineReminderDue"
            and e.deadline == "cpp_opinion"] == [("cpp_opinion", 7)]
    state2, events = advance(ethics_submitted(), due - timedelta(days=1))  # both past: one
    assert [e.days_before for e in events if e.type == "DeadlineReminderDue"
            and e.deadline == "cpp_opinion"] == [1]
    assert advance(state2, due - timedelta(days=1))[1] == []  # nothing twice


def test_ansm_silence_on_a_riph1_is_authorization_and_the_study_becomes_ready():
    state = study("RIPH1", until="record_ansm_decision")
    assert CLOCKS["ansm_authorization"].days == 60
    due = state.deadlines["ansm_authorization"].due_on
    assert due == after(-30 + 60)
    state, _ = advance(state, due + timedelta(days=1))
    assert state.ansm.decision == "authorized" and state.ansm.tacit
    assert state.deadlines["ansm_authorization"].status is DeadlineStatus.met
    assert state.status is StudyStatus.ready


def test_ansm_silence_for_an_express_authorization_product_is_refusal():
    state = study("RIPH1", until="submit_to_ansm")
    state, _ = run(state, {"type": "submit_to_ansm", "submitted_on": day(0),
                           "express_authorization": True}, "regulatory")
    state, _ = advance(state, state.deadlines["ansm_authorization"].due_on + timedelta(days=1))
    assert state.ansm.decision == "refused" and state.status is StudyStatus.rejected


def test_a_submission_recorded_50_days_late_is_overdue_at_once():
    state = ethics_submitted(on=-50)
    state, events = advance(state, TODAY)
    assert state.deadlines["cpp_completeness"].status is DeadlineStatus.overdue
    assert "DeadlineMissed" in [e.type for e in events]


@pytest.mark.parametrize(("clock", "days", "months"), [
    ("second_review_window", 0, 1), ("amendment_cpp", 45, 0), ("amendment_ansm", 35, 0),
    ("cpp_completion", 10, 0), ("cpp_completeness_recheck", 5, 0),
    ("amendment_cpp_with_request", 60, 0), ("amendment_ansm_express", 35, 0),
    ("susar_fatal", 0, 0), ("susar_fatal_v1", 7, 0), ("susar", 15, 0), ("susar_followup", 8, 0),
    ("sponsor_observations", 7, 0),
    ("urgent_measure_followup", 15, 0), ("annual_safety_report", 0, 12),
    ("end_declaration", 90, 0), ("end_declaration_early", 15, 0), ("results", 0, 12),
])
def test_deadline_table_figures(clock, days, months):
    assert (CLOCKS[clock].days, CLOCKS[clock].months) == (days, months)
    assert CLOCKS[clock].source.startswith("CSP")


@pytest.mark.parametrize(("clock", "days", "months", "article"), [
    ("ctr_validation", 10, 0, "art. 5(3)"), ("ctr_validation_answer", 10, 0, "art. 5(5)"),
    ("ctr_validation_recheck", 5, 0, "art. 5(5)"), ("ctr_assessment", 45, 0, "art. 6(4)"),
    ("ctr_assessment_with_request", 76, 0, "art. 6(8)"), ("ctr_sponsor_answer", 12, 0, "6(8)"),
    ("ctr_decision", 5, 0, "art. 8(1)"), ("ctr_notification", 15, 0, "art. 37"),
    ("ctr_halt", 15, 0, "art. 38(1)"), ("ctr_results", 0, 12, "art. 37(4)"),
    ("mdr_validation", 10, 0, "art. 70(1)"), ("mdr_authorization", 45, 0, "70(7)(b)"),
    ("mdr_authorization_extended", 65, 0, "70(7)(b)"), ("mdr_modification", 38, 0, "75(3)"),
    ("mdr_halt", 15, 0, "77(1)"), ("mdr_halt_safety", 1, 0, "77(1)"),
    ("mdr_report", 0, 12, "77(5)"), ("mdr_report_early", 0, 3, "77(5)"),
    ("mdr_validation_answer", 10, 0, "70(3)"), ("mdr_validation_recheck", 5, 0, "70(4)"),
    ("ctr_modification_assessment", 38, 0, "art. 17(2), 18"),
    ("ctr_modification_assessment_with_request", 69, 0, "art. 18"),
    ("ctr_modification_decision", 5, 0, "art. 19"), ("ctr_susar_fatal", 7, 0, "42(2)(a)"),
    ("ctr_susar", 15, 0, "42(2)(b)"),
])
def test_eu_framework_figures(clock, days, months, article):
    assert (CLOCKS[clock].days, CLOCKS[clock].months) == (days, months)
    assert CLOCKS[clock].source.startswith("Reg. ") and article in CLOCKS[clock].source


def test_every_framework_slot_names_a_clock_of_the_table():
    from domain.regulation import FRAMEWORK_CLOCKS, MET_BY

    for slots in FRAMEWORK_CLOCKS.values():
        for slot, clock in slots.items():
            assert clock is None or clock in CLOCKS, (slot, clock)
    assert set(MET_BY) == set(CLOCKS)  # every clock says which command meets it


def test_every_clock_has_a_legal_source_and_a_role():
    for clock in CLOCKS.values():
        assert clock.source and clock.role and clock.label


def test_amendment_clocks_and_tacit_ansm_authorization_at_35_days():
    state, events = run(study("RIPH1"), {"type": "submit_amendment", "substantial": True,
                                         "description": "d", "protocol_version": "2",
                                         "submitted_on": day(0)})
    assert state.deadlines["amendment.AM-1.cpp"].due_on == after(45)
    assert state.deadlines["amendment.AM-1.ansm"].due_on == after(35)
    state, _ = advance(state, after(36))
    assert state.amendments["AM-1"].ansm_decision == "authorized"
    state, _ = advance(state, after(46))  # CPP silence on the amendment: rejected
    assert state.amendments["AM-1"].status == "rejected" and state.protocol_version == "1.0"


def test_r1123_53_fatal_susar_is_due_the_day_it_is_known_and_others_in_15_days():
    state, _ = run(study("RIPH1"), {"type": "report_safety_event", "kind": "susar",
                                    "occurred_on": day(-1), "fatal_or_life_threatening": True},
                   "investigator")
    assert state.deadlines["safety.SE-1"].due_on == after(-1)  # "sans délai"
    state, events = advance(state, after(0))
    assert state.deadlines["safety.SE-1"].status is DeadlineStatus.overdue
    state, _ = run(study("RIPH1"), {"type": "report_safety_event", "kind": "susar",
                                    "occurred_on": day(0), "fatal_or_life_threatening": False},
                   "investigator")
    assert state.deadlines["safety.SE-1"].due_on == after(15)


def test_urgent_safety_measure_needs_a_substantial_amendment_within_15_days():
    state, _ = run(study("RIPH1"), {"type": "report_safety_event",
                                    "kind": "urgent_safety_measure", "occurred_on": day(0),
                                    "fatal_or_life_threatening": False}, "investigator")
    assert state.deadlines["safety.SE-1"].due_on == after(15)
    state, _ = run(state, {"type": "submit_amendment", "substantial": True, "description": "d",
                           "protocol_version": "2", "submitted_on": day(0)})
    assert state.deadlines["safety.SE-1"].status is DeadlineStatus.met


def test_annual_safety_report_falls_due_each_year_from_the_authorization():
    state = study("RIPH1")
    first = state.deadlines["annual_safety_report.1"]
    assert first.due_on == add_months(TODAY - timedelta(days=1), 12)
    state, _ = run(state, {"type": "submit_annual_safety_report", "submitted_on": day(0)},
                   "regulatory")
    assert state.deadlines["annual_safety_report.2"].due_on == add_months(first.due_on, 12)


def test_early_end_declaration_is_due_in_15_days():
    state, _ = run(study("RIPH1"), {"type": "declare_end", "ended_on": day(0), "early": True})
    assert state.deadlines["end_declaration"].due_on == after(15)


def test_add_months_clamps_to_the_month_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)


# --- EU periods: Reg. (EEC, Euratom) 1182/71 and the CTIS winter clock stop ------------------
def test_reg_1182_71_art_3_4_a_period_ending_on_a_weekend_or_holiday_ends_the_next_working_day():
    decision = CLOCKS["ctr_decision"]  # 5 days
    assert due_date(decision, date(2026, 3, 2), periods=Periods.eu) == date(2026, 3, 9)  # Sat→Mon
    assert due_date(decision, date(2026, 3, 4), periods=Periods.eu) == date(2026, 3, 9)  # Mon
    assert due_date(decision, date(2026, 3, 3), periods=Periods.eu) == date(2026, 3, 9)  # Sun
    # Easter Monday 2027 is 29 March: a period ending on Saturday 27 March ends on the 30th
    assert due_date(decision, date(2027, 3, 22), periods=Periods.eu) == date(2027, 3, 30)
    # 14 July 2027 (a Wednesday, the national day) moves to the 15th
    assert due_date(decision, date(2027, 7, 9), periods=Periods.eu) == date(2027, 7, 15)
    # the Code de la santé publique counts plain calendar days
    assert due_date(decision, date(2026, 3, 2)) == date(2026, 3, 7)


def test_ctis_winter_clock_stop_23_december_to_7_january_does_not_count():
    assessment = CLOCKS["ctr_assessment"]  # 45 days
    # validated 1 December 2026: days 1-21 run to 22 December, days 22-45 from 8 to 31 January
    # 2027, a Sunday: due Monday 1 February (without the stop: 15 January)
    assert due_date(assessment, date(2026, 12, 1), periods=Periods.eu_evaluation) == date(
        2027, 2, 1)
    assert due_date(assessment, date(2026, 12, 1), periods=Periods.eu) == date(2027, 1, 15)
    # a timer started inside the stop runs from 8 January
    decision = CLOCKS["ctr_decision"]
    assert due_date(decision, date(2026, 12, 28), periods=Periods.eu_evaluation) == date(
        2027, 1, 12)
    # safety reports and notices do not stop over winter (Periods.eu)
    assert {CLOCKS[c].periods for c in ("ctr_susar", "ctr_notification", "ctr_results")} == {
        Periods.eu}
    assert CLOCKS["ctr_assessment"].periods is Periods.eu_evaluation


def test_jarde_studies_count_plain_days_and_edition_1_ctr_studies_keep_them():
    ctr = study("RIPH1", until="record_ethics_completeness", framework="EU_CTR")
    assert ctr.deadlines["cpp_completeness"].periods is Periods.eu_evaluation
    assert study("RIPH1", until="record_ethics_completeness").deadlines[
        "cpp_completeness"].periods is Periods.calendar
    old = study("RIPH1", until="submit_to_ethics", framework="EU_CTR")
    old, _ = run(old.model_copy(update={"rules": 1}), {
        "type": "submit_to_ethics", "committee": "CPP A", "submitted_on": day(0)}, "regulatory")
    assert old.deadlines["cpp_completeness"].periods is Periods.calendar
