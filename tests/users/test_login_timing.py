"""An unknown email costs what a real account costs, also after BCRYPT_ROUNDS changed: stored
hashes keep their cost until their owner next signs in."""

import statistics
import time

from tests.conftest import client_for
from tests.factories import make_user

OLD_ROUNDS, NEW_ROUNDS = 9, 4


async def median_login_seconds(client, email: str, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        r = await client.post("/auth/login", json={"email": email, "password": "not the password"})
        times.append(time.perf_counter() - start)
        assert r.status_code == 401
    return statistics.median(times)


async def test_unknown_and_known_emails_cost_the_same_after_a_rounds_change(settings):
    async with client_for(settings, bcrypt_rounds=OLD_ROUNDS) as client:
        user = await make_user(client)
    async with client_for(settings, bcrypt_rounds=NEW_ROUNDS) as client:
        await median_login_seconds(client, "warm-up@example.com", runs=1)
        known = await median_login_seconds(client, user["email"])
        unknown = await median_login_seconds(client, "nobody@example.com")
    # Cost 9 is 32 times cost 4: a leak shows as a ratio near 1/32, far outside these bounds.
    assert 0.25 < unknown / known < 4, (known, unknown)
