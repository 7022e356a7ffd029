"""The shapes the task routes accept and return, and the field rules they enforce (422 otherwise)."""

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from todo_app.errors import Unprocessable
from todo_app.tasks import tagnames
from todo_app.tasks.models import DESCRIPTION_MAX, RECURRENCE_RULE_MAX, TITLE_MAX
from todo_app.tasks.priority import Priority
from todo_app.tasks.quickadd import QuickAdd
from todo_app.validation import storable_text

QUICK_ADD_MAX = 1000
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def parse_date(value: object) -> object:
    """Only "YYYY-MM-DD" (pydantic alone would take numbers as Unix times, and other formats)."""
    if isinstance(value, str):
        if not _DATE.fullmatch(value):
            raise PydanticCustomError("date_format", "Dates are written YYYY-MM-DD")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("date_invalid", f"{value} is not a date in the calendar") from None
    if value is None or isinstance(value, date):
        return value
    raise PydanticCustomError("date_type", "Dates are written as a string YYYY-MM-DD")


def _due_time(value: str) -> str:
    if not _TIME.fullmatch(value):
        raise PydanticCustomError("time_format", "Times are written HH:MM, 24-hour (00:00 to 23:59)")
    return value


def _tag(value: str) -> str:
    try:
        return tagnames.clean(value)
    except tagnames.TagNameError as exc:
        raise PydanticCustomError("tag_invalid", str(exc)) from None


# strip_whitespace removes Unicode White_Space: a title needs something else (documented only).
NOT_ONLY_SPACE = r"[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX),
    AfterValidator(storable_text),
    Field(json_schema_extra={"pattern": NOT_ONLY_SPACE}),
]
Description = Annotated[str, StringConstraints(max_length=DESCRIPTION_MAX), AfterValidator(storable_text)]
DueDate = Annotated[date, BeforeValidator(parse_date), Field(description="A calendar day, YYYY-MM-DD")]
DueTime = Annotated[
    str,
    AfterValidator(_due_time),
    Field(
        pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
        description="HH:MM, 24-hour, in the owner's time zone",
        json_schema_extra={
            "pattern": r"^([01]\d|2[0-3]):[0-5]\d$"
        },  # after a validator, pattern= is not shown
    ),
]
TagName = Annotated[
    str,
    AfterValidator(_tag),
    Field(description="1-40 characters, no commas", json_schema_extra={"pattern": tagnames.PATTERN}),
]
Tags = Annotated[list[TagName], Field(max_length=tagnames.MAX_TAGS), AfterValidator(tagnames.merge)]
QuickText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=QUICK_ADD_MAX),
    AfterValidator(storable_text),
    Field(description="Quick add: a title with #tags, !priority and ^due@HH:MM tokens, parsed by the server"),
]


