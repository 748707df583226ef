"""The report's tables, built once and shown by every renderer (Markdown, HTML, Excel).

A cell keeps its raw value and its unit, so Markdown and HTML print "86.7%" while the
workbook stores 0.867 formatted as a percentage.
"""

from __future__ import annotations

from dataclasses import dataclass

from crm.report.definitions import BY_KEY, DEFINITIONS, Unit, label, name, text
from crm.report.formatting import Formatter
from crm.report.summary import MonthlyReport

TEXT = "text"
DELTA = "delta"  # a change: signed, in points for rates


@dataclass(frozen=True)
class Cell:
    value: object
    unit: str = TEXT
    key: str | None = None  # for a DELTA: the figure it is the change of


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Cell]]


def show(cell: Cell, fmt: Formatter) -> str:
    """A cell as text in the report's locale."""
    if cell.unit == TEXT:
        return fmt.no_data if cell.value is None else str(cell.value)
    if cell.unit == DELTA:
        return fmt.delta(cell.key, cell.value)
    return {
        Unit.RATE: fmt.pct,
        Unit.COUNT: fmt.count,
        Unit.HOURS: fmt.hours,
        Unit.SCORE: fmt.score,
        Unit.MONEY: fmt.money,
    }[Unit(cell.unit)](cell.value)


def tables(report: MonthlyReport) -> list[Table]:
    """Every table of the report, the key figures first and the definitions last."""
    fmt = Formatter(report.locale)
    loc = report.locale
    w = fmt.words
    c = report.current

    def t(key: str, headers: list[str], rows: list[list[Cell]]) -> Table:
        return Table(key, label(key, loc) if key not in w else w[key], headers, rows)

    count, rate = Unit.COUNT.value, Unit.RATE.value
    summary = [
        [
            Cell(label(d.key, loc)),
            Cell(c[d.key], d.unit.value),
            Cell(report.prev(d.key), d.unit.value),
            Cell(report.change(d.key), DELTA, d.key),
        ]
        for d in DEFINITIONS
    ]
    return [
        t("summary", [w["figure"], w["this_month"], w["last_month"], w["change"]], summary),
        t(
            "calls_by_day",
            [w["date"], w["calls"], w["reached"], w["reach_rate"]],
            [
                [
                    Cell(d["date"]),
                    Cell(d["calls"], count),
                    Cell(d["reached"], count),
                    Cell(d["reach_rate"], rate),
                ]
                for d in c["calls_by_day"]
            ],
        ),
        t(
            "satisfaction_trend",
            [w["month"], w["rated"], w["satisfaction_rate"]],
            [
                [Cell(m["month"]), Cell(m["rated"], count), Cell(m["satisfaction_rate"], rate)]
                for m in c["satisfaction_trend"]
            ],
        ),
        t(
            "callbacks_by_kind",
            [
                w["kind"],
                w["due"],
                w["on_time"],
                w["late"],
                w["not_done"],
                w["overdue"],
                w["on_time_rate"],
            ],
            [
                [
                    Cell(name(k["kind"], loc)),
                    Cell(k["due"], count),
                    Cell(k["on_time"], count),
                    Cell(k["late"], count),
                    Cell(k["not_done"], count),
                    Cell(k["overdue"], count),
                    Cell(k["on_time_rate"], rate),
                ]
                for k in c["callbacks_by_kind"]
            ],
        ),
        t(
            "complaints_by_category",
            [w["kind"], w["received"], w["resolved"]],
            [
                [Cell(name(k, loc)), Cell(n["received"], count), Cell(n["resolved"], count)]
                for k, n in c["complaints_by_category"].items()
            ],
        ),
        t(
            "complaints_by_department",
            [w["kind"], w["received"], w["resolved"]],
            [
                [Cell(name(k, loc)), Cell(n["received"], count), Cell(n["resolved"], count)]
                for k, n in c["complaints_by_department"].items()
            ],
        ),
        t(
            "service_visits_by_type",
            [w["kind"], w["count"]],
            [[Cell(name(k, loc)), Cell(n, count)] for k, n in c["service_visits_by_type"].items()],
        ),
        t(
            "reminder_funnel",
            [w["step"], w["count"]],
            [
                [Cell(label(k, loc)), Cell(c[k], BY_KEY[k].unit.value)]
                for k in FUNNEL + ("reminder_conversion_rate",)
            ],
        ),
        t(
            "sms_by_kind",
            [w["kind"], w["sent"], w["delivered"], w["failed"]],
            [
                [
                    Cell(name(k, loc)),
                    Cell(n["sent"], count),
                    Cell(n["delivered"], count),
                    Cell(n["failed"], count),
                ]
                for k, n in c["sms_by_kind"].items()
            ],
        ),
        t(
            "inquiries_by_topic",
            [w["kind"], w["count"]],
            [[Cell(name(k, loc)), Cell(n, count)] for k, n in c["inquiries_by_topic"].items()],
        ),
        t(
            "per_agent",
            [
                w["agent"],
                w["name"],
                w["calls"],
                w["reached"],
                w["reach_rate"],
                w["rated"],
                w["satisfaction_rate"],
                w["satisfaction_avg"],
                w["complaints_handled"],
            ],
            [
                [
                    Cell(a["agent"]),
                    Cell(a["name"]),
                    Cell(a["calls"], count),
                    Cell(a["reached"], count),
                    Cell(a["reach_rate"], rate),
                    Cell(a["rated"], count),
                    Cell(a["satisfaction_rate"], rate),
                    Cell(a["satisfaction_avg"], "score"),
                    Cell(a["complaints_handled"], count),
                ]
                for a in c["per_agent"]
            ],
        ),
        t(
            "top_issues",
            [w["issue"], w["count"]],
            [[Cell(i["issue"]), Cell(i["count"], count)] for i in c["top_issues"]],
        ),
        t(
            "appendix",
            [w["figure"], w["key"], w["definition"]],
            [
                [
                    Cell(label(d.key, loc)),
                    Cell(d.key),
                    Cell(text(d.key, loc, report.conversion_window_days)),
                ]
                for d in DEFINITIONS
            ],
        ),
    ]


FUNNEL = ("reminders_sent", "reminders_vehicles", "reminders_converted")
