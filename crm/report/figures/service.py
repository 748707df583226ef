"""Shop visits and revenue, and reminders followed by a visit (the reminder-to-visit funnel)."""

from __future__ import annotations

from sqlalchemy import exists, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from crm.models import (
    ContactAttempt,
    FollowupTask,
    Outcome,
    ServiceType,
    ServiceVisit,
    SmsMessage,
)
from crm.report.definitions import (
    REMINDER_CALL_KINDS,
    REMINDER_SMS_KINDS,
    REPAIRS,
    ROUTINE_SERVICE,
)
from crm.report.figures.scope import Scope, count_if, ratio
from crm.report.periods import plus_days

V = ServiceVisit


def visits(scope: Scope) -> dict:
    """Visits in the month by type, revenue, and new versus returning customers."""
    earlier = aliased(ServiceVisit)
    # A customer belongs to one store, so their visits need no store filter here; with
    # one, SQLite would walk the store's visits by date instead of the customer's.
    # Earlier than this visit, not than the month: a first-time customer's second visit in
    # the month is a returning visit. Two on one day: the one logged first is the earlier.
    returning = exists().where(
        earlier.customer_id == V.customer_id,
        or_(
            earlier.visit_date < V.visit_date,
            (earlier.visit_date == V.visit_date) & (earlier.id < V.id),
        ),
    )
    rows = scope.all(
        select(
            V.service_type,
            func.count(),
            func.sum(V.revenue_cents),
            count_if(returning),
        )
        .where(V.store_id == scope.store_id, scope.on_days(V.visit_date))
        .group_by(V.service_type)
    )
    by_type = {row[0]: int(row[1]) for row in rows}
    revenues = [int(row[2]) for row in rows if row[2] is not None]
    total = sum(by_type.values())
    returning_visits = sum(int(row[3]) for row in rows)
    cents = sum(revenues) if revenues else None
    return {
        "service_visits": total,
        "service_visits_by_type": {t.value: by_type.get(t, 0) for t in ServiceType}
        | {t: n for t, n in by_type.items() if t not in set(ServiceType)},
        "service_visits_routine": sum(by_type.get(t, 0) for t in ROUTINE_SERVICE),
        "service_visits_repair": sum(by_type.get(t, 0) for t in REPAIRS),
        "customers_new": total - returning_visits,
        "customers_returning": returning_visits,
        "service_revenue_cents": cents,
        "service_revenue": None if cents is None else cents / 100,
    }


def reminders(scope: Scope) -> dict:
    """Reminders sent in the month, the vehicles they reached, and the vehicles that came in."""
    t = FollowupTask
    a = ContactAttempt
    sms = select(
        SmsMessage.vehicle_id.label("vehicle_id"),
        scope.local.date(SmsMessage.sent_at).label("reminded_on"),
        literal("sms").label("channel"),
    ).where(
        SmsMessage.store_id == scope.store_id,
        SmsMessage.kind.in_(REMINDER_SMS_KINDS),
        scope.within(SmsMessage.sent_at),
    )
    calls = (
        select(
            t.vehicle_id.label("vehicle_id"),
            scope.local.date(a.attempted_at).label("reminded_on"),
            literal("call").label("channel"),
        )
        .select_from(a)
        .join(t, t.id == a.task_id)
        .where(
            t.store_id == scope.store_id,
            t.kind.in_(REMINDER_CALL_KINDS),
            a.outcome == Outcome.REACHED,
            scope.within(a.attempted_at),
        )
    )
    sent = union_all(sms, calls).subquery("reminder")
    counts = scope.one(select(func.count(), count_if(sent.c.channel == "sms")).select_from(sent))
    first = (
        select(sent.c.vehicle_id, func.min(sent.c.reminded_on).label("first_on"))
        .where(sent.c.vehicle_id.is_not(None))
        .group_by(sent.c.vehicle_id)
        .subquery("reminded")
    )
    came_in = exists().where(
        V.vehicle_id == first.c.vehicle_id,
        V.service_type.in_(ROUTINE_SERVICE),
        V.visit_date >= first.c.first_on,
        V.visit_date <= plus_days(scope.dialect, first.c.first_on, scope.conversion_window_days),
    )
    vehicles, converted = scope.one(select(func.count(), count_if(came_in)).select_from(first))
    total, by_sms = int(counts[0]), int(counts[1])
    return {
        "reminders_sent": total,
        "reminders_sms": by_sms,
        "reminders_calls": total - by_sms,
        "reminders_vehicles": int(vehicles),
        "reminders_converted": int(converted),
        "reminder_conversion_rate": ratio(int(converted), int(vehicles)),
    }
