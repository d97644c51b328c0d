"""Documents in a real browser: the insurance certificate attached in the sign-off form, listed
on the study page with who uploaded it and why, downloaded (and audited), the dossier button."""

from pathlib import Path

from scenarios import document_file

from .conftest import SHOTS
from .test_browser import login, seed


async def test_upload_in_the_sign_off_form_then_download_from_the_page(page, stack, tokens,
                                                                      tmp_path: Path):
    sid = await seed(stack, tokens, "Browser documents study", late=False)
    certificate = tmp_path / "attestation-assurance.pdf"
    certificate.write_bytes(document_file(certificate.name, "Attestation d'assurance",
                                          ["Relyens, police RC-77"]))
    await login(page, tokens["coordinator"])
    await page.goto(f"/studies/{sid}")
    await page.locator("#form-record_insurance summary").click()
    form = page.get_by_role("form", name="Record the insurance (assurance)")
    await form.get_by_label("insurer").fill("Relyens")
    await form.get_by_label("policy").fill("RC-77")
    await page.locator("#record_insurance-document-kind").select_option("insurance_certificate")
    await page.locator("#record_insurance-document").set_input_files(str(certificate))
    await form.get_by_label("Reason (for the audit trail)").fill("certificate received")
    await page.locator("#form-record_insurance").screenshot(path=SHOTS / "sign-off-with-file.png")
    await form.get_by_role("button").click()
    await page.wait_for_url(f"**/studies/{sid}#audit")
    section = page.locator("#documents")
    listed = await section.inner_text()
    assert "attestation-assurance.pdf" in listed and "insurance certificate" in listed
    assert "coordinator-user" in listed and "certificate received" in listed
    assert "investigator's file" in listed
    await section.scroll_into_view_if_needed()
    await page.screenshot(path=SHOTS / "study-documents.png", full_page=True)
    async with page.expect_download() as info:
        await section.get_by_role("link", name="attestation-assurance.pdf").click()
    download = await info.value
    saved = tmp_path / "downloaded.pdf"
    await download.save_as(saved)
    assert saved.read_bytes() == certificate.read_bytes()
    read = await stack.pool.fetchval(
        "SELECT count(*) FROM events WHERE type = 'DocumentRead' AND data->>'study_id' = $1",
        sid)
    assert read == 1
    async with page.expect_download() as info:
        await page.locator("#dossier").click()
    dossier = await info.value
    assert (await dossier.path()).read_bytes()[:2] == b"PK"  # type: ignore[union-attr]
