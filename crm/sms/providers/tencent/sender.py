"""The Tencent sender: the official SMS client (2021-01-11); its answers become verdicts.

Only this folder imports Tencent's SDK. Credentials come from the environment only
(TENCENTCLOUD_SECRET_ID and _SECRET_KEY, the SDK's own names); TENCENT_SMS_ENDPOINT
points the client at another server (a test server, a proxy).
"""

from __future__ import annotations

import hashlib
import os
import threading
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models, sms_client

from crm.clock import utcnow
from crm.config import SmsSettings
from crm.errors import UsageError
from crm.sms import approved
from crm.sms.providers.base import Answer, Inbound, Outgoing, Report, Unknown, Verdict, sent
from crm.sms.providers.tencent.errors import number_problem, reading_error, translate, unanswered
from crm.sms.providers.tencent.rules import rules

DEFAULT_ENDPOINT = "https://sms.tencentcloudapi.com"
BATCH = 200  # SendSms takes at most 200 numbers a call, all with the same slot values
CHINA = ZoneInfo("Asia/Shanghai")  # Tencent's times are China's
PAGE = 100  # the pull calls' largest page
CLOCK_SKEW = timedelta(minutes=5)


def credentials(environ=os.environ) -> dict:
    """The SecretId/SecretKey and the endpoint from the environment, or a sentence."""
    needed = ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY")
    missing = [name for name in needed if not environ.get(name)]
    if missing:
        raise UsageError(
            f"sms.backend is tencent but {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not set; set them in the environment "
            'or use backend = "console"'
        )
    endpoint = environ.get("TENCENT_SMS_ENDPOINT") or DEFAULT_ENDPOINT
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"TENCENT_SMS_ENDPOINT {endpoint!r} is not an http(s) URL with a host; "
            f"unset it for {DEFAULT_ENDPOINT} or give one like http://127.0.0.1:8080"
        )
    return {"id": environ[needed[0]], "key": environ[needed[1]], "endpoint": endpoint}


def context_of(ids: list[int]) -> str:
    """SessionContext: one per call, so a batch names the range of outbox ids it holds."""
    return str(ids[0]) if len(ids) == 1 else f"{min(ids)}-{max(ids)}"


def holds(context: str | None, message_id: int) -> bool:
    first, _, last = (context or "").partition("-")
    if not first.isdigit():
        return False
    return int(first) <= message_id <= int(last or first)


