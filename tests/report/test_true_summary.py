"""The month-end summary must be true (issue 16, items 2-5 and 7): every figure a
manager hands on adds up, says what it counts, and reads in the store's words."""

import csv
import json
import re
from datetime import UTC, datetime
from io import BytesIO

from matplotlib.figure import Figure
from openpyxl import load_workbook

from crm.config import Settings, StoreSettings
from crm.report import render
from crm.report.charts import DRAW
from crm.report.formatting import Formatter
from crm.report.narrative import narrative
from tests.factories import (
    add_attempt,
    add_complaint,
    add_customer,
    add_due_task,
    add_message,
    add_sms,
    add_vehicle,
    add_visit,
    shanghai,
)
from tests.report.conftest import d, report_for

ENGLISH = Settings(store=StoreSettings(locale="en"))


def unreachable_february(session):
    """Five callbacks due in February: on time, late, unanswered, a wrong number, still open."""
    wang, li, zhang, zhao, sun = (add_customer(session) for _ in range(5))
    add_due_task(session, wang, "sales_callback", d(2, 7), "done", closed_at=shanghai(d(2, 6), 10))
    add_due_task(session, li, "service_callback", d(2, 7), "done", closed_at=shanghai(d(2, 9), 10))
    add_due_task(
        session, zhang, "care_call", d(2, 10), "unreachable", closed_at=shanghai(d(2, 9), 10)
    )
    wrong = add_due_task(
        session, zhao, "service_callback", d(2, 12), "unreachable", closed_at=shanghai(d(2, 11), 9)
    )
    add_attempt(session, zhao, shanghai(d(2, 11), 9), "wrong_number", task_id=wrong.id)
    add_due_task(session, sun, "sales_callback", d(2, 20))


# --- item 2: callbacks add up -----------------------------------------------------------


def test_callbacks_due_are_on_time_plus_late_plus_not_done(session):
    unreachable_february(session)

    figures = report_for(session).as_json()

    assert figures["callbacks_due"] == 5
    assert figures["callbacks_on_time"] == 1
    assert figures["callbacks_late"] == 1
    assert figures["callbacks_not_done"] == 3
    assert figures["callbacks_not_done_by_reason"] == {
        "unreachable": 1,
        "wrong_number": 1,
        "open": 1,
    }
    assert figures["callbacks_overdue"] == 4 == figures["callbacks_due"] - 1
    assert (
        sum(figures[k] for k in ("callbacks_on_time", "callbacks_late", "callbacks_not_done")) == 5
    )


def test_the_narrative_counts_every_callback_not_made_on_time(session):
    unreachable_february(session)

    text_ = narrative(report_for(session))
    english = narrative(report_for(session, settings=ENGLISH))

    assert "按时完成 1 次，回访及时率 20.0%；未按时 4 次（逾期完成 1 次、未完成 3 次" in text_
    assert "有 4 次回访未按时完成" in text_
    assert "4 were not made on time (1 late, 3 not done" in english


# --- item 3: opt-outs are withdrawals ---------------------------------------------------


def feb(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 2, day, hour - 8, tzinfo=UTC)


def test_opt_outs_count_withdrawals_never_customers_imported_with_no(crm, tmp_path):
    headers = ["客户编号", "姓名", "手机", "短信"]
    first = [
        ["C1", "王伟", "13800138001", "否"],  # never agreed: not an opt-out
        ["C2", "李娜", "13800138002", "否"],
        ["C3", "张强", "13800138003", "是"],
        ["C4", "赵敏", "13800138004", "是"],
        ["C5", "孙丽", "13800138005", "是"],
    ]
    later = [row[:3] + ["否" if row[0] == "C3" else row[3]] for row in first]

    def export(name, rows):
        path = tmp_path / name
        with path.open("w", encoding="gb18030", newline="") as handle:
            csv.writer(handle).writerows([headers, *rows])
        return path

    assert crm("import", "customers", export("a.csv", first), at=feb(2)).exit_code == 0
    assert crm("import", "customers", export("b.csv", later), at=feb(9)).exit_code == 0
    assert crm("sms", "optout", "13800138004", "--source", "phone", at=feb(12)).exit_code == 0
    result = crm(
        "report", "monthly", "2026-02", "--format", "json", at=datetime(2026, 3, 2, 4, tzinfo=UTC)
    )

    assert json.loads(result.output)["opt_outs"] == 2  # C3 by the export, C4 by phone


# --- item 4: delivery the backend cannot report -----------------------------------------


def test_delivery_sent_through_the_console_reads_no_data_not_zero(crm, session):
    wang = add_customer(session)
    add_message(session, wang, queued_at=feb(10, 8))
    assert crm("sms", "send", at=feb(10)).exit_code == 0

    figures = report_for(session).as_json()
    text_ = narrative(report_for(session))

    assert (figures["sms_sent"], figures["sms_delivered"]) == (1, 0)
    assert figures["delivery_rate"] is None
    assert "送达率无数据" in text_ and "0.0%" not in text_


