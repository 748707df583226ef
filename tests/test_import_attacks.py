"""Generated-input findings: every row is stored or rejected, alike on both databases."""

import zipfile

import pytest
from sqlalchemy import func, select

from crm.importing import values
from crm.importing.values import BadValue
from crm.models import Customer, ServiceVisit, Vehicle
from tests.factories import (
    CUSTOMER_HEADERS_ZH,
    VEHICLE_HEADERS_ZH,
    VIN_A,
    VIN_B,
    VISIT_HEADERS_ZH,
    customer_rows,
    read_rejects,
    vehicle_rows,
    write_csv,
    write_xlsx,
)

HEADERS = ["customer_code", "name", "phone", "hobbies"]


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def many(n: int, start: int = 0) -> list[list]:
    return [[f"C{i:05d}", "王伟", f"138{i:08d}", ""] for i in range(start, start + n)]


def test_doubled_quotes_in_a_csv_cell_are_read_as_one_quote(crm, session, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        "customer_code,name,phone,hobbies\n"
        'Q1,王伟,13800138001,"钓鱼, ""自驾游"""\n'
        'Q2,"李""娜",13800138002,\n'
        "Q3,张强,13800138003,摄影\n",
        encoding="utf-8",
    )

    result = crm("import", "customers", path)

    assert result.exit_code == 0, result.output
    assert "3 new" in result.output
    stored = {c.customer_code: c for c in session.scalars(select(Customer))}
    assert stored["Q1"].hobbies == '钓鱼, "自驾游"'
    assert stored["Q2"].name == '李"娜'


def test_a_cell_over_131072_characters_rejects_its_row_and_keeps_the_rest(crm, session, tmp_path):
    rows = many(1500)
    rows[1200][3] = "长" * 200_000
    path = write_csv(tmp_path / "c.csv", HEADERS, rows)

    result = crm("import", "customers", path)

    assert result.exit_code == 1, result.output
    assert "1499 new, 0 updated, 0 unchanged, 1 rejected" in result.output
    (reject,) = read_rejects(tmp_path / "c.csv.rejects.csv")
    assert "200,000 characters" in reject["reason"]


def test_a_header_cell_over_131072_characters_is_an_unknown_column_not_a_traceback(
    crm, session, tmp_path
):
    # Python's csv module stopped at 131,072 characters a cell: this header was a traceback.
    path = write_csv(tmp_path / "c.csv", [*HEADERS, "x" * 200_000], many(3))

    result = crm("import", "customers", path)

    assert result.exception is None, result.exception
    assert result.exit_code == 0, result.output
    assert result.output == "customers: 3 new, 0 updated, 0 unchanged, 0 rejected\n"
    assert count(session, Customer) == 3


def test_values_the_columns_cannot_hold_reject_their_rows_on_both_databases(crm, session, tmp_path):
    rows = [
        ["C" * 65, "王伟", "13800138001", ""],  # customer_code over 64
        ["N1", "王\x00伟", "13800138002", ""],  # NUL
        ["N2", "李娜", "13800138003", ""],
    ]
    path = write_csv(tmp_path / "c.csv", HEADERS, rows)

    result = crm("import", "customers", path)

    assert result.exit_code == 1, result.output
    assert "1 new, 0 updated, 0 unchanged, 2 rejected" in result.output
    reasons = [r["reason"] for r in read_rejects(tmp_path / "c.csv.rejects.csv")]
    assert reasons == [
        "customer_code is 65 characters long (at most 64)",
        "a cell holds a NUL character (a damaged export?)",
    ]


def test_long_plates_ro_numbers_and_huge_revenues_reject_their_rows(crm, session, tmp_path):
    crm("import", "customers", write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS_ZH, customer_rows()))
    vehicles = vehicle_rows()[:2]
    vehicles[1][3] = "粤B" + "1" * 20  # a plate over 16
    crm("import", "vehicles", write_csv(tmp_path / "v.csv", VEHICLE_HEADERS_ZH, vehicles))
    visits = [
        ["R" * 65, VIN_A, "2026-01-08", "4980", "首保", "", "0"],
        ["RO2", VIN_A, "2026-01-09", "5000", "维修", "", "9" * 30],
        ["RO3", VIN_A, "2026-01-10", "5100", "维修", "", "9" * 400],
        ["RO4", VIN_A, "2026-01-11", "5200", "维修", "", str(2**63)],
        ["RO5", VIN_A, "2026-01-12", "5300", "维修", "", "680"],
    ]

    result = crm("import", "visits", write_csv(tmp_path / "s.csv", VISIT_HEADERS_ZH, visits))

    assert result.exit_code == 1, result.output
    assert "1 new, 0 updated, 0 unchanged, 4 rejected" in result.output
    assert count(session, Vehicle) == 1
    assert count(session, ServiceVisit) == 1
    assert (
        "plate is 22 characters long (at most 16)"
        in read_rejects(tmp_path / "v.csv.rejects.csv")[0]["reason"]
    )
    assert VIN_B  # the rejected vehicle


