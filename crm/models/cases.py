"""Complaints followed until solved, and inbound inquiries."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel

from crm.models.base import code_field, created_at_field, moment_field, one_of


class ComplaintStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"  # the store says solved; awaiting the customer's confirmation
    CLOSED = "closed"  # the customer confirmed


class ComplaintCategory(StrEnum):
    VEHICLE_QUALITY = "vehicle_quality"
    SERVICE_QUALITY = "service_quality"
    WAITING_TIME = "waiting_time"
    STAFF_ATTITUDE = "staff_attitude"
    PRICE = "price"
    PARTS = "parts"
    SALES = "sales"
    OTHER = "other"


class InquiryTopic(StrEnum):
    MODEL = "model"
    PRICE = "price"
    PROMOTION = "promotion"
    SERVICE = "service"
    COMPLAINT = "complaint"
    OTHER = "other"


class Complaint(SQLModel, table=True):
    """A complaint (投诉), with its department and deadlines."""

    __table_args__ = (
        Index("ix_complaint_store_status", "store_id", "status"),
        Index("ix_complaint_received", "received_at"),
        Index("ix_complaint_customer_status", "customer_id", "status"),
        CheckConstraint(one_of("status", ComplaintStatus), name="ck_complaint_status"),
        CheckConstraint(one_of("category", ComplaintCategory), name="ck_complaint_category"),
    )

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id")
    customer_id: int = Field(foreign_key="customer.id", index=True)
    vehicle_id: int | None = Field(default=None, foreign_key="vehicle.id")
    attempt_id: int | None = Field(default=None, foreign_key="contact_attempt.id")
    agent_id: int | None = Field(default=None, foreign_key="agent.id")
    category: str = code_field(24)
    department: str = code_field(24)
    text: str
    status: str = code_field(12, default=ComplaintStatus.OPEN)
    received_at: datetime = created_at_field()
    respond_by: datetime | None = moment_field()
    resolve_by: datetime | None = moment_field()
    first_response_at: datetime | None = moment_field()
    resolved_at: datetime | None = moment_field()
    resolution: str | None = None
    confirmed_at: datetime | None = moment_field()
    reopened: int = 0


class ComplaintNote(SQLModel, table=True):
    """A progress note on a complaint (跟进记录): what the department did or learnt."""

    __tablename__ = "complaint_note"

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    at: datetime = created_at_field()
    author: str = code_field(64)  # a user's code or "cli:<os user>", as in the audit trail
    text: str


class Inquiry(SQLModel, table=True):
    """An inbound call (咨询电话); an unknown number becomes a lead."""

    __table_args__ = (
        Index("ix_inquiry_store_received", "store_id", "received_at"),
        CheckConstraint(one_of("topic", InquiryTopic), name="ck_inquiry_topic"),
    )

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id")
    customer_id: int | None = Field(default=None, foreign_key="customer.id")
    agent_id: int | None = Field(default=None, foreign_key="agent.id")
    phone: str = code_field(20)
    name: str | None = None
    topic: str = code_field(12)
    note: str | None = None
    new_lead: bool = False
    received_at: datetime = created_at_field()
