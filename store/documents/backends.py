"""Where the bytes of the documents live. Each backend stages an upload so that a failure at
any point leaves nothing behind, and keeps a file once under its SHA-256. The default,
PostgreSQL, needs no other server; an S3-compatible object store is the production option
(store/documents/s3.py)."""

import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

import asyncpg

from ..db import q

CHUNK = 1 << 20  # 1 MB: the unit of storage and of streaming


class Staging(Protocol):
    async def write(self, data: bytes) -> None: ...

    async def keep(self, sha256: str, new: bool) -> None:
        """Keep the staged bytes under `sha256` (`new`: no stored file has that hash yet),
        else drop them."""
        ...


class Backend(Protocol):
    name: str

    def staging(self, conn: asyncpg.Connection) -> AbstractAsyncContextManager[Staging]:
        """An upload's staging area: dropped if the block fails. `conn` is the upload's
        transaction, which records the file's metadata."""
        ...

    def read(self, sha256: str) -> AsyncIterator[bytes]:
        """The file's bytes, in order; FileNotFoundError if it is not there."""
        ...


class _PgStaging:
    """Chunks written under a temporary name within the upload's transaction."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn, self.blob, self.n, self.buffer = conn, f"upload:{uuid.uuid4()}", 0, bytearray()

    async def write(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) >= CHUNK:
            await self._flush(bytes(self.buffer[:CHUNK]))
            del self.buffer[:CHUNK]

    async def _flush(self, data: bytes) -> None:
        await self.conn.execute(q("insert_document_chunk"), self.blob, self.n, data)
        self.n += 1

    async def keep(self, sha256: str, new: bool) -> None:
        if self.buffer:
            await self._flush(bytes(self.buffer))
            self.buffer.clear()
        if new:
            await self.conn.execute(q("name_document_chunks"), self.blob, sha256)
        else:
            await self.conn.execute(q("drop_document_chunks"), self.blob)


class PostgresBackend:
    name = "postgres"

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    @asynccontextmanager
    async def staging(self, conn: asyncpg.Connection) -> AsyncIterator[Staging]:
        # the caller's transaction holds the chunks: its rollback drops them
        yield _PgStaging(conn)

    async def read(self, sha256: str) -> AsyncIterator[bytes]:
        n = 0
        while True:
            data = await self.pool.fetchval(q("document_chunk"), sha256, n)
            if data is None:
                if n == 0:
                    raise FileNotFoundError(sha256)
                return
            yield bytes(data)
            n += 1


class _MemoryStaging:
    def __init__(self, backend: "InMemoryBackend") -> None:
        self.backend = backend
        self.parts: list[bytes] = []

    async def write(self, data: bytes) -> None:
        self.parts.append(data)

    async def keep(self, sha256: str, new: bool) -> None:
        if new:
            self.backend.files[sha256] = b"".join(self.parts)


class InMemoryBackend:
    """The twin the contract tests run beside the real backends (tests/store/test_documents.py):
    the same staging and reading, in a dict."""

    name = "memory"

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    @asynccontextmanager
    async def staging(self, conn: asyncpg.Connection) -> AsyncIterator[Staging]:
        yield _MemoryStaging(self)

    async def read(self, sha256: str) -> AsyncIterator[bytes]:
        if sha256 not in self.files:
            raise FileNotFoundError(sha256)
        data = self.files[sha256]
        for i in range(0, len(data), CHUNK):
            yield data[i:i + CHUNK]
