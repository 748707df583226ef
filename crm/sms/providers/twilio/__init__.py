"""The Twilio provider: its sender (sender.py) and what its answers mean (errors.py)."""

from crm.sms.providers.twilio.sender import TwilioSender, credentials

__all__ = ["TwilioSender", "credentials"]
