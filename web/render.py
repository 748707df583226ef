"""Pages rendered on the server: one Jinja2 environment, the store's words, page or fragment."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from crm.actions.desk import display_name
from web import csrf
from web.text import key_help, outcome_words, said, status_word, words

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def named(code, locale: str) -> str:
    """A stored code in the store's words."""
    if code is None:
        return ""
    return status_word(str(code), locale) or display_name(str(code), locale)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def page(
    request: Request, template: str, status_code: int = 200, headers=None, **context
) -> HTMLResponse:
    """`template` with the store's words, the viewer and the CSRF token."""
    locale = request.app.state.crm.settings.store.locale
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "t": words(locale),
            "lang": "zh-CN" if locale == "zh_CN" else "en",
            "outcomes": outcome_words(locale),
            "key_help": key_help(locale),
            "csrf_token": csrf.token(request),
            "viewer": getattr(request.state, "viewer", None),
            "named": lambda code: named(code, locale),
            "said": lambda sentence: said(sentence, locale),
            **context,
        },
        status_code=status_code,
        headers=headers,
    )
