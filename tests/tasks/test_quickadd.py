"""Quick add: every token kind, case-insensitivity, due dates across weekdays, month and year ends
and leap days, times, title spacing, and the exact message of every refusal."""

import dataclasses
from datetime import date, time, timedelta

import pytest

from todo_app.tasks.priority import rank
from todo_app.tasks.quickadd import QuickAdd, QuickAddError, parse

WEDNESDAY = date(2026, 3, 4)
SUNDAY = date(2026, 3, 8)
DAY_WORDS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
FULL_DAY_WORDS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WIDE_2026 = "\uff12\uff10\uff12\uff16"  # fullwidth digits are not ISO date digits
TWENTY = " ".join(f"#t{number}" for number in range(20))


def test_plain_text_is_the_title() -> None:
    assert parse("Buy milk", today=WEDNESDAY) == QuickAdd(
        title="Buy milk", tags=[], priority=None, due_date=None, due_time=None
    )


def test_every_token_at_once() -> None:
    assert parse("!HIGH Buy  milk #Shop ^fri@09:30 #errands now", today=WEDNESDAY) == QuickAdd(
        title="Buy  milk now",
        tags=["Shop", "errands"],
        priority="high",
        due_date=date(2026, 3, 6),
        due_time=time(9, 30),
    )


@pytest.mark.parametrize(
    ("text", "title", "tags"),
    [
        ("Buy milk #shop", "Buy milk", ["shop"]),
        ("#shop Buy milk", "Buy milk", ["shop"]),
        ("Buy #shop milk", "Buy milk", ["shop"]),
        ("Buy  milk   #shop   now", "Buy  milk   now", ["shop"]),
        ("Buy  #a  #b  milk", "Buy  milk", ["a", "b"]),
        ("  Buy milk  #a  ", "Buy milk", ["a"]),
        ("Buy\tmilk #a", "Buy\tmilk", ["a"]),
        ("Line one\n#a\nline two", "Line one\nline two", ["a"]),
        ("Buy milk #a #b", "Buy milk", ["a", "b"]),
        ("x #Work #work #WORK", "x", ["Work"]),
        ("x #b #a #B", "x", ["b", "a"]),
        ("x #Straße #STRASSE", "x", ["Straße"]),
        ("x #café #日本語 #Ünïcödé #🏠", "x", ["café", "日本語", "Ünïcödé", "🏠"]),
        ("x #c#", "x", ["c#"]),
        ("x ##", "x", ["#"]),  # any word starting with "#" is a tag, even "##"
        ("x #" + "a" * 40, "x", ["a" * 40]),
        (f"x {TWENTY}", "x", [f"t{number}" for number in range(20)]),
        (f"x {TWENTY} #T0 #t19", "x", [f"t{number}" for number in range(20)]),
        # not tags: "#" does not start the word, or is alone
        ("C# basics", "C# basics", []),
        ("Learn C# basics #code", "Learn C# basics", ["code"]),
        ("Issue # 5", "Issue # 5", []),
        ("x#y", "x#y", []),
        # not tokens at all
        ("Mail a@b", "Mail a@b", []),
        ("Mail a@b.example", "Mail a@b.example", []),
        ("@09:30 call", "@09:30 call", []),
        ("Call @09:30", "Call @09:30", []),
        ("Wow ! !!! !5 !high5 !-x !high!", "Wow ! !!! !5 !high5 !-x !high!", []),
        ("2 ^ 3", "2 ^ 3", []),
        ("x^2 a!b", "x^2 a!b", []),
    ],
)
def test_title_and_tags(text: str, title: str, tags: list[str]) -> None:
    result = parse(text, today=WEDNESDAY)
    assert (result.title, result.tags) == (title, tags)
    assert (result.priority, result.due_date, result.due_time) == (None, None, None)


@pytest.mark.parametrize(
    ("text", "priority", "rank_"),
    [
        ("x !low", "low", 1),
        ("x !LOW", "low", 1),
        ("!Low x", "low", 1),
        ("x !medium", "medium", 2),
        ("x !MeDiUm", "medium", 2),
        ("x !high", "high", 3),
        ("x !High", "high", 3),
        ("x !urgent", "urgent", 4),
        ("x !URGENT", "urgent", 4),
        ("x !high !HIGH", "high", 3),  # identical repeats are fine
        ("!low x !low", "low", 1),
    ],
)
def test_priority(text: str, priority: str, rank_: int) -> None:
    result = parse(text, today=WEDNESDAY)
    assert (result.title, result.priority) == ("x", priority)
    assert rank(priority) == rank_


