"""Tag-name rules: what clean() keeps and refuses (with which message), case-insensitive identity,
merging in first-spelling order, deterministic sorting, and how values are quoted in messages."""

import pytest

from todo_app.tasks import tagnames
from todo_app.tasks.tagnames import TagNameError, clean, key, merge, ordered, quoted

FORTY = "a" * 40
FORTY_ONE = "a" * 41


def test_limits() -> None:
    assert (tagnames.MAX_TAGS, tagnames.MAX_TAG_CHARS) == (20, 40)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("work", "work"),
        ("Work", "Work"),
        ("  work  ", "work"),
        ("\twork\n", "work"),
        ("\u00a0work\u3000", "work"),  # Unicode spaces are surrounding whitespace too
        ("home office", "home office"),
        ("home  office", "home  office"),  # inner spacing is kept
        ("a", "a"),
        (FORTY, FORTY),
        (f"  {FORTY}  ", FORTY),  # the limit counts after stripping
        ("C#", "C#"),
        ("#hash", "#hash"),
        ("a-b_c.d/e:f", "a-b_c.d/e:f"),
        ("café", "café"),
        ("日本語", "日本語"),
        ("Ünïcödé", "Ünïcödé"),
        ("🏠", "🏠"),
        ("👩\u200d💻", "👩\u200d💻"),  # a zero-width joiner (category Cf) is allowed: emoji need it
        ("a\u200bb", "a\u200bb"),  # other Cf characters too, as documented
    ],
)
def test_clean_keeps_valid_names(value: str, expected: str) -> None:
    assert clean(value) == expected


@pytest.mark.parametrize(
    ("value", "message", "problem"),
    [
        ("", "A tag name must not be empty", "must not be empty"),
        ("   ", "A tag name must not be empty", "must not be empty"),
        ("\n\t", "A tag name must not be empty", "must not be empty"),
        ("a,b", 'Tag "a,b" must not contain commas', "must not contain commas"),
        (",", 'Tag "," must not contain commas', "must not contain commas"),
        ("work,", 'Tag "work," must not contain commas', "must not contain commas"),
        (FORTY_ONE, f'Tag "{FORTY_ONE}" is longer than 40 characters', "is longer than 40 characters"),
        (
            "é" * 41,
            f'Tag "{"é" * 41}" is longer than 40 characters',
            "is longer than 40 characters",
        ),
        (
            "a" * 100,
            f'Tag "{"a" * 60}…" is longer than 40 characters',
            "is longer than 40 characters",
        ),
        (
            "a\x00b",
            'Tag "a\\u0000b" must not contain control characters or line breaks',
            "must not contain control characters or line breaks",
        ),
        (
            "a\tb",
            'Tag "a\\u0009b" must not contain control characters or line breaks',
            "must not contain control characters or line breaks",
        ),
        (
            "a\nb",
            'Tag "a\\u000ab" must not contain control characters or line breaks',
            "must not contain control characters or line breaks",
        ),
        (
            "a\x7fb",
            'Tag "a\\u007fb" must not contain control characters or line breaks',
            "must not contain control characters or line breaks",
        ),
        (
            "a\x85b",
            'Tag "a\\u0085b" must not contain control characters or line breaks',
            "must not contain control characters or line breaks",
        ),
        (
            "a\u2028b",
            'Tag "a\\u2028b" must not contain control characters or line breaks',
            "must not contain control characters or line breaks",
        ),
        (
            "a\u2029b",
            'Tag "a\\u2029b" must not contain control characters or line breaks',
            "must not contain control characters or line breaks",
        ),
        (
            "a\ud800b",
            'Tag "a\\ud800b" must be valid Unicode text (no lone surrogates)',
            "must be valid Unicode text (no lone surrogates)",
        ),
        (
            "\udfff",
            'Tag "\\udfff" must be valid Unicode text (no lone surrogates)',
            "must be valid Unicode text (no lone surrogates)",
        ),
    ],
)
def test_clean_refuses_invalid_names(value: str, message: str, problem: str) -> None:
    with pytest.raises(TagNameError) as raised:
        clean(value)
    assert str(raised.value) == message
    assert raised.value.problem == problem
    assert isinstance(raised.value, ValueError)
    str(raised.value).encode()  # a message is always sendable as UTF-8 JSON


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("Work", "work", True),
        ("WORK", "work", True),
        ("Straße", "STRASSE", True),  # casefold, not lower
        ("Ünïcödé", "üNÏCÖDÉ", True),
        ("ΣΊΣΥΦΟΣ", "σίσυφος", True),
        ("work", "works", False),
        ("work", "work ", False),  # key() compares names as given; clean() strips first
        ("café", "cafe", False),
    ],
)
def test_key_is_case_insensitive(first: str, second: str, same: bool) -> None:
    assert (key(first) == key(second)) is same


