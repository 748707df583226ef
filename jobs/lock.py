"""One scheduler per database: a lease row that its holder renews and a dead holder lets lapse."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from crm.errors import CrmError
from crm.models import SchedulerLock

NAME = "scheduler"
# Renewed every minute; long enough that a busy database delaying a renewal is no loss.
LEASE = timedelta(minutes=10)


class LockHeld(CrmError):
    exit_code = 2


def holder() -> tuple[str, int]:
    return socket.gethostname(), os.getpid()


def acquire(session: Session, now: datetime, me: tuple[str, int] | None = None) -> None:
    """Take the lock, or fail naming who holds it; an expired lease is taken over."""
    host, pid = me or holder()
    table = SchedulerLock.__table__
    # Take over a lapsed lease with a conditional UPDATE: the row count says who won.
    taken = session.execute(
        update(table)
        .where(table.c.name == NAME, table.c.expires_at < now)
        .values(host=host, pid=pid, acquired_at=now, expires_at=now + LEASE)
    ).rowcount
    if not taken:
        try:
            session.execute(
                insert(table).values(
                    name=NAME, host=host, pid=pid, acquired_at=now, expires_at=now + LEASE
                )
            )
        except IntegrityError:
            session.rollback()
            current = session.exec(select(SchedulerLock).where(SchedulerLock.name == NAME)).one()
            if (current.host, current.pid) != (host, pid):
                raise LockHeld(
                    f"another scheduler runs on this database: process {current.pid} on "
                    f"{current.host} (lease until {current.expires_at:%Y-%m-%d %H:%M:%S} UTC); "
                    "stop it first"
                ) from None
            renew(session, now, (host, pid))
            return
    session.commit()


def renew(session: Session, now: datetime, me: tuple[str, int] | None = None) -> bool:
    """Extend our lease; False when it is no longer ours."""
    host, pid = me or holder()
    table = SchedulerLock.__table__
    renewed = session.execute(
        update(table)
        .where(table.c.name == NAME, table.c.host == host, table.c.pid == pid)
        .values(expires_at=now + LEASE)
    ).rowcount
    session.commit()
    return bool(renewed)


def release(session: Session, me: tuple[str, int] | None = None) -> None:
    host, pid = me or holder()
    table = SchedulerLock.__table__
    session.execute(
        delete(table).where(table.c.name == NAME, table.c.host == host, table.c.pid == pid)
    )
    session.commit()