class TencentSender:
    name = "tencent"
    batch_size = BATCH

    def __init__(self, settings: SmsSettings, environ=os.environ):
        self.config = credentials(environ)
        self.rules = rules(settings)
        if not self.rules.sign_name or not settings.tencent.sdk_app_id:
            raise UsageError(
                "sms.backend is tencent but sms.tencent.sign_name or sms.tencent.sdk_app_id "
                "is not set"
            )
        self.settings = settings
        self.app_id = settings.tencent.sdk_app_id
        self.daily_limit_per_number = settings.tencent.daily_limit_per_number
        self.report_wait = timedelta(seconds=settings.tencent.report_wait_seconds)
        self.registry = approved.registry(settings, "tencent")
        self._local = threading.local()  # one client (one connection pool) per thread

    @property
    def client(self) -> sms_client.SmsClient:
        client = getattr(self._local, "client", None)
        if client is None:
            parts = urlsplit(self.config["endpoint"])
            http = HttpProfile(
                protocol=parts.scheme,
                endpoint=parts.netloc,
                # One number: the SDK has no separate connect timeout.
                reqTimeout=self.settings.connect_timeout_seconds
                + self.settings.read_timeout_seconds,
            )
            cred = credential.Credential(self.config["id"], self.config["key"])
            profile = ClientProfile(httpProfile=http)
            client = sms_client.SmsClient(cred, self.settings.tencent.region, profile)
            self._local.client = client
        return client

    def send(self, message: Outgoing) -> Answer:
        return self.send_batch([message])[0]

    def send_batch(self, messages: list[Outgoing]) -> list[Answer]:
        """One SendSms per approved template and slot values shared by `messages`."""
        answers: dict[int, Answer] = {}
        groups: dict[tuple, list[Outgoing]] = {}
        for message in messages:
            found = approved.resolve(self.registry, message.kind, message.body)
            if found is None:
                text = approved.drifted(message.kind, "Tencent")
                answers[message.message_id] = Answer(Verdict.STOP_RUN, text)
                continue
            parsed, values = found
            key = (parsed.entry.code, tuple(parsed.ordered(values)))
            groups.setdefault(key, []).append(message)
        for (code, values), group in groups.items():
            for start in range(0, len(group), BATCH):
                chunk = group[start : start + BATCH]
                answers |= self.call(code, list(values), chunk)
        return [answers[message.message_id] for message in messages]

    def call(self, code: str, values: list[str], group: list[Outgoing]) -> dict[int, Answer]:
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [m.to for m in group]
        request.SmsSdkAppId = self.app_id
        request.SignName = self.rules.sign_name
        request.TemplateId = code
        request.TemplateParamSet = values
        request.SessionContext = context_of([m.message_id for m in group])
        try:
            response = self.client.SendSms(request)
        except TencentCloudSDKException as exc:
            answer = unanswered(exc, self.config["endpoint"])
            return {m.message_id: answer for m in group}
        by_phone = {status.PhoneNumber: status for status in response.SendStatusSet or []}
        answers = {}
        for message in group:
            status = by_phone.get(message.to)
            if status is None:
                answers[message.message_id] = Answer(
                    Verdict.MAYBE_SENT, "Tencent's answer does not mention this number"
                )
            elif status.Code == "Ok":
                report = Report(status.SerialNo, "sent", segments=status.Fee, created_at=utcnow())
                answers[message.message_id] = sent(report)
            else:
                answers[message.message_id] = translate(status.Code, status.Message or "")
        return answers

    def reports(self, phone: str, since: datetime) -> list:
        """Tencent's delivery reports for `phone` since `since`, every page."""
        found, offset = [], 0
        while True:
            request = models.PullSmsSendStatusByPhoneNumberRequest()
            request.BeginTime = int((since - CLOCK_SKEW).timestamp())
            request.EndTime = int(utcnow().timestamp())
            request.Offset, request.Limit = offset, PAGE
            request.PhoneNumber, request.SmsSdkAppId = phone, self.app_id
            rows = self.client.PullSmsSendStatusByPhoneNumber(request).PullSmsSendStatusSet or []
            found += rows
            if len(rows) < PAGE:
                return found
            offset += PAGE

    def find(self, message: Outgoing, claimed_at: datetime) -> Report | None:
        try:
            rows = self.reports(message.to, claimed_at)
        except TencentCloudSDKException as exc:
            error = reading_error(exc, self.config["endpoint"])
            raise Unknown(f"cannot read Tencent's reports: {error}") from None
        for row in rows:
            if holds(row.SessionContext, message.message_id):
                return record(row)
        # No log to search: only the absence of a report, long after, says it never went.
        if utcnow() - claimed_at < self.report_wait:
            raise Unknown(
                "no delivery report from Tencent yet; taken as never sent only after "
                f"sms.tencent.report_wait_seconds ({self.settings.tencent.report_wait_seconds})"
            )
        return None

    def status(self, provider_id: str, to: str, sent_at: datetime | None) -> Report:
        try:
            rows = self.reports(to, sent_at or utcnow() - timedelta(days=1))
        except TencentCloudSDKException as exc:
            raise reading_error(exc, self.config["endpoint"]) from None
        for row in rows:
            if row.SerialNo == provider_id:
                return record(row)
        return Report(provider_id, "sent")

    def inbound(self, since: datetime) -> list[Inbound]:
        # Replies are a queue at Tencent: each is handed out once, so none is refetched.
        replies = []
        while True:
            request = models.PullSmsReplyStatusRequest()
            request.Limit, request.SmsSdkAppId = PAGE, self.app_id
            try:
                rows = self.client.PullSmsReplyStatus(request).PullSmsReplyStatusSet or []
            except TencentCloudSDKException as exc:
                raise reading_error(exc, self.config["endpoint"]) from None
            replies += [reply(row) for row in rows]
            if len(rows) < PAGE:
                return sorted(replies, key=lambda r: r.received_at)


def china_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA)


def record(row) -> Report:
    """Our view of one delivery report (PullSmsSendStatus)."""
    delivered = row.ReportStatus == "SUCCESS"
    code = None if delivered else row.Description
    return Report(
        row.SerialNo,
        "delivered" if delivered else "undelivered",
        error_code=code[:64] if code else None,
        error_message=f"Tencent delivery report {code}" if code else None,
        number_problem=number_problem(code),
    )


def reply(row) -> Inbound:
    """One reply; Tencent gives it no id, so its number, time and text make one."""
    received = china_time(row.ReplyTime) or utcnow()
    digest = hashlib.sha1(f"{row.PhoneNumber}|{row.ReplyTime}|{row.ReplyContent}".encode())
    return Inbound(
        f"tencent-{digest.hexdigest()[:24]}", row.PhoneNumber, None, row.ReplyContent, received
    )
