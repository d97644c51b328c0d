"""Every setting in one model, read from the environment (and a .env file if present)."""

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    temporal_address: str | None = Field(None, validation_alias="TEMPORAL_ADDRESS")
    temporal_namespace: str = Field("default", validation_alias="TEMPORAL_NAMESPACE")
    temporal_task_queue: str = Field("studyflow", validation_alias="TEMPORAL_TASK_QUEUE")
    # where this process serves the Temporal SDK's Prometheus metrics, e.g. 0.0.0.0:9464
    temporal_metrics_bind: str | None = Field(None, validation_alias="TEMPORAL_METRICS_BIND")
    # TLS and API key (Temporal Cloud): TEMPORAL_API_KEY, TEMPORAL_TLS, TEMPORAL_TLS_CLIENT_CERT_PATH,
    # TEMPORAL_TLS_CLIENT_KEY_PATH... are read by temporalio.envconfig (bootstrap.temporal_connect_config)
    # studies a worker keeps in memory between commands (others replay from history when next
    # touched): bounds its memory whatever the number of open studies
    worker_cache_size: int = Field(1000, validation_alias="WORKER_CACHE_SIZE")
    database_url: str | None = Field(None, validation_alias="DATABASE_URL")  # the app's role
    # the schema owner's, for migrations; the app's role then only inserts and reads events
    database_owner_url: str | None = Field(None, validation_alias="DATABASE_OWNER_URL")
    data_dir: Path = Field(Path(".studyflow"), validation_alias="STUDYFLOW_DATA_DIR")
    log_format: Literal["console", "json"] = Field("console", validation_alias="LOG_FORMAT")
    smtp_url: SecretStr | None = Field(None, validation_alias="SMTP_URL")  # smtp://u:p@host:port
    smtp_from: str = Field("studyflow@localhost", validation_alias="SMTP_FROM")
    webhook_url: str | None = Field(None, validation_alias="WEBHOOK_URL")
    webhook_secret: SecretStr | None = Field(None, validation_alias="WEBHOOK_SECRET")
    digest_cron: str = Field("0 7 * * *", validation_alias="DIGEST_CRON")  # daily, 07:00 UTC
    checkpoint_cron: str = Field("5 0 * * *", validation_alias="CHECKPOINT_CRON")  # 00:05 UTC
    # failed logins (form or bearer token) per client before a pause, and the window counted
    login_max_failures: int = Field(10, validation_alias="LOGIN_MAX_FAILURES")
    login_window_seconds: float = Field(300, validation_alias="LOGIN_WINDOW_SECONDS")
    # signs the web forms' CSRF tokens: the same in every web process, so that a form served by
    # one is accepted by another; without it, a key generated once in DATA_DIR/secret_key
    # (bootstrap.secret_key), shared by the processes of the embedded stack
    secret_key: SecretStr | None = Field(None, validation_alias="SECRET_KEY")
    # AES-GCM keys for Temporal payloads: "id:base64key,..." (first encrypts; all decrypt)
    codec_keys: SecretStr | None = Field(None, validation_alias="CODEC_KEYS")
    # origins of the Temporal UI allowed to call /codec/decode
    codec_cors_origins: list[str] = Field(["http://127.0.0.1:8233", "http://localhost:8233"],
                                          validation_alias="CODEC_CORS_ORIGINS")
    # participant codes: pseudonymous, in the unit's format; names and e-mail addresses fail it
    participant_code_pattern: str = Field(r"^[A-Z]{1,4}-[0-9]{3,8}$",
                                          validation_alias="PARTICIPANT_CODE_PATTERN")
    # a fact recorded more than this many days after its legal date is marked "recorded late"
    # on the study page (the clocks run on legal dates whatever this says)
    late_entry_days: int = Field(7, ge=0, validation_alias="LATE_ENTRY_DAYS")
    host: str = Field("127.0.0.1", validation_alias="STUDYFLOW_HOST")
    port: int = Field(8000, validation_alias="STUDYFLOW_PORT")


@cache
def get_settings() -> Settings:
    return Settings()
