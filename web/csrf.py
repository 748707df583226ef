"""Cross-site request forgery: refused by where the request comes from, and by a form token.

Browsers send `Sec-Fetch-Site` with every request; a POST from another site says
`cross-site` (or `same-site` for a sibling subdomain) and is refused outright. Older
browsers send no such header but do send `Origin` on a POST, which must be this
console's own. Behind both, every form carries the session's token (htmx sends it as
the `X-CSRF-Token` header), so a request that slips past the headers still fails.
"""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends
from starlette.datastructures import FormData
from starlette.requests import Request

TOKEN = "csrf_token"
HEADER = "X-CSRF-Token"


class Forged(Exception):
    """A change that did not come from this console's own pages."""


def token(request: Request) -> str:
    """The session's token, made on first use."""
    if TOKEN not in request.session:
        request.session[TOKEN] = secrets.token_urlsafe(32)
    return request.session[TOKEN]


def check(request: Request, form, public_url: str) -> None:
    """Raise Forged unless this POST comes from our own page with our own token."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        raise Forged(f"sec-fetch-site {site}")
    origin = request.headers.get("origin")
    if origin is not None and origin != "null" and origin not in _own_origins(request, public_url):
        raise Forged("foreign origin")
    if origin == "null":
        raise Forged("opaque origin")
    expected = request.session.get(TOKEN)
    given = request.headers.get(HEADER) or form.get(TOKEN)
    if not expected or not isinstance(given, str) or not secrets.compare_digest(given, expected):
        raise Forged("missing or wrong token")


def _own_origins(request: Request, public_url: str) -> set[str]:
    own = {f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"}
    if public_url:
        parts = urlsplit(public_url)
        own.add(f"{parts.scheme}://{parts.netloc}")
    return own


async def posted(request: Request):
    """The form of a POST from this console's own page; anything else is refused (403).

    NUL characters are dropped from its text: no one types one, and PostgreSQL refuses
    text holding one (a 500 where a note was saved).
    """
    form = await request.form()
    check(request, form, request.app.state.crm.settings.web.public_url)
    if any(isinstance(value, str) and "\x00" in value for _key, value in form.multi_items()):
        form = FormData(
            [
                (key, value.replace("\x00", "") if isinstance(value, str) else value)
                for key, value in form.multi_items()
            ]
        )
    return form


# A view's form, checked: `def view(request: Request, form: Posted)`.
Posted = Annotated[FormData, Depends(posted)]
