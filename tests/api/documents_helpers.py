"""Small real files of each accepted type, made on the spot, and an upload helper."""

import io
import uuid
import zipfile
from typing import Any

import httpx

from tests.api.conftest import Api


def pdf(text: str = "protocol") -> bytes:
    """A minimal PDF (its magic number and a unique body: content-addressed tests need
    distinct files)."""
    return (f"%PDF-1.4\n% {text} {uuid.uuid4()}\n1 0 obj << /Type /Catalog >> endobj\n"
            "trailer << /Root 1 0 R >>\n%%EOF\n").encode()


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", f"<w:document>{uuid.uuid4()}</w:document>")
    return buffer.getvalue()


async def upload(api: Api, content: bytes, name: str = "protocol-v1.pdf",
                 kind: str = "protocol", reason: str = "the protocol as approved",
                 role: str = "coordinator") -> httpx.Response:
    data: dict[str, Any] = {"kind": kind}
    if reason:
        data["reason"] = reason
    return await api.http.post("/api/documents", headers=api.auth(role), data=data,
                               files={"file": (name, content, "application/octet-stream")})


async def raw_upload(api: Api, name: bytes, content: bytes, kind: str = "protocol",
                     reason: str = "raw upload") -> httpx.Response:
    """A multipart body written by hand: the file name's bytes exactly as given (httpx would
    percent-encode control characters)."""
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n{kind}\r\n',
             f'--{boundary}\r\nContent-Disposition: form-data; name="reason"\r\n\r\n{reason}\r\n']
    body = "".join(parts).encode() + (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="'.encode()
        + name + b'"\r\nContent-Type: application/octet-stream\r\n\r\n' + content
        + f"\r\n--{boundary}--\r\n".encode())
    return await api.http.post("/api/documents", content=body, headers={
        **api.auth("coordinator"),
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
