"""The document store on both backends, PostgreSQL (the default) and an S3-compatible object
store (here moto's S3 server, a real HTTP server started by the test session), and on their
in-memory twin. One contract:
each file stored once by its SHA-256, a refused or failed upload leaves nothing, verify names
a missing or altered file."""

import hashlib
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from store.documents import DocumentRefused, DocumentStore, InMemoryBackend
from store.documents.s3 import S3Backend, key_of


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def _client(endpoint: str) -> Any:
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


@pytest.fixture(params=["postgres", "s3", "memory"])
def docs(request: pytest.FixtureRequest, pool: asyncpg.Pool) -> DocumentStore:
    if request.param == "postgres":
        return DocumentStore(pool)
    if request.param == "memory":
        return DocumentStore(pool, InMemoryBackend())
    client = _client(request.getfixturevalue("s3_endpoint"))
    bucket = f"docs-{uuid.uuid4().hex[:8]}"
    client.create_bucket(Bucket=bucket)
    return DocumentStore(pool, S3Backend(client, bucket))


async def _stream(data: bytes, piece: int = 65536) -> AsyncIterator[bytes]:
    for i in range(0, len(data), piece):
        yield data[i:i + piece]


def _finish(kind: str = "protocol") -> Any:
    async def finish() -> tuple[str, str, str, str]:
        return kind, "dr-a", "investigator", "test"
    return finish


def _pdf(size: int) -> bytes:
    head = b"%PDF-1.4\n"
    return head + os.urandom(size - len(head))


async def _leftovers(docs: DocumentStore) -> int:
    staged = await docs.pool.fetchval(
        "SELECT count(*) FROM document_chunks WHERE blob LIKE 'upload:%'")
    if isinstance(docs.backend, S3Backend):
        s3, bucket = docs.backend.client, docs.backend.bucket
        staged += len(s3.list_objects_v2(Bucket=bucket, Prefix="staging/").get("Contents", []))
        staged += len(s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []))
    return int(staged)


async def _read(docs: DocumentStore, sha: str) -> bytes:
    return b"".join([d async for d in docs.read(sha)])


async def test_a_file_is_stored_once_and_read_back(docs: DocumentStore):
    content = _pdf(9 << 20)  # several chunks, two S3 parts
    first = await docs.upload(_stream(content), name="big.pdf", max_bytes=50 << 20,
                              finish=_finish())
    assert first.sha256 == hashlib.sha256(content).hexdigest() and first.size == len(content)
    assert first.media_type == "application/pdf"
    again = await docs.upload(_stream(content), name="copy.pdf", max_bytes=50 << 20,
                              finish=_finish())
    assert again.sha256 == first.sha256
    assert await docs.pool.fetchval("SELECT count(*) FROM document_blobs") == 1
    assert await _read(docs, first.sha256) == content
    assert (await docs.get(first.sha256)).name == "copy.pdf"  # type: ignore[union-attr]
    assert await _leftovers(docs) == 0
    assert await docs.verify() == (1, [])


async def test_a_file_past_the_limit_leaves_nothing(docs: DocumentStore):
    with pytest.raises(DocumentRefused) as e:
        await docs.upload(_stream(_pdf(12 << 20)), name="big.pdf", max_bytes=10 << 20,
                          finish=_finish())
    assert e.value.status == 413
    assert await docs.pool.fetchval("SELECT count(*) FROM document_blobs") == 0
    assert await _leftovers(docs) == 0


async def test_a_refusal_after_the_last_byte_leaves_nothing(docs: DocumentStore):
    async def refuse() -> tuple[str, str, str, str]:
        raise DocumentRefused(422, "reason_required", "no reason")

    with pytest.raises(DocumentRefused):
        await docs.upload(_stream(_pdf(9 << 20)), name="a.pdf", max_bytes=50 << 20,
                          finish=refuse)
    assert await docs.pool.fetchval("SELECT count(*) FROM document_blobs") == 0
    assert await _leftovers(docs) == 0


async def test_a_stream_cut_off_leaves_nothing(docs: DocumentStore):
    async def cut() -> AsyncIterator[bytes]:
        async for piece in _stream(_pdf(9 << 20)):
            yield piece
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await docs.upload(cut(), name="a.pdf", max_bytes=50 << 20, finish=_finish())
    assert await _leftovers(docs) == 0
    assert await docs.pool.fetchval("SELECT count(*) FROM document_blobs") == 0


