"""The portfolio over HTTP on the real stack: sites and plans with their refusals (nothing
written), a study's recruitment curve checked against its own events, the behind-plan task and
notice, the unit's reports (roles, JSON, CSV), and the calendar feed parsed back by two
iCalendar parsers."""

from datetime import date
from typing import Any

import icalendar
import ics

from cli.demo import batches
from scenarios import riph1_walk
from tests.days import day, days_ago, today

from .conftest import Api, signed_in


async def recruiting(api: Api, title: str = "PORTFOLIO", opened: int = 140) -> str:
    """A RIPH1 study recruiting since `opened` days ago, its history sent as dated batches."""
    sid = await api.create(title=title)
    steps = riph1_walk(days_ago(opened + 50), opinion_on=days_ago(opened + 10),
                       decision_on=days_ago(opened + 8), opened_on=days_ago(opened))
    for role, commands in batches(steps):
        r = await api.post(f"/api/studies/{sid}/commands:batch",
                           {"reason": "from the paper file", "commands": commands}, role)
        assert r.status_code == 200, r.text
    return sid


def inclusion(code: str, on: str, site: str | None) -> list[dict[str, Any]]:
    return [{"type": "register_participant", "code": code, **({"site": site} if site else {})},
            {"type": "record_consent", "code": code, "kind": "written",
             "consent_form_version": "1.0", "consented_on": on},
            {"type": "include", "code": code, "included_on": on}]


async def event_count(api: Api, sid: str) -> int:
    return len((await api.get(f"/api/studies/{sid}/events")).json())


async def test_sites_and_their_refusals_write_nothing(api: Api):
    sid = await recruiting(api, "SITES")
    before = await event_count(api, sid)
    r = await api.command(sid, "add_site", site="Hôpital Nord", name="Nord", investigator="Dr N")
    assert r.status_code == 422 and r.json()["error"]["code"] == "site_code_pattern"
    r = await api.command(sid, "add_site", role="investigator", site="S01", name="N",
                          investigator="Dr N")
    assert r.status_code == 403
    assert await event_count(api, sid) == before
    r = await api.command(sid, "add_site", site="S01", name="Hôpital Nord", investigator="Dr N")
    assert r.status_code == 200, r.text
    assert [s["code"] for s in r.json()["sites"]] == ["S01"]
    # an inactive site includes no one: 409 naming the rule, nothing written
    count = await event_count(api, sid)
    r = await api.post(f"/api/studies/{sid}/participants",
                       {"code": "P-0001", "site": "S01", "reason": "screened"}, "investigator")
    assert r.status_code == 409 and r.json()["error"]["code"] == "site_not_active"
    assert "activate_site" in r.json()["error"]["message"]
    r = await api.post(f"/api/studies/{sid}/participants",
                       {"code": "P-0001", "site": "bad site", "reason": "screened"},
                       "investigator")
    assert r.status_code == 422 and r.json()["error"]["code"] == "site_code_pattern"
    assert await event_count(api, sid) == count
    r = await api.command(sid, "activate_site", site="S01", activated_on=days_ago(1))
    assert r.status_code == 200, r.text
    r = await api.post(f"/api/studies/{sid}/participants",
                       {"code": "P-0001", "site": "S01", "reason": "screened"}, "investigator")
    assert r.status_code == 201, r.text
    r = await api.command(sid, "close_site", site="S01", closed_on=days_ago(0))
    assert r.status_code == 200
    count = await event_count(api, sid)
    r = await api.post(f"/api/studies/{sid}/participants",
                       {"code": "P-0002", "site": "S01", "reason": "screened"}, "investigator")
    assert r.status_code == 409 and r.json()["error"]["code"] == "site_closed"
    assert await event_count(api, sid) == count


async def test_a_bad_plan_is_refused_and_writes_nothing(api: Api):
    sid = await recruiting(api, "BAD PLAN")
    before = await event_count(api, sid)
    for fields in ({"target": 0}, {"target": -5}, {"target": "many"}, {"target": 2.5},
                   {"target": 10, "ends_on": days_ago(200)},
                   {"target": 10, "site": "S09"}):
        body = {"starts_on": days_ago(100), "ends_on": day(100), **fields}
        r = await api.command(sid, "set_recruitment_plan", **body)
        assert r.status_code in (409, 422), (fields, r.text)
        assert r.json()["error"]["code"] in ("invalid_command", "unknown_site"), r.text
    assert await event_count(api, sid) == before


