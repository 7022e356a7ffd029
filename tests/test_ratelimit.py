"""Limits against guessing: per account+address failures, per address request rate, proxies."""

import ipaddress
import time

import httpx2
import pytest

from tests.conftest import client_for
from tests.factories import PASSWORD, make_user
from todo_app import ratelimit
from todo_app.ratelimit import client_address, limit_key

LIMITS = {"rate_limit_login_failures": 5, "rate_limit_auth_per_minute": 30}


async def login(client, email, password, **kw):
    return await client.post("/auth/login", json={"email": email, "password": password}, **kw)


async def test_five_failures_block_that_account_from_that_address(settings):
    async with client_for(settings, **LIMITS) as client:
        user = await make_user(client)
        for _ in range(5):
            assert (await login(client, user["email"], "wrong password")).status_code == 401
        r = await login(client, user["email"], PASSWORD)  # even the right password
        assert r.status_code == 429
        assert 0 < int(r.headers["retry-after"]) <= 15 * 60
        assert "detail" in r.json()
        # Another account from this address is not affected.
        other = await make_user(client)
        assert (await login(client, other["email"], PASSWORD)).status_code == 200
    async with client_for(settings, peer="192.0.2.7", **LIMITS) as elsewhere:
        # Counters are per process here; the same account from another address is not blocked.
        assert (await login(elsewhere, user["email"], PASSWORD)).status_code == 200


async def test_the_block_lifts_when_the_window_passes(settings, monkeypatch):
    async with client_for(settings, rate_limit_login_failures=2, rate_limit_login_window_minutes=1) as client:
        user = await make_user(client)
        for _ in range(2):
            await login(client, user["email"], "wrong password")
        assert (await login(client, user["email"], PASSWORD)).status_code == 429
        later = time.monotonic() + 61
        monkeypatch.setattr(ratelimit.time, "monotonic", lambda: later)
        assert (await login(client, user["email"], PASSWORD)).status_code == 200


async def test_success_clears_earlier_failures(settings):
    async with client_for(settings, rate_limit_login_failures=3) as client:
        user = await make_user(client)
        for _ in range(2):
            await login(client, user["email"], "wrong password")
        assert (await login(client, user["email"], PASSWORD)).status_code == 200
        for _ in range(2):
            await login(client, user["email"], "wrong password")
        assert (await login(client, user["email"], PASSWORD)).status_code == 200


async def test_unknown_emails_are_limited_like_real_ones(settings):
    async with client_for(settings, **LIMITS) as client:
        for _ in range(5):
            assert (await login(client, "nobody@example.com", "guess")).status_code == 401
        assert (await login(client, "nobody@example.com", "guess")).status_code == 429


async def test_wrong_current_password_counts_as_a_failed_login(settings):
    async with client_for(settings, **LIMITS) as client:
        user = await make_user(client)
        body = {"current_password": "wrong password", "new_password": "another fine passphrase"}
        for _ in range(5):
            r = await client.post("/auth/password", json=body, headers=user["headers"])
            assert r.status_code == 400
        r = await client.post("/auth/password", json=body, headers=user["headers"])
        assert r.status_code == 429
        assert (await login(client, user["email"], PASSWORD)).status_code == 429


async def test_thirty_auth_requests_a_minute_per_address(settings):
    async with client_for(settings, **LIMITS) as client:
        for i in range(15):
            body = {"email": f"user{i}@example.com", "password": PASSWORD}
            assert (await client.post("/auth/signup", json=body)).status_code == 201
            assert (await login(client, f"user{i}@example.com", PASSWORD)).status_code == 200
        r = await client.post("/auth/signup", json={"email": "late@example.com", "password": PASSWORD})
        assert r.status_code == 429
        assert 0 < int(r.headers["retry-after"]) <= 60
        assert (await login(client, "user0@example.com", PASSWORD)).status_code == 429
        assert (await client.get("/health")).status_code == 200  # other routes are not limited
    async with client_for(settings, peer="192.0.2.8", **LIMITS) as other:
        assert (await login(other, "user0@example.com", PASSWORD)).status_code == 200


async def test_zero_switches_a_limit_off(settings):
    async with client_for(settings, rate_limit_login_failures=0, rate_limit_auth_per_minute=0) as client:
        user = await make_user(client)
        for _ in range(40):
            assert (await login(client, user["email"], "wrong password")).status_code == 401
        assert (await login(client, user["email"], PASSWORD)).status_code == 200


async def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(settings):
    async with client_for(settings, **LIMITS) as client:
        user = await make_user(client)
        for i in range(5):
            headers = {"X-Forwarded-For": f"203.0.113.{i}"}
            assert (await login(client, user["email"], "wrong password", headers=headers)).status_code == 401
        headers = {"X-Forwarded-For": "203.0.113.99"}
        assert (await login(client, user["email"], PASSWORD, headers=headers)).status_code == 429


async def test_behind_a_trusted_proxy_the_forwarded_client_is_limited(settings):
    async with client_for(settings, peer="10.0.0.5", trusted_proxies=["10.0.0.0/8"], **LIMITS) as client:
        user = await make_user(client, email="ann@example.com")
        for i in range(5):
            # The client rotates what it puts in front; the proxy appends what it saw.
            headers = {"X-Forwarded-For": f"198.51.100.{i}, 203.0.113.1"}
            assert (await login(client, user["email"], "wrong password", headers=headers)).status_code == 401
        blocked = {"X-Forwarded-For": "198.51.100.200, 203.0.113.1"}
        assert (await login(client, user["email"], PASSWORD, headers=blocked)).status_code == 429
        another_client = {"X-Forwarded-For": "203.0.113.2"}
        assert (await login(client, user["email"], PASSWORD, headers=another_client)).status_code == 200


