"""What Aliyun and Tencent push (delivery reports, replies), read by plain functions the
web receivers will call; a payload that is not the provider's is one sentence."""

import json
from datetime import UTC, datetime

import pytest

from crm.sms.providers.aliyun import pushes as aliyun
from crm.sms.providers.base import BadPush
from crm.sms.providers.tencent import pushes as tencent


def test_an_aliyun_report_names_the_bizid_and_number_of_its_row():
    body = json.dumps(
        [
            {
                "phone_number": "13800000001",
                "send_time": "2026-03-01 10:00:00",
                "report_time": "2026-03-01 10:00:05",
                "success": True,
                "err_code": "DELIVERED",
                "err_msg": "用户接收成功",
                "sms_size": "1",
                "biz_id": "900619746936498440^0",
                "out_id": "42",
            },
            {
                "phone_number": "13800000002",
                "send_time": "2026-03-01 10:00:00",
                "success": False,
                "err_code": "MK:0001",
                "err_msg": "空号",
                "biz_id": "900619746936498441^0",
            },
        ]
    )

    delivered, failed = aliyun.reports(body)

    assert (delivered.phone, delivered.provider_key) == ("+8613800000001", "900619746936498440^0:")
    assert delivered.report.status == "delivered"
    assert (failed.report.status, failed.report.error_code) == ("undelivered", "MK:0001")
    assert aliyun.ANSWER == {"code": 0, "msg": "成功"}


def test_an_aliyun_reply_is_read_with_its_sequence_id():
    body = json.dumps(
        [
            {
                "phone_number": "13800000001",
                "send_time": "2026-03-01 10:00:00",
                "content": "TD",
                "sign_name": "示例汽车",
                "dest_code": "1234",
                "sequence_id": 1234567890,
            }
        ]
    )

    [reply] = aliyun.replies(body)

    assert (reply.provider_id, reply.from_phone, reply.body) == (
        "aliyun-1234567890",
        "+8613800000001",
        "TD",
    )
    assert reply.received_at == datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


def test_a_tencent_report_names_its_serial_number_and_a_blacklist_opts_out():
    body = json.dumps(
        [
            {
                "user_receive_time": "2026-03-01 10:00:05",
                "nationcode": "86",
                "mobile": "13800000001",
                "report_status": "FAIL",
                "errmsg": "FailedOperation.PhoneNumberInBlacklist",
                "description": "黑名单",
                "sid": "2433:0000000001",
            }
        ]
    )

    [pushed] = tencent.reports(body)

    assert (pushed.phone, pushed.provider_key) == ("+8613800000001", "2433:0000000001")
    assert pushed.report.number_problem == "opted_out"
    assert tencent.ANSWER == {"result": 0, "errmsg": "OK"}


def test_a_tencent_reply_is_read_with_its_time():
    body = json.dumps(
        {
            "extend": "",
            "mobile": "13800000001",
            "nationcode": "86",
            "sign": "示例汽车",
            "text": "退订",
            "time": 1772330400,
        }
    )

    [reply] = tencent.replies(body)

    assert (reply.from_phone, reply.body) == ("+8613800000001", "退订")
    assert reply.provider_id == "tencent-+8613800000001-1772330400"


@pytest.mark.parametrize(
    ("read", "body", "sentence"),
    [
        (aliyun.reports, b"<xml/>", "an Aliyun delivery report push must be JSON; this is not"),
        (aliyun.reports, b"{}", "an Aliyun delivery report push must be a JSON array of objects"),
        (aliyun.replies, b'[{"phone_number": "1"}]', "an Aliyun reply lacks content, send_time"),
        (
            tencent.reports,
            b'[{"sid": "x"}]',
            "a Tencent delivery report lacks mobile, report_status",
        ),
        (tencent.replies, b"[]", "a Tencent reply push must be one JSON object"),
        (tencent.replies, b'{"mobile": "1", "text": "R", "time": "soon"}', "Unix time"),
    ],
)
def test_a_payload_that_is_not_the_providers_is_one_sentence(read, body, sentence):
    with pytest.raises(BadPush, match=sentence):
        read(body)
