"""Codes as people say them: display names, and the code a person's word names.

The front ends show every stored code (a kind, a complaint category, a department, a
service type) through `display_name`, and read a complaint category typed in Chinese
through `complaint_category`: one table (crm.vocabulary.names) for the CLI, the pages
and the report.
"""

from __future__ import annotations

from crm.errors import UsageError


def display_name(code: str | None, locale: str) -> str:
    """A stored code in the store's words; blank for no code."""
    from crm.vocabulary.names import name

    return name(code, locale) if code else ""


def complaint_categories(locale: str) -> list[tuple[str, str]]:
    """Each complaint category as (code, name in `locale`), in the order they are offered."""
    from crm.models import ComplaintCategory
    from crm.vocabulary.names import name

    return [(str(c), name(str(c), locale)) for c in ComplaintCategory]


def complaint_category(word: str, locale: str, field: str = "category") -> str:
    """The category code a person typed: its code, its name (等待维修时间过长) or a usual
    word for it (等待时间, 态度); anything else is refused listing the categories."""
    from crm.vocabulary.names import CATEGORY_WORDS, code_of

    categories = complaint_categories(locale)
    found = code_of(word or "", [code for code, _name in categories], CATEGORY_WORDS)
    if found is None:
        listed = ", ".join(
            f"{shown} ({code})" if shown != code else code for code, shown in categories
        )
        raise UsageError(f"unknown complaint category {word!r}; use one of {listed}", field=field)
    return found
