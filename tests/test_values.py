"""Reading one cell of a dealer export: every spelling a DMS or a person types, and the rejects."""

from datetime import date, datetime

import pytest

from crm.importing import values
from crm.importing.values import BadValue
from crm.vocabulary.phones import parse_phone
from tests import lunar_reference as reference
from tests.factories import TODAY

# --- dates -------------------------------------------------------------------------------

# 5 March 2026 is Excel serial 46086: serial 45658 is 1 January 2025 (45292, 1 January 2024,
# plus 366 days of a leap year), 2026 starts 365 days later at 46023, and 5 March is day 63
# after that (31 January + 28 February + 4).
MARCH_5 = date(2026, 3, 5)


@pytest.mark.parametrize(
    "cell",
    [
        "2026-03-05",
        "2026/3/5",
        "2026.3.5",
        "2026年3月5日",
        "2026年03月05",
        "20260305",
        "2026-03-05 10:30:00",
        "2026-03-05T10:30:00",
        " 2026-03-05 ",
        46086,
        46086.0,
        46086.4375,  # 10:30 on that day: Excel keeps the time as a fraction
        "46086",
        "46086.0",
        datetime(2026, 3, 5, 10, 30),
        date(2026, 3, 5),
    ],
    ids=repr,
)
def test_every_usual_date_spelling_reads_as_the_same_day(cell):
    assert values.solar_date(cell, "visit_date") == MARCH_5


def test_a_yyyymmdd_date_that_excel_stored_as_a_number_reads_as_that_day():
    # The same cell reads fine from a CSV ("20260305"); an .xlsx hands the parser the number.
    assert values.solar_date(20260305, "visit_date") == MARCH_5
    assert values.solar_date(20260305.0, "visit_date") == MARCH_5


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("2026-02-30", "'2026-02-30'"),
        ("2026-13-05", "'2026-13-05'"),
        ("20260230", "'20260230'"),
        ("next tuesday", "'next tuesday'"),
        ("05/03/2026", "'05/03/2026'"),
        (0, "0"),
        (-3, "-3"),
        (99999, "99999"),
        ("99999", "99999"),
    ],
)
def test_an_impossible_date_is_rejected_naming_the_cell_and_the_column(cell, shown):
    with pytest.raises(BadValue) as raised:
        values.solar_date(cell, "visit_date")

    message = str(raised.value)
    assert message.startswith(f"invalid date {shown}")
    assert " in visit_date" in message


def test_a_date_the_parser_cannot_read_suggests_the_spelling_it_wants():
    with pytest.raises(BadValue, match=r"^invalid date 'soon' in visit_date \(use 2026-03-05\)$"):
        values.solar_date("soon", "visit_date")


@pytest.mark.parametrize("cell", [None, "", "   "])
def test_a_blank_date_is_reported_as_missing(cell):
    with pytest.raises(BadValue, match=r"^missing delivery_date$"):
        values.solar_date(cell, "delivery_date")


def test_a_past_date_may_be_today():
    assert values.past_date("2026-03-10", "visit_date", TODAY) == TODAY


def test_a_visit_tomorrow_is_rejected_as_in_the_future():
    with pytest.raises(BadValue, match=r"^visit_date 2026-03-11 is in the future$"):
        values.past_date("2026/3/11", "visit_date", TODAY)


# --- birthdays ---------------------------------------------------------------------------


def test_a_solar_birthday_is_the_date_as_written():
    assert values.birthday("1985/3/5", "solar", TODAY) == date(1985, 3, 5)


def test_a_lunar_mid_autumn_birthday_is_converted_to_its_solar_date():
    # 农历 1990-08-15, the Mid-Autumn Festival of 1990, fell on 3 October 1990.
    assert values.birthday("1990年8月15日", "lunar", TODAY) == date(1990, 10, 3)


