"""The documented cadence as pure rules: what each fact owes, when, and under which name.

Expected dates are worked out from the cadence table (DOMAIN.md), not read back from the
code; lunar facts come from the reference table (tests/lunar_reference.py), not the code's calendar.
"""

from datetime import date, timedelta

import pytest

from crm.config import FollowupSettings, Settings, Window
from crm.followup import rules
from crm.followup.rules import Delivery, Reading, Visit
from crm.vocabulary.calendars import (
    holidays_starting,
    lunar_birthday,
    lunar_births_celebrating,
    solar_birthday,
    solar_births_celebrating,
)
from crm.vocabulary.kinds import Kind
from tests import lunar_reference as reference

SETTINGS = Settings().followup
DELIVERED = date(2026, 1, 10)
ALL_HOLIDAYS = ["spring_festival", "mid_autumn", "national_day", "new_year"]


def delivery(day: date = DELIVERED, vehicle_id: int = 7, customer_id: int = 3) -> Delivery:
    return Delivery(vehicle_id=vehicle_id, customer_id=customer_id, delivery_date=day)


def visit(visit_id: int = 11, day: date = date(2026, 3, 2), ro_number: str = "RO0001") -> Visit:
    return Visit(
        visit_id=visit_id,
        vehicle_id=7,
        customer_id=3,
        visit_date=day,
        ro_number=ro_number,
        service_type="maintenance",
    )


def key(occurrence: rules.Occurrence) -> tuple[str, str, str]:
    return occurrence.kind, occurrence.subject, occurrence.cycle


def is_short_lunar_month(year: int, month: int) -> bool:
    """True when the lunar month has 29 days (its day 30 does not exist that year)."""
    return reference.month(year, month).days == 29


# --- sales callback and care call ---------------------------------------------------------


def test_the_sales_callback_window_opens_the_day_after_delivery_and_is_due_a_week_after_it():
    call = rules.sales_callback(delivery(), SETTINGS)

    assert call.kind == Kind.SALES_CALLBACK
    assert call.channel == "phone"
    assert (call.window_start, call.due_date) == (date(2026, 1, 11), date(2026, 1, 17))
    assert "2026-01-10" in call.reason and "2026-01-17" in call.reason


def test_the_sales_callback_window_crosses_the_month_end_by_calendar_days():
    call = rules.sales_callback(delivery(date(2026, 2, 25)), SETTINGS)

    assert (call.window_start, call.due_date) == (date(2026, 2, 26), date(2026, 3, 4))


def test_the_sales_callback_window_follows_the_configured_days():
    settings = FollowupSettings(sales_callback=Window(open_after_days=2, due_after_days=5))

    call = rules.sales_callback(delivery(), settings)

    assert (call.window_start, call.due_date) == (date(2026, 1, 12), date(2026, 1, 15))


def test_the_care_call_window_opens_thirty_days_after_delivery_and_is_due_at_thirty_five():
    call = rules.care_call(delivery(), SETTINGS)

    assert call.kind == Kind.CARE_CALL
    assert call.channel == "phone"
    # 10 January + 30 days = 9 February; + 35 days = 14 February.
    assert (call.window_start, call.due_date) == (date(2026, 2, 9), date(2026, 2, 14))
    assert "2026-01-10" in call.reason and "2026-02-14" in call.reason


# --- first service ------------------------------------------------------------------------


def test_the_first_service_sms_goes_three_calendar_months_after_delivery():
    sms = rules.first_service_sms(delivery(), [], SETTINGS)

    assert sms.kind == Kind.FIRST_SERVICE_SMS
    assert sms.channel == "sms"
    assert (sms.window_start, sms.due_date) == (date(2026, 4, 10), date(2026, 4, 10))
    assert "2026-01-10" in sms.reason and "2026-04-10" in sms.reason


@pytest.mark.parametrize(
    ("delivered", "reminded"),
    [
        (date(2025, 11, 30), date(2026, 2, 28)),  # no 30 February: the month's last day
        (date(2024, 1, 31), date(2024, 4, 30)),  # no 31 April
        (date(2023, 11, 30), date(2024, 2, 29)),  # a leap year's February has the 29th
        (date(2025, 10, 31), date(2026, 1, 31)),  # across the year, no clamping needed
    ],
)
def test_the_first_service_sms_clamps_to_the_end_of_a_shorter_month(delivered, reminded):
    sms = rules.first_service_sms(delivery(delivered), [], SETTINGS)

    assert sms.due_date == reminded


