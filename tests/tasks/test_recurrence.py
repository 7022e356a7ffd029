"""Recurrence rules: the canonical text of every accepted form, the exact message of every refusal, the
next date for "due" and "completion" series across month ends, leap days, WKST, COUNT and UNTIL, and the
UTC instant of a local due time across daylight-saving changes (gaps, folds, a 30-minute shift)."""

import time as clock
from datetime import UTC, date, datetime, time

import pytest
from dateutil.rrule import rrulestr

from todo_app.tasks.recurrence import (
    MAX_LENGTH,
    RecurrenceError,
    Rule,
    next_due,
    occurrence_instant,
    parse,
)

BERLIN = "Europe/Berlin"
D = date.fromisoformat
PARTS_HINT = "use FREQ, INTERVAL, BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS, COUNT, UNTIL, WKST"
WEEKDAY_HINT = "use MO, TU, WE, TH, FR, SA or SU"
BYDAY_HINT = f"{WEEKDAY_HINT}, optionally with a position such as +2TU or -1FR"
UNTIL_HINT = "use e.g. 20261231 or 20261231T235959Z"


def _next(
    text: str,
    start: str,
    *,
    today: str,
    current: str | None = None,
    from_: str = "due",
    done: int = 0,
    due_time: time | None = None,
    zone: str = BERLIN,
) -> date | None:
    rule = parse(text, from_, start=D(start))
    return next_due(
        rule,
        start=D(start),
        current_due=D(current or start),
        today=D(today),
        completed_on=D(today),
        done_so_far=done,
        due_time=due_time,
        zone=zone,
    )


def _walk(text: str, start: str, steps: int, due_time: time | None = None) -> list[str]:
    """The series as a user sees it: each time the task is completed on its due date."""
    rule = parse(text, start=D(start))
    days = [D(start)]
    for done in range(steps):
        following = next_due(
            rule,
            start=D(start),
            current_due=days[-1],
            today=days[-1],
            completed_on=days[-1],
            done_so_far=done,
            due_time=due_time,
            zone=BERLIN,
        )
        if following is None:
            break
        days.append(following)
    return [day.isoformat() for day in days]


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        pytest.param("FREQ=DAILY", "FREQ=DAILY", id="daily"),
        pytest.param("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", id="weekly"),
        pytest.param("FREQ=MONTHLY;BYMONTHDAY=-1", "FREQ=MONTHLY;BYMONTHDAY=-1", id="last-day"),
        pytest.param("FREQ=MONTHLY;BYDAY=+2TU", "FREQ=MONTHLY;BYDAY=+2TU", id="second-tuesday"),
        pytest.param(
            "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=15", "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=15", id="yearly"
        ),
        pytest.param("FREQ=DAILY;COUNT=5", "FREQ=DAILY;COUNT=5", id="count"),
        pytest.param("FREQ=DAILY;UNTIL=20261231", "FREQ=DAILY;UNTIL=20261231", id="until-date"),
        pytest.param(
            "FREQ=DAILY;UNTIL=20261231T235959Z", "FREQ=DAILY;UNTIL=20261231T235959Z", id="until-utc"
        ),
        pytest.param("freq=weekly;byday=mo,we", "FREQ=WEEKLY;BYDAY=MO,WE", id="lower-case"),
        pytest.param("RRULE:FREQ=DAILY", "FREQ=DAILY", id="prefix"),
        pytest.param("rrule:Freq=Daily", "FREQ=DAILY", id="prefix-lower"),
        pytest.param("  FREQ = DAILY ; INTERVAL = 2  ", "FREQ=DAILY;INTERVAL=2", id="spaces"),
        pytest.param("FREQ=DAILY;", "FREQ=DAILY", id="trailing-semicolon"),
        pytest.param("INTERVAL=2;FREQ=DAILY;COUNT=3", "FREQ=DAILY;INTERVAL=2;COUNT=3", id="freq-first"),
        pytest.param(
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;WKST=SU",
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;WKST=SU",
            id="every-part",
        ),
        pytest.param("FREQ=DAILY;INTERVAL=1000", "FREQ=DAILY;INTERVAL=1000", id="interval-max"),
        pytest.param("FREQ=YEARLY;INTERVAL=1000", "FREQ=YEARLY;INTERVAL=1000", id="yearly-interval-max"),
        pytest.param(
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", id="feb-29"
        ),
    ],
)
def test_accepted_rules_are_canonical(text: str, canonical: str) -> None:
    rule = parse(text, start=D("2026-03-02"))
    assert (rule.text, rule.from_) == (canonical, "due")


