"""The health check (/healthz, the stack's start): a Temporal server that stops answering is
reported unavailable within a bounded time, never waited on for ever."""

import time
from pathlib import Path

from temporalio.client import Client

from api import health
from stack.temporal import DevServer


async def test_health_says_temporal_unavailable_within_its_timeout(tmp_path: Path, pool):
    """A Temporal server gone after the web app connected: /healthz's check says so (asked
    twice, each answer awaited at most PROBE_TIMEOUT), never hangs."""
    server = DevServer(tmp_path / "temporal", ui=False)
    client = await Client.connect(await server.start())
    try:
        assert await health.checks(pool, client, "nobody-polls") == {
            "postgres": True, "temporal": True, "worker": False}
    finally:
        server.stop()
    started = time.monotonic()
    assert await health.checks(pool, client, "nobody-polls") == {
        "postgres": True, "temporal": False, "worker": False}
    assert time.monotonic() - started < health.ASKS * health.PROBE_TIMEOUT.total_seconds() + 5