class Recurrence(BaseModel):
    """How a task repeats: completing it moves it to its next occurrence instead of closing it."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    rule: Annotated[
        str,
        StringConstraints(min_length=1, max_length=RECURRENCE_RULE_MAX),
        Field(
            description="An RFC 5545 RRULE with FREQ (DAILY, WEEKLY, MONTHLY or YEARLY), INTERVAL, BYDAY, "
            "BYMONTHDAY, BYMONTH, BYSETPOS, COUNT, UNTIL, WKST; e.g. FREQ=WEEKLY;INTERVAL=2;BYDAY=TU. "
            "The task's due date is the first occurrence",
            examples=["FREQ=MONTHLY;BYMONTHDAY=-1"],
        ),
    ]
    from_: Literal["due", "completion"] = Field(
        default="due",
        alias="from",
        description='"due": the next date of the series after the due date and today; "completion": '
        "the rule restarted on the day it is completed",
    )


MAX_REMINDERS = 5
MAX_BEFORE_MINUTES = 40320  # four weeks


class RelativeReminder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    before_minutes: int = Field(
        ge=0, le=MAX_BEFORE_MINUTES, description="Minutes before the due date and time (needs a due_time)"
    )


class AbsoluteReminder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: datetime = Field(description="ISO 8601 with an offset, e.g. 2026-12-01T08:30:00+01:00")

    @field_validator("at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise PydanticCustomError("at_needs_offset", "at needs a UTC offset, e.g. 2026-12-01T08:30:00Z")
        if not 1900 <= value.astimezone(UTC).year <= 9998:
            raise PydanticCustomError("at_out_of_range", "at must be between the years 1900 and 9998")
        return value.astimezone(UTC)


def _reminder_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "before" if "before_minutes" in value else "at"
    return "before" if isinstance(value, RelativeReminder) else "at"


Reminder = Annotated[
    Annotated[RelativeReminder, Tag("before")] | Annotated[AbsoluteReminder, Tag("at")],
    Discriminator(_reminder_kind),
]


def _distinct_reminders(value: list[Reminder]) -> list[Reminder]:
    seen: list[Reminder] = []
    for reminder in value:
        if reminder not in seen:
            seen.append(reminder)
    return seen


Reminders = Annotated[
    list[Reminder],
    Field(max_length=MAX_REMINDERS, description=f"Up to {MAX_REMINDERS}; duplicates are merged"),
    AfterValidator(_distinct_reminders),
]


def reminders_json(reminders: list[Reminder]) -> list[dict[str, Any]]:
    """Reminders as stored and shown: {"before_minutes": n} or {"at": "...Z"} (UTC)."""
    out: list[dict[str, Any]] = []
    for reminder in reminders:
        if isinstance(reminder, RelativeReminder):
            out.append({"before_minutes": reminder.before_minutes})
        else:
            out.append({"at": reminder.at.strftime("%Y-%m-%dT%H:%M:%SZ")})
    return out


def _time_needs_date(fields: dict[str, Any]) -> None:
    if fields.get("due_time") is not None and fields.get("due_date") is None:
        raise PydanticCustomError("due_time_without_date", "due_time needs a due_date")


PATCH_NOT_NULL = ("title", "completed", "priority", "tags", "reminders")
BULK_NOT_NULL = ("completed", "priority")


def _not_null_in_schema(names: tuple[str, ...]) -> Callable[[dict[str, Any]], None]:
    """The model's JSON schema without `null` for these fields: they may be left out, never sent
    as null (_not_null refuses it)."""

    def document(schema: dict[str, Any]) -> None:
        for name in names:
            field = schema["properties"][name]
            options = [option for option in field.pop("anyOf") if option != {"type": "null"}]
            field.update(options[0] if len(options) == 1 else {"anyOf": options})
            field.pop("default", None)

    return document


def _not_null(model: BaseModel, names: tuple[str, ...]) -> None:
    for name in names:
        if name in model.model_fields_set and getattr(model, name) is None:
            raise PydanticCustomError("null_not_allowed", f"{name} cannot be null")


class TaskCreate(BaseModel):
    """Either `title` or quick-add `text`; fields sent beside `text` win over what it says, and
    tags from both are kept."""

    title: Title | None = None
    text: QuickText | None = None
    description: Description | None = None
    completed: bool = False
    due_date: DueDate | None = None
    due_time: DueTime | None = None
    priority: Priority = "none"
    tags: Tags = []
    recurrence: Recurrence | None = None
    reminders: Reminders = []

    @model_validator(mode="after")
    def _check(self) -> "TaskCreate":
        if (self.title is None) == (self.text is None):
            raise PydanticCustomError("title_or_text", "Send either title or text (quick add), not both")
        _not_null(self, ("completed",))
        if self.text is None:
            _time_needs_date(self.model_dump())
        return self


_TITLE: TypeAdapter[str] = TypeAdapter(Title)


def quick_add_fields(parsed: QuickAdd, explicit: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The task fields of a quick add: what the text says, overridden by fields sent beside it
    (tags from both are kept); the result obeys the same rules as a task sent field by field."""
    fields: dict[str, Any] = {"title": parsed.title, "priority": parsed.priority or "none"}
    if parsed.due_date is not None:
        fields["due_date"] = parsed.due_date
        fields["due_time"] = parsed.due_time.strftime("%H:%M") if parsed.due_time else None
    if parsed.recurrence is not None:
        fields["recurrence"] = {"rule": parsed.recurrence, "from": "due"}
    explicit = dict(explicit)
    tag_names = tagnames.merge([*parsed.tags, *explicit.pop("tags", [])])
    if len(tag_names) > tagnames.MAX_TAGS:
        raise Unprocessable(f"A task has at most {tagnames.MAX_TAGS} tags")
    fields.update(explicit)
    try:
        fields["title"] = _TITLE.validate_python(fields["title"])
    except ValidationError as exc:
        raise Unprocessable(f"Title: {exc.errors()[0]['msg']}") from None
    if fields.get("due_time") is not None and fields.get("due_date") is None:
        raise Unprocessable("due_time needs a due_date")
    return fields, tag_names


