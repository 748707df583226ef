"""The written summary (月度工作总结): what went wrong, what to do next, and the Jinja2 text.

Problems and next month's priorities are chosen here from the figures (rules a reader
can check); the wording lives in `templates/report/{locale}/`, so a blank the data
cannot fill reads 无数据 and never a made-up number.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from crm.report.formatting import Formatter
from crm.report.summary import MonthlyReport

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "report"

# Punctuation that can start Markdown inline syntax: links and images ([ ! ]), autolinks
# and raw HTML (< >), emphasis, code, tables, entities. Escaped, it reads as itself.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>!|~&])")


def escape_markdown(text: str) -> str:
    """`text` (a customer's words, say) as literal Markdown inline text, on one line."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).splitlines()))


@lru_cache(maxsize=4)
def environment(locale: str) -> Environment:
    # StrictUndefined: a misspelt figure fails loudly instead of leaving a blank.
    return Environment(
        loader=FileSystemLoader([TEMPLATES / locale, TEMPLATES]),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def spread(counts: dict[str, dict]) -> dict:
    """Where complaints fell: `leaders` (the categories tied at the top) and whether they
    stand out, so a tie is never worded as 主要集中在 (mostly about).

    `shape` is "single" (one category), "even" (every category as often: 各 n 起), or
    "leading" (the leaders had more than the rest).
    """
    items = [(code, n["received"]) for code, n in counts.items()]
    most = max((n for _code, n in items), default=0)
    leaders = [(code, n) for code, n in items if n == most]
    if len(items) == 1:
        shape = "single"
    elif len(leaders) == len(items):
        shape = "even"
    else:
        shape = "leading"
    return {"shape": shape, "leaders": leaders, "all": items, "each": most}


def problems(report: MonthlyReport) -> list[dict]:
    """存在的问题: what the figures show went wrong, most serious first."""
    c = report.current
    found = []
    if c["complaints_received"]:
        found.append(
            {"code": "complaint_categories", "spread": spread(c["complaints_by_category"])}
        )
    if c["top_issues"]:
        found.append({"code": "issues_raised", "top": c["top_issues"][:3]})
    if (report.change("satisfaction_rate") or 0) < 0:
        found.append({"code": "satisfaction_down"})
    if c["callbacks_overdue"]:
        found.append({"code": "callbacks_overdue"})
    if c["complaints_open_at_month_end"]:
        found.append({"code": "complaints_open"})
    if (report.change("reach_rate") or 0) < 0:
        found.append({"code": "reach_down"})
    if c["sms_failed"]:
        found.append({"code": "sms_failed"})
    if c["opt_outs"]:
        found.append({"code": "opt_outs"})
    if not found:
        found.append({"code": "none" if report.has_data else "no_data"})
    return found


def priorities(report: MonthlyReport) -> list[dict]:
    """下月工作重点: one step for each problem that has one, then the standing work."""
    c = report.current
    steps = []
    for problem in problems(report):
        code = problem["code"]
        if code == "complaint_categories" and problem["spread"]["shape"] != "even":
            leaders = [category for category, _n in problem["spread"]["leaders"]]
            steps.append({"code": "fix_category", "categories": leaders})
        elif code == "complaint_categories":
            steps.append({"code": "fix_categories"})
        elif code in {"callbacks_overdue", "complaints_open", "satisfaction_down", "sms_failed"}:
            steps.append({"code": code})
    if c["reminders_vehicles"]:
        steps.append({"code": "reminders"})
    steps.append({"code": "retention"})
    return steps


def context(report: MonthlyReport, plain: bool = False) -> dict:
    """What every report template sees; `plain` leaves people's text unescaped (not Markdown)."""
    fmt = Formatter(report.locale)
    c = report.current

    def v(key: str) -> str:
        return fmt.value(key, c[key])

    def magnitude(key: str) -> str:
        """The size of the change, unsigned: "1.7 个百分点", "12"."""
        change = report.change(key)
        return fmt.delta(key, None if change is None else abs(change)).lstrip("+")

    return {
        "r": report,
        "c": c,
        "f": fmt,
        "w": fmt.words,
        "v": v,
        "pv": lambda key: fmt.value(key, report.prev(key)),
        "change": report.change,
        "magnitude": magnitude,
        "pct": fmt.pct,
        "num": fmt.count,
        "name": fmt.name,
        # Text people typed (call tags, names) goes through `text`: never Markdown syntax.
        "text": (lambda value: str(value)) if plain else escape_markdown,
        "pl": plural,
        "spread": spread(c["complaints_by_category"]),
        "problems": problems(report),
        "priorities": priorities(report),
        "month_label": _month_label(report),
    }


def plural(number, one: str, many: str | None = None) -> str:
    """English wording for `number` things: "call" for 1, "calls" (or `many`) otherwise."""
    return one if number == 1 else many or one + "s"


def _month_label(report: MonthlyReport) -> str:
    if report.locale == "zh_CN":
        return f"{report.month.year}年{report.month.month}月"
    return report.month.first_day.strftime("%B %Y")


def narrative(report: MonthlyReport, plain: bool = False) -> str:
    """The seven-section summary in the store's locale, as Markdown (`plain`: as text)."""
    template = environment(report.locale).get_template("narrative.md.j2")
    return template.render(context(report, plain))
