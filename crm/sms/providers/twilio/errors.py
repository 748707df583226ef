"""Twilio's answers as verdicts: which codes fail one message, which wait, which stop the run.

A code we do not know is most likely the account's or the request's, not this
recipient's: the run stops and every message stays queued rather than failing one by one.
"""

from __future__ import annotations

import requests
from twilio.base.exceptions import TwilioRestException, TwilioServiceException

from crm.sms.providers.base import Answer, ProviderError, Verdict

# Codes that say the number itself is wrong: never send to it again.
INVALID_NUMBER = {"21211": "invalid number", "21614": "not a mobile number", "30006": "landline"}
UNSUBSCRIBED = "21610"  # the customer replied STOP to this sender
# This recipient or this text is refused; retrying cannot help, other messages go on.
REFUSED = {*INVALID_NUMBER, UNSUBSCRIBED}
REFUSED |= {"21265", "21266", "21408", "21602", "21604", "21612", "21617", "21619", "21635"}
REFUSED |= {"30003", "30004", "30005", "30007"}
CHECK_CREDENTIALS = "check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"
CHECK_FROM = "check TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID"
# Every message would fail alike (the account, the sender number, the address): stop the
# run and keep the messages queued, without counting an attempt.
ACCOUNT = {"20003": CHECK_CREDENTIALS, "20005": "the Twilio account is not active"}
ACCOUNT |= {"20404": "check TWILIO_API_URL and TWILIO_ACCOUNT_SID"}
ACCOUNT |= dict.fromkeys(("21212", "21603", "21606", "21659", "21660"), CHECK_FROM)
ACCOUNT |= dict.fromkeys(("21701", "21703", "21704", "21705"), CHECK_FROM)
# Busy for now: the sender's queue is full (21611) or over its rate; try again later.
BUSY = {"20429", "21611", "30001", "14107"}
# Requests that cannot be built (a bad TWILIO_API_URL): nothing left, nothing will.
UNSENDABLE = (
    requests.exceptions.InvalidURL,
    requests.exceptions.InvalidSchema,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidHeader,
)


def number_problem(code: str | None) -> str | None:
    """What a Twilio error code says about the number, wherever it is reported."""
    if code in INVALID_NUMBER:
        return "invalid"
    return "opted_out" if code == UNSUBSCRIBED else None


def translate(exc: TwilioRestException | TwilioServiceException) -> Answer:
    """Twilio's HTTP error as a verdict: retry, give up on this message, or stop the run."""
    code = str(exc.code) if exc.code else None
    reason = getattr(exc, "msg", None) or getattr(exc, "detail", None) or getattr(exc, "title", "")
    text = f"Twilio {exc.status}" + (f" error {code}" if code else "") + f": {reason}"
    if exc.status == 429 or exc.status >= 500 or code in BUSY:
        return Answer(Verdict.RETRY_LATER, text, code)
    if exc.status in (401, 403) or code in ACCOUNT:
        return Answer(Verdict.STOP_RUN, f"{text}; {ACCOUNT.get(code, CHECK_CREDENTIALS)}", code)
    if code in REFUSED:
        return Answer(Verdict.FAILED, text, code, number_problem(code))
    return Answer(Verdict.STOP_RUN, f"{text}; see the code at twilio.com/docs/errors", code)


def unanswered(exc: Exception, api_url: str) -> Answer:
    """A send that got no usable answer: never left (retry), unbuildable (stop), or maybe sent."""
    if isinstance(exc, requests.ConnectionError) and never_left(exc):
        return Answer(Verdict.RETRY_LATER, f"cannot reach Twilio: {exc}")
    if isinstance(exc, requests.ConnectionError | requests.Timeout):
        return Answer(Verdict.MAYBE_SENT, f"no answer from Twilio: {exc}")
    if isinstance(exc, UNSENDABLE):
        # The request could not even be built: every message would fail alike.
        return Answer(Verdict.STOP_RUN, f"cannot send to TWILIO_API_URL {api_url}: {exc}")
    # It left, and what came back is unreadable: only the provider's log can tell.
    return Answer(Verdict.MAYBE_SENT, f"unreadable answer from Twilio: {exc}")


def reading_error(exc: Exception) -> ProviderError:
    """A failed read (status, replies, the log) as one sentence; bad credentials stop the run."""
    if isinstance(exc, TwilioRestException | TwilioServiceException):
        return ProviderError(translate(exc))
    response = exc.args[1] if len(exc.args) > 1 else None  # a list page: (text, response)
    status = getattr(response, "status_code", None)
    if status is not None:
        text = f"Twilio {status} while reading messages"
        if status in (401, 403):
            return ProviderError(Answer(Verdict.STOP_RUN, f"{text}; {CHECK_CREDENTIALS}"))
        return ProviderError(
            Answer(Verdict.STOP_RUN if status == 404 else Verdict.RETRY_LATER, text)
        )
    if isinstance(exc, requests.ConnectionError | requests.Timeout):
        return ProviderError(Answer(Verdict.RETRY_LATER, f"cannot reach Twilio: {exc}"))
    verdict = Verdict.STOP_RUN if isinstance(exc, UNSENDABLE) else Verdict.RETRY_LATER
    return ProviderError(Answer(verdict, f"unreadable answer from Twilio: {exc}"))


def never_left(exc: requests.ConnectionError) -> bool:
    """True when the connection failed before any of the request was written."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return type(reason).__name__ in ("NewConnectionError", "NameResolutionError")
