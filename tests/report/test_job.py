"""The scheduled report job: each store's last month, from 07:00 on the 1st of its own clock."""

import json
import logging
from datetime import UTC, datetime, timedelta

from freezegun import freeze_time

from crm.app import App
from crm.config import ReportSettings, Settings
from crm.models import Store
from jobs.report import run_monthly_reports


def hourly_app(database_url, reports) -> App:
    settings = Settings(report=ReportSettings(output_dir=str(reports), formats=["json"]))
    return App(settings=settings, database_url=database_url)


def test_a_store_west_of_the_scheduler_gets_last_month_at_seven_on_its_own_clock(
    database_url, session, tmp_path
):
    session.add(Store(code="la01", name="Los Angeles", timezone="America/Los_Angeles"))
    session.commit()
    reports = tmp_path / "reports"
    app = hourly_app(database_url, reports)
    ticks = [datetime(2026, 2, 15, 12, tzinfo=UTC)]  # mid-February: January is due
    start = datetime(2026, 2, 28, 20, tzinfo=UTC)
    ticks += [start + timedelta(hours=n) for n in range(21)]  # to 16:00 UTC on 1 March

    written = {}
    for tick in ticks:
        with freeze_time(tick):
            paths = run_monthly_reports(app, only_missing=True)
        if paths:
            written[tick.strftime("%m-%d %H:%M")] = sorted(p.rsplit("/", 1)[1] for p in paths)

    assert written == {
        "02-15 12:00": ["demo-2026-01.json", "la01-2026-01.json"],
        "02-28 23:00": ["demo-2026-02.json"],  # 07:00 on 1 March in Shanghai
        "03-01 15:00": ["la01-2026-02.json"],  # 07:00 on 1 March in Los Angeles (UTC-8)
    }
    february = json.loads((reports / "la01-2026-02.json").read_text(encoding="utf-8"))
    assert (february["month"], february["as_of"]) == ("2026-02", "2026-03-01")


def test_one_stores_failure_is_logged_and_the_others_still_get_their_reports(
    database_url, session, tmp_path, caplog
):
    session.add(Store(code="aa01", name="Broken", timezone="Mars/Olympus_Mons"))
    session.add(Store(code="gz02", name="Guangzhou", timezone="Asia/Shanghai"))
    session.commit()
    reports = tmp_path / "reports"
    app = hourly_app(database_url, reports)

    with freeze_time(datetime(2026, 3, 1, 1, tzinfo=UTC)), caplog.at_level(logging.ERROR):
        written = run_monthly_reports(app, only_missing=True)

    assert sorted(p.rsplit("/", 1)[1] for p in written) == [
        "demo-2026-02.json",
        "gz02-2026-02.json",
    ]
    assert [r.getMessage() for r in caplog.records] == [
        "report aa01 failed; the next run tries again"
    ]
