"""Importing vehicles and service visits: owners, VINs, odometers that only grow."""

from datetime import date

from sqlmodel import select

from crm.models import Customer, ServiceVisit, Vehicle, VehicleOwnership
from tests.factories import (
    CUSTOMER_HEADERS_ZH,
    VEHICLE_HEADERS_ZH,
    VIN_A,
    VIN_B,
    VISIT_HEADERS_ZH,
    customer_rows,
    read_rejects,
    vehicle_rows,
    visit_rows,
    write_csv,
    write_xlsx,
)


def load_customers_and_vehicles(crm, tmp_path):
    crm("import", "customers", write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS_ZH, customer_rows()))
    result = crm(
        "import",
        "vehicles",
        write_csv(tmp_path / "v.csv", VEHICLE_HEADERS_ZH, vehicle_rows(), "gb18030"),
    )
    assert result.exit_code == 0, result.output


def vehicles(session) -> dict[str, Vehicle]:
    return {v.vin: v for v in session.exec(select(Vehicle))}


def visits(session) -> dict[str, ServiceVisit]:
    return {v.ro_number: v for v in session.exec(select(ServiceVisit))}


def test_vehicles_import_with_their_owner_and_first_ownership(crm, session, tmp_path):
    load_customers_and_vehicles(crm, tmp_path)

    stored = vehicles(session)
    assert stored[VIN_A].model == "朗逸"
    assert stored[VIN_A].delivery_date == date(2025, 10, 8)
    assert stored[VIN_B].plate == "粤B67890"
    ownership = session.exec(
        select(VehicleOwnership).where(VehicleOwnership.vehicle_id == stored[VIN_A].id)
    ).one()
    assert ownership.customer_id == stored[VIN_A].owner_id
    assert ownership.started_on == date(2025, 10, 8)
    assert ownership.ended_on is None


def test_a_vehicle_can_name_its_owner_by_phone(crm, session, tmp_path):
    crm("import", "customers", write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS_ZH, customer_rows()))
    path = write_csv(
        tmp_path / "v.csv",
        ["VIN", "手机", "车型", "购车日期"],
        [[VIN_A, "13900139000", "朗逸", "2025-10-08"]],
    )

    result = crm("import", "vehicles", path)

    assert result.exit_code == 0, result.output
    owner = session.get(Customer, vehicles(session)[VIN_A].owner_id)
    assert (owner.customer_code, owner.name) == ("C002", "李娜")  # +86 139-0013-9000


def test_a_new_owner_keeps_the_previous_ownership_in_history(crm, session, tmp_path):
    load_customers_and_vehicles(crm, tmp_path)
    sold_on = vehicle_rows()
    sold_on[0][1] = "C003"

    result = crm("import", "vehicles", write_csv(tmp_path / "v2.csv", VEHICLE_HEADERS_ZH, sold_on))

    assert "0 new, 1 updated, 2 unchanged" in result.output
    car = vehicles(session)[VIN_A]
    history = session.exec(
        select(VehicleOwnership)
        .where(VehicleOwnership.vehicle_id == car.id)
        .order_by(VehicleOwnership.id)
    ).all()
    assert [h.ended_on for h in history] == [date(2026, 3, 10), None]
    assert history[1].customer_id == car.owner_id != history[0].customer_id


def test_reimporting_vehicles_changes_nothing(crm, session, tmp_path):
    load_customers_and_vehicles(crm, tmp_path)

    result = crm(
        "import", "vehicles", write_csv(tmp_path / "v.csv", VEHICLE_HEADERS_ZH, vehicle_rows())
    )

    assert "0 new, 0 updated, 3 unchanged, 0 rejected" in result.output
    assert len(session.exec(select(VehicleOwnership)).all()) == 3


def test_vehicles_without_a_known_owner_or_with_a_bad_vin_are_rejected(crm, session, tmp_path):
    crm("import", "customers", write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS_ZH, customer_rows()))
    rows = vehicle_rows() + [
        ["LFVAB4E2XN0000099", "C999", "朗逸", "", "2025-10-08", ""],
        ["LFVAB4E2ON000009", "C001", "朗逸", "", "2025-10-08", ""],
        ["LFVAB4E20N0000098", "C001", "", "", "2025-10-08", ""],
        ["LFVAB4E20N0000097", "C001", "朗逸", "", "2026-12-01", ""],
    ]
    path = write_csv(tmp_path / "vehicles.csv", VEHICLE_HEADERS_ZH, rows)

    result = crm("import", "vehicles", path)

    assert result.exit_code == 1
    assert "3 new, 0 updated, 0 unchanged, 4 rejected" in result.output
    reasons = [r["reason"] for r in read_rejects(tmp_path / "vehicles.csv.rejects.csv")]
    assert any("unknown customer_code 'C999'" in r for r in reasons)
    assert any("invalid VIN" in r for r in reasons)
    assert "missing model" in reasons
    assert any("in the future" in r for r in reasons)
    assert len(vehicles(session)) == 3


