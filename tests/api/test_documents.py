"""Documents over HTTP: the streamed upload and each way it refuses a file, the references a
command makes, the study's versions, the audited download, verify naming a tampered file."""

import hashlib
from urllib.parse import quote

import pytest

from tests.api.conftest import Api
from tests.api.documents_helpers import docx, pdf, raw_upload, upload
from tests.days import days_ago


async def test_an_upload_is_stored_once_by_its_sha256(api: Api, stack):
    content = pdf()
    r = await upload(api, content)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body == {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content),
                    "media_type": "application/pdf", "name": "protocol-v1.pdf",
                    "kind": "protocol"}
    again = await upload(api, content, name="copy.pdf")
    assert again.status_code == 201 and again.json()["sha256"] == body["sha256"]
    assert await stack.pool.fetchval("SELECT count(*) FROM document_blobs WHERE sha256 = $1",
                                     body["sha256"]) == 1
    assert await stack.pool.fetchval("SELECT count(*) FROM document_uploads WHERE sha256 = $1",
                                     body["sha256"]) == 2


async def test_the_type_is_read_from_the_content(api: Api):
    r = await upload(api, docx(), name="form.pdf", kind="information_form")
    assert r.status_code == 201, r.text
    assert r.json()["media_type"].endswith("wordprocessingml.document")
    txt = await upload(api, "Résumé des résultats\n".encode(), name="summary.txt",
                       kind="results_summary")
    assert txt.status_code == 201 and txt.json()["media_type"] == "text/plain"


@pytest.mark.parametrize("content", [b"MZ\x90\x00\x03" + bytes(200), b"\x7fELF" + bytes(100),
                                     b"PK\x03\x04" + bytes(100)])
async def test_a_type_off_the_allowlist_is_415(api: Api, content: bytes):
    r = await upload(api, content, name="protocol.pdf")
    assert r.status_code == 415, r.text
    assert r.json()["error"]["code"] == "unsupported_document_type"


@pytest.mark.parametrize("name", [b"../etc/passwd", b"dir/protocol.pdf", b"a\\b.pdf",
                                  b"proto\x01col.pdf", b"tab\tname.pdf", b"del\x7f.pdf", b".."])
async def test_a_name_with_a_path_or_control_characters_is_422(api: Api, name: bytes):
    r = await raw_upload(api, name, pdf())
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_document_name"


async def test_a_name_past_latin_1_as_a_browser_sends_it_is_kept(api: Api):
    # a browser sends the name as raw UTF-8 bytes (a schemathesis run made it a 500)
    name = "Consentement cœur — 患者 💉.pdf"
    r = await raw_upload(api, name.encode(), pdf())
    assert r.status_code == 201, r.text
    assert r.json()["name"] == name
    sent = await api.get(f"/api/documents/{r.json()['sha256']}", "regulatory")
    assert sent.status_code == 200 and quote(name) in sent.headers["content-disposition"]


async def test_an_empty_file_is_422(api: Api):
    r = await upload(api, b"", name="empty.pdf")
    assert r.status_code == 422 and r.json()["error"]["code"] == "empty_document"


async def test_a_file_past_the_size_limit_is_413_and_nothing_is_kept(api: Api, stack):
    big = b"%PDF-1.4\n" + b"0" * 3_100_000
    r = await upload(api, big, name="big.pdf")
    assert r.status_code == 413, r.text
    assert r.json()["error"]["code"] == "document_too_large"
    sha = hashlib.sha256(big).hexdigest()
    assert await stack.pool.fetchval("SELECT count(*) FROM document_blobs WHERE sha256=$1",
                                     sha) == 0
    assert await stack.pool.fetchval(
        "SELECT count(*) FROM document_chunks WHERE blob LIKE 'upload:%'") == 0


async def test_a_bad_kind_or_no_reason_keeps_nothing(api: Api, stack):
    content = pdf()
    sha = hashlib.sha256(content).hexdigest()
    r = await upload(api, content, kind="signed_consent")
    assert r.status_code == 422 and r.json()["error"]["code"] == "participant_document_refused"
    assert "investigator's file" in r.json()["error"]["message"]
    r = await upload(api, content, kind="memo")
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_document_kind"
    r = await upload(api, content, reason="")
    assert r.status_code == 422 and r.json()["error"]["code"] == "reason_required"
    assert await stack.pool.fetchval("SELECT count(*) FROM document_blobs WHERE sha256=$1",
                                     sha) == 0


async def test_roles_upload_and_read_as_the_rules_say(api: Api):
    r = await upload(api, pdf(), role="admin")
    assert r.status_code == 403
    r = await upload(api, pdf(), role="auditor")
    assert r.status_code == 403
    ok = await upload(api, pdf(), role="investigator")
    assert ok.status_code == 201
    assert (await api.get(f"/api/documents/{ok.json()['sha256']}", "admin")).status_code == 403
    assert (await api.get(f"/api/documents/{ok.json()['sha256']}", "auditor")).status_code == 200


