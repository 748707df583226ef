"""Imports by upload in a real Chromium: a dry run that saves nothing, then the import with
its progress, the rejects to download, the history; and who may do it."""

from __future__ import annotations

import re
import stat
import tempfile
import time
from pathlib import Path

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect
from sqlmodel import select

from crm.models import AuditEvent, Customer
from tests.factories import write_csv
from tests.web.conftest import screenshot, sign_in
from tests.web.test_security import BASE, console_of, signed_in, token_of

HEADERS = ["客户编号", "姓名", "手机号", "生日"]
GOOD = [
    ["C101", "张伟", "139 1111 0001", "1985-03-05"],
    ["C102", "欧阳晓燕", "13911110002", "1990/7/1"],
    ["C103", "李娜", "+86 139-1111-0003", ""],
]
NO_NAME = ["C104", "", "13911110004", ""]
BAD_PHONE = ["C105", "赵强", "12345", ""]


@pytest.fixture(autouse=True)
def server_tmp(tmp_path, monkeypatch) -> Path:
    """The folder the console keeps uploads in (its TMPDIR), to see what it leaves there."""
    folder = tmp_path / "server-tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))  # the console's own process
    monkeypatch.setattr(tempfile, "tempdir", str(folder))  # this one's, for in-process tests
    return folder


def codes(session) -> set[str]:
    session.expire_all()
    return set(session.exec(select(Customer.customer_code)).all())


def upload(page, console: str, kind_label: str, path: Path) -> None:
    page.goto(f"{console}/imports")
    page.get_by_label(kind_label).check()
    page.set_input_files("#file", str(path))
    page.get_by_role("button", name="试导入").click()


def test_a_gb18030_csv_is_checked_then_imported_with_its_rejects_and_history(
    console, open_page, session, server_tmp, database_url
):
    path = write_csv(server_tmp.parent / "客户资料.csv", HEADERS, [*GOOD, NO_NAME], "gb18030")
    before = codes(session)
    page = open_page()
    sign_in(page, console, "m01")
    page.wait_for_url("**/dashboard")
    upload(page, console, "客户资料", path)

    job = page.locator("#job")
    expect(job).to_have_attribute("data-state", "done")
    expect(job).to_contain_text("试导入完成")
    expect(job.locator("[data-count=new]")).to_have_text("3")
    expect(job.locator("[data-count=rejected]")).to_have_text("1")
    expect(job.locator("table.rejects")).to_contain_text("缺少姓名")
    screenshot(page, "m-import-dry-run", database_url)
    assert codes(session) == before  # the dry run saved nothing
    [kept] = list(server_tmp.glob("crm-import-*/客户资料.csv"))
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("下载全部1条")).click()
    rejects = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "C104" in rejects and "missing name" in rejects

    page.get_by_role("button", name=re.compile("确认导入")).click()
    expect(job).to_have_attribute("data-state", "done")
    expect(job).to_contain_text("导入完成")
    assert codes(session) - before == {"C101", "C102", "C103"}
    assert not kept.exists()  # the upload is deleted once imported

    page.get_by_role("link", name="返回导入").click()
    history = page.locator("#import-history tbody tr").first
    expect(history).to_contain_text("客户资料.csv")
    expect(history).to_contain_text("m01")
    [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "import")).all()
    assert (event.actor, event.detail["file"], event.detail["new"]) == ("m01", "客户资料.csv", 3)
    assert event.detail["rejected"] == 1


