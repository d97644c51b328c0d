"""What an uploaded file must be: a name without a path or control characters, some content, a
type on the allowlist read from the content itself (regulation.DOCUMENT_MEDIA_TYPES), within
the size limit. Each refusal carries its HTTP status and a stable code."""

import re

import filetype  # type: ignore[import-untyped]

from domain.regulation import DOCUMENT_MEDIA_TYPES

HEAD_BYTES = 8192  # enough of the start of a file to tell its type
# NUL, the C0 controls, DEL and the C1 controls; no path separators
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f/\\]")
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class DocumentRefused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def check_name(name: str | None) -> str:
    """The original name, kept as sent: a name, never a path."""
    if not name or not name.strip():
        raise DocumentRefused(422, "invalid_document_name", "the file has no name")
    if _BAD_NAME.search(name) or name.strip() in (".", "..") or len(name) > 255:
        raise DocumentRefused(422, "invalid_document_name",
                              f"the file name {name!r} must be a plain name of at most 255 "
                              "characters: no path (/ or \\) and no control characters")
    return name


def _is_text(head: bytes) -> bool:
    """UTF-8 text (a multibyte character cut at the end of the head is fine) without control
    characters other than tab, newlines and form feed."""
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 3:
            return False
        text = head[:e.start].decode("utf-8")
    return not _TEXT_CONTROLS.search(text)


def media_type(head: bytes) -> str:
    """The media type the content shows, if on the allowlist; else 415 naming the allowlist."""
    guessed = filetype.guess_mime(head)
    if guessed is None and _is_text(head):
        guessed = "text/plain"
    if guessed not in DOCUMENT_MEDIA_TYPES:
        allowed = ", ".join(DOCUMENT_MEDIA_TYPES.values())
        raise DocumentRefused(415, "unsupported_document_type",
                              f"the content is {guessed or 'of an unknown type'}: documents are "
                              f"{allowed} (read from the content, not the name)")
    return guessed


def too_large(limit: int) -> DocumentRefused:
    return DocumentRefused(413, "document_too_large",
                           f"the document is larger than the limit of {limit} bytes "
                           "(setting DOCUMENT_MAX_BYTES)")


def empty() -> DocumentRefused:
    return DocumentRefused(422, "empty_document", "the file is empty")
