"""The caller's language over HTTP: pages and `error.message` follow the saved preference,
else Accept-Language, else LANGUAGE; `error.code` never changes; refused forms come back with
what was typed, the message beside the field; a double submission takes effect once."""

import re

from tests.days import days_ago

from .conftest import signed_in

FR = {"Accept-Language": "fr-FR,fr;q=0.9"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}


async def test_error_message_follows_the_language_and_the_code_does_not(api):
    sid = await api.create()
    answers = {}
    for name, lang in (("fr", FR), ("en", EN)):
        r = await api.post(f"/api/studies/{sid}/commands",
                           {"type": "record_ethics_opinion", "reason": "x",
                            "opinion": "favourable", "opinion_on": days_ago(0)}, **lang)
        assert r.status_code == 409
        assert r.headers["content-language"] == name
        answers[name] = r.json()["error"]
    assert answers["fr"]["code"] == answers["en"]["code"]
    assert answers["fr"]["message"] != answers["en"]["message"]
    assert "CPP" in answers["fr"]["message"] and "n'a pas" in answers["fr"]["message"]


async def test_validation_errors_name_the_field_and_the_format_in_plain_words(api):
    sid = await api.create()
    r = await api.post(f"/api/studies/{sid}/commands",
                       {"type": "submit_protocol", "reason": "x", "version": "1",
                        "document_sha256": "abc"}, **FR)
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "invalid_command"
    assert "Empreinte du document" in error["message"] and "format attendu" in error["message"]
    assert "String should match" not in error["message"]
    assert error["details"][0]["field"] == "document_sha256"
    r = await api.post(f"/api/studies/{sid}/commands",
                       {"type": "submit_to_ethics", "reason": "x", "committee": "CPP Est",
                        "submitted_on": "09/13/2026"}, **FR)
    assert r.status_code == 422 and "jj/mm/aaaa" in r.json()["error"]["message"]


async def test_a_403_names_the_roles_that_may_act(api):
    sid = await api.create()
    for lang, words in ((FR, ("affaires réglementaires", "investigateur")),
                        (EN, ("regulatory affairs", "investigator"))):
        r = await api.post(f"/api/studies/{sid}/commands",
                           {"type": "submit_to_ansm", "reason": "x",
                            "submitted_on": days_ago(0)}, role="investigator", **lang)
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
        assert all(w in r.json()["error"]["message"] for w in words), r.json()
        assert r.json()["error"]["allowed_roles"] == ["regulatory"]


async def test_pages_carry_their_language(api):
    async with signed_in(api, "coordinator") as http:
        fr = await http.get("/", headers=FR)
        assert '<html lang="fr">' in fr.text and "Recherches" in fr.text
        en = await http.get("/", headers=EN)
        assert '<html lang="en">' in en.text and "Studies" in en.text
        # the saved preference wins over the browser's
        r = await http.get("/language/fr?next=/", headers=EN)
        assert r.status_code == 303 and r.headers["location"] == "/"
        again = await http.get("/", headers=EN)
        assert '<html lang="fr">' in again.text
        assert (await http.get("/language/en?next=//evil.example")).headers["location"] == "/"


async def test_a_refused_form_keeps_the_typed_values_and_says_why_beside_the_field(api):
    sid = await api.create()
    async with signed_in(api, "coordinator") as http:
        await http.get("/language/fr")
        page = await http.get(f"/studies/{sid}")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        r = await http.post(f"/studies/{sid}/commands", data={
            "csrf": csrf, "type": "submit_protocol", "version": "2.1",
            "document_sha256": "pas-une-empreinte", "reason": "dépôt initial"})
        assert r.status_code == 422
        assert 'value="pas-une-empreinte"' in r.text and 'value="dépôt initial"' in r.text
        assert 'class="field-error"' in r.text and "format attendu" in r.text
        # reloading the refused page's address: the study, never a raw JSON error
        back = await http.get(f"/studies/{sid}/commands", follow_redirects=True)
        assert back.status_code == 200 and "<html" in back.text


async def test_a_double_submission_takes_effect_once(api):
    sid = await api.create()
    async with signed_in(api, "coordinator") as http:
        page = await http.get(f"/studies/{sid}")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        once = re.search(r'id="form-assign_sponsor".*?name="once" value="([^"]+)"', page.text,
                         re.S).group(1)
        form = {"csrf": csrf, "once": once, "type": "assign_sponsor", "sponsor": "CHU",
                "reason": "double clic"}
        for _ in range(2):
            r = await http.post(f"/studies/{sid}/commands", data=form)
            assert r.status_code == 303
    events = (await api.get(f"/api/studies/{sid}/events")).json()
    assert [e["type"] for e in events].count("SponsorAssigned") == 1


