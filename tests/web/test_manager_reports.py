"""Reports: a manager picks a month, reads the summary as HTML and downloads md, xlsx, json."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlmodel import select

from crm.models import Store
from tests.factories import add_user
from tests.web.conftest import SECRET, screenshot, sign_in
from tests.web.test_security import console_of, signed_in


@pytest.fixture
def client(database_url, desk, monkeypatch):
    monkeypatch.setenv("CRM_SECRET_KEY", SECRET)
    with console_of(database_url) as client:
        yield client


def months_back(today, n: int) -> str:
    month = today.year * 12 + today.month - 1 - n
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def test_a_manager_reads_a_months_summary_and_downloads_it(console, open_page, desk, database_url):
    this, last, earlier = (months_back(desk.today, n) for n in (0, 1, 2))
    page = open_page((1366, 900))
    sign_in(page, console, "m01")
    page.wait_for_url("**/dashboard")
    page.get_by_role("link", name="月报").click()
    expect(page.locator("#month")).to_have_value(last)  # the latest month due
    months = page.locator(".months a")
    expect(months).to_have_count(13)  # this month so far and the twelve before
    expect(months.first).to_have_text(this)
    frame = page.frame_locator("#report")
    expect(frame.locator("h1")).to_contain_text("示例汽车4S店")
    expect(frame.locator("h1")).to_contain_text(f"{int(last[:4])}年{int(last[5:])}月")
    screenshot(page, "m3-report", database_url)

    page.fill("#month", earlier)
    page.get_by_role("button", name="查看").click()
    page.wait_for_url(f"**/reports?month={earlier}")
    expect(page.locator(".months [aria-current=page]")).to_have_text(earlier)
    expect(frame.locator("h1")).to_contain_text(f"{int(earlier[5:])}月")

    files = {}
    for fmt in ("md", "xlsx", "json"):
        with page.expect_download() as download:
            page.locator(f".downloads a[data-format={fmt}]").click()
        assert download.value.suggested_filename == f"demo-{earlier}.{fmt}"
        files[fmt] = Path(download.value.path()).read_bytes()
    assert "示例汽车4S店" in files["md"].decode("utf-8")
    assert json.loads(files["json"])["store"] == "demo"
    assert load_workbook(io.BytesIO(files["xlsx"])).sheetnames


def test_a_month_not_begun_or_misspelt_is_one_sentence_beside_the_field(client, desk):
    signed_in(client, "m01")
    future = client.get(f"/reports?month={months_back(desk.today, -1)}")
    misspelt = client.get("/reports?month=2026-13")

    assert future.status_code == misspelt.status_code == 422
    assert 'id="month-error"' in future.text and "还没有开始" in future.text
    assert "请按 2026-02 的格式选择月份" in misspelt.text
    assert 'id="report"' not in misspelt.text  # no report framed for a month that is not one
    assert client.get("/reports/2026-13.md").status_code == 404
    assert client.get(f"/reports/{months_back(desk.today, 1)}.exe").status_code == 404


def test_an_agent_is_refused_the_reports_and_their_files(client, desk):
    signed_in(client, "a01")
    assert client.get("/reports").status_code == 403
    assert client.get(f"/reports/{months_back(desk.today, 1)}.json").status_code == 403


def test_a_manager_reads_their_own_stores_report_whatever_the_url_says(
    client, desk, session, password_hash
):
    north = session.exec(select(Store).where(Store.code == "north")).one()
    add_user(session, "n01", "manager", password_hash, store_id=north.id, name="北区经理")
    signed_in(client, "n01")
    answer = client.get(f"/reports/{months_back(desk.today, 1)}.json?store=demo")
    assert answer.status_code == 200
    assert json.loads(answer.content)["store"] == "north"
    assert answer.headers["content-disposition"].startswith("attachment;")


def test_an_admin_reads_the_store_they_pick(client, desk, session, password_hash):
    add_user(session, "ad1", "admin", password_hash, name="管理员")
    signed_in(client, "ad1")
    client.get("/dashboard?store=north")  # the pick is kept for the other pages
    answer = client.get(f"/reports/{months_back(desk.today, 1)}.json")
    summary = json.loads(answer.content)
    assert (summary["store"], summary["as_of"]) == ("north", desk.today.isoformat())
