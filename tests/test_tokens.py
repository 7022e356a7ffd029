"""Token issue and verification, key rotation, and the verifier's memory."""

import time
from datetime import timedelta

import pytest
from jose import jwt

from todo_app.tokens import InvalidToken, TokenVerifier, create_access_token, decode_access_token

KEY = "k" * 40
OLD_KEY = "o" * 40


def issue(
    user_id: int = 7, *, key: str = KEY, lifetime: timedelta = timedelta(hours=1), version: int = 0
) -> str:
    return create_access_token(
        user_id=user_id, email="a@example.com", version=version, secret=key, lifetime=lifetime
    ).token


def test_claims():
    token = issue(version=3)
    claims = jwt.decode(token, KEY, algorithms=["HS256"])
    assert set(claims) == {"sub", "email", "iat", "exp", "jti", "ver"}
    assert claims["sub"] == "7"
    assert claims["ver"] == 3
    decoded = decode_access_token(token, keys=[KEY])
    assert (decoded.user_id, decoded.version, decoded.revocation_key) == (7, 3, claims["jti"])
    assert issue() != issue()  # every token has its own jti


def test_previous_key_verifies_during_a_rotation_but_never_signs():
    old = issue(key=OLD_KEY)
    assert decode_access_token(old, keys=[KEY, OLD_KEY]).user_id == 7
    with pytest.raises(InvalidToken):
        decode_access_token(old, keys=[KEY])


def test_tokens_without_jti_or_ver_get_a_stable_revocation_key_and_generation_zero():
    now = int(time.time())
    token = jwt.encode({"sub": "7", "exp": now + 60}, KEY, algorithm="HS256")
    claims = decode_access_token(token, keys=[KEY])
    assert claims.version == 0
    assert len(claims.revocation_key) == 64
    assert decode_access_token(token, keys=[KEY]).revocation_key == claims.revocation_key


@pytest.mark.parametrize("ver", [-1, "1", 1.5, True, None, 2**63])
def test_bad_generation_claims_are_refused(ver):
    token = jwt.encode({"sub": "7", "exp": int(time.time()) + 60, "ver": ver}, KEY, algorithm="HS256")
    with pytest.raises(InvalidToken):
        decode_access_token(token, keys=[KEY])


def test_verifier_remembers_valid_tokens_but_still_enforces_expiry(monkeypatch):
    verifier = TokenVerifier([KEY])
    token = issue(lifetime=timedelta(seconds=60))
    assert verifier.verify(token).user_id == 7
    assert verifier.verify(token).user_id == 7  # the second use comes from memory
    later = time.time() + 120
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(InvalidToken):
        verifier.verify(token)


def test_verifier_never_remembers_failures_and_stays_bounded():
    verifier = TokenVerifier([KEY], size=3)
    forged = issue(key="x" * 40)
    for _ in range(2):
        with pytest.raises(InvalidToken):
            verifier.verify(forged)
    tokens = [issue(user_id=i) for i in range(1, 6)]
    assert [verifier.verify(t).user_id for t in tokens] == [1, 2, 3, 4, 5]
    assert len(verifier._known) == 3
