"""The store's settings: `config.toml` loaded once into a typed, strict object."""

from __future__ import annotations

import tomllib
from datetime import time
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from crm.errors import UsageError
from crm.vocabulary.calendars import HOLIDAYS

DEFAULT_CONFIG_PATH = Path("config.toml")

REPORT_FORMATS = ("md", "html", "xlsx", "json")

Days = Annotated[int, Field(ge=0, le=3650)]

# A store's code: short, and safe in a file name and a URL (reports are named after it).
STORE_CODE_PATTERN = r"^[A-Za-z0-9_-]+$"
STORE_CODE_MAX = 32


def known_zone(value: str) -> str:
    """`value` when it names an IANA time zone; ValueError otherwise."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}") from None
    return value


class Section(BaseModel):
    # Strict: an unknown key is a typo, and "yes" is not a boolean.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class StoreSettings(Section):
    code: str = Field("demo", min_length=1, max_length=STORE_CODE_MAX, pattern=STORE_CODE_PATTERN)
    name: str = Field("示例汽车4S店", min_length=1)
    timezone: str = "Asia/Shanghai"
    locale: str = Field("zh_CN", pattern=r"^(zh_CN|en)$")
    phone_region: str = Field("CN", pattern=r"^[A-Z]{2}$")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_zone(value)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Window(Section):
    """A phone task's window: it opens `open_after_days` after its event, due `due_after_days`."""

    open_after_days: Days
    due_after_days: Days

    @model_validator(mode="after")
    def _opens_before_due(self) -> Window:
        if self.open_after_days > self.due_after_days:
            raise ValueError("open_after_days must not be after due_after_days")
        return self


class FollowupSettings(Section):
    sales_callback: Window = Window(open_after_days=1, due_after_days=7)
    care_call: Window = Window(open_after_days=30, due_after_days=35)
    first_service_sms_after_months: int = Field(3, ge=1, le=24)
    first_service_km: int = Field(5000, ge=100, le=100_000)
    first_service_call: Window = Window(open_after_days=3, due_after_days=7)
    service_callback: Window = Window(open_after_days=1, due_after_days=3)
    maintenance_call_days_before: Days = 3
    max_attempts: int = Field(3, ge=1, le=20)
    holidays: list[str] = ["spring_festival", "mid_autumn", "national_day", "new_year"]
    catch_up_days: Days = 7
    # 流失预警: a car not in for this long, or this long past its predicted maintenance,
    # gets one win-back call per lapse, due `lapsed_call_days` after the lapse begins.
    lapsed_after_months: int = Field(9, ge=1, le=60)
    lapsed_overdue_days: int = Field(60, ge=1, le=730)
    lapsed_call_days: Days = 7
    # Calls made to one customer in any 7 days; their other calls wait until it frees up
    # (complaint calls, and a time the customer asked to be called back, never wait).
    max_calls_per_customer_per_week: int = Field(3, ge=1, le=50)

    @field_validator("holidays")
    @classmethod
    def _known_holidays(cls, value: list[str]) -> list[str]:
        unknown = [name for name in value if name not in HOLIDAYS]
        if unknown:
            raise ValueError(f"unknown holiday {unknown[0]!r} (known: {', '.join(HOLIDAYS)})")
        return value


class MaintenanceInterval(Section):
    interval_km: int = Field(5000, ge=500, le=100_000)
    interval_months: int = Field(6, ge=1, le=60)


class MaintenanceSettings(MaintenanceInterval):
    lookback_months: int = Field(12, ge=1, le=60)
    max_pace_km_day: float = Field(400.0, gt=0, le=5000, allow_inf_nan=False)
    models: dict[str, MaintenanceInterval] = {}

    def interval(self, model: str) -> MaintenanceInterval:
        """The model's own interval where configured, else the store's."""
        return self.models.get(model, self)


# The providers that send only pre-approved templates under a registered signature
# (China's routes): the text is the template's, the product sends its code and slot values.
TEMPLATE_BACKENDS = ("aliyun", "tencent")


class ApprovedTemplate(Section):
    """One template as the provider approved it: its code, category and text with slots."""

    code: str = Field(min_length=1, max_length=64)
    category: str = Field(pattern=r"^(notice|marketing)$")
    text: str = Field(min_length=1, max_length=500)
    # Which product variable fills each slot: {"1" = "customer"} for Tencent's {1}; for
    # Aliyun's ${name} a slot named after the variable needs no entry.
    slots: dict[str, str] = {}


