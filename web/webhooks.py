"""The SMS providers' webhooks: no login and no CSRF token, since a provider, not a person,
posts them; each is authenticated instead by Twilio's signature or by a secret token in
its path. The views only read the request, call the action and answer as the provider
expects; a refused post writes nothing and is logged."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import FormData

from crm.actions.webhooks import (
    TWILIO_INBOUND_PATH,
    TWILIO_STATUS_PATH,
    provider_push,
    twilio_inbound,
    twilio_status,
)
from crm.errors import CrmError, Forbidden, NotFound

log = logging.getLogger("crm.web")
router = APIRouter()
MAX_PUSH_BYTES = 1_000_000


async def _form(request: Request) -> FormData:
    return await request.form()


async def _body(request: Request) -> bytes:
    # Read before the path's token is checked, so bounded: a push is a few kilobytes.
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_PUSH_BYTES:
            raise HTTPException(413)
    return body


Form = Annotated[FormData, Depends(_form)]
Body = Annotated[bytes, Depends(_body)]


@router.post(TWILIO_STATUS_PATH)
def twilio_status_callback(request: Request, form: Form):
    try:
        done = twilio_status(request.app.state.crm, *_signed_as(request), form, _signature(request))
    except CrmError as exc:
        return _refused(request, exc)
    if done["outcome"] == "unknown":
        log.warning("a Twilio status callback for %s, which is no message of ours", done["sid"])
    return Response(status_code=200)


@router.post(TWILIO_INBOUND_PATH)
def twilio_reply(request: Request, form: Form):
    try:
        done = twilio_inbound(
            request.app.state.crm, *_signed_as(request), form, _signature(request)
        )
    except CrmError as exc:
        return _refused(request, exc)
    return Response(done["answer"], media_type="text/xml")


@router.post("/webhooks/{provider}/{kind}/{token}")
def provider_pushed(request: Request, provider: str, kind: str, token: str, body: Body):
    try:
        done = provider_push(request.app.state.crm, provider, kind, token, body)
    except CrmError as exc:
        return _refused(request, exc)
    if done["counts"].get("unknown"):
        log.warning("%s %s push: %s", provider, kind, done["counts"])
    return JSONResponse(done["answer"])


def _signed_as(request: Request) -> tuple[str, str]:
    """The path (and query) Twilio signed, and this server's own base URL."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else ""), str(request.base_url)


def _signature(request: Request) -> str | None:
    return request.headers.get("x-twilio-signature")


def _refused(request: Request, exc: CrmError) -> Response:
    # The token is in the path: log the receiver, never the path itself.
    where = "/".join(request.url.path.split("/")[:4])
    log.warning("refused a webhook post to %s: %s", where, exc)
    status = 403 if isinstance(exc, Forbidden) else 404 if isinstance(exc, NotFound) else 400
    return Response(str(exc) if status == 400 else "", status_code=status)
