"""The query parameters of GET, PATCH and DELETE /tasks, validated as one model each (one pydantic
call per request: FastAPI's per-parameter solving cost more than the list query itself)."""

from datetime import date
from typing import Annotated, Any, TypeVar, cast

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, ValidationError
from pydantic_core import PydanticCustomError

from todo_app.db.types import MAX_ID
from todo_app.tasks import tagnames
from todo_app.tasks.cursor import MAX_CURSOR_CHARS
from todo_app.tasks.listing import DEFAULT_SORT, SORTS, Filters
from todo_app.tasks.priority import Priority, rank
from todo_app.tasks.schemas import parse_date

MAX_IDS = 500
MAX_WORDS = 20
SORT_PATTERN = "^(" + "|".join(SORTS) + ")$"


def _ids(value: str) -> tuple[int, ...]:
    parts = [p.strip() for p in value.split(",")]
    if len(parts) > MAX_IDS or not all(p.isascii() and p.isdigit() and len(p) <= 19 for p in parts):
        raise PydanticCustomError("ids", f"ids are up to {MAX_IDS} task ids separated by commas")
    return tuple(sorted({int(p) for p in parts if 1 <= int(p) <= MAX_ID}))


def _tag_key(value: str) -> str:
    try:
        return tagnames.key(tagnames.clean(value))
    except tagnames.TagNameError as exc:
        raise PydanticCustomError("tag_invalid", str(exc)) from None


def _words(value: str) -> str:
    if len(value.split()) > MAX_WORDS:
        raise PydanticCustomError("too_many_words", f"Search for at most {MAX_WORDS} words at once")
    return value


QueryDate = Annotated[date, BeforeValidator(parse_date)]
# The patterns document the validators' rules in the OpenAPI schema; the validators decide.
TagKey = Annotated[str, AfterValidator(_tag_key), Field(json_schema_extra={"pattern": tagnames.PATTERN})]
IDS_PATTERN = rf"^\s*[0-9]{{1,19}}\s*(,\s*[0-9]{{1,19}}\s*){{0,{MAX_IDS - 1}}}$"
WORDS_PATTERN = rf"^\s*(\S+(\s+\S+){{0,{MAX_WORDS - 1}}})?\s*$"


class FilterParams(BaseModel):
    """Which of the caller's tasks: every given filter must hold."""

    completed: bool | None = None
    priority: list[Priority] | None = Field(None, description="Any of these (repeat the parameter)")
    tag: list[TagKey] | None = Field(
        None, max_length=tagnames.MAX_TAGS, description="All of these, case-insensitively (repeat)"
    )
    q: Annotated[str, AfterValidator(_words)] | None = Field(
        None,
        max_length=200,
        description="Words that must each occur in the title or the description",
        json_schema_extra={"pattern": WORDS_PATTERN},
    )
    due_after: QueryDate | None = Field(None, description="Due on or after this day (YYYY-MM-DD)")
    due_before: QueryDate | None = Field(None, description="Due on or before this day (YYYY-MM-DD)")
    has_due: bool | None = None
    overdue: bool | None = Field(None, description="Open and due before now in the owner's time zone")
    ids: Annotated[str, AfterValidator(_ids)] | None = Field(
        None,
        description="Only these of the caller's tasks: ids separated by commas (up to 500)",
        json_schema_extra={"pattern": IDS_PATTERN},
    )

    def filters(self, *, everything: bool = False) -> Filters:
        return Filters(
            completed=self.completed,
            priorities=tuple(sorted({rank(p) for p in self.priority or ()})),
            tags=tuple(sorted(set(self.tag or ()))),
            words=tuple(sorted({w.casefold() for w in (self.q or "").split()})),
            due_after=self.due_after,
            due_before=self.due_before,
            has_due=self.has_due,
            overdue=self.overdue,
            ids=cast("tuple[int, ...]", self.ids or ()),  # the validator made it a tuple
            everything=everything,
        )


class ListParams(FilterParams):
    sort: str = Field(DEFAULT_SORT, pattern=SORT_PATTERN, description="A sort key, `-` for the reverse")
    limit: int = Field(100, ge=1, le=500)
    offset: int | None = Field(None, ge=0, le=MAX_ID)
    cursor: str | None = Field(None, max_length=MAX_CURSOR_CHARS, description="From a Link rel=next")


class DeleteParams(FilterParams):
    all: bool = Field(False, description="Required to delete every task when no filter is given")


Params = TypeVar("Params", bound=FilterParams)


def from_query(model: type[Params]) -> Any:
    """A dependency validating the query string as `model` in one pydantic call (repeated keys as
    lists). The route documents the parameters with `openapi_extra=query_parameters(model)`."""
    lists = {name for name, field in model.model_fields.items() if "list" in str(field.annotation)}

    async def validate(request: Request) -> Params:  # async: a plain def would run in a thread
        query = request.query_params
        data = {key: (query.getlist(key) if key in lists else query[key]) for key in query}
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise RequestValidationError(
                [{**e, "loc": ("query", *e["loc"])} for e in exc.errors(include_url=False)]
            ) from None

    return validate


def query_parameters(model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI `parameters` for a query model (see from_query)."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    parameters = [
        {
            "name": name,
            "in": "query",
            "required": False,
            "schema": prop,
            "description": prop.get("description", ""),
        }
        for name, prop in schema["properties"].items()
    ]
    return {"parameters": parameters}
