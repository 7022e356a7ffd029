"""Settings from the environment (and an optional `.env`), validated once at start-up."""

import ipaddress
import logging
import os
import secrets
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from todo_app.notifications.smtp import SmtpTarget, check_sender, parse_smtp_url

log = logging.getLogger(__name__)

MIN_SECRET_BYTES = 32
SECRET_FILE = "jwt_secret"  # noqa: S105 (a file name)


class ConfigError(Exception):
    """A setting that makes it unsafe or impossible to start; the message is one line for the operator."""


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "todo-app"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str | None = None
    migration_database_url: str | None = None
    data_dir: Path = Field(default_factory=default_data_dir)
    jwt_secret: SecretStr | None = None
    jwt_expire_days: int = Field(default=7, ge=1, le=365)
    bcrypt_rounds: int = Field(default=12, ge=4, le=31)
    db_pool_size: int = Field(default=20, ge=1, le=200)
    db_pool_timeout: float = Field(default=10.0, gt=0, le=300)
    jwt_secret_previous: SecretStr | None = None
    redis_url: str | None = None
    rate_limit_login_failures: int = Field(default=5, ge=0)
    rate_limit_login_window_minutes: int = Field(default=15, ge=1)
    rate_limit_auth_per_minute: int = Field(default=30, ge=0)
    trusted_proxies: Annotated[list[ipaddress.IPv4Network | ipaddress.IPv6Network], NoDecode] = []
    cors_origins: Annotated[list[str], NoDecode] = []
    # Trashed tasks are deleted for good after this many days.
    trash_retention_days: int = Field(default=30, ge=1, le=3650)
    # Reminders are claimed this often by every process: each falls due within this many seconds.
    reminder_poll_seconds: float = Field(default=15.0, gt=0, le=3600)
    # Reminder emails (notifications/smtp.py): smtp://host[:port] or smtps://user:password@host[:port],
    # and the From address. Both unset: reminders are notifications only.
    smtp_url: SecretStr | None = None
    smtp_from: str | None = None
    # GET /events: seconds between keep-alive comments (and token re-checks) on an idle stream.
    events_heartbeat_seconds: float = Field(default=15.0, gt=0, le=300)
    # `todo-app serve` on SIGTERM: how long requests in flight may take to finish before they are
    # cancelled and the process exits (keep the supervisor's stop timeout above it).
    shutdown_timeout: int = Field(default=20, ge=1, le=600)
    # Logs (observability/logs.py): unset format = text on a terminal, JSON otherwise.
    log_format: Literal["json", "text"] | None = None
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    # One line per request (method, route template, status, duration, user, client).
    log_access: bool = True
    # GET /metrics (Prometheus) answers only `Authorization: Bearer <METRICS_TOKEN>`; unset, it is a 404.
    metrics_token: SecretStr | None = None
    # Traces (observability/tracing.py) go to this OTLP/HTTP collector, e.g. http://collector:4318;
    # unset, none are made. The SDK reads the other OTEL_* variables (service name, headers) itself.
    otel_exporter_otlp_endpoint: str | None = None

    @field_validator("log_format", "log_level", mode="before")
    @classmethod
    def _lower_case(cls, value: object, info: ValidationInfo) -> object:
        """`JSON` and ` Debug ` as meant; blank as unset (the default)."""
        if isinstance(value, str):
            return value.strip().lower() or cls.model_fields[str(info.field_name)].default
        return value

    @field_validator("trusted_proxies", "cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("cors_origins", mode="after")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if origin == "*" or not origin.startswith(("http://", "https://")) or origin.endswith("/"):
                raise ValueError(f"CORS_ORIGINS: {origin!r} is not an origin like https://app.example.com")
        return value

    @field_validator(
        "database_url",
        "migration_database_url",
        "jwt_secret",
        "jwt_secret_previous",
        "redis_url",
        "metrics_token",
        "smtp_url",
        "smtp_from",
        "otel_exporter_otlp_endpoint",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("smtp_url", mode="after")
    @classmethod
    def _smtp_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            parse_smtp_url(value.get_secret_value())  # (its messages never repeat the URL)
        return value

    @field_validator("smtp_from", mode="after")
    @classmethod
    def _smtp_from(cls, value: str | None) -> str | None:
        return check_sender(value) if value is not None else None

    @property
    def smtp_target(self) -> SmtpTarget | None:
        """Where reminder emails go; None when they are off (SMTP_URL or SMTP_FROM unset)."""
        if self.smtp_url is None or self.smtp_from is None:
            return None
        return parse_smtp_url(self.smtp_url.get_secret_value())

    @field_validator("otel_exporter_otlp_endpoint", mode="after")
    @classmethod
    def _collector_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.strip().startswith(("http://", "https://")):  # not echoed: it may hold a password
            raise ValueError("not a URL like http://collector:4318")
        return value.strip()

    @property
    def uses_embedded_default(self) -> bool:
        return self.database_url is None

    @property
    def effective_database_url(self) -> str:
        if self.database_url is not None:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'todo.db'}"

    @property
    def signing_secret(self) -> str:
        """JWT_SECRET, which load_settings always sets (to the embedded default's when unset)."""
        if self.jwt_secret is None:
            raise ConfigError("JWT_SECRET is not set: settings not made by load_settings")
        return self.jwt_secret.get_secret_value()

    @property
    def jwt_keys(self) -> list[str]:
        """Verification keys: the signing secret, then JWT_SECRET_PREVIOUS while a rotation settles."""
        keys = [self.jwt_secret, self.jwt_secret_previous]
        return [key.get_secret_value() for key in keys if key is not None]

    @property
    def effective_migration_url(self) -> str:
        return self.migration_database_url or self.effective_database_url


def load_settings(**overrides: Any) -> Settings:
    """Read the environment, then make sure a usable JWT secret exists (or refuse)."""
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise ConfigError(f"{name}: {first['msg'].removeprefix('Value error, ')}") from None
    if settings.jwt_secret is None:
        if not settings.uses_embedded_default:
            raise ConfigError("JWT_SECRET is required when DATABASE_URL is set (at least 32 bytes)")
        settings.jwt_secret = SecretStr(_embedded_secret(settings.data_dir))
    for name, secret in (
        ("JWT_SECRET", settings.jwt_secret),
        ("JWT_SECRET_PREVIOUS", settings.jwt_secret_previous),
    ):
        if secret is not None and len(secret.get_secret_value().encode()) < MIN_SECRET_BYTES:
            raise ConfigError(f"{name} is too short: it must be at least {MIN_SECRET_BYTES} bytes")
    if (settings.smtp_url is None) != (settings.smtp_from is None):
        raise ConfigError("SMTP_URL and SMTP_FROM go together: set both to email reminders, or neither")
    return settings


def _embedded_secret(data_dir: Path) -> str:
    """The secret of the zero-configuration SQLite set-up: made once, kept beside the database.

    Written to a private temporary file and hard-linked into place, so processes starting together
    all end up with the one secret that won the link.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / SECRET_FILE
    if not path.exists():
        tmp = data_dir / f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    log.warning(
        "JWT_SECRET is not set: using the generated secret in %s (set JWT_SECRET in production)", path
    )
    return path.read_text().strip()