class AliyunSettings(Section):
    """Aliyun SMS (dysmsapi); the AccessKey comes from the environment, never from here."""

    sign_name: str = ""  # the registered signature (签名), sent as SignName
    region: str = Field("cn-hangzhou", pattern=r"^[a-z0-9-]+$")
    # What the account's frequency limits allow one number a day (the console's setting).
    daily_limit_per_number: int = Field(10, ge=1, le=1000)
    slot_max_characters: int = Field(35, ge=1, le=500)  # Aliyun: 1-35 characters a variable


class TencentSettings(Section):
    """Tencent Cloud SMS; the SecretId/SecretKey come from the environment, never from here."""

    sdk_app_id: str = Field("", pattern=r"^[0-9]*$")  # the SMS application's SdkAppId
    sign_name: str = ""  # the registered signature (签名), sent as SignName
    region: str = Field("ap-guangzhou", pattern=r"^[a-z0-9-]+$")
    daily_limit_per_number: int = Field(2, ge=1, le=1000)  # Tencent's default: 2 a day
    # 12 for a personal account's variables; an enterprise account may have more.
    slot_max_characters: int = Field(12, ge=1, le=500)
    # Tencent has no log to search, only delivery reports: a message claimed this long ago
    # without a report is taken as never sent when reconciling (a report comes in seconds).
    report_wait_seconds: int = Field(600, ge=0, le=86_400)


