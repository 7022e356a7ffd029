"""SQL functions the two backends spell differently, compiled per dialect."""

from typing import Any

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class tag_names(FunctionElement[str]):
    """The names of a group's rows joined by U+001F (a control character no tag may contain)."""

    type = String()
    inherit_cache = True


@compiles(tag_names, "postgresql")
def _pg_tag_names(element: tag_names, compiler: Any, **kw: Any) -> str:
    return f"string_agg({compiler.process(element.clauses, **kw)}, chr(31))"


@compiles(tag_names, "sqlite")
def _sqlite_tag_names(element: tag_names, compiler: Any, **kw: Any) -> str:
    return f"group_concat({compiler.process(element.clauses, **kw)}, char(31))"


class hh_mm(FunctionElement[str]):
    """A TIME column as "HH:MM" text."""

    type = String()
    inherit_cache = True


@compiles(hh_mm, "postgresql")
def _pg_hh_mm(element: hh_mm, compiler: Any, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'HH24:MI')"


@compiles(hh_mm, "sqlite")
def _sqlite_hh_mm(element: hh_mm, compiler: Any, **kw: Any) -> str:
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 5)"
