"""A task's entity tag and the conditional-request tests of RFC 9110 (section 13.1). Pure.

The ETag is the task's `version` (the owner's change number of its last write) in double quotes:
strong, and different after every change of the task."""

import re
from dataclasses import dataclass

_TAG = r'(W/)?"([\x21\x23-\x7e\x80-\xff]*)"'
_LIST = re.compile(rf"[\s,]*{_TAG}(?:\s*,[\s,]*{_TAG})*[\s,]*")
PATTERN = rf"^(\s*\*\s*|{_LIST.pattern})$"  # what parse() accepts, for the API's documentation
_EACH = re.compile(_TAG)
MAX_HEADER_CHARS = 2048


class MalformedCondition(ValueError):
    """An If-Match / If-None-Match value that is neither `*` nor a list of entity tags."""


@dataclass(frozen=True)
class Condition:
    any: bool  # `*`
    strong: frozenset[str]  # opaque tags given without W/
    weak: frozenset[str]  # opaque tags given with W/

    def matches(self, version: int) -> bool:
        """If-Match: strong comparison (a weak tag never matches)."""
        return self.any or str(version) in self.strong

    def matches_weakly(self, version: int) -> bool:
        """If-None-Match: weak comparison (W/"7" matches "7")."""
        return self.any or str(version) in self.strong or str(version) in self.weak


def of(version: int) -> str:
    return f'"{version}"'


def parse(header: str | None) -> Condition | None:
    """None when the header is absent; MalformedCondition when it is not `*` or entity tags."""
    if header is None:
        return None
    if len(header) > MAX_HEADER_CHARS:
        raise MalformedCondition("too long")
    if header.strip() == "*":
        return Condition(any=True, strong=frozenset(), weak=frozenset())
    if _LIST.fullmatch(header) is None:
        raise MalformedCondition(header)
    strong: set[str] = set()
    weak: set[str] = set()
    for match in _EACH.finditer(header):
        (weak if match.group(1) else strong).add(match.group(2))
    return Condition(any=False, strong=frozenset(strong), weak=frozenset(weak))
