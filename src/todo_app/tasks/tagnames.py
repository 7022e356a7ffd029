"""What a tag name may be, when two names are the same tag, and how tag lists are combined and sorted.

Pure functions on plain strings: the API, quick add and imports all use them, so a tag refused in one
place is refused everywhere, with the same message.

A tag name, once surrounding whitespace is stripped, is 1 to ``MAX_TAG_CHARS`` characters (code
points) of valid Unicode, without commas (they separate tags in text and CSV) and without control
characters (category Cc: NUL, tab, newline, ...) or the line and paragraph separators U+2028 and
U+2029. Invisible format characters (category Cf, such as the zero-width joiner) are allowed: emoji
sequences and some scripts need them.

Names compare case-insensitively (``key``): "Work" and "work" are one tag, spelled as first written.
"""

import unicodedata
from collections.abc import Iterable

MAX_TAGS = 20
MAX_TAG_CHARS = 40

# The rules above as a JSON Schema pattern, for the API's documentation (clean() decides): spaces
# (what str.strip() removes) around 1 to MAX_TAG_CHARS characters that are not commas, Cc (U+0000-001F,
# U+007F-009F), Zl (U+2028) or Zp (U+2029), and do not start or end with a space.
_SPACE = "\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
_REFUSED = ",\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029"
PATTERN = (
    f"^[{_SPACE}]*[^{_REFUSED}{_SPACE}]"
    f"(?:[^{_REFUSED}]{{0,{MAX_TAG_CHARS - 2}}}[^{_REFUSED}{_SPACE}])?[{_SPACE}]*$"
)

_SHOWN_CHARS = 60  # longer than any valid tag with its "#", so those are shown whole
_REFUSED_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


class TagNameError(ValueError):
    """A tag name or tag list that breaks the rules; ``str(error)`` is a message for the user.

    ``problem`` is the rule a single name broke ("must not contain commas"), so a caller that knows
    how the user typed the name (quick add's ``#name``) can name it that way; None for list errors.
    """

    def __init__(self, message: str, problem: str | None = None) -> None:
        super().__init__(message)
        self.problem = problem


def _invalid(name: str, problem: str) -> TagNameError:
    return TagNameError(f"Tag {quoted(name)} {problem}", problem)


def quoted(value: str) -> str:
    """``value`` in double quotes for an error message: characters that would not show (controls,
    odd spaces, lone surrogates) are escaped as ``\\uXXXX`` and long values are cut with "…", so a
    message is always short, readable and encodable as UTF-8."""
    cut = value[:_SHOWN_CHARS]
    shown = "".join(ch if ch.isprintable() else _escape(ch) for ch in cut)
    ellipsis = "…" if len(value) > _SHOWN_CHARS else ""
    return f'"{shown}{ellipsis}"'


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def clean(value: str) -> str:
    """The tag name with surrounding whitespace stripped; raises ``TagNameError`` if it is not valid."""
    name = value.strip()
    if not name:
        raise TagNameError("A tag name must not be empty", "must not be empty")
    if len(name) > MAX_TAG_CHARS:
        raise _invalid(name, f"is longer than {MAX_TAG_CHARS} characters")
    try:
        name.encode()
    except UnicodeEncodeError:
        raise _invalid(name, "must be valid Unicode text (no lone surrogates)") from None
    if any(unicodedata.category(ch) in _REFUSED_CATEGORIES for ch in name):
        raise _invalid(name, "must not contain control characters or line breaks")
    if "," in name:
        raise _invalid(name, "must not contain commas")
    # One spelling per text: a precomposed and a decomposed "café" are the same tag.
    return unicodedata.normalize("NFC", name)


def key(name: str) -> str:
    """The comparison key of a tag name: names with the same key are the same tag."""
    return name.casefold()


def merge(names: Iterable[str]) -> list[str]:
    """Clean every name and drop later spellings of a tag already listed, keeping the order.

    Raises ``TagNameError`` for an invalid name, or if more than ``MAX_TAGS`` distinct tags remain.
    """
    by_key: dict[str, str] = {}
    for value in names:
        name = clean(value)
        by_key.setdefault(key(name), name)
    merged = list(by_key.values())
    if len(merged) > MAX_TAGS:
        raise TagNameError(f"A task can have at most {MAX_TAGS} tags, not {len(merged)}")
    return merged


def ordered(names: Iterable[str]) -> list[str]:
    """Names sorted case-insensitively; names with the same key are sorted by their exact spelling."""
    return sorted(names, key=lambda name: (key(name), name))
