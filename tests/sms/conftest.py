"""SMS tests: settings that send fast, and local servers speaking Twilio's, Aliyun's and
Tencent's APIs as their official clients call them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crm.config import Settings, SmsSettings
from crm.sms.providers.console import ConsoleSender
from crm.sms.providers.twilio import TwilioSender
from tests.fake_aliyun import ACCESS_KEY_ID, ACCESS_KEY_SECRET, FakeAliyun
from tests.fake_tencent import SDK_APP_ID, SECRET_ID, SECRET_KEY, FakeTencent
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


# The approved-template registry the China providers' tests share: a notice and a
# marketing template, each as Aliyun (${name}) and as Tencent ({1}) write it.
NOTICE = "{customer}您好，您的爱车已到首保时间，请于{due_date}前后回店免费首保。"
GREETING = "{customer}，今天是您的生日，祝您生日快乐！拒收请回复R"
ALIYUN_APPROVED = {
    "first_service_sms": {
        "code": "SMS_100",
        "category": "notice",
        "text": NOTICE.replace("{", "${"),
    },
    "birthday_sms": {
        "code": "SMS_200",
        "category": "marketing",
        "text": GREETING.replace("{", "${"),
    },
}
TENCENT_APPROVED = {
    "first_service_sms": {
        "code": "100001",
        "category": "notice",
        "text": NOTICE.format(customer="{1}", due_date="{2}"),
        "slots": {"1": "customer", "2": "due_date"},
    },
    "birthday_sms": {
        "code": "100002",
        "category": "marketing",
        "text": GREETING.format(customer="{1}"),
        "slots": {"1": "customer"},
    },
}


def notice(customer: str = "王先生", due_date: str = "2026-03-20") -> str:
    """The text a first-service reminder has, as the store's template renders it."""
    return NOTICE.format(customer=customer, due_date=due_date)


def greeting(customer: str = "王先生") -> str:
    return GREETING.format(customer=customer)


def aliyun_settings(**sms) -> Settings:
    return sms_settings(
        backend="aliyun",
        aliyun={"sign_name": "示例汽车"},
        approved=ALIYUN_APPROVED,
        opt_out_line="拒收请回复R",
        **sms,
    )


def tencent_settings(**sms) -> Settings:
    tencent = {"sign_name": "示例汽车", "sdk_app_id": SDK_APP_ID} | sms.pop("tencent", {})
    return sms_settings(
        backend="tencent",
        tencent=tencent,
        approved=TENCENT_APPROVED,
        opt_out_line="拒收请回复R",
        **sms,
    )


@pytest.fixture
def fake_aliyun():
    fake = FakeAliyun().start()
    fake.templates = {entry["code"]: entry["text"] for entry in ALIYUN_APPROVED.values()}
    yield fake
    fake.stop()


@pytest.fixture
def aliyun_env(fake_aliyun) -> dict:
    return {
        "ALIBABA_CLOUD_ACCESS_KEY_ID": ACCESS_KEY_ID,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": ACCESS_KEY_SECRET,
        "ALIYUN_SMS_ENDPOINT": fake_aliyun.url,
    }


@pytest.fixture
def aliyun(aliyun_env):
    from crm.sms.providers.aliyun import AliyunSender

    return AliyunSender(aliyun_settings().sms, aliyun_env)


@pytest.fixture
def fake_tencent():
    fake = FakeTencent().start()
    fake.timeout_sleep = 2.0  # past the SDK's one timeout (connect + read)
    yield fake
    fake.stop()


@pytest.fixture
def tencent_env(fake_tencent) -> dict:
    return {
        "TENCENTCLOUD_SECRET_ID": SECRET_ID,
        "TENCENTCLOUD_SECRET_KEY": SECRET_KEY,
        "TENCENT_SMS_ENDPOINT": fake_tencent.url,
    }


@pytest.fixture
def tencent(tencent_env):
    from crm.sms.providers.tencent import TencentSender

    return TencentSender(tencent_settings().sms, tencent_env)