async def test_a_command_references_its_documents_and_the_study_lists_their_versions(
        api: Api, stack):
    sid = await api.create()
    content = pdf("protocol v1")
    doc = (await upload(api, content, role="investigator")).json()
    r = await api.command(sid, "submit_protocol", "investigator", version="1.0",
                          document_sha256=doc["sha256"],
                          documents=[{"sha256": doc["sha256"], "kind": "protocol"}])
    assert r.status_code == 200, r.text
    events = (await api.get(f"/api/studies/{sid}/events")).json()
    attached = next(e for e in events if e["type"] == "DocumentsAttached")
    assert attached["data"]["documents"] == [{**doc}]
    listed = (await api.get(f"/api/studies/{sid}/documents")).json()
    [entry] = listed["documents"]
    assert entry["sha256"] == doc["sha256"] and entry["version"] == "1.0"
    assert entry["status"] == "pending" and entry["uploaded_by"] == "investigator-user"
    assert listed["versions"]["protocol"]["in_force"] is None
    assert listed["versions"]["protocol"]["latest"]["sha256"] == doc["sha256"]


async def test_a_command_referencing_an_unknown_document_is_refused_naming_it(api: Api):
    sid = await api.create()
    r = await api.command(sid, "submit_protocol", "investigator", version="1.0",
                          document_sha256="ab" * 32,
                          documents=[{"sha256": "ab" * 32, "kind": "protocol"}])
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_document"
    assert "ab" * 32 in r.json()["error"]["message"]


async def test_a_kind_the_command_does_not_take_is_refused(api: Api):
    sid = await api.create()
    doc = (await upload(api, pdf())).json()
    r = await api.command(sid, "submit_protocol", "investigator", version="1.0",
                          document_sha256=doc["sha256"],
                          documents=[{"sha256": doc["sha256"], "kind": "ansm_decision"}])
    assert r.status_code in (409, 422), r.text
    assert r.json()["error"]["code"] == "document_kind_not_accepted"


