"""What staff see of a study, computed from its state alone: the JSON view, the inbox tasks and
the notifications each event calls for."""

from datetime import timedelta

from domain import notifications_for, project, tasks, view
from domain.model import Role

from .helpers import TODAY, advance, day, run, study


def test_the_view_of_a_recruiting_study_shows_every_required_step_done():
    shown = view(study("RIPH1"))
    assert shown["state"] == "recruiting" and shown["category"] == "RIPH1"
    assert {name: step["status"] for name, step in shown["steps"].items()} == dict.fromkeys(
        ["protocol", "sponsor", "insurance", "ethics", "cnil", "ansm"], "done")
    assert shown["steps"]["ethics"]["committee"] == "CPP A"
    assert not shown["overdue"] and shown["participants"] == {}


def test_the_view_marks_steps_a_category_does_not_need():
    steps = view(study("NON_RIPH"))["steps"]
    assert steps["ethics"]["status"] == steps["ansm"]["status"] == "not_required"
    assert steps["cnil"]["status"] == "done"


def test_the_view_lists_deadlines_in_order_with_their_clock_and_the_next_due_date():
    state = study("RIPH1", until="record_ethics_opinion")
    shown = view(state)
    names = [d["name"] for d in shown["deadlines"]]
    assert names[:2] == ["cpp_completeness", "ansm_authorization"]
    opinion = next(d for d in shown["deadlines"] if d["name"] == "cpp_opinion")
    assert opinion["clock"] == "cpp_opinion" and opinion["role"] == "regulatory"
    assert opinion["at_expiry"] == "tacit_rejection" and "R1123-23" in opinion["source"]
    assert shown["next_due_on"] == min(d.due_on for d in state.deadlines.values()
                                       if d.status.value == "open")


def test_the_view_counts_participants_by_status():
    state, _ = run(study("RIPH2"), {"type": "register_participant", "code": "P-1"},
                   "investigator")
    state, _ = run(state, {"type": "register_participant", "code": "P-2"}, "investigator")
    state, _ = run(state, {"type": "withdraw_consent", "code": "P-2", "withdrawn_on": day(0)},
                   "investigator")
    assert view(state)["participants"] == {"registered": 1, "withdrawn": 1}


def test_project_rebuilds_the_read_models_from_the_recorded_events():
    state, history = None, []
    for command, role in [
        ({"type": "create_study", "title": "T", "category": "RIPH2", "investigator": "I"},
         "coordinator"),
        ({"type": "submit_protocol", "version": "1", "document_sha256": "ab" * 32}, "investigator"),
    ]:
        state, events = run(state, command, role)
        history += events
    shown, participants = project((e.type, e.payload()) for e in history)
    assert shown == view(state) and participants == []


def test_a_waiting_deadline_is_a_task_for_the_clock_role_naming_the_command_that_meets_it():
    state = study("RIPH1", until="record_ethics_opinion")
    by_deadline = {t.deadline: t for t in tasks(state)}
    cpp = by_deadline["cpp_opinion"]
    assert cpp.role is Role.regulatory and cpp.command == "record_ethics_opinion"
    assert cpp.title.startswith("CPP opinion: due ")
    assert by_deadline["ansm_authorization"].command == "record_ansm_decision"


def test_overdue_tasks_come_first():
    state = study("RIPH1", until="record_ethics_opinion")
    state, _ = advance(state, TODAY + timedelta(days=20))  # the completeness notice is late
    listed = tasks(state)
    assert listed[0].overdue and listed[0].deadline == "cpp_completeness"
    assert not any(t.overdue for t in listed[1:])


def test_a_ready_study_asks_the_coordinator_to_open_recruitment():
    listed = tasks(study("RIPH2", until="open_recruitment"))
    # and, under a reference methodology, to enter the research in the processing register
    assert {(t.role, t.command) for t in listed if t.kind == "action"} == {
        (Role.coordinator, "open_recruitment"), (Role.coordinator, "record_processing_register")}


def test_a_reminder_is_a_routine_notification_to_the_clock_role():
    state = study("RIPH1", until="record_ethics_opinion")
    due = state.deadlines["cpp_completeness"].due_on
    after, events = advance(state, due - timedelta(days=1))
    sent = notifications_for(after, events)
    reminder = next(n for n in sent if n.deadline == "cpp_completeness")
    assert reminder.kind == "reminder" and not reminder.urgent
    assert reminder.role is Role.regulatory and "(1 day left)" in reminder.message


def test_a_missed_deadline_escalates_to_its_role_and_the_coordinator():
    state = study("RIPH1", until="record_ethics_opinion")
    due = state.deadlines["cpp_completeness"].due_on
    after, events = advance(state, due + timedelta(days=1))
    escalations = [n for n in notifications_for(after, events) if n.kind == "escalation"]
    assert {n.role for n in escalations} == {Role.regulatory, Role.coordinator}
    assert all(n.urgent and "CSP R1123-23 I" in n.message for n in escalations)


def test_cpp_silence_is_an_urgent_decision_for_three_roles():
    state = study("RIPH1", until="record_ethics_opinion")
    after, events = advance(state, state.deadlines["cpp_opinion"].due_on + timedelta(days=1))
    decisions = [n for n in notifications_for(after, events) if n.kind == "decision"
                 and "CPP silence" in n.message]
    assert {n.role for n in decisions} == {Role.coordinator, Role.regulatory, Role.investigator}
    assert all(n.urgent for n in decisions)


def test_a_fatal_susar_is_an_urgent_escalation_for_regulatory_affairs():
    state, events = run(study("RIPH1"), {"type": "report_safety_event", "kind": "susar",
                                         "occurred_on": day(0), "fatal_or_life_threatening": True},
                        "investigator")
    [sent] = notifications_for(state, events)
    assert sent.role is Role.regulatory and sent.urgent and sent.deadline == "safety.SE-1"
    assert "declare without delay" in sent.message


def test_a_study_becoming_ready_is_announced_to_the_unit():
    state = study("RIPH2", until="record_cnil")
    state, events = run(state, {"type": "record_cnil", "route": "MR-001", "reference": "R"})
    sent = notifications_for(state, events)
    assert {n.role for n in sent} == {Role.coordinator, Role.investigator}
    assert all("now ready" in n.message and not n.urgent for n in sent)
