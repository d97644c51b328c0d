"""Documents behind the facts: which kinds a command takes and requires (regulation.
DOCUMENT_RULES), the event that attaches them, and the versions they make. The files themselves
live in a content-addressed store (store/documents): the domain sees their hash, size, media
type, original name and kind, which the event carries so that the hash chain covers them."""

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import Field

from .errors import InputRefused
from .model import DocumentKind, Frozen
from .regulation import (
    DOCUMENT_RULES,
    INVESTIGATOR_FILE,
    PARTICIPANT_DOCUMENTS,
    DocumentRule,
)
from .regulation import (
    VERSIONED_DOCUMENTS as VERSIONED,
)

NO_RULE = DocumentRule(accepts=frozenset(), source="-")
# the command fields that name the version a document is
VERSION_FIELDS = ("version", "protocol_version", "consent_form_version")


class DocumentRef(Frozen):
    """A document a command references. The API fills in what the store knows of it (size,
    media type, name): a reference it could not resolve is refused."""

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    kind: str
    size: int | None = None
    media_type: str | None = None
    name: str | None = None


class AttachedDocument(Frozen):
    sha256: str
    size: int
    media_type: str
    name: str
    kind: DocumentKind


def kind_of(kind: str) -> DocumentKind:
    """The document kind named, or the rule that refuses it (a participant's document, a kind
    StudyFlow does not know)."""
    if kind in PARTICIPANT_DOCUMENTS:
        raise InputRefused("participant_document_refused",
                           f"{kind!r} is a document about one participant: {INVESTIGATOR_FILE}")
    try:
        return DocumentKind(kind)
    except ValueError:
        raise InputRefused("unknown_document_kind",
                           f"unknown document kind {kind!r} (one of: "
                           f"{', '.join(k.value for k in DocumentKind)})") from None


def attach(command_type: str, refs: Sequence[DocumentRef]) -> list[AttachedDocument]:
    """The documents a command attaches, each of a kind that command takes and resolved by the
    store; the first that is not, refused naming its rule."""
    rule = DOCUMENT_RULES.get(command_type, NO_RULE)
    out: list[AttachedDocument] = []
    for ref in refs:
        kind = kind_of(ref.kind)
        if kind not in rule.accepts:
            takes = ", ".join(sorted(k.value for k in rule.accepts)) or "no document"
            raise InputRefused("document_kind_not_accepted",
                               f"{command_type} does not take a document of kind {kind.value} "
                               f"(it takes: {takes}; {rule.source})")
        if ref.size is None or ref.media_type is None or ref.name is None:
            raise InputRefused("unknown_document", f"no stored document {ref.sha256}: upload "
                               "it first (POST /api/documents)")
        out.append(AttachedDocument(sha256=ref.sha256, size=ref.size, media_type=ref.media_type,
                                    name=ref.name, kind=kind))
    if len({d.sha256 for d in out}) != len(out):
        raise InputRefused("duplicate_document", "the same document is referenced twice")
    return out


def missing_required(command_type: str, kinds: Iterable[str]) -> list[str]:
    """The kinds `command_type` requires that `kinds` lacks (where the unit requires them)."""
    rule = DOCUMENT_RULES.get(command_type, NO_RULE)
    return sorted(k.value for k in rule.requires - set(kinds))


def require_documents(command_type: str, kinds: Iterable[str]) -> None:
    if missing := missing_required(command_type, kinds):
        source = DOCUMENT_RULES[command_type].source
        raise InputRefused("document_required", f"{command_type} records a fact that rests on "
                           f"a document: attach the {', '.join(missing)} ({source})")


def version_of(command: dict[str, Any]) -> str | None:
    return next((str(command[f]) for f in VERSION_FIELDS if command.get(f)), None)


# --- versions ----------------------------------------------------------------------------------
# the study's own review approved: the initial file's documents are in force from then on
_APPROVED_STATUSES = {"ready", "recruiting", "follow_up", "ended", "results_reported", "archived",
                      "suspended"}
# documents that take effect when recorded (the unit issues its own forms once approved)
_IN_FORCE_AT_ONCE = {"issue_consent_form"}


def history(trail: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The study's documents read from its audit trail (events as dicts: seq, type, data,
    actor, at, reason): each with the fact that attached it and its status (`recorded` for
    documents that have no versions to approve), `approved` once
    its approvals are given (the study's review for the initial file, the amendment's for an
    amendment's documents), `pending` before, `rejected` if refused; and, for each versioned
    kind, the version in force (the latest approved) and the latest submitted."""
    approved_at: int | None = None
    rejected = False
    amendments: dict[str, str] = {}
    for e in trail:
        data = e["data"]
        if e["type"] == "StudyStatusChanged" and approved_at is None \
                and data.get("to_status") in _APPROVED_STATUSES:
            approved_at = e["seq"]
        elif e["type"] == "StudyStatusChanged" and data.get("to_status") == "rejected":
            rejected = True
        elif e["type"] == "AmendmentSubmitted" and not data.get("substantial"):
            amendments[data["amendment_id"]] = "approved"  # takes effect as recorded
        elif e["type"] == "AmendmentSubmitted":
            amendments[data["amendment_id"]] = "pending"
        elif e["type"] == "AmendmentDecided":
            amendments[data["amendment_id"]] = data["outcome"]
    docs: list[dict[str, Any]] = []
    for e in trail:
        if e["type"] != "DocumentsAttached":
            continue
        data = e["data"]
        if data.get("amendment_id"):
            status = amendments.get(data["amendment_id"], "pending")
        elif data["command"] in _IN_FORCE_AT_ONCE or approved_at is not None:
            status = "approved"
        else:
            status = "rejected" if rejected else "pending"
        for d in data["documents"]:
            # a certificate, a letter, a receipt: a record of the fact, not a version approved
            shown = status if d["kind"] in VERSIONED or data.get("amendment_id") \
                else "recorded"
            docs.append({**d, "version": data.get("version"), "command": data["command"],
                         "amendment_id": data.get("amendment_id"), "status": shown,
                         "seq": e["seq"], "attached_by": e["actor"], "attached_at": e["at"],
                         "reason": e["reason"]})
    versions: dict[str, dict[str, Any]] = {}
    for kind in sorted(k.value for k in VERSIONED):
        of_kind = [d for d in docs if d["kind"] == kind]
        if not of_kind:
            continue
        approved = [d for d in of_kind if d["status"] == "approved"]
        versions[kind] = {"in_force": approved[-1] if approved else None,
                          "latest": of_kind[-1], "count": len(of_kind)}
    return {"documents": docs, "versions": versions}
