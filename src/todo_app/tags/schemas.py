"""The shapes the tag routes accept and return."""

from pydantic import BaseModel

from todo_app.tasks.schemas import TagName


class TagPublic(BaseModel):
    name: str
    tasks: int
    open: int


class TagRename(BaseModel):
    name: TagName
