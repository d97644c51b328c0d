"""A study's run continues as new past HISTORY_LIMIT history events (300: what a study evicted
from the worker's cache replays at most, bench/replay.py), with no limit given at its start:
its state and legal clocks carry over to the new run, and a command retried with the same
Idempotency-Key after the renewal gets the first answer, not a second write."""

from stack.runner import Stack
from workflows.study import HISTORY_LIMIT


async def test_a_study_continues_as_new_and_keeps_state_clocks_and_keys(api, stack: Stack):
    sid = await api.create()
    await api.walk(sid)
    handle = stack.client.get_workflow_handle(sid)
    first_run = (await handle.describe()).run_id
    clocks = (await api.get(f"/api/studies/{sid}")).json()["deadlines"]
    answers, run = {}, first_run
    while run == first_run:
        n = len(answers) + 1
        assert n <= 60, "no renewal in 60 commands"
        r = await api.post(f"/api/studies/{sid}/participants",
                           {"type": "register_participant", "code": f"P-{n:04d}",
                            "reason": "visit"}, "investigator", **{"Idempotency-Key": f"r{n}"})
        assert r.status_code == 201, r.text
        answers[f"r{n}"] = r.json()
        run = (await handle.describe()).run_id

    first = stack.client.get_workflow_handle(sid, run_id=first_run)
    assert len((await first.fetch_history()).events) < HISTORY_LIMIT + 40
    study = (await api.get(f"/api/studies/{sid}")).json()
    assert study["state"] == "recruiting"
    assert study["participants"] == {"registered": len(answers)}
    assert study["deadlines"] == clocks  # the legal clocks, carried as they were

    again = await api.post(f"/api/studies/{sid}/participants",
                           {"type": "register_participant", "code": "P-0001", "reason": "visit"},
                           "investigator", **{"Idempotency-Key": "r1"})
    assert (again.status_code, again.json()) == (201, answers["r1"])
    events = (await api.get(f"/api/studies/{sid}/events")).json()
    assert sum(e["type"] == "ParticipantRegistered" for e in events) == len(answers)

    r = await api.post(f"/api/studies/{sid}/participants",  # the new run decides as before
                       {"type": "register_participant", "code": "P-0001", "reason": "visit"},
                       "investigator", **{"Idempotency-Key": "r-new"})
    assert r.status_code == 409 and "participant" in r.text