def test_parts_as_dateutil_takes_them() -> None:
    rule = parse(
        "FREQ=YEARLY;INTERVAL=2;BYDAY=-1FR,+2TU;BYMONTH=3,9;BYSETPOS=1,-1;WKST=SU;UNTIL=20301231T120000Z",
        "completion",
        start=D("2026-03-02"),
    )
    assert rule == Rule(
        text="FREQ=YEARLY;INTERVAL=2;BYDAY=-1FR,+2TU;BYMONTH=3,9;BYSETPOS=1,-1;WKST=SU;UNTIL=20301231T120000Z",
        from_="completion",
        freq=0,
        interval=2,
        until=datetime(2030, 12, 31, 12, 0, tzinfo=UTC),
        byday=((4, -1), (1, 2)),
        bymonth=(3, 9),
        bysetpos=(1, -1),
        wkst=6,
    )
    assert parse("FREQ=DAILY;UNTIL=20261231", start=D("2026-03-02")).until == date(2026, 12, 31)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # empty or malformed
        pytest.param("", "The recurrence rule is empty: give at least FREQ, e.g. FREQ=WEEKLY", id="empty"),
        pytest.param("   ", "The recurrence rule is empty: give at least FREQ, e.g. FREQ=WEEKLY", id="blank"),
        pytest.param(
            "RRULE:", "The recurrence rule is empty: give at least FREQ, e.g. FREQ=WEEKLY", id="prefix"
        ),
        pytest.param(
            ";;", "The recurrence rule is empty: give at least FREQ, e.g. FREQ=WEEKLY", id="semicolons"
        ),
        pytest.param("INTERVAL=2", "FREQ is missing, e.g. FREQ=WEEKLY", id="no-freq"),
        pytest.param(
            "FREQ=DAILY;COUNT", '"COUNT" is not a NAME=VALUE part of a recurrence rule', id="no-equals"
        ),
        pytest.param("=DAILY", '"=DAILY" is not a NAME=VALUE part of a recurrence rule', id="no-name"),
        pytest.param("FREQ=", "FREQ needs a value, e.g. FREQ=WEEKLY", id="freq-empty"),
        pytest.param("FREQ=DAILY;INTERVAL=", "INTERVAL needs a value, e.g. INTERVAL=2", id="interval-empty"),
        pytest.param("FREQ=DAILY;UNTIL=", "UNTIL needs a value, e.g. UNTIL=20261231", id="until-empty"),
        pytest.param("FREQ=DAILY;FREQ=WEEKLY", "FREQ is given twice", id="freq-twice"),
        pytest.param("FREQ=DAILY;COUNT=2;count=3", "COUNT is given twice", id="count-twice"),
        pytest.param("FREQ=DAILY;FOO=1", f'"FOO" is not a recurrence rule part; {PARTS_HINT}', id="unknown"),
        pytest.param(
            "FREQ=DAILY;X-NAME=1", f'"X-NAME" is not a recurrence rule part; {PARTS_HINT}', id="x-name"
        ),
        pytest.param(
            "x" * (MAX_LENGTH + 1), "The recurrence rule is too long: at most 500 characters", id="long"
        ),
        # FREQ
        *(
            pytest.param(
                f"FREQ={f}", f"FREQ={f} is not supported; use DAILY, WEEKLY, MONTHLY or YEARLY", id=f
            )
            for f in ("HOURLY", "MINUTELY", "SECONDLY")
        ),
        pytest.param(
            "FREQ=FORTNIGHTLY",
            'FREQ="FORTNIGHTLY" is not a frequency; use DAILY, WEEKLY, MONTHLY or YEARLY',
            id="freq-unknown",
        ),
        # parts outside the subset
        *(
            pytest.param(f"FREQ=DAILY;{part}=1", f"{part} is not supported", id=part)
            for part in ("BYHOUR", "BYMINUTE", "BYSECOND", "BYWEEKNO", "BYYEARDAY")
        ),
        # INTERVAL and COUNT
        *(
            pytest.param(
                f"FREQ=DAILY;INTERVAL={value}",
                "INTERVAL must be a whole number from 1 to 1000",
                id=f"interval-{value}",
            )
            for value in ("0", "1001", "-1", "+2", "1.5", "two", "1_0", "\uff12", "99999999")
        ),
        *(
            pytest.param(
                f"FREQ=DAILY;COUNT={value}",
                "COUNT must be a whole number from 1 to 10000",
                id=f"count-{value}",
            )
            for value in ("0", "10001", "-3", "x")
        ),
        # UNTIL
        pytest.param("FREQ=DAILY;COUNT=3;UNTIL=20261231", "COUNT and UNTIL cannot both be given", id="both"),
        pytest.param(
            "FREQ=DAILY;UNTIL=2026-12-31",
            f'UNTIL="2026-12-31" is not a date or a UTC time: {UNTIL_HINT}',
            id="iso",
        ),
        pytest.param(
            "FREQ=DAILY;UNTIL=20261231T235959",
            f'UNTIL="20261231T235959" is not a date or a UTC time: {UNTIL_HINT}',
            id="floating",
        ),
        pytest.param("FREQ=DAILY;UNTIL=20260230", "UNTIL=20260230 is not a valid date", id="feb-30"),
        pytest.param(
            "FREQ=DAILY;UNTIL=20261231T240000Z",
            "UNTIL=20261231T240000Z is not a valid date and time",
            id="hour-24",
        ),
        pytest.param(
            "FREQ=DAILY;UNTIL=20260301", "UNTIL=20260301 is before the first due date 2026-03-02", id="before"
        ),
        # BYDAY and WKST
        pytest.param("FREQ=WEEKLY;BYDAY=XX", f'BYDAY="XX" is not a weekday: {BYDAY_HINT}', id="byday-xx"),
        pytest.param(
            "FREQ=WEEKLY;BYDAY=MO,,TU", f'BYDAY="" is not a weekday: {BYDAY_HINT}', id="byday-empty-item"
        ),
        pytest.param(
            "FREQ=MONTHLY;BYDAY=+100MO", f'BYDAY="+100MO" is not a weekday: {BYDAY_HINT}', id="byday-100"
        ),
        pytest.param("FREQ=WEEKLY;BYDAY=+2TU", "BYDAY=+2TU needs FREQ=MONTHLY or YEARLY", id="byday-weekly"),
        pytest.param("FREQ=DAILY;BYDAY=-1FR", "BYDAY=-1FR needs FREQ=MONTHLY or YEARLY", id="byday-daily"),
        pytest.param(
            "FREQ=MONTHLY;BYDAY=6TU",
            "BYDAY=6TU is out of range: a month has at most 5 of each weekday",
            id="byday-6th",
        ),
        pytest.param(
            "FREQ=MONTHLY;BYDAY=0MO",
            "BYDAY=0MO is out of range: a month has at most 5 of each weekday",
            id="byday-0th",
        ),
        pytest.param(
            "FREQ=YEARLY;BYDAY=-54MO",
            "BYDAY=-54MO is out of range: a year has at most 53 of each weekday",
            id="byday-54th",
        ),
        pytest.param(
            "FREQ=MONTHLY;BYDAY=SU,-1FR",
            "BYDAY=SU,-1FR mixes weekdays with and without a position; use one kind, e.g. -1FR,+2TU",
            id="byday-mixed",
        ),
        pytest.param("FREQ=WEEKLY;WKST=XX", f'WKST="XX" is not a weekday: {WEEKDAY_HINT}', id="wkst-xx"),
        pytest.param(
            "FREQ=WEEKLY;WKST=1MO", f'WKST="1MO" is not a weekday: {WEEKDAY_HINT}', id="wkst-ordinal"
        ),
        # BYMONTHDAY, BYMONTH, BYSETPOS
        *(
            pytest.param(
                f"FREQ=MONTHLY;BYMONTHDAY={value}",
                f"BYMONTHDAY={shown} is not a day of the month: use 1 to 31 or -31 to -1",
                id=f"bymonthday-{value}",
            )
            for value, shown in (("0", "0"), ("32", "32"), ("-32", "-32"), ("1,x", '"X"'), ("15,", '""'))
        ),
        *(
            pytest.param(
                f"FREQ=YEARLY;BYMONTH={value}",
                f"BYMONTH={shown} is not a month: use 1 to 12",
                id=f"bymonth-{value}",
            )
            for value, shown in (("0", "0"), ("13", "13"), ("-1", "-1"), ("MAR", '"MAR"'))
        ),
        *(
            pytest.param(
                f"FREQ=MONTHLY;BYDAY=MO;BYSETPOS={value}",
                f"BYSETPOS={value} is not a position: use 1 to 366 or -366 to -1",
                id=f"bysetpos-{value}",
            )
            for value in ("0", "367", "-367")
        ),
        pytest.param(
            "FREQ=MONTHLY;BYSETPOS=-1",
            "BYSETPOS needs another BY part: BYDAY, BYMONTHDAY or BYMONTH",
            id="bysetpos-alone",
        ),
        pytest.param(
            "FREQ=DAILY;BYDAY=MO;BYSETPOS=1",
            "BYSETPOS needs FREQ=WEEKLY, MONTHLY or YEARLY",
            id="bysetpos-daily",
        ),
        pytest.param(
            "FREQ=WEEKLY;BYMONTHDAY=1",
            "BYMONTHDAY cannot be used with FREQ=WEEKLY; use BYDAY",
            id="bymonthday-weekly",
        ),
        # rules that never give a date
        pytest.param(
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
            "BYMONTHDAY=30 never falls in BYMONTH=2, so the task would never repeat",
            id="feb-30th",
        ),
        pytest.param(
            "FREQ=MONTHLY;BYMONTH=4,6,9,11;BYMONTHDAY=31,-31",
            "BYMONTHDAY=31,-31 never falls in BYMONTH=4,6,9,11, so the task would never repeat",
            id="short-months-31st",
        ),
        pytest.param(
            "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
            "BYMONTHDAY=30 never falls in BYMONTH=2, so the task would never repeat",
            id="daily-feb-30th",
        ),
        pytest.param(
            "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6",
            "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6 gives no date in the 50 years after 2026-03-02, "
            "so the task would never repeat",
            id="sixth-monday",
        ),
        pytest.param(
            "FREQ=MONTHLY;INTERVAL=12;BYMONTH=9",
            "FREQ=MONTHLY;INTERVAL=12;BYMONTH=9 gives no date in the 50 years after 2026-03-02, "
            "so the task would never repeat",
            id="interval-never-reaches-month",
        ),
        pytest.param(
            "FREQ=DAILY;INTERVAL=7;BYDAY=TU",
            "FREQ=DAILY;INTERVAL=7;BYDAY=TU gives no date in the 50 years after 2026-03-02, "
            "so the task would never repeat",
            id="every-7-days-from-a-monday-never-tuesday",
        ),
    ],
)
def test_refused_rules_say_why(text: str, message: str) -> None:
    with pytest.raises(RecurrenceError) as caught:
        parse(text, start=D("2026-03-02"))  # a Monday
    assert str(caught.value) == message


