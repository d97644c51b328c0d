"""Documents from the shell: `--file` on a study command, `studyflow dossier` and `dossier
verify`, `audit verify` re-hashing the stored documents: real processes, real servers."""

import hashlib
import json
import subprocess
import zipfile
from pathlib import Path

from scenarios import document_file
from tests.test_cli import CLI, ENV, Up, cli, data_dir, wait_healthy  # noqa: F401


def test_a_file_attached_from_the_shell_ends_up_in_a_dossier_that_verifies(data_dir: Path,  # noqa: F811
                                                                           tmp_path: Path):
    up = Up(data_dir)
    try:
        wait_healthy(up.info["web_url"])
        tokens = {role: cli("token", "create", "--actor", f"{role}-1", "--role", role,
                            data_dir=data_dir).stdout.strip()
                  for role in ("investigator", "auditor")}

        def run(role: str, *args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([*CLI, *args, "--data-dir", str(data_dir)],
                                  capture_output=True, text=True, timeout=120,
                                  env={**ENV, "STUDYFLOW_TOKEN": tokens[role]})

        created = run("investigator", "study", "create", "SHELL DOCS", "RIPH2", "Dr A",
                      "--reason", "new")
        sid = json.loads(created.stdout)["id"]
        protocol = tmp_path / "protocole v1.pdf"
        protocol.write_bytes(document_file(protocol.name, "Protocole v1", ["ligne"]))
        sha = hashlib.sha256(protocol.read_bytes()).hexdigest()
        sent = run("investigator", "study", "command", sid, "submit_protocol", "--reason",
                   "v1", "--field", "version=1.0", "--field", f"document_sha256={sha}",
                   "--file", f"protocol={protocol}")
        assert sent.returncode == 0, sent.stderr
        wrong = run("investigator", "study", "command", sid, "assign_sponsor", "--reason", "x",
                    "--field", "sponsor=AP-HP", "--file", f"protocol={tmp_path / 'none.pdf'}")
        assert wrong.returncode == 2 and "KIND=PATH" in wrong.stderr
        out = tmp_path / "dossier.zip"
        written = run("auditor", "dossier", "--study", sid, "--output", str(out))
        assert written.returncode == 0, written.stderr
        assert "every hash holds" in written.stderr
        with zipfile.ZipFile(out) as zf:
            [doc] = json.loads(zf.read("manifest.json"))["documents"]
        assert doc["sha256"] == sha and doc["name"] == "protocole v1.pdf"
        ok = subprocess.run([*CLI, "dossier", "verify", str(out)], capture_output=True,
                            text=True, env=ENV, timeout=60)
        assert ok.returncode == 0 and "dossier intact" in ok.stdout, ok.stdout + ok.stderr
        tampered = tmp_path / "tampered.zip"
        with zipfile.ZipFile(out) as zin, zipfile.ZipFile(tampered, "w") as zout:
            for name in zin.namelist():
                zout.writestr(name, b"%PDF forged" if name == doc["path"] else zin.read(name))
        bad = subprocess.run([*CLI, "dossier", "verify", str(tampered)], capture_output=True,
                             text=True, env=ENV, timeout=60)
        assert bad.returncode == 1 and doc["path"] in bad.stdout
    finally:
        up.stop()
    verified = cli("audit", "verify", data_dir=data_dir)
    assert "1 documents re-hashed" in verified.stdout, verified.stdout
    tamper = subprocess.run([*CLI[:1], "-c", f"""
import asyncio
from pathlib import Path
from cli.servers import with_database
async def body(pool):
    await pool.execute("UPDATE document_chunks SET data = 'forged' WHERE blob = $1", {sha!r})
with_database(Path({str(data_dir)!r}), body)
"""], capture_output=True, text=True, env=ENV, timeout=120)
    assert tamper.returncode == 0, tamper.stderr
    broken = cli("audit", "verify", data_dir=data_dir, check=False)
    assert broken.returncode == 1
    assert f"document {sha} (protocole v1.pdf) is altered" in broken.stdout, broken.stdout