@pytest.mark.parametrize(
    ("cell", "solar"),
    [
        # Lunar New Year's Day (正月初一): 20 February 1985, 5 February 2000, 22 January 2023.
        ("1985-01-01", date(1985, 2, 20)),
        ("2000-01-01", date(2000, 2, 5)),
        ("2023-01-01", date(2023, 1, 22)),
    ],
)
def test_a_lunar_new_year_birthday_lands_on_that_years_spring_festival(cell, solar):
    assert values.birthday(cell, "lunar", TODAY) == solar


@pytest.mark.parametrize(
    ("year", "month", "day"), [(1976, 8, 8), (1999, 12, 29), (2004, 1, 29), (1962, 5, 5)]
)
def test_a_lunar_birthday_agrees_with_the_lunar_calendar(year, month, day):
    cell = f"{year}年{month}月{day}日"

    assert values.birthday(cell, "lunar", TODAY) == reference.solar(year, month, day)


def test_a_lunar_birthday_read_from_an_excel_date_cell_is_still_converted():
    # Staff type the lunar date into a date-formatted cell; Excel keeps it as a date.
    assert values.birthday(datetime(1990, 8, 15), "lunar", TODAY) == date(1990, 10, 3)


@pytest.mark.parametrize("cell", ["2004-01-30", "1999-12-30"])
def test_day_30_of_a_29_day_lunar_month_is_rejected(cell):
    # 正月 2004 and 腊月 1999 had 29 days (除夕 1999 was the 29th); as solar dates both are fine.
    year, month, day = map(int, cell.split("-"))
    assert reference.month(year, month).days == 29

    with pytest.raises(
        BadValue,
        match=rf"^invalid lunar date '{cell}' in birthday \(lunar {year}/{month} has 29 days\)$",
    ):
        values.birthday(cell, "lunar", TODAY)
    assert values.birthday(cell, "solar", TODAY) == date(year, month, day)


def test_a_lunar_thirteenth_month_is_rejected():
    with pytest.raises(BadValue, match="invalid lunar date"):
        values.birthday("1990-13-01", "lunar", TODAY)


def test_a_lunar_birthday_is_judged_future_by_its_solar_date():
    # 农历 2026-02-01 falls in the second half of March 2026 (Spring Festival was 17 February),
    # after the store's today, although "2026-02-01" read as solar would be in the past.
    with pytest.raises(BadValue, match=r"^birthday 2026-03-\d\d is in the future$"):
        values.birthday("2026-02-01", "lunar", TODAY)


def test_a_solar_birthday_in_the_future_is_rejected():
    with pytest.raises(BadValue, match=r"^birthday 2027-01-01 is in the future$"):
        values.birthday("2027-01-01", "solar", TODAY)


@pytest.mark.parametrize(
    ("cell", "calendar"),
    [
        ("公历", "solar"),
        ("阳历", "solar"),
        ("新历", "solar"),
        ("Solar", "solar"),
        ("农历", "lunar"),
        ("阴历", "lunar"),
        ("旧历", "lunar"),
        ("LUNAR", "lunar"),
        # A "农历生日?" column holds yes/no instead of a calendar's name.
        ("是", "lunar"),
        ("√", "lunar"),
        ("否", "solar"),
        ("N", "solar"),
        # Blank: no calendar given, so the one already stored stands.
        (None, None),
        ("", None),
    ],
)
def test_the_birthday_calendar_column_reads_names_and_yes_no(cell, calendar):
    assert values.calendar(cell) == calendar


def test_an_unknown_calendar_is_rejected_with_the_accepted_names():
    expected = r"^unknown birthday calendar '回历' \(solar/公历 or lunar/农历\)$"
    with pytest.raises(BadValue, match=expected):
        values.calendar("回历")


# --- phones ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+86-138-1234-5678",
        "+8613812345678",
        "0086 138 1234 5678",
        "008613812345678",
        " 13812345678 ",
        13812345678,
        13812345678.0,  # an Excel number cell
    ],
    ids=repr,
)
def test_a_mobile_in_any_usual_spelling_becomes_e164(cell):
    assert parse_phone(cell, "CN") == "+8613812345678"