@pytest.mark.parametrize("from_", ["", "DUE", "completed", "start"])
def test_from_must_be_due_or_completion(from_: str) -> None:
    with pytest.raises(RecurrenceError, match=r'^"from" must be "due" or "completion"$'):
        parse("FREQ=DAILY", from_, start=D("2026-03-02"))


@pytest.mark.parametrize(
    "text",
    [
        "FREQ=DAILY;INTERVAL=7;BYDAY=TU",
        "FREQ=WEEKLY;INTERVAL=2;BYMONTH=2;BYDAY=MO;BYSETPOS=3",
        "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=7",
        "FREQ=YEARLY;BYMONTH=2;BYDAY=5MO;BYMONTHDAY=1",
    ],
)
def test_search_for_a_date_is_bounded(text: str) -> None:
    """Without the bound dateutil walks to the year 9999 (seconds to minutes) before giving up."""
    began = clock.perf_counter()
    with pytest.raises(RecurrenceError, match="gives no date in the 50 years after"):
        parse(text, start=D("2026-03-02"))
    assert clock.perf_counter() - began < 1.5


@pytest.mark.parametrize(
    ("text", "start", "series"),
    [
        pytest.param("FREQ=DAILY", "2026-12-30", "2026-12-30 2026-12-31 2027-01-01 2027-01-02", id="daily"),
        pytest.param("FREQ=DAILY;INTERVAL=3", "2026-02-26", "2026-02-26 2026-03-01 2026-03-04", id="daily-3"),
        pytest.param("FREQ=WEEKLY", "2026-03-04", "2026-03-04 2026-03-11 2026-03-18", id="weekly"),
        pytest.param(
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
            "2026-03-03",
            "2026-03-03 2026-03-17 2026-03-31",
            id="weekly-2-tu",
        ),
        pytest.param(
            "FREQ=WEEKLY;BYDAY=MO,WE,FR",
            "2026-03-04",
            "2026-03-04 2026-03-06 2026-03-09 2026-03-11",
            id="mo-we-fr",
        ),
        pytest.param(
            "FREQ=MONTHLY;BYMONTHDAY=-1",
            "2027-01-31",
            "2027-01-31 2027-02-28 2027-03-31 2027-04-30",
            id="last-day-common-year",
        ),
        pytest.param(
            "FREQ=MONTHLY;BYMONTHDAY=-1",
            "2028-01-31",
            "2028-01-31 2028-02-29 2028-03-31",
            id="last-day-leap-year",
        ),
        pytest.param(
            "FREQ=MONTHLY;BYMONTHDAY=31",
            "2026-01-31",
            "2026-01-31 2026-03-31 2026-05-31 2026-07-31 2026-08-31",
            id="31st-skips-short-months",
        ),
        pytest.param(
            "FREQ=MONTHLY", "2026-01-31", "2026-01-31 2026-03-31 2026-05-31", id="monthly-from-31st-skips-too"
        ),
        pytest.param(
            "FREQ=MONTHLY;BYDAY=+2TU",
            "2026-01-13",
            "2026-01-13 2026-02-10 2026-03-10 2026-04-14",
            id="second-tu",
        ),
        pytest.param(
            "FREQ=MONTHLY;BYDAY=-1FR",
            "2026-01-30",
            "2026-01-30 2026-02-27 2026-03-27 2026-04-24",
            id="last-fr",
        ),
        pytest.param(
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
            "2026-01-30",
            "2026-01-30 2026-02-27 2026-03-31 2026-04-30 2026-05-29",
            id="last-weekday",
        ),
        pytest.param(
            "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=15",
            "2026-03-15",
            "2026-03-15 2027-03-15 2028-03-15",
            id="yearly",
        ),
        pytest.param(
            "FREQ=YEARLY;BYMONTH=11;BYDAY=4TH",
            "2026-11-26",
            "2026-11-26 2027-11-25 2028-11-23",
            id="thanksgiving",
        ),
        pytest.param(
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
            "2024-02-29",
            "2024-02-29 2028-02-29 2032-02-29",
            id="feb-29",
        ),
        pytest.param(
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
            "2096-02-29",
            "2096-02-29 2104-02-29 2108-02-29",
            id="feb-29-2100",
        ),
        pytest.param("FREQ=YEARLY", "2024-02-29", "2024-02-29 2028-02-29", id="yearly-from-feb-29"),
        pytest.param(
            "FREQ=YEARLY;INTERVAL=1000", "2026-03-02", "2026-03-02 3026-03-02 4026-03-02", id="millennia"
        ),
        # RFC 5545's own WKST example, then with BYDAY=SU,MO
        pytest.param(
            "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO",
            "1997-08-05",
            "1997-08-05 1997-08-10 1997-08-19 1997-08-24",
            id="rfc-wkst-mo",
        ),
        pytest.param(
            "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU",
            "1997-08-05",
            "1997-08-05 1997-08-17 1997-08-19 1997-08-31",
            id="rfc-wkst-su",
        ),
        pytest.param(
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU,MO",
            "2026-03-02",
            "2026-03-02 2026-03-08 2026-03-16",
            id="su-mo-wkst-mo",
        ),
        pytest.param(
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU,MO;WKST=SU",
            "2026-03-02",
            "2026-03-02 2026-03-15 2026-03-16",
            id="su-mo-wkst-su",
        ),
        pytest.param("FREQ=DAILY;COUNT=3", "2026-03-02", "2026-03-02 2026-03-03 2026-03-04", id="count"),
        pytest.param("FREQ=DAILY;COUNT=1", "2026-03-02", "2026-03-02", id="count-1"),
        pytest.param(
            "FREQ=WEEKLY;BYDAY=MO;COUNT=3",
            "2026-03-04",
            "2026-03-04 2026-03-09 2026-03-16",
            id="start-off-rule",
        ),
        pytest.param(
            "FREQ=DAILY;UNTIL=20260304",
            "2026-03-02",
            "2026-03-02 2026-03-03 2026-03-04",
            id="until-inclusive",
        ),
        pytest.param("FREQ=WEEKLY;UNTIL=20260308", "2026-03-02", "2026-03-02", id="until-before-next"),
        pytest.param("FREQ=DAILY;UNTIL=20260302", "2026-03-02", "2026-03-02", id="until-on-start"),
    ],
)
def test_series(text: str, start: str, series: str) -> None:
    assert _walk(text, start, 6)[: len(series.split())] == series.split()
    if "COUNT" in text or "UNTIL" in text:
        assert _walk(text, start, 6) == series.split()


