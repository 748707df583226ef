"""Rendering one SMS: the kind's Jinja2 template, signed and, for marketing, with its opt-out line.

Render, then send: the text is fixed when a message is queued, so the outbox shows
exactly what the customer will read. A store may override a kind's template from a
folder of its own (`sms.templates_dir`); those files are the store's, not the
product's, so they render in Jinja2's sandbox.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateError,
    UndefinedError,
)
from jinja2.sandbox import SandboxedEnvironment

from crm.errors import SmsTemplateError
from crm.models import SmsCategory
from crm.sms.templates import FOLDER

TEMPLATES = FOLDER  # the product's templates, one folder per locale


class TemplateProblem(SmsTemplateError):
    """A template that cannot render what its sender gives it (most likely a store's own)."""


class MissingVariable(TemplateProblem, UndefinedError):
    """A CrmError for the CLI, still an UndefinedError for callers that catch Jinja's."""


@lru_cache(maxsize=4)
def environment(locale: str) -> Environment:
    # StrictUndefined: a missing variable is an error, never a blank on a customer's phone.
    return Environment(
        loader=FileSystemLoader(TEMPLATES / locale),
        undefined=StrictUndefined,
        keep_trailing_newline=False,
        autoescape=False,
    )


# An SMS is at most a few hundred characters; a store's template that renders more (or
# multiplies a string into millions) is broken, and must not fill memory or a phone.
MAX_TEXT = 2000
MAX_TEMPLATE_BYTES = 64 * 1024


class StoreLoader(FileSystemLoader):
    """A store's template folder: no file reached through a link out of it, none huge."""

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        folder = Path(self.searchpath[0]).resolve()
        real = Path(filename).resolve()
        if not real.is_relative_to(folder):
            raise TemplateProblem(f"SMS template {filename} links outside its folder {folder}")
        if len(source) > MAX_TEMPLATE_BYTES:
            raise TemplateProblem(f"SMS template {filename} is over {MAX_TEMPLATE_BYTES:,} bytes")
        return source, filename, uptodate


class StoreSandbox(SandboxedEnvironment):
    """Jinja2's sandbox, with `*` and `**` unable to build a huge string, list or number."""

    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context, operator, left, right):
        if operator == "*":
            for sized, times in ((left, right), (right, left)):
                sequence = isinstance(sized, str | list | tuple) and isinstance(times, int)
                if sequence and len(sized) * times > MAX_TEXT:
                    raise TemplateProblem(f"a template builds text over {MAX_TEXT} characters")
        if operator == "**" and isinstance(right, int | float) and abs(right) > 64:
            raise TemplateProblem("a template raises a number to a power over 64")
        return super().call_binop(context, operator, left, right)


@lru_cache(maxsize=4)
def store_environment(folder: str) -> SandboxedEnvironment:
    return StoreSandbox(
        loader=StoreLoader(folder),
        undefined=StrictUndefined,
        keep_trailing_newline=False,
        autoescape=False,
    )


def template(kind: str, locale: str, overrides: str | None = None) -> Template:
    """The store's own template for `kind` when its folder has one, else the product's."""
    if overrides and (Path(overrides) / f"{kind}.txt").is_file():
        return store_environment(str(Path(overrides).resolve())).get_template(f"{kind}.txt")
    return environment(locale).get_template(f"{kind}.txt")


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
    kind: str,
    category: str,
    locale: str,
    store_name: str,
    opt_out_line: str,
    context: dict,
    overrides: str | None = None,
    bracket: bool = True,
) -> str:
    """The full text of one message of `kind`; a template that cannot render is one sentence."""
    chosen = None
    try:
        chosen = template(kind, locale, overrides)
        body = chosen.render(store=store_name, **context)
    except TemplateProblem:
        raise
    except TemplateError as exc:
        name = chosen.filename if chosen else getattr(exc, "filename", None) or f"{kind}.txt"
        given = ", ".join(["store", *context])
        problem = MissingVariable if isinstance(exc, UndefinedError) else TemplateProblem
        raise problem(
            f"SMS template {name} cannot be rendered: {exc.message or exc} "
            f"(for {kind} it is given {given})"
        ) from None
    except (ArithmeticError, TypeError, ValueError, LookupError, RecursionError) as exc:
        # A store's template is code we did not write: 1/0, "a" + 1, bad bytes, deep nesting.
        name = chosen.filename if chosen else f"{kind}.txt"
        raise TemplateProblem(
            f"SMS template {name} cannot be rendered: {type(exc).__name__}: {exc}"[:300]
        ) from None
    if len(body) > MAX_TEXT:
        name = chosen.filename if chosen else f"{kind}.txt"
        raise TemplateProblem(
            f"SMS template {name} renders {len(body):,} characters (at most {MAX_TEXT})"
        )
    return sign(body, category, store_name, opt_out_line, bracket)


def sign(body: str, category: str, store_name: str, opt_out_line: str, bracket=True) -> str:
    """【store】 first (not for template providers: their SignName signs it); marketing
    messages end with the opt-out line."""
    text = f"【{store_name}】{body.strip()}" if bracket else body.strip()
    if category == SmsCategory.MARKETING:
        text += opt_out_line
    return text