@pytest.mark.parametrize(
    ("text", "due_date"),
    [
        ("x ^today", date(2026, 3, 4)),
        ("x ^TODAY", date(2026, 3, 4)),
        ("x ^tomorrow", date(2026, 3, 5)),
        ("x ^Tomorrow", date(2026, 3, 5)),
        ("x ^2026-03-04", date(2026, 3, 4)),
        ("x ^2026-12-31", date(2026, 12, 31)),
        ("x ^2027-01-01", date(2027, 1, 1)),
        ("x ^2028-02-29", date(2028, 2, 29)),
        ("x ^2000-02-29", date(2000, 2, 29)),
        ("x ^1999-01-01", date(1999, 1, 1)),  # the parser reads; whether the past is allowed is not its rule
        ("x ^9999-12-31", date(9999, 12, 31)),
        ("^tomorrow x", date(2026, 3, 5)),
    ],
)
def test_due_date(text: str, due_date: date) -> None:
    result = parse(text, today=WEDNESDAY)
    assert (result.title, result.due_date, result.due_time) == ("x", due_date, None)


# The next such day strictly after today: today's own weekday means a week later.
@pytest.mark.parametrize(
    ("today", "word", "due_date"),
    [
        (WEDNESDAY, "mon", date(2026, 3, 9)),
        (WEDNESDAY, "tue", date(2026, 3, 10)),
        (WEDNESDAY, "wed", date(2026, 3, 11)),
        (WEDNESDAY, "thu", date(2026, 3, 5)),
        (WEDNESDAY, "fri", date(2026, 3, 6)),
        (WEDNESDAY, "sat", date(2026, 3, 7)),
        (WEDNESDAY, "sun", date(2026, 3, 8)),
        (WEDNESDAY, "Monday", date(2026, 3, 9)),
        (WEDNESDAY, "WEDNESDAY", date(2026, 3, 11)),
        (WEDNESDAY, "thursday", date(2026, 3, 5)),
        (WEDNESDAY, "Fri", date(2026, 3, 6)),
        (SUNDAY, "mon", date(2026, 3, 9)),
        (SUNDAY, "tue", date(2026, 3, 10)),
        (SUNDAY, "wed", date(2026, 3, 11)),
        (SUNDAY, "thu", date(2026, 3, 12)),
        (SUNDAY, "fri", date(2026, 3, 13)),
        (SUNDAY, "sat", date(2026, 3, 14)),
        (SUNDAY, "sun", date(2026, 3, 15)),
        (SUNDAY, "sunday", date(2026, 3, 15)),
        (SUNDAY, "today", date(2026, 3, 8)),
        # month and year ends, leap days
        (date(2026, 12, 31), "tomorrow", date(2027, 1, 1)),  # a Thursday
        (date(2026, 12, 31), "thu", date(2027, 1, 7)),
        (date(2026, 12, 31), "fri", date(2027, 1, 1)),
        (date(2026, 12, 31), "wed", date(2027, 1, 6)),
        (date(2026, 1, 31), "tomorrow", date(2026, 2, 1)),  # a Saturday
        (date(2026, 1, 31), "mon", date(2026, 2, 2)),
        (date(2026, 2, 28), "tomorrow", date(2026, 3, 1)),  # a Saturday, not a leap year
        (date(2026, 2, 28), "sat", date(2026, 3, 7)),
        (date(2028, 2, 28), "tomorrow", date(2028, 2, 29)),  # a Monday in a leap year
        (date(2028, 2, 28), "tue", date(2028, 2, 29)),
        (date(2028, 2, 29), "tomorrow", date(2028, 3, 1)),
        (date(2028, 2, 29), "tue", date(2028, 3, 7)),
    ],
)
def test_relative_due_date(today: date, word: str, due_date: date) -> None:
    assert parse(f"x ^{word}", today=today).due_date == due_date