@pytest.mark.parametrize(
    ("text", "start", "current", "today", "expected"),
    [
        pytest.param(
            "FREQ=WEEKLY;BYDAY=MO", "2026-02-02", "2026-02-02", "2026-03-04", "2026-03-09", id="missed"
        ),
        pytest.param(
            "FREQ=MONTHLY;BYMONTHDAY=15",
            "2026-01-15",
            "2026-01-15",
            "2026-02-20",
            "2026-03-15",
            id="missed-month",
        ),
        pytest.param("FREQ=DAILY", "2026-03-01", "2026-03-01", "2026-03-01", "2026-03-02", id="on-time"),
        pytest.param("FREQ=DAILY", "2026-03-01", "2026-03-10", "2026-03-05", "2026-03-11", id="early"),
        pytest.param(
            "FREQ=WEEKLY;BYDAY=MO", "2026-03-02", "2026-03-09", "2026-03-09", "2026-03-16", id="on-due-day"
        ),
        pytest.param(
            "FREQ=DAILY;INTERVAL=3", "2026-03-01", "2026-03-01", "2026-03-05", "2026-03-07", id="phase"
        ),
        # COUNT counts the series from its start, skipped dates included
        pytest.param(
            "FREQ=DAILY;COUNT=5", "2026-03-01", "2026-03-01", "2026-03-04", "2026-03-05", id="count-last"
        ),
        pytest.param(
            "FREQ=DAILY;COUNT=5", "2026-03-01", "2026-03-01", "2026-03-05", None, id="count-reached"
        ),
        pytest.param(
            "FREQ=WEEKLY;COUNT=2", "2026-03-02", "2026-03-02", "2026-03-02", "2026-03-09", id="count-2"
        ),
        pytest.param(
            "FREQ=WEEKLY;COUNT=2", "2026-03-02", "2026-03-09", "2026-03-09", None, id="count-2-done"
        ),
        pytest.param(
            "FREQ=DAILY;UNTIL=20260310", "2026-03-01", "2026-03-01", "2026-03-09", "2026-03-10", id="until"
        ),
        pytest.param(
            "FREQ=DAILY;UNTIL=20260310", "2026-03-01", "2026-03-01", "2026-03-10", None, id="until-passed"
        ),
        pytest.param(
            "FREQ=DAILY;UNTIL=20260310", "2026-03-01", "2026-03-01", "2026-06-01", None, id="until-long-gone"
        ),
    ],
)
def test_from_due(text: str, start: str, current: str, today: str, expected: str | None) -> None:
    assert _next(text, start, current=current, today=today) == (expected and D(expected))


