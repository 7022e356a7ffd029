"""The idempotency_key table: the first answer to a request sent with an `Idempotency-Key`."""

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlmodel import Field, SQLModel

from todo_app.db.types import UTCDateTime
from todo_app.models import metadata  # noqa: F401 (applies the naming convention first)

ID_TYPE = BigInteger().with_variant(Integer(), "sqlite")
KEY_MAX = 255


class IdempotencyKey(SQLModel, table=True):
    __tablename__ = "idempotency_key"
    __table_args__ = (Index("ix_idempotency_key_created_at", "created_at"),)

    user_id: int = Field(
        sa_column=Column(
            ID_TYPE, ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True, nullable=False
        )
    )
    key: str = Field(sa_column=Column(String(KEY_MAX), primary_key=True, nullable=False))
    # sha256 (hex) of the request: method, path, query and body
    fingerprint: str = Field(sa_column=Column(String(64), nullable=False))
    # NULL while the first request is still being served
    status_code: int | None = Field(default=None, sa_column=Column(Integer(), nullable=True))
    response_headers: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))  # JSON
    response_body: bytes | None = Field(default=None, sa_column=Column(LargeBinary(), nullable=True))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
