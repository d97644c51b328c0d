"""Legal time over HTTP on the real stack: both times on every event, corrections by audit
seq, batches judged once, imports keyed by the unit's reference — every status code."""

import json
import re
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

import scenarios
import wallclock
from api import commands, engine
from api.history import import_study_id
from domain.regulation import legal_day
from store import ReadModels
from tests.days import days_ago, today
from workflows.models import BatchInput, BatchItem

from .conftest import signed_in

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"


async def events(api, sid: str) -> list[dict]:
    r = await api.get(f"/api/studies/{sid}/events")
    assert r.status_code == 200
    return r.json()


def deadline(study: dict, name: str) -> dict:
    return next(d for d in study["deadlines"] if d["name"] == name)


async def test_every_event_shows_its_legal_date_beside_its_recorded_time(api):
    sid = await api.create()
    await api.walk(sid, until="submit_to_ethics")
    r = await api.command(sid, "submit_to_ethics", "regulatory", committee="CPP Est",
                          submitted_on=days_ago(3))
    assert r.status_code == 200
    rows = await events(api, sid)
    submitted = next(e for e in rows if e["type"] == "EthicsSubmitted")
    assert submitted["effective_on"] == days_ago(3)
    assert submitted["at"].startswith(days_ago(0)) and submitted["at"].endswith("+00:00")
    assert next(e for e in rows if e["type"] == "SponsorAssigned")["effective_on"] is None


async def test_a_correction_names_the_fact_by_seq_and_moves_its_clocks(api):
    sid = await api.create()
    await api.walk(sid, until="submit_to_ethics")
    r = await api.command(sid, "submit_to_ethics", "regulatory", committee="CPP Est",
                          submitted_on=days_ago(5))
    due = deadline(r.json(), "cpp_opinion")["due_on"]
    seq = next(e["seq"] for e in await events(api, sid) if e["type"] == "EthicsSubmitted")
    r = await api.command(sid, "correct", "regulatory", seq=seq,
                          changes={"submitted_on": days_ago(4)})
    assert r.status_code == 200, r.text
    assert deadline(r.json(), "cpp_opinion")["due_on"] > due
    rows = await events(api, sid)
    original = next(e for e in rows if e["seq"] == seq)
    assert original["data"]["submitted_on"] == days_ago(5)  # the record keeps what was typed
    corrected = next(e for e in rows if e["type"] == "FactCorrected")
    assert corrected["data"]["seq"] == seq
    assert corrected["data"]["previous"] == {"submitted_on": days_ago(5)}


async def test_corrections_refused_with_the_rule(api):
    sid = await api.create()
    await api.walk(sid, until="submit_to_ethics")
    await api.command(sid, "submit_to_ethics", "regulatory", committee="CPP Est",
                      submitted_on=days_ago(5))
    rows = await events(api, sid)
    seq = next(e["seq"] for e in rows if e["type"] == "EthicsSubmitted")
    created = rows[0]["seq"]
    cases = [
        ({"seq": 10**9, "changes": {"submitted_on": days_ago(1)}}, "regulatory", 404),
        ({"seq": seq, "changes": {"submitted_on": days_ago(1)}}, "coordinator", 403),
        ({"seq": "x", "changes": {"submitted_on": days_ago(1)}}, "regulatory", 422),
        ({"seq": seq, "changes": {"committee_name": "X"}}, "regulatory", 409),
        ({"seq": seq, "changes": {"submitted_on": "2999-01-01"}}, "regulatory", 409),
        ({"seq": created, "changes": {"title": "X"}}, "coordinator", 409),
    ]
    for body, role, status in cases:
        r = await api.command(sid, "correct", role, **body)
        assert r.status_code == status, (body, r.text)
    assert (await events(api, sid))[-1]["seq"] == rows[-1]["seq"]  # nothing written
    r = await api.command(sid, "correct", "admin", seq=seq,
                          changes={"submitted_on": days_ago(4)})
    assert r.status_code == 200, r.text


async def test_a_batch_is_applied_in_legal_order_and_judged_once(api):
    sid = await api.create()
    walk = scenarios.riph1_walk(days_ago(120), completeness_on=days_ago(115),
                                opinion_on=days_ago(80), decision_on=days_ago(70),
                                opened_on=days_ago(65))
    # the regulatory officer types the whole history; each command under its own role's rules
    # the unit's own steps (the protocol, the sponsor, its consent form) by their own roles
    own = ("submit_protocol", "assign_sponsor", "issue_consent_form")
    commands = [{**command, "reason": "from the paper file"} for _, command in walk
                if command["type"] not in ("open_recruitment", *own)]
    for role, command in scenarios.only(walk, *own):
        assert (await api.post(f"/api/studies/{sid}/commands",
                               {**command, "reason": "r"}, role)).status_code == 200
    key = str(uuid.uuid4())
    r = await api.post(f"/api/studies/{sid}/commands:batch",
                       {"commands": commands[-3:] + commands[:-3],  # typed out of order
                        "reason": "typed in one go"}, "regulatory", **{"Idempotency-Key": key})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "ready"
    assert "DeadlineMissed" not in [e["type"] for e in await events(api, sid)]
    again = await api.post(f"/api/studies/{sid}/commands:batch", {"commands": commands,
                           "reason": "typed in one go"}, "regulatory", **{"Idempotency-Key": key})
    assert again.status_code == 200 and again.json()["seq"] == r.json()["seq"]


