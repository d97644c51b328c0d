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

from .common import (
    DEFAULT_DIR,
    DataDir,
    Token,
    _,
    console,
    fail,
    headers,
    no_stack,
    no_token,
    refused,
)

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
            problems.append(_("audit chain broken at version {version} (seq {seq}): "
                              "prev_hash does not follow").format(version=e["version"],
                                                                  seq=e["seq"]))
        content = {k: e[k] for k in ("stream_id", "version", "type", "data", "actor", "role",
                                     "reason", "idempotency_key")}
        recomputed = event_hash(e["prev_hash"], **content,
                                recorded_at=datetime.fromisoformat(e["recorded_at"]),
                                signature=e.get("signature"))
        if recomputed != e["hash"]:
            problems.append(_("audit event at version {version} (seq {seq}) was altered: its "
                              "hash does not match its content").format(version=e["version"],
                                                                        seq=e["seq"]))
        prev = e["hash"]
    if len(lines) != head.get("events") or prev != (head.get("hash") or GENESIS):
        problems.append(_("the audit trail does not end at the chain head the manifest names"))
    return problems


def verify_zip(path: Path) -> list[str]:
    """What fails in the dossier at `path` ([] if every hash holds)."""
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as e:
        return [_("not a readable zip: {error}").format(error=e)]
    with zf:
        names = set(zf.namelist())
        if MANIFEST not in names:
            return [_("{name} is missing").format(name=MANIFEST)]
        manifest_bytes = zf.read(MANIFEST)
        manifest = json.loads(manifest_bytes)
        problems: list[str] = []
        if EXPORT in names:
            export = json.loads(zf.read(EXPORT))
            if export.get("manifest_sha256") != hashlib.sha256(manifest_bytes).hexdigest():
                problems.append(_("manifest.json was altered: its hash is not the one the "
                                  "export recorded (audit seq {seq})").format(
                                      seq=export.get("recorded_seq")))
        else:
            problems.append(_("export.json (the export's audit record) is missing"))
        files: dict[str, dict[str, Any]] = manifest.get("files", {})
        for name, expected in sorted(files.items()):
            if name not in names:
                problems.append(_("{name} is missing").format(name=name))
                continue
            sha, size = _sha(zf, name)
            if sha != expected["sha256"] or size != expected["size"]:
                problems.append(_("{name} was altered (sha256 {sha}, manifest {expected})")
                                .format(name=name, sha=sha, expected=expected["sha256"]))
        for name in sorted(names - set(files) - {MANIFEST, EXPORT}):
            if not name.endswith("/"):
                problems.append(_("{name} is not in the manifest").format(name=name))
        lines = ([json.loads(x) for x in zf.read(CHAIN).decode().splitlines() if x]
                 if CHAIN in names else [])
        problems += _chain_problems(lines, manifest.get("chain_head", {}))
        attached = {d["sha256"] for e in lines if e["type"] == "DocumentsAttached"
                    for d in e["data"].get("documents", [])}
        for d in manifest.get("documents", []):
            if d["path"] in names and files.get(d["path"], {}).get("sha256") != d["sha256"]:
                problems.append(_("{name} is not the document {sha}").format(
                    name=d["path"], sha=d["sha256"]))
            if d["sha256"] not in attached:
                problems.append(_("{name}: no fact of the audit trail attached it").format(
                    name=d["path"]))
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
        fail(_("--study ID and --output FILE.zip are needed (or: dossier verify FILE.zip)"))
    download(data_dir, token, f"/api/studies/{study}/dossier", {"reason": reason}, output)
    problems = verify_zip(output)
    console.print((_("dossier of {study} written to {output} ({n} problems)") if problems else
                   _("dossier of {study} written to {output}, every hash holds")).format(
                       study=study, output=output, n=len(problems)),
                  soft_wrap=True)  # a path cut across lines cannot be copied


@app.command("verify")
def verify(path: Annotated[Path, typer.Argument(metavar="FILE.zip")]) -> None:
    """Exit 0 if every hash of the dossier holds, 1 naming what does not."""
    problems = verify_zip(path)
    for p in problems:
        print(_("FAILED: {problem}").format(problem=p))
    if problems:
        raise typer.Exit(1)
    manifest = json.loads(zipfile.ZipFile(path).read(MANIFEST))
    print(_("dossier intact: {files} files, {documents} documents, audit chain of {events} "
            "events ends at {hash}").format(
        files=len(manifest["files"]), documents=len(manifest["documents"]),
        events=manifest["chain_head"]["events"], hash=manifest["chain_head"]["hash"]))


def download(data_dir: Path, token: str | None, path: str, params: dict[str, str],
             output: Path) -> None:
    import httpx

    from bootstrap import read_stack_file

    info = read_stack_file(data_dir)
    if not info:
        no_stack(data_dir)
    if not token:
        no_token()
    with httpx.stream("GET", info["web_url"] + path, params=params, timeout=600,
                      headers=headers(token)) as r:
        if r.status_code >= 400:
            r.read()
            refused(r)
        with output.open("wb") as f:
            for data in r.iter_bytes():
                f.write(data)