async def test_a_double_submission_of_a_correction_corrects_once(api):
    sid = await api.create()
    assert (await api.command(sid, "assign_sponsor", sponsor="CHU")).status_code == 200
    seq = next(e["seq"] for e in (await api.get(f"/api/studies/{sid}/events")).json()
               if e["type"] == "SponsorAssigned")
    async with signed_in(api, "coordinator") as http:
        page = await http.get(f"/studies/{sid}?correct={seq}")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        once = re.search(rf'id="correct-{seq}".*?name="once" value="([^"]+)"', page.text,
                         re.S).group(1)
        form = {"csrf": csrf, "once": once, "seq": str(seq), "was.sponsor": "CHU",
                "sponsor": "CHU de Lyon", "reason": "double clic"}
        for _ in range(2):
            r = await http.post(f"/studies/{sid}/corrections", data=form)
            assert r.status_code == 303, r.text
    events = (await api.get(f"/api/studies/{sid}/events")).json()
    assert [e["type"] for e in events].count("FactCorrected") == 1


async def test_a_date_typed_dd_mm_yyyy_in_a_form_is_understood(api):
    sid = await api.create()
    day = days_ago(3)
    y, m, d = day.split("-")
    async with signed_in(api, "coordinator") as http:
        page = await http.get(f"/studies/{sid}")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        r = await http.post(f"/studies/{sid}/commands", data={
            "csrf": csrf, "type": "record_registration", "number": "2026-A01234-56",
            "reason": "enregistrement"})
        assert r.status_code == 303, r.text[:2000]
        r = await http.post(f"/studies/{sid}/commands", data={
            "csrf": csrf, "type": "submit_protocol", "version": "1",
            "document_sha256": "a" * 64, "reason": "dépôt"})
        assert r.status_code == 303
        r = await http.post(f"/studies/{sid}/commands", data={
            "csrf": csrf, "type": "assign_sponsor", "sponsor": "CHU", "reason": "promoteur"})
        r = await http.post(f"/studies/{sid}/commands", data={
            "csrf": csrf, "type": "submit_to_ethics", "committee": "CPP Est I",
            "submitted_on": f"{d}/{m}/{y}", "reason": "soumission"})
        assert r.status_code == 303, r.text[:3000]
    events = (await api.get(f"/api/studies/{sid}/events")).json()
    submitted = next(e for e in events if e["type"] == "EthicsSubmitted")
    assert submitted["data"]["submitted_on"] == day


async def test_the_inbox_lists_the_persons_notices_with_an_unread_count(api):
    sid = await api.create(title="Étude boîte de réception")
    r = await api.command(sid, "assign_sponsor", sponsor="CHU")
    assert r.status_code == 200
    seq = next(e["seq"] for e in (await api.get(f"/api/studies/{sid}/events")).json()
               if e["type"] == "SponsorAssigned")
    r = await api.command(sid, "correct", seq=seq, changes={"sponsor": "CHU de Lyon"})
    assert r.status_code == 200, r.text  # a correction notifies the coordinators
    async with signed_in(api, "coordinator") as http:
        page = await http.get("/inbox", headers=FR)
        assert "Étude boîte de réception" in page.text and "Correction" in page.text
        count = int(re.search(r'<span class="count"[^>]*>(\d+)</span>', page.text).group(1))
        assert count >= 1
        assert "L'envoi d'e-mails n'est pas configuré" in page.text  # no SMTP in the tests
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        r = await http.post("/inbox/read", data={"csrf": csrf, "id": "all"})
        assert r.status_code == 303
        page = await http.get("/inbox", headers=FR)
        assert '<span class="count"' not in page.text
        assert "Marquer comme lu" not in page.text


async def test_unknown_fields_in_a_command_are_refused_naming_them(api):
    sid = await api.create()
    r = await api.post(f"/api/studies/{sid}/commands", {
        "type": "report_safety_event", "reason": "x", "kind": "susar",
        "occurred_on": days_ago(1), "fatal_or_life_threatning": True}, role="investigator")
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "unknown_fields" and error["fields"] == ["fatal_or_life_threatning"]
    assert "fatal_or_life_threatning" in error["message"]
    r = await api.post(f"/api/studies/{sid}/commands", {
        "type": "assign_sponsor", "sponsor": "CHU", "reason": "x", "sponsr": "typo"}, **FR)
    assert r.status_code == 422 and "n'est pas un champ de cette demande" in r.json()[
        "error"]["message"]
    events = (await api.get(f"/api/studies/{sid}/events")).json()
    assert not any(e["type"] in ("SafetyEventReported", "SponsorAssigned") for e in events)


async def test_the_audit_trail_for_a_french_excel(api):
    sid = await api.create(title="Étude Excel")
    assert (await api.command(sid, "assign_sponsor", sponsor="CHU; Lyon")).status_code == 200
    r = await api.http.get(f"/api/audit/export?format=excel&study={sid}&reason=inspection",
                           headers={**api.auth("auditor"), **FR})
    assert r.status_code == 200 and r.headers["content-disposition"].endswith('.csv"')
    assert r.content.startswith(b"\xef\xbb\xbf")  # UTF-8 with its BOM
    import csv
    import io
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    assert header[:9] == ["N° dans la recherche", "Séquence d'audit", "Recherche", "Date légale",
                          "Enregistré", "Quoi", "Qui", "Rôle", "Pourquoi"]
    assert "Promoteur" in header  # a column per field of the events' data, never a JSON cell
    sponsor = next(row for row in rows[1:] if row[5] == "Promoteur désigné")
    assert sponsor[header.index("Promoteur")] == "CHU; Lyon"  # quoted, not split
    assert [row[0] for row in rows[1:]] == [str(n) for n in range(1, len(rows))]  # no gaps
    # the machine's CSV is unchanged for the scripts that read it
    machine = await api.http.get(f"/api/audit/export?format=csv&study={sid}",
                                 headers=api.auth("auditor"))
    assert machine.text.startswith("seq,study_id,")


