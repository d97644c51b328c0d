"""Documents on the study page: a sign-off form takes the file behind its fact, the page lists
it with its version, and a signed-in person downloads it (audited) and the dossier."""

import hashlib
import html
import re

from tests.api.conftest import Api, signed_in
from tests.api.documents_helpers import pdf


async def test_a_sign_off_form_takes_the_file_and_the_page_lists_it(api: Api, stack):
    sid = await api.create(title="PAGE DOCUMENTS")
    content = pdf("page")
    async with signed_in(api, "investigator") as browser:
        page = await browser.get(f"/studies/{sid}")
        assert 'id="submit_protocol-document"' in page.text
        assert 'enctype="multipart/form-data"' in page.text
        assert 'name="documents"' not in page.text  # the file has its own field
        assert "investigator's file" in html.unescape(page.text)
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        r = await browser.post(f"/studies/{sid}/commands", data={
            "csrf": csrf, "type": "submit_protocol", "version": "1.0",
            "document_sha256": "", "document_kind": "protocol",
            "reason": "protocol v1 from the page"},
            files={"document": ("Protocole v1.pdf", content, "application/pdf")})
        assert r.status_code == 303, r.text
        events = (await api.get(f"/api/studies/{sid}/events")).json()
        submitted = next(e for e in events if e["type"] == "ProtocolSubmitted")
        assert submitted["data"]["document_sha256"] == hashlib.sha256(content).hexdigest()
        page = await browser.get(f"/studies/{sid}")
        assert "Protocole v1.pdf" in page.text and 'id="h-documents"' in page.text
        link = re.search(rf'href="(/studies/{sid}/documents/[0-9a-f]{{64}})"', page.text)
        assert link
        got = await browser.get(link.group(1))
        assert got.status_code == 200 and got.content == content
    async with signed_in(api, "coordinator") as browser:
        page = await browser.get(f"/studies/{sid}")
        assert 'id="dossier"' in page.text
        dossier = await browser.get(f"/studies/{sid}/dossier")
        assert dossier.status_code == 200 and dossier.content[:2] == b"PK"


async def test_a_refused_file_comes_back_on_the_page(api: Api):
    sid = await api.create(title="PAGE REFUSAL")
    async with signed_in(api, "investigator") as browser:
        page = await browser.get(f"/studies/{sid}")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        r = await browser.post(f"/studies/{sid}/commands", data={
            "csrf": csrf, "type": "submit_protocol", "version": "1.0",
            "document_sha256": "ab" * 32, "document_kind": "protocol", "reason": "exe"},
            files={"document": ("tool.pdf", b"MZ\x90\x00" + bytes(100), "application/pdf")})
        assert r.status_code == 415 and 'role="alert"' in r.text


async def test_a_file_uploaded_before_a_re_authentication_comes_back_by_reference(api: Api):
    """An account that signs at the directory leaves the page and comes back with the form's
    fields: the file went up first, its reference (`document_refs`) makes the round trip."""
    from tests.api.documents_helpers import upload

    sid = await api.create(title="PAGE ROUND TRIP")
    doc = (await upload(api, pdf("round trip"), role="investigator")).json()
    async with signed_in(api, "investigator") as browser:
        page = await browser.get(f"/studies/{sid}")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        r = await browser.post(f"/studies/{sid}/commands", data={
            "csrf": csrf, "type": "submit_protocol", "version": "1.0",
            "document_refs": f"protocol:{doc['sha256']}", "reason": "back from signing"})
        assert r.status_code == 303, r.text
    events = (await api.get(f"/api/studies/{sid}/events")).json()
    attached = next(e for e in events if e["type"] == "DocumentsAttached")
    assert attached["data"]["documents"][0]["sha256"] == doc["sha256"]
