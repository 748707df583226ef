"""Stores, their customers and their customer-service agents."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from crm.models.base import code_field, created_at_field, moment_field, one_of, updated_at_field


class CustomerStatus(StrEnum):
    ACTIVE = "active"
    LOST = "lost"
    DECEASED = "deceased"


class BirthdayCalendar(StrEnum):
    SOLAR = "solar"
    LUNAR = "lunar"


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"


class Store(SQLModel, table=True):
    """One dealership; a dealer group keeps many in one database."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = code_field(32, unique=True)
    name: str
    timezone: str = code_field(64, default="Asia/Shanghai")
    created_at: datetime = created_at_field()


class Customer(SQLModel, table=True):
    """A person the store keeps in touch with (a buyer, a service customer or a lead).

    `birthday` is always the solar date of birth; when `birthday_calendar` is lunar
    the customer celebrates the lunar month and day of that date.
    """

    __table_args__ = (
        UniqueConstraint("store_id", "customer_code", name="uq_customer_store_code"),
        # Without a DMS id the phone is the customer's key within the store.
        Index(
            "uq_customer_store_phone_without_code",
            "store_id",
            "phone",
            unique=True,
            sqlite_where=text("customer_code IS NULL"),
            postgresql_where=text("customer_code IS NULL"),
        ),
        Index("ix_customer_store_phone", "store_id", "phone"),
        Index("ix_customer_store_birthday", "store_id", "birthday"),
        Index("ix_customer_store_updated", "store_id", "updated_at"),
        CheckConstraint(one_of("status", CustomerStatus), name="ck_customer_status"),
        CheckConstraint(
            one_of("birthday_calendar", BirthdayCalendar), name="ck_customer_birthday_calendar"
        ),
        CheckConstraint(f"gender IS NULL OR {one_of('gender', Gender)}", name="ck_customer_gender"),
    )

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id")
    customer_code: str | None = code_field(64, default=None)
    name: str
    phone: str = code_field(20)  # E.164
    phone_valid: bool = True  # false once a call or the SMS provider proves it wrong
    phone_sms: bool = True  # a mobile; a fixed line takes the store's calls, never an SMS
    birthday: date | None = None
    birthday_calendar: str = code_field(8, default=BirthdayCalendar.SOLAR)
    gender: str | None = code_field(8, default=None)
    occupation: str | None = None
    hobbies: str | None = None
    family_notes: str | None = None
    referred_by: str | None = None
    sms_consent: bool = True
    sms_consent_at: datetime | None = moment_field()
    sms_consent_source: str | None = code_field(32, default=None)
    marketing_consent: bool = False
    marketing_consent_at: datetime | None = moment_field()
    marketing_consent_source: str | None = code_field(32, default=None)
    status: str = code_field(12, default=CustomerStatus.ACTIVE)
    is_lead: bool = False  # 潜在客户: known from an inquiry, has bought nothing yet
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class Agent(SQLModel, table=True):
    """A customer-service agent (客服专员) who works the call list."""

    __table_args__ = (UniqueConstraint("store_id", "code", name="uq_agent_store_code"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id")
    code: str = code_field(32)
    name: str
    active: bool = True
    created_at: datetime = created_at_field()
