"""Legal time on the time-skipping server: a CPP submission typed late runs its reminders and
its expiry; the real opinion, dated in time but typed after the tacit rejection, supersedes it
and the study stands as if it had been recorded in time — state, deadlines, tasks and notices.
A batch of dated commands is judged once; a correction moves a clock."""

from datetime import timedelta
from typing import Any

import pytest

from api import engine
from domain import BatchRefused, RuleViolation
from workflows.models import BatchInput, BatchItem


def deadline(view: dict[str, Any], name: str) -> dict[str, Any]:
    return next(d for d in view["deadlines"] if d["name"] == name)


async def batch(harness, sid: str, commands: list[tuple[str, dict[str, Any]]]) -> Any:
    return await engine.send_batch(harness.client, sid, BatchInput(
        items=[BatchItem(command=c, role=r, reason="typed from the paper file")
               for r, c in commands], actor="alice", role="coordinator",
        idempotency_key=f"batch-{sid}"))


async def test_a_late_submission_expires_then_the_opinion_dated_in_time_supersedes_it(
        harness):
    sid = await harness.create()
    today = await harness.today()
    # everything but the CPP, and the submission typed 50 days after it was sent
    for role, command in [*harness.steps(until="submit_to_ethics", on=today - timedelta(50))]:
        await harness.send(sid, command, role)
    view = await harness.send(sid, {"type": "submit_to_ethics", "committee": "CPP Ouest IV",
                                    "submitted_on": (today - timedelta(50)).isoformat()},
                              "regulatory")
    assert deadline(view, "cpp_completeness")["status"] == "overdue"  # missed in legal time
    due = deadline(view, "cpp_opinion")["due_on"]
    await harness.skip(6)  # the reminders, then the CPP's silence: a tacit rejection
    view = await harness.query(sid)
    assert view["state"] == "rejected" and view["steps"]["ethics"]["tacit"]
    types = await harness.event_types(sid)
    assert "DeadlineReminderDue" in types and types.count("DeadlineMissed") == 2

    # the CPP's letter, dated before the due date, arrives by post and is typed now
    view = await harness.send(sid, {"type": "record_ethics_opinion", "opinion": "favourable",
                                    "opinion_on": (today - timedelta(2)).isoformat()},
                              "regulatory")
    assert view["state"] == "in_review"  # the ANSM's decision and the rest are still to come
    assert view["steps"]["ethics"]["status"] == "done" and not view["steps"]["ethics"]["tacit"]
    assert deadline(view, "cpp_opinion") | {"status": "met", "due_on": due} == deadline(
        view, "cpp_opinion")
    assert not [d for d in view["deadlines"] if d["name"] == "second_review_window"]
    assert not [t for t in view["tasks"] if t.get("deadline") == "cpp_opinion"]
    types = await harness.event_types(sid)
    assert types[-2:] == ["TacitOutcomeSuperseded", "EthicsOpinionRecorded"]
    assert "EthicsOpinionRecorded" in types[:-1]  # the tacit outcome stays in the record
    notices = [r["message"] for r in await harness.store.pool.fetch(
        "SELECT message FROM notifications WHERE study_id = $1 ORDER BY id", sid)]
    assert any("superseded" in m for m in notices)
    # what the record folds to is what the workflow holds
    assert (await harness.fold_record(sid))["state"] == "in_review"


async def test_an_opinion_dated_after_the_due_date_is_refused_naming_both_dates(harness):
    sid = await harness.create()
    today = await harness.today()
    for role, command in harness.steps(until="submit_to_ethics", on=today - timedelta(70)):
        await harness.send(sid, command, role)
    view = await harness.send(sid, {"type": "submit_to_ethics", "committee": "CPP Ouest IV",
                                    "submitted_on": (today - timedelta(70)).isoformat()},
                              "regulatory")
    due = deadline(view, "cpp_opinion")["due_on"]
    late = (today - timedelta(1)).isoformat()
    with pytest.raises(RuleViolation) as e:
        await harness.send(sid, {"type": "record_ethics_opinion", "opinion": "favourable",
                                 "opinion_on": late}, "regulatory")
    assert e.value.code == "tacit_outcome_in_force"
    assert due in e.value.message and late in e.value.message


async def test_a_history_sent_as_one_batch_is_judged_once(harness):
    sid = await harness.create()
    today = await harness.today()
    day0 = today - timedelta(120)
    walk = harness.steps(until="-", on=day0, completeness_on=day0 + timedelta(5),
                         opinion_on=day0 + timedelta(40), decision_on=day0 + timedelta(50),
                         opened_on=day0 + timedelta(55))
    # typed out of order: the opinion before the completeness notice it follows
    types = [command["type"] for _, command in walk]
    opinion = walk.pop(types.index("record_ethics_opinion"))
    walk.insert(types.index("submit_to_ethics") + 1, opinion)
    result = await batch(harness, sid, walk)
    assert result.study["state"] == "recruiting"
    assert {d["status"] for d in result.study["deadlines"]
            if d["name"] != "annual_safety_report.1"} == {"met"}
    assert "DeadlineMissed" not in await harness.event_types(sid)


async def test_a_refused_command_refuses_the_whole_batch(harness):
    sid = await harness.create()
    today = await harness.today()
    walk = harness.steps(until="-", on=today)
    bad = ("regulatory", {"type": "record_ansm_decision", "decision": "authorized",
                          "decision_on": (today + timedelta(3)).isoformat()})
    with pytest.raises(BatchRefused) as e:
        await batch(harness, sid, [*walk[:3], bad])
    assert e.value.index == 3 and e.value.code == "date_in_future"
    assert await harness.event_types(sid) == ["StudyCreated"]  # nothing of it written
