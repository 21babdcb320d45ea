"""One frozen Settings object, read from flags, then the environment, then `.env`, then defaults.

Every knob has a named default here, so the numbers that shape behaviour (timeouts, retry
bounds, size limits) live in one place and are documented once.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_BASE_URL = "https://cool.jobmojito.com/functions/v1"
# AI question generation takes tens of seconds; a read timeout below a minute cuts real calls short.
DEFAULT_READ_TIMEOUT = 120.0
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_MAX_RETRIES = 2
DEFAULT_RETRY_BACKOFF = 0.5
# Beyond this a Retry-After is reported to the agent instead of being slept through.
DEFAULT_RETRY_AFTER_CAP = 10.0
# The largest legitimate answer (1000 templates) is well under 1 MiB; bigger is a fault, not data.
DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
LogFormat = Literal["text", "json"]

SANDBOX_TOKEN = "sandbox-token"  # noqa: S105  # what --sandbox mode sends: the in-process simulator accepts any token


class Settings(BaseSettings):
    """Server configuration. Environment names are JOBMOJITO_<FIELD>; each has a matching CLI flag."""

    model_config = SettingsConfigDict(
        env_prefix="JOBMOJITO_", env_file=".env", extra="ignore", frozen=True, validate_default=True
    )

    token: SecretStr | None = Field(None, description="JobMojito (Supabase) access token, sent as Bearer.")
    base_url: str = Field(DEFAULT_BASE_URL, description="JobMojito functions API base URL.")
    timeout: float = Field(DEFAULT_READ_TIMEOUT, gt=0, description="Read timeout, seconds.")
    connect_timeout: float = Field(DEFAULT_CONNECT_TIMEOUT, gt=0, description="Connect timeout, seconds.")
    log_level: LogLevel = "INFO"
    log_format: LogFormat = "text"
    max_retries: int = Field(DEFAULT_MAX_RETRIES, ge=0, le=10, description="Retries of safe requests.")
    retry_backoff: float = Field(DEFAULT_RETRY_BACKOFF, ge=0, description="First backoff delay, seconds.")
    retry_after_cap: float = Field(DEFAULT_RETRY_AFTER_CAP, ge=0, description="Longest Retry-After honoured.")
    max_response_bytes: int = Field(DEFAULT_MAX_RESPONSE_BYTES, gt=0)
    sandbox: bool = Field(False, description="Serve against the built-in in-process sandbox.")
    sandbox_db: str | None = Field(None, description="SQLite file keeping sandbox state across restarts.")

    @field_validator("base_url")
    @classmethod
    def _strip_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("token", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        # An empty JOBMOJITO_TOKEN= line in .env means "not configured", not "send an empty bearer".
        return None if isinstance(value, str) and not value.strip() else value


def load_settings(**overrides: Any) -> Settings:
    """Settings with CLI flag values winning over the environment; a flag left unset (None) does not."""
    given = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**given)
