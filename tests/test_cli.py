"""The `studyflow` command as a user runs it: real processes, real servers."""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from scenarios import riph1_walk

CLI = [sys.executable, "-m", "cli.main"]
ENV = {k: v for k, v in os.environ.items() if k not in ("TEMPORAL_ADDRESS", "DATABASE_URL")}


def cli(*args: str, data_dir: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args, "--data-dir", str(data_dir)], capture_output=True,
                          text=True, timeout=120, env=ENV, check=check)


def wait_healthy(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} never became healthy")


class Up:
    def __init__(self, data_dir: Path, *extra: str) -> None:
        self.data_dir = data_dir
        # its output goes to a file: a pipe nobody reads would fill up and block the stack
        self.log = data_dir.parent / f"up-{uuid.uuid4().hex[:8]}.log"
        with open(self.log, "wb") as out:  # port 0: the one the web app holds, in stack.json
            self.proc = subprocess.Popen(
                [*CLI, "up", "--data-dir", str(data_dir), "--port", "0", "--no-ui", *extra],
                env=ENV, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while not (data_dir / "stack.json").exists():
            assert self.proc.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, "stack.json never appeared"
            time.sleep(0.2)
        self.info = json.loads((data_dir / "stack.json").read_text())

    def stop(self) -> list[psutil.Process]:
        children = psutil.Process(self.proc.pid).children(recursive=True)
        self.proc.send_signal(signal.SIGTERM)
        assert self.proc.wait(60) == 0
        return children


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "data"
    subprocess.run([sys.executable, "-c", "from pathlib import Path; import sys; "
                    "from stack import postgres; postgres.stop(Path(sys.argv[1]))",
                    str(tmp_path / "data")], env=ENV, check=False, capture_output=True)


def test_up_serves_stops_cleanly_and_a_restart_finds_every_study(data_dir: Path):
    up = Up(data_dir)
    info = up.info
    assert set(info) == {"web_url", "temporal_address", "temporal_namespace",
                         "temporal_ui_url", "database_url"}
    wait_healthy(info["web_url"])
    token = cli("token", "create", "--actor", "alice", "--role", "coordinator",
                data_dir=data_dir).stdout
    assert len(token.strip().splitlines()) == 1
    auth = {"Authorization": f"Bearer {token.strip()}"}
    r = httpx.post(info["web_url"] + "/api/studies", headers=auth, timeout=60, json={
        "title": "Survives restarts", "category": "NON_RIPH", "investigator": "Dr A",
        "reason": "new"})
    assert r.status_code == 201
    sid = r.json()["id"]
    children = up.stop()
    assert children, "the stack should have started server processes"
    time.sleep(0.5)
    assert not [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    assert not (data_dir / "stack.json").exists()

    up = Up(data_dir)
    wait_healthy(up.info["web_url"])
    r = httpx.post(f"{up.info['web_url']}/api/studies/{sid}/commands", headers=auth, timeout=60,
                   json={"type": "submit_protocol", "version": "1", "document_sha256": "a" * 64,
                         "reason": "after restart"})
    assert r.status_code == 200  # investigator or coordinator may submit the protocol
    r = httpx.post(f"{up.info['web_url']}/api/studies/{sid}/commands", headers=auth, timeout=60,
                   json={"type": "record_cnil", "route": "MR-004", "reference": "R",
                         "reason": "after restart"})
    assert r.status_code == 200 and r.json()["state"] == "ready"
    verify = cli("audit", "verify", data_dir=data_dir)
    assert "audit intact: 6 events in 2 streams" in verify.stdout  # 5 + the token's issue
    dump = data_dir.parent / "backup.dump"
    cli("backup", "--output", str(dump), data_dir=data_dir)
    copy = data_dir.parent / "copy"
    cli("restore", str(dump), data_dir=copy)
    try:
        assert "audit intact: 6 events in 2 streams" in cli("audit", "verify",
                                                            data_dir=copy).stdout
        again = cli("restore", str(dump), data_dir=copy, check=False)  # not into a used one
        assert again.returncode != 0 and "empty database" in again.stderr
    finally:
        subprocess.run([sys.executable, "-c", "from pathlib import Path; import sys; "
                        "from stack import postgres; postgres.stop(Path(sys.argv[1]))",
                        str(copy)], env=ENV, check=False, capture_output=True)
    exported = cli("audit", "export", "--study", sid, "--format", "csv", data_dir=data_dir)
    assert exported.stdout.splitlines()[0].startswith("seq,") and sid in exported.stdout
    tok = ("--token", token.strip())
    cli("preferences", "set", "--email", "alice@chu.test", "--no-digest", *tok, data_dir=data_dir)
    shown = json.loads(cli("preferences", "show", *tok, data_dir=data_dir).stdout)
    assert shown == {"actor": "alice", "role": "coordinator", "email": "alice@chu.test",
                     "digest": False}
    bad = cli("preferences", "set", "--email", "nope", *tok, data_dir=data_dir, check=False)
    assert bad.returncode != 0 and "422" in bad.stderr and "Traceback" not in bad.stderr
    up.stop()


def test_up_without_worker_then_a_separate_worker(data_dir: Path):
    up = Up(data_dir, "--no-worker")
    url = up.info["web_url"]
    assert httpx.get(url + "/healthz", timeout=10).status_code == 503
    worker = subprocess.Popen([*CLI, "worker", "--data-dir", str(data_dir)], env=ENV,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_healthy(url)
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(60) == 0
        up.stop()


def test_user_errors_exit_non_zero_without_a_traceback(data_dir: Path):
    r = cli("token", "create", "--actor", "a", "--role", "superuser", data_dir=data_dir,
            check=False)
    assert r.returncode != 0 and "unknown role" in r.stderr and "Traceback" not in r.stderr
    r = cli("study", "list", data_dir=data_dir, check=False)
    assert r.returncode != 0 and "no running stack" in r.stderr


def test_operator_actions_are_audited_tokens_exports_and_workflow_resets(data_dir: Path):
    up = Up(data_dir)
    url = up.info["web_url"]
    try:
        wait_healthy(url)
        ops = ("--by", "ops-alice")
        token = cli("token", "create", "--actor", "carol", "--role", "coordinator",
                    "--reason", "new coordinator", *ops, data_dir=data_dir).stdout.strip()
        auth = {"Authorization": f"Bearer {token}"}
        r = httpx.post(url + "/api/studies", headers=auth, timeout=60, json={
            "title": "Operated", "category": "NON_RIPH", "investigator": "Dr A", "reason": "new"})
        sid = r.json()["id"]

        out = data_dir / "trail.jsonl"
        cli("audit", "export", "--study", sid, "--output", str(out), "--reason", "inspection",
            *ops, data_dir=data_dir)
        manifest = json.loads(Path(f"{out}.manifest.json").read_text())
        assert manifest["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
        assert manifest["count"] == len(out.read_text().splitlines()) == 1

        cli("admin", "terminate", sid, "--reason", "stuck run", *ops, data_dir=data_dir)
        body = {"type": "submit_protocol", "version": "1", "document_sha256": "a" * 64,
                "reason": "x"}
        r = httpx.post(f"{url}/api/studies/{sid}/commands", headers=auth, json=body, timeout=60)
        assert r.status_code == 409 and r.json()["error"]["code"] == "study_closed"
        reset = cli("admin", "reset", sid, "--reason", "restart from the record", *ops,
                    data_dir=data_dir)
        assert "restarted from its 1 events: draft" in reset.stderr
        r = httpx.post(f"{url}/api/studies/{sid}/commands", headers=auth, json=body, timeout=60)
        assert r.status_code == 200 and r.json()["version"] > 1  # the run goes on from 1

        listed = cli("token", "list", data_dir=data_dir).stdout
        tid = next(line.split()[1] for line in listed.splitlines() if "carol" in line)
        cli("token", "revoke", tid, "--reason", "left the unit", *ops, data_dir=data_dir)
        assert httpx.get(url + "/api/studies", headers=auth, timeout=10).status_code == 401
        short = cli("token", "create", "--actor", "temp", "--role", "auditor",
                    "--expires-in-days", "0.00002", data_dir=data_dir).stdout.strip()
        time.sleep(2.5)
        assert httpx.get(url + "/api/studies", timeout=10,
                         headers={"Authorization": f"Bearer {short}"}).status_code == 401

        rerun = cli("admin", "redeliver", "--study", sid, "--seq", "1", "--reason",
                    "mail server was down", *ops, data_dir=data_dir)
        assert "0 messages sent" in rerun.stderr  # no SMTP here; the re-run is audited anyway
        trail = cli("audit", "export", "--format", "jsonl", data_dir=data_dir).stdout
        operations = [json.loads(line) for line in trail.splitlines()
                      if json.loads(line)["study_id"] == "operations"]
        assert [(e["type"], e["actor"], e["reason"]) for e in operations if
                e["actor"] == "ops-alice"] == [
            ("TokenIssued", "ops-alice", "new coordinator"),
            ("AuditExported", "ops-alice", "inspection"),
            ("WorkflowTerminated", "ops-alice", "stuck run"),
            ("WorkflowReset", "ops-alice", "restart from the record"),
            ("TokenRevoked", "ops-alice", "left the unit"),
            ("ActivityRerun", "ops-alice", "mail server was down")]
        assert token not in trail  # the audit names tokens by id only
        assert "audit intact" in cli("audit", "verify", data_dir=data_dir).stdout
        bad = cli("token", "revoke", "ffffffffffff", "--reason", "x", data_dir=data_dir,
                  check=False)
        assert bad.returncode != 0 and "0 active tokens" in bad.stderr
    finally:
        up.stop()


def test_config_show_prints_the_settings_in_effect_without_secrets(tmp_path: Path):
    key = "k1:" + "A" * 43 + "="
    env = {**ENV, "DATABASE_URL": "postgresql://app:db-secret@db:5432/studyflow",
           "SMTP_URL": "smtp://mailer:smtp-secret@mail:25", "CODEC_KEYS": key,
           "TEMPORAL_ADDRESS": "ns.a1b2.tmprl.cloud:7233", "TEMPORAL_API_KEY": "api-secret",
           "TEMPORAL_NAMESPACE": "ns.a1b2"}
    r = subprocess.run([*CLI, "config", "show", "--data-dir", str(tmp_path)], env=env,
                       capture_output=True, text=True, timeout=60, check=True)
    shown = json.loads(r.stdout)
    assert shown["DATABASE_URL"] == "postgresql://app:****@db:5432/studyflow"
    assert shown["temporal (envconfig)"] == {"address": "ns.a1b2.tmprl.cloud:7233",
                                             "namespace": "ns.a1b2", "tls": True,
                                             "api_key": "****"}
    assert shown["codec key ids"] == ["k1"]
    for secret in ("db-secret", "smtp-secret", "api-secret", "A" * 43):
        assert secret not in r.stdout


def test_participants_import_a_csv_once_reporting_bad_lines_and_list_them(data_dir: Path,
                                                                           tmp_path: Path):
    up = Up(data_dir)
    try:
        url = up.info["web_url"]
        wait_healthy(url, 90)
        token = {role: cli("token", "create", "--actor", f"cli-{role}", "--role", role,
                           data_dir=data_dir).stdout.strip()
                 for role in ("investigator", "coordinator", "regulatory")}
        today = time.strftime("%Y-%m-%d", time.gmtime())
        sid = httpx.post(url + "/api/studies", json={
            "title": "Import", "category": "RIPH1", "investigator": "Dr I", "reason": "t"},
            headers={"Authorization": f"Bearer {token['coordinator']}"}, timeout=60).json()["id"]
        for role, body in riph1_walk(today):
            r = httpx.post(f"{url}/api/studies/{sid}/commands", json={**body, "reason": "t"},
                           headers={"Authorization": f"Bearer {token[role]}"}, timeout=60)
            assert r.status_code == 200, r.text
        lines = ["type,code,kind,consent_form_version,consented_on,reason"]
        for n in range(1, 251):
            lines.append(f"register_participant,P-{n:04d},,,,screened")
            lines.append(f"record_consent,P-{n:04d},written,1.0,{today},signed")
        lines[3] = "register_participant,Jean Dupont,,,,screened"  # line 4: a name
        lines[8] = f"record_consent,P-0004,express,1.0,{today},signed"  # line 9: wrong kind
        csv_file = tmp_path / "participants.csv"
        csv_file.write_text("\n".join(lines) + "\n")
        env_token = {**ENV, "STUDYFLOW_TOKEN": token["investigator"]}

        def run(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([*CLI, *args, "--data-dir", str(data_dir)],
                                  capture_output=True, text=True, timeout=300, env=env_token)

        first = run("participants", "import", str(csv_file), "--study", sid)
        assert first.returncode == 1, first.stderr
        # line 4 names a person; so line 5's consent is for nobody; line 9 has the wrong kind
        assert "497 applied, 0 already applied, 3 refused" in first.stdout
        assert "line 4: Jean Dupont register_participant: participant_code_pattern" in first.stderr
        assert "line 5: P-0002 record_consent: unknown_participant" in first.stderr
        assert "line 9: P-0004 record_consent: consent_kind_mismatch" in first.stderr
        assert "importing participants.csv" in first.stderr  # the progress display
        again = run("participants", "import", str(csv_file), "--study", sid)
        assert "0 applied, 497 already applied, 3 refused" in again.stdout, again.stdout
        listing = run("participants", "list", "--study", sid, "--status", "registered")
        assert listing.returncode == 0 and "P-0004" in listing.stdout
        assert "1 participants" in listing.stdout  # P-0002 failed its registration
        page = run("participants", "list", "--study", sid, "--limit", "2")
        assert "2 participants" in page.stdout and "next page: --after P-0003" in page.stdout
        after = run("participants", "list", "--study", sid, "--limit", "2", "--after", "P-0003")
        assert "P-0004" in after.stdout and "P-0003" not in after.stdout
        wrong = run("participants", "command", "--study", sid, "P-0004", "record_consent",
                    "--reason", "signed", "--field", "kind=express", "--field",
                    "consent_form_version=1.0", "--field", f"consented_on={today}")
        assert wrong.returncode == 1 and "409 consent_kind_mismatch" in wrong.stderr
        ok = run("participants", "command", "--study", sid, "P-0004", "record_consent",
                 "--reason", "signed", "--field", "kind=written", "--field",
                 "consent_form_version=1.0", "--field", f"consented_on={today}")
        assert ok.returncode == 0 and '"consented": 249' in ok.stdout, ok.stdout
    finally:
        up.stop()


def test_import_studies_correct_a_fact_and_send_a_batch_from_the_shell(data_dir: Path,
                                                                        tmp_path: Path):
    from api.history import import_study_id

    up = Up(data_dir)
    try:
        url = up.info["web_url"]
        wait_healthy(url, 90)
        token = {role: cli("token", "create", "--actor", f"cli-{role}", "--role", role,
                           data_dir=data_dir).stdout.strip()
                 for role in ("coordinator", "regulatory")}
        env = {**ENV, "STUDYFLOW_TOKEN": token["regulatory"]}

        def run(*args: str, env: dict[str, str] = env) -> subprocess.CompletedProcess[str]:
            return subprocess.run([*CLI, *args, "--data-dir", str(data_dir)],
                                  capture_output=True, text=True, timeout=300, env=env)

        examples = Path(__file__).parent.parent / "docs" / "examples"
        rows = (examples / "studies.csv").read_text().splitlines()
        header, good = rows[0], rows[1:]
        cols = header.split(",")

        def row(reference: str, **cells: str) -> str:
            base = dict(zip(cols, good[1].split(","), strict=True))
            return ",".join({**base, "reference": reference, **cells}.get(c, "") for c in cols)

        lines = [header, *good,
                 # line 4: the opinion is dated before the submission
                 row("2024-A90001-01", ethics_opinion_on="2024-05-01"),
                 # lines 5-6: a title on two lines (quoted), imported
                 row("2024-A90002-02", title='"NEURO-OBS\nbis"'),
                 # line 7: a legal date in the future
                 row("2024-A90003-03", recruitment_opened_on="2999-01-01")]
        csv_file = tmp_path / "studies.csv"
        csv_file.write_text("\n".join(lines) + "\n")
        first = run("import", "studies", str(csv_file), "--reason", "adoption",
                    "--chunk-size", "2")
        assert first.returncode == 1, first.stderr
        assert "3 imported, 0 already imported, 2 refused" in first.stdout
        assert "line 4: 2024-A90001-01: ethics_not_submitted: " in first.stderr, first.stderr
        assert "line 7: 2024-A90003-03: date_in_future: " in first.stderr
        assert "importing studies.csv" in first.stderr  # the progress display
        again = run("import", "studies", str(csv_file), "--chunk-size", "2")
        assert "0 imported, 3 already imported, 2 refused" in again.stdout, again.stdout
        jsonl = run("import", "studies", str(examples / "studies.jsonl"))
        assert jsonl.returncode == 0 and "1 imported, 0 already" in jsonl.stdout, jsonl.stderr
        missing = run("import", "studies", str(tmp_path / "nowhere.csv"))
        assert missing.returncode == 2 and "cannot read" in missing.stderr

        sid = import_study_id("2024-A01977-31")
        events = json.loads(run("study", "events", sid).stdout)
        imported = next(e for e in events if e["type"] == "EthicsSubmitted")
        assert "adoption (import of studies (file sha256" in imported["reason"]
        seq = str(imported["seq"])
        wrong = run("study", "correct", sid, seq, "submitted_on=2024-06-30", "--reason", "typo")
        assert wrong.returncode == 1 and "409 date_out_of_order" in wrong.stderr, wrong.stderr
        fixed = run("study", "correct", sid, seq, "submitted_on=2024-05-14", "--reason",
                    "the receipt says the 14th")
        assert fixed.returncode == 0, fixed.stderr
        last = json.loads(run("study", "events", sid).stdout)[-1]
        assert last["type"] == "FactCorrected" and last["data"]["changes"] == {
            "submitted_on": "2024-05-14"} and last["data"]["previous"] == {
            "submitted_on": "2024-05-13"}

        coordinator = {**ENV, "STUDYFLOW_TOKEN": token["coordinator"]}
        created = run("study", "create", "Batch", "RIPH1", "Dr B", "--reason", "new",
                      env=coordinator)
        bid = json.loads(created.stdout)["id"]
        today = time.strftime("%Y-%m-%d", time.gmtime())
        walk = [c for _, c in riph1_walk(today, submitted_on="2026-01-05",
                                         completeness_on="2026-01-09")
                if c["type"] not in ("submit_to_ansm", "record_ansm_decision",
                                     "open_recruitment")]
        bad = tmp_path / "bad.json"
        types = [c["type"] for c in walk]
        submitted = walk[:types.index("submit_to_ethics") + 1]
        opinion = walk[types.index("record_ethics_opinion")]
        bad.write_text(json.dumps([*submitted, {**opinion, "opinion_on": "2026-01-01"}]))
        refused = run("study", "batch", bid, str(bad), "--reason", "paper file", env=coordinator)
        assert refused.returncode == 1 and "409 ethics_not_submitted" in refused.stderr
        assert f"command {len(submitted)}" in refused.stderr
        good_file = tmp_path / "history.json"
        good_file.write_text(json.dumps(walk))
        applied = run("study", "batch", bid, str(good_file), "--reason", "paper file",
                      env=coordinator)
        assert applied.returncode == 0, applied.stderr
        study = json.loads(applied.stdout)
        clocks = {d["name"]: d["status"] for d in study["deadlines"]}
        assert clocks["cpp_completeness"] == "met"  # judged on the notice's legal date
        assert not study["overdue"]
    finally:
        up.stop()


def test_the_demo_walks_its_study_with_no_false_overdue_clock(data_dir: Path):
    r = subprocess.run([*CLI, "demo", "--exit", "--port", "0", "--data-dir", str(data_dir)],
                       capture_output=True, text=True, timeout=300,
                       env={**ENV, "COLUMNS": "240"})
    assert r.returncode == 0, r.stderr[-2000:]
    assert "is recruiting" in r.stderr
    assert "Deadline missed" not in r.stderr  # every clock of its history was met in time
    assert ("Clocks, judged on the legal dates: CPP completeness notice: met, ANSM "
            "authorization: met, CPP opinion: met") in r.stderr
    assert "#documents" in r.stderr  # the study carries its documents
    verified = cli("audit", "verify", data_dir=data_dir)
    assert "6 documents re-hashed" in verified.stdout, verified.stdout


def test_user_create_prints_a_one_time_password_and_the_demo_prints_its_account(
        data_dir: Path):
    import re

    r = subprocess.run([*CLI, "demo", "--exit", "--port", "0", "--data-dir", str(data_dir)],
                       capture_output=True, text=True, timeout=300,
                       env={**ENV, "COLUMNS": "240"})
    assert r.returncode == 0, r.stderr[-2000:]
    found = re.search(r"Sign in as demo-coordinator, password (\S+)", r.stderr)
    assert found, r.stderr[-1500:]
    made = cli("user", "create", "--actor", "marie", "--role", "investigator", "--email",
               "marie@chu.test", data_dir=data_dir)
    assert len(made.stdout.strip().splitlines()) == 1 and len(made.stdout.strip()) >= 16
    check = subprocess.run([sys.executable, "-c", f"""
import asyncio
from api.auth import local
from cli.servers import settings_for, with_database
from pathlib import Path
from store.accounts import Accounts
async def body(pool):
    settings = settings_for(Path({str(data_dir)!r}))
    for name, password in (("demo-coordinator", {found.group(1)!r}),
                           ("marie", {made.stdout.strip()!r})):
        c = await local.check_password(Accounts(pool), settings, name, password)
        print(name, c.ok, c.account["role"], c.account["password_one_time"])
with_database(Path({str(data_dir)!r}), body)
"""], capture_output=True, text=True, timeout=120, env=ENV)
    assert check.stdout.split("\n")[:2] == ["demo-coordinator True coordinator False",
                                            "marie True investigator True"], check.stderr[-2000:]
    listed = cli("user", "list", data_dir=data_dir).stdout
    assert "demo-coordinator" in listed and "marie" in listed
    cli("user", "disable", "marie", "--reason", "left the unit", data_dir=data_dir)
    again = cli("user", "disable", "marie", "--reason", "twice", data_dir=data_dir, check=False)
    assert again.returncode == 1 and "no enabled account" in again.stderr
