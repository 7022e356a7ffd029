"""Dates as the server judges them. "Today" is decided in the owner's zone at request time, so a test
that depends on it picks a zone whose local time is far from midnight right now: the date cannot
change between the test computing it and the server doing so, whatever the hour the suite runs."""

from datetime import UTC, date, datetime, timedelta
from itertools import combinations
from zoneinfo import ZoneInfo

import httpx2

from tests.factories import make_user

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Whole-hour zones from UTC-12 to UTC+14. Etc/GMT signs are inverted: Etc/GMT-5 is UTC+5.
OFFSETS = range(-12, 15)


def zone_for_offset(hours: int) -> str:
    return "UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"


def zone_at_local_hour(hour: int, now: datetime | None = None) -> str:
    """A zone whose local time is now between hour:00 and hour:59."""
    now = now or datetime.now(UTC)
    return zone_for_offset((hour - now.hour + 12) % 24 - 12)


def noon_zone() -> str:
    """Local time 12:00-12:59: eleven hours from either midnight."""
    return zone_at_local_hour(12)


def local_now(zone: str) -> datetime:
    return datetime.now(ZoneInfo(zone))


def today(zone: str) -> date:
    return local_now(zone).date()


def _minutes_from_midnight(moment: datetime) -> float:
    minutes = moment.hour * 60 + moment.minute + moment.second / 60
    return min(minutes, 24 * 60 - minutes)


def zones_on_different_days() -> tuple[str, str]:
    """(west, east): two zones whose dates differ right now (east's is later), each as far from its
    midnight as possible (at least half an hour at the worst moment of the day)."""
    now = datetime.now(UTC)
    best, margin = None, -1.0
    for west, east in combinations(OFFSETS, 2):
        w, e = now + timedelta(hours=west), now + timedelta(hours=east)
        if w.date() == e.date():
            continue
        m = min(_minutes_from_midnight(w), _minutes_from_midnight(e))
        if m > margin:
            best, margin = (west, east), m
    assert best is not None
    assert margin >= 30
    return zone_for_offset(best[0]), zone_for_offset(best[1])


def iso(day: date, days: int = 0) -> str:
    return (day + timedelta(days=days)).isoformat()


async def set_timezone(client: httpx2.AsyncClient, user: dict, zone: str) -> None:
    r = await client.patch("/auth/me", json={"timezone": zone}, headers=user["headers"])
    assert r.status_code == 200, r.text
    assert r.json()["timezone"] == zone


async def make_user_in(client: httpx2.AsyncClient, zone: str) -> dict:
    """A new user living in `zone`; `today` is that zone's date (judge it only for a calm zone)."""
    user = await make_user(client)
    await set_timezone(client, user, zone)
    return {**user, "timezone": zone, "today": today(zone)}


async def make_noon_user(client: httpx2.AsyncClient) -> dict:
    """A new user whose local time is around noon now, with `today` their date."""
    return await make_user_in(client, noon_zone())