@pytest.mark.parametrize(
    ("text", "completed_on", "done", "expected"),
    [
        pytest.param("FREQ=DAILY;INTERVAL=3", "2026-12-05", 0, "2026-12-08", id="every-3-days"),
        pytest.param("FREQ=WEEKLY;BYDAY=MO", "2026-12-05", 0, "2026-12-07", id="saturday-to-monday"),
        pytest.param("FREQ=WEEKLY;BYDAY=MO", "2026-12-07", 0, "2026-12-14", id="monday-to-next-monday"),
        pytest.param("FREQ=WEEKLY", "2026-12-09", 0, "2026-12-16", id="a-week-later"),
        pytest.param("FREQ=MONTHLY", "2026-12-09", 0, "2027-01-09", id="a-month-later"),
        pytest.param("FREQ=MONTHLY;BYMONTHDAY=1", "2026-12-09", 0, "2027-01-01", id="next-first"),
        pytest.param("FREQ=YEARLY", "2026-12-09", 0, "2027-12-09", id="a-year-later"),
        # COUNT counts completions and skips: done_so_far before this one, this one is number done + 1
        pytest.param("FREQ=DAILY;COUNT=3", "2026-12-05", 0, "2026-12-06", id="count-first"),
        pytest.param("FREQ=DAILY;COUNT=3", "2026-12-05", 1, "2026-12-06", id="count-second"),
        pytest.param("FREQ=DAILY;COUNT=3", "2026-12-05", 2, None, id="count-third-is-last"),
        pytest.param("FREQ=DAILY;COUNT=1", "2026-12-05", 0, None, id="count-1"),
        pytest.param("FREQ=DAILY;INTERVAL=3;UNTIL=20261210", "2026-12-05", 0, "2026-12-08", id="until"),
        pytest.param("FREQ=DAILY;INTERVAL=3;UNTIL=20261210", "2026-12-08", 0, None, id="until-passed"),
    ],
)
def test_from_completion(text: str, completed_on: str, done: int, expected: str | None) -> None:
    """The rule restarts on the completion day, wherever the due date was (here 2026-12-01)."""
    got = _next(text, "2026-12-01", current="2026-12-20", today=completed_on, from_="completion", done=done)
    assert got == (expected and D(expected))


