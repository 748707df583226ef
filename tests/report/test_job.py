"""The scheduled report job: each store's last month, from 10:00 on the 1st of its own clock,
again when that month's visits arrive later, and never for a month before go-live."""

import json
import logging
from datetime import UTC, datetime, timedelta

from freezegun import freeze_time
from sqlmodel import select

from crm.app import App
from crm.config import ReportSettings, Settings
from crm.models import Store
from jobs.report import run_monthly_reports
from tests.factories import VIN_A, add_customer, add_vehicle, write_csv

LONG_AGO = datetime(2025, 6, 1, tzinfo=UTC)  # the stores went live before these months


def hourly_app(database_url, reports, **report) -> App:
    settings = Settings(report=ReportSettings(output_dir=str(reports), formats=["json"], **report))
    return App(settings=settings, database_url=database_url)


def live_since(session, moment: datetime) -> None:
    """Every store of the database went live at `moment`."""
    for store in session.exec(select(Store)):
        store.created_at = moment
        session.add(store)
    session.commit()


def run_at(app: App, moment: datetime) -> list[str]:
    with freeze_time(moment):
        return sorted(p.rsplit("/", 1)[1] for p in run_monthly_reports(app, only_missing=True))


def test_a_store_west_of_the_scheduler_gets_last_month_at_ten_on_its_own_clock(
    database_url, session, tmp_path
):
    session.add(Store(code="la01", name="Los Angeles", timezone="America/Los_Angeles"))
    session.commit()
    live_since(session, LONG_AGO)
    reports = tmp_path / "reports"
    app = hourly_app(database_url, reports)
    ticks = [datetime(2026, 2, 15, 12, tzinfo=UTC)]  # mid-February: January is due
    start = datetime(2026, 2, 28, 20, tzinfo=UTC)
    ticks += [start + timedelta(hours=n) for n in range(25)]  # to 20:00 UTC on 1 March

    written = {}
    for tick in ticks:
        paths = run_at(app, tick)
        if paths:
            written[tick.strftime("%m-%d %H:%M")] = paths

    assert written == {
        "02-15 12:00": ["demo-2026-01.json", "la01-2026-01.json"],
        "03-01 02:00": ["demo-2026-02.json"],  # 10:00 on 1 March in Shanghai
        "03-01 18:00": ["la01-2026-02.json"],  # 10:00 on 1 March in Los Angeles (UTC-8)
    }
    february = json.loads((reports / "la01-2026-02.json").read_text(encoding="utf-8"))
    assert (february["month"], february["as_of"]) == ("2026-02", "2026-03-01")


def test_the_hour_is_configurable(database_url, session, tmp_path):
    live_since(session, LONG_AGO)
    app = hourly_app(database_url, tmp_path / "reports", scheduled_hour=7)
    shanghai = datetime(2026, 2, 28, 16, tzinfo=UTC)  # midnight on 1 March, store time

    assert run_at(app, shanghai + timedelta(hours=6)) == ["demo-2026-01.json"]
    assert run_at(app, shanghai + timedelta(hours=7)) == ["demo-2026-02.json"]


def test_one_stores_failure_is_logged_and_the_others_still_get_their_reports(
    database_url, session, tmp_path, caplog
):
    session.add(Store(code="aa01", name="Broken", timezone="Mars/Olympus_Mons"))
    session.add(Store(code="gz02", name="Guangzhou", timezone="Asia/Shanghai"))
    session.commit()
    live_since(session, LONG_AGO)
    reports = tmp_path / "reports"
    app = hourly_app(database_url, reports)

    with freeze_time(datetime(2026, 3, 1, 3, tzinfo=UTC)), caplog.at_level(logging.ERROR):
        written = run_monthly_reports(app, only_missing=True)

    assert sorted(p.rsplit("/", 1)[1] for p in written) == [
        "demo-2026-02.json",
        "gz02-2026-02.json",
    ]
    assert [r.getMessage() for r in caplog.records] == [
        "report aa01 failed; the next run tries again"
    ]


def test_visits_of_the_month_imported_later_rewrite_its_report(
    crm, database_url, session, tmp_path
):
    live_since(session, LONG_AGO)
    owner = add_customer(session)
    car = add_vehicle(session, owner, datetime(2025, 12, 1).date())
    car.vin = VIN_A
    session.add(car)
    session.commit()
    reports = tmp_path / "reports"
    app = hourly_app(database_url, reports)
    first = datetime(2026, 3, 1, 2, tzinfo=UTC)  # 10:00 on 1 March in Shanghai
    late_export = write_csv(
        tmp_path / "二月工单.csv",
        ["工单号", "车架号", "进厂日期", "里程", "维修类型", "结算金额"],
        [["RO9", VIN_A, "2026-02-27", "3000", "保养", "680.00"]],
    )

    assert run_at(app, first) == ["demo-2026-02.json"]
    assert run_at(app, first + timedelta(hours=1)) == []  # written, nothing new
    imported = crm("import", "visits", late_export, at=first + timedelta(days=2))
    assert imported.exit_code == 0, imported.output
    assert run_at(app, first + timedelta(days=2, hours=1)) == ["demo-2026-02.json"]
    assert run_at(app, first + timedelta(days=2, hours=2)) == []

    february = json.loads((reports / "demo-2026-02.json").read_text(encoding="utf-8"))
    assert (february["service_visits"], february["service_revenue"]) == (1, 680.0)


def test_the_first_report_covers_only_months_since_go_live(database_url, session, tmp_path):
    live_since(session, datetime(2026, 2, 27, 1, tzinfo=UTC))  # 27 Feb, 09:00 in Shanghai
    app = hourly_app(database_url, tmp_path / "reports")

    assert run_at(app, datetime(2026, 2, 27, 4, tzinfo=UTC)) == []  # no January report
    assert run_at(app, datetime(2026, 3, 1, 2, tzinfo=UTC)) == ["demo-2026-02.json"]
