"""A year in the life of a store: every task and message lands on its exact day, once.

The year is walked a quarter per test, so that xdist spreads it over the workers. Each
quarter starts from a prepared state: the planner run on the mornings before it where a
documented contact opens or something happens, with the same events, and the quiet
mornings in between recorded as planned. The quarter itself is planned every morning,
and the year's documented contacts that have opened by its last day must be exactly
what is there. Every morning of the year is planned for real by its own quarter.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from sqlmodel import select

from crm.actions.planning import plan
from crm.app import App
from crm.config import Settings
from crm.models import ContactAttempt, FollowupTask, PlanningRun, SmsMessage, Store
from tests.factories import add_customer, add_vehicle, add_visit

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST_DAY, LAST_DAY = date(2026, 1, 1), date(2027, 1, 31)
ONE_DAY = timedelta(days=1)

# (window start, kind, due date, status) for every contact of the year, as it stands on
# LAST_DAY. Each status is settled within days of the event that settles it, all in the
# first quarter, so a quarter's last day sees the same status as the year's.
WANG_YEAR = [
    (date(2026, 1, 1), "holiday_sms", date(2026, 1, 1), "queued"),
    (date(2026, 1, 11), "sales_callback", date(2026, 1, 17), "open"),
    (date(2026, 2, 9), "care_call", date(2026, 2, 14), "open"),
    # 4,800 km at day 30 is 160 km/day: 5,000 km on day 31, not at three months.
    # Nothing sends SMS in this test, so the first service on 02-15 cancels it.
    (date(2026, 2, 10), "first_service_sms", date(2026, 2, 10), "cancelled"),
    # The invitation call came due, then the first service on 02-15 closed it.
    (date(2026, 2, 13), "first_service_call", date(2026, 2, 17), "done"),
    (date(2026, 2, 16), "service_callback", date(2026, 2, 18), "open"),
    (date(2026, 2, 17), "holiday_sms", date(2026, 2, 17), "queued"),
    # 29 February falls on the 28th in a common year.
    (date(2026, 2, 28), "birthday_sms", date(2026, 2, 28), "queued"),
    # Readings 0 / 4,800 / 5,100 km fit 147.6 km/day: 5,000 km more by 03-20.
    (date(2026, 3, 17), "maintenance_call", date(2026, 3, 20), "done"),
    (date(2026, 3, 20), "service_callback", date(2026, 3, 22), "open"),
    # After the 03-19 service at 10,200 km, 149.2 km/day: due 04-21.
    (date(2026, 4, 18), "maintenance_call", date(2026, 4, 21), "open"),
    # Not in since, 60 days past that maintenance: one win-back call (流失预警).
    (date(2026, 6, 20), "lapsed_call", date(2026, 6, 27), "open"),
    (date(2026, 9, 25), "holiday_sms", date(2026, 9, 25), "queued"),
    (date(2026, 10, 1), "holiday_sms", date(2026, 10, 1), "queued"),
    (date(2027, 1, 1), "holiday_sms", date(2027, 1, 1), "queued"),
    (date(2027, 1, 10), "anniversary_sms", date(2027, 1, 10), "queued"),
]
LI_YEAR = [
    (date(2026, 1, 1), "holiday_sms", date(2026, 1, 1), "queued"),
    # First service 2025-09-10 at 3,000 km: 34.5 km/day reaches 8,000 km on 02-02.
    (date(2026, 1, 30), "maintenance_call", date(2026, 2, 2), "open"),
    (date(2026, 2, 17), "holiday_sms", date(2026, 2, 17), "queued"),
    # 60 days past the 02-02 maintenance, never back in: one win-back call.
    (date(2026, 4, 3), "lapsed_call", date(2026, 4, 10), "open"),
    (date(2026, 6, 15), "anniversary_sms", date(2026, 6, 15), "queued"),
    (date(2026, 9, 25), "birthday_sms", date(2026, 9, 25), "queued"),
    (date(2026, 9, 25), "holiday_sms", date(2026, 9, 25), "queued"),
    (date(2026, 10, 1), "holiday_sms", date(2026, 10, 1), "queued"),
    (date(2027, 1, 1), "holiday_sms", date(2027, 1, 1), "queued"),
]


def at(day: date, hour: int = 6, minute: int = 30) -> datetime:
    return datetime.combine(day, time(hour, minute), SHANGHAI).astimezone(UTC)


def days(first: date, last: date) -> list[date]:
    return [first + n * ONE_DAY for n in range((last - first).days + 1)]


def quarters(first: date, last: date) -> list[tuple[date, date]]:
    """Three calendar months at a time from `first` to `last`, as (first, last day) pairs."""
    spans = []
    while first <= last:
        months = first.year * 12 + first.month - 1 + 3
        following = date(months // 12, months % 12 + 1, 1)
        spans.append((first, min(following - ONE_DAY, last)))
        first = following
    return spans


def app_of(session) -> App:
    """The app on the test's database, as the scheduler would have it."""
    url = session.get_bind().url.render_as_string(hide_password=False)
    return App(settings=Settings(), database_url=url)


