"""The study workflow honours the deadline table: clocks fire on the right day, stop and restart
when the law says, and silence has the meaning the law gives it."""

from datetime import UTC, datetime, time, timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError

from domain import CLOCKS, RuleViolation
from domain.regulation import REMINDER_DAYS_BEFORE, legal_day


def deadline(view: dict, name: str) -> dict:
    return next(d for d in view["deadlines"] if d["name"] == name)


async def test_riph1_study_walks_to_recruiting_and_every_event_is_stored(harness):
    sid = await harness.create()
    today = await harness.today()
    view = await harness.walk(sid, until="-", on=today)
    assert view["state"] == "recruiting"
    assert all(s["status"] == "done" for s in view["steps"].values())
    types = await harness.event_types(sid)
    assert types[0] == "StudyCreated" and types[-1] == "StudyStatusChanged"
    assert view["version"] == len(types)
    assert (await harness.store.verify()).ok


async def test_refused_command_answers_with_the_rule_and_never_enters_history(harness):
    sid = await harness.create()
    with pytest.raises(RuleViolation) as refused:
        await harness.send(sid, {"type": "submit_to_ethics", "committee": "CPP",
                                 "submitted_on": (await harness.today()).isoformat()})
    assert refused.value.code == "protocol_required"
    history = await harness.client.get_workflow_handle(sid).fetch_history()
    accepted = [e for e in history.events if e.HasField("workflow_execution_update_accepted_event_attributes")]
    assert len(accepted) == 1  # the creation only
    assert await harness.event_types(sid) == ["StudyCreated"]


async def test_cpp_silence_is_a_tacit_unfavourable_opinion_the_day_after_the_45_days(harness):
    sid = await harness.create()
    today = await harness.today()
    await harness.walk(sid, until="submit_to_ansm", on=today)
    completeness = CLOCKS["cpp_completeness"].days
    opinion_days = CLOCKS["cpp_opinion"].days
    due = today + timedelta(days=completeness + opinion_days)
    await harness.skip((due - today).days)  # still the due day: nothing yet
    view = await harness.query(sid)
    assert view["steps"]["ethics"]["status"] == "in_progress"
    await harness.skip(1.1)
    view = await harness.query(sid)
    assert view["state"] == "rejected"
    assert view["steps"]["ethics"] == {**view["steps"]["ethics"], "status": "rejected",
                                       "tacit": True, "opinion_on": due.isoformat()}
    assert deadline(view, "cpp_opinion")["status"] == "overdue"
    assert deadline(view, "second_review_window")["status"] == "open"
    events = await harness.store.read_stream(sid)
    tacit = [e for e in events if e.type == "EthicsOpinionRecorded"]
    assert tacit[0].data["tacit"] is True and tacit[0].actor == "studyflow-clock"


async def test_information_request_stops_the_cpp_clock_and_the_answer_restarts_it(harness):
    sid = await harness.create()
    day0 = await harness.today()
    await harness.walk(sid, until="submit_to_ansm", on=day0)
    await harness.skip(5)
    await harness.send(sid, {"type": "ethics_request_information",
                             "requested_on": (day0 + timedelta(days=5)).isoformat(),
                             "questions": "Please detail the randomisation."})
    await harness.skip(70)  # longer than any CPP clock: a stopped clock never fires
    view = await harness.query(sid)
    assert deadline(view, "cpp_opinion")["status"] == "stopped"
    assert view["state"] == "in_review"
    assert deadline(view, "sponsor_answer")["status"] == "overdue"  # 12 days, escalated
    supplied = day0 + timedelta(days=75)
    view = await harness.send(sid, {"type": "ethics_information_supplied",
                                    "supplied_on": supplied.isoformat()})
    opinion = deadline(view, "cpp_opinion")
    total = CLOCKS["cpp_opinion_with_request"].days
    start = day0 + timedelta(days=CLOCKS["cpp_completeness"].days)
    assert opinion["status"] == "open" and opinion["stopped_days"] == 70
    assert opinion["due_on"] == (start + timedelta(days=total + 70)).isoformat()