def test_a_beijing_landline_keeps_its_area_code():
    assert parse_phone("010-6552 9988", "CN") == "+861065529988"


@pytest.mark.parametrize("cell", ["12345", "138123456789", "phone", "+86 138 1234", 1381234567])
def test_a_number_that_cannot_be_a_phone_is_rejected(cell):
    with pytest.raises(BadValue, match=r"^invalid phone '"):
        parse_phone(cell, "CN")


@pytest.mark.parametrize("cell", [None, "", "  "])
def test_a_blank_phone_is_reported_as_missing(cell):
    with pytest.raises(BadValue, match=r"^missing phone$"):
        parse_phone(cell, "CN")


# --- flags -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell", ["yes", "Y", "TRUE", "1", 1, 1.0, True, "是", "同意", "允许", "√", "✓"], ids=repr
)
def test_consent_spelled_as_yes_is_true(cell):
    assert values.yes_no(cell, "sms_consent") is True


@pytest.mark.parametrize(
    "cell", ["no", "N", "False", "0", 0, False, "否", "不同意", "拒绝", "×", "✗"], ids=repr
)
def test_consent_spelled_as_no_is_false(cell):
    assert values.yes_no(cell, "sms_consent") is False


@pytest.mark.parametrize("cell", [None, "", " "])
def test_blank_consent_is_unknown_not_no(cell):
    assert values.yes_no(cell, "sms_consent") is None


def test_consent_that_is_neither_yes_nor_no_is_rejected_naming_the_column():
    with pytest.raises(BadValue, match=r"^marketing_consent '也许' is neither yes nor no$"):
        values.yes_no("也许", "marketing_consent")


@pytest.mark.parametrize(
    ("cell", "gender"),
    [
        ("男", "male"),
        ("先生", "male"),
        ("M", "male"),
        ("Male", "male"),
        ("女", "female"),
        ("女士", "female"),
        ("f", "female"),
        ("FEMALE", "female"),
        (None, None),
        ("", None),
    ],
)
def test_gender_reads_chinese_and_english_spellings(cell, gender):
    assert values.gender(cell) == gender


def test_an_unknown_gender_is_rejected():
    with pytest.raises(BadValue, match=r"^unknown gender '未知' \(男/女\)$"):
        values.gender("未知")


# --- numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "km"),
    [
        ("4,980", 4980),
        ("4，980", 4980),  # a full-width comma from a Chinese input method
        ("3100km", 3100),
        ("3100 KM", 3100),
        ("3,100公里", 3100),
        ("12345.0", 12345),
        ("12345.6", 12346),
        (7200, 7200),
        (7200.0, 7200),
        ("0", 0),
    ],
    ids=repr,
)
def test_odometer_readings_lose_their_separators_and_units(cell, km):
    assert values.kilometres(cell) == km


@pytest.mark.parametrize("cell", ["-5", -5, "2000001", "-0.6"])
def test_an_impossible_odometer_reading_is_rejected(cell):
    with pytest.raises(BadValue, match=r"^odometer_km '.*' is not a plausible reading$"):
        values.kilometres(cell)


@pytest.mark.parametrize("cell", ["about 5000", "5000 miles", "5.000.000"])
def test_an_odometer_reading_that_is_not_a_number_is_rejected(cell):
    with pytest.raises(BadValue, match=r"^odometer_km '.*' is not a number$"):
        values.kilometres(cell)


def test_a_blank_odometer_reading_is_reported_as_missing():
    with pytest.raises(BadValue, match=r"^missing odometer_km$"):
        values.kilometres("")


