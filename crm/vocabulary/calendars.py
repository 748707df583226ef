"""The days greetings fall on: solar and lunar birthdays, anniversaries, official holidays.

Pure functions of dates. Lunar arithmetic comes from `crm.vocabulary.lunar` and the holiday
calendar from `holidays` (China's official one, kept up to date by its maintainers).
"""

from __future__ import annotations

import calendar as _calendar
from datetime import date
from functools import lru_cache

from crm.vocabulary import lunar


def add_months(day: date, months: int) -> date:
    """`day` plus whole calendar months, clamped to the month's end (31 Jan + 1 = 28/29 Feb).

    What dateutil's relativedelta does, at a tenth of its cost: the planner and the
    maintenance prediction call this for every car of a million-car group.
    """
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def solar_birthday(birth: date, year: int) -> date:
    """The birthday in `year`: 29 February falls on the 28th in common years."""
    if birth.month == 2 and birth.day == 29 and not _calendar.isleap(year):
        return date(year, 2, 28)
    return birth.replace(year=year)


def birth_years(day: date, oldest: int = 110) -> range:
    return range(day.year - oldest, day.year + 1)


def solar_births_celebrating(day: date) -> list[date]:
    """Every solar date of birth whose birthday (or anniversary) falls on `day`."""
    births = []
    for year in birth_years(day):
        for month, dom in [(day.month, day.day)] + (
            [(2, 29)] if (day.month, day.day) == (2, 28) and not _calendar.isleap(day.year) else []
        ):
            try:
                births.append(date(year, month, dom))
            except ValueError:
                continue
    return [b for b in births if b <= day]


def lunar_births_celebrating(day: date) -> list[date]:
    """Every solar date of birth whose lunar birthday falls on `day`.

    A lunar birthday is the birth's lunar month and day, leap months celebrated in the
    ordinary month; day 30 falls on day 29 in a year whose month has only 29 days. A day
    outside the supported lunar years has none (nobody can be born before them).
    """
    if not lunar.covers(day):
        return []
    today = lunar.to_lunar(day)
    if today.leap:
        return []  # an ordinary month's birthdays are never kept in its leap twin
    days = [today.day]
    if today.day == 29 and lunar.month_days(today.year, today.month) == 29:
        days.append(30)
    births = []
    for year in range(max(today.year - 110, lunar.FIRST_YEAR), today.year + 1):
        leaps = (False, True) if lunar.leap_month(year) == today.month else (False,)
        for leap in leaps:
            length = lunar.month_days(year, today.month, leap)
            for dom in days:
                if dom <= length:
                    solar = lunar.to_solar(year, today.month, dom, leap)
                    if solar <= day:
                        births.append(solar)
    return births


def lunar_birthday(birth: date, day_in_year: date) -> date | None:
    """The lunar birthday of `birth` in the lunar year that contains `day_in_year`."""
    if not (lunar.covers(birth) and lunar.covers(day_in_year)):
        return None
    born = lunar.to_lunar(birth)
    year = lunar.to_lunar(day_in_year).year
    dom = min(born.day, lunar.month_days(year, born.month))
    return lunar.to_solar(year, born.month, dom)


def lunar_year(day: date) -> int | None:
    """The lunar year `day` falls in, or None outside the supported range."""
    return lunar.to_lunar(day).year if lunar.covers(day) else None


# The configured names, the holidays library's English name and the greeting's label.
HOLIDAYS = {
    "new_year": ("New Year's Day", "元旦", "New Year's Day"),
    "spring_festival": ("Chinese New Year (Spring Festival)", "春节", "Spring Festival"),
    "tomb_sweeping": ("Tomb-Sweeping Day", "清明节", "Tomb-Sweeping Day"),
    "labor_day": ("Labor Day", "劳动节", "Labour Day"),
    "dragon_boat": ("Dragon Boat Festival", "端午节", "Dragon Boat Festival"),
    "mid_autumn": ("Mid-Autumn Festival", "中秋节", "Mid-Autumn Festival"),
    "national_day": ("National Day", "国庆节", "National Day"),
}

# The day each greeting falls on, by rule, so no library's wording can move it: a solar
# date, a lunar date (in the lunar year that starts in that solar year), or 清明.
HOLIDAY_RULES = {
    "new_year": ("solar", 1, 1),
    "spring_festival": ("lunar", 1, 1),
    "tomb_sweeping": ("qingming", 4, 0),
    "labor_day": ("solar", 5, 1),
    "dragon_boat": ("lunar", 5, 5),
    "mid_autumn": ("lunar", 8, 15),
    "national_day": ("solar", 10, 1),
}


def holiday_day(key: str, year: int) -> date | None:
    """The day of `year` a configured holiday's greeting falls on (None outside the calendar)."""
    calendar, month, day = HOLIDAY_RULES[key]
    if calendar == "solar":
        return date(year, month, day)
    if calendar == "lunar":
        try:
            return lunar.to_solar(year, month, day)
        except ValueError:
            return None
    return _qingming(year)


@lru_cache(maxsize=256)
def _qingming(year: int) -> date | None:
    """清明, a solar term: the one date taken from China's official calendar (`holidays`).

    Looked up by its label, so `holidays` is pinned in pyproject.toml and
    tests/test_holidays.py checks every configured holiday for the next ten years.
    """
    import holidays

    official = holidays.China(years=year, language="en_US")
    label = HOLIDAYS["tomb_sweeping"][0]
    return min((d for d, names in official.items() if label in names.split("; ")), default=None)


def holidays_starting(day: date, names: list[str]) -> list[str]:
    """The configured holidays whose greeting falls on `day`."""
    return [key for key in names if holiday_day(key, day.year) == day]
