"""The SMS outbox: one row per message, whose state says what became of it."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from crm.models.base import (
    UTCDateTime,
    code_field,
    created_at_field,
    moment_field,
    one_of,
    updated_at_field,
)


class SmsCategory(StrEnum):
    SERVICE = "service"  # reminders: need service-SMS consent
    MARKETING = "marketing"  # greetings and campaigns: need marketing consent


class SmsStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class SmsMessage(SQLModel, table=True):
    """A message to one customer; `(kind, subject, cycle)` makes it exactly-once."""

    __tablename__ = "sms_message"
    __table_args__ = (
        UniqueConstraint("kind", "subject", "cycle", name="uq_sms_kind_subject_cycle"),
        Index("ix_sms_status_not_before", "status", "not_before"),
        Index("ix_sms_customer_queued", "customer_id", "queued_at"),
        # Aliyun's delivery reports name a batch's BizId and the number, not our row.
        Index("ix_sms_to_phone", "to_phone"),
        CheckConstraint(one_of("status", SmsStatus), name="ck_sms_status"),
        CheckConstraint(one_of("category", SmsCategory), name="ck_sms_category"),
    )

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id")
    customer_id: int = Field(foreign_key="customer.id")
    task_id: int | None = Field(default=None, foreign_key="followup_task.id")
    vehicle_id: int | None = Field(default=None, foreign_key="vehicle.id", index=True)
    kind: str = code_field(32)
    category: str = code_field(12)
    subject: str = code_field(48)
    cycle: str = code_field(32)
    to_phone: str = code_field(20)
    body: str
    reason: str
    planned_for: date | None = None  # the store-local day the cadence owes it on
    status: str = code_field(12, default=SmsStatus.QUEUED)
    not_before: datetime | None = moment_field()
    expires_at: datetime | None = moment_field()
    provider_sid: str | None = code_field(64, default=None, unique=True)
    error_code: str | None = code_field(64, default=None)  # isv.MOBILE_NUMBER_ILLEGAL …
    error_message: str | None = None
    segments: int | None = None
    price: float | None = Field(default=None, sa_type=Numeric(10, 4, asdecimal=False))
    price_unit: str | None = code_field(8, default=None)
    send_attempts: int = 0
    queued_at: datetime = created_at_field()
    claimed_at: datetime | None = moment_field()
    sent_at: datetime | None = moment_field()
    delivered_at: datetime | None = moment_field()
    updated_at: datetime = updated_at_field()


class SmsDailyCount(SQLModel, table=True):
    """Marketing messages claimed for one customer on one store-local day (the daily cap)."""

    __tablename__ = "sms_daily_count"

    customer_id: int = Field(foreign_key="customer.id", primary_key=True)
    day: date = Field(primary_key=True)
    used: int = 0


class SmsFingerprint(SQLModel, table=True):
    """The last claim of one text to one number: identical text goes once per 24 hours."""

    __tablename__ = "sms_fingerprint"

    to_phone: str = code_field(20, primary_key=True)
    body_hash: str = code_field(64, primary_key=True)  # sha256 of the text
    message_id: int
    claimed_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)


class SmsInbound(SQLModel, table=True):
    """A reply a customer sent, kept once by its provider id; an opt-out reply acted on."""

    __tablename__ = "sms_inbound"

    id: int | None = Field(default=None, primary_key=True)
    provider_sid: str = code_field(64, unique=True)
    from_phone: str = code_field(20, index=True)
    to_phone: str | None = code_field(20, default=None)
    body: str
    received_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    opt_out: bool = False
    customers_opted_out: int = 0
    recorded_at: datetime = created_at_field()