@pytest.mark.parametrize("today", [WEDNESDAY + timedelta(days=offset) for offset in range(14)])
@pytest.mark.parametrize("number", range(7))
def test_every_weekday_is_within_the_next_seven_days(today: date, number: int) -> None:
    for word in (DAY_WORDS[number], FULL_DAY_WORDS[number]):
        due_date = parse(f"x ^{word}", today=today).due_date
        assert due_date is not None
        assert due_date.weekday() == number
        assert 1 <= (due_date - today).days <= 7


@pytest.mark.parametrize(
    ("text", "due_date", "due_time"),
    [
        ("x ^today@00:00", date(2026, 3, 4), time(0, 0)),
        ("x ^today@23:59", date(2026, 3, 4), time(23, 59)),
        ("x ^tomorrow@09:30", date(2026, 3, 5), time(9, 30)),
        ("x ^TOMORROW@12:00", date(2026, 3, 5), time(12, 0)),
        ("x ^fri@07:05", date(2026, 3, 6), time(7, 5)),
        ("x ^Friday@18:45", date(2026, 3, 6), time(18, 45)),
        ("x ^2026-12-31@23:59", date(2026, 12, 31), time(23, 59)),
        ("x ^2028-02-29@00:00", date(2028, 2, 29), time(0, 0)),
    ],
)
def test_due_time(text: str, due_date: date, due_time: time) -> None:
    result = parse(text, today=WEDNESDAY)
    assert (result.title, result.due_date, result.due_time) == ("x", due_date, due_time)


DATE_HINT = "use ^today, ^tomorrow, a weekday such as ^mon or ^monday, or ^YYYY-MM-DD"
TIME_HINT = "use a 24-hour time from @00:00 to @23:59"
PRIORITY_HINT = "use !low, !medium, !high or !urgent"
NO_TITLE = "Quick add needs a title: add some words besides #tags, !priority, ^due date and *repeat"
CONTROL = "must not contain control characters or line breaks"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # priorities
        ("x !extreme", f'Unknown priority "!extreme": {PRIORITY_HINT}'),
        ("x !none", f'Unknown priority "!none": {PRIORITY_HINT}'),
        ("x !NONE", f'Unknown priority "!NONE": {PRIORITY_HINT}'),
        ("x !hïgh", f'Unknown priority "!hïgh": {PRIORITY_HINT}'),
        ("x !low !high", 'Conflicting priorities "!low" and "!high": use only one'),
        ("x !HIGH !high !urgent", 'Conflicting priorities "!HIGH" and "!urgent": use only one'),
        # due dates
        ("x ^2026-02-30", '"^2026-02-30" is not a valid date'),
        ("x ^2027-02-29", '"^2027-02-29" is not a valid date'),
        ("x ^2026-04-31", '"^2026-04-31" is not a valid date'),
        ("x ^2026-13-01", '"^2026-13-01" is not a valid date'),
        ("x ^2026-00-10", '"^2026-00-10" is not a valid date'),
        ("x ^0000-01-01", '"^0000-01-01" is not a valid date'),
        ("x ^2026-02-30@09:30", '"^2026-02-30" in "^2026-02-30@09:30" is not a valid date'),
        ("x ^someday", f'Unknown due date "^someday": {DATE_HINT}'),
        ("x ^someday@09:30", f'Unknown due date "^someday" in "^someday@09:30": {DATE_HINT}'),
        ("x ^2026-3-4", f'Unknown due date "^2026-3-4": {DATE_HINT}'),
        ("x ^26-03-04", f'Unknown due date "^26-03-04": {DATE_HINT}'),
        (f"x ^{WIDE_2026}-03-04", f'Unknown due date "^{WIDE_2026}-03-04": {DATE_HINT}'),
        ("x ^tues", f'Unknown due date "^tues": {DATE_HINT}'),
        ("x ^^", f'Unknown due date "^^": {DATE_HINT}'),
        ("x ^@09:30", f'Unknown due date "^@09:30": {DATE_HINT}'),
        ("x ^today@24:00", f'"@24:00" in "^today@24:00" is not a valid time: {TIME_HINT}'),
        ("x ^today@9:30", f'"@9:30" in "^today@9:30" is not a valid time: {TIME_HINT}'),
        ("x ^today@12:60", f'"@12:60" in "^today@12:60" is not a valid time: {TIME_HINT}'),
        ("x ^today@", f'"@" in "^today@" is not a valid time: {TIME_HINT}'),
        ("x ^today@09:30:00", f'"@09:30:00" in "^today@09:30:00" is not a valid time: {TIME_HINT}'),
        ("x ^today@0930", f'"@0930" in "^today@0930" is not a valid time: {TIME_HINT}'),
        ("x ^mon ^tue", 'Only one due date, please: "^mon" and "^tue"'),
        ("x ^today ^today", 'Only one due date, please: "^today" and "^today"'),
        ("x ^today@09:00 ^today@10:00", 'Only one due date, please: "^today@09:00" and "^today@10:00"'),
        # tags
        ("x #a,b", 'Tag "#a,b" must not contain commas'),
        ("x #work,", 'Tag "#work," must not contain commas'),
        ("x #" + "a" * 41, f'Tag "#{"a" * 41}" is longer than 40 characters'),
        ("x #a\x00b", f'Tag "#a\\u0000b" {CONTROL}'),
        ("x #a\x07b", f'Tag "#a\\u0007b" {CONTROL}'),
        ("x #\ud800", 'Tag "#\\ud800" must be valid Unicode text (no lone surrogates)'),
        (f"x {TWENTY} #t20", "A task can have at most 20 tags, not 21"),
        # no title left
        ("", NO_TITLE),
        ("   ", NO_TITLE),
        ("#a", NO_TITLE),
        ("!low", NO_TITLE),
        ("^today", NO_TITLE),
        ("  #a   !high ^tomorrow@09:00  ", NO_TITLE),
    ],
)
def test_refusals_name_the_token(text: str, message: str) -> None:
    with pytest.raises(QuickAddError) as raised:
        parse(text, today=WEDNESDAY)
    assert str(raised.value) == message


