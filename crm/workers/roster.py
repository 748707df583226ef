"""Who works: each worker's row and heartbeat, on the database's clock."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, insert, or_, update
from sqlmodel import Session

from crm.models import Worker

WORKERS = Worker.__table__


def join(session: Session, host: str, pid: int) -> int:
    """A new worker's row; returns its id."""
    worker_id = session.execute(
        insert(WORKERS)
        .values(
            host=host,
            pid=pid,
            started_at=func.statement_timestamp(),
            heartbeat_at=func.statement_timestamp(),
            running=0,
        )
        .returning(WORKERS.c.id)
    ).scalar_one()
    session.commit()
    return worker_id


def beat(session: Session, worker_id: int, running: int) -> bool:
    """The worker is alive and runs `running` jobs; False when its row is gone (tidied
    away after a long silence: the caller joins again)."""
    alive = session.execute(
        update(WORKERS)
        .where(WORKERS.c.id == worker_id)
        .values(heartbeat_at=func.statement_timestamp(), running=running, stopped_at=None)
    ).rowcount
    session.commit()
    return bool(alive)


def leave(session: Session, worker_id: int) -> None:
    session.execute(
        update(WORKERS)
        .where(WORKERS.c.id == worker_id)
        .values(stopped_at=func.statement_timestamp(), running=0)
    )
    session.commit()


def forget_silent(session: Session, after: timedelta = timedelta(days=1)) -> int:
    """Drop the rows of workers stopped, or silent, for longer than `after`."""
    gone = session.execute(
        WORKERS.delete().where(
            or_(
                WORKERS.c.stopped_at < func.statement_timestamp() - after,
                WORKERS.c.heartbeat_at < func.statement_timestamp() - after,
            )
        )
    ).rowcount
    session.commit()
    return gone
