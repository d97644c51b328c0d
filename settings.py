"""Every setting in one model, read from the environment (and a .env file if present)."""

import json
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

RoleName = Literal["investigator", "coordinator", "regulatory", "auditor", "admin"]


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
    # touched): bounds its memory whatever the number of open studies. Measured (bench/replay.py)
    # 340-350 KiB per cached study beside a 125 MiB idle worker: 4,000 stay near 1.5 GiB, under
    # the 2 GiB of the scale target (10,000 open studies), and keep 40% of them warm
    worker_cache_size: int = Field(4000, validation_alias="WORKER_CACHE_SIZE")
    # seconds a study's next workflow task waits on the worker that ran it last (its sticky
    # queue, where the study is cached) before any worker may take it and replay the study: a
    # busy worker keeps its studies, a dead one hands them over after this long. Measured
    # (bench/replay.py, 24 clients on 2 shared cores, two runs): tasks wait p50 0.36-0.48 s, p99
    # 0.9-1.2 s, at most 3.8-4.3 s; 5 s stays above that (a task past it costs one replay, ~100
    # ms, not an error), and hands a dead worker's studies over in half the SDK's 10 s
    worker_sticky_timeout: float = Field(5.0, gt=0, validation_alias="WORKER_STICKY_TIMEOUT")
    # the SDK's sandbox around workflow code: it imports the workflow module again for each study
    # it loads and runs each activation, and each payload's serialization context, through
    # exec. A guard against non-deterministic workflow code, which belongs where the code is
    # checked: every workflow test, the API suite's stack and every recorded history run in it
    # (tests/), so code that reached production has passed it. Off here by default: a worker
    # spends ~2 ms less Python CPU per command (8.45 -> 6.55 ms, bench/lifecycle.py, split), a
    # quarter of its work; WORKFLOW_SANDBOX=true turns it back on
    workflow_sandbox: bool = Field(False, validation_alias="WORKFLOW_SANDBOX")
    database_url: str | None = Field(None, validation_alias="DATABASE_URL")  # the app's role
    # the schema owner's, for migrations; the app's role then only inserts and reads events
    database_owner_url: str | None = Field(None, validation_alias="DATABASE_OWNER_URL")
    data_dir: Path = Field(Path(".studyflow"), validation_alias="STUDYFLOW_DATA_DIR")
    log_format: Literal["console", "json"] = Field("console", validation_alias="LOG_FORMAT")
    smtp_url: SecretStr | None = Field(None, validation_alias="SMTP_URL")  # smtp://u:p@host:port
    smtp_from: str = Field("studyflow@localhost", validation_alias="SMTP_FROM")
    webhook_url: str | None = Field(None, validation_alias="WEBHOOK_URL")
    webhook_secret: SecretStr | None = Field(None, validation_alias="WEBHOOK_SECRET")
    digest_cron: str = Field("0 7 * * *", validation_alias="DIGEST_CRON")  # daily, 07:00 Paris time
    checkpoint_cron: str = Field("5 0 * * *", validation_alias="CHECKPOINT_CRON")  # 00:05 Paris
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
    # research sites: the unit's codes (a FINESS number, a short name: S01, PAR-HEGP); names
    # with spaces, lower case or accents fail it
    site_code_pattern: str = Field(r"^[A-Z0-9]{2,12}(-[A-Z0-9]{1,12}){0,2}$",
                                   validation_alias="SITE_CODE_PATTERN")
    # a study or site more than this percent below its recruitment plan's line raises a task
    # and a notification for the coordinator, once a week at most (a plan may set its own)
    recruitment_behind_percent: int = Field(20, ge=1, le=100,
                                            validation_alias="RECRUITMENT_BEHIND_PERCENT")
    # --- people, sign-in and signatures (api/auth/) ----------------------------------------
    # the login page also takes a personal token (field `token`): on for the embedded stack,
    # off in docker-compose (a hospital signs in with its directory or local accounts)
    web_token_login: bool = Field(True, validation_alias="WEB_TOKEN_LOGIN")
    # a command of domain.signatures.SIGNED_COMMANDS sent without a signature (a plain bearer
    # token, a token login on the web) is refused; off (the embedded stack's default unless
    # set), it is recorded unsigned. An account signed in on the web always signs.
    signatures_required: bool = Field(True, validation_alias="SIGNATURES_REQUIRED")
    # a token scoped `sign`, or a re-authentication on the web, signs for this long
    sign_max_age_seconds: int = Field(300, ge=10, validation_alias="SIGN_MAX_AGE_SECONDS")
    session_idle_minutes: float = Field(15, gt=0, validation_alias="SESSION_IDLE_MINUTES")
    session_absolute_hours: float = Field(12, gt=0, validation_alias="SESSION_ABSOLUTE_HOURS")
    # None: Secure when the page was served over https; true behind a TLS-terminating proxy
    session_cookie_secure: bool | None = Field(None, validation_alias="SESSION_COOKIE_SECURE")
    password_min_length: int = Field(12, ge=8, validation_alias="PASSWORD_MIN_LENGTH")
    # failed sign-ins in a row before an account is locked, and for how long
    lockout_threshold: int = Field(5, ge=1, validation_alias="LOCKOUT_THRESHOLD")
    lockout_minutes: float = Field(15, gt=0, validation_alias="LOCKOUT_MINUTES")
    totp_required: bool = Field(True, validation_alias="TOTP_REQUIRED")
    totp_issuer: str = Field("StudyFlow", validation_alias="TOTP_ISSUER")
    # OpenID Connect (Entra ID, Keycloak, ADFS): sign-in is offered when the issuer is set
    oidc_issuer: str | None = Field(None, validation_alias="OIDC_ISSUER")
    oidc_client_id: str | None = Field(None, validation_alias="OIDC_CLIENT_ID")
    oidc_client_secret: SecretStr | None = Field(None, validation_alias="OIDC_CLIENT_SECRET")
    oidc_scopes: str = Field("openid profile email", validation_alias="OIDC_SCOPES")
    # the claim that carries groups or roles, and which of its values gives which role
    oidc_role_claim: str = Field("groups", validation_alias="OIDC_ROLE_CLAIM")
    oidc_role_map: Annotated[dict[str, RoleName], NoDecode] = Field(
        {}, validation_alias="OIDC_ROLE_MAP")
    # the account's name: the first of these claims present (then the subject)
    oidc_name_claims: list[str] = Field(["preferred_username", "email"],
                                        validation_alias="OIDC_NAME_CLAIMS")
    # the redirect URL registered at the provider; default: this site's /auth/oidc/callback
    oidc_redirect_url: str | None = Field(None, validation_alias="OIDC_REDIRECT_URL")
    oidc_provider_name: str = Field("the hospital directory",
                                    validation_alias="OIDC_PROVIDER_NAME")
    # --- documents (store/documents/) ------------------------------------------------------
    # one file's size limit: an upload past it is cut off (413) and nothing is kept
    document_max_bytes: int = Field(100 * 1024 * 1024, ge=1, validation_alias="DOCUMENT_MAX_BYTES")
    # commands refused without the documents they rest on (regulation.DOCUMENT_RULES requires);
    # off, a fact may be recorded while its document stays in the paper file
    documents_required: bool = Field(False, validation_alias="DOCUMENTS_REQUIRED")
    # where the files' bytes live: PostgreSQL (no other server) or an S3-compatible store
    document_backend: Literal["postgres", "s3"] = Field("postgres",
                                                        validation_alias="DOCUMENT_BACKEND")
    s3_bucket: str | None = Field(None, validation_alias="S3_BUCKET")
    s3_endpoint_url: str | None = Field(None, validation_alias="S3_ENDPOINT_URL")  # not AWS
    s3_region: str = Field("us-east-1", validation_alias="S3_REGION")
    s3_access_key_id: str | None = Field(None, validation_alias="S3_ACCESS_KEY_ID")
    s3_secret_access_key: SecretStr | None = Field(None, validation_alias="S3_SECRET_ACCESS_KEY")
    # object lock: each file kept in COMPLIANCE retention this many days, where the bucket has
    # object lock enabled (0: none); e.g. Reg. 536/2014 art. 58 keeps a trial's master file
    # 25 years after its end
    s3_retention_days: int = Field(0, ge=0, validation_alias="S3_RETENTION_DAYS")
    # --- language and time (i18n/) -----------------------------------------------------------
    # the language of pages and messages when a person has no preference and their browser
    # names neither French nor English; dates and times are shown in TIME_ZONE, and legal due
    # dates are calendar days of that zone
    language: str = Field("fr", validation_alias="LANGUAGE")
    time_zone: str = Field("Europe/Paris", validation_alias="TIME_ZONE")
    # the address people reach the web app at, for the links in e-mails
    public_url: str = Field("http://127.0.0.1:8000", validation_alias="PUBLIC_URL")
    host: str = Field("127.0.0.1", validation_alias="STUDYFLOW_HOST")
    port: int = Field(8000, validation_alias="STUDYFLOW_PORT")

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, value: object) -> str:
        """fr or en; a gettext-style value (en_GB:en) counts by its first language, and any
        other language is French, the unit's."""
        first = str(value or "").split(":")[0][:2].lower()
        return first if first in ("fr", "en") else "fr"

    @field_validator("oidc_role_map", mode="before")
    @classmethod
    def _json_object(cls, value: object) -> object:
        """OIDC_ROLE_MAP='{"grp-urc-coord": "coordinator"}'; empty: no mapping."""
        if isinstance(value, str):
            return json.loads(value) if value.strip() else {}
        return value


@cache
def get_settings() -> Settings:
    return Settings()
