"""A store's first month, driven through the CLI: unreachable callbacks, customers imported
with 否, late complaints; the month-end summary adds up exactly (issue 16, "Done when")."""

import csv
import json
from datetime import UTC, date, datetime

from sqlmodel import select

from crm.models import Customer, Store
from tests.factories import add_agent, add_task

HEADERS = ["客户编号", "姓名", "手机", "短信"]


def feb(day: int, hour: int = 10) -> datetime:
    """A moment in February 2026, store time (Shanghai, UTC+8)."""
    return datetime(2026, 2, day, hour - 8, tzinfo=UTC)


def export(path, rows):
    """A GB18030 export with a title row above its header, as the DMS writes it."""
    with path.open("w", encoding="gb18030", newline="") as handle:
        csv.writer(handle).writerows([["客户资料导出（2026年2月）"], HEADERS, *rows])
    return path


def test_a_first_month_with_unreachable_callbacks_and_late_complaints_adds_up(
    crm, session, tmp_path
):
    def ok(*args, when):
        result = crm(*args, at=when)
        assert result.exit_code == 0, result.output
        return result

    store = session.get(Store, 1)
    store.created_at = feb(1, 9)  # went live on 1 February
    session.add(store)
    session.commit()
    people = [
        ["C1", "王伟", "13800138001", "否"],  # never agreed: no opt-out
        ["C2", "李娜", "13800138002", "是"],
        ["C3", "张强", "13800138003", "是"],
        ["C4", "赵敏", "13800138004", "是"],
        ["C5", "孙丽", "13800138005", "是"],
    ]
    ok("import", "customers", export(tmp_path / "a.csv", people), when=feb(1))
    add_agent(session, "a01", "王芳")
    customers = {c.customer_code: c for c in session.exec(select(Customer))}
    due = date(2026, 2, 5)
    task = {
        code: add_task(session, customers[code], "service_callback", date(2026, 2, 3), due).id
        for code in ("C1", "C2", "C3", "C4", "C5")
    }
    ok("calls", "assign", when=feb(3, 8))

    ok("calls", "log", task["C1"], "--outcome", "reached", "--satisfaction", "5", when=feb(4))
    ok("calls", "log", task["C2"], "--outcome", "reached", "--satisfaction", "4", when=feb(7))
    for day in (3, 4, 5):
        ok("calls", "log", task["C3"], "--outcome", "no_answer", when=feb(day))
    ok("calls", "log", task["C4"], "--outcome", "wrong_number", when=feb(4))
    # C5's callback is never made.

    people[2][3] = "否"  # the DMS records that 张强 withdrew
    ok("import", "customers", export(tmp_path / "b.csv", people), when=feb(10))
    first = json.loads(
        ok(
            "complaints",
            "add",
            "--customer",
            "13800138002",
            "--category",
            "等待维修时间过长",
            "--text",
            "等了三小时",
            "--format",
            "json",
            when=feb(7),
        ).output  # fmt: skip
    )
    ok("complaints", "resolve", first["complaint_id"], "--resolution", "致歉", when=feb(16))
    ok("complaints", "add", "--customer", "13800138003", "--category", "价格",
       "--text", "工时费太贵", when=feb(20))  # fmt: skip

    march = datetime(2026, 3, 2, 4, tzinfo=UTC)
    figures = json.loads(ok("report", "monthly", "2026-02", "--format", "json", when=march).output)
    text_ = ok("report", "monthly", "2026-02", when=march).output

    callbacks = {
        k: figures[k] for k in figures if k.startswith("callbacks_") and k != "callbacks_by_kind"
    }
    assert callbacks == {
        "callbacks_due": 5,
        "callbacks_on_time": 1,
        "callbacks_late": 1,
        "callbacks_not_done": 3,
        "callbacks_overdue": 4,
        "callbacks_not_done_by_reason": {"unreachable": 1, "wrong_number": 1, "open": 1},
    }
    assert figures["callbacks_due"] == sum(
        figures[k] for k in ("callbacks_on_time", "callbacks_late", "callbacks_not_done")
    )
    assert (figures["calls_made"], figures["calls_reached"]) == (6, 2)
    assert (figures["satisfaction_customers"], figures["satisfaction_rated"]) == (2, 2)
    assert figures["opt_outs"] == 1  # 张强, by the export; not 王伟, imported with 否
    assert (figures["complaints_received"], figures["complaints_resolved"]) == (2, 1)
    assert figures["complaints_late_response"] == 2  # resolved on the 16th, never called
    assert figures["complaints_late_resolution"] == 2  # 9 days; still open at month end
    assert "本月应回访 5 次" in text_ and "未按时 4 次（逾期完成 1 次、未完成 3 次" in text_
    assert "1 位客户退订短信" in text_
    assert "涉及价格、等待维修时间过长（各 1 起）" in text_
    assert "超过 24 小时才首次答复的 2 起，超过 7 天未解决的 2 起" in text_
