"""The Aliyun sender: the official dysmsapi client (2017-05-25); its answers become verdicts.

Only this folder imports the Aliyun SDK. Credentials come from the environment only
(ALIBABA_CLOUD_ACCESS_KEY_ID and _SECRET, the SDK's own names); ALIYUN_SMS_ENDPOINT
points the client at another server (a test server, a proxy).
"""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from alibabacloud_dysmsapi20170525 import models
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_tea_openapi import utils_models
from darabonba.runtime import RuntimeOptions

from crm.clock import utcnow
from crm.config import SmsSettings
from crm.errors import UsageError
from crm.sms import approved
from crm.sms.providers.aliyun.errors import reading_error, translate, unanswered
from crm.sms.providers.aliyun.rules import rules
from crm.sms.providers.base import (
    Answer,
    Inbound,
    Outgoing,
    ProviderError,
    Report,
    Unknown,
    Verdict,
    sent,
)

DEFAULT_ENDPOINT = "https://dysmsapi.aliyuncs.com"
BATCH = 100  # SendBatchSms takes at most 100 numbers a call
CHINA = ZoneInfo("Asia/Shanghai")  # Aliyun's dates (SendDate, QuerySendDetails) are China's
PAGE = 50  # QuerySendDetails' largest page
CLOCK_SKEW = timedelta(minutes=5)
STATUSES = {1: "sent", 2: "undelivered", 3: "delivered"}  # SendStatus: waiting, failed, ok


def credentials(environ=os.environ) -> dict:
    """The AccessKey and the endpoint from the environment, or a sentence naming what is missing."""
    needed = ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET")
    missing = [name for name in needed if not environ.get(name)]
    if missing:
        raise UsageError(
            f"sms.backend is aliyun but {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not set; set them in the environment "
            'or use backend = "console"'
        )
    endpoint = environ.get("ALIYUN_SMS_ENDPOINT") or DEFAULT_ENDPOINT
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"ALIYUN_SMS_ENDPOINT {endpoint!r} is not an http(s) URL with a host; "
            f"unset it for {DEFAULT_ENDPOINT} or give one like http://127.0.0.1:8080"
        )
    return {"id": environ[needed[0]], "secret": environ[needed[1]], "endpoint": endpoint}


def national(phone: str) -> str:
    """Aliyun's domestic route takes 11 digits; other countries as 00 + country code."""
    return phone[3:] if phone.startswith("+86") else "00" + phone.lstrip("+")


