"""SMS providers: one module each, one contract (`base.Sender`)."""

from __future__ import annotations

from crm.config import SmsSettings
from crm.sms.backends.base import Sender


def make_sender(settings: SmsSettings) -> Sender:
    """The configured sender; twilio without credentials stops here with what is missing."""
    if settings.backend == "twilio":
        from crm.sms.backends.twilio import TwilioSender

        return TwilioSender(settings)
    from crm.sms.backends.console import ConsoleSender

    return ConsoleSender()
