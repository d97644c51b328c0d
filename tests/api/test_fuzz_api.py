"""Schemathesis over /openapi.json against the running stack: generated and mutated requests on
every operation, as a coordinator and as an auditor. No answer may be a 500, and every answer
must match the schema. Bounded: a few examples per operation; the coverage phase (every
parameter's boundary values, most of the run's time: ~95% of it measured) as the coordinator,
whose calls reach the rules, not as the auditor, whose writes stop at the role check."""

import asyncio
import re
import sys
from pathlib import Path

import pytest

from store import ReadModels

ST = Path(sys.executable).parent / "schemathesis"
FUZZ_TIMEOUT = 1200  # seconds


@pytest.mark.parametrize(("role", "phases"), [
    ("coordinator", "examples,coverage,fuzzing,stateful"),
    ("auditor", "examples,fuzzing,stateful")])
async def test_no_generated_request_gets_a_500_or_breaks_the_schema(stack, role, phases):
    # a token of its own: the run may revoke the token it holds (DELETE /api/me/tokens/{id})
    token = await ReadModels(stack.pool).create_token(f"fuzz-{role}", role)
    proc = await asyncio.create_subprocess_exec(
        str(ST), "run", f"{stack.web_url}/openapi.json",
        "-H", f"Authorization: Bearer {token}", "--max-examples", "10", "--seed", "7",
        "--phases", phases,
        "--checks", "not_a_server_error,response_schema_conformance", "--no-color",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    # a guard against a hung run, not a speed limit: a loaded machine took 290 s of 300
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=FUZZ_TIMEOUT)
    text = out.decode()
    assert proc.returncode == 0, text[-4000:]
    generated = re.search(r"(\d+) generated, (\d+) passed", text)
    assert generated and int(generated[1]) > 100 and generated[1] == generated[2], text[-2000:]
