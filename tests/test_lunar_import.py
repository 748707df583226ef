"""Lunar birthdays through the CLI: exact months, leap months, planning any day of the range."""

import json
from datetime import date, timedelta

import pytest
from sqlmodel import select

from crm.models import Customer
from tests.factories import add_customer, add_vehicle, read_rejects, write_csv

HEADERS = ["customer_code", "name", "phone", "birthday", "birthday_calendar", "闰月"]


def stored(session) -> dict[str, Customer]:
    return {c.customer_code: c for c in session.exec(select(Customer))}


def test_lunar_birthdays_in_lunardates_wrong_months_import_exactly(crm, session, tmp_path):
    rows = [
        ["A1", "王伟", "13800138001", "1978-08-15", "农历", ""],  # 1978-09-17, not the 16th
        ["A2", "李娜", "13800138002", "1978-07-30", "农历", ""],  # a real date
        ["A3", "张强", "13800138003", "1954-11-30", "农历", ""],  # a real date
        ["A4", "赵敏", "13800138004", "1978-08-30", "农历", ""],  # no such day
        ["A5", "周杰", "13800138005", "1954-10-30", "农历", ""],  # no such day
        ["A6", "吴芳", "13800138006", "1933-06-30", "农历", ""],  # no such day
    ]
    path = write_csv(tmp_path / "c.csv", HEADERS, rows)

    result = crm("import", "customers", path)

    assert result.exit_code == 0, result.output
    customers = stored(session)
    assert customers["A1"].birthday == date(1978, 9, 17)
    assert customers["A2"].birthday == date(1978, 9, 2)
    assert customers["A3"].birthday == date(1954, 12, 24)
    # A day the lunar month lacks costs the birthday, not the customer.
    warned = {r["customer_code"]: r["warning"] for r in read_warnings(tmp_path)}
    assert set(warned) == {"A4", "A5", "A6"}
    assert all("has 29 days" in reason for reason in warned.values())
    assert customers["A4"].birthday is None


def test_a_leap_month_birthday_imports_by_its_mark_or_its_flag(crm, session, tmp_path):
    rows = [
        ["L1", "王伟", "13800138001", "2020-闰4-10", "农历", ""],
        ["L2", "李娜", "13800138002", "2020年4月10日", "农历", "是"],
        ["L3", "张强", "13800138003", "2020-4-10", "农历", ""],
        ["L4", "赵敏", "13800138004", "2021-闰4-10", "农历", ""],  # 2021 has no leap month
    ]
    path = write_csv(tmp_path / "c.csv", HEADERS, rows)

    result = crm("import", "customers", path)

    assert result.exit_code == 0, result.output
    customers = stored(session)
    # 2020 repeated its fourth month: 闰四月初十 was 1 June 2020, 四月初十 2 May.
    assert customers["L1"].birthday == customers["L2"].birthday == date(2020, 6, 1)
    assert customers["L3"].birthday == date(2020, 5, 2)
    (warned,) = read_warnings(tmp_path)
    assert "has no leap month 4" in warned["warning"]
    assert (customers["L4"].birthday, customers["L4"].birthday_calendar) == (None, "solar")


def test_a_lunar_birthday_outside_1900_to_2099_is_left_blank_with_the_range(crm, tmp_path):
    rows = [["O1", "王伟", "13800138001", "1899-12-01", "农历", ""]]
    path = write_csv(tmp_path / "c.csv", HEADERS, rows)

    result = crm("import", "customers", path)

    assert result.exit_code == 0
    (warned,) = read_warnings(tmp_path)
    assert "outside the lunar years 1900-2099" in warned["warning"]


def read_warnings(folder) -> list[dict]:
    return read_rejects(folder / "c.csv.warnings.csv")


@pytest.mark.parametrize("day", [date(2005, 3, 1), date(2100, 6, 1)])
def test_plan_before_2010_and_in_2100_plans_the_calls_without_a_traceback(crm, session, day):
    owner = add_customer(session, birthday=date(1960, 5, 5), birthday_calendar="lunar")
    add_vehicle(session, owner, day - timedelta(days=1))

    result = crm("plan", "--date", day.isoformat(), "--format", "json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["created"]["sales_callback"] == 1
