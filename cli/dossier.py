"""`studyflow dossier`: a study's inspection dossier, and its verification, which an inspector
runs on the zip alone (no server): every file against the manifest, the manifest against the
export's audit record, the audit trail's hash chain re-computed up to the head the manifest
names, every document against its own SHA-256 and the trail that attached it."""

import hashlib
import json
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from store.chain import GENESIS, event_hash

from .common import DEFAULT_DIR, DataDir, Token, console, fail

MANIFEST, EXPORT, CHAIN = "manifest.json", "export.json", "audit/chain.jsonl"

app = typer.Typer(help="The inspection dossier of a study: write it, verify it.",
                  invoke_without_command=True)


def _sha(zf: zipfile.ZipFile, name: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with zf.open(name) as f:
        while data := f.read(1 << 20):
            digest.update(data)
            size += len(data)
    return digest.hexdigest(), size


def _chain_problems(lines: list[dict[str, Any]], head: dict[str, Any]) -> list[str]:
    problems, prev = [], GENESIS
    for e in lines:
        if e["prev_hash"] != prev:
            problems.append(f"audit chain broken at version {e['version']} (seq {e['seq']}): "
                            "prev_hash does not follow")
        content = {k: e[k] for k in ("stream_id", "version", "type", "data", "actor", "role",
                                     "reason", "idempotency_key")}
        recomputed = event_hash(e["prev_hash"], **content,
                                recorded_at=datetime.fromisoformat(e["recorded_at"]),
                                signature=e.get("signature"))
        if recomputed != e["hash"]:
            problems.append(f"audit event at version {e['version']} (seq {e['seq']}) was "
                            "altered: its hash does not match its content")
        prev = e["hash"]
    if len(lines) != head.get("events") or prev != (head.get("hash") or GENESIS):
        problems.append("the audit trail does not end at the chain head the manifest names")
    return problems


def verify_zip(path: Path) -> list[str]:
    """What fails in the dossier at `path` ([] if every hash holds)."""
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as e:
        return [f"not a readable zip: {e}"]
    with zf:
        names = set(zf.namelist())
        if MANIFEST not in names:
            return ["manifest.json is missing"]
        manifest_bytes = zf.read(MANIFEST)
        manifest = json.loads(manifest_bytes)
        problems: list[str] = []
        if EXPORT in names:
            export = json.loads(zf.read(EXPORT))
            if export.get("manifest_sha256") != hashlib.sha256(manifest_bytes).hexdigest():
                problems.append("manifest.json was altered: its hash is not the one the export "
                                f"recorded (audit seq {export.get('recorded_seq')})")
        else:
            problems.append("export.json (the export's audit record) is missing")
        files: dict[str, dict[str, Any]] = manifest.get("files", {})
        for name, expected in sorted(files.items()):
            if name not in names:
                problems.append(f"{name} is missing")
                continue
            sha, size = _sha(zf, name)
            if sha != expected["sha256"] or size != expected["size"]:
                problems.append(f"{name} was altered (sha256 {sha}, manifest "
                                f"{expected['sha256']})")
        for name in sorted(names - set(files) - {MANIFEST, EXPORT}):
            if not name.endswith("/"):
                problems.append(f"{name} is not in the manifest")
        lines = ([json.loads(x) for x in zf.read(CHAIN).decode().splitlines() if x]
                 if CHAIN in names else [])
        problems += _chain_problems(lines, manifest.get("chain_head", {}))
        attached = {d["sha256"] for e in lines if e["type"] == "DocumentsAttached"
                    for d in e["data"].get("documents", [])}
        for d in manifest.get("documents", []):
            if d["path"] in names and files.get(d["path"], {}).get("sha256") != d["sha256"]:
                problems.append(f"{d['path']} is not the document {d['sha256']}")
            if d["sha256"] not in attached:
                problems.append(f"{d['path']}: no fact of the audit trail attached it")
        return problems


@app.callback()
def dossier(ctx: typer.Context,
            study: Annotated[str | None, typer.Option(help="The study's id.")] = None,
            output: Annotated[Path | None, typer.Option(help="The zip to write.")] = None,
            reason: Annotated[str, typer.Option(help="Why (goes to the audit).")] =
            "inspection dossier",
            token: Token = None, data_dir: DataDir = DEFAULT_DIR) -> None:
    """`studyflow dossier --study ID --output FILE.zip` writes the study's inspection dossier
    (through the running stack's API; the export is audited)."""
    if ctx.invoked_subcommand is not None:
        return
    if not study or not output:
        fail("--study ID and --output FILE.zip are needed (or: dossier verify FILE.zip)")
    download(data_dir, token, f"/api/studies/{study}/dossier", {"reason": reason}, output)
    problems = verify_zip(output)
    console.print(f"dossier of {study} written to {output}"
                  + (f" ({len(problems)} problems)" if problems else ", every hash holds"),
                  soft_wrap=True)  # a path cut across lines cannot be copied


@app.command("verify")
def verify(path: Annotated[Path, typer.Argument(metavar="FILE.zip")]) -> None:
    """Exit 0 if every hash of the dossier holds, 1 naming what does not."""
    problems = verify_zip(path)
    for p in problems:
        print(f"FAILED: {p}")
    if problems:
        raise typer.Exit(1)
    manifest = json.loads(zipfile.ZipFile(path).read(MANIFEST))
    print(f"dossier intact: {len(manifest['files'])} files, {len(manifest['documents'])} "
          f"documents, audit chain of {manifest['chain_head']['events']} events ends at "
          f"{manifest['chain_head']['hash']}")


def download(data_dir: Path, token: str | None, path: str, params: dict[str, str],
             output: Path) -> None:
    import httpx

    from bootstrap import read_stack_file

    info = read_stack_file(data_dir)
    if not info:
        fail(f"no running stack in {data_dir}: start `studyflow up` first")
    if not token:
        fail("a token is needed: --token or STUDYFLOW_TOKEN (studyflow token create)")
    with httpx.stream("GET", info["web_url"] + path, params=params, timeout=600,
                      headers={"Authorization": f"Bearer {token}"}) as r:
        if r.status_code >= 400:
            r.read()
            fail(f"{r.status_code}: {r.text}", 1)
        with output.open("wb") as f:
            for data in r.iter_bytes():
                f.write(data)
