"""The report as people get it: the narrative's wording, the HTML page, the workbook, the CLI."""

import errno
import json
import os
import re
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from crm.config import Settings, StoreSettings
from crm.report import Month, render
from crm.report.definitions import DEFINITIONS, text
from crm.report.narrative import narrative
from tests.factories import (
    add_attempt,
    add_complaint,
    add_customer,
    add_due_task,
    add_sms,
    shanghai,
)
from tests.report.conftest import d, report_for

LEFTOVERS = re.compile(r"\{\{|\}\}|\{%|_____|\bNone\b|\bnan\b|\bXX\b")
SECTIONS = (
    "本月工作概述",
    "客户服务与回访",
    "投诉处理",
    "售后服务",
    "客户维系",
    "存在的问题",
    "下月工作重点",
)


def assert_filled(document: str) -> None:
    """No template syntax, blank or Python placeholder survived into the document."""
    assert LEFTOVERS.findall(document) == []


def test_the_narrative_fills_the_stores_template_from_the_figures(session, february):
    text_ = narrative(report_for(session))

    assert [s for s in SECTIONS if s in text_] == list(SECTIONS)
    assert "客户满意度达到了 60.0%，较上个月下降了 6.7 个百分点" in text_
    assert "客户投诉解决率达到了 25.0%，较上个月提高了 25.0 个百分点" in text_
    assert "本月共收到客户投诉 4 起" in text_
    assert "主要集中在等待维修时间过长（2 起）方面" in text_
    assert "外呼电话 10 次（较上个月增加 6 次），接通 8 次，接通率 80.0%" in text_
    assert "本月共维修保养车辆 3 辆次" in text_ and "维修收入 1,930.50 元" in text_
    assert "其中 2 辆在提醒后 30 天内回厂保养，提醒转化率 50.0%" in text_
    assert "等待维修时间过长（2 次）、服务态度不够热情（1 次）" in text_
    assert (
        "有 3 次回访未按时完成（逾期完成 1 次、未完成 2 次：无法联系 1 次、仍未回访 1 次）" in text_
    )
    assert "跟进 3 起未解决的投诉" in text_
    assert "针对“等待维修时间过长”方面的投诉" in text_
    assert_filled(text_)


def test_an_unchanged_rate_reads_chi_ping(session):
    wang = add_customer(session)
    add_attempt(session, wang, shanghai(d(1, 10), 10), satisfaction=5)
    add_attempt(session, wang, shanghai(d(2, 10), 10), satisfaction=4)

    text_ = narrative(report_for(session))

    assert "客户满意度达到了 100.0%，与上个月持平" in text_


def test_a_month_without_a_previous_month_compares_with_nothing(session):
    wang = add_customer(session)
    add_attempt(session, wang, shanghai(d(2, 10), 10), satisfaction=2)

    text_ = narrative(report_for(session))

    assert "客户满意度达到了 0.0%，上个月无数据，无法比较" in text_
    assert "投诉解决率" not in text_  # no complaints: said in words, not as a rate
    assert "本月未收到客户投诉" in text_
    assert_filled(text_)


def test_a_month_without_ratings_says_this_month_has_none_and_shows_last_months(session):
    wang = add_customer(session)
    add_attempt(session, wang, shanghai(d(1, 10), 10), satisfaction=5)
    add_attempt(session, wang, shanghai(d(1, 11), 10), satisfaction=2)
    add_attempt(session, wang, shanghai(d(2, 10), 10), "no_answer")
    english = Settings(store=StoreSettings(locale="en"))

    chinese = narrative(report_for(session))
    text_ = narrative(report_for(session, settings=english))

    assert "本月没有客户在回访中给出评价，客户满意度无数据（上个月为 50.0%）。" in chinese
    assert "达到了 无数据" not in chinese
    assert (
        "Satisfaction: no customer rated us on a callback, so there is no satisfaction rate "
        "(last month 50.0%)." in text_
    )
    assert "reached no data" not in text_


def test_in_english_a_month_without_a_previous_month_says_last_month_has_no_data(session):
    wang = add_customer(session)
    add_attempt(session, wang, shanghai(d(2, 10), 10), satisfaction=5)

    text_ = narrative(report_for(session, settings=Settings(store=StoreSettings(locale="en"))))

    assert "Satisfaction reached 100.0%, no data for last month to compare with;" in text_
    assert "made 1 call (no data for last month)" in text_


