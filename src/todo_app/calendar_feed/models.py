"""The calendar_feed table: a user's secret calendar URL, stored only as the SHA-256 of its secret."""

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel

from todo_app.db.types import UTCDateTime
from todo_app.models import metadata  # noqa: F401 (applies the naming convention first)

ID_TYPE = BigInteger().with_variant(Integer(), "sqlite")


class CalendarFeed(SQLModel, table=True):
    __tablename__ = "calendar_feed"

    user_id: int = Field(
        sa_column=Column(ID_TYPE, ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    )
    secret_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))  # sha256 hex
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