def test_delivery_of_a_provider_that_reports_it_is_still_a_rate(session):
    wang = add_customer(session)
    add_sms(session, wang, "holiday_sms", "delivered", shanghai(d(2, 3), 10), provider_sid="SM1")
    add_sms(session, wang, "holiday_sms", "sent", shanghai(d(2, 4), 10), provider_sid="SM2")

    assert report_for(session).as_json()["delivery_rate"] == 0.5


# --- item 5: complaint deadlines --------------------------------------------------------


def late_complaints(session):
    """Four February complaints: on time; answered late; resolved late; neither by month end."""
    a, b, c, e = (add_customer(session) for _ in range(4))

    def complaint(customer, day, **fields):
        received = shanghai(d(2, day), 10)
        return add_complaint(
            session,
            customer,
            received,
            "waiting_time",
            respond_by=shanghai(d(2, day + 1), 10),
            resolve_by=shanghai(d(2, day + 7), 10),
            **fields,
        )

    complaint(a, 2, first_response_at=shanghai(d(2, 2), 12), resolved_at=shanghai(d(2, 3), 10),
              status="closed", confirmed_at=shanghai(d(2, 4), 10))  # fmt: skip
    complaint(b, 3, first_response_at=shanghai(d(2, 5), 10), resolved_at=shanghai(d(2, 6), 10),
              status="closed", confirmed_at=shanghai(d(2, 7), 10))  # fmt: skip
    complaint(c, 4, first_response_at=shanghai(d(2, 4), 11), resolved_at=shanghai(d(2, 20), 10),
              status="resolved")  # fmt: skip
    complaint(e, 10)  # never answered, not resolved by the 28th


def test_complaints_answered_or_resolved_after_their_deadlines_are_counted(session):
    late_complaints(session)

    figures = report_for(session).as_json()
    text_ = narrative(report_for(session))

    assert figures["complaints_received"] == 4
    assert figures["complaints_late_response"] == 2  # b answered after a day; e never
    assert figures["complaints_late_resolution"] == 2  # c after its week; e still open
    assert "超过 24 小时才首次答复的 2 起，超过 7 天未解决的 2 起" in text_


def test_a_closed_complaint_keeps_showing_the_deadline_it_missed(crm, session):
    late_complaints(session)

    rows = json.loads(crm("complaints", "list", "--status", "all", "--format", "json").output)

    missed = {row["status"] + str(row["complaint_id"]): row["missed_deadlines"] for row in rows}
    assert missed == {
        "closed1": None,
        "closed2": "late response",
        "resolved3": "late resolution",
        "open4": "no response, not resolved",
    }
    assert [row["overdue"] for row in rows] == [False, False, False, True]
    table = crm("complaints", "list", "--status", "all").output  # narrow: cells fold
    assert re.search(r"closed\s+2026-02-03\s+late\s", table)
    assert re.search(r"resolved\s+2026-02-04\s+late\s", table)
    assert not re.search(r"closed\s+2026-02-02\s+late\s", table)


# --- item 7: wording --------------------------------------------------------------------


def test_the_customers_who_rated_are_people_not_ratings(session):
    wang, li = add_customer(session), add_customer(session)
    add_attempt(session, wang, shanghai(d(2, 3), 10), satisfaction=5)
    add_attempt(session, wang, shanghai(d(2, 13), 10), satisfaction=4)
    add_attempt(session, li, shanghai(d(2, 14), 10), satisfaction=2)

    text_ = narrative(report_for(session))

    assert "本月共 2 位客户在回访中给出 3 次评价" in text_
    assert "2 customers rated us 3 times on callbacks" in narrative(
        report_for(session, settings=ENGLISH)
    )


def test_a_tie_is_not_where_complaints_concentrate(session):
    for category in ("price", "parts", "sales"):
        add_complaint(session, add_customer(session), shanghai(d(2, 5), 10), category)

    text_ = narrative(report_for(session))

    assert "主要集中在" not in text_
    assert "涉及配件、价格、销售（各 1 起）" in text_


def test_a_leader_is_where_complaints_concentrate(session):
    for category in ("price", "price", "parts"):
        add_complaint(session, add_customer(session), shanghai(d(2, 5), 10), category)

    assert "主要集中在价格（2 起）方面" in narrative(report_for(session))


def test_a_rate_without_data_is_never_reached(session):
    wang = add_customer(session)
    add_attempt(session, wang, shanghai(d(2, 10), 10), "no_answer")

    text_ = narrative(report_for(session))

    assert "达到了 无数据" not in text_
    assert "客户满意度无数据" in text_