async def test_the_type_comes_from_the_content(docs: DocumentStore):
    with pytest.raises(DocumentRefused) as e:
        await docs.upload(_stream(b"\x7fELF" + bytes(20000)), name="report.pdf",
                          max_bytes=1 << 20, finish=_finish())
    assert e.value.status == 415
    text = await docs.upload(_stream("Résumé\n".encode() * 3000), name="r.txt",
                             max_bytes=1 << 20, finish=_finish("results_summary"))
    assert text.media_type == "text/plain"


async def test_verify_names_an_altered_and_a_missing_file(docs: DocumentStore):
    altered = await docs.upload(_stream(_pdf(3000)), name="altered.pdf", max_bytes=1 << 20,
                                finish=_finish())
    missing = await docs.upload(_stream(_pdf(3000)), name="missing.pdf", max_bytes=1 << 20,
                                finish=_finish())
    if isinstance(docs.backend, S3Backend):
        s3, bucket = docs.backend.client, docs.backend.bucket
        s3.put_object(Bucket=bucket, Key=key_of(altered.sha256), Body=b"%PDF forged")
        s3.delete_object(Bucket=bucket, Key=key_of(missing.sha256))
    elif isinstance(docs.backend, InMemoryBackend):
        docs.backend.files[altered.sha256] = b"%PDF forged"
        del docs.backend.files[missing.sha256]
    else:
        await docs.pool.execute("UPDATE document_chunks SET data = 'forged' WHERE blob = $1",
                                altered.sha256)
        await docs.pool.execute("DELETE FROM document_chunks WHERE blob = $1", missing.sha256)
    checked, problems = await docs.verify()
    assert checked == 2
    assert {(p.sha256, p.problem) for p in problems} == {(altered.sha256, "altered"),
                                                         (missing.sha256, "missing")}


async def test_object_lock_keeps_each_file_in_compliance_retention(pool: asyncpg.Pool,
                                                                   s3_endpoint: str):
    client = _client(s3_endpoint)
    bucket = f"locked-{uuid.uuid4().hex[:8]}"
    client.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    docs = DocumentStore(pool, S3Backend(client, bucket, retention_days=30))
    small = await docs.upload(_stream(_pdf(3000)), name="s.pdf", max_bytes=50 << 20,
                              finish=_finish())
    big = await docs.upload(_stream(_pdf(9 << 20)), name="b.pdf", max_bytes=50 << 20,
                            finish=_finish())
    for doc in (small, big):
        head = client.head_object(Bucket=bucket, Key=key_of(doc.sha256))
        assert head["ObjectLockMode"] == "COMPLIANCE"
        assert (head["ObjectLockRetainUntilDate"] - datetime.now(UTC)).days >= 29
    assert await docs.verify() == (2, [])


async def test_the_settings_choose_the_s3_backend(pool: asyncpg.Pool, s3_endpoint: str):
    import bootstrap
    from settings import Settings

    bucket = f"settings-{uuid.uuid4().hex[:8]}"
    _client(s3_endpoint).create_bucket(Bucket=bucket)
    settings = Settings(DOCUMENT_BACKEND="s3", S3_BUCKET=bucket,  # type: ignore[call-arg]
                        S3_ENDPOINT_URL=s3_endpoint, S3_ACCESS_KEY_ID="test",
                        S3_SECRET_ACCESS_KEY="test")
    docs = bootstrap.document_store(settings, pool)
    assert isinstance(docs.backend, S3Backend) and docs.backend.bucket == bucket
    content = _pdf(5000)
    doc = await docs.upload(_stream(content), name="s.pdf", max_bytes=1 << 20,
                            finish=_finish())
    assert await _read(docs, doc.sha256) == content
    assert _client(s3_endpoint).head_object(Bucket=bucket, Key=key_of(doc.sha256))
    assert isinstance(bootstrap.document_store(Settings(), pool).backend,  # type: ignore[call-arg]
                      type(DocumentStore(pool).backend))


async def test_a_document_the_trail_names_but_the_store_lacks_is_missing(pool: asyncpg.Pool):
    from store import EventStore, operations

    docs = DocumentStore(pool)
    sha = "e" * 64
    await operations.record(EventStore(pool), "DocumentsAttached", {
        "command": "submit_protocol", "documents": [
            {"sha256": sha, "kind": "protocol", "size": 1, "media_type": "application/pdf",
             "name": "lost.pdf"}]}, by="t", reason="t")
    checked, problems = await docs.verify()
    assert checked == 0
    assert [(p.sha256, p.problem, p.name) for p in problems] == [(sha, "missing", "lost.pdf")]
    assert problems[0].describe() == f"document {sha} (lost.pdf) is missing"
