"""Holiday greetings fall on their days by rule, whatever the holidays library calls them."""

from datetime import date

import holidays
import pytest

from crm.config import Settings
from crm.vocabulary.calendars import HOLIDAYS, holiday_day, holidays_starting
from tests import lunar_reference as reference

NEXT_TEN_YEARS = range(2026, 2036)
# 清明 (the fifth solar term) as the astronomical almanacs give it.
QINGMING = {2026: 5, 2027: 5, 2028: 4, 2029: 4, 2030: 5, 2031: 5, 2032: 4, 2033: 4, 2034: 5}
QINGMING[2035] = 5


def expected(key: str, year: int) -> date:
    return {
        "new_year": date(year, 1, 1),
        "spring_festival": reference.solar(year, 1, 1),
        "tomb_sweeping": date(year, 4, QINGMING[year]),
        "labor_day": date(year, 5, 1),
        "dragon_boat": reference.solar(year, 5, 5),
        "mid_autumn": reference.solar(year, 8, 15),
        "national_day": date(year, 10, 1),
    }[key]


@pytest.mark.parametrize("year", NEXT_TEN_YEARS)
@pytest.mark.parametrize("key", sorted(HOLIDAYS))
def test_every_configured_holiday_falls_on_its_day_in_each_of_the_next_ten_years(key, year):
    day = expected(key, year)

    assert holiday_day(key, year) == day
    assert key in holidays_starting(day, sorted(HOLIDAYS))


def test_the_default_configuration_names_only_holidays_with_a_rule():
    assert set(Settings().followup.holidays) <= set(HOLIDAYS)


def test_a_renamed_label_in_a_new_holidays_release_does_not_stop_a_greeting(monkeypatch):
    real = holidays.China

    def renamed(*args, **kwargs):
        calendar = real(*args, **kwargs)
        for day, name in list(calendar.items()):
            if "Mid-Autumn" in name or "Spring Festival" in name:
                calendar[day] = name.replace("Festival", "Fest.")
        return calendar

    monkeypatch.setattr(holidays, "China", renamed)

    assert holidays_starting(date(2026, 9, 25), ["mid_autumn"]) == ["mid_autumn"]
    assert holidays_starting(date(2026, 2, 17), ["spring_festival"]) == ["spring_festival"]
