"""Pages rendered on the server: one Jinja2 environment, the store's words, page or fragment."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from crm.actions.desk import display_name
from web import csrf
from web.text import key_help, outcome_words, said, words

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
STATUS = {
    "zh_CN": {
        "open": "待处理",
        "done": "已完成",
        "unreachable": "未联系上",
        "cancelled": "已取消",
        "queued": "待发送",
        "sending": "发送中",
        "sent": "已发送",
        "delivered": "已送达",
        "failed": "失败",
        "undelivered": "未送达",
        "resolved": "已解决",
        "closed": "已关闭",
        "reached": "接通",
        "no_answer": "无人接听",
        "busy": "占线",
        "wrong_number": "号码错误",
        "declined": "拒绝回访",
        "callback_later": "约定回拨",
        "in_progress": "处理中",
    },
}


def named(code, locale: str) -> str:
    """A stored code in the store's words."""
    if code is None:
        return ""
    return STATUS.get(locale, {}).get(code) or display_name(str(code), locale)


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
