"""The inbox pages its notices (100 newest first, then `?before=ID`), and a notice marked read
on a later page brings the person back to that page. On an app of its own over a fresh database,
so that the notices are this test's alone."""

import re
from datetime import UTC, datetime

import httpx

from api.app import create_app
from store import AppendRequest, EventStore, NewEvent, ReadModels

from ..store.test_event_store import study_view

FR = {"Accept-Language": "fr"}


def ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'name="id" value="(\d+)"', page)]


async def test_the_inbox_pages_its_notices_newest_first(stack, pool):
    notices = [{"role": "investigator", "kind": "reminder", "message": f"m{i}", "urgent": False}
               for i in range(130)]
    await EventStore(pool).append(AppendRequest(
        stream_id="s-page", expected_version=0, events=[NewEvent(type="Something", data={})],
        actor="alice", role="coordinator", reason="test", idempotency_key="s-page",
        recorded_at=datetime.now(UTC), notifications=notices,
        study=study_view("s-page", 1, investigator="Dr Page")))
    token = await ReadModels(pool).create_token("Dr Page", "investigator")
    app = create_app(stack.settings, pool, stack.client)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://sf", timeout=60) as http:
        login = await http.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', login.text).group(1)
        assert (await http.post("/login", data={"csrf": csrf, "token": token})).status_code == 303

        first = await http.get("/inbox", headers=FR)
        newest = ids(first.text)
        assert len(newest) == 100 and newest == sorted(newest, reverse=True)
        assert "Avis plus anciens" in first.text and "Avis les plus récents" not in first.text
        older = re.search(r'href="(/inbox\?before=\d+)#notices"', first.text).group(1)
        assert older == f"/inbox?before={newest[-1]}"

        second = await http.get(older, headers=FR)
        rest = ids(second.text)
        assert len(rest) == 30 and max(rest) < min(newest)  # the 30 older ones, none twice
        assert "Avis les plus récents" in second.text and "Avis plus anciens" not in second.text

        csrf = re.search(r'name="csrf" value="([^"]+)"', second.text).group(1)
        r = await http.post("/inbox/read", data={"csrf": csrf, "id": str(rest[0]),
                                                 "before": str(newest[-1])})
        assert r.status_code == 303 and r.headers["location"] == f"{older}#notices"
        assert rest[0] not in ids((await http.get(older)).text)  # read: no form left for it
        r = await http.post("/inbox/read", data={"csrf": csrf, "id": str(2**63)})
        assert r.status_code == 422, r.text  # no such notice id: refused, never a 500
        # "²" is a digit to str.isdigit(), not to int(): ignored, never a 500
        r = await http.post("/inbox/read", data={"csrf": csrf, "id": "²", "before": "²"})
        assert r.status_code == 303 and r.headers["location"] == "/inbox#notices"
        for bad in ("0", "x", str(2**63)):  # refused with a reason, never a 500
            assert (await http.get(f"/inbox?before={bad}")).status_code == 422


def test_a_whole_number_is_ascii_digits_only():
    from api.validation import whole_number

    assert [whole_number(t) for t in ("42", "007", "", None, "²", "٣", "-1", "1.5", " 4")] == [
        42, 7, None, None, None, None, None, None, None]