async def test_a_keyed_batchs_answer_is_kept_by_its_append(api, stack):
    """As a command's: the web app writes no answer of its own. A caller whose call died after
    the append (the batch sent to the engine as the web app sends it, its answer never
    returned) gets that answer on its retry, and the facts are written once."""
    sid = await api.create()
    await api.walk(sid, until="submit_to_ethics")
    key = uuid.uuid4().hex
    regulatory = await ReadModels(stack.pool).resolve_token(api.tokens["regulatory"])
    assert regulatory is not None
    submitted = {"type": "submit_to_ethics", "committee": "CPP Est",
                 "submitted_on": days_ago(10)}
    sent = await engine.send_batch(stack.client, sid, BatchInput(
        items=[BatchItem(command=submitted, reason="died after the append")],
        actor=regulatory[0], role="regulatory", idempotency_key=key,
        answer_key=commands.answer_key(f"POST {sid} batch", key)))
    kept = await ReadModels(stack.pool).stored_answer(
        regulatory[0], commands.answer_key(f"POST {sid} batch", key))
    assert kept == (200, commands.answer(sent))  # written by the append, not by the web app
    retry = await api.post(f"/api/studies/{sid}/commands:batch",
                           {"commands": [submitted], "reason": "retried"}, "regulatory",
                           **{"Idempotency-Key": key})
    assert retry.status_code == 200, retry.text
    assert retry.json() == commands.answer(sent)
    assert [e["type"] for e in await events(api, sid)].count("EthicsSubmitted") == 1


async def test_a_batch_is_all_or_nothing(api):
    sid = await api.create()
    await api.walk(sid, until="submit_to_ethics")
    before = await events(api, sid)
    r = await api.post(f"/api/studies/{sid}/commands:batch", {"reason": "r", "commands": [
        {"type": "submit_to_ethics", "committee": "CPP Est", "submitted_on": days_ago(10)},
        {"type": "record_ethics_opinion", "opinion": "favourable", "opinion_on": days_ago(12)},
    ]}, "regulatory")
    assert r.status_code == 409 and r.json()["error"]["index"] == 1
    assert await events(api, sid) == before
    bad = [({"commands": []}, "regulatory", 422),
           ({"commands": [{"type": "nope"}]}, "regulatory", 422),
           ({"commands": [{"type": "submit_to_ansm", "submitted_on": days_ago(1)}]},
            "coordinator", 403)]
    for body, role, status in bad:
        r = await api.post(f"/api/studies/{sid}/commands:batch", {**body, "reason": "r"}, role)
        assert r.status_code == status, r.text


def jsonl_study(reference: str, start: int) -> str:
    walk = scenarios.riph1_walk(days_ago(start), completeness_on=days_ago(start - 5),
                                opinion_on=days_ago(start - 40),
                                decision_on=days_ago(start - 50), opened_on=days_ago(start - 55))
    return json.dumps({"reference": reference, "title": f"Imported {reference}",
                       "category": "RIPH1", "investigator": "Dr Imported",
                       "commands": [c for _, c in walk]})


async def test_an_import_brings_studies_in_once_with_a_line_numbered_report(api):
    refs = [f"2025-A{uuid.uuid4().hex[:5].upper()}-{n}" for n in (10, 11)]
    content = "\n".join([jsonl_study(refs[0], 500), '{"reference": "X"}',
                         jsonl_study(refs[1], 90)]) + "\n"
    r = await api.http.post("/api/imports/studies?name=history.jsonl&reason=adoption",
                            content=content.encode(), headers={
                                **api.auth("regulatory"), "Content-Type": "application/x-ndjson"})
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["imported"], report["refused"]) == (2, 1)
    assert report["results"][1]["line"] == 2 and report["results"][1]["status"] == "refused"
    sid = report["results"][0]["study_id"]
    study = (await api.get(f"/api/studies/{sid}")).json()
    assert study["state"] == "recruiting"
    rows = await events(api, sid)
    assert "DeadlineMissed" in [e["type"] for e in rows]  # the annual report: missed indeed
    assert {e["type"] for e in rows if e["type"] == "DeadlineMissed"} and all(
        "annual" in e["data"]["deadline"] for e in rows if e["type"] == "DeadlineMissed")
    assert all("adoption" in e["reason"] and report["sha256"] in e["reason"]
               for e in rows if e["actor"] != "studyflow-clock")
    again = await api.http.post("/api/imports/studies?name=history.jsonl", content=content,
                                headers=api.auth("regulatory"))
    assert (again.json()["imported"], again.json()["already_imported"]) == (0, 2)


