"""A year in the life of a store: every task and message lands on its exact day, once."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from freezegun import freeze_time
from sqlmodel import select

from crm.actions.planning import plan
from crm.app import App
from crm.config import Settings
from crm.models import ContactAttempt, FollowupTask, SmsMessage
from tests.factories import add_customer, add_vehicle, add_visit

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST_DAY, LAST_DAY = date(2026, 1, 1), date(2027, 1, 31)


def at(day: date, hour: int = 6, minute: int = 30) -> datetime:
    return datetime.combine(day, time(hour, minute), SHANGHAI).astimezone(UTC)


def days():
    day = FIRST_DAY
    while day <= LAST_DAY:
        yield day
        day += timedelta(days=1)


def app_of(session) -> App:
    """The app on the test's database, as the scheduler would have it."""
    url = session.get_bind().url.render_as_string(hide_password=False)
    return App(settings=Settings(), database_url=url)


def walk(session, events: dict) -> None:
    """Plan each morning at 06:30 store time, then let the day's events happen."""
    app = app_of(session)
    for day in days():
        with freeze_time(at(day)):
            plan(app)
        for event in events.get(day, []):
            event()


def contacts(session, customer) -> list[tuple]:
    tasks = session.exec(select(FollowupTask).where(FollowupTask.customer_id == customer.id))
    messages = session.exec(select(SmsMessage).where(SmsMessage.customer_id == customer.id))
    return sorted(
        [(t.window_start, t.kind, t.due_date, t.status) for t in tasks]
        + [(m.planned_for, m.kind, m.planned_for, m.status) for m in messages]
    )


def test_a_year_of_follow_up_lands_on_the_documented_days(session):
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

    walk(
        session,
        {
            date(2026, 2, 9): [care_call_reports_4800_km],
            date(2026, 2, 15): [
                lambda: add_visit(session, wang_car, date(2026, 2, 15), 5100, "first_service")
            ],
            date(2026, 3, 19): [lambda: add_visit(session, wang_car, date(2026, 3, 19), 10200)],
        },
    )

    assert contacts(session, wang) == [
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
        (date(2026, 9, 25), "holiday_sms", date(2026, 9, 25), "queued"),
        (date(2026, 10, 1), "holiday_sms", date(2026, 10, 1), "queued"),
        (date(2027, 1, 1), "holiday_sms", date(2027, 1, 1), "queued"),
        (date(2027, 1, 10), "anniversary_sms", date(2027, 1, 10), "queued"),
    ]
    assert contacts(session, li) == [
        (date(2026, 1, 1), "holiday_sms", date(2026, 1, 1), "queued"),
        # First service 2025-09-10 at 3,000 km: 34.5 km/day reaches 8,000 km on 02-02.
        (date(2026, 1, 30), "maintenance_call", date(2026, 2, 2), "open"),
        (date(2026, 2, 17), "holiday_sms", date(2026, 2, 17), "queued"),
        (date(2026, 6, 15), "anniversary_sms", date(2026, 6, 15), "queued"),
        (date(2026, 9, 25), "birthday_sms", date(2026, 9, 25), "queued"),
        (date(2026, 9, 25), "holiday_sms", date(2026, 9, 25), "queued"),
        (date(2026, 10, 1), "holiday_sms", date(2026, 10, 1), "queued"),
        (date(2027, 1, 1), "holiday_sms", date(2027, 1, 1), "queued"),
    ]
    assert contacts(session, lost) == []


def test_every_contact_says_why_it_is_there(session):
    wang = add_customer(session, name="王伟", gender="male")
    add_vehicle(session, wang, date(2026, 1, 10))

    with freeze_time(at(date(2026, 1, 11))):
        plan(app_of(session))

    task = session.exec(select(FollowupTask)).one()
    assert task.reason == "delivered 2026-01-10; 7-day callback due 2026-01-17"
