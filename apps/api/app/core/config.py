"""The one settings object. Every environment variable the service reads is declared here."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DATA_DIR = Path.cwd() / ".data"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=(".env", "apps/api/.env"), env_file_encoding="utf-8", extra="ignore"
    )

    # --- service -------------------------------------------------------------------------
    APP_NAME: str = "Smart WhatsApp Agent"
    ENVIRONMENT: Literal["development", "production", "test"] = "development"
    LOG_LEVEL: str = "INFO"
    DATABASE_URL: str = f"sqlite:///{DATA_DIR / 'agent.db'}"
    DATABASE_POOL_SIZE: int = 10
    MAX_REQUEST_BODY_BYTES: int = 1_048_576
    MAX_UPLOAD_BYTES: int = 50 * 1_048_576
    SECRET_KEY: str = Field(
        default="change-me-dev-only-secret-key",
        description="Key that encrypts secrets at rest (sender access tokens). Any string; "
        "a Fernet key is derived from it. Changing it makes stored tokens unreadable.",
    )
    DEFAULT_PHONE_REGION: str = "US"
    PUBLIC_BASE_URL: str = "http://127.0.0.1:8000"

    # --- queue / cache -------------------------------------------------------------------
    REDIS_URL: str | None = "redis://localhost:6379/0"
    CELERY_BROKER_URL: str = "redis://localhost:6379/0"
    CELERY_RESULT_BACKEND: str | None = "redis://localhost:6379/0"
    CELERY_VISIBILITY_TIMEOUT: int = 3600
    CELERY_TASK_ALWAYS_EAGER: bool = False

    # --- WhatsApp ------------------------------------------------------------------------
    WHATSAPP_PROVIDER: Literal["sandbox", "cloud_api"] = "sandbox"
    WHATSAPP_API_BASE_URL: str = "https://graph.facebook.com"
    # Graph API version. Retirement dates, start-up warning: integrations/whatsapp/versions.py
    WHATSAPP_API_VERSION: str = "v24.0"
    WHATSAPP_APP_SECRET: str = "sandbox-app-secret"
    WHATSAPP_VERIFY_TOKEN: str = "sandbox-verify-token"
    WHATSAPP_BUSINESS_ACCOUNT_ID: str | None = None
    WHATSAPP_REQUEST_TIMEOUT: float = 15.0
    WHATSAPP_MAX_CONNECTIONS: int = 200
    # Pool wait + TCP/TLS connect; must stay below WHATSAPP_REQUEST_TIMEOUT so a timeout before
    # the request is written is told apart from one after it (retry vs. ambiguous, SPEC §5).
    WHATSAPP_CONNECT_TIMEOUT: float = 5.0
    # Webhook processing: "batched" (request stores the event; one coalesced sweep task per
    # window processes stored events in batches) or "per_event" (one Celery task per delivery).
    WEBHOOK_PROCESSING: Literal["batched", "per_event"] = "batched"
    WEBHOOK_BATCH_WINDOW_SECONDS: float = 0.25

    # --- sandbox simulator ---------------------------------------------------------------
    SANDBOX_SEED: int | None = None
    SANDBOX_LATENCY_MS: int = 0
    SANDBOX_FAILURE_RATE: float = 0.02
    SANDBOX_READ_RATE: float = 0.7
    SANDBOX_REPLY_RATE: float = 0.2
    SANDBOX_STATUS_DELAY_SECONDS: float = 1.0

    # --- AI / LLM ------------------------------------------------------------------------
    LLM_PROVIDER: Literal["local", "openai", "anthropic", "ollama"] = "local"
    LLM_MODEL: str = "gpt-4-turbo-preview"
    LLM_TEMPERATURE: float = 0.7
    LLM_MAX_TOKENS: int = 1000
    LLM_TIMEOUT_SECONDS: float = 30.0
    LLM_MAX_RETRIES: int = Field(default=2, ge=0, le=10)
    OPENAI_API_KEY: str | None = None
    OPENAI_BASE_URL: str | None = None
    ANTHROPIC_API_KEY: str | None = None
    ANTHROPIC_BASE_URL: str | None = None
    OLLAMA_BASE_URL: str = "http://localhost:11434"

    # Labelled data the offline models train from at first use (risk/, replies/); unset: the
    # source checkout's tests/data. The Docker image sets it to its copy.
    AI_DATA_DIR: str | None = None

    AI_MESSAGE_REWRITING_ENABLED: bool = True
    AI_REPLY_CLASSIFICATION_ENABLED: bool = True
    AI_BAN_RISK_DETECTION_ENABLED: bool = True
    AI_LEAD_SCORING_ENABLED: bool = True
    # Build the offline reply models in a background thread when the API or a worker starts, so
    # the first reply classified does not wait for them (about 5 s of one core).
    AI_WARM_UP: bool = True
    # Variants prepared per campaign text when AI rewriting is on (one picked per recipient).
    AI_REWRITE_VARIANTS: int = Field(default=5, ge=1, le=20)

    # --- campaigns / pacing --------------------------------------------------------------
    MAX_MESSAGES_PER_HOUR: int = 100
    MAX_MESSAGES_PER_DAY: int = 1000
    MESSAGE_DELAY_MIN: float = 2
    MESSAGE_DELAY_MAX: float = 5
    WARMUP_ENABLED: bool = True
    WARMUP_DAYS: int = 14
    QUIET_HOURS_ENABLED: bool = True
    QUIET_HOURS_START: int = Field(default=20, ge=0, le=23)
    QUIET_HOURS_END: int = Field(default=9, ge=0, le=23)
    SEND_MAX_RETRIES: int = 3
    SEND_BATCH_SIZE: int = 200
    SENDING_STALE_AFTER_SECONDS: int = 900
    OPT_OUT_KEYWORDS: Annotated[list[str], NoDecode] = Field(default_factory=list)
    MESSAGE_RETENTION_DAYS: int = 90
    LEAD_SCORE_UPDATE_MINUTES: int = 60
    # Sending engine: concurrent Cloud API requests per worker batch, dispatcher tasks started
    # per sender when there is no per-message delay, and how long one dispatcher task runs
    # before it hands over to a fresh task (keeps tasks far below the visibility timeout).
    SEND_CONCURRENCY: int = 100
    DISPATCH_FANOUT: int = 2
    DISPATCH_TASK_SECONDS: int = 120
    RISK_WINDOW_HOURS: int = 6
    MAX_CAMPAIGN_RECIPIENTS: int = 100_000

    # --- analytics / metrics -------------------------------------------------------------
    ANALYTICS_REFRESH_SECONDS: int = 600
    ANALYTICS_REFRESH_OVERLAP_SECONDS: int = 300
    ANALYTICS_MAX_STALENESS_SECONDS: int = 60
    ANALYTICS_MIN_SAMPLE: int = 30
    METRICS_TOKEN: str | None = None
    PROMETHEUS_MULTIPROC_DIR: str | None = None

    @field_validator("REDIS_URL", "CELERY_RESULT_BACKEND", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        # `REDIS_URL=` (empty) means "no Redis" (embedded mode), not the empty URL "".
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("OPT_OUT_KEYWORDS", mode="before")
    @classmethod
    def _split_keywords(cls, value: object) -> object:
        if isinstance(value, str):
            if value.strip().startswith("["):
                return value
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.DATABASE_URL.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()


settings = get_settings()
