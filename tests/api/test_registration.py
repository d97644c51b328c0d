"""The registration number over HTTP (CONTRACT.md "Registration"): once, before the CPP and the
ANSM (409 naming the rule), shown in the study, asked for by a task, changed by a correction,
and brought in by an import from the study's reference."""

import uuid

from tests.days import days_ago

from .conftest import signed_in


async def test_registration_comes_before_any_submission_and_shows_in_the_study(api):
    sid = await api.create()
    await api.walk(sid, until="record_registration")
    r = await api.command(sid, "submit_to_ethics", "regulatory", committee="CPP Est",
                          submitted_on=days_ago(0))
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert error["code"] == "registration_required" and "ID-RCB" in error["message"]
    inbox = (await api.get("/api/tasks", "coordinator")).json()
    assert [t for t in inbox if t.get("study_id") == sid
            and t.get("command") == "record_registration"]
    assert (await api.command(sid, "record_registration", number="2026-A1-56")
            ).status_code == 422
    assert (await api.command(sid, "record_registration", "investigator",
                              number="2026-A01234-56")).status_code == 403
    r = await api.command(sid, "record_registration", number="2026-512345-12-00")
    assert r.status_code == 200, r.text
    assert r.json()["registration"] == "2026-512345-12-00"
    again = await api.command(sid, "record_registration", number="2026-A01234-56")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "registration_already_recorded"
    events = (await api.get(f"/api/studies/{sid}/events")).json()
    seq = next(e["seq"] for e in events if e["type"] == "RegistrationRecorded")
    r = await api.command(sid, "correct", seq=seq, changes={"number": "2026-512345-12-01"})
    assert r.status_code == 200, r.text
    study = (await api.get(f"/api/studies/{sid}")).json()
    assert study["registration"] == "2026-512345-12-01"
    assert not [t for t in study["tasks"] if t["command"] == "record_registration"]
    # the number the letters quote finds the study, and every page of it shows the number
    found = (await api.get("/api/studies?q=2026-512345-12-01")).json()["items"]
    assert [(s["id"], s["registration"]) for s in found] == [(sid, "2026-512345-12-01")]
    async with signed_in(api, "coordinator") as browser:
        page = (await browser.get(f"/studies/{sid}")).text
        listed = (await browser.get("/?q=2026-512345-12-01")).text
    assert '<span id="registration">2026-512345-12-01</span>' in page
    assert "2026-512345-12-01" in listed and f"/studies/{sid}" in listed


async def test_an_import_registers_a_study_under_its_reference_or_says_it_has_none(api):
    digits = f"{uuid.uuid4().int % 10**5:05d}"
    header = ("reference,title,category,investigator,protocol_version,protocol_sha256,"
              "sponsor,ethics_submitted_on,ethics_committee")
    row = f",RIPH3 study,RIPH3,Dr Obs,1.0,{'ab' * 32},CHU,{days_ago(10)},CPP Est"
    content = "\n".join([header, f"2025-A{digits}-11" + row, f"UNIT-{digits}" + row]) + "\n"
    r = await api.post("/api/imports/studies", {"content": content, "name": "studies.csv",
                                                "reason": "adoption"}, "coordinator")
    assert r.status_code == 200, r.text
    first, second = r.json()["results"]
    assert first["status"] == "imported", first
    study = (await api.get(f"/api/studies/{first['study_id']}")).json()
    assert study["registration"] == f"2025-A{digits}-11"
    assert second["status"] == "refused"
    assert second["error"]["code"] == "registration_required"