def test_mileage_reported_on_the_care_call_brings_the_first_service_sms_forward():
    # 4,800 km at day 30 is 160 km a day; 5,000 km comes at day 31.25, i.e. during day 31.
    care_call_day = date(2026, 2, 9)  # delivery + 30

    sms = rules.first_service_sms(delivery(), [Reading(care_call_day, 4800)], SETTINGS)

    assert sms.due_date == date(2026, 2, 10)  # delivery + 31
    assert "2026-02-09" in sms.reason and "2026-02-10" in sms.reason


def test_the_first_service_call_follows_a_brought_forward_sms():
    call = rules.first_service_call(delivery(), [Reading(date(2026, 2, 9), 4800)], SETTINGS)

    assert (call.window_start, call.due_date) == (date(2026, 2, 13), date(2026, 2, 17))


def test_a_reading_that_reaches_the_first_service_km_on_an_exact_day_projects_that_day():
    # 1,250 km reported on the 7-day sales callback: 5,000 km is exactly four times as far,
    # so it is reached on day 28 (7 February), not a day earlier.
    sms = rules.first_service_sms(delivery(), [Reading(date(2026, 1, 17), 1250)], SETTINGS)

    assert sms.due_date == date(2026, 2, 7)


def test_a_reading_that_projects_the_first_service_km_after_three_months_changes_nothing():
    # 1,000 km in 30 days reaches 5,000 km at day 150, after the 3-month date.
    sms = rules.first_service_sms(delivery(), [Reading(date(2026, 2, 9), 1000)], SETTINGS)

    assert sms.due_date == date(2026, 4, 10)
    assert "3 months after delivery" in sms.reason


def test_a_car_already_past_the_first_service_km_is_reminded_on_the_reading_day_not_before():
    # 6,000 km at day 30 would have reached 5,000 km at day 25, which has already passed.
    sms = rules.first_service_sms(delivery(), [Reading(date(2026, 2, 9), 6000)], SETTINGS)

    assert sms.due_date == date(2026, 2, 9)


def test_the_earliest_projection_among_several_readings_wins_in_any_order():
    slow = Reading(date(2026, 1, 17), 200)  # 7 days, 200 km: 5,000 km at day 175
    fast = Reading(date(2026, 2, 9), 4800)  # 30 days: 5,000 km at day 31

    assert rules.first_service_sms(delivery(), [fast, slow], SETTINGS).due_date == date(2026, 2, 10)
    assert rules.first_service_sms(delivery(), [slow, fast], SETTINGS).due_date == date(2026, 2, 10)


def test_readings_on_the_delivery_day_or_of_zero_km_give_no_pace():
    readings = [Reading(DELIVERED, 3000), Reading(date(2026, 2, 9), 0)]

    assert rules.first_service_sms(delivery(), readings, SETTINGS).due_date == date(2026, 4, 10)


def test_the_first_service_km_comes_from_the_settings():
    settings = FollowupSettings(first_service_km=2400)
    # 4,800 km at day 30 is 160 km a day: 2,400 km came at day 15, before the reading.

    sms = rules.first_service_sms(delivery(), [Reading(date(2026, 2, 9), 4800)], settings)

    assert sms.due_date == date(2026, 2, 9)
    assert sms.details["first_service_km"] == 2400


def test_the_first_service_call_window_opens_three_days_after_the_sms_and_is_due_at_seven():
    call = rules.first_service_call(delivery(), [], SETTINGS)

    assert call.kind == Kind.FIRST_SERVICE_CALL
    assert call.channel == "phone"
    assert (call.window_start, call.due_date) == (date(2026, 4, 13), date(2026, 4, 17))
    assert "2026-04-10" in call.reason and "2026-04-17" in call.reason


# --- service callback and maintenance call -----------------------------------------------


def test_the_service_callback_window_opens_the_day_after_the_visit_and_is_due_three_days_after():
    call = rules.service_callback(visit(), SETTINGS)

    assert call.kind == Kind.SERVICE_CALLBACK
    assert call.channel == "phone"
    assert (call.window_start, call.due_date) == (date(2026, 3, 3), date(2026, 3, 5))
    assert "RO0001" in call.reason
    assert "2026-03-02" in call.reason and "2026-03-05" in call.reason


def test_the_service_callback_after_a_visit_late_in_february_falls_due_in_march():
    call = rules.service_callback(visit(day=date(2026, 2, 27)), SETTINGS)

    assert (call.window_start, call.due_date) == (date(2026, 2, 28), date(2026, 3, 2))