async def test_reminders_fall_7_days_and_1_day_before_and_reach_the_inbox(harness):
    # the half-day steps below assume a morning: earlier tests leave the shared test server's
    # clock at any hour, so start from 01:00 UTC of the next day
    now = await harness.env.get_current_time()
    await harness.skip((datetime.combine(now.date() + timedelta(days=1), time(1), tzinfo=UTC)
                        - now) / timedelta(days=1))
    sid = await harness.create()
    day0 = await harness.today()
    await harness.walk(sid, until="record_ethics_opinion", on=day0)
    due = day0 + timedelta(days=CLOCKS["ansm_authorization"].days)
    first, second = sorted(REMINDER_DAYS_BEFORE, reverse=True)

    async def ansm_reminders() -> list:
        return [e for e in await harness.store.read_stream(sid)
                if e.type == "DeadlineReminderDue" and e.data["deadline"] == "ansm_authorization"]

    await harness.skip((due - day0).days - first - 0.5)
    assert await ansm_reminders() == []
    await harness.skip(1)
    reminders = await ansm_reminders()
    assert [r.data["days_before"] for r in reminders] == [first]
    # at 00:00 Paris time on that day (legal days are Paris days)
    assert legal_day(reminders[0].recorded_at) == due - timedelta(days=first)
    await harness.skip(first - second)
    reminders = await ansm_reminders()
    assert [r.data["days_before"] for r in reminders] == [first, second]
    tasks = await harness.store.pool.fetch("SELECT role FROM tasks WHERE study_id = $1", sid)
    assert "regulatory" in {t["role"] for t in tasks}
    notes = await harness.store.pool.fetch(
        "SELECT kind FROM notifications WHERE study_id = $1", sid)
    assert [n["kind"] for n in notes].count("reminder") >= 2


async def test_ansm_silence_on_a_riph1_is_a_tacit_authorization(harness):
    sid = await harness.create()
    day0 = await harness.today()
    await harness.walk(sid, until="record_ansm_decision", on=day0)
    await harness.skip(CLOCKS["ansm_authorization"].days + 1.1)
    view = await harness.query(sid)
    assert view["steps"]["ansm"]["status"] == "done" and view["steps"]["ansm"]["tacit"] is True
    assert deadline(view, "ansm_authorization")["status"] == "met"
    assert view["state"] == "ready"


async def test_a_submission_recorded_50_days_late_is_overdue_at_once(harness):
    sid = await harness.create()
    late = (await harness.today()) - timedelta(days=50)
    await harness.walk(sid, until="submit_to_ethics", on=late)
    view = await harness.send(sid, {"type": "submit_to_ethics", "committee": "CPP Est",
                                    "submitted_on": late.isoformat()}, "regulatory")
    assert view["overdue"] is True
    assert deadline(view, "cpp_completeness")["status"] == "overdue"
    row = await harness.store.pool.fetchrow("SELECT overdue FROM studies WHERE id = $1", sid)
    assert row["overdue"] is True
    missed = [e for e in await harness.store.read_stream(sid) if e.type == "DeadlineMissed"]
    assert [(e.actor, e.reason) for e in missed] == [("studyflow-clock", "legal clock")]


async def test_the_same_update_id_takes_effect_once(harness):
    from api import engine

    sid = await harness.create()
    cmd = {"type": "assign_sponsor", "sponsor": "AP-HP"}
    first = await engine.send_command(harness.client, sid, cmd, "alice", "coordinator", "r",
                                      idempotency_key="same-key")
    second = await engine.send_command(harness.client, sid, cmd, "alice", "coordinator", "r",
                                       idempotency_key="same-key")
    assert first.seqs == second.seqs
    assert (await harness.event_types(sid)).count("SponsorAssigned") == 1


async def test_unknown_study_is_not_found(harness):
    from api import engine

    with pytest.raises(engine.StudyNotFound):
        await engine.send_command(harness.client, "study-nope", {"type": "suspend"}, "a",
                                  "coordinator", "r")
    _ = WorkflowUpdateFailedError