def test_visits_import_from_an_xlsx_with_chinese_service_types(crm, session, tmp_path):
    load_customers_and_vehicles(crm, tmp_path)
    rows = [
        ["RO0001", VIN_A, date(2026, 1, 8), 4980, "首保", "周涛", 0],
        ["RO0002", VIN_A, date(2026, 3, 1), 7200.0, "维修", "吴倩", 1250.5],
        ["RO0003", VIN_B, "2026/3/2", "3100", "钣喷", "周涛", "￥680"],
    ]
    path = write_xlsx(tmp_path / "visits.xlsx", VISIT_HEADERS_ZH, rows)

    result = crm("import", "visits", path)

    assert result.exit_code == 0, result.output
    assert "3 new" in result.output
    stored = visits(session)
    assert stored["RO0001"].service_type == "first_service"
    assert stored["RO0002"].revenue_cents == 125050
    assert stored["RO0002"].odometer_km == 7200
    assert stored["RO0003"].service_type == "bodywork"
    assert stored["RO0003"].customer_id == vehicles(session)[VIN_B].owner_id


def test_reimporting_visits_is_a_no_op_and_a_corrected_row_updates(crm, session, tmp_path):
    load_customers_and_vehicles(crm, tmp_path)
    crm("import", "visits", write_csv(tmp_path / "r.csv", VISIT_HEADERS_ZH, visit_rows()))
    again = crm("import", "visits", write_csv(tmp_path / "r.csv", VISIT_HEADERS_ZH, visit_rows()))
    corrected = visit_rows()
    corrected[2][6] = "720"

    fixed = crm("import", "visits", write_csv(tmp_path / "r2.csv", VISIT_HEADERS_ZH, corrected))

    assert "0 new, 0 updated, 3 unchanged, 0 rejected" in again.output
    assert "0 new, 1 updated, 2 unchanged, 0 rejected" in fixed.output
    assert visits(session)["RO0003"].revenue_cents == 72000


def test_a_visit_never_invents_a_vehicle(crm, session, tmp_path):
    load_customers_and_vehicles(crm, tmp_path)
    rows = [["RO0100", "LFVZZ9Z90N0000001", "2026-02-01", "100", "保养", "", ""]]

    result = crm("import", "visits", write_csv(tmp_path / "visits.csv", VISIT_HEADERS_ZH, rows))

    assert result.exit_code == 1
    (reject,) = read_rejects(tmp_path / "visits.csv.rejects.csv")
    assert reject["reason"] == "unknown VIN LFVZZ9Z90N0000001; import the vehicle first"
    assert len(vehicles(session)) == 3
    assert visits(session) == {}


def test_an_odometer_lower_than_an_earlier_visit_is_rejected(crm, session, tmp_path):
    load_customers_and_vehicles(crm, tmp_path)
    crm("import", "visits", write_csv(tmp_path / "a.csv", VISIT_HEADERS_ZH, visit_rows()))
    rows = [
        ["RO0004", VIN_A, "2026-03-05", "6000", "保养", "", ""],  # lower than 7,200 on 03-01
        ["RO0005", VIN_A, "2026-02-01", "9000", "保养", "", ""],  # higher than 7,200 later
        ["RO0006", VIN_A, "2026-03-06", "7300", "保养", "", ""],  # fine
    ]

    result = crm("import", "visits", write_csv(tmp_path / "visits.csv", VISIT_HEADERS_ZH, rows))

    assert "1 new, 0 updated, 0 unchanged, 2 rejected" in result.output
    reasons = {r["工单号"]: r["reason"] for r in read_rejects(tmp_path / "visits.csv.rejects.csv")}
    assert reasons["RO0004"] == (
        "odometer 6000 km is lower than 7200 km at the earlier visit RO0002 on 2026-03-01"
    )
    assert "higher than 7200 km at the later visit RO0002" in reasons["RO0005"]


def test_odometer_regressions_inside_one_file_are_caught_too(crm, tmp_path):
    load_customers_and_vehicles(crm, tmp_path)
    rows = [
        ["RO0011", VIN_A, "2026-01-08", "5000", "首保", "", ""],
        ["RO0012", VIN_A, "2026-02-08", "4000", "保养", "", ""],
    ]

    result = crm("import", "visits", write_csv(tmp_path / "visits.csv", VISIT_HEADERS_ZH, rows))

    assert "1 new, 0 updated, 0 unchanged, 1 rejected" in result.output


def test_input_rows_equal_stored_plus_rejected_across_a_mixed_file(crm, session, tmp_path):
    load_customers_and_vehicles(crm, tmp_path)
    rows = visit_rows() + [
        ["", VIN_A, "2026-01-09", "5000", "保养", "", ""],
        ["RO0020", VIN_A, "not a date", "5000", "保养", "", ""],
        ["RO0021", VIN_A, "2026-01-09", "lots", "保养", "", ""],
        ["RO0022", VIN_A, "2026-01-09", "5000", "洗车", "", ""],
        ["RO0023", VIN_A, "2026-04-01", "9000", "保养", "", ""],
        ["RO0001", VIN_A, "2026-01-08", "4990", "首保", "", ""],
    ]

    result = crm("import", "visits", write_csv(tmp_path / "visits.csv", VISIT_HEADERS_ZH, rows))

    rejects = read_rejects(tmp_path / "visits.csv.rejects.csv")
    assert len(visits(session)) + len(rejects) == len(rows)
    assert sorted(int(r["row"]) for r in rejects) == [5, 6, 7, 9, 10]
    assert result.exit_code == 1
    # An unknown service type is no reason to lose a visit (issue 16, item 12).
    assert visits(session)["RO0022"].service_type == "other"
