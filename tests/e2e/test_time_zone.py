"""The person's today: "today" and "overdue" are judged in the profile's time zone, which they see
and can change, and which a new account takes from the browser."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.e2e.pages import AuthPage, TasksPage, api_as, make_tasks, set_zone, signed_up

# Zones without daylight saving time, from UTC-11 to UTC+14: at any moment two of them are on different
# days, both at least half an hour from their midnight.
ZONES = (
    "Pacific/Pago_Pago",
    "Pacific/Honolulu",
    "America/Bogota",
    "America/Sao_Paulo",
    "UTC",
    "Asia/Dhaka",  # (not Asia/Kolkata: Chromium lists it as Asia/Calcutta)
    "Asia/Tokyo",
    "Pacific/Tongatapu",
    "Pacific/Kiritimati",
)


def two_zones_on_different_days() -> tuple[tuple[str, str], tuple[str, str]]:
    """Two (zone, today there) whose days differ, as far from either's midnight as can be."""
    now = datetime.now(UTC)

    def margin(zone: str) -> int:
        local = now.astimezone(ZoneInfo(zone))
        minutes = local.hour * 60 + local.minute
        return min(minutes, 24 * 60 - minutes)

    def today(zone: str) -> str:
        return now.astimezone(ZoneInfo(zone)).date().isoformat()

    pairs = [(a, b) for a in ZONES for b in ZONES if today(a) != today(b)]
    a, b = max(pairs, key=lambda pair: min(margin(pair[0]), margin(pair[1])))
    return (a, today(a)), (b, today(b))


def test_today_is_judged_in_the_profile_zone(new_context, live_server):
    page = new_context(timezone_id="UTC").new_page()  # the browser's own zone does not decide
    tasks, _ = signed_up(page)
    (here, today_here), (there, today_there) = two_zones_on_different_days()
    set_zone(page, live_server, here)
    make_tasks(
        page,
        live_server,
        {"title": "Today here", "due_date": today_here},
        {"title": "Today there", "due_date": today_there},
    )
    tasks = TasksPage(page).expect_loaded()
    expect(tasks.time_zone).to_have_value(here)
    tasks.show("Today")
    tasks.expect_titles("Today here")

    tasks.time_zone.select_option(there)  # the person moves: today is another day
    tasks.expect_titles("Today there")
    with api_as(page, live_server) as api:
        assert api.get("/auth/me").json()["timezone"] == there
    tasks = tasks.reload()
    expect(tasks.time_zone).to_have_value(there)
    tasks.expect_titles("Today there")


def test_a_new_account_takes_the_browsers_zone(new_context, live_server):
    page = new_context(timezone_id="Asia/Tokyo").new_page()
    tasks, _ = signed_up(page)
    expect(tasks.time_zone).to_have_value("Asia/Tokyo")
    with api_as(page, live_server) as api:
        assert api.get("/auth/me").json()["timezone"] == "Asia/Tokyo"


def test_a_zone_chosen_before_is_kept_on_sign_in(new_context, live_server):
    page = new_context(timezone_id="Europe/Berlin").new_page()
    tasks, email = signed_up(page)
    set_zone(page, live_server, "America/New_York")
    tasks.sign_out()
    AuthPage(page).sign_in(email)
    tasks = TasksPage(page).expect_loaded(email)
    expect(tasks.time_zone).to_have_value("America/New_York")  # signing in changes nothing