class AliyunSender:
    name = "aliyun"
    batch_size = BATCH

    def __init__(self, settings: SmsSettings, environ=os.environ):
        self.config = credentials(environ)
        self.rules = rules(settings)
        if not self.rules.sign_name:
            raise UsageError("sms.backend is aliyun but sms.aliyun.sign_name is not set")
        self.settings = settings
        self.daily_limit_per_number = settings.aliyun.daily_limit_per_number
        self.registry = approved.registry(settings, "aliyun")
        self.runtime = RuntimeOptions(
            connect_timeout=int(settings.connect_timeout_seconds * 1000),
            read_timeout=int(settings.read_timeout_seconds * 1000),
            autoretry=False,  # a retry is the outbox's to decide: sending is not idempotent
        )
        self._local = threading.local()  # one client (one connection pool) per thread

    @property
    def client(self) -> Client:
        client = getattr(self._local, "client", None)
        if client is None:
            parts = urlsplit(self.config["endpoint"])
            config = utils_models.Config(
                access_key_id=self.config["id"],
                access_key_secret=self.config["secret"],
                endpoint=parts.netloc,
                protocol=parts.scheme,
                region_id=self.settings.aliyun.region,
            )
            client = self._local.client = Client(config)
        return client

    def send(self, message: Outgoing) -> Answer:
        return self.send_batch([message])[0]

    def send_batch(self, messages: list[Outgoing]) -> list[Answer]:
        """One SendBatchSms per approved template among `messages` (SendSms for one alone)."""
        answers: dict[int, Answer] = {}
        groups: dict[str, list[tuple[Outgoing, dict]]] = {}
        for message in messages:
            found = approved.resolve(self.registry, message.kind, message.body)
            if found is None:
                text = approved.drifted(message.kind, "Aliyun")
                answers[message.message_id] = Answer(Verdict.STOP_RUN, text)
                continue
            groups.setdefault(found[0].entry.code, []).append((message, found[1]))
        for code, group in groups.items():
            if len(group) == 1:
                answers[group[0][0].message_id] = self.send_one(code, *group[0])
                continue
            batch = self.call_batch(code, group)
            if batch.verdict in (Verdict.FAILED, Verdict.RETRY_LATER):
                # Refused as a whole for one number's sake, so nothing went: each alone
                # gets its own verdict.
                for message, values in group:
                    answers[message.message_id] = self.send_one(code, message, values)
            else:
                for message, _ in group:
                    answers[message.message_id] = self.accepted(batch, message)
        return [answers[message.message_id] for message in messages]

    def send_one(self, code: str, message: Outgoing, values: dict) -> Answer:
        request = models.SendSmsRequest(
            phone_numbers=national(message.to),
            sign_name=self.rules.sign_name,
            template_code=code,
            template_param=json.dumps(values, ensure_ascii=False),
            out_id=str(message.message_id),
        )
        try:
            body = self.client.send_sms_with_options(request, self.runtime).body
        except Exception as exc:  # the SDK raises its own and wraps requests' errors
            return unanswered(exc, self.config["endpoint"])
        return self.accepted(self.answer(body), message)

    def call_batch(self, code: str, group: list[tuple[Outgoing, dict]]) -> Answer:
        request = models.SendBatchSmsRequest(
            phone_number_json=json.dumps([national(m.to) for m, _ in group]),
            sign_name_json=json.dumps([self.rules.sign_name] * len(group), ensure_ascii=False),
            template_code=code,
            template_param_json=json.dumps([v for _, v in group], ensure_ascii=False),
            out_id=str(group[0][0].message_id),
        )
        try:
            body = self.client.send_batch_sms_with_options(request, self.runtime).body
        except Exception as exc:
            return unanswered(exc, self.config["endpoint"])
        return self.answer(body)

    def answer(self, body) -> Answer:
        if body is None or body.code is None:
            return Answer(Verdict.MAYBE_SENT, "unreadable answer from Aliyun (no Code)")
        if body.code != "OK":
            return translate(body.code, body.message or "")
        report = Report(body.biz_id or "", "sent", created_at=utcnow())
        return sent(report)

    def accepted(self, answer: Answer, message: Outgoing) -> Answer:
        """One message's own answer: a batch's BizId is shared, so the row's id is added."""
        if answer.verdict != Verdict.SENT:
            return answer
        provider_id = f"{answer.report.provider_id}:{message.message_id}"
        return sent(Report(provider_id, "sent", created_at=answer.report.created_at))

    def details(self, phone: str, day: datetime, biz_id: str | None = None) -> list:
        """Aliyun's log of messages to `phone` on `day` (China's date), every page."""
        found, page = [], 1
        while True:
            request = models.QuerySendDetailsRequest(
                phone_number=national(phone),
                send_date=day.astimezone(CHINA).strftime("%Y%m%d"),
                page_size=PAGE,
                current_page=page,
                biz_id=biz_id or None,
            )
            body = self.client.query_send_details_with_options(request, self.runtime).body
            if body.code != "OK":
                raise refused_read(body.code, body.message)
            listed = body.sms_send_detail_dtos
            rows = (listed.sms_send_detail_dto if listed else None) or []
            found += rows
            if len(rows) < PAGE or len(found) >= int(body.total_count or 0):
                return found
            page += 1

    def find(self, message: Outgoing, claimed_at: datetime) -> Report | None:
        # No BizId when the answer was lost: the number's log on the claim's day (and the
        # next, past China's midnight), by our OutId or by the very text.
        days = {claimed_at.astimezone(CHINA).date(): claimed_at}
        days[utcnow().astimezone(CHINA).date()] = utcnow()
        try:
            rows = [row for moment in days.values() for row in self.details(message.to, moment)]
        except ProviderError as exc:
            raise Unknown(f"cannot read Aliyun's send log: {exc}") from None
        except Exception as exc:
            error = reading_error(exc, self.config["endpoint"])
            raise Unknown(f"cannot read Aliyun's send log: {error}") from None
        for row in rows:
            sent_at = china_time(row.send_date)
            ours = row.out_id == str(message.message_id) or (row.content or "").endswith(
                message.body
            )
            if ours and (sent_at is None or sent_at >= claimed_at - CLOCK_SKEW):
                return record(row, f":{message.message_id}")
        return None

    def status(self, provider_id: str, to: str, sent_at: datetime | None) -> Report:
        biz_id = provider_id.partition(":")[0]
        try:
            rows = self.details(to, sent_at or utcnow(), biz_id)
        except ProviderError:
            raise
        except Exception as exc:
            raise reading_error(exc, self.config["endpoint"]) from None
        # Found by reconciliation, a row has no BizId: it is the one sent when we recorded.
        second = sent_at.replace(microsecond=0) if sent_at else None
        for row in rows:
            if biz_id or china_time(row.send_date) == second:
                return record(row, provider_id)
        return Report(provider_id, "sent")

    def inbound(self, since: datetime) -> list[Inbound]:
        # dysmsapi has no call that lists replies: Aliyun pushes them (or queues them in
        # MNS), so they arrive through the reply receiver.
        return []


def refused_read(code: str, message: str | None) -> ProviderError:
    """A query Aliyun answered with an error code: wait and read again, or stop the run."""
    answer = translate(code, message or "")
    if answer.verdict != Verdict.STOP_RUN:
        answer = Answer(Verdict.RETRY_LATER, answer.text, code)
    return ProviderError(answer)


def china_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA)


def record(row, provider_id: str) -> Report:
    """Our view of one QuerySendDetails row."""
    status = STATUSES.get(int(row.send_status or 1), "sent")
    code = row.err_code if status == "undelivered" else None
    return Report(
        provider_id,
        status,
        error_code=code,
        error_message=f"Aliyun delivery report {code}" if code else None,
        created_at=china_time(row.send_date),
    )