def test_an_xlsx_with_bad_rows_shows_each_reason_and_can_be_discarded(
    console, open_page, session, server_tmp
):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in [GOOD[0], NO_NAME, BAD_PHONE, GOOD[1]]:
        sheet.append(row)
    path = server_tmp.parent / "customers.xlsx"
    workbook.save(path)
    before = codes(session)
    page = open_page()
    sign_in(page, console, "m01")
    page.wait_for_url("**/dashboard")
    upload(page, console, "客户资料", path)

    job = page.locator("#job")
    expect(job).to_have_attribute("data-state", "done")
    expect(job.locator("[data-count=rows]")).to_have_text("4")
    expect(job.locator("[data-count=rejected]")).to_have_text("2")
    rows = job.locator("table.rejects tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("3")  # the sheet's row 3: its header is row 1
    expect(rows.nth(0)).to_contain_text("缺少姓名")
    expect(rows.nth(1)).to_contain_text("12345")
    page.get_by_role("button", name="放弃").click()
    page.wait_for_url("**/imports")
    assert codes(session) == before
    assert list(server_tmp.glob("crm-import-*")) == []  # discarded: its folder is gone


def test_a_file_of_another_type_is_one_sentence_beside_the_file(console, open_page, server_tmp):
    path = server_tmp.parent / "客户.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0 old excel")
    page = open_page()
    sign_in(page, console, "m01")
    page.wait_for_url("**/dashboard")
    upload(page, console, "客户资料", path)
    expect(page.locator("[data-error-for=file]")).to_have_text(
        "只能导入 .csv 或 .xlsx 文件；旧版 .xls 请在 Excel 中另存为 .xlsx。"
    )
    expect(page.locator("#file")).to_have_attribute("aria-invalid", "true")


@pytest.fixture
def client(database_url, desk, monkeypatch):
    from tests.web.conftest import SECRET

    monkeypatch.setenv("CRM_SECRET_KEY", SECRET)
    with console_of(database_url) as client:
        yield client


def test_a_file_over_the_limit_is_refused_before_it_is_read(client, monkeypatch, server_tmp):
    from web import uploads

    monkeypatch.setattr(uploads, "MAX_BYTES", 1 << 20)
    signed_in(client, "m01")
    answer = client.post(
        "/imports",
        data={"kind": "customers", "csrf_token": token_of(client, "/imports")},
        files={"file": ("big.csv", b"x" * 1_200_000, "text/csv")},
        headers={"Origin": BASE},
    )
    assert answer.status_code == 413
    assert "文件超过 1 MB，请拆分后分批导入。" in answer.text
    assert list(server_tmp.glob("crm-import-*")) == []


def test_an_agent_may_not_import(client):
    signed_in(client, "a01")
    assert client.get("/imports").status_code == 403
    answer = client.post(
        "/imports",
        data={"kind": "customers", "csrf_token": token_of(client, "/day")},
        files={"file": ("c.csv", b"a,b\n", "text/csv")},
        headers={"Origin": BASE},
    )
    assert answer.status_code == 403


def test_another_stores_import_does_not_exist_for_a_manager(client, tmp_path):
    import io

    from crm.actions.context import open_store
    from web import uploads

    signed_in(client, "m01")
    csv = "姓名,手机号\n王伟,13911112222\n".encode()
    north = open_store(client.app.state.crm, "north")
    job = uploads.start(north, "customers", "n.csv", io.BytesIO(csv))
    while job.running:  # its dry run, in a thread of this process
        time.sleep(0.05)
    for path in (f"/imports/{job.id}", f"/imports/{job.id}/rejects"):
        assert client.get(path).status_code == 404
    token = token_of(client, "/imports")
    answer = client.post(
        f"/imports/{job.id}/import", data={"csrf_token": token}, headers={"Origin": BASE}
    )
    assert answer.status_code == 404
    assert job.phase == "dry_run"
    uploads.discard(job)


def test_the_cli_import_records_the_same_history_row(crm, session, tmp_path):
    path = write_csv(tmp_path / "客户.csv", HEADERS, GOOD, "gb18030")
    assert crm("import", "customers", path).exit_code == 0
    crm("import", "customers", path, "--dry-run")  # a dry run changes nothing: no row
    [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "import")).all()
    assert event.actor.startswith("cli:")
    assert event.detail == {
        "kind": "customers",
        "file": "客户.csv",
        "rows": 3,
        "new": 3,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }


