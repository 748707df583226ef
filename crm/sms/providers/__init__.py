"""SMS providers: one folder each (its sender, its error mapping, what it pushes to us),
one contract (`base.Sender`).

A provider is imported only when it is the configured one (or its push arrives), so only
the Twilio folder imports twilio (and only Aliyun's and Tencent's import their SDKs).
Another provider is a folder beside these and one line in PROVIDERS; a template provider
adds its `rules`, a pushing one its `pushes`.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from crm.config import SmsSettings
from crm.errors import NotFound, UsageError
from crm.sms.providers.base import Sender, TemplateRules


def _console(settings: SmsSettings) -> Sender:
    from crm.sms.providers.console import ConsoleSender

    return ConsoleSender()


def _twilio(settings: SmsSettings) -> Sender:
    from crm.sms.providers.twilio import TwilioSender

    return TwilioSender(settings)


def _aliyun(settings: SmsSettings) -> Sender:
    from crm.sms.providers.aliyun import AliyunSender

    return AliyunSender(settings)


def _tencent(settings: SmsSettings) -> Sender:
    from crm.sms.providers.tencent import TencentSender

    return TencentSender(settings)


PROVIDERS: dict[str, Callable[[SmsSettings], Sender]] = {
    "console": _console,
    "twilio": _twilio,
    "aliyun": _aliyun,
    "tencent": _tencent,
}


def template_rules(settings: SmsSettings) -> TemplateRules | None:
    """What the configured provider requires of approved templates; None for free text."""
    if settings.backend == "aliyun":
        from crm.sms.providers.aliyun.rules import rules
    elif settings.backend == "tencent":
        from crm.sms.providers.tencent.rules import rules
    else:
        return None
    return rules(settings)


PUSHING = ("aliyun", "tencent")  # providers that push reports and replies to a secret path


def pushes(provider: str) -> ModuleType:
    """The module reading `provider`'s pushes: `reports`, `replies`, its `ANSWER` and the
    `TOKEN_VARIABLE` naming its secret path's token."""
    if provider == "aliyun":
        from crm.sms.providers.aliyun import pushes as module
    elif provider == "tencent":
        from crm.sms.providers.tencent import pushes as module
    else:
        raise NotFound(f"{provider!r} pushes nothing to this product", field="provider")
    return module


def make_sender(settings: SmsSettings) -> Sender:
    """The configured provider's sender; one that lacks its credentials stops here, naming them."""
    make = PROVIDERS.get(settings.backend)
    if make is None:
        raise UsageError(
            f"sms.backend {settings.backend!r} is not a provider this product knows; "
            f"use one of {', '.join(PROVIDERS)}"
        )
    return make(settings)