async def test_the_recruitment_curve_is_the_events_own(api: Api):
    sid = await recruiting(api, "CURVE")
    setup = [{"type": "add_site", "site": code, "name": f"Hôpital {code}",
              "investigator": f"Dr {code}"} for code in ("S01", "S02")]
    setup += [{"type": "activate_site", "site": code, "activated_on": days_ago(140)}
              for code in ("S01", "S02")]
    setup += [{"type": "set_recruitment_plan", "target": 30, "starts_on": days_ago(140),
               "ends_on": day(225)},
              {"type": "set_recruitment_plan", "target": 20, "starts_on": days_ago(140),
               "ends_on": day(225), "site": "S01"}]
    plan = [(n, days_ago(d), "S01" if n % 3 else "S02")
            for n, d in enumerate((130, 120, 120, 95, 70, 41, 40, 10), 1)]
    people = [c for n, on, site in plan for c in inclusion(f"P-{n:04d}", on, site)]
    people += [{"type": "withdraw_consent", "code": "P-0002", "withdrawn_on": days_ago(60)},
               {"type": "complete", "code": "P-0001", "completed_on": days_ago(20)}]
    r = await api.post(f"/api/studies/{sid}/commands:batch",
                       {"reason": "sites, plan and inclusions", "commands": setup + people})
    assert r.status_code == 200, r.text
    r = await api.get(f"/api/studies/{sid}/recruitment", "investigator")
    assert r.status_code == 200, r.text
    body = r.json()
    assert {"target", "included", "by_site", "curve", "projected_target_on"} <= set(body)
    assert (body["target"], body["included"]) == (30, 8)
    assert [(s["site"], s["target"], s["included"]) for s in body["by_site"]] == [
        ("S01", 20, 6), ("S02", None, 2)]
    # each point counts the inclusion events dated on or before it
    events = (await api.get(f"/api/studies/{sid}/events")).json()
    included = sorted(e["effective_on"] for e in events if e["type"] == "ParticipantIncluded")
    assert len(included) == 8
    for point in body["curve"]:
        assert point["included"] == sum(1 for d in included if d <= point["on"])
        assert {"on", "included", "planned"} <= set(point)
    assert body["curve"][-1]["on"] == today().isoformat()
    assert body["curve"][-1]["withdrawn"] == 1 and body["curve"][-1]["completed"] == 1
    # 8 in 140 days: 22 more take 385 days
    assert body["projected_target_on"] == day(385)
    # the page draws it, per site and in total
    async with signed_in(api, "coordinator") as browser:
        page = await browser.get(f"/studies/{sid}")
    assert page.status_code == 200
    assert page.text.count('class="chart curve"') == 3
    assert "target at this rate" in page.text


async def test_behind_plan_gives_the_coordinator_a_task_and_a_notice(api: Api):
    sid = await recruiting(api, "BEHIND")
    r = await api.post(f"/api/studies/{sid}/commands:batch", {"reason": "plan", "commands": [
        *inclusion("P-0001", days_ago(100), None),
        {"type": "set_recruitment_plan", "target": 40, "starts_on": days_ago(120),
         "ends_on": day(120)}]})
    assert r.status_code == 200, r.text
    tasks = (await api.get("/api/tasks", "coordinator")).json()
    mine = [t for t in tasks if t["study_id"] == sid and t["kind"] == "recruitment"]
    assert len(mine) == 1 and "behind plan" in mine[0]["title"]
    notices = (await api.get(f"/api/notifications?study={sid}&role=coordinator")).json()
    assert [n["kind"] for n in notices].count("recruitment") == 1
    # recorded as the clock's event, once
    events = (await api.get(f"/api/studies/{sid}/events")).json()
    assert [e["type"] for e in events].count("RecruitmentBehindPlan") == 1


