"""Planning a store's day: each contact the cadence owes lands once, as a task or an SMS.

1. Work out the horizon: the days since the last run, and a catch-up reach for late data.
2. Refresh the maintenance predictions that new visits or readings made stale.
3. Close what the facts already settled (a car came in; a customer was marked lost).
4. Ask each rule for the contacts that can fall in the horizon, and decide who gets them.
5. Insert tasks and messages; the unique key (kind, subject, cycle) drops what exists.
"""

from __future__ import annotations

import os
import socket
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import chain, islice
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, select

from crm.config import Settings
from crm.followup import candidates, changes, closing, greetings, lapsed, maintenance, rules
from crm.followup.writes import ContactWriter
from crm.models import (
    Customer,
    PlanningRun,
    Store,
)
from crm.vocabulary.calendars import holidays_starting

CHUNK = 5000


@dataclass
class PlanResult:
    store: str
    day: date
    since: date
    created: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    closed: int = 0
    assigned: int = 0  # open calls given an agent after planning
    dry_run: bool = False

    def as_json(self) -> dict:
        return {
            "date": self.day.isoformat(),
            "store": self.store,
            "since": self.since.isoformat(),
            "created": dict(sorted(self.created.items())),
            "skipped": dict(sorted(self.skipped.items())),
            "closed": self.closed,
            "assigned": self.assigned,
            "dry_run": self.dry_run,
        }


def last_run(session: Session, store_id: int) -> PlanningRun | None:
    """The store's latest finished planning run."""
    return session.exec(
        select(PlanningRun)
        .where(PlanningRun.store_id == store_id, PlanningRun.finished_at.is_not(None))
        .order_by(PlanningRun.day.desc(), PlanningRun.started_at.desc())
        .limit(1)
    ).first()


# Facts written up to this long before the previous run began count as new again: a
# batch stamped just before that run may have committed just after it read.
OVERLAP = timedelta(minutes=2)


def horizon_for(
    session: Session, store: Store, day: date, settings: Settings, *, incremental: bool = True
):
    """The days and facts a run on `day` covers, from where the last run stopped.

    A first run plans every contact still owed within the last `catch_up_days`;
    afterwards each run plans the days since the last one, plus facts written since
    that run began.
    """
    previous = last_run(session, store.id)
    reach = day - timedelta(days=settings.followup.catch_up_days)
    if previous is None:
        # Everything is new to a first run: every contact still owed within the reach.
        return candidates.Horizon(store.id, day, reach, day, reach, changes.EPOCH, greet_floor=day)
    after = previous.day + timedelta(days=1)
    first_day = session.exec(
        select(func.min(PlanningRun.day)).where(
            PlanningRun.store_id == store.id, PlanningRun.finished_at.is_not(None)
        )
    ).one()
    return candidates.Horizon(
        store.id,
        day,
        after,
        after,
        min(after, reach),
        previous.started_at - OVERLAP,
        greet_floor=first_day,
        by_change_time=incremental,
    )


def plan_day(
    session: Session,
    store: Store,
    day: date,
    settings: Settings,
    now: datetime,
    *,
    dry_run: bool = False,
    incremental: bool = True,
    calls=None,
) -> PlanResult:
    """Plan `day` (and the days missed since the last run) for one store.

    `calls` (`crm.calls.assignment.NewCalls`) gives each new call its agent as it is
    written; without it new calls have none.

    `incremental=False` reads every fact by its dates and re-checks every open task, as
    a first run does: the same result at the cost of what exists (tests compare them).
    """
    zone = ZoneInfo(store.timezone)
    horizon = horizon_for(session, store, day, settings, incremental=incremental)
    since = horizon.since
    result = PlanResult(store.code, day, since, dry_run=dry_run)
    run = None
    if not dry_run:
        run = PlanningRun(
            store_id=store.id,
            day=day,
            since=since,
            started_at=now,
            host=socket.gethostname(),
            pid=os.getpid(),
        )
        session.add(run)
        session.commit()
    try:
        maintenance.refresh(session, store.id, settings.maintenance, zone, now, commit=not dry_run)
        changed = horizon.changed_after if horizon.reads_changes else None
        result.closed = closing.close_settled(session, store.id, now, changed_after=changed)
        owed = chain(
            candidates.deliveries(session, horizon, settings),
            candidates.first_service(session, horizon, settings, zone),
            candidates.service_visits(session, horizon, settings),
            candidates.maintenance(session, horizon, settings),
            lapsed.candidates(session, horizon, settings),
        )
        greeted = chain(
            greetings.birthdays(session, horizon),
            greetings.anniversaries(session, horizon),
            _holidays(session, horizon, settings, result),
        )
        writer = ContactWriter(session, store, settings, day, zone, now, result, calls)
        for batch in _batches(chain(owed, greeted)):
            writer.write(batch)
        if run is not None:
            run.created, run.skipped = dict(result.created), dict(result.skipped)
            run.finished_at = now
            session.add(run)
            session.commit()
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    return result


def _holidays(
    session: Session, horizon, settings: Settings, result: PlanResult
) -> Iterator[rules.Occurrence]:
    """Holiday greetings to every customer of the store, read a chunk of ids at a time."""
    names = settings.followup.holidays
    in_store = Customer.store_id == horizon.store_id
    for day in horizon.greeting_days():
        for key in holidays_starting(day, names):
            if day < horizon.day - timedelta(days=1):
                # Missed by more than a day (the service was down): counted, not built.
                late = session.execute(
                    select(func.count()).select_from(Customer).where(in_store)
                ).scalar_one()
                result.skipped["greeting_too_late"] += late
                continue
            yield from _greet_all(session, key, day, in_store)
    # Customers who arrived since the last run, on a holiday an earlier run greeted.
    late_days = horizon.late_greeting_days()
    if late_days and horizon.reads_changes:  # the few written since, by that time's index
        ids = changes.changed_customers(session, horizon.store_id, horizon.changed_after)
        # Nobody new, no calendar to consult (building one costs more than the rest).
        for day in late_days if ids else []:
            for key in holidays_starting(day, names):
                yield from (rules.holiday_sms(customer_id, key, day) for customer_id in ids)
        return
    for day in late_days:
        for key in holidays_starting(day, names):
            fresh = Customer.updated_at > horizon.changed_after
            yield from _greet_all(session, key, day, in_store, fresh)


def _greet_all(session: Session, key: str, day: date, *conditions) -> Iterator[rules.Occurrence]:
    after = 0
    while (
        ids := session.execute(
            select(Customer.id)
            .where(Customer.id > after, *conditions)
            .order_by(Customer.id)
            .limit(CHUNK)
        )
        .scalars()
        .all()
    ):
        yield from (rules.holiday_sms(customer_id, key, day) for customer_id in ids)
        after = ids[-1]


def _batches(items: Iterable, size: int = CHUNK) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
