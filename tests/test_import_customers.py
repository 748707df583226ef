"""Importing customers: encodings, Chinese headers, Excel, idempotency, nothing lost."""

import json
from datetime import date

from sqlmodel import select

from crm.models import Customer
from tests.factories import (
    CUSTOMER_HEADERS_ZH,
    customer_rows,
    read_rejects,
    write_csv,
    write_xlsx,
)


def customers(session) -> dict[str, Customer]:
    return {c.customer_code or c.phone: c for c in session.exec(select(Customer))}


def test_a_gb18030_csv_with_chinese_headers_imports(crm, session, tmp_path):
    path = write_csv(tmp_path / "客户.csv", CUSTOMER_HEADERS_ZH, customer_rows(), "gb18030")

    result = crm("import", "customers", path)

    assert result.exit_code == 0, result.output
    assert "customers: 3 new, 0 updated, 0 unchanged, 0 rejected" in result.output
    stored = customers(session)
    assert stored["C001"].name == "王伟"
    assert stored["C001"].phone == "+8613800138000"
    assert stored["C001"].birthday == date(1985, 3, 5)
    assert stored["C001"].gender == "male"
    assert stored["C001"].family_notes == "已婚，一个孩子"
    assert stored["C002"].phone == "+8613900139000"
    assert stored["C003"].phone == "+8613700137000"


def test_a_lunar_birthday_is_read_as_a_lunar_date(crm, session, tmp_path):
    path = write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS_ZH, customer_rows(), "gb18030")

    crm("import", "customers", path)

    li_na = customers(session)["C002"]
    assert li_na.birthday_calendar == "lunar"
    # 农历 1990-08-15 (Mid-Autumn) was 3 October 1990.
    assert li_na.birthday == date(1990, 10, 3)


def test_utf8_with_a_bom_and_english_headers_imports(crm, session, tmp_path):
    headers = ["Customer_Code ", "NAME", "phone", "birthday", "sms_consent", "marketing_consent"]
    rows = [["X1", "Alice Wang", "13800138001", "2026-01-02", "no", "yes"]]
    path = write_csv(tmp_path / "c.csv", headers, rows, "utf-8-sig")

    result = crm("import", "customers", path)

    assert result.exit_code == 0, result.output
    alice = customers(session)["X1"]
    assert (alice.sms_consent, alice.marketing_consent) == (False, True)
    assert alice.sms_consent_source == "import"


def test_an_xlsx_with_date_cells_and_numeric_phones_imports(crm, session, tmp_path):
    rows = [
        ["C010", "赵敏", 13912345678, date(1988, 2, 29), "公历"],
        ["C011", "孙浩", "13912345679", 32874, ""],  # an Excel serial: 1990-01-01
    ]
    path = write_xlsx(tmp_path / "c.xlsx", CUSTOMER_HEADERS_ZH[:5], rows)

    result = crm("import", "customers", path)

    assert result.exit_code == 0, result.output
    stored = customers(session)
    assert stored["C010"].phone == "+8613912345678"
    assert stored["C010"].birthday == date(1988, 2, 29)
    assert stored["C011"].birthday == date(1990, 1, 1)


def test_importing_the_same_file_twice_changes_nothing(crm, session, tmp_path):
    path = write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS_ZH, customer_rows(), "gb18030")
    crm("import", "customers", path)
    before = {k: c.model_dump() for k, c in customers(session).items()}

    result = crm("import", "customers", path)

    assert result.exit_code == 0
    assert "0 new, 0 updated, 3 unchanged, 0 rejected" in result.output
    session.expire_all()
    assert {k: c.model_dump() for k, c in customers(session).items()} == before


def test_a_newer_export_updates_what_changed_and_keeps_what_it_leaves_blank(crm, session, tmp_path):
    crm("import", "customers", write_csv(tmp_path / "a.csv", CUSTOMER_HEADERS_ZH, customer_rows()))
    newer = customer_rows()
    newer[0][6] = "校长"  # promoted
    newer[0][7] = ""  # a blank cell does not erase the hobby we know
    path = write_csv(tmp_path / "b.csv", CUSTOMER_HEADERS_ZH, newer)

    result = crm("import", "customers", path)

    assert "0 new, 1 updated, 2 unchanged" in result.output
    wang = customers(session)["C001"]
    assert (wang.occupation, wang.hobbies) == ("校长", "钓鱼")


