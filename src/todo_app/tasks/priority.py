"""Task priorities: five names in rising order, so a priority's rank is its index (none=0, urgent=4)."""

from typing import Literal, get_args

Priority = Literal["none", "low", "medium", "high", "urgent"]

PRIORITIES: tuple[Priority, ...] = get_args(Priority)


def rank(name: str) -> int:
    """The sort rank of a priority name: "none" is 0, "urgent" is 4."""
    try:
        return PRIORITIES.index(name)
    except ValueError:
        allowed = ", ".join(PRIORITIES)
        raise ValueError(f"Unknown priority {name!r}: use one of {allowed}") from None


def name_of(rank: int) -> Priority:
    """The priority name for a rank from 0 ("none") to 4 ("urgent")."""
    if not 0 <= rank < len(PRIORITIES):
        raise ValueError(f"Priority rank must be 0 to {len(PRIORITIES) - 1}, not {rank!r}")
    return PRIORITIES[rank]