def test_a_score_of_4125_reads_413(session):
    wang = add_customer(session)
    for score in (5, 4, 4, 4, 5, 4, 3, 4):  # 33 / 8 = 4.125
        add_attempt(session, wang, shanghai(d(2, 10), 10), satisfaction=score)

    assert "平均评分 4.13 分" in narrative(report_for(session))
    assert Formatter("zh_CN").pct(0.8125) == "81.3%"


def test_the_workbook_has_no_markdown_and_changes_in_their_units(session):
    wang = add_customer(session)
    car = add_vehicle(session, wang, d(1, 1))
    add_attempt(session, wang, shanghai(d(1, 10), 10), satisfaction=5)
    add_attempt(session, wang, shanghai(d(2, 10), 10), satisfaction=4)
    add_attempt(session, wang, shanghai(d(2, 11), 10), satisfaction=3)
    for day, cents in ((d(1, 20), 50000), (d(2, 20), 180000)):
        visit = add_visit(session, car, day, 5000 + day.month)
        visit.revenue_cents = cents
        session.add(visit)
    session.commit()

    book = load_workbook(BytesIO(render(report_for(session), "xlsx")))

    lines = [row[0] for row in book["月度工作总结"].iter_rows(values_only=True) if row[0]]
    assert not any(line.startswith("#") for line in lines)
    assert "一、本月工作概述" in lines
    change = {row[0].value: row[3] for row in book["主要指标"].iter_rows(min_row=2)}
    assert (change["外呼电话"].value, change["外呼电话"].number_format) == (1, "+#,##0;-#,##0;0")
    assert change["维修收入"].value == 1300
    assert "元" in change["维修收入"].number_format
    assert change["客户满意度"].value == -50.0
    assert "个百分点" in change["客户满意度"].number_format


def test_count_charts_have_whole_number_axes(session):
    add_complaint(session, add_customer(session), shanghai(d(2, 5), 10), "price")
    report = report_for(session)

    figure = Figure()
    DRAW["complaints_by_category"](figure, report, Formatter("zh_CN"))
    figure.canvas.draw()

    ticks = figure.axes[0].get_xticks()
    assert len(ticks) > 1 and all(float(t).is_integer() for t in ticks)


# A code as it would show: `after_sales`, or `after\_sales` in a Markdown table cell.
ENGLISH_CODE = re.compile(r"[a-z]+(?:\\?_[a-z]+)+|\b(?:after|customer|other|service|sales)\b")


def test_no_english_code_in_the_chinese_report(session):
    codes = (
        "vehicle_quality", "service_quality", "waiting_time", "staff_attitude",
        "price", "parts", "sales", "other",
    )  # fmt: skip
    departments = ("after_sales", "after_sales", "customer_service", "sales", "customer_service",
                   "parts", "sales", "customer_service")  # fmt: skip
    for category, department in zip(codes, departments, strict=True):
        customer = add_customer(session)
        add_complaint(session, customer, shanghai(d(2, 5), 10), category, department=department)
    car = add_vehicle(session, add_customer(session), d(1, 1))
    for n, kind in enumerate(("first_service", "maintenance", "repair", "warranty", "bodywork",
                              "other")):  # fmt: skip
        add_visit(session, car, d(2, 1 + n), 1000 * (n + 1), kind)
    for kind in ("first_service_sms", "reminder_fallback", "birthday_sms", "campaign_sms"):
        add_sms(session, add_customer(session), kind, "sent", shanghai(d(2, 9), 10))

    document = render(report_for(session), "md").decode()
    before_appendix = document[: document.index("## 附录")]  # its key column names fields

    assert ENGLISH_CODE.findall(before_appendix) == []


def test_complaint_categories_are_given_and_listed_in_chinese(crm, session):
    add_customer(session, phone="+8613800138000")

    added = crm("complaints", "add", "--customer", "13800138000", "--category",
                "等待维修时间过长", "--text", "等了三小时")  # fmt: skip
    listed = crm("complaints", "list")

    assert added.exit_code == 0, added.output
    assert "等待维修时间过长 -> 售后部" in added.output
    assert "等待维修时间过长" in listed.output and "waiting_time" not in listed.output
    stored = json.loads(crm("complaints", "list", "--format", "json").output)
    assert stored[0]["category"] == "waiting_time"  # stored as its code


def test_an_unknown_chinese_category_lists_the_chinese_ones(crm, session):
    add_customer(session, phone="+8613800138000")

    result = crm("complaints", "add", "--customer", "13800138000", "--category", "天气",
                 "--text", "下雨")  # fmt: skip

    assert result.exit_code == 2
    assert "车辆质量" in result.output and "Traceback" not in result.output