def test_every_bad_row_is_in_the_rejects_file_with_its_reason(crm, session, tmp_path):
    rows = customer_rows() + [
        ["C004", "", "13800138004", "", "", "", "", "", "", ""],
        ["C005", "周涛", "12345", "", "", "", "", "", "", ""],
        ["C006", "吴倩", "13800138006", "1990-02-30", "公历", "", "", "", "", ""],
        ["C007", "郑凯", "13800138007", "2027-01-01", "", "", "", "", "", ""],
        ["C001", "王伟", "13800138000", "1985-03-05", "公历", "男", "律师", "", "", ""],
        ["C008", "冯丽", "13800138008", "", "", "未知", "", "", "", ""],
    ]
    path = write_csv(tmp_path / "customers.csv", CUSTOMER_HEADERS_ZH, rows, "gb18030")

    result = crm("import", "customers", path, "--format", "json")

    assert result.exit_code == 1
    counts = json.loads(result.output)
    assert counts["new"] + counts["updated"] + counts["unchanged"] == len(customers(session))
    assert counts["rows"] == len(rows) == counts["new"] + counts["rejected"]
    rejects = {r["客户编号"]: r for r in read_rejects(tmp_path / "customers.csv.rejects.csv")}
    assert counts["rejected"] == len(rejects) == 3
    assert rejects["C004"]["reason"] == "missing name"
    assert "invalid phone" in rejects["C005"]["reason"]
    assert "conflicts with row 2" in rejects["C001"]["reason"]
    assert rejects["C005"]["row"] == "6"
    assert rejects["C005"]["姓名"] == "周涛"
    # An unusable birthday or gender costs the field, not the customer (issue 16, item 10).
    warned = {r["客户编号"]: r for r in read_rejects(tmp_path / "customers.csv.warnings.csv")}
    assert counts["warned"] == len(warned) == 3
    assert "invalid date" in warned["C006"]["warning"]
    assert "in the future" in warned["C007"]["warning"]
    assert "unknown gender" in warned["C008"]["warning"]
    assert customers(session)["C006"].birthday is None


def test_an_identical_duplicate_row_is_stored_once(crm, session, tmp_path):
    rows = customer_rows() + [customer_rows()[0]]
    result = crm("import", "customers", write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS_ZH, rows))

    assert result.exit_code == 0
    assert "3 new, 0 updated, 1 unchanged, 0 rejected" in result.output
    assert len(customers(session)) == 3


def test_without_a_customer_code_the_phone_is_the_key(crm, session, tmp_path):
    headers = ["姓名", "联系电话"]
    crm("import", "customers", write_csv(tmp_path / "a.csv", headers, [["王伟", "13800138000"]]))

    result = crm(
        "import",
        "customers",
        write_csv(tmp_path / "b.csv", headers, [["王伟先生", "+86 138 0013 8000"]]),
    )

    assert "0 new, 1 updated" in result.output
    (only,) = customers(session).values()
    assert only.name == "王伟先生"


def test_an_export_never_restores_consent_the_customer_withdrew_at_the_store(
    crm, session, tmp_path
):
    headers = ["客户编号", "姓名", "手机", "短信"]
    crm(
        "import",
        "customers",
        write_csv(tmp_path / "a.csv", headers, [["C1", "王伟", "13800138000", "是"]]),
    )
    wang = customers(session)["C1"]
    wang.sms_consent, wang.sms_consent_source = False, "call"
    session.add(wang)
    session.commit()

    result = crm(
        "import",
        "customers",
        write_csv(tmp_path / "b.csv", headers, [["C1", "王伟", "13800138000", "是"]]),
    )

    assert "1 unchanged" in result.output
    session.expire_all()
    assert customers(session)["C1"].sms_consent is False