def test_the_maintenance_call_window_opens_three_days_before_the_predicted_date_and_is_due_on_it():
    call = rules.maintenance_call(7, 3, date(2026, 6, 2), 48.7, 4, 11, SETTINGS)

    assert call.kind == Kind.MAINTENANCE_CALL
    assert call.channel == "phone"
    assert (call.window_start, call.due_date) == (date(2026, 5, 30), date(2026, 6, 2))
    assert "2026-06-02" in call.reason and "49 km/day" in call.reason


def test_a_maintenance_call_predicted_without_a_pace_says_it_rests_on_months():
    call = rules.maintenance_call(7, 3, date(2026, 6, 2), None, 1, 11, SETTINGS)

    assert "2026-06-02" in call.reason and "by months" in call.reason


# --- the name of each occurrence (kind, subject, cycle) ---------------------------------


def test_the_same_facts_name_the_same_occurrence():
    readings = [Reading(date(2026, 2, 9), 4800)]

    assert key(rules.sales_callback(delivery(), SETTINGS)) == key(
        rules.sales_callback(delivery(), SETTINGS)
    )
    assert key(rules.care_call(delivery(), SETTINGS)) == key(rules.care_call(delivery(), SETTINGS))
    assert key(rules.service_callback(visit(), SETTINGS)) == key(
        rules.service_callback(visit(), SETTINGS)
    )
    assert rules.first_service_call(delivery(), readings, SETTINGS) == rules.first_service_call(
        delivery(), readings, SETTINGS
    )


def test_two_visits_of_one_car_owe_two_service_callbacks():
    first = rules.service_callback(visit(visit_id=11, ro_number="RO0001"), SETTINGS)
    second = rules.service_callback(
        visit(visit_id=12, day=date(2026, 5, 6), ro_number="RO0002"), SETTINGS
    )

    assert first.subject != second.subject
    assert key(first) != key(second)


def test_two_cars_of_one_customer_owe_two_sales_callbacks():
    first = rules.sales_callback(delivery(vehicle_id=7), SETTINGS)
    second = rules.sales_callback(delivery(vehicle_id=8), SETTINGS)

    assert key(first) != key(second)


def test_a_reading_that_moves_the_first_service_sms_keeps_its_name():
    planned = rules.first_service_sms(delivery(), [], SETTINGS)
    moved = rules.first_service_sms(delivery(), [Reading(date(2026, 2, 9), 4800)], SETTINGS)

    assert planned.due_date != moved.due_date
    assert key(planned) == key(moved)


def test_a_new_maintenance_prediction_from_the_same_visit_keeps_its_name():
    earlier = rules.maintenance_call(7, 3, date(2026, 6, 2), 48.7, 4, 11, SETTINGS)
    later = rules.maintenance_call(7, 3, date(2026, 7, 1), 30.0, 5, 11, SETTINGS)
    after_next_visit = rules.maintenance_call(7, 3, date(2026, 12, 1), 30.0, 6, 12, SETTINGS)

    assert key(earlier) == key(later)
    assert key(after_next_visit) != key(earlier)


# --- greetings: the occurrences -----------------------------------------------------------


def test_a_solar_birthday_greeting_is_an_sms_on_the_day_counted_by_solar_year():
    sms = rules.birthday_sms(3, date(1985, 3, 5), False, date(2026, 3, 5))

    assert sms.kind == Kind.BIRTHDAY_SMS
    assert sms.channel == "sms"
    assert (sms.window_start, sms.due_date) == (date(2026, 3, 5), date(2026, 3, 5))
    assert sms.cycle == "2026"
    assert "1985-03-05" in sms.reason and "2026-03-05" in sms.reason


def test_solar_birthday_greetings_of_two_years_are_two_occurrences():
    this_year = rules.birthday_sms(3, date(1985, 3, 5), False, date(2026, 3, 5))
    next_year = rules.birthday_sms(3, date(1985, 3, 5), False, date(2027, 3, 5))

    assert this_year.subject == next_year.subject
    assert this_year.cycle != next_year.cycle


def test_a_lunar_birthday_greeting_is_counted_by_the_lunar_year():
    # Lunar 1990-08-15 (solar 1990-10-03) falls on Mid-Autumn 2026, 25 September.
    assert reference.solar(1990, 8, 15) == date(1990, 10, 3)

    sms = rules.birthday_sms(3, date(1990, 10, 3), True, date(2026, 9, 25))

    assert sms.cycle == "L2026"
    assert sms.due_date == date(2026, 9, 25)
    assert "1990-10-03" in sms.reason and "2026-09-25" in sms.reason


