"""The one email normalisation, used wherever an email comes in (sign-up, sign-in, limits)."""

from email_validator import EmailNotValidError, validate_email

from todo_app.validation import is_storable


class InvalidEmail(ValueError):
    """Not an address we could have stored; the message says why."""


def normalize_email(value: object) -> str:
    """Trimmed, then email-validator's normal form (Unicode NFC, IDNA domains decoded to Unicode,
    full-width domain letters mapped), then lower-cased. A bare address only: no `Name <addr>`."""
    if not isinstance(value, str) or not is_storable(value):
        raise InvalidEmail("Enter a valid email address")
    try:
        normalized = validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidEmail(str(exc)) from None
    return normalized.lower()