def test_error_is_a_value_error() -> None:
    assert issubclass(QuickAddError, ValueError)


def test_result_is_frozen() -> None:
    result = parse("x", today=WEDNESDAY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.title = "y"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "rule", "due"),
    [
        ("Stretch *daily", "FREQ=DAILY", WEDNESDAY),
        ("Stand-up *weekdays", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", WEDNESDAY),
        ("Review *WEEKLY", "FREQ=WEEKLY", WEDNESDAY),
        ("Rent *monthly ^2026-02-01", "FREQ=MONTHLY", date(2026, 2, 1)),
        ("Birthday *yearly", "FREQ=YEARLY", WEDNESDAY),
        ("Bins *mon", "FREQ=WEEKLY;BYDAY=MO", date(2026, 3, 9)),
        ("Bins *wednesday", "FREQ=WEEKLY;BYDAY=WE", WEDNESDAY),
        ("Bins *fri ^fri@07:00", "FREQ=WEEKLY;BYDAY=FR", date(2026, 3, 6)),
        ("Call *daily *daily", "FREQ=DAILY", WEDNESDAY),
    ],
)
def test_a_repeat_token_sets_a_rule_and_a_first_day(text, rule, due):
    parsed = parse(text, today=WEDNESDAY)
    assert (parsed.recurrence, parsed.due_date) == (rule, due)
    assert "*" not in parsed.title


def test_weekdays_from_a_weekend_start_on_monday():
    saturday = date(2026, 3, 7)
    assert parse("Stand-up *weekdays", today=saturday).due_date == date(2026, 3, 9)


@pytest.mark.parametrize("text", ["*note* this", "2 * 3", "**bold**", "*every-day thing", "*ü"])
def test_other_star_words_are_text(text):
    parsed = parse(text, today=WEDNESDAY)
    assert (parsed.title, parsed.recurrence) == (text, None)


def test_two_different_repeats_are_an_error():
    with pytest.raises(QuickAddError, match=r'Only one repeat, please: "\*daily" and "\*weekly"'):
        parse("x *daily *weekly", today=WEDNESDAY)


def test_a_repeat_alone_is_no_title():
    with pytest.raises(QuickAddError, match="needs a title"):
        parse("*daily", today=WEDNESDAY)
