"""The inspection dossier of a study, as one zip an inspector takes away: every document in its
version history, the audit trail (JSON lines and CSV, and the chain's full content to re-hash),
a PDF summary, and a manifest with every file's hash and the study chain's head. The export is
itself recorded in the operations stream with the manifest's hash (export.json names that
record), so that the manifest is pinned by the audit's own hash chain."""

import hashlib
import json
import re
import tempfile
import zipfile
from datetime import UTC, datetime
from typing import IO, Any

from domain import Actor, documents
from store import EventStore, operations
from store.audit import audit_row, render
from store.chain import timestamp
from store.documents import DocumentStore

from . import dossier_pdf
from .deps import require_may_operate

MANIFEST = "manifest.json"
EXPORT = "export.json"  # the audit record of this export: outside the manifest it pins
CHAIN = "audit/chain.jsonl"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _safe(text: str) -> str:
    return _UNSAFE.sub("_", text).strip("_") or "file"


def chain_line(e: Any) -> dict[str, Any]:
    """Everything an event's hash covers (store/chain.py event_body), to re-hash offline."""
    return {"seq": e.seq, "stream_id": e.stream_id, "version": e.version, "type": e.type,
            "data": e.data, "actor": e.actor, "role": e.role, "reason": e.reason,
            "recorded_at": timestamp(e.recorded_at), "idempotency_key": e.idempotency_key,
            "signature": e.signature, "prev_hash": e.prev_hash, "hash": e.hash}


class _Writer:
    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.files: dict[str, dict[str, Any]] = {}

    def add(self, path: str, data: bytes) -> None:
        self.zf.writestr(path, data)
        self.files[path] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}

    async def add_stream(self, path: str, chunks: Any) -> None:
        digest, size = hashlib.sha256(), 0
        with self.zf.open(path, "w", force_zip64=True) as out:
            async for data in chunks:
                out.write(data)
                digest.update(data)
                size += len(data)
        self.files[path] = {"sha256": digest.hexdigest(), "size": size}


async def build(store: EventStore, docs: DocumentStore, study: dict[str, Any], actor: Actor,
                reason: str) -> IO[bytes]:
    """The dossier, in a temporary file (documents are streamed into it, never held whole in
    memory); the export is recorded in the operations stream."""
    require_may_operate(actor, "export_dossier")
    study_id = study["id"]
    events = await store.read_stream(study_id)
    generated_at = timestamp(datetime.now(UTC))
    head = events[-1].hash if events else ""
    rows = [audit_row(e) for e in events]
    trail = [{"seq": e.seq, "type": e.type, "data": e.data, "actor": e.actor, "role": e.role,
              "reason": e.reason, "at": timestamp(e.recorded_at)} for e in events]
    history = documents.history(trail)
    out = tempfile.SpooledTemporaryFile(max_size=8 << 20)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        w = _Writer(zf)
        listed = []
        for i, d in enumerate(history["documents"], 1):
            path = (f"documents/{d['kind']}/{i:03d}_v{_safe(d['version'] or '-')}_"
                    f"{d['sha256'][:12]}_{_safe(d['name'])}")
            await w.add_stream(path, docs.read(d["sha256"]))
            listed.append({**d, "path": path})
        w.add("audit/trail.jsonl", render(rows, "jsonl").encode())
        w.add("audit/trail.csv", render(rows, "csv").encode())
        w.add(CHAIN, "".join(json.dumps(chain_line(e), ensure_ascii=False, default=str) + "\n"
                             for e in events).encode())
        w.add("documents/versions.json",
              json.dumps(history["versions"], indent=2, default=str).encode())
        w.add("summary.pdf", dossier_pdf.summary(study, rows, generated_at, head))
        manifest = {"study_id": study_id, "title": study.get("title"),
                    "generated_at": generated_at, "generated_by": actor.name,
                    "chain_head": {"stream_id": study_id, "events": len(events), "hash": head},
                    "documents": listed, "files": w.files}
        manifest_bytes = json.dumps(manifest, indent=2, ensure_ascii=False,
                                    default=str).encode()
        zf.writestr(MANIFEST, manifest_bytes)
        manifest_sha = hashlib.sha256(manifest_bytes).hexdigest()
        recorded = await operations.record(store, "DossierExported", {
            "study_id": study_id, "manifest_sha256": manifest_sha, "chain_head": head,
            "documents": len(listed)}, by=actor.name, role=actor.role.value, reason=reason)
        zf.writestr(EXPORT, json.dumps({
            "manifest_sha256": manifest_sha, "recorded_seq": recorded.seq,
            "recorded_hash": recorded.hash, "recorded_at": timestamp(recorded.recorded_at),
            "recorded_by": recorded.actor}, indent=2).encode())
    out.seek(0)
    return out
