"""The event_ticket table: single-use credentials for `GET /events?ticket=` (EventSource cannot
send an Authorization header). Only a hash of the ticket is stored."""

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String
from sqlmodel import Field, SQLModel

from todo_app.db.types import UTCDateTime
from todo_app.models import metadata  # noqa: F401 (applies the naming convention first)

ID_TYPE = BigInteger().with_variant(Integer(), "sqlite")


class EventTicket(SQLModel, table=True):
    __tablename__ = "event_ticket"
    __table_args__ = (Index("ix_event_ticket_expires_at", "expires_at"),)

    ticket_hash: str = Field(sa_column=Column(String(64), primary_key=True))  # sha256 hex
    user_id: int = Field(
        sa_column=Column(ID_TYPE, ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False)
    )
    # The token the ticket was issued to: the stream ends when that token is signed out or revoked.
    jti: str = Field(sa_column=Column(String(64), nullable=False))
    token_version: int = Field(sa_column=Column(BigInteger(), nullable=False))
    token_expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
