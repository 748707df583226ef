"""The SMS providers' webhooks, in-process: Twilio's signed status callbacks and replies
(signatures computed by the twilio library), Aliyun's and Tencent's pushes on a secret
path. No login and no CSRF token: the signature or the token is the whole check."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient
from freezegun import freeze_time
from sqlmodel import select
from twilio.request_validator import RequestValidator

from crm.app import App
from crm.config import Settings, SmsSettings, WebSettings
from crm.models import AuditEvent, Customer, SmsInbound, SmsMessage
from tests.factories import NOW, add_customer, add_message
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, FakeTwilio
from tests.web.conftest import PASSWORD, SECRET
from tests.web.test_security import token_of

PUBLIC = "https://crm.example.com"
STATUS = "/webhooks/twilio/status"
INBOUND = "/webhooks/twilio/inbound"
ALIYUN_TOKEN = "aliyun-secret-0123456789abcdef"
TENCENT_TOKEN = "tencent-secret-0123456789abcdef"


def console_of(database_url: str, base_url: str = "http://127.0.0.1:8000") -> TestClient:
    """The console behind a reverse proxy: Twilio calls PUBLIC, the proxy calls `base_url`."""
    from web.app import create_app

    settings = Settings(web=WebSettings(public_url=PUBLIC))
    return TestClient(create_app(App(settings, database_url)), base_url=base_url)


@pytest.fixture
def client(database_url, monkeypatch):
    monkeypatch.setenv("CRM_SECRET_KEY", SECRET)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    monkeypatch.setenv("ALIYUN_SMS_PUSH_TOKEN", ALIYUN_TOKEN)
    monkeypatch.setenv("TENCENT_SMS_PUSH_TOKEN", TENCENT_TOKEN)
    with console_of(database_url) as client:
        yield client


def signature(url: str, form: dict, token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, form)


def post_signed(client, path: str, form: dict, signed_form: dict | None = None):
    """Post `form` as Twilio would, signed over the public URL (and `signed_form`, to tamper)."""
    sig = signature(PUBLIC + path, form if signed_form is None else signed_form)
    return client.post(path, data=form, headers={"X-Twilio-Signature": sig})


def callback(sid: str, status: str, **more) -> dict:
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "MessageStatus": status,
        "SmsStatus": status,
        "AccountSid": ACCOUNT_SID,
        "From": FROM_NUMBER,
        "To": "+8613800000001",
        "ApiVersion": "2010-04-01",
        **more,
    }


def sent_message(session, sid: str = "SM" + "a" * 32, **fields) -> SmsMessage:
    customer = fields.pop("customer", None) or add_customer(session)
    return add_message(
        session, customer, status="sent", provider_sid=sid, sent_at=NOW, segments=1, **fields
    )


def reread(session, row):
    session.expire_all()
    return session.get(type(row), row.id)


# -- Twilio's status callback ----------------------------------------------------------


def test_a_signed_delivered_callback_marks_the_message_delivered(client, session):
    message = sent_message(session)

    answer = post_signed(client, STATUS, callback(message.provider_sid, "delivered"))

    assert answer.status_code == 200
    saved = reread(session, message)
    assert saved.status == "delivered"
    assert saved.delivered_at is not None


def test_an_undelivered_callback_keeps_its_error_code_and_price(client, session):
    message = sent_message(session)

    form = callback(message.provider_sid, "undelivered", ErrorCode="30008", Price="-0.0420")
    answer = post_signed(client, STATUS, form | {"PriceUnit": "USD"})

    assert answer.status_code == 200
    saved = reread(session, message)
    assert (saved.status, saved.error_code, saved.price, saved.price_unit) == (
        "undelivered",
        "30008",
        0.042,
        "USD",
    )


def test_a_price_that_is_no_finite_number_is_refused_and_writes_nothing(client, session):
    message = sent_message(session)

    answer = post_signed(client, STATUS, callback(message.provider_sid, "delivered", Price="nan"))

    assert answer.status_code == 400
    assert reread(session, message).status == "sent"


def test_a_late_sent_never_overwrites_delivered(client, session):
    message = sent_message(session)
    delivered = callback(message.provider_sid, "delivered")
    late_sent = callback(message.provider_sid, "sent")

    assert post_signed(client, STATUS, delivered).status_code == 200
    assert post_signed(client, STATUS, late_sent).status_code == 200

    assert reread(session, message).status == "delivered"


def test_a_late_undelivered_does_not_overwrite_delivered_either(client, session):
    message = sent_message(session)

    post_signed(client, STATUS, callback(message.provider_sid, "delivered"))
    post_signed(client, STATUS, callback(message.provider_sid, "undelivered", ErrorCode="30003"))

    saved = reread(session, message)
    assert (saved.status, saved.error_code) == ("delivered", None)


def test_a_replayed_callback_changes_nothing(client, session):
    message = sent_message(session)
    form = callback(message.provider_sid, "delivered")
    headers = {"X-Twilio-Signature": signature(PUBLIC + STATUS, form)}
    client.post(STATUS, data=form, headers=headers)
    first = reread(session, message)
    stamped = (first.status, first.delivered_at, first.updated_at)

    replayed = client.post(STATUS, data=form, headers=headers)

    assert replayed.status_code == 200
    again = reread(session, message)
    assert (again.status, again.delivered_at, again.updated_at) == stamped


def test_steps_before_sent_are_answered_and_change_nothing(client, session):
    message = sent_message(session)

    for step in ("queued", "sending", "accepted"):
        assert post_signed(client, STATUS, callback(message.provider_sid, step)).status_code == 200

    assert reread(session, message).status == "sent"


def test_an_unknown_message_sid_is_answered_200_and_logged(client, session, caplog):
    message = sent_message(session)

    with caplog.at_level(logging.WARNING, logger="crm.web"):
        answer = post_signed(client, STATUS, callback("SM" + "f" * 32, "delivered"))

    assert answer.status_code == 200
    assert "SM" + "f" * 32 in caplog.text
    assert reread(session, message).status == "sent"


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="missing"),
        pytest.param({"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}, id="invalid"),
        pytest.param(
            {"X-Twilio-Signature": signature(PUBLIC + STATUS, {}, token="another-token")},
            id="another-account",
        ),
    ],
)
def test_a_callback_without_twilios_signature_is_refused_and_writes_nothing(
    client, session, headers
):
    message = sent_message(session)

    answer = client.post(STATUS, data=callback(message.provider_sid, "failed"), headers=headers)

    assert answer.status_code == 403
    assert reread(session, message).status == "sent"


def test_a_tampered_form_is_refused(client, session):
    message = sent_message(session)
    honest = callback(message.provider_sid, "delivered")

    answer = post_signed(
        client, STATUS, callback(message.provider_sid, "failed", ErrorCode="21211"), honest
    )

    assert answer.status_code == 403
    assert reread(session, message).status == "sent"
    assert session.get(Customer, message.customer_id).phone_valid is True


def test_a_signature_over_the_proxied_address_not_the_public_one_is_refused(client, session):
    message = sent_message(session)
    form = callback(message.provider_sid, "delivered")
    inner = signature("http://127.0.0.1:8000" + STATUS, form)

    answer = client.post(STATUS, data=form, headers={"X-Twilio-Signature": inner})

    assert answer.status_code == 403
    assert reread(session, message).status == "sent"


def test_without_the_auth_token_in_the_environment_every_callback_is_refused(
    client, session, monkeypatch, caplog
):
    message = sent_message(session)
    form = callback(message.provider_sid, "delivered")
    sig = signature(PUBLIC + STATUS, form)
    monkeypatch.delenv("TWILIO_AUTH_TOKEN")

    with caplog.at_level(logging.WARNING, logger="crm.web"):
        answer = client.post(STATUS, data=form, headers={"X-Twilio-Signature": sig})

    assert answer.status_code == 403
    assert "TWILIO_AUTH_TOKEN is not set" in caplog.text
    assert reread(session, message).status == "sent"


def test_an_undelivered_to_a_landline_flags_the_number_invalid(client, session):
    wang = add_customer(session, phone="+8613800000001")
    message = sent_message(session, customer=wang)
    waiting = add_message(session, wang, "birthday_sms")

    post_signed(client, STATUS, callback(message.provider_sid, "undelivered", ErrorCode="30006"))

    assert reread(session, wang).phone_valid is False
    assert reread(session, waiting).status == "cancelled"


# -- Twilio's inbound replies -----------------------------------------------------------


def reply(sid: str, from_: str, body: str) -> dict:
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": from_,
        "To": FROM_NUMBER,
        "Body": body,
        "NumMedia": "0",
    }


def test_a_td_reply_opts_the_customer_out_at_once_and_cancels_what_is_queued(client, session):
    wang = add_customer(session, phone="+8613800000002")
    queued = [add_message(session, wang), add_message(session, wang, "birthday_sms")]

    answer = post_signed(client, INBOUND, reply("SM" + "1" * 32, wang.phone, "TD"))

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/xml")
    assert "<Response />" in answer.text or "<Response/>" in answer.text
    customer = reread(session, wang)
    assert (customer.sms_consent, customer.marketing_consent) == (False, False)
    assert customer.sms_consent_source == "sms reply"
    assert customer.sms_consent_at is not None
    assert [reread(session, m).status for m in queued] == ["cancelled", "cancelled"]
    [stored] = session.exec(select(SmsInbound)).all()
    assert (stored.from_phone, stored.body, stored.opt_out, stored.customers_opted_out) == (
        wang.phone,
        "TD",
        True,
        1,
    )
    [audit] = session.exec(select(AuditEvent)).all()
    assert (audit.action, audit.actor, audit.customer_id) == ("consent", "twilio", wang.id)


def test_a_retried_reply_is_kept_once(client, session):
    wang = add_customer(session, phone="+8613800000003")
    form = reply("SM" + "2" * 32, wang.phone, "退订")

    post_signed(client, INBOUND, form)
    again = post_signed(client, INBOUND, form)

    assert again.status_code == 200
    assert len(session.exec(select(SmsInbound)).all()) == 1
    assert len(session.exec(select(AuditEvent)).all()) == 1


def test_a_question_is_kept_and_opts_nobody_out(client, session):
    wang = add_customer(session, phone="+8613800000004")
    waiting = add_message(session, wang)

    post_signed(client, INBOUND, reply("SM" + "3" * 32, wang.phone, "退订了保养套餐怎么退款"))

    assert reread(session, wang).sms_consent is True
    assert reread(session, waiting).status == "queued"
    assert session.exec(select(SmsInbound)).one().opt_out is False


def test_an_unsigned_reply_is_refused_and_opts_nobody_out(client, session):
    wang = add_customer(session, phone="+8613800000005")

    answer = client.post(INBOUND, data=reply("SM" + "4" * 32, wang.phone, "TD"))

    assert answer.status_code == 403
    assert reread(session, wang).sms_consent is True
    assert session.exec(select(SmsInbound)).all() == []


def test_a_reply_shows_on_the_customers_page(client, database_url, desk):
    post_signed(client, INBOUND, reply("SM" + "5" * 32, desk.phone, "几点可以到店保养？"))

    with console_of(database_url, base_url=PUBLIC) as browser:  # the cookie is Secure
        form = {"username": "m01", "password": PASSWORD, "csrf_token": token_of(browser)}
        browser.post("/login", data=form, headers={"Origin": PUBLIC})
        page = browser.get(f"/customers/{desk.history_customer}")

    assert page.status_code == 200
    assert "几点可以到店保养？" in page.text


# -- Twilio sends with the status callback -----------------------------------------------


@pytest.fixture
def fake_twilio():
    fake = FakeTwilio().start()
    yield fake
    fake.stop()


def send_through_twilio(database_url, session, monkeypatch, fake_twilio, public_url: str):
    from crm.actions.sms import make_sender, send_due

    for name, value in {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM": FROM_NUMBER,
        "TWILIO_API_URL": fake_twilio.url,
    }.items():
        monkeypatch.setenv(name, value)
    settings = Settings(
        sms=SmsSettings(backend="twilio", rate_per_second=1000.0),
        web=WebSettings(public_url=public_url),
    )
    app = App(settings, database_url)
    add_message(session, add_customer(session))
    with freeze_time(NOW, tick=True):
        send_due(app, make_sender(app))
    app.engine.dispose()
    [accepted] = fake_twilio.outbound()
    return accepted


def test_with_a_public_url_each_twilio_send_asks_for_status_callbacks(
    database_url, session, monkeypatch, fake_twilio
):
    accepted = send_through_twilio(database_url, session, monkeypatch, fake_twilio, PUBLIC + "/")

    assert accepted["_status_callback"] == "https://crm.example.com/webhooks/twilio/status"


def test_without_a_public_url_twilio_sends_ask_for_no_callback(
    database_url, session, monkeypatch, fake_twilio
):
    accepted = send_through_twilio(database_url, session, monkeypatch, fake_twilio, "")

    assert accepted["_status_callback"] is None


# -- Aliyun's and Tencent's pushes on a secret path -------------------------------------


def aliyun_report(phone: str, biz_id: str, success: bool, code: str = "DELIVERED") -> str:
    return json.dumps(
        [
            {
                "phone_number": phone.removeprefix("+86"),
                "send_time": "2026-03-10 10:00:00",
                "report_time": "2026-03-10 10:00:05",
                "success": success,
                "err_code": code,
                "err_msg": "用户接收成功" if success else "空号",
                "sms_size": "1",
                "biz_id": biz_id,
                "out_id": "1",
            }
        ]
    )


def test_an_aliyun_report_finds_its_row_by_bizid_and_number(client, session):
    biz = "900619746936498440^0"
    wang = add_customer(session, phone="+8613800000011")
    li = add_customer(session, phone="+8613800000012")
    # One SendBatchSms: one BizId, each row's sid is "BizId:outbox id".
    first = sent_message(session, sid=f"{biz}:101", customer=wang)
    second = sent_message(session, sid=f"{biz}:102", customer=li)

    answer = client.post(
        f"/webhooks/aliyun/report/{ALIYUN_TOKEN}",
        content=aliyun_report(li.phone, biz, False, "MK:0001"),
        headers={"Content-Type": "application/json"},
    )

    assert answer.status_code == 200
    assert answer.json() == {"code": 0, "msg": "成功"}
    assert reread(session, first).status == "sent"
    saved = reread(session, second)
    assert (saved.status, saved.error_code) == ("undelivered", "MK:0001")


def test_an_aliyun_r_reply_opts_the_customer_out(client, session):
    wang = add_customer(session, phone="+8613800000013")
    waiting = add_message(session, wang, "birthday_sms")
    body = [
        {
            "phone_number": "13800000013",
            "send_time": "2026-03-10 10:01:00",
            "content": "R",
            "sign_name": "示例汽车",
            "dest_code": "1234",
            "sequence_id": 1234567890,
        }
    ]

    answer = client.post(f"/webhooks/aliyun/reply/{ALIYUN_TOKEN}", content=json.dumps(body))

    assert answer.json() == {"code": 0, "msg": "成功"}
    assert reread(session, wang).sms_consent is False
    assert reread(session, waiting).status == "cancelled"
    assert session.exec(select(AuditEvent)).one().actor == "aliyun"


def test_a_tencent_report_finds_its_row_by_serial_number(client, session):
    message = sent_message(session, sid="2019:6880263624416946011")
    body = [
        {
            "user_receive_time": "2026-03-10 10:00:05",
            "nationcode": "86",
            "mobile": message.to_phone.removeprefix("+86"),
            "report_status": "SUCCESS",
            "errmsg": "DELIVRD",
            "description": "用户短信送达成功",
            "sid": "2019:6880263624416946011",
        }
    ]

    answer = client.post(f"/webhooks/tencent/report/{TENCENT_TOKEN}", content=json.dumps(body))

    assert answer.status_code == 200
    assert answer.json() == {"result": 0, "errmsg": "OK"}
    assert reread(session, message).status == "delivered"


def test_a_tencent_blacklist_report_opts_the_customer_out(client, session):
    wang = add_customer(session, phone="+8613800000014")
    message = sent_message(session, sid="2019:1", customer=wang)
    body = [
        {
            "user_receive_time": "2026-03-10 10:00:05",
            "nationcode": "86",
            "mobile": "13800000014",
            "report_status": "FAIL",
            "errmsg": "FailedOperation.PhoneNumberInBlacklist",
            "description": "黑名单",
            "sid": "2019:1",
        }
    ]

    client.post(f"/webhooks/tencent/report/{TENCENT_TOKEN}", content=json.dumps(body))

    assert reread(session, message).status == "undelivered"
    assert reread(session, wang).sms_consent is False


def test_a_tencent_unsubscribe_reply_opts_the_customer_out(client, session):
    wang = add_customer(session, phone="+8613800000015")
    body = {
        "extend": "",
        "mobile": "13800000015",
        "nationcode": "86",
        "sign": "示例汽车",
        "text": "退订",
        "time": 1773108060,
    }

    answer = client.post(f"/webhooks/tencent/reply/{TENCENT_TOKEN}", content=json.dumps(body))

    assert answer.json() == {"result": 0, "errmsg": "OK"}
    customer = reread(session, wang)
    assert (customer.sms_consent, customer.sms_consent_source) == (False, "sms reply")
    assert session.exec(select(SmsInbound)).one().body == "退订"


@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
def test_a_push_on_a_path_without_the_secret_token_is_not_found(client, session, provider):
    wang = add_customer(session, phone="+8613800000016")
    body = json.dumps({"mobile": "13800000016", "text": "TD", "time": 1773108060})

    for path in (
        f"/webhooks/{provider}/reply/wrong-token-0123456789",
        f"/webhooks/{provider}/reply",
    ):
        assert client.post(path, content=body).status_code == 404

    assert reread(session, wang).sms_consent is True
    assert session.exec(select(SmsInbound)).all() == []


def test_without_the_token_variable_the_receivers_accept_nothing(
    client, session, monkeypatch, caplog
):
    message = sent_message(session, sid="2019:2")
    monkeypatch.delenv("TENCENT_SMS_PUSH_TOKEN")
    body = [{"mobile": "13800000001", "report_status": "SUCCESS", "sid": "2019:2"}]

    with caplog.at_level(logging.WARNING, logger="crm.web"):
        answer = client.post(f"/webhooks/tencent/report/{TENCENT_TOKEN}", content=json.dumps(body))

    assert answer.status_code == 404
    assert "TENCENT_SMS_PUSH_TOKEN is not set" in caplog.text
    assert TENCENT_TOKEN not in caplog.text
    assert reread(session, message).status == "sent"


def test_a_push_that_is_not_the_providers_json_is_refused_with_a_sentence(client):
    answer = client.post(f"/webhooks/aliyun/report/{ALIYUN_TOKEN}", content=b"<xml/>")

    assert answer.status_code == 400
    assert answer.text == "an Aliyun delivery report push must be JSON; this is not"


def test_an_oversized_push_is_refused_before_it_is_read_whole(client):
    answer = client.post(f"/webhooks/tencent/reply/{TENCENT_TOKEN}", content=b"[" * 1_000_001)

    assert answer.status_code == 413


@pytest.mark.parametrize(
    "path, body",
    [
        ("aliyun/reply", [{"phone_number": "13800000001", "content": "TD", "send_time": "soon"}]),
        ("aliyun/report", [{"phone_number": "1", "biz_id": "9", "success": True, "send_time": 7}]),
        (
            "tencent/report",
            [{"mobile": "1", "report_status": "SUCCESS", "sid": "s", "user_receive_time": "x"}],
        ),
        ("tencent/reply", {"mobile": "13800000001", "text": "TD", "time": 10**20}),
    ],
)
def test_a_push_with_an_unreadable_time_is_refused_with_a_sentence_and_opts_nobody_out(
    client, session, path, body
):
    customer = add_customer(session, phone="+8613800000001")
    token = ALIYUN_TOKEN if path.startswith("aliyun") else TENCENT_TOKEN

    answer = client.post(f"/webhooks/{path}/{token}", content=json.dumps(body))

    assert answer.status_code == 400
    assert "time" in answer.text
    assert reread(session, customer).sms_consent is True
    assert session.exec(select(SmsInbound)).all() == []