def walk(session, planning_days: list[date], events: dict) -> None:
    """Plan each given morning at 06:30 store time, then let the day's events happen at noon."""
    app = app_of(session)
    # One frozen clock moved day by day: starting a new freeze scans every loaded module.
    with freeze_time(at(FIRST_DAY)) as clock:
        for day in planning_days:
            clock.move_to(at(day))
            plan(app)
            session.expire_all()  # the planner wrote through its own session: read afresh
            clock.move_to(at(day, 12))
            for event in events.get(day, []):
                event()


def quiet_morning(session, day: date, since: date) -> None:
    """Record `day` as planned with nothing to do: what a run on a quiet morning leaves."""
    store = session.exec(select(Store)).one()
    session.add(
        PlanningRun(
            store_id=store.id,
            day=day,
            since=since,
            started_at=at(day),
            finished_at=at(day),
            host="test",
            pid=0,
        )
    )
    session.commit()


def prepare(session, start: date, busy_days: set[date], events: dict) -> None:
    """The state on the eve of `start`: the busy mornings before it planned, the rest quiet."""
    planned = None
    for day in sorted(day for day in busy_days if day < start):
        if planned and day - planned > ONE_DAY:
            quiet_morning(session, day - ONE_DAY, since=planned + ONE_DAY)
        walk(session, [day], events)
        planned = day
    if planned and start - planned > ONE_DAY:
        quiet_morning(session, start - ONE_DAY, since=planned + ONE_DAY)


def contacts(session, customer) -> list[tuple]:
    tasks = session.exec(select(FollowupTask).where(FollowupTask.customer_id == customer.id))
    messages = session.exec(select(SmsMessage).where(SmsMessage.customer_id == customer.id))
    return sorted(
        [(t.window_start, t.kind, t.due_date, t.status) for t in tasks]
        + [(m.planned_for, m.kind, m.planned_for, m.status) for m in messages]
    )


def opened_by(year: list[tuple], last: date) -> list[tuple]:
    return [contact for contact in year if contact[0] <= last]


def test_the_quarters_cover_the_year_once():
    spans = quarters(FIRST_DAY, LAST_DAY)
    assert [day for first, last in spans for day in days(first, last)] == days(FIRST_DAY, LAST_DAY)


@pytest.mark.parametrize(
    "quarter", quarters(FIRST_DAY, LAST_DAY), ids=lambda span: f"{span[0]}..{span[1]}"
)
def test_a_year_of_follow_up_lands_on_the_documented_days(session, quarter):
    first, last = quarter
    wang = add_customer(session, name="王伟", gender="male", birthday=date(1980, 2, 29))
    # 农历 1990-08-15 (born 1990-10-03): her birthday is Mid-Autumn, 2026-09-25.
    li = add_customer(
        session, name="李娜", gender="female", birthday=date(1990, 10, 3), birthday_calendar="lunar"
    )
    lost = add_customer(session, name="张强", status="lost", birthday=date(1985, 5, 5))
    wang_car = add_vehicle(session, wang, date(2026, 1, 10))
    li_car = add_vehicle(session, li, date(2025, 6, 15))
    add_vehicle(session, lost, date(2026, 3, 1))
    add_visit(session, li_car, date(2025, 9, 10), 3000, "first_service")

    def care_call_reports_4800_km():
        task = session.exec(
            select(FollowupTask).where(
                FollowupTask.kind == "care_call", FollowupTask.vehicle_id == wang_car.id
            )
        ).one()
        session.add(
            ContactAttempt(
                task_id=task.id,
                customer_id=wang.id,
                outcome="reached",
                attempted_at=at(date(2026, 2, 9), 10),
                mileage_km=4800,
                satisfaction=5,
            )
        )
        session.commit()

    events = {
        date(2026, 2, 9): [care_call_reports_4800_km],
        date(2026, 2, 15): [
            lambda: add_visit(session, wang_car, date(2026, 2, 15), 5100, "first_service")
        ],
        date(2026, 3, 19): [lambda: add_visit(session, wang_car, date(2026, 3, 19), 10200)],
    }

    # Busy mornings: the first (greetings start there), and each where something opens
    # or happens. The quarters that walk the quiet ones prove that they are quiet.
    busy = {FIRST_DAY} | {contact[0] for contact in WANG_YEAR + LI_YEAR} | set(events)
    prepare(session, first, busy, events)
    walk(session, days(first, last), events)

    assert contacts(session, wang) == opened_by(WANG_YEAR, last)
    assert contacts(session, li) == opened_by(LI_YEAR, last)
    assert contacts(session, lost) == []


def test_every_contact_says_why_it_is_there(session):
    wang = add_customer(session, name="王伟", gender="male")
    add_vehicle(session, wang, date(2026, 1, 10))

    with freeze_time(at(date(2026, 1, 11))):
        plan(app_of(session))

    task = session.exec(select(FollowupTask)).one()
    assert task.reason == "delivered 2026-01-10; 7-day callback due 2026-01-17"
