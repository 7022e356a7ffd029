"""calendar_feed/rrule.py: the stored rule as the RRULE of a VTODO whose DTSTART is the current due
date. Pure, so table-driven."""

from datetime import UTC, date, datetime, time

import pytest

from todo_app.calendar_feed.rrule import series_rule

BERLIN = "Europe/Berlin"
TUE = date(2027, 1, 5)  # a Tuesday, in winter time


def _rule(text: str, *, start: date | None = TUE, due: date = TUE, at: time | None = None) -> str | None:
    rule = series_rule(text, start=start, due_date=due, due_time=at, zone=BERLIN)
    return None if rule is None else rule.to_ical().decode()


@pytest.mark.parametrize(
    ("text", "start", "due", "expected"),
    [
        ("FREQ=WEEKLY;COUNT=5", TUE, TUE, "FREQ=WEEKLY;COUNT=5"),
        ("FREQ=WEEKLY;COUNT=5", TUE, date(2027, 1, 19), "FREQ=WEEKLY;COUNT=3"),
        ("FREQ=WEEKLY;COUNT=5", TUE, date(2027, 2, 2), "FREQ=WEEKLY;COUNT=1"),
        ("FREQ=WEEKLY;COUNT=5", TUE, date(2027, 2, 9), None),  # past its end: not an open task's state
        # A start the rule would not give counts as the first date, as in the API.
        ("FREQ=WEEKLY;BYDAY=TU;COUNT=3", date(2027, 1, 6), date(2027, 1, 6), "FREQ=WEEKLY;COUNT=3;BYDAY=TU"),
        ("FREQ=WEEKLY;BYDAY=TU;COUNT=3", date(2027, 1, 6), date(2027, 1, 12), "FREQ=WEEKLY;COUNT=2;BYDAY=TU"),
        (
            "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=4",
            date(2027, 1, 31),
            date(2027, 3, 31),
            "FREQ=MONTHLY;COUNT=2;BYMONTHDAY=-1",
        ),
        # No series start stored: the due date starts it.
        ("FREQ=DAILY;COUNT=2", None, TUE, "FREQ=DAILY;COUNT=2"),
        # Other parts are kept as stored.
        (
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;WKST=SU",
            TUE,
            TUE,
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;WKST=SU",
        ),
    ],
)
def test_count_is_what_is_left_from_the_current_due_date(text, start, due, expected):
    assert _rule(text, start=start, due=due) == expected


@pytest.mark.parametrize(
    ("until", "at", "expected"),
    [
        # A date: as is for a date alone; for a due time, that day's occurrence in UTC.
        ("20270110", None, "20270110"),
        ("20270110", time(21, 30), "20270110T203000Z"),
        ("20270710", time(21, 30), "20270710T193000Z"),  # summer time
        # A UTC time: as is with a due time; for a date alone, the last day whose 09:00 local is not
        # after it (the API's time of a date-only occurrence).
        ("20270110T080000Z", None, "20270110"),  # 09:00 Berlin
        ("20270110T075959Z", None, "20270109"),
        ("20270110T230000Z", None, "20270110"),  # 00:00 on the 11th in Berlin: before its 09:00
        ("20270111T100000Z", None, "20270111"),
        ("20270110T075959Z", time(8), "20270110T075959Z"),
    ],
)
def test_until_takes_the_value_type_of_dtstart(until, at, expected):
    assert _rule(f"FREQ=DAILY;UNTIL={until}", at=at) == f"FREQ=DAILY;UNTIL={expected}"


def test_a_stored_rule_that_no_longer_parses_gives_no_rrule():
    assert _rule("FREQ=HOURLY") is None
    assert _rule("FREQ=DAILY;UNTIL=20200101") is None  # before the series' start


def test_the_until_instant_is_utc():
    rule = series_rule("FREQ=DAILY;UNTIL=20270110", start=TUE, due_date=TUE, due_time=time(9), zone=BERLIN)
    assert rule is not None
    assert rule["UNTIL"] == [datetime(2027, 1, 10, 8, tzinfo=UTC)]


@pytest.mark.parametrize(
    ("until", "at", "zone"),
    [("99991231", time(23), "America/New_York"), ("99991231T235959Z", None, "Etc/GMT-14")],
)
def test_an_until_at_the_end_of_time_limits_nothing(until, at, zone):
    rule = series_rule(f"FREQ=DAILY;UNTIL={until}", start=TUE, due_date=TUE, due_time=at, zone=zone)
    assert rule is not None
    assert rule.to_ical() == b"FREQ=DAILY"
