"""Real DMS exports load without hand cleaning (issue 16, items 1 and 8-14).

Each file here is shaped like what a store's system writes: title rows above the header,
an instruction sheet before the data, units in the headers, Excel's `="C0101"` text
trick, 未知 in the gender column, 0000-00-00 for an unknown birthday, a landline beside
the mobile, and the service types service desks actually type.
"""

import csv
import json
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from sqlmodel import select

from crm.models import Customer, ServiceVisit, Vehicle
from tests.factories import VIN_A, VIN_B, VIN_C, read_rejects

CUSTOMERS = ["客户编号", "姓名", "手机", "生日", "性别"]
VEHICLES = ["车架号", "客户编号", "车型", "车牌号", "交车日期"]


def write_lines(path: Path, lines: list[list], encoding: str = "utf-8") -> Path:
    """A CSV exactly as given: title rows, blank rows and all."""
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(lines)
    return path


def write_book(path: Path, sheets: dict[str, list[list]]) -> Path:
    """An .xlsx with these sheets, in order, each holding these rows."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def stored(session, model, key: str) -> dict:
    return {getattr(row, key): row for row in session.exec(select(model))}


def three_customers_and_cars(crm, tmp_path):
    customers = [
        CUSTOMERS,
        ["C001", "王伟", "13800138000", "1985-03-05", "男"],
        ["C002", "李娜", "13900139000", "", "女"],
        ["C003", "张强", "13700137000", "", ""],
    ]
    assert crm("import", "customers", write_lines(tmp_path / "c.csv", customers)).exit_code == 0
    cars = [
        VEHICLES,
        [VIN_A, "C001", "朗逸", "粤A12345", "2025-10-08"],
        [VIN_B, "C002", "速腾", "", "2025-12-20"],
        [VIN_C, "C003", "迈腾", "", "2026-01-05"],
    ]
    assert crm("import", "vehicles", write_lines(tmp_path / "v.csv", cars)).exit_code == 0


# --- item 8: title rows and instruction sheets ------------------------------------------


def test_a_gb18030_csv_with_a_title_row_finds_its_header_below(crm, session, tmp_path):
    lines = [
        ["2026年3月客户资料导出", "", "", "", ""],
        ["导出时间：2026-03-10 09:12", "", "", "", ""],
        [],
        CUSTOMERS,
        ["C001", "王伟", "13800138000", "1985-03-05", "男"],
        ["C002", "李娜", "13900139000", "1990-08-15", "女"],
    ]
    path = write_lines(tmp_path / "客户.csv", lines, "gb18030")

    result = crm("import", "customers", path)

    assert result.exit_code == 0, result.output
    assert "2 new, 0 updated, 0 unchanged, 0 rejected" in result.output
    assert stored(session, Customer, "customer_code")["C002"].name == "李娜"


def test_an_xlsx_with_an_instruction_sheet_reads_the_first_sheet_with_a_header(
    crm, session, tmp_path
):
    path = write_book(
        tmp_path / "客户.xlsx",
        {
            "填写说明": [["请勿修改表头"], ["生日格式：2026-03-05"], ["手机：11位"]],
            "客户资料": [
                ["客户资料明细（共2条）"],
                CUSTOMERS,
                ["C001", "王伟", 13800138000, date(1985, 3, 5), "男"],
                ["C002", "李娜", "13900139000", None, "女"],
            ],
        },
    )

    result = crm("import", "customers", path)

    assert result.exit_code == 0, result.output
    assert "2 new" in result.output
    rows = read_rejects_if_any(tmp_path / "客户.xlsx.rejects.csv")
    assert rows == []


def read_rejects_if_any(path: Path) -> list[dict]:
    return read_rejects(path) if path.exists() else []


def test_a_file_without_a_header_names_the_row_it_read_as_one(crm, tmp_path):
    lines = [["2026年3月客户资料导出"], ["编号", "名字", "号码"], ["C001", "王伟", "13800138000"]]
    path = write_lines(tmp_path / "c.csv", lines)

    result = crm("import", "customers", path)

    assert result.exit_code == 2
    assert "row 1 ('2026年3月客户资料导出')" in result.output
    assert "no column for name (姓名)" in result.output
    assert "Traceback" not in result.output


# --- item 9: units in headers -----------------------------------------------------------


def test_units_in_headers_match_their_columns(crm, session, tmp_path):
    three_customers_and_cars(crm, tmp_path)
    lines = [
        ["工单号", "车架号", "进厂日期", "进厂里程(km)", "维修类型", "结算金额（元）"],
        ["RO1", VIN_A, "2026-03-01", "7,200", "保养", "1,250.50"],
    ]

    result = crm("import", "visits", write_lines(tmp_path / "visits.csv", lines))

    assert result.exit_code == 0, result.output
    visit = stored(session, ServiceVisit, "ro_number")["RO1"]
    assert (visit.odometer_km, visit.revenue_cents) == (7200, 125050)


# --- item 1: revenue is the order's total -----------------------------------------------

VISIT_MONEY = ["工单号", "车架号", "进厂日期", "里程", "维修类型", "工时费", "材料费", "结算金额"]


def test_revenue_is_the_total_not_the_labour_that_comes_first(crm, session, tmp_path):
    three_customers_and_cars(crm, tmp_path)
    lines = [
        VISIT_MONEY,
        ["RO1", VIN_A, "2026-03-01", "7200", "保养", "150.00", "530.50", "680.50"],
        ["RO2", VIN_B, "2026-03-02", "3100", "维修", "4,860.00", "10,420.00", "15,280.00"],
    ]
    path = write_book(tmp_path / "工单.xlsx", {"工单": lines})

    result = crm("import", "visits", path)

    assert result.exit_code == 0, result.output
    visits = stored(session, ServiceVisit, "ro_number")
    assert visits["RO1"].revenue_cents == 68050
    assert visits["RO2"].revenue_cents == 1528000


def test_a_reimport_compares_the_total_and_corrects_a_labour_fee_stored_before(
    crm, session, tmp_path
):
    three_customers_and_cars(crm, tmp_path)
    labour_only = [["工单号", "车架号", "进厂日期", "里程", "维修类型", "金额"]]
    labour_only.append(["RO1", VIN_A, "2026-03-01", "7200", "保养", "150.00"])
    crm("import", "visits", write_lines(tmp_path / "old.csv", labour_only))
    lines = [
        VISIT_MONEY,
        ["RO1", VIN_A, "2026-03-01", "7200", "保养", "150.00", "530.50", "680.50"],
    ]
    path = write_lines(tmp_path / "new.csv", lines, "gb18030")

    first = crm("import", "visits", path)
    again = crm("import", "visits", path)

    assert "0 new, 1 updated, 0 unchanged" in first.output
    assert "0 new, 0 updated, 1 unchanged" in again.output
    assert stored(session, ServiceVisit, "ro_number")["RO1"].revenue_cents == 68050


def test_two_total_columns_are_refused_in_one_sentence(crm, session, tmp_path):
    three_customers_and_cars(crm, tmp_path)
    lines = [
        ["工单号", "车架号", "进厂日期", "里程", "维修类型", "结算金额", "应收金额"],
        ["RO1", VIN_A, "2026-03-01", "7200", "保养", "680.50", "700.00"],
    ]

    result = crm("import", "visits", write_lines(tmp_path / "visits.csv", lines))

    assert result.exit_code == 2
    assert result.output.count("\n") == 1, result.output
    assert "结算金额" in result.output and "应收金额" in result.output
    assert stored(session, ServiceVisit, "ro_number") == {}


def test_labour_and_parts_without_a_total_are_refused_not_read_as_revenue(crm, session, tmp_path):
    three_customers_and_cars(crm, tmp_path)
    lines = [
        ["工单号", "车架号", "进厂日期", "里程", "维修类型", "工时费", "材料费"],
        ["RO1", VIN_A, "2026-03-01", "7200", "保养", "150.00", "530.50"],
    ]

    result = crm("import", "visits", write_lines(tmp_path / "visits.csv", lines))

    assert result.exit_code == 2
    assert "工时费" in result.output and "结算金额" in result.output
    assert stored(session, ServiceVisit, "ro_number") == {}


# --- item 10: an unusable optional cell -------------------------------------------------


def test_an_unknown_gender_or_zero_birthday_stores_the_customer_with_a_warning(
    crm, session, tmp_path
):
    lines = [
        CUSTOMERS,
        ["C001", "王伟", "13800138000", "0000-00-00", "未知"],
        ["C002", "李娜", "13900139000", "1990-08-15", "保密"],
        ["C003", "张强", "13700137000", "1990-02-30", "男"],
    ]
    path = write_lines(tmp_path / "c.csv", lines, "gb18030")

    result = crm("import", "customers", path)
    cars = [VEHICLES, [VIN_A, "C001", "朗逸", "", "2025-10-08"]]
    car = crm("import", "vehicles", write_lines(tmp_path / "v.csv", cars))

    assert result.exit_code == 0, result.output
    assert "3 new, 0 updated, 0 unchanged, 0 rejected" in result.output
    assert "3 stored with warnings (see " in result.output
    customers = stored(session, Customer, "customer_code")
    assert (customers["C001"].birthday, customers["C001"].gender) == (None, None)
    assert (customers["C002"].birthday, customers["C002"].gender) == (date(1990, 8, 15), None)
    assert (customers["C003"].birthday, customers["C003"].gender) == (None, "male")
    warnings = {r["客户编号"]: r for r in read_rejects(tmp_path / "c.csv.warnings.csv")}
    assert "birthday" in warnings["C001"]["warning"] and "gender" in warnings["C001"]["warning"]
    assert warnings["C002"]["warning"] == "unknown gender '保密' (男/女): stored without it"
    assert "invalid date '1990-02-30'" in warnings["C003"]["warning"]
    assert warnings["C001"]["row"] == "2"
    assert not (tmp_path / "c.csv.rejects.csv").exists()
    assert car.exit_code == 0, car.output


def test_a_blank_warning_cell_never_erases_what_is_stored(crm, session, tmp_path):
    good = [CUSTOMERS, ["C001", "王伟", "13800138000", "1985-03-05", "男"]]
    crm("import", "customers", write_lines(tmp_path / "a.csv", good))
    unknown = [CUSTOMERS, ["C001", "王伟", "13800138000", "0000-00-00", "未知"]]

    result = crm("import", "customers", write_lines(tmp_path / "b.csv", unknown))

    assert "0 new, 0 updated, 1 unchanged" in result.output
    wang = stored(session, Customer, "customer_code")["C001"]
    assert (wang.birthday, wang.gender) == (date(1985, 3, 5), "male")


# --- item 11: the mobile before the landline --------------------------------------------


def test_the_mobile_column_wins_over_a_landline_column_before_it(crm, session, tmp_path):
    lines = [
        ["客户编号", "姓名", "联系电话", "手机"],
        ["C001", "王伟", "010-65529988", "138 0013 8000"],
        ["C002", "李娜", "0755-83216666", ""],
    ]

    result = crm("import", "customers", write_lines(tmp_path / "c.csv", lines))

    assert result.exit_code == 0, result.output
    customers = stored(session, Customer, "customer_code")
    assert customers["C001"].phone == "+8613800138000"
    assert customers["C001"].phone_sms is True
    assert customers["C002"].phone == "+8675583216666"  # kept: the desk can still call
    assert customers["C002"].phone_sms is False


def test_a_landline_gets_its_calls_but_never_an_sms(crm, session, tmp_path):
    lines = [
        ["客户编号", "姓名", "电话", "手机号码"],
        ["C001", "王伟", "", "13800138000"],
        ["C002", "李娜", "0755-83216666", ""],
    ]
    crm("import", "customers", write_lines(tmp_path / "c.csv", lines))
    cars = [
        VEHICLES,
        [VIN_A, "C001", "朗逸", "", "2025-12-03"],
        [VIN_B, "C002", "速腾", "", "2025-12-03"],
    ]
    crm("import", "vehicles", write_lines(tmp_path / "v.csv", cars))

    result = crm("plan", "--date", "2026-03-03", "--format", "json")

    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    planned = plan[0] if isinstance(plan, list) else plan
    assert planned["created"]["first_service_sms"] == 1  # the mobile's
    assert planned["skipped"]["landline"] == 1


# --- item 12: the service types service desks type --------------------------------------


def test_every_service_type_a_desk_types_lands_and_an_unknown_one_is_other(crm, session, tmp_path):
    three_customers_and_cars(crm, tmp_path)
    typed = ["召回", "保险", "保险理赔", "PDI", "首保+维修", "小修", "快修", "返修", "美容", "洗车"]
    lines = [["工单号", "车架号", "进厂日期", "里程", "维修类型"]]
    lines += [[f"RO{n}", VIN_A, "2026-03-01", "7200", kind] for n, kind in enumerate(typed)]

    result = crm("import", "visits", write_lines(tmp_path / "visits.csv", lines))

    assert result.exit_code == 0, result.output
    assert f"{len(typed)} new, 0 updated, 0 unchanged, 0 rejected" in result.output
    kinds = {v.ro_number: v.service_type for v in session.exec(select(ServiceVisit))}
    assert [kinds[f"RO{n}"] for n in range(len(typed))] == [
        "warranty",
        "bodywork",
        "bodywork",
        "other",
        "first_service",
        "repair",
        "repair",
        "repair",
        "other",
        "other",
    ]
    warnings = {
        r["工单号"]: r["warning"] for r in read_rejects(tmp_path / "visits.csv.warnings.csv")
    }
    assert warnings == {"RO9": "unknown service type '洗车': stored as other"}


# --- item 13: Excel's text trick --------------------------------------------------------


def test_excels_quoted_formula_text_is_read_as_its_text(crm, session, tmp_path):
    customers = [CUSTOMERS, ['="C0101"', "王伟", '="13800138000"', "", "男"]]
    crm("import", "customers", write_lines(tmp_path / "c.csv", customers, "gb18030"))
    cars = [VEHICLES, [VIN_A, '="C0101"', "朗逸", '="粤A0101"', "2025-10-08"]]

    result = crm("import", "vehicles", write_lines(tmp_path / "v.csv", cars, "gb18030"))

    assert result.exit_code == 0, result.output
    (customer,) = session.exec(select(Customer)).all()
    assert (customer.customer_code, customer.phone) == ("C0101", "+8613800138000")
    (car,) = session.exec(select(Vehicle)).all()
    assert (car.owner_id, car.plate) == (customer.id, "粤A0101")


# --- item 14: the rejects file keeps the full name --------------------------------------


def test_two_formats_of_one_export_keep_their_own_rejects_files(crm, tmp_path):
    lines = [CUSTOMERS, ["C001", "", "13800138000", "", ""]]
    write_lines(tmp_path / "客户.csv", lines)
    write_book(tmp_path / "客户.xlsx", {"客户": lines})

    crm("import", "customers", tmp_path / "客户.csv")
    crm("import", "customers", tmp_path / "客户.xlsx")

    assert read_rejects(tmp_path / "客户.csv.rejects.csv")[0]["reason"] == "missing name"
    assert read_rejects(tmp_path / "客户.xlsx.rejects.csv")[0]["reason"] == "missing name"
    assert not (tmp_path / "客户.rejects.csv").exists()