TRUSTED = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8")]


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.9", ["1.2.3.4"], "203.0.113.9"),  # untrusted peer: header ignored
        ("10.0.0.1", ["1.2.3.4"], "1.2.3.4"),
        ("10.0.0.1", ["6.6.6.6, 1.2.3.4"], "1.2.3.4"),  # right-most untrusted wins
        ("10.0.0.1", ["1.2.3.4, 10.0.0.2"], "1.2.3.4"),  # skip our own proxies
        ("10.0.0.1", ["1.2.3.4", "10.0.0.3"], "1.2.3.4"),  # several headers
        ("10.0.0.1", [], "10.0.0.1"),
        ("10.0.0.1", ["10.0.0.2"], "10.0.0.1"),
        ("10.0.0.1", ["6.6.6.6, garbage"], "10.0.0.1"),
        ("fd00::1", ["2001:db8::1"], "2001:db8::1"),
        (None, ["1.2.3.4"], "unknown"),
        ("::ffff:203.0.113.9", [], "203.0.113.9"),  # an IPv4 client on a dual-stack socket
        ("10.0.0.1", ["::ffff:1.2.3.4"], "1.2.3.4"),
        ("10.0.0.1", ["1.2.3.4:5678"], "1.2.3.4"),  # proxies that append the port
        ("10.0.0.1", ["[2001:db8::1]:443"], "2001:db8::1"),
        ("10.0.0.1", ["[2001:db8::1]"], "2001:db8::1"),
        ("10.0.0.1", ["1.2.3.4:5678, 10.0.0.2:80"], "1.2.3.4"),
        ("::ffff:10.0.0.1", ["1.2.3.4"], "1.2.3.4"),  # a trusted proxy seen through a mapped address
        ("10.0.0.1", ["1.2.3.4:port"], "10.0.0.1"),
        ("10.0.0.1", ["[1.2.3.4]:80"], "10.0.0.1"),
    ],
)
def test_client_address(peer, forwarded, expected):
    assert client_address(peer, forwarded, TRUSTED) == expected


async def test_malformed_auth_requests_count_too(settings):
    async with client_for(settings, **LIMITS) as client:
        for _ in range(15):
            assert (await client.post("/auth/signup", json={"email": "x"})).status_code == 422
            r = await client.post(
                "/auth/login", content=b"{nope", headers={"content-type": "application/json"}
            )
            assert r.status_code == 422
        r = await client.post("/auth/signup", json={"email": "ok@example.com", "password": PASSWORD})
        assert r.status_code == 429


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2:ffff::1", "2001:db8:1:2::/64"),
        ("unknown", "unknown"),
    ],
)
def test_limit_key_covers_an_ipv6_subscriber_network(address, key):
    assert limit_key(address) == key


def from_peer(app, peer: str) -> httpx2.AsyncClient:
    """Another client of the same app (so the same in-process counters), seen as `peer`."""
    transport = httpx2.ASGITransport(app=app, client=(peer, 40000))
    return httpx2.AsyncClient(transport=transport, base_url="http://testserver")


async def test_one_ipv6_network_is_one_client(settings):
    async with client_for(settings, peer="2001:db8:1:2::1", **LIMITS) as client:
        user = await make_user(client)
        for i in range(5):  # a /64 hands its owner 2**64 addresses: each guess from a new one
            async with from_peer(client.app, f"2001:db8:1:2:{i}::{i + 10:x}") as c:
                assert (await login(c, user["email"], "wrong password")).status_code == 401
        async with from_peer(client.app, "2001:db8:1:2:ffff::1") as c:
            assert (await login(c, user["email"], PASSWORD)).status_code == 429
        async with from_peer(client.app, "2001:db8:1:3::1") as c:  # the neighbouring network
            assert (await login(c, user["email"], PASSWORD)).status_code == 200


async def test_ipv4_mapped_and_plain_ipv4_are_one_client(settings):
    async with client_for(settings, peer="198.51.100.9", **LIMITS) as client:
        user = await make_user(client)
        for _ in range(5):
            assert (await login(client, user["email"], "wrong password")).status_code == 401
        async with from_peer(client.app, "::ffff:198.51.100.9") as c:
            assert (await login(c, user["email"], PASSWORD)).status_code == 429


async def test_a_proxy_that_appends_ports_does_not_merge_its_clients(settings):
    proxy = {"peer": "10.0.0.5", "trusted_proxies": ["10.0.0.0/8"]}
    async with client_for(settings, **proxy, **LIMITS) as client:
        user = await make_user(client)
        attacker = {"X-Forwarded-For": "203.0.113.66:51000"}
        for _ in range(5):
            assert (await login(client, user["email"], "wrong", headers=attacker)).status_code == 401
        victim = {"X-Forwarded-For": "198.51.100.7:40123"}
        assert (await login(client, user["email"], PASSWORD, headers=victim)).status_code == 200
        again = {"X-Forwarded-For": "203.0.113.66:51001"}
        assert (await login(client, user["email"], PASSWORD, headers=again)).status_code == 429
