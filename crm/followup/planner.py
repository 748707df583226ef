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
from datetime import date, datetime, time, timedelta
from itertools import chain, islice
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from crm.config import Settings
from crm.followup import candidates, closing, maintenance, rules
from crm.followup.calendars import HOLIDAYS, holidays_starting
from crm.followup.writes import insert_new
from crm.models import (
    Channel,
    Customer,
    CustomerStatus,
    DoNotCall,
    FollowupTask,
    PlanningRun,
    SmsMessage,
    SmsStatus,
    Store,
    Vehicle,
)
from crm.sms.render import render, salutation

CHUNK = 5000


@dataclass
class PlanResult:
    store: str
    day: date
    since: date
    created: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    closed: int = 0
    dry_run: bool = False

    def as_json(self) -> dict:
        return {
            "date": self.day.isoformat(),
            "store": self.store,
            "since": self.since.isoformat(),
            "created": dict(sorted(self.created.items())),
            "skipped": dict(sorted(self.skipped.items())),
            "closed": self.closed,
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


def horizon_for(
    session: Session, store: Store, day: date, settings: Settings, now: datetime
) -> candidates.Horizon:
    """The days and facts a run on `day` covers, from where the last run stopped.

    A first run reaches `catch_up_days` back for windows already open; afterwards each
    run plans the days since the last one, plus facts written since that run began.
    """
    previous = last_run(session, store.id)
    reach = day - timedelta(days=settings.followup.catch_up_days)
    if previous is None:
        return candidates.Horizon(store.id, day, reach, day, reach, None, now)
    after = previous.day + timedelta(days=1)
    return candidates.Horizon(
        store.id, day, after, after, min(after, reach), previous.started_at, now
    )


def plan_day(
    session: Session,
    store: Store,
    day: date,
    settings: Settings,
    now: datetime,
    *,
    dry_run: bool = False,
) -> PlanResult:
    """Plan `day` (and the days missed since the last run) for one store."""
    zone = ZoneInfo(store.timezone)
    horizon = horizon_for(session, store, day, settings, now)
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
        result.closed = closing.close_settled(session, store.id, now)
        owed = chain(
            candidates.deliveries(session, horizon, settings),
            candidates.first_service(session, horizon, settings, zone),
            candidates.service_visits(session, horizon, settings),
            candidates.maintenance(session, horizon, settings),
        )
        greetings = chain(
            candidates.birthdays(session, horizon),
            candidates.anniversaries(session, horizon),
            _holidays(session, horizon, settings),
        )
        writer = _Writer(session, store, settings, horizon, zone, now, result)
        for batch in _batches(chain(owed, greetings)):
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


def _holidays(session: Session, horizon, settings: Settings) -> Iterator[rules.Occurrence]:
    """Holiday greetings to every customer of the store, read a chunk of ids at a time."""
    for day in horizon.greeting_days():
        for key in holidays_starting(day, settings.followup.holidays):
            after = 0
            while (
                ids := session.execute(
                    select(Customer.id)
                    .where(Customer.store_id == horizon.store_id, Customer.id > after)
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


class _Writer:
    """Decides who gets each owed contact, then inserts what is new."""

    def __init__(self, session, store, settings, horizon, zone, now, result):
        self.session, self.store, self.settings = session, store, settings
        self.horizon, self.zone, self.now, self.result = horizon, zone, now, result
        self.locale = settings.store.locale

    def write(self, batch: list[rules.Occurrence]) -> None:
        customers = self._customers({o.customer_id for o in batch})
        blocked = self._do_not_call({o.customer_id for o in batch})
        vehicles = self._vehicles(
            {o.vehicle_id for o in batch if o.vehicle_id and o.channel == Channel.SMS}
        )
        tasks, messages = [], []
        for occurrence in sorted(batch, key=lambda o: (o.kind, o.subject, o.cycle)):
            customer = customers.get(occurrence.customer_id)
            reason = self._skip_reason(occurrence, customer, blocked)
            if reason:
                self.result.skipped[reason] += 1
                continue
            if occurrence.channel == Channel.PHONE:
                tasks.append(self._task(occurrence))
            else:
                messages.append(self._message(occurrence, customer, vehicles))
        for kind in insert_new(self.session, FollowupTask.__table__, tasks):
            self.result.created[kind] += 1
        for kind in insert_new(self.session, SmsMessage.__table__, messages):
            self.result.created[kind] += 1

    def _skip_reason(self, occurrence, customer, blocked) -> str | None:
        if customer is None or customer.status != CustomerStatus.ACTIVE:
            return "customer_lost_or_deceased"
        if occurrence.channel == Channel.PHONE:
            return "do_not_call" if (customer.id, occurrence.kind) in blocked else None
        if (
            occurrence.kind in rules.GREETINGS
            and occurrence.window_start < self.horizon.day - timedelta(days=1)
        ):
            return "greeting_too_late"
        if not customer.phone_valid:
            return "invalid_phone"
        consent = (
            customer.sms_consent
            if rules.SMS_CATEGORY[occurrence.kind] == "service"
            else customer.marketing_consent
        )
        return None if consent else "no_consent"

    def _task(self, occurrence: rules.Occurrence) -> dict:
        return {
            "store_id": self.store.id,
            "kind": str(occurrence.kind),
            "channel": Channel.PHONE.value,
            "subject": occurrence.subject,
            "cycle": occurrence.cycle,
            "customer_id": occurrence.customer_id,
            "vehicle_id": occurrence.vehicle_id,
            "window_start": occurrence.window_start,
            "due_date": occurrence.due_date,
            "status": "open",
            "reason": occurrence.reason,
            "details": occurrence.details,
            "attempts": 0,
            "late": occurrence.window_start < self.horizon.day,
            "created_at": self.now,
            "updated_at": self.now,
        }

    def _message(self, occurrence: rules.Occurrence, customer, vehicles: dict) -> dict:
        category = rules.SMS_CATEGORY[occurrence.kind]
        vehicle = vehicles.get(occurrence.vehicle_id)
        context = {
            "customer": salutation(customer.name, customer.gender, self.locale),
            "vehicle_model": vehicle.model if vehicle else "",
            "plate": (vehicle.plate or "") if vehicle else "",
            "due_date": occurrence.due_date.isoformat(),
            **{k: v for k, v in occurrence.details.items() if k != "holiday"},
        }
        if "holiday" in occurrence.details:
            context["holiday"] = HOLIDAYS[occurrence.details["holiday"]][
                1 if self.locale == "zh_CN" else 2
            ]
        expires = None
        if occurrence.kind in rules.GREETINGS:
            # A greeting belongs to its day: the outbox expires it at the day's end.
            end = datetime.combine(
                max(occurrence.window_start, self.horizon.day) + timedelta(days=1),
                time(0),
                self.zone,
            )
            expires = end
        return {
            "store_id": self.store.id,
            "vehicle_id": occurrence.vehicle_id,
            "customer_id": customer.id,
            "kind": str(occurrence.kind),
            "category": str(category),
            "subject": occurrence.subject,
            "cycle": occurrence.cycle,
            "to_phone": customer.phone,
            "body": render(
                str(occurrence.kind),
                category,
                self.locale,
                self.store.name,
                self.settings.sms.opt_out_line,
                context,
            ),
            "reason": occurrence.reason,
            "planned_for": occurrence.window_start,
            "status": SmsStatus.QUEUED.value,
            "expires_at": expires,
            "send_attempts": 0,
            "queued_at": self.now,
            "updated_at": self.now,
        }

    def _customers(self, ids: set[int]) -> dict:
        rows = self.session.execute(
            select(
                Customer.id,
                Customer.name,
                Customer.gender,
                Customer.phone,
                Customer.phone_valid,
                Customer.status,
                Customer.sms_consent,
                Customer.marketing_consent,
            ).where(Customer.id.in_(ids))
        )
        return {row.id: row for row in rows}

    def _do_not_call(self, ids: set[int]) -> set[tuple[int, str]]:
        rows = self.session.execute(
            select(DoNotCall.customer_id, DoNotCall.kind).where(DoNotCall.customer_id.in_(ids))
        )
        return {(customer_id, kind) for customer_id, kind in rows}

    def _vehicles(self, ids: set[int]) -> dict:
        if not ids:
            return {}
        rows = self.session.execute(
            select(Vehicle.id, Vehicle.model, Vehicle.plate).where(Vehicle.id.in_(ids))
        )
        return {row.id: row for row in rows}