class SmsSettings(Section):
    backend: str = Field("console", pattern=r"^(console|twilio|aliyun|tencent)$")
    send_window: str = Field("09:00-20:00", pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$")
    max_per_customer_per_day: int = Field(1, ge=1, le=100)
    opt_out_line: str = "回T退订"
    max_segments: int = Field(3, ge=1, le=50)
    rate_per_second: float = Field(10.0, gt=0, le=10_000, allow_inf_nan=False)
    templates_dir: str | None = None  # the store's own templates; they render sandboxed
    links_allowed: bool = False  # China's routes refuse messages with URLs
    concurrency: int = Field(4, ge=1, le=64)
    retries: int = Field(3, ge=0, le=10)
    retry_backoff_seconds: float = Field(0.5, ge=0, le=600, allow_inf_nan=False)
    max_attempts: int = Field(5, ge=1, le=50)
    retry_later_minutes: int = Field(10, ge=1, le=7 * 24 * 60)
    connect_timeout_seconds: float = Field(5.0, gt=0, le=600, allow_inf_nan=False)
    read_timeout_seconds: float = Field(15.0, gt=0, le=600, allow_inf_nan=False)
    reconcile_after_seconds: int = Field(120, ge=1, le=30 * 86_400)
    sync_days: int = Field(3, ge=1, le=30)
    status_callback: str | None = Field(None, pattern=r"^https?://")
    # A service reminder owed more than this many days ago (go-live, a long outage) is not
    # sent: its date is past, and the phone invitation that follows says so.
    stale_after_days: int = Field(7, ge=1, le=365)
    aliyun: AliyunSettings = AliyunSettings()
    tencent: TencentSettings = TencentSettings()
    # The approved-template registry: template name (first_service_sms, a campaign's
    # service_festival …) -> the provider's code, category and approved text.
    approved: dict[str, ApprovedTemplate] = {}

    @field_validator("templates_dir")
    @classmethod
    def _templates_folder_exists(cls, value: str | None) -> str | None:
        # A missing folder would quietly send the product's texts instead of the store's.
        if value is not None and not Path(value).is_dir():
            where = "" if Path(value).is_absolute() else f" (read from {Path.cwd()})"
            raise ValueError(
                f"the folder {value!r} does not exist{where}; create it, give an absolute "
                "path, or run crm from the folder holding it"
            )
        return value

    @field_validator("send_window")
    @classmethod
    def _ordered_window(cls, value: str) -> str:
        start, end = (time.fromisoformat(part) for part in value.split("-"))
        if start >= end:
            raise ValueError("the window must start before it ends, e.g. 09:00-20:00")
        return value

    @model_validator(mode="after")
    def _reconcile_after_a_request_ends(self) -> SmsSettings:
        # A row still in flight must not be judged. The sender renews a row's lease just
        # before each attempt (retries included), so a lease is never older than one
        # attempt while its request may be in flight: connect plus read timeout.
        longest = self.connect_timeout_seconds + self.read_timeout_seconds
        if self.reconcile_after_seconds < longest:
            raise ValueError(
                f"reconcile_after_seconds must be at least connect_timeout_seconds + "
                f"read_timeout_seconds ({longest:g})"
            )
        return self

    @property
    def templated(self) -> bool:
        """True when the provider sends approved templates (no 【】 in the text, a code)."""
        return self.backend in TEMPLATE_BACKENDS

    @property
    def window(self) -> tuple[time, time]:
        start, end = (time.fromisoformat(part) for part in self.send_window.split("-"))
        return start, end


DEFAULT_DEPARTMENTS = {
    "vehicle_quality": "after_sales",
    "service_quality": "after_sales",
    "waiting_time": "after_sales",
    "parts": "parts",
    "staff_attitude": "customer_service",
    "price": "sales",
    "sales": "sales",
    "other": "customer_service",
}


class ComplaintSettings(Section):
    respond_within_hours: int = Field(24, ge=1, le=24 * 30)
    resolve_within_days: int = Field(7, ge=1, le=365)
    followup_every_days: int = Field(3, ge=1, le=60)  # a progress call while it stays open
    confirm_within_days: int = Field(3, ge=0, le=60)  # the "is it solved?" callback is due by then
    departments: dict[str, str] = DEFAULT_DEPARTMENTS

    @field_validator("departments")
    @classmethod
    def _every_category_routed(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(DEFAULT_DEPARTMENTS))
        if unknown:
            known = ", ".join(DEFAULT_DEPARTMENTS)
            raise ValueError(f"unknown complaint category {unknown[0]!r} (known: {known})")
        return {**DEFAULT_DEPARTMENTS, **value}


class ImportSettings(Section):
    batch_size: int = Field(1000, ge=1, le=50_000)


class ReportSettings(Section):
    output_dir: str = Field("reports", min_length=1)
    formats: list[str] = ["md", "html", "xlsx", "json"]
    conversion_window_days: int = Field(30, ge=1, le=365)
    # Last month's report is written on the 1st from this hour, store time: after the
    # 06:30 planning and the morning's DMS imports, so the month's last visits are in.
    scheduled_hour: int = Field(10, ge=0, le=23)

    @field_validator("formats")
    @classmethod
    def _known_formats(cls, value: list[str]) -> list[str]:
        unknown = [name for name in value if name not in REPORT_FORMATS]
        if unknown:
            raise ValueError(f"unknown format {unknown[0]!r} (known: {', '.join(REPORT_FORMATS)})")
        if not value:
            raise ValueError('name at least one format, e.g. ["html"]')
        return value


class WebSettings(Section):
    """The consoles; the session secret comes from CRM_SECRET_KEY, never from this file."""

    session_hours: int = Field(12, ge=1, le=24 * 30)  # a login lasts this long
    # The address people open; links use it and cookies are Secure when it is https.
    public_url: str = Field("", pattern=r"^(https?://[^\s/]+(/[^\s]*)?)?$")
    claim_minutes: int = Field(5, ge=2, le=60)  # "being called by" lasts this long unrenewed
    page_size: int = Field(50, ge=10, le=500)  # calls a page of the day's list


class WorkerSettings(Section):
    """`crm worker` on PostgreSQL: how often it looks for work, beats and renews its leases."""

    threads: int = Field(2, ge=1, le=32)  # jobs one worker runs at once
    poll_seconds: float = Field(2.0, gt=0, le=60, allow_inf_nan=False)
    heartbeat_seconds: float = Field(10.0, gt=0, le=300, allow_inf_nan=False)
    lease_seconds: float = Field(60.0, ge=1, le=3600, allow_inf_nan=False)

    @model_validator(mode="after")
    def _lease_outlives_a_late_beat(self) -> WorkerSettings:
        # A busy machine may be a beat late; one late beat must not hand a run to another.
        if self.lease_seconds < 3 * self.heartbeat_seconds:
            raise ValueError("lease_seconds must be at least 3 × heartbeat_seconds")
        return self


class Settings(Section):
    store: StoreSettings = StoreSettings()
    followup: FollowupSettings = FollowupSettings()
    maintenance: MaintenanceSettings = MaintenanceSettings()
    sms: SmsSettings = SmsSettings()
    complaints: ComplaintSettings = ComplaintSettings()
    imports: ImportSettings = Field(ImportSettings(), alias="import")
    report: ReportSettings = ReportSettings()
    web: WebSettings = WebSettings()
    workers: WorkerSettings = WorkerSettings()

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)


def load_settings(path: Path | None) -> Settings:
    """Load `path` (or the default `config.toml` when it exists), failing with the key's name."""
    if path is None:
        if not DEFAULT_CONFIG_PATH.exists():
            return Settings()
        path = DEFAULT_CONFIG_PATH
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"config file {path} does not exist", field="config") from None
    except OSError as exc:
        raise UsageError(f"cannot read config file {path}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"config file {path} is not valid TOML: {exc}") from None
    except RecursionError:
        raise UsageError(f"config file {path} is nested too deeply to be a config") from None
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(part) for part in error["loc"])
        message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
        message = message.removeprefix("Value error, ")
        raise UsageError(f"config file {path}: {key}: {message}") from None
