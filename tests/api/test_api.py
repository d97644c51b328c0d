"""The HTTP contract on the real stack: every status code, idempotency, the audit trail."""

import asyncio
import uuid

from prometheus_client.parser import text_string_to_metric_families

from api import commands, engine
from store import ReadModels
from tests.days import days_ago


async def test_healthz_reports_every_part_up(api):
    r = await api.http.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"


async def test_no_or_bad_token_is_401(api):
    assert (await api.http.get("/api/studies")).status_code == 401
    r = await api.http.get("/api/studies", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"


async def test_create_study_answers_201_with_the_study(api):
    r = await api.post("/api/studies", {"title": "T1", "category": "RIPH2",
                                        "investigator": "Dr A", "reason": "new"})
    assert r.status_code == 201
    study = r.json()
    assert study["id"].startswith("study-") and study["state"] == "draft"
    assert study["version"] == 1 and isinstance(study["seq"], int)
    assert study["steps"]["insurance"]["status"] == "pending"
    assert study["steps"]["ansm"]["status"] == "pending"
    got = await api.get(f"/api/studies/{study['id']}")
    assert got.status_code == 200 and got.json()["title"] == "T1"


async def test_missing_reason_or_bad_fields_are_422(api):
    base = {"title": "T", "category": "RIPH1", "investigator": "Dr A"}
    assert (await api.post("/api/studies", base)).status_code == 422
    assert (await api.post("/api/studies", {**base, "reason": "  "})).status_code == 422
    r = await api.post("/api/studies", {**base, "category": "RIPH9", "reason": "x"})
    assert r.status_code == 422 and "category" in r.json()["error"]["message"].lower()
    assert r.json()["error"]["details"][0]["field"] == "category"
    sid = await api.create()
    r = await api.command(sid, "submit_protocol", "investigator", version="1",
                          document_sha256="not-a-hash")
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_command"
    r = await api.command(sid, "fly_to_the_moon")
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_command"


async def test_junk_bodies_never_give_a_500(api):
    sid = await api.create()
    for body in (b"not json", b"[]", b"123", b'{"type": 5, "reason": []}'):
        r = await api.http.post(f"/api/studies/{sid}/commands", content=body,
                                headers={**api.auth("coordinator"),
                                         "Content-Type": "application/json"})
        assert r.status_code == 422, (body, r.status_code, r.text)


async def test_a_role_that_may_not_send_gets_403(api):
    r = await api.post("/api/studies", {"title": "T", "category": "RIPH1",
                                        "investigator": "Dr A", "reason": "x"}, role="auditor")
    assert r.status_code == 403
    sid = await api.create()
    r = await api.command(sid, "submit_to_ansm", "investigator", submitted_on=days_ago(0))
    assert r.status_code == 403 and "investigator" in r.json()["error"]["message"]
    assert (await api.command(sid, "assign_sponsor", "admin", sponsor="X")).status_code == 403


async def test_unknown_study_is_404(api):
    assert (await api.get("/api/studies/study-unknown")).status_code == 404
    r = await api.command("study-unknown", "assign_sponsor", sponsor="X")
    assert r.status_code == 404 and r.json()["error"]["code"] == "study_not_found"
    assert (await api.get("/api/studies/study-unknown/events")).status_code == 404


async def test_out_of_order_command_is_409_naming_the_rule_and_writes_nothing(api):
    sid = await api.create()
    r = await api.command(sid, "submit_to_ethics", "regulatory", committee="CPP",
                          submitted_on=days_ago(0))
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "protocol_required"
    assert "protocol" in r.json()["error"]["message"]
    events = (await api.get(f"/api/studies/{sid}/events")).json()
    assert [e["type"] for e in events] == ["StudyCreated"]
    r = await api.command(sid, "submit_to_ansm", "regulatory", submitted_on=days_ago(-3))
    assert r.status_code == 409 and r.json()["error"]["code"] == "date_in_future"


async def test_riph1_walks_to_recruiting_through_the_api(api):
    sid = await api.create()
    study = await api.walk(sid)
    assert study["state"] == "recruiting"
    assert {k: v["status"] for k, v in study["steps"].items()} == dict.fromkeys(
        ["protocol", "sponsor", "insurance", "ethics", "cnil", "ansm"], "done")
    names = {d["name"]: d["status"] for d in study["deadlines"]}
    assert names["cpp_opinion"] == "met" and names["ansm_authorization"] == "met"
    assert names["annual_safety_report.1"] == "open"
    listed = (await api.get("/api/studies?state=recruiting&limit=500")).json()
    assert sid in [s["id"] for s in listed["items"]]


async def test_open_recruitment_too_early_names_the_missing_steps(api):
    sid = await api.create(category="RIPH3")
    await api.walk(sid, until="record_insurance")
    r = await api.command(sid, "open_recruitment")
    assert r.status_code == 409 and r.json()["error"]["code"] == "steps_incomplete"
    assert "ethics" in r.json()["error"]["message"] and "cnil" in r.json()["error"]["message"]


async def test_events_are_the_hash_chained_audit_trail(api):
    sid = await api.create()
    await api.walk(sid, until="submit_to_ethics")
    events = (await api.get(f"/api/studies/{sid}/events", role="auditor")).json()
    assert [e["type"] for e in events][:3] == ["StudyCreated", "ProtocolSubmitted",
                                               "StudyStatusChanged"]
    for before, after in zip(events, events[1:], strict=False):
        assert after["prev_hash"] == before["hash"] and after["seq"] > before["seq"]
    assert {"seq", "type", "actor", "role", "at", "reason", "data", "prev_hash",
            "hash"} <= set(events[0])
    assert events[1]["actor"] == "investigator-user" and events[1]["role"] == "investigator"
    assert events[1]["at"].endswith("+00:00")
    verify = (await api.get("/api/audit/verify", role="auditor")).json()
    assert verify["ok"] is True and verify["events"] >= len(events)


async def test_the_same_idempotency_key_takes_effect_once(api):
    sid = await api.create()
    key = uuid.uuid4().hex
    body = {"type": "assign_sponsor", "sponsor": "AP-HP", "reason": "agreed"}
    first, second = await asyncio.gather(
        api.post(f"/api/studies/{sid}/commands", body, **{"Idempotency-Key": key}),
        api.post(f"/api/studies/{sid}/commands", body, **{"Idempotency-Key": key}))
    third = await api.post(f"/api/studies/{sid}/commands", body, **{"Idempotency-Key": key})
    assert first.status_code == second.status_code == third.status_code == 200
    assert first.json()["seq"] == second.json()["seq"] == third.json()["seq"]
    events = (await api.get(f"/api/studies/{sid}/events")).json()
    assert [e["type"] for e in events].count("SponsorAssigned") == 1


async def test_a_keyed_commands_answer_is_kept_by_its_append(api, stack):
    """The web app writes no answer of its own: the append keeps it. A caller whose call died
    after the append (here: the command sent to the engine as the web app sends it, its answer
    never returned) gets that answer on its retry, and the event is written once."""
    sid = await api.create(title="Answer kept by the append")
    await api.walk(sid)
    key = uuid.uuid4().hex
    coordinator = (await ReadModels(stack.pool).resolve_token(api.tokens["coordinator"]))
    assert coordinator is not None
    sent = await engine.send_command(
        stack.client, sid, {"type": "report_safety_event", "kind": "sae",
                            "occurred_on": days_ago(1), "fatal_or_life_threatening": False},
        coordinator[0], "coordinator", "died after the append", key,
        answer=(commands.answer_key(f"POST {sid} ", key), 200))
    retry = await api.post(f"/api/studies/{sid}/commands", {
        "type": "report_safety_event", "kind": "sae", "occurred_on": days_ago(1),
        "fatal_or_life_threatening": False, "reason": "retried"}, **{"Idempotency-Key": key})
    assert retry.status_code == 200, retry.text
    assert retry.json() == commands.answer(sent)
    assert retry.json()["event_id"] == sent.extra["event_id"]
    events = (await api.get(f"/api/studies/{sid}/events")).json()
    assert [e["type"] for e in events].count("SafetyEventReported") == 1


async def test_creating_twice_with_one_key_makes_one_study(api):
    key = uuid.uuid4().hex
    body = {"title": "Once", "category": "RIPH3", "investigator": "Dr A", "reason": "new"}
    a = await api.post("/api/studies", body, **{"Idempotency-Key": key})
    b = await api.post("/api/studies", body, **{"Idempotency-Key": key})
    assert a.status_code == b.status_code == 201 and a.json()["id"] == b.json()["id"]


async def test_late_submission_is_overdue_at_once_and_reaches_inboxes(api):
    sid = await api.create(title="Late submission")
    await api.walk(sid, until="submit_to_ethics")
    r = await api.command(sid, "submit_to_ethics", "regulatory", committee="CPP Sud",
                          submitted_on=days_ago(50))
    assert r.status_code == 200 and r.json()["overdue"] is True
    overdue = (await api.get("/api/studies?overdue=true&limit=500")).json()["items"]
    assert sid in [s["id"] for s in overdue]
    everything = (await api.get("/api/studies?limit=500")).json()["items"]
    assert everything[0]["overdue"] is True  # overdue first
    tasks = (await api.get("/api/tasks", role="regulatory")).json()
    assert any(t["study_id"] == sid and t["overdue"] for t in tasks)
    notes = (await api.get(f"/api/notifications?study={sid}")).json()
    assert any(n["kind"] == "escalation" and n["urgent"] for n in notes)
    found = (await api.get("/api/studies?q=late%20SUBMISSION")).json()["items"]
    assert [s["id"] for s in found] == [sid]


async def test_participants_register_consent_and_list(api):
    sid = await api.create(category="RIPH2")
    r = await api.post(f"/api/studies/{sid}/participants", {"code": "P-0001", "reason": "x"},
                       "investigator")
    assert r.status_code == 409 and r.json()["error"]["code"] == "recruitment_not_open"
    await api.walk(sid, until="submit_to_ansm")
    for kind, fields in (("record_ethics_opinion", {"opinion": "favourable",
                                                    "opinion_on": days_ago(0)}),
                         ("record_cnil", {"route": "MR-001", "reference": "R"}),
                         ("notify_ansm", {"sent_on": days_ago(0)}),
                         ("issue_consent_form", {"version": "1.0", "change": "major",
                                                 "issued_on": days_ago(0)}),
                         ("inform_director", {"informed_on": days_ago(0)}),
                         ("open_recruitment", {})):
        role = "regulatory" if kind == "notify_ansm" else "coordinator"
        assert (await api.command(sid, kind, role, **fields)).status_code == 200
    r = await api.post(f"/api/studies/{sid}/participants", {"code": "P-0001", "reason": "x"},
                       "investigator")
    assert r.status_code == 201
    bad = await api.post(f"/api/studies/{sid}/participants",
                         {"code": "Jean Dupont", "reason": "x"}, "investigator")
    assert bad.status_code == 422
    # a weaker form than the RIPH2's express consent (a written one would do: L1122-1-1)
    wrong = await api.post(f"/api/studies/{sid}/participants/P-0001/commands", {
        "type": "record_consent", "kind": "non_opposition", "consent_form_version": "1.0",
        "consented_on": days_ago(0), "reason": "signed"}, "investigator")
    assert wrong.status_code == 409 and wrong.json()["error"]["code"] == "consent_kind_mismatch"
    ok = await api.post(f"/api/studies/{sid}/participants/P-0001/commands", {
        "type": "record_consent", "kind": "express", "consent_form_version": "1.0",
        "consented_on": days_ago(0), "reason": "agreed"}, "investigator")
    assert ok.status_code == 200 and ok.json()["participants"] == {"consented": 1}
    people = (await api.get(f"/api/studies/{sid}/participants")).json()
    assert people[0]["code"] == "P-0001" and people[0]["consent_form_version"] == "1.0"
    missing = await api.post(f"/api/studies/{sid}/participants/P-0999/commands",
                             {"type": "complete", "reason": "x"}, "investigator")
    assert missing.status_code == 404


async def test_openapi_is_served(api):
    schema = (await api.http.get("/openapi.json")).json()
    assert "/api/studies/{study_id}/commands" in schema["paths"]
    assert (await api.http.get("/docs")).status_code == 200


async def test_answers_carry_the_security_headers(api):
    for r in (await api.get("/api/studies"), await api.http.get("/login"),
              await api.get("/api/studies/study-none")):
        assert r.headers["X-Frame-Options"] == "DENY", r.url
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in (await api.http.get("/docs")).headers


async def test_each_person_sets_their_own_notification_preferences(api):
    me = (await api.get("/api/me", "regulatory")).json()
    assert me["role"] == "regulatory" and me["digest"] is True
    r = await api.http.put("/api/me/preferences", json={"email": "rita@chu.test", "digest": False},
                           headers=api.auth("regulatory"))
    assert r.status_code == 200 and r.json()["email"] == "rita@chu.test"
    assert (await api.get("/api/me", "regulatory")).json() == {
        "actor": me["actor"], "role": "regulatory", "email": "rita@chu.test", "digest": False}
    assert (await api.get("/api/me", "coordinator")).json()["email"] != "rita@chu.test"
    for bad in ({"email": "not an address"}, {"digest": "sometimes"}, {"phone": "0601"}):
        r = await api.http.put("/api/me/preferences", json=bad, headers=api.auth("regulatory"))
        assert r.status_code == 422, bad
    assert (await api.get("/api/me", "regulatory")).json()["email"] == "rita@chu.test"


async def test_control_characters_are_refused_before_they_reach_the_engine(api):
    # found by schemathesis: a NUL in a title used to make the append fail for ever
    r = await api.post("/api/studies", {"title": "\u0000", "category": "RIPH1",
                                        "investigator": "Dr A", "reason": "x"})
    assert r.status_code == 422 and "title" in r.json()["error"]["message"].lower()
    sid = await api.create()
    r = await api.command(sid, "assign_sponsor", sponsor="AP\u0000HP")
    assert r.status_code == 422
    r = await api.post(f"/api/studies/{sid}/commands", {"type": "assign_sponsor",
                                                         "sponsor": "AP-HP", "reason": "a\u0000"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_reason"
    r = await api.http.put("/api/me/preferences", json={"email": "a\u0000@b.fr"},
                           headers=api.auth("auditor"))
    assert r.status_code == 422
    assert (await api.get(f"/api/studies/{sid}")).json()["version"] == 1


async def test_metrics_count_commands_by_type_and_outcome_with_latency_and_deadlines(api):
    def value(text: str, name: str, **labels: str) -> float:
        return next((sample.value for family in text_string_to_metric_families(text)
                     for sample in family.samples
                     if sample.name == name and sample.labels == labels), 0.0)

    before = (await api.http.get("/metrics")).text
    sid = await api.create()
    assert (await api.command(sid, "assign_sponsor", sponsor="AP-HP")).status_code == 200
    refused = await api.command(sid, "submit_to_ethics", "regulatory", committee="CPP",
                                submitted_on=days_ago(0))
    assert refused.status_code == 409
    r = await api.http.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    after = r.text
    for outcome, kind in (("accepted", "assign_sponsor"), ("refused", "submit_to_ethics"),
                          ("accepted", "create_study")):
        assert value(after, "studyflow_commands_total", type=kind, outcome=outcome) == \
            value(before, "studyflow_commands_total", type=kind, outcome=outcome) + 1, kind
    assert value(after, "studyflow_command_seconds_count", type="assign_sponsor") >= 1
    assert "studyflow_open_deadlines" in after and "studyflow_overdue_deadlines" in after
    assert "studyflow_reminders_sent" in after


async def test_the_web_app_keeps_what_it_built_to_start_out_of_the_collectors_full_passes(stack):
    """A full pass of the cyclic collector scanned the whole started process (130-240 ms, the
    slowest loads of a big study's page): the lifespan freezes that heap once started."""
    import gc

    from api.app import create_app

    gc.unfreeze()
    app = create_app(stack.settings, stack.pool, stack.client)
    async with app.router.lifespan_context(app):
        assert gc.get_freeze_count() > 0
    gc.unfreeze()
