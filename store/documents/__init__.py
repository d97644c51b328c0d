"""The document store: files kept once by SHA-256 in a backend (PostgreSQL by default, or an
S3-compatible object store), their metadata and uploads in PostgreSQL. An upload is streamed:
hashed, size-checked and typed as it arrives, never held whole in memory; any failure (too
large, wrong type, cut off) leaves nothing behind."""

import hashlib
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from i18n import N_

from ..db import q
from .backends import CHUNK, Backend, InMemoryBackend, PostgresBackend
from .content import HEAD_BYTES, DocumentRefused, check_name, empty, media_type, too_large

# checks the upload's other fields once the file has arrived: (kind, actor, role, reason)
Finish = Callable[[], Awaitable[tuple[str, str, str, str]]]

__all__ = ["CHUNK", "Backend", "DocumentRefused", "DocumentStore", "InMemoryBackend",
           "PostgresBackend",
           "Problem", "StoredDocument", "check_name"]


@dataclass(frozen=True)
class StoredDocument:
    sha256: str
    size: int
    media_type: str
    name: str
    kind: str
    actor: str | None = None
    at: datetime | None = None

    def public(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "size": self.size, "media_type": self.media_type,
                "name": self.name, "kind": self.kind}


@dataclass(frozen=True)
class Problem:
    sha256: str
    problem: str  # "missing" | "altered"
    name: str | None = None

    def describe(self) -> str:
        """The problem in the reader's language (`problem` is its stable code)."""
        from i18n import gettext

        return gettext(PROBLEMS[self.problem, bool(self.name)]).format(
            sha256=self.sha256, name=self.name)


PROBLEMS = {("missing", True): N_("document {sha256} ({name}) is missing"),
            ("missing", False): N_("document {sha256} is missing"),
            ("altered", True): N_("document {sha256} ({name}) is altered"),
            ("altered", False): N_("document {sha256} is altered")}


class DocumentStore:
    def __init__(self, pool: asyncpg.Pool, backend: Backend | None = None) -> None:
        self.pool = pool
        self.backend = backend or PostgresBackend(pool)

    async def upload(self, chunks: AsyncIterable[bytes], *, name: str | None, max_bytes: int,
                     finish: Finish) -> StoredDocument:
        """Store the streamed file. `finish` runs once the whole file has arrived, before
        anything is kept: it checks the other fields of the upload (kind, reason) and returns
        (kind, actor, role, reason); whatever it raises, nothing is kept."""
        name = check_name(name)
        digest, size, head, typed = hashlib.sha256(), 0, bytearray(), None
        async with self.pool.acquire() as conn, conn.transaction():
            async with self.backend.staging(conn) as staging:
                async for data in chunks:
                    size += len(data)
                    if size > max_bytes:
                        raise too_large(max_bytes)
                    digest.update(data)
                    if typed is None:
                        head += data[:HEAD_BYTES - len(head)]
                        if len(head) >= HEAD_BYTES:
                            typed = media_type(bytes(head))
                    await staging.write(data)
                if size == 0:
                    raise empty()
                typed = typed or media_type(bytes(head))
                kind, actor, role, reason = await finish()
                sha = digest.hexdigest()
                new = await conn.fetchval(q("insert_document_blob"), sha, size, typed,
                                          self.backend.name)
                await staging.keep(sha, new is not None)
                row = await conn.fetchrow(q("insert_document_upload"), sha, name, kind, actor,
                                          role, reason)
        blob = await self.pool.fetchrow(q("document_blob"), sha)
        return StoredDocument(sha, blob["size"], blob["media_type"], name, kind, actor,
                              row["at"])

    async def get(self, sha256: str) -> StoredDocument | None:
        """The document with that hash, under the name and kind of its latest upload."""
        r = await self.pool.fetchrow(q("latest_document_upload"), sha256.lower())
        if r is None:
            return None
        return StoredDocument(r["sha256"], r["size"], r["media_type"], r["name"], r["kind"],
                              r["actor"], r["at"])

    async def uploads(self, shas: list[str]) -> list[dict[str, Any]]:
        return [dict(r) for r in await self.pool.fetch(q("document_uploads_of"), shas)]

    def read(self, sha256: str) -> AsyncIterator[bytes]:
        return self.backend.read(sha256)

    async def check(self, sha256: str, size: int | None = None) -> str | None:
        """None if the stored file hashes to `sha256` (and has `size`), else its problem."""
        digest, total = hashlib.sha256(), 0
        try:
            async for data in self.backend.read(sha256):
                digest.update(data)
                total += len(data)
        except FileNotFoundError:
            return "missing"
        if digest.hexdigest() != sha256 or (size is not None and total != size):
            return "altered"
        return None

    async def verify(self) -> tuple[int, list[Problem]]:
        """Re-hash every stored file, and look for every file the audit trail references:
        (files checked, problems)."""
        blobs = {r["sha256"]: r["size"] for r in await self.pool.fetch(q("all_document_blobs"))}
        names = {r["sha256"]: r["name"] for r in await self.pool.fetch(q("referenced_documents"))}
        problems: list[Problem] = []
        for sha in sorted(set(blobs) | set(names)):
            problem = "missing" if sha not in blobs else await self.check(sha, blobs[sha])
            if problem:
                problems.append(Problem(sha, problem, names.get(sha)))
        return len(blobs), problems