@pytest.mark.parametrize(
    ("cell", "cents"),
    [
        ("1,250.50", 125050),
        ("￥680", 68000),
        ("¥680", 68000),
        ("680元", 68000),
        ("0", 0),
        (0, 0),
        (19.99, 1999),  # 19.99 * 100 is 1998.999… in binary floating point
        ("0.10", 10),
        (1250.5, 125050),
    ],
    ids=repr,
)
def test_revenue_in_yuan_becomes_integer_fen(cell, cents):
    assert values.money_cents(cell) == cents


@pytest.mark.parametrize("cell", [None, "", "  "])
def test_blank_revenue_is_unknown_not_zero(cell):
    assert values.money_cents(cell) is None


def test_negative_revenue_is_rejected():
    with pytest.raises(BadValue, match=r"^revenue '-50' is negative$"):
        values.money_cents("-50")


def test_revenue_that_is_not_a_number_is_rejected():
    with pytest.raises(BadValue, match=r"^revenue '免费' is not a number$"):
        values.money_cents("免费")


# --- service types and VINs --------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "kind"),
    [
        ("首保", "first_service"),
        ("首次保养", "first_service"),
        ("免费保养", "first_service"),
        ("保养", "maintenance"),
        ("定保", "maintenance"),
        ("常规保养", "maintenance"),
        ("定期保养", "maintenance"),
        ("维修", "repair"),
        ("一般维修", "repair"),
        ("故障维修", "repair"),
        ("机修", "repair"),
        ("保修", "warranty"),
        ("索赔", "warranty"),
        ("三包", "warranty"),
        ("钣喷", "bodywork"),
        ("钣金", "bodywork"),
        ("喷漆", "bodywork"),
        ("钣金喷漆", "bodywork"),
        ("事故车", "bodywork"),
        ("事故维修", "bodywork"),
        ("其他", "other"),
        ("其它", "other"),
        ("maintenance", "maintenance"),
        ("First_Service", "first_service"),
        (" 维修 ", "repair"),
    ],
)
def test_service_types_read_the_names_chinese_service_desks_use(cell, kind):
    assert values.service_type(cell) == kind


def test_an_unknown_service_type_is_rejected_listing_the_accepted_ones():
    with pytest.raises(BadValue) as raised:
        values.service_type("洗车")

    message = str(raised.value)
    assert message.startswith("unknown service type '洗车'")
    for accepted in ("首保", "保养", "维修", "保修", "钣喷", "其他"):
        assert accepted in message


def test_a_blank_service_type_is_reported_as_missing():
    with pytest.raises(BadValue, match=r"^missing service_type$"):
        values.service_type(None)


@pytest.mark.parametrize(
    "cell",
    ["LFVAB4E20N0000011", "lfvab4e20n0000011", "LFV AB4E2 0N000 0011", " LFVAB4E20N0000011 "],
)
def test_a_vin_is_uppercased_without_spaces(cell):
    assert values.vin(cell) == "LFVAB4E20N0000011"


@pytest.mark.parametrize(
    "cell",
    [
        "LFVAB4E2IN0000011",  # I reads as 1
        "LFVAB4E2ON0000011",  # O reads as 0
        "LFVAB4E2QN0000011",  # Q reads as 0
        "LFVAB4E20N000001",  # 16 characters
        "LFVAB4E20N00000111",  # 18 characters
        "LFVAB4E2-N0000011",
    ],
)
def test_a_vin_with_a_forbidden_letter_or_the_wrong_length_is_rejected(cell):
    expected = r"^invalid VIN '.*' \(17 letters and digits, no I, O or Q\)$"
    with pytest.raises(BadValue, match=expected):
        values.vin(cell)


def test_a_blank_vin_is_reported_as_missing():
    with pytest.raises(BadValue, match=r"^missing vin$"):
        values.vin("  ")


def test_a_plate_loses_its_separators_and_a_blank_plate_is_none():
    assert values.plate("粤b 6789·0") == "粤B67890"
    assert values.plate("粤A-123.45") == "粤A12345"
    assert values.plate("") is None
