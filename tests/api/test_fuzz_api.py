"""Schemathesis over /openapi.json against the running stack: generated and mutated requests on
every operation (every phase: examples, boundary values, fuzzing, stateful sequences), as a
coordinator and as an auditor. No answer may be a 500, and every answer must match the schema.
Bounded: a few examples per operation."""

import asyncio
import re
import sys
from pathlib import Path

import httpx
import pytest

from store import ReadModels

ST = Path(sys.executable).parent / "schemathesis"
FUZZ_TIMEOUT = 600  # seconds (a run takes 5-15 s on a quiet machine)

# The one operation by which a run can revoke the token it holds (its id is learnt from GET
# /api/me/tokens): every later request would be a 401, never reaching the rules (a run measured
# 4,552 of its 5,231 requests so, each of its operations "tested"). Fuzzed alone, in a run of its
# own; the others run without it and must end still signed in.
REVOKE = "DELETE /api/me/tokens/{token_id}"
WITHOUT_REVOKE = ("--exclude-name", REVOKE)


async def signed_in(web_url: str, headers: dict[str, str]) -> bool:
    """Whether these credentials still open the caller's own page (/api/me)."""
    async with httpx.AsyncClient(base_url=web_url, headers=headers, timeout=30) as http:
        return (await http.get("/api/me")).status_code == 200


@pytest.mark.parametrize(("role", "operations", "whole"), [
    ("coordinator", WITHOUT_REVOKE, True), ("auditor", WITHOUT_REVOKE, True),
    ("coordinator", ("--include-name", REVOKE), False)],
    ids=["coordinator", "auditor", "revoke"])
async def test_no_generated_request_gets_a_500_or_breaks_the_schema(stack, role, operations,
                                                                    whole):
    """`whole`: every operation but the revocation, which must leave the run signed in."""
    # a token of its own: other tests' tokens stay out of the run's reach
    token = await ReadModels(stack.pool).create_token(f"fuzz-{role}", role)
    proc = await asyncio.create_subprocess_exec(
        str(ST), "run", f"{stack.web_url}/openapi.json",
        "-H", f"Authorization: Bearer {token}", "--max-examples", "10", "--seed", "7",
        *operations,
        "--checks", "not_a_server_error,response_schema_conformance", "--no-color",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    # a guard against a hung run, not a speed limit
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=FUZZ_TIMEOUT)
    text = out.decode()
    assert proc.returncode == 0, text[-4000:]
    generated = re.search(r"(\d+) generated, (\d+) passed", text)
    assert generated and int(generated[1]) >= (100 if whole else 10), text[-2000:]
    assert generated[1] == generated[2], text[-2000:]
    if whole:  # its requests reached the rules, not the token check
        assert await signed_in(stack.web_url, {"Authorization": f"Bearer {token}"}), text[-2000:]
