"""What the desk's own machinery records: planning runs, other jobs' last runs, the lock."""

from datetime import date, datetime

from sqlalchemy import JSON, Index
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