def test_a_lunar_birthday_in_january_belongs_to_the_lunar_year_before_the_spring_festival():
    # Spring Festival 2026 is 17 February, so 20 January 2026 is still in lunar year 2025.
    assert next(d[1] for d in reference.days() if d[0] == date(2026, 1, 20)) == 2025

    sms = rules.birthday_sms(3, date(1990, 1, 1), True, date(2026, 1, 20))

    assert sms.cycle == "L2025"


def test_there_is_no_anniversary_in_the_year_of_the_purchase():
    assert rules.anniversary_sms(11, 7, 3, DELIVERED, DELIVERED) is None


@pytest.mark.parametrize(
    ("day", "years"),
    [(date(2027, 1, 10), 1), (date(2028, 1, 10), 2), (date(2036, 1, 10), 10)],
)
def test_each_purchase_anniversary_counts_the_years_since_delivery(day, years):
    sms = rules.anniversary_sms(11, 7, 3, DELIVERED, day)

    assert sms.kind == Kind.ANNIVERSARY_SMS
    assert sms.channel == "sms"
    assert (sms.window_start, sms.due_date) == (day, day)
    assert sms.cycle == str(years)
    assert sms.details["years"] == years
    assert "2026-01-10" in sms.reason and day.isoformat() in sms.reason


def test_a_holiday_greeting_is_an_sms_named_by_holiday_and_year():
    sms = rules.holiday_sms(3, "spring_festival", date(2026, 2, 17))

    assert sms.kind == Kind.HOLIDAY_SMS
    assert sms.channel == "sms"
    assert (sms.subject, sms.cycle) == ("customer:3", "spring_festival:2026")
    assert (sms.window_start, sms.due_date) == (date(2026, 2, 17), date(2026, 2, 17))
    assert "Spring Festival" in sms.reason and "2026-02-17" in sms.reason


# --- greetings: the days they fall on -----------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "year", "birthday"),
    [
        (date(2000, 2, 29), 2026, date(2026, 2, 28)),
        (date(2000, 2, 29), 2028, date(2028, 2, 29)),
        (date(1985, 3, 5), 2026, date(2026, 3, 5)),
    ],
)
def test_a_29_february_birthday_falls_on_the_28th_in_common_years_only(birth, year, birthday):
    assert solar_birthday(birth, year) == birthday


def test_on_28_february_of_a_common_year_both_28_and_29_february_births_celebrate():
    births = solar_births_celebrating(date(2027, 2, 28))

    assert date(1990, 2, 28) in births
    assert date(2000, 2, 29) in births
    assert date(2024, 2, 29) in births


def test_on_28_february_of_a_leap_year_only_28_february_births_celebrate():
    births = solar_births_celebrating(date(2028, 2, 28))

    assert date(1990, 2, 28) in births
    assert date(2024, 2, 29) not in births
    assert date(2024, 2, 29) in solar_births_celebrating(date(2028, 2, 29))


def test_solar_births_celebrating_a_day_are_that_month_and_day_and_never_after_it():
    day = date(2026, 3, 10)

    births = solar_births_celebrating(day)

    assert date(1985, 3, 10) in births
    assert all((b.month, b.day) == (3, 10) for b in births)
    assert all(b <= day for b in births)
    assert all(b <= date(2027, 2, 28) for b in solar_births_celebrating(date(2027, 2, 28)))


def test_a_lunar_birthday_is_found_on_the_solar_day_of_that_lunar_date():
    # Lunar 8/15 in 2026 is Mid-Autumn, 25 September.
    assert reference.solar(2026, 8, 15) == date(2026, 9, 25)

    assert date(1990, 10, 3) in lunar_births_celebrating(date(2026, 9, 25))
    assert date(1990, 10, 3) not in lunar_births_celebrating(date(2026, 9, 24))


def test_a_lunar_birthday_on_day_30_falls_on_day_29_when_the_month_is_short():
    birth = reference.solar(1990, 2, 30)  # 1990-03-26
    assert is_short_lunar_month(2026, 2)
    day_29 = reference.solar(2026, 2, 29)  # 2026-04-16

    assert birth == date(1990, 3, 26) and day_29 == date(2026, 4, 16)
    assert birth in lunar_births_celebrating(day_29)


