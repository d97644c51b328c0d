"""Audit exports an inspector can check: the trail as JSON lines or CSV, with a manifest (count,
first and last seq, the head hash of every stream, the file's sha256). Every export is itself
recorded in the operations stream: who exported what, when, why."""

import csv
import hashlib
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal

from domain.legal_time import effective_on

from .chain import OPERATIONS, canonical, timestamp
from .models import StoredEvent
from .port import EventStorePort

# excel: the CSV a French Excel opens (api/excel.py renders it, in the reader's language)
Format = Literal["jsonl", "csv", "excel"]
FIELDS = ["seq", "study_id", "version", "type", "actor", "role", "at", "effective_on", "reason",
          "data", "prev_hash", "hash", "signature"]


def audit_row(e: StoredEvent) -> dict[str, Any]:
    """An event as the contract shows it (GET /api/studies/{id}/events, the exports)."""
    effective = effective_on(e.type, e.data)
    return {"seq": e.seq, "study_id": e.stream_id, "version": e.version, "type": e.type,
            "actor": e.actor, "role": e.role, "at": timestamp(e.recorded_at),
            "effective_on": effective.isoformat() if effective else None,
            "reason": e.reason, "data": e.data, "prev_hash": e.prev_hash, "hash": e.hash,
            # the electronic signature's manifestation (printed name, UTC time, meaning), if any
            "signature": e.signature}


def signature_line(signature: dict[str, Any]) -> str:
    """A signature's manifestation in one line of words (21 CFR 11.50(a))."""
    return (f"{signature.get('printed_name')} - {signature.get('meaning')} - "
            f"{signature.get('signed_at')} (UTC)")


def render(rows: list[dict[str, Any]], fmt: Format) -> str:
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS)
    writer.writeheader()
    for r in rows:
        signature = r.get("signature")
        writer.writerow({**r, "data": json.dumps(r["data"], ensure_ascii=False, sort_keys=True),
                         "signature": signature_line(signature) if signature else ""})
    return out.getvalue()


async def export(store: EventStorePort, study_id: str | None, fmt: Format, *, actor: str, role: str,
                 reason: str, renderer: Callable[[list[dict[str, Any]]], str] | None = None
                 ) -> tuple[str, dict[str, Any]]:
    """The export's text and its manifest; the manifest is recorded as an `AuditExported` event
    (its seq is in the manifest) before the text is handed out."""
    rows: list[dict[str, Any]] = []
    after = 0
    while batch := await store.events_after(after, study_id, 5000):
        rows.extend(audit_row(e) for e in batch)
        after = batch[-1].seq
    text = renderer(rows) if renderer else render(rows, fmt)
    heads = {r["study_id"]: {"version": r["version"], "hash": r["hash"]} for r in rows}
    manifest: dict[str, Any] = {
        "scope": study_id or "all", "format": fmt, "count": len(rows),
        "first_seq": rows[0]["seq"] if rows else None,
        "last_seq": rows[-1]["seq"] if rows else None,
        "sha256": hashlib.sha256(text.encode()).hexdigest(), "bytes": len(text.encode()),
        "heads": heads, "exported_at": datetime.now(UTC).isoformat(), "exported_by": actor,
    }
    # the event keeps a digest of the heads: a global export would otherwise weigh a megabyte
    recorded = {k: v for k, v in manifest.items() if k != "heads"} | {
        "streams": len(heads), "heads_sha256": hashlib.sha256(
            canonical(heads).encode()).hexdigest()}
    event = await store.record(OPERATIONS, "AuditExported", recorded, actor=actor, role=role,
                               reason=reason)
    return text, {**manifest, "streams": len(heads), "heads_sha256": recorded["heads_sha256"],
                  "recorded_seq": event.seq, "recorded_hash": event.hash}
