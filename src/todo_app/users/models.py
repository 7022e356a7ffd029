"""The user table and the shapes the auth routes accept and return."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator
from pydantic import Field as PydanticField
from pydantic_core import PydanticCustomError
from sqlalchemy import BigInteger, Column, Index, Integer, String
from sqlmodel import Field, SQLModel

from todo_app.db.types import UTCDateTime
from todo_app.models import metadata  # noqa: F401 (applies the naming convention first)
from todo_app.security import BCRYPT_MAX_BYTES, is_common_password
from todo_app.users.emails import InvalidEmail, normalize_email
from todo_app.validation import storable_text
from todo_app.zones import known_timezones

PASSWORD_MIN_CHARS = 8
DEFAULT_TIMEZONE = "UTC"
TIMEZONE_MAX = 64
TIMEZONE_PATTERN = r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$"  # what every IANA name looks like
ID_TYPE = BigInteger().with_variant(Integer(), "sqlite")


class User(SQLModel, table=True):
    __tablename__ = "app_user"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, sa_column=Column(ID_TYPE, primary_key=True))
    email: str = Field(sa_column=Column(String(320), nullable=False, unique=True))
    hashed_password: str = Field(sa_column=Column(String(255), nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # Kept exact by database triggers (migration 0002) on every task write; never set by the app.
    task_count: int = Field(default=0, sa_column=Column(BigInteger(), nullable=False, server_default="0"))
    completed_count: int = Field(
        default=0, sa_column=Column(BigInteger(), nullable=False, server_default="0")
    )
    # Generation of the user's tokens: "sign out everywhere" and password changes move it on, and a
    # token whose `ver` claim is older is refused.
    token_version: int = Field(default=0, sa_column=Column(BigInteger(), nullable=False, server_default="0"))
    # An IANA zone: "today", "overdue" and quick-add dates are judged in it.
    timezone: str = Field(
        default=DEFAULT_TIMEZONE,
        sa_column=Column(String(TIMEZONE_MAX), nullable=False, server_default=DEFAULT_TIMEZONE),
    )
    # Numbers the user's task writes: each write takes the next one (under this row's lock), and
    # the tasks it touches carry it as their `version`.
    change_seq: int = Field(default=0, sa_column=Column(BigInteger(), nullable=False, server_default="0"))
    # Changes numbered at or below it were compacted out of the change log: a sync cursor from
    # before it cannot be answered (410).
    change_floor: int = Field(default=0, sa_column=Column(BigInteger(), nullable=False, server_default="0"))


class RevokedToken(SQLModel, table=True):
    """A signed-out token's `jti`, kept until the token would have expired anyway."""

    __tablename__ = "revoked_token"
    __table_args__ = (Index("ix_revoked_token_expires_at", "expires_at"),)

    jti: str = Field(sa_column=Column(String(64), primary_key=True))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


def _email(value: object) -> str:
    try:
        return normalize_email(value)
    except InvalidEmail as exc:
        raise PydanticCustomError(
            "value_error", "value is not a valid email address: {reason}", {"reason": str(exc)}
        ) from None


def _check_password(value: str) -> str:
    storable_text(value)
    if len(value) < PASSWORD_MIN_CHARS:
        raise PydanticCustomError(
            "password_too_short", f"Password must be at least {PASSWORD_MIN_CHARS} characters"
        )
    if is_common_password(value):
        raise PydanticCustomError(
            "password_too_common", "This password is one of the most common ones; choose another"
        )
    if len(value.encode()) > BCRYPT_MAX_BYTES:
        raise PydanticCustomError(
            "password_too_long",
            f"Password must be at most {BCRYPT_MAX_BYTES} bytes in UTF-8 (bcrypt's limit)",
        )
    return value


Email = Annotated[str, PydanticField(json_schema_extra={"format": "email"}), BeforeValidator(_email)]
# Documented only (json_schema_extra): _check_password enforces the rules, with its own messages.
# Characters never outnumber UTF-8 bytes, so more than BCRYPT_MAX_BYTES characters is always too long.
NewPassword = Annotated[
    str,
    AfterValidator(_check_password),
    PydanticField(
        description=f"At least {PASSWORD_MIN_CHARS} characters and at most {BCRYPT_MAX_BYTES} bytes in "
        "UTF-8 (bcrypt's limit; a longer one is refused, never cut short), and not one of the most "
        "common passwords",
        json_schema_extra={"minLength": PASSWORD_MIN_CHARS, "maxLength": BCRYPT_MAX_BYTES},
    ),
]


class SignupRequest(BaseModel):
    email: Email
    password: NewPassword


class LoginRequest(BaseModel):
    """Checked only for shape: a wrong address or password is a 401, not a validation error."""

    email: str
    password: str


class PasswordChange(BaseModel):
    current_password: str
    new_password: NewPassword


class AccountDeletion(BaseModel):
    password: str


def _timezone(value: str) -> str:
    if value not in known_timezones():
        raise PydanticCustomError(
            "timezone_unknown",
            "Unknown time zone {zone}: use an IANA name such as Europe/Berlin",
            {"zone": value},
        )
    return value


TimeZoneName = Annotated[
    str,
    AfterValidator(_timezone),
    PydanticField(
        description="An IANA time zone name, e.g. Europe/Berlin (the server's tz database decides which exist)",
        json_schema_extra={"pattern": TIMEZONE_PATTERN, "maxLength": TIMEZONE_MAX},
    ),
]


class ProfileUpdate(BaseModel):
    timezone: TimeZoneName


class UserPublic(BaseModel):
    id: int
    email: str
    created_at: datetime
    timezone: str = DEFAULT_TIMEZONE


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105
    expires_in: int