async def test_participant_commands_take_no_document(api: Api):
    sid = await api.create()
    r = await api.post(f"/api/studies/{sid}/participants/P-001/commands",
                       {"type": "record_consent", "reason": "r", "kind": "written",
                        "consent_form_version": "1", "consented_on": "2026-01-01",
                        "documents": [{"sha256": "ab" * 32, "kind": "information_form"}]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "participant_document_refused"


async def test_a_download_streams_the_file_and_is_audited(api: Api, stack):
    content = pdf("download")
    doc = (await upload(api, content)).json()
    r = await api.get(f"/api/documents/{doc['sha256']}", "regulatory")
    assert r.status_code == 200 and r.content == content
    assert r.headers["content-type"] == "application/pdf"
    assert "protocol-v1.pdf" in r.headers["content-disposition"]
    read = await stack.pool.fetchrow(
        "SELECT actor, role, data FROM events WHERE type = 'DocumentRead' "
        "AND data->>'sha256' = $1", doc["sha256"])
    assert read["actor"] == "regulatory-user" and read["role"] == "regulatory"
    assert (await api.get(f"/api/documents/{'cd' * 32}")).status_code == 404


async def test_verify_names_an_altered_and_a_missing_document(api: Api, stack):
    altered = (await upload(api, pdf("to alter"))).json()
    missing = (await upload(api, pdf("to lose"))).json()
    pool = stack.pool
    try:
        await pool.execute("UPDATE document_chunks SET data = 'tampered' WHERE blob = $1",
                           altered["sha256"])
        await pool.execute("DELETE FROM document_chunks WHERE blob = $1", missing["sha256"])
        r = (await api.get("/api/audit/verify", "auditor")).json()
        assert r["ok"] is False
        problems = {p["sha256"]: p["problem"] for p in r["documents"]["problems"]}
        assert problems[altered["sha256"]] == "altered"
        assert problems[missing["sha256"]] == "missing"
        assert r["first_broken"]
        fr = (await api.http.get("/api/audit/verify", headers={
            **api.auth("auditor"), "Accept-Language": "fr"})).json()
        said = {p["sha256"]: p["message"] for p in fr["documents"]["problems"]}
        assert said[missing["sha256"]].startswith(f"le document {missing['sha256']}")
        assert said[missing["sha256"]].endswith(" est manquant")
        assert said[altered["sha256"]].endswith(" a été altéré")
        if "document" in fr["first_broken"]:  # no broken event: the first broken document
            assert fr["first_broken"]["code"] in ("missing", "altered")
            assert fr["first_broken"]["problem"].startswith("document ")
            assert fr["first_broken"]["message"].startswith("le document ")
    finally:  # the session's stack is shared: leave no broken document behind
        for sha in (altered["sha256"], missing["sha256"]):
            await pool.execute("DELETE FROM document_uploads WHERE sha256 = $1", sha)
            await pool.execute("DELETE FROM document_chunks WHERE blob = $1", sha)
            await pool.execute("DELETE FROM document_blobs WHERE sha256 = $1", sha)
    assert (await api.get("/api/audit/verify", "auditor")).json()["documents"]["problems"] == []


async def test_an_upload_cut_off_mid_way_leaves_nothing(api: Api, stack):
    """The client promises 2 MB, sends 1.5 MB of it and hangs up: the upload's transaction
    rolls back and no chunk, blob or upload row stays."""
    import asyncio
    from urllib.parse import urlsplit

    url = urlsplit(stack.web_url)
    boundary = "cutoff"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nprotocol\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            'filename="cut.pdf"\r\n\r\n').encode()
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    writer.write((f"POST /api/documents HTTP/1.1\r\nHost: {url.netloc}\r\n"
                  f"Authorization: Bearer {api.tokens['coordinator']}\r\n"
                  f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                  f"Content-Length: {len(head) + 2_000_000}\r\n\r\n").encode() + head
                 + b"%PDF-1.4\n" + b"x" * 1_500_000)
    await writer.drain()
    for _ in range(50):  # the first chunks reached the staging area
        if await stack.pool.fetchval(
                "SELECT count(*) FROM document_chunks WHERE blob LIKE 'upload:%'"):
            break
        await asyncio.sleep(0.05)
    writer.close()
    for _ in range(100):
        staged = await stack.pool.fetchval(
            "SELECT count(*) FROM document_chunks WHERE blob LIKE 'upload:%'")
        if staged == 0:
            break
        await asyncio.sleep(0.05)
    assert staged == 0
    assert await stack.pool.fetchval(
        "SELECT count(*) FROM document_uploads WHERE name = 'cut.pdf'") == 0


async def test_the_version_in_force_is_the_approved_one(api: Api):
    """The initial protocol is in force once the study is approved; an amendment's protocol
    only when its approvals are given: until then the page shows it as the latest, pending."""
    import scenarios

    sid = await api.create()
    v1 = (await upload(api, pdf("v1"), role="investigator")).json()
    await api.command(sid, "submit_protocol", "investigator", version="1.0",
                      document_sha256=v1["sha256"],
                      documents=[{"sha256": v1["sha256"], "kind": "protocol"}])
    for role, command in scenarios.riph1_walk(days_ago(0))[1:]:
        r = await api.post(f"/api/studies/{sid}/commands",
                           {**command, "reason": "walk"}, role)
        assert r.status_code == 200, r.text
    v2 = (await upload(api, pdf("v2"), name="protocol-v2.pdf", role="investigator")).json()
    letter = (await upload(api, pdf("amendment"), name="amendment.pdf", kind="amendment",
                           role="investigator")).json()
    r = await api.command(sid, "submit_amendment", "investigator", substantial=True,
                          description="new arm", protocol_version="2.0",
                          submitted_on=days_ago(0),
                          documents=[{"sha256": v2["sha256"], "kind": "protocol"},
                                     {"sha256": letter["sha256"], "kind": "amendment"}])
    assert r.status_code == 200, r.text
    versions = (await api.get(f"/api/studies/{sid}/documents")).json()["versions"]
    assert versions["protocol"]["in_force"]["sha256"] == v1["sha256"]
    assert versions["protocol"]["latest"]["sha256"] == v2["sha256"]
    assert versions["protocol"]["latest"]["status"] == "pending"


async def test_with_documents_required_a_fact_without_its_document_is_refused():
    """DOCUMENTS_REQUIRED: the API refuses the command before it reaches the study (409 naming
    the kind missing and its legal source); off, the same command passes."""
    from api.documents import resolve
    from domain import RuleViolation

    body = {"type": "record_ethics_opinion", "opinion": "favourable", "opinion_on": "2026-01-02",
            "reason": "r"}
    with pytest.raises(RuleViolation) as e:
        await resolve(None, body, required=True)
    assert e.value.code == "document_required"
    assert "ethics_opinion_letter" in e.value.message and "R1123-24" in e.value.message
    assert await resolve(None, body, required=False) == body
    assert await resolve(None, {"type": "assign_sponsor", "sponsor": "X"}, required=True)


async def test_query_values_that_cannot_be_audited_are_422_not_500(api: Api):
    doc = (await upload(api, pdf("query"))).json()
    r = await api.get(f"/api/documents/{doc['sha256']}?study=a%00b")
    assert r.status_code == 422
    sid = await api.create()
    r = await api.get(f"/api/studies/{sid}/dossier?reason=x%00y", "auditor")
    assert r.status_code == 422


async def test_the_protocol_attached_is_the_document_sha256_of_submit_protocol(api: Api):
    sid = await api.create()
    doc = (await upload(api, pdf("hash"), role="investigator")).json()
    ref = [{"sha256": doc["sha256"], "kind": "protocol"}]
    r = await api.command(sid, "submit_protocol", "investigator", version="1.0",
                          document_sha256="cd" * 32, documents=ref)
    assert r.status_code == 422 and r.json()["error"]["code"] == "document_sha256_mismatch"
    r = await api.command(sid, "submit_protocol", "investigator", version="1.0", documents=ref)
    assert r.status_code == 200, r.text
    events = (await api.get(f"/api/studies/{sid}/events")).json()
    submitted = next(e for e in events if e["type"] == "ProtocolSubmitted")
    assert submitted["data"]["document_sha256"] == doc["sha256"]