@pytest.mark.parametrize(
    ("until", "due_time", "zone", "last"),
    [
        # 09:00 in Berlin on 2026-03-30 is 07:00 UTC (CEST)
        pytest.param("20260330T070000Z", time(9), BERLIN, "2026-03-30", id="until-equal-included"),
        pytest.param("20260330T065959Z", time(9), BERLIN, "2026-03-29", id="until-a-second-early"),
        pytest.param("20260330T080000Z", None, BERLIN, "2026-03-30", id="date-only-at-09"),
        pytest.param("20260330T065959Z", None, BERLIN, "2026-03-29", id="date-only-a-second-early"),
        # 23:30 in New York on 2026-03-29 is 03:30 UTC on 2026-03-30
        pytest.param("20260330T033000Z", time(23, 30), "America/New_York", "2026-03-29", id="new-york-late"),
        pytest.param("20260330T032959Z", time(23, 30), "America/New_York", "2026-03-28", id="new-york-early"),
    ],
)
def test_until_utc_against_local_time(until: str, due_time: time | None, zone: str, last: str) -> None:
    text = f"FREQ=DAILY;UNTIL={until}"
    before = (D(last).toordinal() - 1, D(last).toordinal())
    yesterday, last_day = (date.fromordinal(n).isoformat() for n in before)
    assert _next(text, "2026-03-20", today=yesterday, due_time=due_time, zone=zone) == D(last)
    assert _next(text, "2026-03-20", today=last_day, due_time=due_time, zone=zone) is None


