"""Aliyun's answers as verdicts: which codes fail one message, which wait, which stop the run.

Aliyun answers a refused SendSms with HTTP 200 and a `Code` other than OK; the SDK
raises for HTTP errors (bad AccessKey, throttling) and wraps a network failure. A code
we do not know stops the run and keeps every message queued, as with Twilio.
"""

from __future__ import annotations

from crm.sms.providers.base import Answer, ProviderError, Verdict

INVALID_NUMBER = {"isv.MOBILE_NUMBER_ILLEGAL"}
# The number's allowance at Aliyun (per minute/hour, per day): the message waits, it has
# not failed. DAY_LIMIT_CONTROL waits for tomorrow.
WAIT = {"isv.BUSINESS_LIMIT_CONTROL": "later", "isv.DAY_LIMIT_CONTROL": "tomorrow"}
BUSY = {"Throttling", "Throttling.User", "Throttling.Api", "isv.OUT_OF_SERVICE_BUSY"}
# Every message would be refused alike: stop, keep them queued, say what to fix.
FIX = {
    "isv.SMS_TEMPLATE_ILLEGAL": "the template code is not an approved template of this "
    "account; check sms.approved's codes against Aliyun's console",
    "isv.SMS_SIGNATURE_ILLEGAL": "the signature is not approved; check sms.aliyun.sign_name",
    "isv.SMS_SIGN_ILLEGAL": "the signature is not approved; check sms.aliyun.sign_name",
    "isv.TEMPLATE_MISSING_PARAMETERS": "a slot of the approved template gets no value; "
    "check sms.approved's slots and run crm sms lint",
    "isv.TEMPLATE_PARAMS_ILLEGAL": "a slot value is refused; run crm sms lint",
    "isv.PARAM_LENGTH_LIMIT": "a slot value is longer than Aliyun allows; lower what the "
    "template puts in it and run crm sms lint (sms.aliyun.slot_max_characters)",
    "isv.AMOUNT_NOT_ENOUGH": "the Aliyun account's balance is used up; top it up",
    "isv.ACCOUNT_NOT_EXISTS": "check ALIBABA_CLOUD_ACCESS_KEY_ID",
    "isv.ACCOUNT_ABNORMAL": "the Aliyun account is suspended",
    "isv.BLACK_KEY_CONTROL_LIMIT": "the text holds a word Aliyun forbids; change the template",
    "isv.INVALID_PARAMETERS": "Aliyun refuses the request's parameters; run crm sms lint",
    "InvalidAccessKeyId.NotFound": "check ALIBABA_CLOUD_ACCESS_KEY_ID",
    "InvalidAccessKeyId.Inactive": "the AccessKey is disabled; check ALIBABA_CLOUD_ACCESS_KEY_ID",
    "SignatureDoesNotMatch": "check ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    "IncompleteSignature": "check ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    "Forbidden.RAM": "the AccessKey may not send SMS; grant it AliyunDysmsFullAccess",
    "isp.RAM_PERMISSION_DENY": "the AccessKey may not send SMS; grant it AliyunDysmsFullAccess",
    "InvalidAction.NotFound": "check ALIYUN_SMS_ENDPOINT",
}
# Aliyun's own trouble after the request arrived: it may have been accepted.
MAYBE = {"isp.SYSTEM_ERROR", "InternalError", "ServiceUnavailable"}


def translate(code: str, message: str = "") -> Answer:
    """One of Aliyun's codes as a verdict: fail this message, wait, maybe sent, or stop."""
    text = f"Aliyun {code}: {message}".rstrip(": ")
    if code in INVALID_NUMBER:
        return Answer(Verdict.FAILED, text, code, "invalid")
    if code in WAIT:
        return Answer(Verdict.RETRY_LATER, text, code, wait=WAIT[code])
    if code in BUSY:
        return Answer(Verdict.RETRY_LATER, text, code)
    if code in MAYBE:
        return Answer(Verdict.MAYBE_SENT, text, code)
    fix = FIX.get(code, "see the code in Aliyun's SMS error codes")
    return Answer(Verdict.STOP_RUN, f"{text}; {fix}", code)


def unanswered(exc: Exception, endpoint: str) -> Answer:
    """A call that raised: an HTTP error with a code, a refused connection, or maybe sent."""
    code = getattr(exc, "code", None)
    if code and code != "None" and getattr(exc, "status_code", None):
        answer = translate(code, getattr(exc, "message", "") or "")
        if exc.status_code >= 500 and answer.verdict == Verdict.STOP_RUN:
            return Answer(Verdict.MAYBE_SENT, answer.text, code)
        return answer
    cause = str(getattr(exc, "inner_exception", None) or exc)
    if never_left(cause):
        return Answer(Verdict.RETRY_LATER, f"cannot reach Aliyun at {endpoint}: {cause}")
    # It left, and no answer (or an unreadable one) came back: only the log can tell.
    return Answer(Verdict.MAYBE_SENT, f"no readable answer from Aliyun: {cause}")


def never_left(cause: str) -> bool:
    """True when the connection failed before any of the request was written."""
    return any(
        sign in cause
        for sign in ("NewConnectionError", "Connection refused", "ConnectTimeout", "NameResolution")
    )


def reading_error(exc: Exception, endpoint: str) -> ProviderError:
    """A failed read (a status, the log) as one sentence; bad credentials stop the run."""
    answer = unanswered(exc, endpoint)
    if answer.verdict == Verdict.MAYBE_SENT:
        answer = Answer(Verdict.RETRY_LATER, answer.text, answer.code)
    return ProviderError(answer)