def test_dry_run_counts_and_reports_but_saves_nothing(crm, session, tmp_path):
    rows = customer_rows() + [["C009", "", "13800138009", "", "", "", "", "", "", ""]]
    path = write_csv(tmp_path / "customers.csv", CUSTOMER_HEADERS_ZH, rows)

    result = crm("import", "customers", path, "--dry-run")

    assert result.exit_code == 1
    assert "3 new, 0 updated, 0 unchanged, 1 rejected" in result.output
    assert "dry run" in result.output
    assert customers(session) == {}
    assert len(read_rejects(tmp_path / "customers.csv.rejects.csv")) == 1


def test_a_clean_import_removes_the_rejects_file_of_an_earlier_run(crm, tmp_path):
    bad = customer_rows() + [["C009", "", "13800138009", "", "", "", "", "", "", ""]]
    crm("import", "customers", write_csv(tmp_path / "customers.csv", CUSTOMER_HEADERS_ZH, bad))
    assert (tmp_path / "customers.csv.rejects.csv").exists()

    crm(
        "import",
        "customers",
        write_csv(tmp_path / "customers.csv", CUSTOMER_HEADERS_ZH, customer_rows()),
    )

    assert not (tmp_path / "customers.csv.rejects.csv").exists()


def test_an_unusable_file_is_one_sentence_and_exit_2(crm, tmp_path):
    missing = crm("import", "customers", tmp_path / "nope.csv")
    assert missing.exit_code == 2
    assert missing.output.strip() == f"Error: {tmp_path / 'nope.csv'} does not exist"

    (tmp_path / "binary.csv").write_bytes(b"\xff\xfe\x00\x81\x30" * 3 + b"\x80\xff")
    garbage = crm("import", "customers", tmp_path / "binary.csv")
    assert garbage.exit_code == 2
    assert "Traceback" not in garbage.output

    (tmp_path / "c.xlsx").write_bytes(b"not a zip")
    broken = crm("import", "customers", tmp_path / "c.xlsx")
    assert broken.exit_code == 2
    assert "not a readable .xlsx" in broken.output


def test_a_file_without_a_required_column_is_refused_before_any_row(crm, session, tmp_path):
    path = write_csv(tmp_path / "c.csv", ["客户编号", "姓名"], [["C1", "王伟"]])

    result = crm("import", "customers", path)

    assert result.exit_code == 2
    assert "no column for phone (手机)" in result.output
    assert customers(session) == {}


def test_rows_naming_an_unknown_store_are_rejected(crm, tmp_path):
    headers = ["姓名", "手机", "门店"]
    path = write_csv(tmp_path / "c.csv", headers, [["王伟", "13800138000", "sz99"]])

    result = crm("import", "customers", path)

    assert result.exit_code == 1
    assert "unknown store 'sz99'" in read_rejects(tmp_path / "c.csv.rejects.csv")[0]["reason"]


def test_rows_land_in_the_store_they_name(crm, session, tmp_path):
    crm("stores", "add", "gz02", "--name", "广州天河店")
    headers = ["姓名", "手机", "门店"]
    path = write_csv(
        tmp_path / "c.csv",
        headers,
        [["王伟", "13800138000", "gz02"], ["王伟", "13800138000", "demo"]],
    )

    result = crm("import", "customers", path)

    assert "2 new" in result.output
    assert len(customers(session)) == 1  # one key per store: same phone, two stores
    assert len(list(session.exec(select(Customer)))) == 2


def test_a_blank_calendar_cell_keeps_a_lunar_birthday_lunar(crm, session, tmp_path):
    crm("import", "customers", write_csv(tmp_path / "a.csv", CUSTOMER_HEADERS_ZH, customer_rows()))
    again = customer_rows()
    again[1][4] = ""  # 李娜's 农历 left blank in a later export; her birthday cell kept

    result = crm("import", "customers", write_csv(tmp_path / "b.csv", CUSTOMER_HEADERS_ZH, again))

    assert "0 new, 0 updated, 3 unchanged" in result.output
    li_na = customers(session)["C002"]
    assert (li_na.birthday, li_na.birthday_calendar) == (date(1990, 10, 3), "lunar")
