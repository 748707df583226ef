"""Rendering one SMS: the kind's Jinja2 template, signed and, for marketing, with its opt-out line.

Render, then send: the text is fixed when a message is queued, so the outbox shows
exactly what the customer will read.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from crm.models import SmsCategory

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "sms"


@lru_cache(maxsize=4)
def environment(locale: str) -> Environment:
    # StrictUndefined: a missing variable is an error, never a blank on a customer's phone.
    return Environment(
        loader=FileSystemLoader(TEMPLATES / locale),
        undefined=StrictUndefined,
        keep_trailing_newline=False,
        autoescape=False,
    )


def salutation(name: str, gender: str | None, locale: str) -> str:
    """王先生 / 李女士 from the surname and gender; the full name when gender is unknown."""
    if locale != "zh_CN":
        return name
    if gender == "male":
        return f"{name[0]}先生"
    if gender == "female":
        return f"{name[0]}女士"
    return name


def render(
    kind: str, category: str, locale: str, store_name: str, opt_out_line: str, context: dict
) -> str:
    """The full text of one message of `kind`."""
    body = environment(locale).get_template(f"{kind}.txt").render(store=store_name, **context)
    text = f"【{store_name}】{body.strip()}"
    if category == SmsCategory.MARKETING:
        text += opt_out_line
    return text