async def test_the_example_files_import_and_bad_imports_are_refused(api):
    for name in ("studies.csv", "studies.jsonl"):
        r = await api.post("/api/imports/studies", {
            "content": (EXAMPLES / name).read_text(), "name": name, "reason": "example"},
            "coordinator")
        assert r.status_code == 200, r.text
        report = r.json()
        assert report["refused"] == 0, report["results"]
        assert report["imported"] + report["already_imported"] == len(report["results"]) > 0
    r = await api.post("/api/imports/studies", {"content": "reference,colour\nA,blue\n",
                                                "name": "x.csv"})
    assert r.json()["results"][0]["error"]["code"] == "unknown_columns"
    assert (await api.post("/api/imports/studies", {"content": ""})).status_code == 422
    r = await api.post("/api/imports/studies", {"content": "x", "name": "a.csv"}, "investigator")
    assert r.status_code == 403


def evening_before(day: date) -> datetime:
    """23:30 UTC the day before `day`: still that day before in UTC, already `day` in Paris
    (an hour ahead in winter, two in summer)."""
    at = datetime.combine(day - timedelta(days=1), time(23, 30), tzinfo=UTC)
    assert legal_day(at) == day and at.date() == day - timedelta(days=1)
    return at


async def test_an_import_judges_future_dates_on_the_paris_day(api, monkeypatch: pytest.MonkeyPatch):
    """The import checks a whole history before it starts any study: a fact dated today in Paris
    is not in the future at 23:30 UTC, when the UTC date is still yesterday. The check reads the
    process's clock (wallclock.now, stood here at chosen instants), the study's workflow its own
    (real) time, so that a refusal below can only be the check's."""
    paris_today = today()

    def line(reference: str) -> str:
        walk = scenarios.until(scenarios.riph1_walk(paris_today.isoformat()), "submit_to_ansm")
        return json.dumps({"reference": reference, "title": f"Evening {reference}",
                           "category": "RIPH1", "investigator": "Dr Soir",
                           "commands": [c for _, c in walk]})

    async def imported(reference: str) -> dict:
        r = await api.post("/api/imports/studies", {"content": line(reference) + "\n",
                                                    "name": "evening.jsonl", "reason": "adoption"},
                           "regulatory")
        assert r.status_code == 200, r.text
        (result,) = r.json()["results"]
        return result

    # 23:30 UTC yesterday: today in Paris, so the history dated today comes in
    monkeypatch.setattr(wallclock, "now", lambda: evening_before(paris_today))
    result = await imported(f"2026-A{uuid.uuid4().hex[:5].upper()}-21")
    assert result["status"] == "imported", result
    # 23:30 UTC two days ago: yesterday in Paris, so the same history is a day in the future
    monkeypatch.setattr(wallclock, "now", lambda: evening_before(paris_today - timedelta(days=1)))
    reference = f"2026-A{uuid.uuid4().hex[:5].upper()}-22"
    result = await imported(reference)
    assert result["status"] == "refused" and result["error"]["code"] == "date_in_future", result
    assert result["index"] == 5  # create_study, then the walk's fifth: the CPP submission
    # refused before any study started
    assert (await api.get(f"/api/studies/{import_study_id(reference)}")).status_code == 404


async def test_the_study_page_offers_its_forms_on_the_paris_day(api,
                                                                  monkeypatch: pytest.MonkeyPatch):
    """The forms on a study's page are probed, and their dates filled in, on the legal day: at
    23:30 UTC it is the next day in Paris, and the page says so (not the UTC date)."""
    sid = await api.create(title="Evening forms")
    await api.walk(sid, until="submit_to_ethics")
    # a reading of the page four days on, at 23:30 UTC: the fifth day in Paris
    later = evening_before(today() + timedelta(days=5))
    async with signed_in(api, "regulatory") as browser:
        monkeypatch.setattr(wallclock, "now", lambda: later)
        page = await browser.get(f"/studies/{sid}")
    assert page.status_code == 200, page.text
    field = re.search(r'id="submit_to_ethics-submitted_on" name="submitted_on" type="date" '
                      r'value="([^"]*)"', page.text)
    assert field and field.group(1) == legal_day(later).isoformat() == days_ago(-5)
