"""What the desk's own machinery records: planning runs, other jobs' last runs, the
scheduler's lock, the workers and the scheduled runs they share."""

from datetime import date, datetime

from sqlalchemy import JSON, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from crm.models.base import code_field, created_at_field, moment_field


class PlanningRun(SQLModel, table=True):
    """One planning of one store's day: what it looked at and what it produced."""

    __tablename__ = "planning_run"
    __table_args__ = (Index("ix_planning_run_store_day", "store_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id")
    day: date
    since: date  # the first day this run caught up (the day after the previous run)
    started_at: datetime = created_at_field()
    finished_at: datetime | None = moment_field()
    created: dict = Field(default_factory=dict, sa_type=JSON)
    skipped: dict = Field(default_factory=dict, sa_type=JSON)
    host: str = code_field(128)
    pid: int


class SchedulerLock(SQLModel, table=True):
    """Who runs the scheduler on this database; an unrenewed lock expires."""

    __tablename__ = "scheduler_lock"

    name: str = code_field(32, primary_key=True)
    host: str = code_field(128)
    pid: int
    acquired_at: datetime = created_at_field()
    expires_at: datetime = created_at_field()


class JobLastRun(SQLModel, table=True):
    """When a recurring job (SMS dispatch) last ran to its end: the dashboard's job health.

    One row per job, overwritten by each run: planning keeps a row per run (PlanningRun)
    because what it produced matters; a job that runs every minute needs only its last.
    """

    __tablename__ = "job_last_run"

    name: str = code_field(32, primary_key=True)  # e.g. sms_dispatch
    finished_at: datetime = created_at_field()
    host: str = code_field(128)


class Worker(SQLModel, table=True):
    """One `crm worker` process; its heartbeat (the database's clock) says it is alive."""

    __tablename__ = "worker"

    id: int | None = Field(default=None, primary_key=True)
    host: str = code_field(128)
    pid: int
    started_at: datetime = created_at_field()
    heartbeat_at: datetime = created_at_field()
    stopped_at: datetime | None = moment_field()
    running: int = 0  # jobs under way at the last heartbeat


class JobRun(SQLModel, table=True):
    """One scheduled run of one job for one store (or "*", every store), at one time.

    The unique slot is what lets every worker offer the same run and exactly one row
    exist; a worker claims a row under a lease that its heartbeat renews, and a row whose
    lease lapsed (its worker died) is claimed again by another.
    """

    __tablename__ = "job_run"
    __table_args__ = (
        UniqueConstraint("job", "scope", "scheduled_at", name="uq_job_run_slot"),
        Index("ix_job_run_status", "status", "scheduled_at"),
        Index("ix_job_run_job_scope", "job", "scope", "scheduled_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    job: str = code_field(32)
    scope: str = code_field(64)  # a store's code, or "*" for work across every store
    scheduled_at: datetime = created_at_field()
    status: str = code_field(16, default="queued")  # queued, running, done, failed
    attempts: int = 0
    worker_id: int | None = None  # who holds (or last held) it
    lease_until: datetime | None = moment_field()  # also "not before" for a retry
    started_at: datetime | None = moment_field()
    finished_at: datetime | None = moment_field()
    result: dict = Field(default_factory=dict, sa_type=JSON)
    error: str | None = Field(default=None, sa_type=String(500))
