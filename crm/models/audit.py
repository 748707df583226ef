"""Who changed what: one row per change a manager must be able to account for."""

from datetime import datetime

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from crm.models.base import code_field, created_at_field


class AuditEvent(SQLModel, table=True):
    """A change by a person (or the CLI, or a job): a phone, consent, reassignment, import…"""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_store_at", "store_id", "at"),
        Index("ix_audit_event_customer", "customer_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id")
    at: datetime = created_at_field()
    actor: str = code_field(64)  # a user's code, "cli:<os user>" or "scheduler"
    action: str = code_field(32)  # e.g. customer_phone, consent, reassign, import
    customer_id: int | None = Field(default=None, foreign_key="customer.id")
    subject: str = code_field(200, default="")  # what it was about, in a few words
    detail: dict = Field(default_factory=dict, sa_type=JSON)  # before/after, counts, file