def test_in_english_one_of_a_thing_reads_in_the_singular(session):
    wang = add_customer(session)
    add_attempt(session, wang, shanghai(d(1, 10), 10), "no_answer")
    add_attempt(session, wang, shanghai(d(2, 10), 10), satisfaction=5)
    add_due_task(session, wang, "sales_callback", d(2, 7), "done", closed_at=shanghai(d(2, 6), 10))
    add_due_task(session, wang, "care_call", d(2, 8))
    add_complaint(session, wang, shanghai(d(2, 2), 10), "price")
    add_sms(session, wang, "holiday_sms", "failed", shanghai(d(2, 3), 10))

    text_ = narrative(report_for(session, settings=Settings(store=StoreSettings(locale="en"))))

    assert "the desk made 1 call (as many as last month)" in text_
    assert "received 1 complaint and sent 1 text message." in text_
    assert "Callbacks: 2 were due" in text_
    assert "1 was made on time" in text_
    assert "1 was not made on time (0 late, 1 not done: 1 still open)." in text_
    assert "Satisfaction: 1 customer rated us on a callback." in text_
    assert "1 complaint was received (1 more than last month)" in text_
    assert "1 text message was sent (holiday greeting 1); 0 were delivered" in text_
    assert "1 callback missed its deadline" in text_
    assert "1 message failed or was undelivered" in text_
    assert "1 complaint was still open at month end." in text_
    assert re.search(r"\b1 (calls|complaints|customers|were|messages)\b", text_) is None


def test_an_empty_month_says_no_data_instead_of_numbers(session):
    report = report_for(session, Month(2025, 6))

    text_ = narrative(report)
    markdown = render(report, "md").decode()

    assert "没有任何通话、投诉、进厂、短信或咨询记录" in text_
    assert "本月没有客户在回访中给出评价，客户满意度无数据。" in text_
    assert "提醒转化率 无数据" in text_
    assert "本月没有记录，无法评估存在的问题" in text_
    assert "| 客户满意度 | 无数据 | 无数据 | 无数据 |" in markdown
    assert_filled(markdown)


def test_english_by_locale(session, february):
    settings = Settings(store=StoreSettings(locale="en"))

    text_ = narrative(report_for(session, settings=settings))

    assert "## 1. Overview" in text_ and "## 7. Priorities for next month" in text_
    assert "Satisfaction reached 60.0%, down 6.7 points on last month" in text_
    assert "a resolution rate of 25.0%, up 25.0 points on last month" in text_
    assert_filled(text_)


# Attributes a browser follows or loads (SVG's xmlns names a namespace, nothing fetched).
FETCHING = {"href", "xlink:href", "src", "srcset", "action", "formaction", "poster", "data"}


class Page(HTMLParser):
    """What a reader's browser would find: figures with their SVG, tables, outside links."""

    def __init__(self):
        super().__init__()
        self.figures: dict[str, int] = {}
        self.tables: list[str] = []
        self.outside: list[str] = []
        self.addresses: list[str] = []  # any attribute pointing off the page
        self.text: list[str] = []
        self._figure = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "figure":
            self._figure = attrs["id"]
            self.figures[self._figure] = 0
        if tag == "svg" and self._figure:
            self.figures[self._figure] += 1
        if tag == "table":
            self.tables.append(attrs.get("class"))
        if tag in ("script", "link", "img", "iframe") or "src" in attrs:
            self.outside.append(tag)
        self.addresses += [
            value
            for name, value in attrs.items()
            if name in FETCHING and value and ("://" in value or value.startswith("//"))
        ]

    def handle_endtag(self, tag):
        if tag == "figure":
            self._figure = None

    def handle_data(self, data):
        self.text.append(data)


def test_the_html_page_holds_every_chart_and_table_and_nothing_from_outside(session, february):
    html = render(report_for(session), "html").decode()

    page = Page()
    page.feed(html)
    assert page.figures == {
        "chart-calls_by_day": 1,
        "chart-satisfaction_trend": 1,
        "chart-complaints_by_category": 1,
        "chart-reminder_funnel": 1,
    }
    assert {"per_agent", "summary", "complaints_by_category", "appendix"} <= set(page.tables)
    assert page.outside == [] and page.addresses == []
    words = "".join(page.text)
    assert "王芳" in words and "李强" in words
    assert "客户满意度达到了 60.0%" in words
    assert text("satisfaction_rate", "zh_CN") in words
    assert_filled(words)


def test_an_empty_months_page_draws_no_data_instead_of_charts(session):
    html = render(report_for(session, Month(2025, 6)), "html").decode()

    page = Page()
    page.feed(html)
    assert len(page.figures) == 4
    assert html.count(">无数据<") >= 4  # each chart says so
    assert_filled("".join(page.text))


def test_html_from_a_customers_words_is_shown_not_run(session):
    wang = add_customer(session)
    add_attempt(session, wang, shanghai(d(2, 10), 10), tags=["<script>alert(1)</script>"])

    html = render(report_for(session), "html").decode()

    assert "<script>" not in html
    assert "&lt;script&gt;" in html


