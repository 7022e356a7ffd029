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
    assert (decoded.user_id, decoded.version, decoded.jti) == (7, 3, claims["jti"])
    assert issue() != issue()  # every token has its own jti


def test_previous_key_verifies_during_a_rotation_but_never_signs():
    old = issue(key=OLD_KEY)
    assert decode_access_token(old, keys=[KEY, OLD_KEY]).user_id == 7
    with pytest.raises(InvalidToken):
        decode_access_token(old, keys=[KEY])


def signed(claims: dict, key: str = KEY) -> str:
    base = {"sub": "7", "exp": int(time.time()) + 60, "jti": "j" * 22}
    # `...` leaves a claim out; None sends it as JSON null
    return jwt.encode({k: v for k, v in {**base, **claims}.items() if v is not ...}, key, algorithm="HS256")


def test_tokens_without_ver_are_generation_zero():
    assert decode_access_token(signed({}), keys=[KEY]).version == 0


@pytest.mark.parametrize(
    "jti", [..., None, "", "short", "j" * 65, 12345, ["j" * 22], "jjjjjjjjjjjjjjjj\x00jjjj", "é" * 22]
)
def test_tokens_without_a_proper_jti_are_refused(jti):
    # Without a jti, sign-out could only key on the token string, which is malleable: the same
    # token re-encoded would no longer be the one revoked.
    with pytest.raises(InvalidToken):
        decode_access_token(signed({"jti": jti}), keys=[KEY])


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
@pytest.mark.parametrize("value", [1e400, -1e400, 10**30, 2**63, 1.5e9, "1700000000", True, -5])
def test_out_of_range_time_claims_are_refused_not_crashing(claim, value):
    with pytest.raises(InvalidToken):
        decode_access_token(signed({claim: value}), keys=[KEY])


def junk_in_signature(token: str, junk: str) -> str:
    head, body, signature = token.split(".")
    return f"{head}.{body}.{signature[:10]}{junk}{signature[10:]}"


def test_characters_outside_base64url_are_refused():
    # python-jose's decoder skips them, so without a shape check this would verify.
    token = issue()
    for junk in ("!", "!" * 1000, " ", "\n", "+", "/", "="):
        with pytest.raises(InvalidToken):
            decode_access_token(junk_in_signature(token, junk), keys=[KEY])


def test_non_canonical_encodings_of_a_valid_token_are_refused():
    token = issue()
    head, body, signature = token.split(".")
    assert len(signature) % 4 == 3  # 32 bytes: the last character carries 2 unused bits
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(signature[-1])
    variant = f"{head}.{body}.{signature[:-1]}{alphabet[last | 1]}"
    assert variant != token
    for other in (
        variant,
        token + "=",
        f"{head}.{body}.{signature}==",
        f"{head}.{body}.{signature}.",
        token + ".",
    ):
        with pytest.raises(InvalidToken):
            decode_access_token(other, keys=[KEY])
    assert decode_access_token(token, keys=[KEY]).user_id == 7


def test_oversized_tokens_are_refused_before_decoding():
    token = issue()
    huge = junk_in_signature(token, "A" * 4_000_000)
    start = time.perf_counter()
    with pytest.raises(InvalidToken):
        TokenVerifier([KEY]).verify(huge)
    assert time.perf_counter() - start < 0.05


def test_verifier_memory_is_bounded_by_entries_of_fixed_size():
    verifier = TokenVerifier([KEY], size=8)
    for i in range(1, 20):
        verifier.verify(issue(user_id=i))
    assert len(verifier._known) == 8
    assert {len(key) for key in verifier._known} == {16}  # a digest, whatever the token's length


@pytest.mark.parametrize("ver", [-1, "1", 1.5, True, None, 2**63])
def test_bad_generation_claims_are_refused(ver):
    token = signed({"ver": ver})
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
