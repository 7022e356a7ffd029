"""Text rules shared by every model: what PostgreSQL and bcrypt cannot take is refused as a 422."""

from pydantic_core import PydanticCustomError


def is_storable(value: str) -> bool:
    if "\x00" in value:
        return False
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def storable_text(value: str) -> str:
    """Reject NUL characters (PostgreSQL refuses them) and lone surrogates (not encodable as UTF-8)."""
    if "\x00" in value:
        raise PydanticCustomError("nul_character", "Text must not contain NUL (\\u0000) characters")
    try:
        value.encode()
    except UnicodeEncodeError:
        raise PydanticCustomError(
            "invalid_unicode", "Text must be valid Unicode (no lone surrogates)"
        ) from None
    return value
