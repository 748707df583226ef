"""Figures as people read them: percentages, 万元, hours, and 无数据 where there is no number."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from crm.report.definitions import BY_KEY, Unit


def half_up(value: float, places: int) -> float:
    """`value` rounded as people round, halves up: 4.125 is 4.13, 81.25 is 81.3.

    Python's round() and format() round a binary float half to even, and 4.125 (exact in
    binary) would read 4.12 in the summary beside Excel's 4.13 for the same figure.
    """
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))


WORDS = {
    "zh_CN": {
        "no_data": "无数据",
        "this_month": "本月",
        "last_month": "上月",
        "change": "变化",
        "figure": "指标",
        "definition": "口径",
        "summary": "主要指标",
        "appendix": "附录：指标口径",
        "title": "{store} {month} 客服部月度工作总结",
        "as_of": "数据截至 {day}（门店时间），各项指标口径见附录。",
        "partial": "本月尚未结束，以下为截至 {day} 的数据。",
        "points": "个百分点",
        "up": "提高",
        "down": "下降",
        "flat": "持平",
        "date": "日期",
        "month": "月份",
        "kind": "类型",
        "count": "数量",
        "calls": "外呼",
        "reached": "接通",
        "reach_rate": "接通率",
        "rated": "评价数",
        "satisfaction_rate": "满意度",
        "satisfaction_avg": "平均分",
        "due": "应回访",
        "on_time": "按时",
        "overdue": "未按时",
        "on_time_rate": "及时率",
        "received": "收到",
        "resolved": "已解决",
        "sent": "发送",
        "delivered": "送达",
        "failed": "失败",
        "agent": "工号",
        "name": "姓名",
        "complaints_handled": "处理投诉",
        "issue": "问题",
        "step": "环节",
        "narrative": "月度工作总结",
        "charts": "图表",
        "tables": "明细",
        "key": "字段",
        "late": "逾期完成",
        "not_done": "未完成",
        "unreachable": "无法联系",
        "wrong_number": "号码错误",
        "open": "仍未回访",
    },
    "en": {
        "no_data": "no data",
        "this_month": "This month",
        "last_month": "Last month",
        "change": "Change",
        "figure": "Figure",
        "definition": "Definition",
        "summary": "Key figures",
        "appendix": "Appendix: definitions",
        "title": "{store} customer service summary, {month}",
        "as_of": "Figures as of {day} (store time); definitions in the appendix.",
        "partial": "The month has not ended: figures up to {day}.",
        "points": "points",
        "up": "up",
        "down": "down",
        "flat": "unchanged",
        "date": "Date",
        "month": "Month",
        "kind": "Kind",
        "count": "Count",
        "calls": "Calls",
        "reached": "Reached",
        "reach_rate": "Reach rate",
        "rated": "Ratings",
        "satisfaction_rate": "Satisfaction",
        "satisfaction_avg": "Avg score",
        "due": "Due",
        "on_time": "On time",
        "overdue": "Not on time",
        "on_time_rate": "On-time rate",
        "received": "Received",
        "resolved": "Resolved",
        "sent": "Sent",
        "delivered": "Delivered",
        "failed": "Failed",
        "agent": "Agent",
        "name": "Name",
        "complaints_handled": "Complaints handled",
        "issue": "Issue",
        "step": "Step",
        "narrative": "Monthly summary",
        "charts": "Charts",
        "tables": "Details",
        "key": "key",
        "late": "Late",
        "not_done": "Not done",
        "unreachable": "unreachable",
        "wrong_number": "wrong number",
        "open": "still open",
    },
}


WAN = 10_000  # 1 万元


def _yuan(amount: float, sign: str) -> str:
    """An amount in 万元 from 10,000 yuan up (the template's unit), in 元 below it."""
    # Below that 万元 loses the figure: 50 yuan would read "0.00 万元".
    if abs(amount) >= WAN:
        return f"{half_up(amount / WAN, 2):{sign},.2f} 万元"
    return f"{half_up(amount, 2):{sign},.2f} 元"


class Formatter:
    """Formats values for one locale; None is always the locale's "no data"."""

    def __init__(self, locale: str):
        self.locale = locale
        self.words = WORDS[locale]
        self.no_data = self.words["no_data"]

    def word(self, key: str) -> str:
        return self.words[key]

    def pct(self, value: float | None) -> str:
        return self.no_data if value is None else f"{half_up(value * 100, 1):.1f}%"

    def count(self, value: int | None) -> str:
        return self.no_data if value is None else f"{value:,}"

    def hours(self, value: float | None) -> str:
        if value is None:
            return self.no_data
        hours = half_up(value, 1)
        return f"{hours:.1f} 小时" if self.locale == "zh_CN" else f"{hours:.1f} h"

    def score(self, value: float | None) -> str:
        return self.no_data if value is None else f"{half_up(value, 2):.2f}"

    def money(self, yuan: float | None) -> str:
        if yuan is None:
            return self.no_data
        if self.locale == "zh_CN":
            return _yuan(yuan, "")
        return f"CNY {half_up(yuan, 2):,.2f}"

    def value(self, key: str, value) -> str:
        """A figure by its definition's unit."""
        unit = BY_KEY[key].unit
        return {
            Unit.RATE: self.pct,
            Unit.COUNT: self.count,
            Unit.HOURS: self.hours,
            Unit.SCORE: self.score,
            Unit.MONEY: self.money,
        }[unit](value)

    def delta(self, key: str, change) -> str:
        """A change as a signed number: "+1.7 个百分点", "-3", or no data."""
        if change is None:
            return self.no_data
        unit = BY_KEY[key].unit
        if unit == Unit.RATE:
            return f"{half_up(change, 1):+.1f} {self.words['points']}"
        if unit == Unit.COUNT:
            return f"{change:+,}"
        if unit == Unit.MONEY:
            return _yuan(change, "+") if self.locale == "zh_CN" else f"{half_up(change, 2):+,.2f}"
        if unit == Unit.SCORE:
            return f"{half_up(change, 2):+.2f}"
        return f"{half_up(change, 1):+.1f}"

    def direction(self, change) -> str:
        """提高 / 下降 / 持平 (up / down / unchanged) for a change; no data when unknown."""
        if change is None:
            return self.no_data
        if change > 0:
            return self.words["up"]
        if change < 0:
            return self.words["down"]
        return self.words["flat"]

    def name(self, code: str) -> str:
        from crm.vocabulary.names import name

        return name(code, self.locale)
