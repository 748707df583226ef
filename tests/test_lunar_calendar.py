"""The lunar calendar is exact: every day of 1900-2099 as the reference table has it."""

from datetime import date

import pytest

from crm.importing import values
from crm.importing.values import BadValue
from crm.vocabulary import lunar
from crm.vocabulary.calendars import lunar_birthday, lunar_births_celebrating
from tests import lunar_reference as reference

AFTER_THE_RANGE = date(2100, 12, 31)


def test_the_reference_covers_lunar_1900_to_2099_without_gaps():
    months = reference.months()
    assert (months[0].year, months[0].first_day) == (1900, lunar.FIRST_DAY)
    assert months[-1].year == 2099
    for before, after in zip(months, months[1:], strict=False):
        assert (after.first_day - before.first_day).days == before.days


def test_every_day_of_1900_to_2099_has_the_reference_lunar_date():
    wrong = [
        (day, found)
        for day, year, month, dom, leap in reference.days()
        if (found := lunar.to_lunar(day)) != lunar.LunarDay(year, month, dom, leap)
    ]
    assert wrong == []


def test_every_lunar_month_has_the_reference_first_day_and_length():
    for month in reference.months():
        assert lunar.to_solar(month.year, month.month, 1, month.leap) == month.first_day
        assert lunar.month_days(month.year, month.month, month.leap) == month.days, month


def test_the_importer_round_trips_every_lunar_date_of_1900_to_2099():
    wrong = []
    for day, year, month, dom, leap in reference.days():
        cell = f"{year}-{'闰' if leap else ''}{month}-{dom}"
        if values.birthday(cell, "lunar", AFTER_THE_RANGE) != day:
            wrong.append(cell)
    assert wrong == []


# lunardate's three wrong months: each starts on the reference's day, and its dates convert.
@pytest.mark.parametrize(
    ("year", "month", "first_day", "days"),
    [
        (1933, 6, date(1933, 7, 23), 29),
        (1954, 10, date(1954, 10, 27), 29),
        (1978, 7, date(1978, 8, 4), 30),
    ],
)
def test_the_months_lunardate_had_wrong_start_and_end_on_the_reference_days(
    year, month, first_day, days
):
    assert reference.month(year, month) == (year, month, False, first_day, days)
    assert lunar.to_solar(year, month, 1) == first_day
    assert lunar.month_days(year, month) == days


def test_a_customer_born_on_the_mid_autumn_festival_of_1978_is_stored_on_that_day():
    # 1978-09-17 was 农历八月十五; lunardate made it the 16th.
    assert values.birthday("1978-08-15", "lunar", date(2026, 1, 1)) == date(1978, 9, 17)


def test_a_customer_born_in_september_1978_is_greeted_on_the_right_day():
    born = date(1978, 9, 17)  # lunar 8/15
    assert lunar_birthday(born, date(2025, 10, 1)) == date(2025, 10, 6)
    assert born in lunar_births_celebrating(date(2025, 10, 6))
    assert born not in lunar_births_celebrating(date(2025, 10, 7))


@pytest.mark.parametrize(
    ("cell", "solar"), [("1978-07-30", date(1978, 9, 2)), ("1954-11-30", date(1954, 12, 24))]
)
def test_real_lunar_dates_in_the_three_months_are_accepted(cell, solar):
    assert values.birthday(cell, "lunar", date(2026, 1, 1)) == solar


@pytest.mark.parametrize("cell", ["1978-08-30", "1954-10-30", "1933-06-30"])
def test_day_30_of_the_three_29_day_months_is_refused(cell):
    with pytest.raises(BadValue, match=rf"^invalid lunar date '{cell}' in birthday \(.* 29 days\)"):
        values.birthday(cell, "lunar", date(2026, 1, 1))


# The supported range --------------------------------------------------------------------


@pytest.mark.parametrize("day", [date(1950, 1, 1), date(1900, 2, 1), date(2009, 12, 31)])
def test_a_day_whose_birth_years_reach_before_1900_finds_its_lunar_birthdays(day):
    births = lunar_births_celebrating(day)
    assert births and all(b >= lunar.FIRST_DAY for b in births)
    assert all(lunar_birthday(b, day) == day for b in births)


@pytest.mark.parametrize("day", [date(1900, 1, 30), date(2100, 2, 9), date(2100, 12, 31)])
def test_a_day_outside_the_lunar_range_has_no_lunar_birthdays(day):
    assert lunar_births_celebrating(day) == []


@pytest.mark.parametrize("cell", ["1899-12-01", "2100-01-01"])
def test_a_lunar_birthday_outside_1900_to_2099_is_refused_in_one_sentence(cell):
    with pytest.raises(BadValue, match=r"outside the lunar years 1900-2099"):
        values.birthday(cell, "lunar", AFTER_THE_RANGE)


# Leap months (闰月) -----------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["2023-闰2-10", "2023年闰2月10日", "2023/闰02/10"])
def test_a_leap_month_birthday_is_read_with_its_leap_mark(cell):
    # 2023 repeated its second month: 闰二月初十 was 31 March 2023, 二月初十 1 March.
    assert values.birthday(cell, "lunar", date(2026, 1, 1)) == reference.solar(2023, 2, 10, True)
    assert values.birthday("2023-2-10", "lunar", date(2026, 1, 1)) == date(2023, 3, 1)


def test_a_leap_flag_reads_the_month_as_the_leap_month():
    assert values.birthday("2023-2-10", "lunar", date(2026, 1, 1), leap=True) == date(2023, 3, 31)


def test_a_leap_mark_on_a_year_without_that_leap_month_is_refused():
    with pytest.raises(BadValue, match="has no leap month 3"):
        values.birthday("2023-闰3-10", "lunar", date(2026, 1, 1))


def test_a_leap_month_birthday_is_greeted_in_the_ordinary_month():
    born = date(2023, 3, 31)  # 闰二月初十
    # 2026's 二月初十 is 27 March 2026 (2026 has no leap second month).
    day = reference.solar(2026, 2, 10)
    assert born in lunar_births_celebrating(day)