def damage(path, member: str, old: bytes, new: bytes) -> None:
    """Rewrite one part of an .xlsx the way a broken exporter would."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    assert old in parts[member], member
    parts[member] = parts[member].replace(old, new, 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"<v>13800001499</v>", b"<v>13800001499x</v>"),  # a bad number cell
        (b"</sheetData>", b"</sheetDat>"),  # broken XML
    ],
    ids=["bad-number", "broken-xml"],
)
def test_a_damaged_xlsx_stops_with_one_sentence_and_stores_nothing(
    crm, session, tmp_path, old, new
):
    rows = [[f"C{i:05d}", "王伟", 13800000000 + i, ""] for i in range(1500)]
    path = write_xlsx(tmp_path / "c.xlsx", HEADERS, rows)
    damage(path, "xl/worksheets/sheet1.xml", old, new)

    result = crm("import", "customers", path)

    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "is not a readable .xlsx file" in result.output
    assert count(session, Customer) == 0


def test_a_revenue_of_1e999_in_an_xlsx_rejects_its_row_with_its_reason(crm, session, tmp_path):
    crm("import", "customers", write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS_ZH, customer_rows()))
    crm("import", "vehicles", write_csv(tmp_path / "v.csv", VEHICLE_HEADERS_ZH, vehicle_rows()))
    visits = [
        ["RO1", VIN_A, "2026-01-08", 4980, "首保", "", 680],
        ["RO2", VIN_A, "2026-01-09", 5000, "维修", "", 12345],
        ["RO3", VIN_A, "2026-01-10", 5100, "维修", "", 720],
    ]
    path = write_xlsx(tmp_path / "s.xlsx", VISIT_HEADERS_ZH, visits)
    # Excel writes an overflowing number as it was typed; openpyxl reads it as infinity.
    damage(path, "xl/worksheets/sheet1.xml", b"<v>12345</v>", b"<v>1e999</v>")

    result = crm("import", "visits", path)

    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1, result.output
    assert "2 new, 0 updated, 0 unchanged, 1 rejected" in result.output
    (reject,) = read_rejects(tmp_path / "s.xlsx.rejects.csv")
    assert reject["工单号"] == "RO2"
    assert "revenue 'inf' is not a finite number" in reject["reason"]
    assert count(session, ServiceVisit) == 2


def without_its_sheet(path) -> None:
    """The workbook lists no sheet, as an exporter that failed before its first one leaves it."""
    damage(
        path,
        "xl/workbook.xml",
        b'<sheet name="Sheet" sheetId="1" state="visible" r:id="rId1" />',
        b"",
    )


def with_a_shared_string_past_the_end(path) -> None:
    """The last row's code points at shared string 7 of a file that holds none."""
    damage(
        path,
        "xl/worksheets/sheet1.xml",
        b'<c r="A1501" t="inlineStr"><is><t>C01499</t></is></c>',
        b'<c r="A1501" t="s"><v>7</v></c>',
    )


@pytest.mark.parametrize(
    ("damaged", "says"),
    [
        (without_its_sheet, "c.xlsx has no worksheet"),
        (with_a_shared_string_past_the_end, "c.xlsx is not a readable .xlsx file"),
    ],
    ids=["no-sheet", "shared-string-index-past-the-end"],
)
def test_an_xlsx_without_a_sheet_or_with_a_bad_shared_string_is_one_sentence(
    crm, session, tmp_path, damaged, says
):
    rows = [[f"C{i:05d}", "王伟", 13800000000 + i, ""] for i in range(1500)]
    path = write_xlsx(tmp_path / "c.xlsx", HEADERS, rows)
    damaged(path)

    result = crm("import", "customers", path)

    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2, result.output
    [line] = result.output.strip().splitlines()
    assert line.startswith(f"Error: {says}"), line
    assert count(session, Customer) == 0


@pytest.mark.parametrize("cell", [float("inf"), float("nan"), "1e999", 10**400, "9" * 30])
def test_an_infinite_or_enormous_revenue_is_a_reason_not_a_crash(cell):
    with pytest.raises(BadValue):
        values.money_cents(cell)
    with pytest.raises(BadValue):
        values.kilometres(cell)


def test_a_truncated_xlsx_is_one_sentence(crm, session, tmp_path):
    path = write_xlsx(tmp_path / "c.xlsx", HEADERS, many(50))
    path.write_bytes(path.read_bytes()[:-200])

    result = crm("import", "customers", path)

    assert result.exit_code == 2, result.output
    assert "is not a readable .xlsx file" in result.output
    assert count(session, Customer) == 0


def test_importing_a_file_that_moves_a_repair_order_between_cars_twice_changes_nothing(
    crm, session, tmp_path
):
    crm("import", "customers", write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS_ZH, customer_rows()))
    crm("import", "vehicles", write_csv(tmp_path / "v.csv", VEHICLE_HEADERS_ZH, vehicle_rows()))
    before = [["RO1", VIN_A, "2026-01-08", "9000", "保养", "", "0"]]
    crm("import", "visits", write_csv(tmp_path / "s0.csv", VISIT_HEADERS_ZH, before))
    # RO1 was keyed to the wrong car: it belongs to car B. Car A's own visit reads less.
    moved = [
        ["RO1", VIN_B, "2026-01-08", "9000", "保养", "", "0"],
        ["RO3", VIN_A, "2026-02-01", "5000", "保养", "", "0"],
    ]
    path = write_csv(tmp_path / "s.csv", VISIT_HEADERS_ZH, moved)

    first = crm("import", "visits", path)
    second = crm("import", "visits", path)

    assert "0 new, 0 updated, 2 unchanged, 0 rejected" in second.output, (
        first.output,
        second.output,
    )
    assert "1 new, 1 updated, 0 unchanged, 0 rejected" in first.output