TRACKING_TAGS = [
    "![x](http://tracker.example/p.png)",
    "[点此](http://tracker.example/a)",
    "<http://tracker.example/b>",
]


def test_a_customers_markdown_loads_nothing_from_outside_the_page(session):
    wang = add_customer(session)
    add_attempt(session, wang, shanghai(d(2, 10), 10), tags=TRACKING_TAGS)

    html = render(report_for(session), "html").decode()

    page = Page()
    page.feed(html)
    assert page.outside == [] and page.addresses == []
    words = "".join(page.text)
    assert all(tag in words for tag in TRACKING_TAGS)  # shown as typed, in narrative and table
    assert words.count(TRACKING_TAGS[0]) == 2
    workbook = load_workbook(BytesIO(render(report_for(session), "xlsx")))
    lines = [row[0] for row in workbook["月度工作总结"].iter_rows(values_only=True) if row[0]]
    assert any(TRACKING_TAGS[0] in line for line in lines)  # plain text, no backslashes


def test_the_markdown_for_pasting_renders_a_customers_markdown_as_text(session):
    from markdown_it import MarkdownIt

    wang = add_customer(session)
    add_attempt(session, wang, shanghai(d(2, 10), 10), tags=[*TRACKING_TAGS, "a|b\nc"])

    pasted = (
        MarkdownIt("commonmark").enable("table").render(render(report_for(session), "md").decode())
    )

    page = Page()
    page.feed(pasted)
    assert page.outside == [] and page.addresses == []
    assert all(tag in "".join(page.text) for tag in TRACKING_TAGS)
    assert "a|b c" in "".join(page.text)


def test_the_workbook_has_a_sheet_per_table_and_no_formula_from_a_note(session):
    wang = add_customer(session)
    add_attempt(session, wang, shanghai(d(2, 10), 10), satisfaction=5, tags=["=HYPERLINK(1)"])
    add_attempt(session, wang, shanghai(d(2, 11), 10), satisfaction=3, tags=["@SUM(A1)", "-2+3"])

    workbook = load_workbook(BytesIO(render(report_for(session), "xlsx")))

    assert workbook.sheetnames[:3] == ["月度工作总结", "主要指标", "每日外呼与接通率"]
    assert "客服专员" in workbook.sheetnames and "附录：指标口径" in workbook.sheetnames
    issues = workbook["客户反映的主要问题"]
    cells = [row[0] for row in issues.iter_rows(min_row=2, values_only=True)]
    assert sorted(cells) == ["'-2+3", "'=HYPERLINK(1)", "'@SUM(A1)"]
    assert all(c.data_type == "s" for c in issues["A"])
    summary = {row[0].value: row for row in workbook["主要指标"].iter_rows(min_row=2)}
    rate = summary["客户满意度"][1]
    assert (rate.value, rate.number_format) == (0.5, "0.0%")
    assert summary["接通率"][2].value == "无数据"


def test_json_keeps_the_issues_field_names(session, february):
    data = json.loads(render(report_for(session), "json"))

    required = [
        "month",
        "calls_made",
        "calls_reached",
        "reach_rate",
        "callbacks_due",
        "callbacks_on_time",
        "callbacks_overdue",
        "satisfaction_rate",
        "satisfaction_avg",
        "satisfaction_rate_prev",
        "satisfaction_change_pp",
        "complaints_received",
        "complaints_resolved",
        "resolution_rate",
        "complaints_by_category",
        "avg_hours_to_first_response",
        "avg_hours_to_resolution",
        "service_visits",
        "service_visits_by_type",
        "service_revenue",
        "reminders_sent",
        "reminders_converted",
        "sms_sent",
        "sms_delivered",
        "sms_failed",
        "opt_outs",
        "inquiries",
        "leads",
        "referrals",
        "per_agent",
    ]
    assert [key for key in required if key not in data] == []
    assert {d.key for d in DEFINITIONS} <= set(data) and set(data["change"]) == {
        d.key for d in DEFINITIONS
    }


@pytest.mark.parametrize("fmt", ["md", "json"])
def test_report_monthly_prints_md_and_json(crm, session, february, fmt):
    result = crm("report", "monthly", "2026-02", "--format", fmt)

    assert result.exit_code == 0, result.output
    if fmt == "json":
        assert json.loads(result.output)["satisfaction_rate"] == 0.6
    else:
        assert result.output.startswith("# 示例汽车4S店 2026年2月 客服部月度工作总结")


