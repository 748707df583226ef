"""The scheduled runs the workers share: offered by all, made once, claimed by one.

Leases and back-offs are on the database's clock (`statement_timestamp()`), one clock
for every machine; the slots themselves are on the product's clock (`crm.clock`), as the
stores' days are.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, case, exists, func, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import aliased
from sqlmodel import Session

from crm.models import JobRun
from crm.workers.schedule import HOUSEKEEPING, SMS_DISPATCH, SMS_SYNC, Slot

RUNS = JobRun.__table__
QUEUED, RUNNING, DONE, FAILED, SKIPPED = "queued", "running", "done", "failed", "skipped"
MAX_ATTEMPTS = 3  # a run that failed (or lost its worker) this often waits for a person
# A newer slot of these does all that an older, unstarted one would: the older is skipped.
SUPERSEDED = (SMS_DISPATCH, SMS_SYNC, HOUSEKEEPING)


def offer(session: Session, slots: list[Slot]) -> int:
    """Make a run of each slot that has none; returns how many this call made.

    Every worker offers the same slots; the unique key makes one row of each, whoever
    comes first. The slots already there are left out before inserting, so the id
    sequence is not spent on a conflict at every tick of every worker.
    """
    if not slots:
        return 0
    keys = {(slot.job, slot.scope, slot.at) for slot in slots}
    present = session.execute(
        select(RUNS.c.job, RUNS.c.scope, RUNS.c.scheduled_at).where(
            tuple_(RUNS.c.job, RUNS.c.scope, RUNS.c.scheduled_at).in_(list(keys))
        )
    ).all()
    missing = keys - {tuple(row) for row in present}
    if not missing:
        session.rollback()
        return 0
    rows = [
        {
            "job": job,
            "scope": scope,
            "scheduled_at": at,
            "status": QUEUED,
            "attempts": 0,
            "result": {},
        }
        for job, scope, at in sorted(missing)
    ]
    made = len(
        session.execute(
            insert(RUNS)
            .values(rows)
            .on_conflict_do_nothing(constraint="uq_job_run_slot")
            .returning(RUNS.c.id)
        ).all()
    )
    if made:
        newer = aliased(RUNS)
        session.execute(
            update(RUNS)
            .where(
                RUNS.c.job.in_(SUPERSEDED),
                RUNS.c.status == QUEUED,
                exists().where(
                    newer.c.job == RUNS.c.job,
                    newer.c.scope == RUNS.c.scope,
                    newer.c.scheduled_at > RUNS.c.scheduled_at,
                ),
            )
            .values(status=SKIPPED, error="a newer run of the same job does its work")
        )
    session.commit()
    return made


def claim(session: Session, worker_id: int, lease: timedelta, now: datetime):
    """The oldest run that is due and free, now held by `worker_id`; None when there is none.

    Free: queued (past any back-off), or running under a lease that lapsed because its
    worker died or lost the database. Rows another worker is claiming are skipped, not
    waited for.
    """
    clock = func.statement_timestamp()
    free = or_(
        and_(
            RUNS.c.status == QUEUED, or_(RUNS.c.lease_until.is_(None), RUNS.c.lease_until < clock)
        ),
        and_(RUNS.c.status == RUNNING, RUNS.c.lease_until < clock),
    )
    pick = (
        select(RUNS.c.id)
        .where(free, RUNS.c.attempts < MAX_ATTEMPTS)
        .order_by(RUNS.c.scheduled_at, RUNS.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    row = session.execute(
        update(RUNS)
        .where(RUNS.c.id == pick)
        .values(
            status=RUNNING,
            worker_id=worker_id,
            attempts=RUNS.c.attempts + 1,
            lease_until=clock + lease,
            started_at=now,
            finished_at=None,
        )
        .returning(RUNS.c.id, RUNS.c.job, RUNS.c.scope, RUNS.c.scheduled_at, RUNS.c.attempts)
    ).first()
    session.commit()
    return row


def renew(session: Session, worker_id: int, run_ids: list[int], lease: timedelta) -> set[int]:
    """Extend the leases of the runs this worker still holds; returns their ids."""
    if not run_ids:
        return set()
    held = session.execute(
        update(RUNS)
        .where(RUNS.c.id.in_(run_ids), RUNS.c.worker_id == worker_id, RUNS.c.status == RUNNING)
        .values(lease_until=func.statement_timestamp() + lease)
        .returning(RUNS.c.id)
    ).scalars()
    ours = set(held)
    session.commit()
    return ours


def finish(
    session: Session,
    run_id: int,
    worker_id: int,
    now: datetime,
    result: dict | None = None,
    error: str | None = None,
    retry_after: timedelta = timedelta(minutes=1),
) -> bool:
    """Record a run's end, if it is still ours; a failed run is tried again after a pause
    (by any worker) until MAX_ATTEMPTS."""
    values: dict = {"finished_at": now, "result": result or {}}
    if error is None:
        values |= {"status": DONE, "error": None, "lease_until": None}
    else:
        values |= {
            "status": case((RUNS.c.attempts < MAX_ATTEMPTS, QUEUED), else_=FAILED),
            "error": error[:500],
            "lease_until": func.statement_timestamp() + retry_after,
        }
    ended = session.execute(
        update(RUNS)
        .where(RUNS.c.id == run_id, RUNS.c.worker_id == worker_id, RUNS.c.status == RUNNING)
        .values(**values)
    ).rowcount
    session.commit()
    return bool(ended)


def tidy(session: Session, now: datetime, keep: timedelta = timedelta(days=7)) -> dict:
    """Forget finished runs older than `keep`; give up on runs whose every attempt died."""
    gave_up = session.execute(
        update(RUNS)
        .where(
            RUNS.c.status == RUNNING,
            RUNS.c.lease_until < func.statement_timestamp(),
            RUNS.c.attempts >= MAX_ATTEMPTS,
        )
        .values(status=FAILED, error="its worker stopped answering at every attempt")
    ).rowcount
    forgotten = session.execute(
        RUNS.delete().where(
            RUNS.c.status.in_((DONE, FAILED, SKIPPED)), RUNS.c.scheduled_at < now - keep
        )
    ).rowcount
    session.commit()
    return {"gave_up": gave_up, "forgotten_runs": forgotten}
