"""Participants and consent through the HTTP API on the real stack: the code format, the consent
rules answered 409 with the rule's name, consent form versions, the bulk endpoint."""

from tests.days import day


async def recruiting(api) -> str:
    sid = await api.create(category="RIPH1")
    await api.walk(sid)
    return sid


async def test_codes_must_follow_the_pseudonymous_format(api):
    sid = await recruiting(api)
    for code in ("Jean Dupont", "jean.dupont@example.org", "DUPONT", "P-1"):
        r = await api.post(f"/api/studies/{sid}/participants", {"code": code, "reason": "x"},
                           "investigator")
        assert r.status_code == 422 and r.json()["error"]["code"] == "participant_code_pattern"
        assert "never a name" in r.json()["error"]["message"]
    events = (await api.get(f"/api/studies/{sid}/events")).json()
    assert not [e for e in events if e["type"] == "ParticipantRegistered"]  # nothing written


async def test_consent_rules_answer_409_naming_the_rule(api):
    sid = await recruiting(api)
    p = f"/api/studies/{sid}/participants"

    async def send(code: str, body: dict) -> tuple[int, str | None]:
        r = await api.post(f"{p}/{code}/commands", {"reason": "x", **body}, "investigator")
        return r.status_code, r.json().get("error", {}).get("code")

    assert (await api.post(p, {"code": "P-0001", "reason": "minor",
                               "majority_on": day(2000)}, "investigator")).status_code == 201
    consent = {"type": "record_consent", "kind": "written", "consent_form_version": "1.0",
               "consented_on": day()}
    assert await send("P-0001", consent) == (409, "minor_needs_holders")
    assert await send("P-0001", {**consent, "by": "holders", "holders": 1}) == \
        (409, "both_holders_required")
    assert (await send("P-0001", {**consent, "by": "holders", "holders": 3}))[0] == 422
    assert await send("P-0001", {**consent, "by": "holders", "holders": 2}) == (200, None)
    assert await send("P-0001", {"type": "include", "included_on": day()}) == (200, None)

    r = await api.post(p, {"code": "P-0002", "reason": "x", "emergency": True}, "investigator")
    assert r.status_code == 409 and r.json()["error"]["code"] == "emergency_not_in_protocol"
    assert (await api.post(p, {"code": "P-0002", "reason": "x"}, "investigator")).status_code \
        == 201
    assert await send("P-0002", {**consent, "unable_to_write": True}) == (409, "witness_required")
    assert await send("P-0002", {"type": "include", "included_on": day()}) == \
        (409, "consent_required")
    assert await send("P-0002", {**consent, "unable_to_write": True, "witnessed": True}) == \
        (200, None)

    # a new major form: both active participants must re-consent, and say so in the inbox
    r = await api.command(sid, "issue_consent_form", "investigator", version="2.0",
                          change="major", issued_on=day())
    assert r.status_code == 200 and r.json()["participants"] == {"needs_reconsent": 2}
    assert await send("P-0002", {"type": "include", "included_on": day()}) == \
        (409, "consent_required")
    assert await send("P-0002", {"type": "reconsent", "consent_form_version": "1.0",
                                 "consented_on": day()}) == (409, "consent_form_not_current")
    inbox = (await api.get("/api/tasks", "investigator")).json()
    mine = [t for t in inbox if t.get("participant") and t.get("study_id") == sid]
    assert {t["participant"] for t in mine} == {"P-0001", "P-0002"}
    assert all(t["command"] == "reconsent" for t in mine)
    assert await send("P-0002", {"type": "reconsent", "consent_form_version": "2.0",
                                 "consented_on": day()}) == (200, None)
    rows = (await api.get(f"{p}?status=needs_reconsent")).json()
    assert [r["code"] for r in rows] == ["P-0001"]
    assert await send("P-0002", {"type": "withdraw_consent", "withdrawn_on": day()}) == \
        (200, None)
    assert await send("P-0002", {"type": "complete"}) == (409, "consent_not_active")