class QuickAddRequest(BaseModel):
    text: QuickText


class QuickAddPublic(BaseModel):
    title: str
    tags: list[str]
    priority: Priority | None
    due_date: date | None
    due_time: str | None
    recurrence: Recurrence | None


class TaskReplace(BaseModel):
    """PUT: the whole editable state. title, description (may be null) and completed must be sent;
    what is left out of the rest is reset (no due date, priority none, no tags)."""

    title: Title
    description: Description | None
    completed: bool
    due_date: DueDate | None = None
    due_time: DueTime | None = None
    priority: Priority = "none"
    tags: Tags = []
    recurrence: Recurrence | None = None
    reminders: Reminders = []

    @model_validator(mode="after")
    def _check(self) -> "TaskReplace":
        _time_needs_date(self.model_dump())
        return self


class TaskUpdate(BaseModel):
    """PATCH: any subset. title, completed, priority and tags cannot be null; due_time needs a due
    date (sent here or already on the task); a null due_date clears due_time too."""

    model_config = ConfigDict(json_schema_extra=_not_null_in_schema(PATCH_NOT_NULL))

    title: Title | None = None
    description: Description | None = None
    completed: bool | None = None
    due_date: DueDate | None = None
    due_time: DueTime | None = None
    priority: Priority | None = None
    tags: Tags | None = None
    recurrence: Recurrence | None = Field(default=None, description="null: no longer repeats")
    reminders: Reminders | None = None

    @model_validator(mode="after")
    def _check(self) -> "TaskUpdate":
        _not_null(self, PATCH_NOT_NULL)
        if "due_date" in self.model_fields_set and self.due_date is None and self.due_time is not None:
            raise PydanticCustomError("due_time_without_date", "due_time needs a due_date")
        return self

    def changes(self) -> dict[str, Any]:
        return self.model_dump(include=self.model_fields_set)


class BulkChange(BaseModel):
    """PATCH /tasks: what to change on every matching task (at least one field)."""

    model_config = ConfigDict(json_schema_extra=_not_null_in_schema(BULK_NOT_NULL))

    completed: bool | None = None
    priority: Priority | None = None
    due_date: DueDate | None = None
    due_time: DueTime | None = None
    add_tags: Tags = []
    remove_tags: Tags = []

    @model_validator(mode="after")
    def _check(self) -> "BulkChange":
        if not self.model_fields_set:
            raise PydanticCustomError("nothing_to_change", "Send at least one field to change")
        _not_null(self, BULK_NOT_NULL)
        if self.due_time is not None and self.due_date is None:
            raise PydanticCustomError(
                "due_time_without_date", "due_time needs a due_date in the same request"
            )
        return self


class TaskPublic(BaseModel):
    id: int
    title: str
    description: str | None
    completed: bool
    completed_at: datetime | None
    due_date: date | None
    due_time: str | None = Field(description="HH:MM")
    priority: Priority
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    version: int = Field(
        description="Moves on with every change of the task; its ETag is this number in double quotes"
    )
    recurrence: Recurrence | None
    reminders: list[Reminder]


class CompletionPublic(BaseModel):
    """One completed occurrence of a recurring task: the date and time it was due, and when it was done."""

    due_date: date
    due_time: str | None = Field(description="HH:MM")
    completed_at: datetime


class BulkUpdated(BaseModel):
    updated: int


class BulkDeleted(BaseModel):
    deleted: int