def test_report_monthly_writes_html_and_xlsx_files(crm, session, february, tmp_path):
    written = crm("report", "monthly", "2026-02", "--format", "html")
    chosen = crm("report", "monthly", "2026-02", "--format", "xlsx", "-o", tmp_path / "feb.xlsx")

    assert written.exit_code == 0, written.output
    assert written.output.strip() == "wrote reports/demo-2026-02.html"
    assert (tmp_path / "reports" / "demo-2026-02.html").read_text().startswith("<!doctype html>")
    assert chosen.exit_code == 0, chosen.output
    assert load_workbook(tmp_path / "feb.xlsx")["主要指标"]["B2"].value == 10


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2026-13"], "Error: '2026-13' is not a month like 2026-02 (YYYY-MM)"),
        (["Feb"], "Error: 'Feb' is not a month like 2026-02 (YYYY-MM)"),
        (["2026-04"], "Error: 2026-04 has not started yet in store demo (today is 2026-03-10)"),
        (["2026-02", "--store", "nope"], "Error: unknown store 'nope'"),
    ],
)
def test_report_monthly_refuses_bad_input_in_one_line(crm, args, message):
    result = crm("report", "monthly", *args)

    assert result.exit_code == 2
    assert result.output.startswith(message)
    assert "Traceback" not in result.output


def test_report_monthly_refuses_a_path_under_a_file_in_one_line(crm, tmp_path):
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")

    result = crm("report", "monthly", "2026-02", "-o", tmp_path / "notes.txt" / "feb.md")

    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"Error: cannot write {tmp_path / 'notes.txt' / 'feb.md'}: {tmp_path / 'notes.txt'} "
        "is a file, not a folder; choose another -o PATH"
    ]
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_report_monthly_says_in_one_line_that_a_folder_is_read_only(crm):
    # A folder made read-only with chmod is writable to root, and CI runs as root; no
    # one, root included, may create a file in /sys (sysfs; mounted read-only in some
    # containers, which says so instead).
    target = Path("/sys") / "feb.md"

    result = crm("report", "monthly", "2026-02", "-o", target)

    assert result.exit_code == 2
    assert result.output.splitlines() in (
        [f"Error: cannot write {target}: {os.strerror(errno.EACCES)}; choose another -o PATH"],
        [f"Error: cannot write {target}: {os.strerror(errno.EROFS)}; choose another -o PATH"],
    )
    assert not target.exists()


@pytest.mark.parametrize(
    ("make", "kind"), [(os.mkdir, "a folder"), (os.mkfifo, "a pipe")], ids=["folder", "fifo"]
)
def test_report_monthly_never_replaces_what_is_not_a_regular_file(crm, tmp_path, make, kind):
    target = tmp_path / "feb.md"
    make(target)

    result = crm("report", "monthly", "2026-02", "-o", target)

    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"Error: cannot write {target}: it is {kind}, not a regular file; choose another -o PATH"
    ]
    assert target.is_dir() if kind == "a folder" else target.is_fifo()


def test_report_definitions_lists_every_figure(crm):
    result = crm("report", "definitions", "--format", "json")

    rows = json.loads(result.output)
    assert [r["key"] for r in rows] == [d.key for d in DEFINITIONS]
    assert rows[2] == {
        "key": "reach_rate",
        "unit": "rate",
        "figure": "接通率",
        "definition": "接通电话 ÷ 外呼电话。",
    }


def test_the_readme_defines_every_figure_as_the_appendix_does():
    from pathlib import Path

    from crm.report.definitions import markdown_table

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")

    # The README table is markdown_table("en", 30), pasted.
    assert markdown_table("en", 30) in readme


def test_an_unknown_report_format_in_the_config_names_its_key(tmp_path):
    from crm.config import load_settings
    from crm.errors import UsageError

    path = tmp_path / "config.toml"
    path.write_text('[report]\nformats = ["pdf"]\n', encoding="utf-8")

    with pytest.raises(UsageError, match=r"report\.formats: unknown format 'pdf' \(known: md"):
        load_settings(path)


def test_revenue_reads_in_wan_yuan_from_ten_thousand_and_in_yuan_below():
    from crm.report.formatting import Formatter

    chinese = Formatter("zh_CN")

    assert chinese.value("service_revenue", 50.0) == "50.00 元"
    assert chinese.value("service_revenue", 9999.99) == "9,999.99 元"
    assert chinese.value("service_revenue", 10000.0) == "1.00 万元"
    assert chinese.value("service_revenue", 1234567.0) == "123.46 万元"
    assert chinese.delta("service_revenue", 50.0) == "+50.00 元"
    assert chinese.delta("service_revenue", -25000.0) == "-2.50 万元"
    assert Formatter("en").value("service_revenue", 50.0) == "CNY 50.00"