def test_the_page_polls_the_progress_every_second_until_the_import_ends(client, monkeypatch):
    import threading

    from web import uploads

    halfway, finish = threading.Event(), threading.Event()

    def slow_import(ctx, kind, path, dry_run, progress):
        from crm.actions.setup import import_file

        progress(50, 200)
        halfway.set()
        finish.wait(10)
        return import_file(ctx, kind, path, dry_run=dry_run)

    monkeypatch.setattr(uploads, "import_file", slow_import)
    signed_in(client, "m01")
    answer = client.post(
        "/imports",
        data={"kind": "customers", "csrf_token": token_of(client, "/imports")},
        files={"file": ("c.csv", "姓名,手机号\n王伟,13911112222\n".encode(), "text/csv")},
        headers={"Origin": BASE},
        follow_redirects=False,
    )
    job_url = answer.headers["location"]
    assert halfway.wait(10)
    polled = client.get(job_url, headers={"HX-Request": "true"}).text
    assert 'hx-trigger="every 1s"' in polled and 'data-percent="25"' in polled
    busy = client.post(
        "/imports",
        data={"kind": "customers", "csrf_token": token_of(client, "/imports")},
        files={"file": ("d.csv", "姓名,手机号\n李娜,13911113333\n".encode(), "text/csv")},
        headers={"Origin": BASE},
    )
    assert "本店已有一个导入正在进行，请等它完成。" in busy.text
    finish.set()
    for _ in range(100):
        polled = client.get(job_url, headers={"HX-Request": "true"}).text
        if 'data-state="done"' in polled:
            break
        time.sleep(0.05)
    assert 'data-state="done"' in polled and "hx-trigger" not in polled


def test_every_change_on_these_pages_refuses_a_post_without_the_forms_token(client, session):
    """Imports, campaigns and SMS: each POST the three pages declare, sent without the token."""
    pages = Path(__file__).resolve().parents[2] / "web" / "pages" / "manager"
    routes = []
    for name in ("imports", "campaigns", "sms"):
        routes += re.findall(r'@router\.post\("([^"]+)"\)', (pages / f"{name}.py").read_text())
    assert len(routes) >= 9
    signed_in(client, "m01")
    for path in routes:
        answer = client.post(
            path.replace("{job_id}", "x"),
            data={"kind": "customers", "phone": "13900000001", "name": "x"},
            files={"file": ("c.csv", "姓名,手机号\n王伟,13911112222\n".encode(), "text/csv")},
            headers={"Origin": BASE},
        )
        assert answer.status_code == 403, path
    session.expire_all()
    assert session.exec(select(AuditEvent)).all() == []
    assert session.exec(select(Customer).where(Customer.sms_consent.is_(False))).all() == []


def test_a_second_checked_file_waits_while_the_stores_import_runs(client, monkeypatch):
    import threading

    from web import uploads

    signed_in(client, "m01")
    jobs = []
    for name, row in (("a.csv", "王伟,13911112222"), ("b.csv", "李娜,13911113333")):
        answer = client.post(
            "/imports",
            data={"kind": "customers", "csrf_token": token_of(client, "/imports")},
            files={"file": (name, f"姓名,手机号\n{row}\n".encode(), "text/csv")},
            headers={"Origin": BASE},
            follow_redirects=False,
        )
        job = uploads.find(answer.headers["location"].rsplit("/", 1)[1], lambda store: True)
        while job.running:  # its dry run, in a thread of this process
            time.sleep(0.05)
        jobs.append(job)
    importing, finish = threading.Event(), threading.Event()
    real = uploads.import_file

    def slow_import(ctx, kind, path, dry_run, progress):
        importing.set()
        finish.wait(10)
        return real(ctx, kind, path, dry_run=dry_run, progress=progress)

    monkeypatch.setattr(uploads, "import_file", slow_import)
    first, second = jobs
    token = token_of(client, f"/imports/{first.id}")
    client.post(f"/imports/{first.id}/import", data={"csrf_token": token}, headers={"Origin": BASE})
    assert importing.wait(10)

    answer = client.post(
        f"/imports/{second.id}/import", data={"csrf_token": token}, headers={"Origin": BASE}
    )

    assert answer.status_code == 409
    assert "本店已有一个导入正在进行，请等它完成。" in answer.text
    assert (second.phase, second.running) == ("dry_run", False)
    finish.set()
    while first.running:
        time.sleep(0.05)
    uploads.discard(second)
