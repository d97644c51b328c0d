"""Schemathesis over /openapi.json against the running stack: generated and mutated requests on
every operation, as a coordinator and as an auditor. No answer may be a 500, and every answer
must match the schema. Bounded: a few examples per operation (a few seconds each run)."""

import asyncio
import re
import sys
from pathlib import Path

import pytest

from store import ReadModels

ST = Path(sys.executable).parent / "schemathesis"


@pytest.mark.parametrize("role", ["coordinator", "auditor"])
async def test_no_generated_request_gets_a_500_or_breaks_the_schema(stack, role):
    # a token of its own: the run may revoke the token it holds (DELETE /api/me/tokens/{id})
    token = await ReadModels(stack.pool).create_token(f"fuzz-{role}", role)
    proc = await asyncio.create_subprocess_exec(
        str(ST), "run", f"{stack.web_url}/openapi.json",
        "-H", f"Authorization: Bearer {token}", "--max-examples", "10", "--seed", "7",
        "--checks", "not_a_server_error,response_schema_conformance", "--no-color",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=300)
    text = out.decode()
    assert proc.returncode == 0, text[-4000:]
    generated = re.search(r"(\d+) generated, (\d+) passed", text)
    assert generated and int(generated[1]) > 100 and generated[1] == generated[2], text[-2000:]