async def test_bulk_applies_the_good_items_once_and_names_the_bad_ones(api):
    sid = await recruiting(api)
    url = f"/api/studies/{sid}/participants/bulk"
    items = [{"type": "register_participant", "code": f"P-{n:04d}", "key": f"r{n}"}
             for n in range(1, 6)]
    items += [
        {"type": "record_consent", "code": "P-0001", "kind": "written",
         "consent_form_version": "1.0", "consented_on": day(), "key": "c1"},
        {"type": "record_consent", "code": "P-0002", "kind": "non_opposition",
         "consent_form_version": "1.0", "consented_on": day(), "key": "c2"},
        {"type": "register_participant", "code": "Marie Curie", "key": "bad-code"},
        {"type": "archive", "code": "P-0003", "key": "not-a-participant-command"},
    ]
    r = await api.post(url, {"reason": "import", "items": items}, "investigator")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["applied"], body["already_applied"], body["refused"]) == (6, 0, 3)
    refused = {x["index"]: x["error"]["code"] for x in body["results"]
               if x["status"] == "refused"}
    assert refused == {6: "consent_kind_mismatch", 7: "participant_code_pattern",
                       8: "unknown_command"}
    assert body["study"]["participants"] == {"registered": 4, "consented": 1}
    again = (await api.post(url, {"reason": "import", "items": items}, "investigator")).json()
    assert (again["applied"], again["already_applied"], again["refused"]) == (0, 6, 3)
    events = (await api.get(f"/api/studies/{sid}/events")).json()
    assert sum(e["type"] == "ParticipantRegistered" for e in events) == 5
    assert (await api.post(url, {"reason": "x", "items": [{}] * 501},
                           "investigator")).status_code == 422
    assert (await api.post("/api/studies/study-nope/participants/bulk",
                           {"reason": "x", "items": items[:1]}, "investigator")).status_code \
        == 404
    auditor = await api.post(url, {"reason": "x", "items": [
        {"type": "register_participant", "code": "P-0099"}]}, "auditor")
    assert auditor.json()["results"][0]["error"]["code"] == "forbidden"


async def test_an_import_run_again_after_a_crash_past_the_append_finds_its_rows_applied(
        api, monkeypatch):
    """The web process dies after the bulk's append and before it answers: the re-run (here
    with one more row, so no cached update answers for it) reports the rows `already_applied`,
    never `participant_exists`: their answers were stored in the append's transaction."""
    from api import engine

    sid = await recruiting(api)
    url = f"/api/studies/{sid}/participants/bulk"
    items = [{"type": "register_participant", "code": f"P-{n:04d}", "key": f"crash-{n}"}
             for n in range(1, 4)]
    send_bulk = engine.send_bulk

    async def append_then_crash(*args, **kwargs):
        await send_bulk(*args, **kwargs)
        raise RuntimeError("the web process dies here")

    monkeypatch.setattr(engine, "send_bulk", append_then_crash)
    crashed = await api.post(url, {"reason": "import", "items": items}, "investigator")
    assert crashed.status_code == 500
    monkeypatch.setattr(engine, "send_bulk", send_bulk)
    events = (await api.get(f"/api/studies/{sid}/events")).json()
    assert sum(e["type"] == "ParticipantRegistered" for e in events) == 3  # the append happened

    more = [*items, {"type": "register_participant", "code": "P-0004", "key": "crash-4"}]
    again = (await api.post(url, {"reason": "import", "items": more}, "investigator")).json()
    assert [r["status"] for r in again["results"]] == ["already_applied"] * 3 + ["applied"]
    assert [r["participant"] for r in again["results"]] == [i["code"] for i in more]
    events = (await api.get(f"/api/studies/{sid}/events")).json()
    assert sum(e["type"] == "ParticipantRegistered" for e in events) == 4


async def test_the_study_page_pages_its_participant_table(api):
    from tests.api.conftest import signed_in

    sid = await recruiting(api)
    items = [{"type": "register_participant", "code": f"P-{n:04d}"} for n in range(1, 202)]
    r = await api.post(f"/api/studies/{sid}/participants/bulk",
                       {"reason": "import", "items": items}, "investigator")
    assert r.json()["applied"] == 201
    async with signed_in(api, "investigator") as web:
        first = (await web.get(f"/studies/{sid}")).text
        assert "P-0200" in first and "P-0201" not in first
        assert f'href="/studies/{sid}?after=P-0200#participants"' in first
        second = (await web.get(f"/studies/{sid}?after=P-0200")).text
        assert "P-0201" in second and "P-0199" not in second and "next-page" not in second
