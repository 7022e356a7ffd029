"""The task table and the shapes the task routes accept and return."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, StringConstraints, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, Integer, String
from sqlmodel import Field, SQLModel

from todo_app.db.types import UTCDateTime
from todo_app.models import metadata  # noqa: F401 (applies the naming convention first)
from todo_app.validation import storable_text

TITLE_MAX = 200
DESCRIPTION_MAX = 1000
ID_TYPE = BigInteger().with_variant(Integer(), "sqlite")


class Task(SQLModel, table=True):
    __tablename__ = "task"
    __table_args__ = (
        Index("ix_task_user_id_created_at", "user_id", "created_at", "id"),
        {"sqlite_autoincrement": True},  # ids of deleted tasks are never handed out again
    )

    id: int | None = Field(default=None, sa_column=Column(ID_TYPE, primary_key=True))
    user_id: int = Field(
        sa_column=Column(ID_TYPE, ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False)
    )
    title: str = Field(sa_column=Column(String(TITLE_MAX), nullable=False))
    description: str | None = Field(default=None, sa_column=Column(String(DESCRIPTION_MAX), nullable=True))
    completed: bool = Field(default=False, sa_column=Column(Boolean(), nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX),
    AfterValidator(storable_text),
]
Description = Annotated[str, StringConstraints(max_length=DESCRIPTION_MAX), AfterValidator(storable_text)]


class TaskCreate(BaseModel):
    title: Title
    description: Description | None = None
    completed: bool = False


class TaskReplace(BaseModel):
    """PUT: the whole editable state; every field must be sent (description may be null)."""

    title: Title
    description: Description | None
    completed: bool


class TaskUpdate(BaseModel):
    """PATCH: any subset; `title` and `completed` may be left out but not set to null."""

    title: Title | None = None
    description: Description | None = None
    completed: bool | None = None

    @model_validator(mode="after")
    def _no_null_for_required(self) -> "TaskUpdate":
        for name in ("title", "completed"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise PydanticCustomError("null_not_allowed", f"{name} cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        return self.model_dump(include=self.model_fields_set)


class TaskPublic(BaseModel):
    id: int
    title: str
    description: str | None
    completed: bool
    created_at: datetime
    updated_at: datetime
