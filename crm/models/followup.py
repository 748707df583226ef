"""Follow-up tasks the cadence plans, and every contact attempt made on them."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from crm.models.base import code_field, created_at_field, moment_field, one_of, updated_at_field


class Channel(StrEnum):
    PHONE = "phone"
    SMS = "sms"


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    UNREACHABLE = "unreachable"
    CANCELLED = "cancelled"


class Outcome(StrEnum):
    REACHED = "reached"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    WRONG_NUMBER = "wrong_number"
    DECLINED = "declined"
    CALLBACK_LATER = "callback_later"


class FollowupTask(SQLModel, table=True):
    """One promised contact (a callback, a reminder call) owed to one customer.

    `(kind, subject, cycle)` is unique: the database, not the planner's memory,
    guarantees a customer is never planned the same contact twice. `subject` names
    what the contact is about ("vehicle:12", "visit:40", "customer:7") and `cycle`
    which occurrence ("2026-01-10", "2026" for a yearly greeting).
    """

    __tablename__ = "followup_task"
    __table_args__ = (
        UniqueConstraint("kind", "subject", "cycle", name="uq_task_kind_subject_cycle"),
        Index("ix_task_store_status_window", "store_id", "status", "window_start"),
        Index("ix_task_agent_status", "agent_id", "status"),
        Index("ix_task_vehicle", "vehicle_id"),
        # Held calls are few: "let go of my other call" reads only them.
        Index(
            "ix_task_claimed_by",
            "claimed_by",
            sqlite_where=text("claimed_by IS NOT NULL"),
            postgresql_where=text("claimed_by IS NOT NULL"),
        ),
        CheckConstraint(one_of("status", TaskStatus), name="ck_task_status"),
        CheckConstraint(one_of("channel", Channel), name="ck_task_channel"),
        CheckConstraint("window_start <= due_date", name="ck_task_window"),
    )

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id")
    kind: str = code_field(32)
    channel: str = code_field(8, default=Channel.PHONE)
    subject: str = code_field(48)
    cycle: str = code_field(32)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    vehicle_id: int | None = Field(default=None, foreign_key="vehicle.id")
    window_start: date
    due_date: date
    status: str = code_field(12, default=TaskStatus.OPEN)
    reason: str  # one line a human can read: why this contact is owed
    details: dict = Field(default_factory=dict, sa_type=JSON)
    agent_id: int | None = Field(default=None, foreign_key="agent.id")
    attempts: int = 0  # calls logged on it
    unanswered: int = 0  # of which no answer or busy: `followup.max_attempts` closes it
    last_attempt_at: datetime | None = moment_field()
    last_outcome: str | None = code_field(16, default=None)
    next_try_on: date | None = None  # an unanswered call or a callback moves it off today's list
    late: bool = False  # planned after its window opened (catch-up, late data)
    callback_at: datetime | None = moment_field()  # the time the customer asked to be called
    # "Being called by": a console user holds the call until the lease runs out, so two
    # agents never log it at once (the log's conditional UPDATE checks the claim).
    claimed_by: int | None = Field(default=None, foreign_key="app_user.id")
    claimed_until: datetime | None = moment_field()
    closed_at: datetime | None = moment_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class ContactAttempt(SQLModel, table=True):
    """One call made (or taken), with its result (回访结果)."""

    __tablename__ = "contact_attempt"
    __table_args__ = (
        Index("ix_attempt_customer_time", "customer_id", "attempted_at"),
        Index("ix_attempt_time", "attempted_at"),
        Index("ix_attempt_corrected", "corrected_at"),
        CheckConstraint(one_of("outcome", Outcome), name="ck_attempt_outcome"),
        CheckConstraint(
            "satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5", name="ck_attempt_satisfaction"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    task_id: int | None = Field(default=None, foreign_key="followup_task.id", index=True)
    customer_id: int = Field(foreign_key="customer.id")
    agent_id: int | None = Field(default=None, foreign_key="agent.id", index=True)
    # The console user who logged it (a manager logs under the call's agent); None from the CLI.
    logged_by: int | None = Field(default=None, foreign_key="app_user.id")
    attempted_at: datetime = created_at_field()
    outcome: str = code_field(16)
    satisfaction: int | None = None  # 1 非常不满意 … 5 非常满意
    mileage_km: int | None = None
    mileage_forced: bool = False
    note: str | None = None
    tags: list[str] = Field(default_factory=list, sa_type=JSON)
    callback_at: datetime | None = moment_field()
    # An amended result: the row holds the corrected values (the report and the prediction
    # read them); `correction` keeps the original values, the reason, who and when.
    corrected_at: datetime | None = moment_field()
    correction: dict | None = Field(default=None, sa_type=JSON)


class DoNotCall(SQLModel, table=True):
    """A customer's wish not to be called for one kind of follow-up."""

    __tablename__ = "do_not_call"
    __table_args__ = (UniqueConstraint("customer_id", "kind", name="uq_dnc_customer_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    kind: str = code_field(32)
    source: str = code_field(32)
    created_at: datetime = created_at_field()


class Campaign(SQLModel, table=True):
    """A service festival or car-care class the manager launched to a segment."""

    # Launching the same campaign twice would message everyone twice: names are unique.
    __table_args__ = (UniqueConstraint("store_id", "name", name="uq_campaign_store_name"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id")
    name: str
    template: str = code_field(64)
    segment: dict = Field(default_factory=dict, sa_type=JSON)
    with_calls: bool = False
    launched_on: date
    launched_at: datetime = created_at_field()
