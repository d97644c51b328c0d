"""`studyflow sites`, `recruitment`, `reports` and `calendar` as a user runs them: real
processes, a real stack."""

import subprocess
from pathlib import Path

import httpx
import icalendar

from cli.demo import batches
from scenarios import STUDY, riph1_walk
from tests.days import days_ago

from .test_cli import CLI, ENV, Up, cli, data_dir, wait_healthy  # noqa: F401 (a fixture)


def test_sites_plan_recruitment_reports_and_calendar_from_the_shell(data_dir: Path,  # noqa: F811
                                                                     tmp_path: Path):
    up = Up(data_dir)
    try:
        url = up.info["web_url"]
        wait_healthy(url, 90)
        token = {role: cli("token", "create", "--actor", f"cli-{role}", "--role", role,
                           data_dir=data_dir).stdout.strip()
                 for role in ("coordinator", "regulatory", "investigator")}

        def run(*args: str, role: str = "coordinator") -> subprocess.CompletedProcess[str]:
            return subprocess.run([*CLI, *args, "--data-dir", str(data_dir)],
                                  capture_output=True, text=True, timeout=120,
                                  env={**ENV, "STUDYFLOW_TOKEN": token[role]})


        with httpx.Client(base_url=url, timeout=60) as http:
            def post(path: str, body: dict, role: str) -> dict:
                r = http.post(path, json={**body, "reason": "seed"},
                              headers={"Authorization": f"Bearer {token[role]}"})
                assert r.status_code < 300, r.text
                return r.json()

            sid = post("/api/studies", STUDY, "investigator")["id"]
            for role, commands in batches(riph1_walk(days_ago(60), opinion_on=days_ago(20),
                                                     decision_on=days_ago(15), opened_on=days_ago(10))):
                post(f"/api/studies/{sid}/commands:batch", {"commands": commands},
                     "coordinator" if role == "investigator" else role)

        bad = run("sites", "add", "--study", sid, "Hôpital Nord", "--name", "Nord",
                  "--investigator", "Dr N", "--reason", "new site")
        assert bad.returncode == 1 and "422 site_code_pattern" in bad.stderr
        added = run("sites", "add", "--study", sid, "LIL-JDF", "--name", "CHU de Lille",
                    "--investigator", "Pr Martin", "--reason", "new site")
        assert added.returncode == 0 and "LIL-JDF" in added.stdout, added.stderr
        early = run("participants", "register", "--study", sid, "P-0001", "--reason", "x",
                    "--field", "site=LIL-JDF", role="investigator")
        assert early.returncode == 1 and "409 site_not_active" in early.stderr
        active = run("sites", "activate", "--study", sid, "LIL-JDF", "--on", days_ago(5),
                     "--agreement-signed-on", days_ago(9), "--reason", "convention signed")
        assert active.returncode == 0 and "active" in active.stdout, active.stderr
        bad_plan = run("recruitment", "plan", "--study", sid, "--target", "0", "--starts-on",
                       days_ago(10), "--ends-on", days_ago(-90), "--reason", "plan")
        assert bad_plan.returncode == 1 and "422" in bad_plan.stderr
        plan = run("recruitment", "plan", "--study", sid, "--target", "30", "--starts-on",
                   days_ago(10), "--ends-on", days_ago(-90), "--reason", "plan")
        assert plan.returncode == 0 and "plan set: 30" in plan.stdout, plan.stderr
        registered = run("participants", "register", "--study", sid, "P-0001", "--reason", "x",
                         "--field", "site=LIL-JDF", role="investigator")
        assert registered.returncode == 0, registered.stderr
        shown = run("recruitment", "show", sid, "--json")
        assert shown.returncode == 0 and '"target": 30' in shown.stdout
        assert '"site": "LIL-JDF"' in shown.stdout
        listed = run("sites", "list", "--study", sid)
        assert "LIL-JDF" in listed.stdout and "active" in listed.stdout

        out = tmp_path / "portfolio.csv"
        report = run("reports", "portfolio", "--format", "csv", "--output", str(out))
        assert report.returncode == 0, report.stderr
        assert out.read_text().startswith("section,key,subkey,measure,value")
        cpp = run("reports", "portfolio", "--section", "cpp", role="regulatory")
        assert cpp.returncode == 0 and '"committee"' in cpp.stdout
        refused = run("reports", "portfolio", role="investigator")
        assert refused.returncode == 1 and "403" in refused.stderr

        feed = run("calendar", "url", role="regulatory")
        assert feed.returncode == 0 and feed.stdout.strip().endswith(".ics")
        body = httpx.get(feed.stdout.strip(), timeout=30)
        assert body.status_code == 200
        assert list(icalendar.Calendar.from_ical(body.content).walk("VEVENT"))
        revoked = run("calendar", "revoke", "--reason", "lost phone", role="regulatory")
        assert revoked.returncode == 0 and "revoked: person" in revoked.stdout
        assert httpx.get(feed.stdout.strip(), timeout=30).status_code == 404
    finally:
        up.stop()
