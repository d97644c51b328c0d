"""Documents behind the facts: which kinds a command takes and requires (regulation.
DOCUMENT_RULES), the event that attaches them, and the versions they make. The files themselves
live in a content-addressed store (store/documents): the domain sees their hash, size, media
type, original name and kind, which the event carries so that the hash chain covers them."""

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import Field

from .errors import InputRefused
from .model import DocumentKind, Frozen
from .regulation import DOCUMENT_RULES, INVESTIGATOR_FILE, PARTICIPANT_DOCUMENTS, DocumentRule

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
