"""The wiring's secret key: one per installation, so that a form served by one web process is
accepted by another (several web processes, a restart)."""

import stat
from pathlib import Path

import pytest
from fastapi import FastAPI
from starlette.requests import Request

import bootstrap
from api import pages
from api.app import create_app
from api.auth import sessions
from api.errors import ApiError
from settings import Settings


def settings_on(data_dir: Path) -> Settings:
    return Settings(STUDYFLOW_DATA_DIR=data_dir, SECRET_KEY=None,  # type: ignore[call-arg]
                    TEMPORAL_ADDRESS=None, DATABASE_URL=None)


def page_request(app: FastAPI, session: str) -> Request:
    return Request({"type": "http", "app": app, "headers": [
        (b"cookie", f"{sessions.COOKIE}={session}".encode())]})


def test_the_embedded_stack_makes_its_secret_key_once_readable_by_its_owner_only(tmp_path: Path):
    key = bootstrap.secret_key(settings_on(tmp_path))
    assert len(key) == 64 and bootstrap.secret_key(settings_on(tmp_path)) == key
    assert stat.S_IMODE((tmp_path / bootstrap.SECRET_KEY_FILE).stat().st_mode) == 0o600
    assert bootstrap.secret_key(settings_on(tmp_path / "another-stack")) != key


def test_the_secret_key_of_the_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    settings = Settings(STUDYFLOW_DATA_DIR=tmp_path)  # type: ignore[call-arg]
    assert bootstrap.secret_key(settings) == b"from-the-environment"
    assert not (tmp_path / bootstrap.SECRET_KEY_FILE).exists()


def test_two_web_apps_of_one_installation_accept_each_others_csrf_tokens(tmp_path: Path):
    one, two = create_app(settings_on(tmp_path)), create_app(settings_on(tmp_path))
    token = pages.csrf_token(page_request(one, "alice-session"))
    pages.check_csrf(page_request(two, "alice-session"), token)
    with pytest.raises(ApiError):  # bound to the session it was served to
        pages.check_csrf(page_request(two, "mallory-session"), token)
    with pytest.raises(ApiError):  # and to the installation
        pages.check_csrf(page_request(create_app(settings_on(tmp_path / "other")), "alice-session"),
                       token)
