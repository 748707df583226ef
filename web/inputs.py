"""What a URL or a form gives as text, read as the numbers and ids the actions take."""

from __future__ import annotations

from crm.errors import NotFound


def whole_number(text: str, digits: int) -> int | None:
    """`text` as a whole number of at most `digits` ASCII digits; None when it is not one.

    `str.isdigit` alone would accept "²", which `int` then refuses.
    """
    return int(text) if text.isascii() and text.isdigit() and len(text) <= digits else None


def row_id(text: str, what: str) -> int:
    """A row's id from a URL; anything else is a page that does not exist."""
    number = whole_number(text, 12)
    if number is None:
        raise NotFound(f"no {what} {text!r}", field=what)
    return number