@pytest.mark.parametrize(
    ("day", "due_time", "zone", "utc"),
    [
        pytest.param("2026-03-28", time(9), BERLIN, "2026-03-28T08:00", id="berlin-before-spring"),
        pytest.param("2026-03-30", time(9), BERLIN, "2026-03-30T07:00", id="berlin-after-spring"),
        pytest.param("2026-03-29", time(2, 30), BERLIN, "2026-03-29T01:30", id="berlin-gap-is-03:30-cest"),
        pytest.param("2026-10-25", time(2, 30), BERLIN, "2026-10-25T00:30", id="berlin-fold-first"),
        pytest.param("2026-10-26", time(9), BERLIN, "2026-10-26T08:00", id="berlin-after-autumn"),
        pytest.param("2026-03-30", None, BERLIN, "2026-03-30T07:00", id="date-only-is-09:00"),
        pytest.param("2026-10-31", time(9), "America/New_York", "2026-10-31T13:00", id="new-york-edt"),
        pytest.param("2026-11-02", time(9), "America/New_York", "2026-11-02T14:00", id="new-york-est"),
        pytest.param("2026-11-01", time(1, 30), "America/New_York", "2026-11-01T05:30", id="new-york-fold"),
        pytest.param("2026-03-08", time(2, 30), "America/New_York", "2026-03-08T07:30", id="new-york-gap"),
        pytest.param(
            "2026-10-04", time(2, 15), "Australia/Lord_Howe", "2026-10-03T15:45", id="lord-howe-gap"
        ),
        pytest.param(
            "2026-04-05", time(1, 45), "Australia/Lord_Howe", "2026-04-04T14:45", id="lord-howe-fold"
        ),
        pytest.param("2026-07-01", time(23, 59), "UTC", "2026-07-01T23:59", id="utc"),
        pytest.param("2026-07-01", time(0, 30), "Asia/Kolkata", "2026-06-30T19:00", id="previous-utc-day"),
    ],
)
def test_occurrence_instant(day: str, due_time: time | None, zone: str, utc: str) -> None:
    assert occurrence_instant(D(day), due_time, zone) == datetime.fromisoformat(utc).replace(tzinfo=UTC)


