"""The documented cadence as pure rules: given the facts and the settings, what is owed when.

Nothing here reads the clock or the database. The planner selects the facts whose
contacts can fall in the days it plans (a query per rule), asks these functions for
each contact's window, and lets the database's unique key keep it exactly-once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import NamedTuple

from crm.config import FollowupSettings, Window
from crm.models import Channel
from crm.vocabulary.calendars import HOLIDAYS, add_months, lunar_year
from crm.vocabulary.kinds import SMS_CATEGORY, Kind


@dataclass(slots=True)
class Occurrence:
    """One contact the cadence owes: `(kind, subject, cycle)` names it for all time.

    Built by the hundred thousand in a first run and never changed after: slots and no
    frozen guard (a frozen dataclass sets each field through `object.__setattr__`, five
    times the cost of building one), so it is not hashable either.
    """

    kind: Kind
    customer_id: int
    subject: str
    cycle: str
    window_start: date
    due_date: date
    reason: str
    vehicle_id: int | None = None
    details: dict = field(default_factory=dict, compare=False)

    @property
    def channel(self) -> str:
        return Channel.SMS if self.kind in SMS_CATEGORY else Channel.PHONE


class Delivery(NamedTuple):
    """A vehicle handed to its buyer (a row of the planner's read, as read)."""

    vehicle_id: int
    customer_id: int
    delivery_date: date


class Visit(NamedTuple):
    """A repair order of a car, with the car's current owner."""

    visit_id: int
    vehicle_id: int
    customer_id: int
    visit_date: date
    ro_number: str
    service_type: str


class Reading(NamedTuple):
    """An odometer reading: from a visit, a call, or the 0 km of delivery."""

    day: date
    km: int


def _window(event: date, window: Window) -> tuple[date, date]:
    return event + _days(window.open_after_days), event + _days(window.due_after_days)


@cache
def _days(count: int) -> timedelta:
    """A window's offset, built once: a first run asks for a few hundred thousand."""
    return timedelta(days=count)


def sales_callback(car: Delivery, settings: FollowupSettings) -> Occurrence:
    """七日内电话回访: a call within a week of delivery."""
    opens, due = _window(car.delivery_date, settings.sales_callback)
    return Occurrence(
        Kind.SALES_CALLBACK,
        car.customer_id,
        f"vehicle:{car.vehicle_id}",
        "delivery",
        opens,
        due,
        f"delivered {car.delivery_date}; {settings.sales_callback.due_after_days}-day "
        f"callback due {due}",
        car.vehicle_id,
    )


def care_call(car: Delivery, settings: FollowupSettings) -> Occurrence:
    """30日电话关怀: how is the car used, how far has it gone."""
    opens, due = _window(car.delivery_date, settings.care_call)
    return Occurrence(
        Kind.CARE_CALL,
        car.customer_id,
        f"vehicle:{car.vehicle_id}",
        "delivery",
        opens,
        due,
        f"delivered {car.delivery_date}; {settings.care_call.open_after_days}-day care call "
        f"due {due}: ask about usage and mileage",
        car.vehicle_id,
        {
            "first_service_on": add_months(
                car.delivery_date, settings.first_service_sms_after_months
            ).isoformat(),
            "first_service_km": settings.first_service_km,
        },
    )


def first_service_date(
    delivery: date, readings: list[Reading], settings: FollowupSettings
) -> tuple[date, str]:
    """When the first-service SMS is owed, and why then.

    Normally delivery + N calendar months (31 Jan + 1 month is the month's end). A
    reading reported on a call that projects the first-service km earlier brings it
    forward to the projected day, but never before the reading.
    """
    planned = add_months(delivery, settings.first_service_sms_after_months)
    reason = f"{settings.first_service_sms_after_months} months after delivery"
    for reading in sorted(readings, key=lambda r: r.day):
        days = (reading.day - delivery).days
        if days <= 0 or reading.km <= 0:
            continue
        # Integer arithmetic: 1,250 km in 7 days reaches 5,000 km on day 28, not 27.999.
        reach = delivery + timedelta(days=settings.first_service_km * days // reading.km)
        projected = max(reach, reading.day)
        if projected < planned:
            planned = projected
            reason = (
                f"{reading.km} km reported on {reading.day} projects "
                f"{settings.first_service_km} km by {reach}"
            )
    return planned, reason


def first_service_sms(
    car: Delivery, readings: list[Reading], settings: FollowupSettings, found=None
) -> Occurrence:
    """三个月首保提醒 (SMS); the planner drops it once the car has been in.

    `found`: the car's `first_service_date`, when the caller has it already."""
    day, why = found or first_service_date(car.delivery_date, readings, settings)
    return Occurrence(
        Kind.FIRST_SERVICE_SMS,
        car.customer_id,
        f"vehicle:{car.vehicle_id}",
        "first",
        day,
        day,
        f"delivered {car.delivery_date}; first-service reminder on {day} ({why})",
        car.vehicle_id,
        {"first_service_km": settings.first_service_km},
    )


def first_service_call(
    car: Delivery, readings: list[Reading], settings: FollowupSettings, found=None
) -> Occurrence:
    """The phone invitation a few days after the first-service SMS, if still not in."""
    sms_day, _why = found or first_service_date(car.delivery_date, readings, settings)
    opens, due = first_service_call_window(sms_day, settings)
    return Occurrence(
        Kind.FIRST_SERVICE_CALL,
        car.customer_id,
        f"vehicle:{car.vehicle_id}",
        "first",
        opens,
        due,
        f"first-service SMS on {sms_day}, car not in yet; invitation call due {due}",
        car.vehicle_id,
        {"first_service_km": settings.first_service_km, "first_service_on": sms_day.isoformat()},
    )


def first_service_call_window(sms_day: date, settings: FollowupSettings) -> tuple[date, date]:
    """When the invitation call opens and is due, from the first-service SMS's day."""
    return _window(sms_day, settings.first_service_call)


def service_callback(visit: Visit, settings: FollowupSettings) -> Occurrence:
    """三日内电话回访 after each repair order."""
    opens, due = _window(visit.visit_date, settings.service_callback)
    return Occurrence(
        Kind.SERVICE_CALLBACK,
        visit.customer_id,
        f"visit:{visit.visit_id}",
        "callback",
        opens,
        due,
        f"{visit.service_type} visit {visit.ro_number} on {visit.visit_date}; "
        f"{settings.service_callback.due_after_days}-day callback due {due}",
        visit.vehicle_id,
    )


def maintenance_call(
    vehicle_id: int,
    customer_id: int,
    due: date,
    pace_km_day: float | None,
    readings: int,
    basis_visit_id: int,
    settings: FollowupSettings,
) -> Occurrence:
    """定保提醒: a call N days before the predicted maintenance date, due on it."""
    opens = due - timedelta(days=settings.maintenance_call_days_before)
    basis = (
        f"{pace_km_day:.0f} km/day over {readings} readings"
        if pace_km_day is not None
        else f"by months; {readings} reading(s), no usable pace"
    )
    return Occurrence(
        Kind.MAINTENANCE_CALL,
        customer_id,
        f"vehicle:{vehicle_id}",
        f"after:{basis_visit_id}",
        opens,
        due,
        f"maintenance predicted {due} ({basis})",
        vehicle_id,
        {"predicted_on": due.isoformat(), "pace_km_day": pace_km_day, "readings": readings},
    )


def lapse_start(
    last_in: date, maintenance_due_on: date | None, settings: FollowupSettings
) -> tuple[date, str]:
    """When a car counts as lapsed (流失): months after it was last in, or sooner when its
    predicted maintenance is that long overdue; and which of the two it was."""
    away = add_months(last_in, settings.lapsed_after_months)
    if maintenance_due_on is not None:
        overdue = maintenance_due_on + timedelta(days=settings.lapsed_overdue_days)
        if overdue < away:
            return overdue, "overdue"
    return away, "away"


def lapsed_call(
    vehicle_id: int,
    customer_id: int,
    last_visit: tuple[int, date] | None,
    delivered: date,
    maintenance_due_on: date | None,
    settings: FollowupSettings,
) -> Occurrence:
    """流失预警: one win-back call per lapse (a lapse ends with the car's next visit)."""
    last_in = last_visit[1] if last_visit else delivered
    start, why = lapse_start(last_in, maintenance_due_on, settings)
    if why == "overdue":
        late = (start - maintenance_due_on).days
        details = {"overdue_days": late, "predicted_on": maintenance_due_on.isoformat()}
        reason = f"maintenance predicted {maintenance_due_on} is {late} days overdue"
    else:
        months = settings.lapsed_after_months
        details = {"months": months}
        if last_visit:
            details["last_visit"] = last_in.isoformat()
        else:
            details["delivered"] = last_in.isoformat()
        reason = (
            f"not in for {months} months (last {'visit' if last_visit else 'delivery'} {last_in})"
        )
    return Occurrence(
        Kind.LAPSED_CALL,
        customer_id,
        f"vehicle:{vehicle_id}",
        f"after:{last_visit[0] if last_visit else 'delivery'}",
        start,
        start + timedelta(days=settings.lapsed_call_days),
        reason,
        vehicle_id,
        details,
    )


# Greetings (the days they fall on: crm.vocabulary.calendars) ---------------------


def birthday_sms(customer_id: int, birth: date, lunar: bool, day: date) -> Occurrence:
    """生日祝福 on `day`, which the planner found to be this customer's birthday."""
    if lunar:
        cycle = f"L{lunar_year(day)}"
        why = f"lunar birthday (born {birth})"
    else:
        cycle, why = str(day.year), f"birthday (born {birth})"
    return Occurrence(
        Kind.BIRTHDAY_SMS,
        customer_id,
        f"customer:{customer_id}",
        cycle,
        day,
        day,
        f"{why} on {day}",
    )


def anniversary_sms(
    ownership_id: int, vehicle_id: int, customer_id: int, started: date, day: date
) -> Occurrence | None:
    """爱车购买纪念日: each anniversary of the owner's purchase, from the first.

    Keyed by the ownership: a car sold on starts its new owner's years afresh.
    """
    years = day.year - started.year
    if years < 1:
        return None
    return Occurrence(
        Kind.ANNIVERSARY_SMS,
        customer_id,
        f"ownership:{ownership_id}",
        str(years),
        day,
        day,
        f"bought {started}; {years}-year anniversary on {day}",
        vehicle_id,
        {"years": years},
    )


def holiday_sms(customer_id: int, key: str, day: date) -> Occurrence:
    """节日祝福 on the first day of a configured holiday."""
    return Occurrence(
        Kind.HOLIDAY_SMS,
        customer_id,
        f"customer:{customer_id}",
        f"{key}:{day.year}",
        day,
        day,
        f"{HOLIDAYS[key][2]} greeting on {day}",
        details={"holiday": key},
    )
