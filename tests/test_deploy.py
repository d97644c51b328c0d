"""What can be checked of the production set-up without a Docker engine: the compose file parses
and wires the services and the settings the code reads; the image is multi-stage and runs as a
non-root user; the containers' commands run StudyFlow from the environment alone."""

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

import httpx
import yaml

from codec import KEY_FILE, new_key
from settings import Settings
from stack.temporal import DYNAMIC_CONFIG, free_port

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SETTING_NAMES = {f.validation_alias for f in Settings.model_fields.values()}


def test_compose_runs_the_whole_stack_with_health_checks_and_volumes():
    services = COMPOSE["services"]
    assert set(services) == {"postgres", "temporal", "temporal-ui", "minio", "minio-init",
                             "web", "worker"}
    for name in ("postgres", "temporal", "web"):
        assert services[name]["healthcheck"]["test"], name
    assert services["web"]["command"][0] == "up" and services["worker"]["command"] == ["worker"]
    assert services["worker"]["depends_on"]["web"]["condition"] == "service_healthy"
    assert {"pgdata", "webdata", "documents"} <= set(COMPOSE["volumes"])
    env = services["web"]["environment"]
    assert env["DOCUMENT_BACKEND"] == "s3" and env["S3_ENDPOINT_URL"] == "http://minio:9000"
    assert services["temporal-ui"]["environment"]["TEMPORAL_CODEC_ENDPOINT"].endswith("/codec")


def test_the_production_server_gets_the_embedded_servers_dynamic_config():
    temporal = COMPOSE["services"]["temporal"]
    path = temporal["environment"]["DYNAMIC_CONFIG_FILE_PATH"]
    mounted = next(v.split(":")[0] for v in temporal["volumes"] if v.split(":")[1] == path)
    config = yaml.safe_load((ROOT / mounted).read_text())
    assert {key: values[0]["value"] for key, values in config.items()} == DYNAMIC_CONFIG


def test_every_variable_given_to_studyflow_is_a_setting_it_reads(monkeypatch):
    env = COMPOSE["services"]["web"]["environment"]
    assert env == COMPOSE["services"]["worker"]["environment"]
    assert set(env) <= SETTING_NAMES, set(env) - SETTING_NAMES
    for needed in ("TEMPORAL_ADDRESS", "DATABASE_URL", "DATABASE_OWNER_URL", "CODEC_KEYS"):
        assert needed in env
    # the values, once the shell has filled the ${...}, are valid settings
    filled = {k: re.sub(r"\$\{(\w+)[^}]*\}", "x", str(v)) for k, v in env.items()}
    filled["CODEC_KEYS"] = new_key()
    filled["OIDC_ROLE_MAP"] = '{"grp-urc-coord": "coordinator"}'  # JSON, as the README shows
    for key, value in filled.items():
        monkeypatch.setenv(key, value)
    settings = Settings()  # type: ignore[call-arg]
    assert settings.temporal_address == "temporal:7233"
    assert settings.codec_cors_origins == ["http://localhost:8080"]
    assert settings.log_format == "json"


def test_the_image_is_multi_stage_and_runs_studyflow_as_a_non_root_user():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", dockerfile, re.M)) >= 2
    user = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert user and user[-1] not in ("root", "0")
    assert re.search(r'^ENTRYPOINT \["studyflow"\]', dockerfile, re.M)
    for copied in re.findall(r"^COPY (?!--from)(\S+)", dockerfile, re.M):
        assert (ROOT / copied).exists(), copied
    assert (ROOT / "deploy" / "postgres-init.sh").exists()


async def test_the_worker_container_command_runs_from_the_environment_alone(stack, tmp_path):
    """`studyflow worker` as the worker service runs it: no data directory, every setting from
    the environment (here pointing at the test stack's servers), serving the SDK's metrics."""
    port = free_port()
    env = {**os.environ, "TEMPORAL_ADDRESS": stack.info["temporal_address"],
           "DATABASE_URL": stack.info["database_url"], "LOG_FORMAT": "json",
           "CODEC_KEYS": (stack.data_dir / KEY_FILE).read_text().strip(),
           "STUDYFLOW_DATA_DIR": str(tmp_path), "TEMPORAL_METRICS_BIND": f"127.0.0.1:{port}"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli.main", "worker", "--data-dir", str(tmp_path), cwd=ROOT,
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    assert proc.stdout is not None
    lines: list[str] = []
    try:
        async with asyncio.timeout(60):
            while not any("worker started" in line for line in lines):
                line = (await proc.stdout.readline()).decode()
                assert line, "".join(lines)
                lines.append(line)
        async with httpx.AsyncClient() as http:
            scraped = (await http.get(f"http://127.0.0.1:{port}/metrics")).text
        assert "temporal_" in scraped  # the SDK's worker metrics (polls, slots...)
    finally:
        proc.send_signal(signal.SIGTERM)
        rest, _ = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, "".join(lines) + rest.decode()
    assert '"event": "worker started"' in "".join(lines)  # JSON logs for production