def test_key_values() -> None:
    assert [key(name) for name in ("Work", "Straße", "ÉTÉ")] == ["work", "strasse", "été"]


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ([], []),
        (["work"], ["work"]),
        (["work", "Work"], ["work"]),
        (["Work", "work", "WORK"], ["Work"]),  # the first spelling wins
        (["b", "a", "B", "A", "c"], ["b", "a", "c"]),  # order of first appearance
        ([" Work ", "work"], ["Work"]),  # names are cleaned before comparing
        (["Straße", "STRASSE", "strasse"], ["Straße"]),
        (["home", "home office", "Home"], ["home", "home office"]),
        ([f"t{number}" for number in range(20)], [f"t{number}" for number in range(20)]),
        ([f"t{number}" for number in range(20)] + ["T0", "t19"], [f"t{number}" for number in range(20)]),
    ],
)
def test_merge(names: list[str], expected: list[str]) -> None:
    assert merge(names) == expected


def test_merge_takes_any_iterable() -> None:
    assert merge(name for name in ("x", "X", "y")) == ["x", "y"]


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ([f"t{number}" for number in range(21)], "A task can have at most 20 tags, not 21"),
        ([f"t{number}" for number in range(25)], "A task can have at most 20 tags, not 25"),
        (["ok", "a,b"], 'Tag "a,b" must not contain commas'),
        (["ok", "  "], "A tag name must not be empty"),
    ],
)
def test_merge_refuses(names: list[str], message: str) -> None:
    with pytest.raises(TagNameError) as raised:
        merge(names)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ([], []),
        (["b", "a", "c"], ["a", "b", "c"]),
        (["b", "A", "a", "B"], ["A", "a", "B", "b"]),  # ties broken by the exact spelling
        (["a", "B", "A", "b"], ["A", "a", "B", "b"]),  # ... whatever the input order
        (["work", "Home", "zebra", "éclair"], ["Home", "work", "zebra", "éclair"]),
        (["Straße", "strasse", "STRASSE"], ["STRASSE", "Straße", "strasse"]),
        (["t10", "t2", "t1"], ["t1", "t10", "t2"]),
    ],
)
def test_ordered(names: list[str], expected: list[str]) -> None:
    original = list(names)
    assert ordered(names) == expected
    assert names == original


def test_ordered_takes_any_iterable() -> None:
    assert ordered(iter(["b", "A"])) == ["A", "b"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("abc", '"abc"'),
        ("", '""'),
        ("a b", '"a b"'),
        ("café 🏠", '"café 🏠"'),
        ("a\x00b\tc", '"a\\u0000b\\u0009c"'),
        ("\ud800", '"\\ud800"'),
        ("a\u00a0b", '"a\\u00a0b"'),  # a space that would not show as one
        ("\U000e0001", '"\\U000e0001"'),
        ("x" * 60, f'"{"x" * 60}"'),
        ("x" * 61, f'"{"x" * 60}…"'),
    ],
)
def test_quoted(value: str, expected: str) -> None:
    assert quoted(value) == expected


def test_composed_and_decomposed_spellings_are_one_tag():
    decomposed = "cafe\u0301"
    assert clean(decomposed) == "caf\u00e9"
    assert merge(["caf\u00e9", decomposed]) == ["caf\u00e9"]