async def test_the_reports_for_the_units_managers(api: Api):
    await recruiting(api, "REPORTED")
    assert (await api.get("/api/reports/portfolio", "investigator")).status_code == 403
    assert (await api.get("/api/reports/portfolio", "auditor")).status_code == 403
    r = await api.get("/api/reports/portfolio", "regulatory")
    assert r.status_code == 200
    body = r.json()
    assert body["studies"]["by_state"]["recruiting"] >= 1
    assert any(c["committee"] == "CPP Île-de-France I" for c in body["cpp"])
    assert {"median_days", "p90_days", "information_request_share"} <= set(body["cpp"][0])
    assert body["clocks"] and {"month", "met", "missed"} <= set(body["clocks"][0])
    r = await api.get("/api/reports/portfolio?format=csv", "admin")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.text.splitlines()[0] == "section,key,subkey,measure,value"
    r = await api.get("/api/reports/cpp?format=csv")
    assert r.text.startswith("committee,submitted,decided,median_days,p90_days")
    assert (await api.get("/api/reports/nothing")).status_code == 404
    async with signed_in(api, "coordinator") as browser:
        page = await browser.get("/reports")
    assert page.status_code == 200 and page.text.count('class="chart bars"') >= 3
    async with signed_in(api, "investigator") as browser:
        assert (await browser.get("/reports")).status_code == 403


def _lines(text: str) -> list[str]:
    """RFC 5545 content lines, unfolded: a third, minimal reading of the feed."""
    out: list[str] = []
    for raw in text.split("\r\n"):
        if raw.startswith((" ", "\t")) and out:
            out[-1] += raw[1:]
        elif raw:
            out.append(raw)
    return out


async def test_the_calendar_feed_is_secret_revocable_and_parses(api: Api):
    sid = await api.create(title="CALENDAR")
    await api.walk(sid, until="record_ethics_opinion")  # CPP clocks running for regulatory
    r = await api.get("/api/calendar/feed-url", "regulatory")
    assert r.status_code == 200, r.text
    url = r.json()["url"]
    assert r.json()["webcal_url"].startswith("webcal://")
    assert (await api.get("/api/calendar/feed-url", "regulatory")).json()["url"] == url
    feed = await api.http.get(url)  # no bearer token: the URL is the credential
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    tasks = (await api.get("/api/tasks", "regulatory")).json()
    cal = icalendar.Calendar.from_ical(feed.content)
    events = list(cal.walk("VEVENT"))
    assert len(events) == len(tasks)
    ours = [e for e in events if sid in str(e.get("url"))]
    assert ours and all(e.get("dtstart").dt for e in ours)
    mine = [t for t in tasks if t["study_id"] == sid and t["kind"] == "deadline"]
    assert {e.get("dtstart").dt for e in ours} == {date.fromisoformat(t["due_on"]) for t in mine}
    # titled as the inbox words its tasks, in the unit's LANGUAGE (en in these tests; French:
    # tests/test_calendar_words.py)
    summaries = [str(e.get("summary")) for e in ours]
    assert all(any(t["title"] in s for s in summaries) for t in mine)
    assert len({str(e.get("uid")) for e in events}) == len(events)
    # a second, independent parser reads the same events
    parsed = ics.Calendar(feed.text)
    assert len(parsed.events) == len(events)
    assert {e.uid for e in parsed.events} == {str(e.get("uid")) for e in events}
    lines = _lines(feed.text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert sum(line == "BEGIN:VEVENT" for line in lines) == len(events)
    # a tampered URL, then the revoked one: 404
    assert (await api.http.get(url.replace(".ics", "0.ics"))).status_code == 404
    r = await api.post("/api/calendar/revoke", {"reason": "shared by mistake"}, "regulatory")
    assert r.status_code == 200 and r.json()["revoked"] == ["person"]
    assert (await api.http.get(url)).status_code == 404
    fresh = (await api.get("/api/calendar/feed-url", "regulatory")).json()["url"]
    assert fresh != url and (await api.http.get(fresh)).status_code == 200
    # the unit's feed is for its managers
    assert (await api.get("/api/calendar/feed-url?scope=unit", "investigator")).status_code == 403
    unit = (await api.get("/api/calendar/feed-url?scope=unit", "coordinator")).json()["url"]
    unit_cal = icalendar.Calendar.from_ical((await api.http.get(unit)).content)
    assert len(list(unit_cal.walk("VEVENT"))) >= len(mine)
    assert all(": due " in str(e.get("summary")) for e in unit_cal.walk("VEVENT"))
