"""Tencent's answers as verdicts: which codes fail one message, which wait, which stop the run.

SendSms answers each number with its own Code ("Ok" when accepted); a request-wide
error comes back as Response.Error, which the SDK raises as TencentCloudSDKException,
as it does a network failure (ClientNetworkError). A code we do not know stops the run.
"""

from __future__ import annotations

from crm.sms.providers.base import Answer, ProviderError, Verdict

INVALID_NUMBER = {
    "InvalidParameterValue.IncorrectPhoneNumber",
    "FailedOperation.PhoneNumberParseFail",
    "UnsupportedOperation.UnsupportedRegion",
}
OPTED_OUT = "FailedOperation.PhoneNumberInBlacklist"  # the customer said 拒收 at the carrier
# The number's allowance at Tencent: the message waits, it has not failed.
WAIT = {
    "LimitExceeded.PhoneNumberDailyLimit": "tomorrow",
    "LimitExceeded.PhoneNumberSameContentDailyLimit": "tomorrow",
    "LimitExceeded.PhoneNumberOneHourLimit": "later",
    "LimitExceeded.PhoneNumberThirtySecondLimit": "later",
    "LimitExceeded.DeliveryFrequencyLimit": "later",
    # Marketing may not go out at night; the send window should prevent it.
    "FailedOperation.MarketingSendTimeConstraint": "later",
}
# Tencent's own codes without a dot; any other such "code" is the SDK naming an exception.
TOP_LEVEL = {
    "AuthFailure",
    "FailedOperation",
    "InternalError",
    "InvalidAction",
    "InvalidParameter",
    "InvalidParameterValue",
    "LimitExceeded",
    "MissingParameter",
    "RequestLimitExceeded",
    "UnauthorizedOperation",
    "UnsupportedOperation",
}
BUSY = {"RequestLimitExceeded", "LimitExceeded.GlobalSmsSendingRateLimit"}
TEMPLATE = "check sms.approved's TemplateId and text against Tencent's console, run crm sms lint"
SIGNATURE = "the signature is not approved; check sms.tencent.sign_name"
SLOTS = "a slot value is refused; run crm sms lint (sms.tencent.slot_max_characters)"
CREDENTIALS = "check TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY"
FIX = {
    "FailedOperation.TemplateIncorrectOrUnapproved": TEMPLATE,
    "FailedOperation.TemplateParamSetNotMatchApprovedTemplate": TEMPLATE,
    "FailedOperation.TemplateUnapprovedOrNotExist": TEMPLATE,
    "FailedOperation.TemplateIdNotExist": TEMPLATE,
    "InvalidParameterValue.MarketingTemplateWithoutUnsubscribe": TEMPLATE,
    "FailedOperation.SignatureIncorrectOrUnapproved": SIGNATURE,
    "FailedOperation.MissingSignature": SIGNATURE,
    "FailedOperation.SignIdNotExist": SIGNATURE,
    "InvalidParameterValue.TemplateParameterFormatError": SLOTS,
    "InvalidParameterValue.TemplateParameterLengthLimit": SLOTS,
    "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter": SLOTS,
    "FailedOperation.InsufficientBalanceInSmsPackage": "the SMS package is used up; top it up",
    "UnauthorizedOperation.ServiceSuspendDueToArrears": "the account is in arrears; pay it",
    "InvalidParameterValue.SdkAppIdNotExist": "check sms.tencent.sdk_app_id",
    "UnauthorizedOperation.SmsSdkAppIdVerifyFail": "check sms.tencent.sdk_app_id",
    "UnauthorizedOperation.SdkAppIdIsDisabled": "the SMS application is disabled",
    "UnauthorizedOperation.IndividualUserMarketingSmsPermissionDeny": "a personal account "
    "may not send marketing SMS; verify the account as a business",
    "AuthFailure.SecretIdNotFound": CREDENTIALS,
    "AuthFailure.SignatureFailure": CREDENTIALS,
    "AuthFailure.SignatureExpire": "the machine's clock is off; Tencent refuses the signature",
    "AuthFailure.UnauthorizedOperation": CREDENTIALS,
    "InvalidAction": "check TENCENT_SMS_ENDPOINT",
}


def translate(code: str, message: str = "") -> Answer:
    """One of Tencent's codes as a verdict: fail this message, wait, maybe sent, or stop."""
    text = f"Tencent {code}: {message}".rstrip(": ")
    if code in INVALID_NUMBER:
        return Answer(Verdict.FAILED, text, code, "invalid")
    if code == OPTED_OUT:
        return Answer(Verdict.FAILED, text, code, "opted_out")
    if code in WAIT:
        return Answer(Verdict.RETRY_LATER, text, code, wait=WAIT[code])
    if code in BUSY:
        return Answer(Verdict.RETRY_LATER, text, code)
    if code.startswith("InternalError"):
        # Tencent's own trouble after the request arrived: it may have been accepted.
        return Answer(Verdict.MAYBE_SENT, text, code)
    fix = FIX.get(code, "see the code in Tencent Cloud SMS's error codes")
    return Answer(Verdict.STOP_RUN, f"{text}; {fix}", code)


def unanswered(exc, endpoint: str) -> Answer:
    """A TencentCloudSDKException: a code from the server, a refused connection, or maybe sent."""
    code, message = exc.get_code() or "", exc.get_message() or ""
    if code == "ClientNetworkError":
        if any(
            sign in message
            for sign in ("NewConnectionError", "Connection refused", "ConnectTimeout")
        ):
            return Answer(Verdict.RETRY_LATER, f"cannot reach Tencent at {endpoint}: {message}")
        return Answer(Verdict.MAYBE_SENT, f"no answer from Tencent: {message}")
    if "." not in code and code not in TOP_LEVEL:
        # No code of Tencent's (ServerNetworkError, or the SDK's JSONDecodeError): the
        # request left and what came back is unreadable, so only the log can tell.
        return Answer(Verdict.MAYBE_SENT, f"unreadable answer from Tencent: {code} {message}")
    return translate(code, message)


def reading_error(exc, endpoint: str) -> ProviderError:
    """A failed read (a status, the replies) as one sentence; bad credentials stop the run."""
    answer = unanswered(exc, endpoint)
    if answer.verdict == Verdict.MAYBE_SENT:
        answer = Answer(Verdict.RETRY_LATER, answer.text, answer.code)
    return ProviderError(answer)


def number_problem(code: str | None) -> str | None:
    """What a code says about the number, wherever it is reported."""
    if code in INVALID_NUMBER:
        return "invalid"
    return "opted_out" if code == OPTED_OUT else None