def test_wall_clock_time_survives_daylight_saving() -> None:
    """A daily 09:00 task in Berlin stays at 09:00 local through the spring change."""
    days = _walk("FREQ=DAILY", "2026-03-27", 3, due_time=time(9))
    instants = [occurrence_instant(D(day), time(9), BERLIN).strftime("%m-%dT%H:%M") for day in days]
    assert instants == ["03-27T08:00", "03-28T08:00", "03-29T07:00", "03-30T07:00"]


@pytest.mark.parametrize(
    "text",
    [
        "FREQ=DAILY",
        "FREQ=DAILY;INTERVAL=3",
        "FREQ=DAILY;INTERVAL=10;BYDAY=MO,FR",
        "FREQ=WEEKLY",
        "FREQ=WEEKLY;INTERVAL=3;BYDAY=TU,SA",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU,MO;WKST=SU",
        "FREQ=WEEKLY;INTERVAL=5;BYMONTH=1,7",
        "FREQ=MONTHLY",
        "FREQ=MONTHLY;INTERVAL=5",
        "FREQ=MONTHLY;INTERVAL=7;BYMONTHDAY=-1",
        "FREQ=MONTHLY;INTERVAL=2;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        "FREQ=MONTHLY;INTERVAL=4;BYDAY=+2TU,-1FR",
        "FREQ=YEARLY",
        "FREQ=YEARLY;INTERVAL=3",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
        "FREQ=YEARLY;INTERVAL=3;BYMONTH=11;BYDAY=4TH",
        "FREQ=DAILY;UNTIL=20300101",
        "FREQ=DAILY;INTERVAL=3;UNTIL=20261231T235959Z",
    ],
)
@pytest.mark.parametrize("start", ["1950-05-31", "1996-02-29", "2025-12-31"])
def test_matches_dateutil_from_the_start(text: str, start: str) -> None:
    """Starting dateutil late (a long-running series) gives the dates a walk from the start would."""
    rule = rrulestr(text, dtstart=datetime.combine(D(start), time(9)), ignoretz=True)
    for today in ("2026-03-04", "2026-12-31", "2027-02-28", "2031-07-15"):
        expected = rule.after(datetime.combine(D(today), time.max))
        got = _next(text, start, today=today, due_time=time(9), zone="UTC")
        assert got == (expected and expected.date()), today


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FREQ=DAILY", "2026-03-05"),
        ("FREQ=DAILY;INTERVAL=7", "2026-03-09"),  # 0001-01-01 is a Monday, so is every 7th day
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", "2026-03-18"),  # the week of 2026-03-02 is an even one
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "2026-03-31"),
        ("FREQ=YEARLY", "2027-01-01"),
    ],
)
def test_an_ancient_start_costs_no_more(text: str, expected: str) -> None:
    began = clock.perf_counter()
    assert _next(text, "0001-01-01", today="2026-03-04") == D(expected)
    assert clock.perf_counter() - began < 0.5


@pytest.mark.parametrize(
    ("text", "start", "today", "zone", "expected"),
    [
        pytest.param("FREQ=DAILY", "9999-12-30", "9999-12-30", BERLIN, "9999-12-31", id="last-day"),
        pytest.param("FREQ=DAILY", "9999-12-30", "9999-12-31", BERLIN, None, id="after-the-last-day"),
        pytest.param("FREQ=DAILY;COUNT=5", "9999-12-30", "9999-12-31", BERLIN, None, id="count-at-the-end"),
        pytest.param(
            "FREQ=DAILY;UNTIL=99991231", "2026-03-02", "2026-03-02", BERLIN, "2026-03-03", id="until-9999"
        ),
        pytest.param(
            "FREQ=DAILY;UNTIL=99991231T235959Z",
            "2026-03-02",
            "2026-03-02",
            "Asia/Tokyo",
            "2026-03-03",
            id="tokyo",
        ),
    ],
)
def test_the_end_of_time(text: str, start: str, today: str, zone: str, expected: str | None) -> None:
    assert _next(text, start, today=today, zone=zone) == (expected and D(expected))
