"""SMS tests: settings that send fast, and a local server speaking Twilio's Messages API."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crm.config import Settings, SmsSettings
from crm.sms.providers.console import ConsoleSender
from crm.sms.providers.twilio import TwilioSender
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, FakeTwilio


def sms_settings(**sms) -> Settings:
    """Defaults, except pacing and back-off short enough for a test."""
    values = {
        "rate_per_second": 1000.0,
        "retry_backoff_seconds": 0.01,
        "read_timeout_seconds": 0.5,
        "connect_timeout_seconds": 0.5,
        "reconcile_after_seconds": 1,
    } | sms
    return Settings(sms=SmsSettings(**values))


def midday_zone() -> str:
    """A fixed-offset zone where it is now between 12:00 and 13:00, inside any send window."""
    offset = 12 - datetime.now(UTC).hour
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


@pytest.fixture
def settings() -> Settings:
    return sms_settings()


@pytest.fixture
def fake_twilio():
    fake = FakeTwilio().start()
    fake.timeout_sleep = 1.0
    yield fake
    fake.stop()


@pytest.fixture
def twilio_env(fake_twilio) -> dict:
    return {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM": FROM_NUMBER,
        "TWILIO_API_URL": fake_twilio.url,
    }


@pytest.fixture
def twilio(settings, twilio_env) -> TwilioSender:
    return TwilioSender(settings.sms, twilio_env)


@pytest.fixture
def console(tmp_path):
    with (tmp_path / "console.txt").open("w", encoding="utf-8") as stream:
        yield ConsoleSender(stream)