async def test_a_reason_the_system_records_is_kept_as_written_and_read_in_the_readers_words(api):
    """A default reason (an export without `reason`) is a fact: recorded as written, never
    rewritten; where the trail is read it is shown in the reader's words (i18n/reasons.py)."""
    import csv
    import io

    sid = await api.create(title="Étude exportée")
    first = await api.http.get(f"/api/audit/export?format=jsonl&study={sid}",
                               headers={**api.auth("auditor"), **FR})
    manifest = (await api.get(first.headers["X-StudyFlow-Export-Manifest"], "auditor")).json()
    assert manifest["reason"] == "audit export"  # as recorded, whatever the language asked
    for language, shown in ((FR, "export de l'audit"), (EN, "audit export")):
        r = await api.http.get("/api/audit/export?format=excel&reason=r",
                               headers={**api.auth("auditor"), **language})
        rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
        row = next(row for row in rows[1:] if row[1] == str(manifest["recorded_seq"]))
        assert row[8] == shown, row


async def test_the_api_documentation_needs_no_internet_and_names_every_command_body(api):
    page = (await api.http.get("/docs")).text
    assert "cdn" not in page and "/docs-assets/swagger-ui-bundle.js" in page
    assert (await api.http.get("/docs-assets/swagger-ui-bundle.js")).status_code == 200
    redoc = (await api.http.get("/redoc")).text
    assert "cdn" not in redoc and "fonts.googleapis" not in redoc
    assert (await api.http.get("/docs-assets/redoc.standalone.js")).status_code == 200
    schema = (await api.http.get("/openapi.json")).json()
    body = schema["paths"]["/api/studies/{study_id}/commands"]["post"]["requestBody"][
        "content"]["application/json"]["schema"]
    union, reason = body["allOf"]
    assert union["discriminator"]["propertyName"] == "type" and reason["required"] == ["reason"]
    assert "report_safety_event" in union["discriminator"]["mapping"]
    safety = schema["components"]["schemas"]["ReportSafetyEvent"]
    assert "fatal_or_life_threatening" in safety["properties"]


async def test_unknown_fields_in_a_batch_are_refused_naming_the_command(api):
    sid = await api.create()
    r = await api.post(f"/api/studies/{sid}/commands:batch", {
        "reason": "from the paper file", "commands": [
            {"type": "assign_sponsor", "sponsor": "CHU"},
            {"type": "record_insurance", "insurer": "SHAM", "policy": "P-1", "polcy": "P-2"}]})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "unknown_fields" and error["index"] == 1
    assert error["fields"] == ["polcy"] and error["message"].startswith("commands.1: polcy")


async def test_an_address_that_leads_nowhere_is_a_page_for_a_browser_and_json_for_a_script(api):
    page = await api.http.get("/nulle-part", headers={**FR, "Accept": "text/html"})
    assert page.status_code == 404 and '<html lang="fr">' in page.text
    assert "Rien n&#39;a été trouvé à cette adresse." in page.text  # HTML-escaped
    script = await api.http.get("/api/nulle-part", headers={**FR, "Accept": "text/html"})
    assert script.status_code == 404 and script.json()["error"]["code"] == "not_found"


async def test_a_notice_reads_in_the_readers_language_and_keeps_its_english_record(api):
    sid = await api.create(title="Étude SUSAR")
    await api.walk(sid)
    r = await api.post(f"/api/studies/{sid}/commands", {
        "type": "report_safety_event", "reason": "x", "kind": "susar",
        "occurred_on": days_ago(0), "fatal_or_life_threatening": True}, role="investigator")
    assert r.status_code == 200, r.text
    rows = {}
    for name, lang in (("fr", FR), ("en", EN)):
        r = await api.http.get(f"/api/notifications?study={sid}&role=regulatory",
                               headers={**api.auth("regulatory"), **lang})
        rows[name] = next(n for n in r.json() if n["kind"] == "escalation")
    # the message as sent stays English in both; `text` is the reader's
    assert rows["fr"]["message"] == rows["en"]["message"]
    assert "declare without delay" in rows["fr"]["message"]
    assert rows["fr"]["text"] == ("Étude SUSAR : Déclaration d'une SUSAR létale ou menaçant la "
                                  "vie : à déclarer sans délai")
    assert rows["en"]["text"] == rows["en"]["message"]
    async with signed_in(api, "regulatory") as http:
        page = await http.get("/inbox", headers=FR)
        assert "à déclarer sans délai" in page.text and "declare without delay" not in page.text
