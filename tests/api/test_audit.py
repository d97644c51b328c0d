"""Audit over HTTP on the real stack: verify (with checkpoints), exports with a manifest that
are themselves audited, and tampering by a database superuser caught and named."""

import base64
import hashlib
import json

import asyncpg
import pytest
from google.protobuf.json_format import MessageToDict
from temporalio.client import Client

from store import OPERATIONS


async def test_export_comes_with_a_manifest_and_is_itself_audited(api, stack):
    sid = await api.create(title="Exported study")
    await api.walk(sid, until="submit_to_ethics")
    r = await api.http.get(f"/api/audit/export?study={sid}&format=jsonl&reason=inspection",
                           headers=api.auth("auditor"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    assert f"studyflow-audit-{sid}-" in r.headers["content-disposition"]
    lines = [json.loads(line) for line in r.text.splitlines()]
    assert [e["version"] for e in lines] == list(range(1, len(lines) + 1))
    assert {e["study_id"] for e in lines} == {sid}
    assert r.headers["X-StudyFlow-Export-Sha256"] == hashlib.sha256(r.content).hexdigest()

    manifest = (await api.get(r.headers["X-StudyFlow-Export-Manifest"], "auditor")).json()
    assert manifest["count"] == len(lines) and manifest["scope"] == sid
    assert (manifest["first_seq"], manifest["last_seq"]) == (lines[0]["seq"], lines[-1]["seq"])
    assert manifest["sha256"] == hashlib.sha256(r.content).hexdigest()
    assert manifest["recorded_by"] == "auditor-user" and manifest["reason"] == "inspection"
    heads = json.dumps({sid: {"version": lines[-1]["version"], "hash": lines[-1]["hash"]}},
                       sort_keys=True, separators=(",", ":"))
    assert manifest["heads_sha256"] == hashlib.sha256(heads.encode()).hexdigest()
    ops = await stack.pool.fetch("SELECT type, actor FROM events WHERE stream_id = $1 "
                                 "AND global_seq = $2", OPERATIONS, manifest["recorded_seq"])
    assert [tuple(o) for o in ops] == [("AuditExported", "auditor-user")]

    csv_r = await api.http.get("/api/audit/export?format=csv", headers=api.auth("auditor"))
    assert csv_r.status_code == 200 and csv_r.text.startswith("seq,study_id,")
    assert sid in csv_r.text


async def test_export_is_refused_to_roles_without_the_right_and_bad_input(api):
    r = await api.http.get("/api/audit/export", headers=api.auth("investigator"))
    assert r.status_code == 403 and "export audit" in r.json()["error"]["message"]
    r = await api.http.get("/api/audit/export?format=pdf", headers=api.auth("auditor"))
    assert r.status_code == 422
    r = await api.http.get("/api/audit/export?study=study-nope", headers=api.auth("auditor"))
    assert r.status_code == 404
    r = await api.http.get("/api/audit/exports/1", headers=api.auth("auditor"))
    assert r.status_code == 404


async def test_a_superuser_rewriting_history_is_caught_and_named(api, stack):
    sid = await api.create(title="Tampered study")
    await api.walk(sid, until="submit_to_ethics")
    r = await api.http.post("/api/audit/checkpoints", headers=api.auth("auditor"))
    assert r.status_code == 201 and r.json()["streams"] >= 1
    assert (await api.http.post("/api/audit/checkpoints",
                                headers=api.auth("coordinator"))).status_code == 403
    ok = (await api.get("/api/audit/verify", "auditor")).json()
    assert ok["ok"] and ok["checkpoint_heads"] >= 1

    conn = await asyncpg.connect(stack.owner_dsn)
    try:
        row = await conn.fetchrow("SELECT global_seq, reason FROM events WHERE stream_id = $1 "
                                  "AND version = 2", sid)
        await conn.execute("ALTER TABLE events DISABLE TRIGGER USER")
        await conn.execute("UPDATE events SET reason = 'nothing to see' WHERE global_seq = $1",
                           row["global_seq"])
        broken = (await api.get("/api/audit/verify", "auditor")).json()
        assert broken["ok"] is False
        assert broken["first_broken"]["stream_id"] == sid
        assert broken["first_broken"]["version"] == 2
        assert broken["first_broken"]["seq"] == row["global_seq"]
        assert "altered" in broken["first_broken"]["problem"]
        # the stable code and English `problem` whatever the language; the `message` in the
        # request's (Accept-Language), as the CLI says it
        for language, message in (("fr", "le contenu ne correspond pas à son empreinte"),
                                  ("en", "content does not match its hash (altered)")):
            said = (await api.http.get("/api/audit/verify", headers={
                **api.auth("auditor"), "Accept-Language": language})).json()["first_broken"]
            assert said["code"] == "altered" and said["seq"] == row["global_seq"]
            assert said["problem"] == "content does not match its hash (altered)"
            assert said["message"].startswith(message), said
    finally:  # put history back as it was, for the other tests of the session
        await conn.execute("UPDATE events SET reason = $1 WHERE global_seq = $2", row["reason"],
                           row["global_seq"])
        await conn.execute("ALTER TABLE events ENABLE TRIGGER USER")
        await conn.close()
    assert (await api.get("/api/audit/verify", "auditor")).json()["ok"]


async def test_the_web_apps_role_cannot_touch_events(stack):
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await stack.pool.execute("UPDATE events SET reason = 'x' WHERE global_seq = 1")
    assert await stack.pool.fetchval("SELECT current_user") == "studyflow_app"


async def test_failed_logins_are_rate_limited_per_client(stack, tokens):
    import httpx

    from api.app import create_app
    from settings import Settings

    settings = Settings(LOGIN_MAX_FAILURES=3, LOGIN_WINDOW_SECONDS=60)  # type: ignore[call-arg]
    app = create_app(settings, stack.pool, stack.client)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://sf") as http:
        good = {"Authorization": f"Bearer {tokens['auditor']}"}
        assert (await http.get("/api/studies", headers=good)).status_code == 200
        for guess in ("a", "b", "c"):
            r = await http.get("/api/studies", headers={"Authorization": f"Bearer {guess}"})
            assert r.status_code == 401
        r = await http.post("/login", data={"token": "d"})
        assert r.status_code == 429 and "too many failed logins" in r.text
        r = await http.get("/api/studies", headers=good)  # even a good token, for a while
        assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
        assert r.json()["error"]["code"] == "too_many_attempts"


async def test_temporal_history_holds_no_plaintext_and_the_codec_endpoint_decodes_it(api, stack):
    sid = await api.create(title="Etude Confidentielle Zoe")
    r = await api.command(sid, "assign_sponsor", sponsor="Hopital Secret-Sponsor")
    assert r.status_code == 200
    raw = await Client.connect(stack.info["temporal_address"],
                               namespace=stack.info["temporal_namespace"])  # no codec
    history = await raw.get_workflow_handle(sid).fetch_history()
    blob = history.to_json()
    for secret in ("Confidentielle", "Secret-Sponsor", "Dr Martin"):
        assert secret not in blob, secret
    sealed = [p for e in history.events
              if e.HasField("workflow_execution_update_accepted_event_attributes")
              for p in e.workflow_execution_update_accepted_event_attributes.accepted_request
              .input.args.payloads]
    assert sealed and all(p.metadata["encoding"] == b"binary/encrypted" for p in sealed)
    body = {"payloads": [MessageToDict(p) for p in sealed]}
    r = await api.http.post("/codec/decode", json=body, headers=api.auth("auditor"))
    assert r.status_code == 200
    plain = " ".join(base64.b64decode(p["data"]).decode() for p in r.json()["payloads"])
    assert "Etude Confidentielle Zoe" in plain and "Hopital Secret-Sponsor" in plain
    r = await api.http.post("/codec/decode", json=body, headers=api.auth("coordinator"))
    assert r.status_code == 403
    r = await api.http.post("/codec/decode", json={"payloads": "x"}, headers=api.auth("auditor"))
    assert r.status_code == 422
    r = await api.http.options("/codec/decode", headers={
        "Origin": "http://localhost:8233", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type"})
    assert r.headers["access-control-allow-origin"] == "http://localhost:8233"
