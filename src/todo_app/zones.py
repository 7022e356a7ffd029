"""Time zones: which names exist, and what day and time it is in one. The IANA database comes from
the system or, where it has none, the `tzdata` package."""

from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones


@cache
def known_timezones() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


def local_now(zone: str, now: datetime | None = None) -> datetime:
    """`now` (default: this instant) as wall-clock time in `zone`."""
    return (now or datetime.now(UTC)).astimezone(ZoneInfo(zone))
