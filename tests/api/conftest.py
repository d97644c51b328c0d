"""API tests drive the real stack (the session's `stack` fixture in tests/conftest.py)."""

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

import scenarios
from stack.runner import Stack
from tests.days import today


class Api:
    def __init__(self, http: httpx.AsyncClient, tokens: dict[str, str]) -> None:
        self.http, self.tokens = http, tokens

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    async def post(self, path: str, body: Any, role: str = "coordinator",
                   **headers: str) -> httpx.Response:
        return await self.http.post(path, json=body, headers={**self.auth(role), **headers})

    async def get(self, path: str, role: str = "coordinator") -> httpx.Response:
        return await self.http.get(path, headers=self.auth(role))

    async def create(self, category: str = "RIPH1", title: str = "ASPIRE") -> str:
        r = await self.post("/api/studies", {"title": title, "category": category,
                                             "investigator": "Dr Martin", "reason": "new"})
        assert r.status_code == 201, r.text
        return r.json()["id"]

    async def command(self, sid: str, kind: str, role: str = "coordinator",
                      **fields: Any) -> httpx.Response:
        return await self.post(f"/api/studies/{sid}/commands",
                               {"type": kind, "reason": f"test {kind}", **fields}, role)

    async def walk(self, sid: str, until: str = "-", on: str | None = None) -> dict[str, Any]:
        """The shared RIPH1 walk over HTTP, stopping before the command named `until`."""
        day = on or today().isoformat()
        body: dict[str, Any] = {}
        for role, command in scenarios.until(scenarios.riph1_walk(day), until):
            r = await self.post(f"/api/studies/{sid}/commands",
                                {**command, "reason": f"test {command['type']}"}, role)
            assert r.status_code == 200, r.text
            body = r.json()
        return body


@pytest.fixture
async def api(stack: Stack, tokens: dict[str, str]) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(base_url=stack.web_url, timeout=60) as http:
        yield Api(http, tokens)


@asynccontextmanager
async def signed_in(api: Api, role: str) -> AsyncIterator[httpx.AsyncClient]:
    """A browser's cookie jar, signed in on the login page with the role's token."""
    async with httpx.AsyncClient(base_url=api.http.base_url, timeout=60) as http:
        page = await http.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        r = await http.post("/login", data={"csrf": csrf.group(1) if csrf else "",
                                            "token": api.tokens[role]})
        assert r.status_code == 303, r.text
        yield http