def test_a_lunar_birthday_on_day_30_stays_on_day_30_when_the_month_is_long():
    birth = date(1990, 3, 26)  # lunar 1990-02-30
    assert not is_short_lunar_month(2027, 2)
    day_29 = reference.solar(2027, 2, 29)
    day_30 = reference.solar(2027, 2, 30)

    assert birth not in lunar_births_celebrating(day_29)
    assert birth in lunar_births_celebrating(day_30)


def test_a_birth_in_a_leap_lunar_month_celebrates_in_the_ordinary_month():
    # 2020 had a leap 4th month; its 10th day was 1 June 2020. Lunar 4/10 of 2026 is 26 May.
    assert reference.month(2020, 4, leap=True).days
    birth = reference.solar(2020, 4, 10, leap=True)
    assert birth == date(2020, 6, 1)

    assert birth in lunar_births_celebrating(reference.solar(2026, 4, 10))


def test_no_lunar_birthday_is_kept_in_a_leap_month():
    # 2025 had a leap 6th month: 6/10 is 4 July, leap 6/10 is 3 August.
    assert reference.month(2025, 6, leap=True).days
    born_on_6_10 = reference.solar(1990, 6, 10)

    assert born_on_6_10 in lunar_births_celebrating(date(2025, 7, 4))
    assert lunar_births_celebrating(date(2025, 8, 3)) == []


def test_lunar_births_celebrating_a_day_are_never_after_it():
    day = date(2026, 9, 25)

    assert all(b <= day for b in lunar_births_celebrating(day))


def test_a_lunar_birthday_is_placed_in_the_lunar_year_of_the_given_day():
    assert lunar_birthday(date(1990, 10, 3), date(2026, 3, 10)) == date(2026, 9, 25)
    assert lunar_birthday(date(1990, 3, 26), date(2026, 3, 10)) == date(2026, 4, 16)


@pytest.mark.parametrize(
    ("day", "starting"),
    [
        (date(2026, 1, 1), ["new_year"]),
        (date(2026, 2, 17), ["spring_festival"]),
        (date(2026, 9, 25), ["mid_autumn"]),
        (date(2026, 10, 1), ["national_day"]),
    ],
)
def test_each_configured_holiday_starts_on_its_first_official_day(day, starting):
    assert holidays_starting(day, ALL_HOLIDAYS) == starting


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 2, 16),  # Chinese New Year's Eve, a day off but not the festival
        date(2026, 2, 18),  # the Spring Festival's second day
        date(2026, 10, 2),  # National Day's second day
        date(2026, 1, 2),  # a substituted day off after New Year's Day
        date(2026, 3, 10),
    ],
)
def test_no_holiday_starts_on_a_day_that_is_not_a_first_day(day):
    assert holidays_starting(day, ALL_HOLIDAYS) == []


def test_only_the_configured_holidays_start():
    assert holidays_starting(date(2026, 10, 1), ["spring_festival", "mid_autumn"]) == []
    assert holidays_starting(date(2026, 10, 1), []) == []


def test_holidays_that_share_a_first_day_both_start_on_it():
    # In 2031 lunar 8/15 is 1 October: Mid-Autumn and National Day begin together.
    assert reference.solar(2031, 8, 15) == date(2031, 10, 1)

    assert holidays_starting(date(2031, 10, 1), ALL_HOLIDAYS) == ["mid_autumn", "national_day"]
    assert holidays_starting(date(2031, 10, 2), ALL_HOLIDAYS) == []


def test_the_planners_solar_lookup_agrees_with_the_birthday_rule_every_day_of_a_year():
    # The planner selects births by day (the inverse); the rule says each birth's day.
    births = [date(1980, 1, 1) + timedelta(days=n) for n in range(0, 366 * 4, 3)]
    day = date(2027, 1, 1)
    while day.year == 2027:
        celebrating = set(solar_births_celebrating(day))
        assert {b for b in births if solar_birthday(b, 2027) == day} == {
            b for b in births if b in celebrating
        }
        day += timedelta(days=1)


def test_the_planners_lunar_lookup_agrees_with_the_lunar_birthday_rule():
    births = [date(1990, 1, 1) + timedelta(days=n) for n in range(0, 366, 5)]
    day = date(2026, 3, 1)
    while day < date(2027, 1, 1):
        celebrating = set(lunar_births_celebrating(day))
        for birth in births:
            assert (birth in celebrating) == (lunar_birthday(birth, day) == day), (birth, day)
        day += timedelta(days=1)
