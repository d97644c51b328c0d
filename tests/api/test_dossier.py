"""The inspection dossier: written over HTTP, verified offline after a round trip, and every
kind of tampering named by `studyflow dossier verify`."""

import json
import zipfile
from pathlib import Path

from typer.testing import CliRunner

from cli.dossier import verify_zip
from cli.main import app
from tests.api.conftest import Api
from tests.api.documents_helpers import pdf, upload


async def _dossier(api: Api, tmp_path: Path) -> tuple[str, Path, dict]:
    sid = await api.create(title="DOSSIER")
    doc = (await upload(api, pdf("dossier"), role="investigator")).json()
    r = await api.command(sid, "submit_protocol", "investigator", version="1.0",
                          document_sha256=doc["sha256"],
                          documents=[{"sha256": doc["sha256"], "kind": "protocol"}])
    assert r.status_code == 200, r.text
    r = await api.http.get(f"/api/studies/{sid}/dossier", headers=api.auth("auditor"),
                           params={"reason": "ANSM inspection"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/zip"
    path = tmp_path / "dossier.zip"
    path.write_bytes(r.content)
    return sid, path, doc


def _rewrite(src: Path, dst: Path, change: dict[str, bytes | None]) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for name in zin.namelist():
            if name in change:
                if change[name] is not None:
                    zout.writestr(name, change[name])  # type: ignore[arg-type]
                continue
            zout.writestr(name, zin.read(name))


async def test_the_dossier_holds_documents_trail_summary_and_manifest(api: Api, tmp_path, stack):
    sid, path, doc = await _dossier(api, tmp_path)
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
        assert {"audit/trail.jsonl", "audit/trail.csv", "summary.pdf", "export.json"} <= names
        assert zf.read("summary.pdf").startswith(b"%PDF")
        [entry] = manifest["documents"]
        assert entry["sha256"] == doc["sha256"] and entry["version"] == "1.0"
        assert entry["path"] in names
        assert set(manifest["files"]) == names - {"manifest.json", "export.json"}
    assert verify_zip(path) == []
    recorded = await stack.pool.fetchrow(
        "SELECT actor, reason FROM events WHERE type = 'DossierExported' "
        "AND data->>'study_id' = $1", sid)
    assert recorded["actor"] == "auditor-user" and recorded["reason"] == "ANSM inspection"
    result = CliRunner().invoke(app, ["dossier", "verify", str(path)])
    assert result.exit_code == 0, result.output
    assert "dossier intact" in result.output


async def test_verify_names_a_tampered_document_a_missing_file_and_an_altered_trail(
        api: Api, tmp_path):
    _, path, _ = await _dossier(api, tmp_path)
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        doc_path = manifest["documents"][0]["path"]
        chain = zf.read("audit/chain.jsonl").decode().splitlines()
    tampered = tmp_path / "tampered.zip"
    _rewrite(path, tampered, {doc_path: b"%PDF-1.4 forged"})
    result = CliRunner().invoke(app, ["dossier", "verify", str(tampered)])
    assert result.exit_code == 1 and doc_path in result.output
    missing = tmp_path / "missing.zip"
    _rewrite(path, missing, {"summary.pdf": None})
    assert any("summary.pdf is missing" in p for p in verify_zip(missing))
    first = json.loads(chain[0])
    first["data"]["title"] = "FORGED"
    forged = tmp_path / "forged.zip"
    _rewrite(path, forged, {"audit/chain.jsonl": "\n".join(
        [json.dumps(first), *chain[1:]]).encode() + b"\n"})
    problems = verify_zip(forged)
    assert any("audit/chain.jsonl was altered" in p for p in problems)
    assert any("version 1" in p and "altered" in p for p in problems)
    manifest["files"][doc_path]["sha256"] = "0" * 64
    relabelled = tmp_path / "relabelled.zip"
    _rewrite(path, relabelled, {"manifest.json": json.dumps(manifest).encode()})
    assert any("manifest.json was altered" in p for p in verify_zip(relabelled))


async def test_the_dossier_is_for_the_study_staff_and_the_inspector(api: Api):
    sid = await api.create()
    r = await api.http.get(f"/api/studies/{sid}/dossier", headers=api.auth("admin"))
    assert r.status_code == 403
    r = await api.http.get("/api/studies/nope/dossier", headers=api.auth("auditor"))
    assert r.status_code == 404
