"""Opaque, signed listing cursors: where a page ended, for which listing, as of which change.

A cursor names the last task of a page by its sort key and id, the owner and the listing it
belongs to (a digest of filters and sort), and the owner's change number when the walk began.
It is signed, so a tampered one, or one used with another listing, is refused (422), never run.
Pure: no I/O.
"""

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

VERSION = 1
SIGNATURE_BYTES = 16
MAX_CURSOR_CHARS = 1024


class InvalidCursor(ValueError):
    """Malformed, tampered with, or made for another listing or user."""


@dataclass(frozen=True)
class Position:
    key: Any  # the last row's sort key: int, str or an aware datetime
    task_id: int
    snapshot: int  # the owner's change number when the walk began


def listing_digest(*parts: object) -> str:
    """A short digest of a listing's canonical description (filters and sort)."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    if not text or not all(c.isalnum() or c in "-_" for c in text):
        raise InvalidCursor("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: bytes, payload: str) -> str:
    return _b64(hmac.new(secret, payload.encode(), hashlib.sha256).digest()[:SIGNATURE_BYTES])


def encode(position: Position, *, secret: bytes, owner: int, listing: str) -> str:
    key = position.key
    kind = "t" if isinstance(key, datetime) else "i" if isinstance(key, int) else "s"
    body = {
        "v": VERSION,
        "u": owner,
        "l": listing,
        "k": key.isoformat() if kind == "t" else key,
        "t": kind,
        "i": position.task_id,
        "n": position.snapshot,
    }
    payload = _b64(json.dumps(body, separators=(",", ":")).encode())
    return f"{payload}.{_sign(secret, payload)}"


def decode(cursor: str, *, secret: bytes, owner: int, listing: str) -> Position:
    if len(cursor) > MAX_CURSOR_CHARS or cursor.count(".") != 1:
        raise InvalidCursor("malformed")
    payload, signature = cursor.split(".")
    if not hmac.compare_digest(_sign(secret, payload).encode(), signature.encode()):
        raise InvalidCursor("bad signature")
    try:
        body = json.loads(_unb64(payload))
        if body["v"] != VERSION:
            raise InvalidCursor("old version")
        if body["u"] != owner or body["l"] != listing:
            raise InvalidCursor("made for another listing")
        key = datetime.fromisoformat(body["k"]) if body["t"] == "t" else body["k"]
        return Position(key=key, task_id=int(body["i"]), snapshot=int(body["n"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidCursor("malformed") from exc
