"""A large document streamed through the real stack (`studyflow up --no-worker` and a
`studyflow worker`, as production runs them): a file of --mb megabytes (1 GB by default),
generated on the fly, uploaded as multipart, then downloaded and re-hashed, while the web and
worker processes' resident memory (RSS) is sampled. The peak stays flat whatever the size: the
upload is parsed, hashed, typed and stored chunk by chunk, never held whole in memory.

    .venv/bin/python bench/documents.py [--mb 1024]
"""

import argparse
import asyncio
import hashlib
import os
import shutil
import sys
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
import psutil  # noqa: E402

from bench.common import Stack  # noqa: E402

MB = 1 << 20
BOUNDARY = "studyflow-bench-boundary"


class Sampler(threading.Thread):
    """The RSS of each process, every 20 ms; the peak of each."""

    def __init__(self, processes: dict[str, psutil.Process]) -> None:
        super().__init__(daemon=True)
        self.processes, self.peak = processes, dict.fromkeys(processes, 0)
        self.running = True

    def run(self) -> None:
        while self.running:
            for name, p in self.processes.items():
                try:
                    self.peak[name] = max(self.peak[name], p.memory_info().rss)
                except psutil.Error:
                    pass
            time.sleep(0.02)

    def reset(self) -> None:
        self.peak = dict.fromkeys(self.processes, 0)


def body(mb: int, digest: "hashlib._Hash") -> tuple[int, AsyncIterator[bytes]]:
    """(length, chunks) of a multipart upload of an mb-megabyte PDF made on the fly."""
    head = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nprotocol\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="reason"\r\n\r\nbench\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            'filename="large.pdf"\r\nContent-Type: application/pdf\r\n\r\n').encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    block = os.urandom(MB)

    async def chunks() -> AsyncIterator[bytes]:
        yield head
        for i in range(mb):
            data = (b"%PDF-1.7\n" + block[9:]) if i == 0 else block[:-8] + i.to_bytes(8, "big")
            digest.update(data)
            yield data
        yield tail

    return len(head) + mb * MB + len(tail), chunks()


async def main(mb: int) -> None:
    os.environ["DOCUMENT_MAX_BYTES"] = str((mb + 1) * MB)
    stack = Stack(workers=1)
    try:
        async with stack:
            processes = {"web": psutil.Process(stack.up.pid),
                         "worker": psutil.Process(stack.workers[0].pid)}
            idle = {name: p.memory_info().rss for name, p in processes.items()}
            sampler = Sampler(processes)
            sampler.start()
            digest = hashlib.sha256()
            length, chunks = body(mb, digest)
            auth = {"Authorization": f"Bearer {stack.tokens['coordinator']}"}
            async with httpx.AsyncClient(base_url=stack.info["web_url"], timeout=3600) as http:
                t0 = time.perf_counter()
                r = await http.post("/api/documents", content=chunks, headers={
                    **auth, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                    "Content-Length": str(length)})
                up_s = time.perf_counter() - t0
                assert r.status_code == 201, r.text
                assert r.json()["sha256"] == digest.hexdigest()
                up_peak = dict(sampler.peak)
                sampler.reset()
                t0 = time.perf_counter()
                back = hashlib.sha256()
                async with http.stream("GET", f"/api/documents/{digest.hexdigest()}",
                                       headers=auth) as download:
                    async for data in download.aiter_bytes(MB):
                        back.update(data)
                down_s = time.perf_counter() - t0
                assert back.hexdigest() == digest.hexdigest()
            sampler.running = False
            down_peak = dict(sampler.peak)
        print(f"document of {mb} MB: upload {up_s:.1f} s ({mb / up_s:.0f} MB/s), "
              f"download and re-hash {down_s:.1f} s ({mb / down_s:.0f} MB/s)")
        for name in processes:
            print(f"{name:<7} RSS idle {idle[name] / MB:6.0f} MB   peak during upload "
                  f"{up_peak[name] / MB:6.0f} MB   peak during download "
                  f"{down_peak[name] / MB:6.0f} MB")
        grown = (up_peak["web"] - idle["web"]) / MB
        print(f"web process grew by {grown:.0f} MB for a {mb} MB upload: "
              + ("streamed" if grown < mb / 4 else "NOT streamed"))
    finally:
        shutil.rmtree(stack.data_dir, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=1024)
    asyncio.run(main(parser.parse_args().mb))
