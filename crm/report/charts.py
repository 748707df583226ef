"""The report's pictures, drawn by matplotlib (Agg) as SVG to inline in the HTML file.

Text stays text in the SVG (`svg.fonttype = none`), so the reader's browser draws the
Chinese labels with its own fonts; matplotlib only measures them, and its warnings
about CJK glyphs missing from its bundled font are silenced for that reason.
"""

from __future__ import annotations

import io
import math
import warnings

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from crm.report.definitions import label, name  # noqa: E402
from crm.report.formatting import Formatter  # noqa: E402
from crm.report.summary import MonthlyReport  # noqa: E402
from crm.report.tables import FUNNEL  # noqa: E402

CHARTS = ("calls_by_day", "satisfaction_trend", "complaints_by_category", "reminder_funnel")
BLUE, GREEN, ORANGE, GREY = "#2b6cb0", "#2f855a", "#dd6b20", "#a0aec0"
RC = {
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": [
        "Noto Sans CJK SC",
        "Source Han Sans SC",
        "Microsoft YaHei",
        "PingFang SC",
        "WenQuanYi Micro Hei",
        "DejaVu Sans",
    ],
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def charts(report: MonthlyReport) -> dict[str, str]:
    """Each chart's inline SVG, by chart key."""
    fmt = Formatter(report.locale)
    drawn = {}
    for key in CHARTS:
        with matplotlib.rc_context(RC | {"svg.hashsalt": key}):
            figure = Figure(figsize=(7.2, 3.0), layout="constrained")
            DRAW[key](figure, report, fmt)
            figure.suptitle(label(key, report.locale), fontsize=11)
            drawn[key] = _svg(figure)
    return drawn


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :].replace("\n", " ").strip()


def _no_data(ax, fmt: Formatter) -> None:
    ax.set_axis_off()
    ax.text(0.5, 0.5, fmt.no_data, ha="center", va="center", fontsize=14, color=GREY)


def _legend_above(ax) -> None:
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1), ncols=2, fontsize=8, frameon=False)


def _gap(value: float | None) -> float:
    return math.nan if value is None else value * 100


def _calls_by_day(figure: Figure, report: MonthlyReport, fmt: Formatter) -> None:
    ax = figure.subplots()
    days = report.current["calls_by_day"]
    if not report.current["calls_made"]:
        _no_data(ax, fmt)
        return
    x = [int(d["date"][-2:]) for d in days]
    ax.bar(x, [d["calls"] for d in days], color=GREY, label=fmt.word("calls"))
    ax.bar(x, [d["reached"] for d in days], color=BLUE, label=fmt.word("reached"))
    ax.set_xticks(x[::2] if len(x) > 16 else x)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # calls: no 0.5 of a call
    ax.set_xlabel(fmt.word("date"))
    rate = ax.twinx()
    rate.plot(x, [_gap(d["reach_rate"]) for d in days], color=ORANGE, marker=".")
    rate.set_ylim(0, 105)
    rate.set_ylabel(f"{fmt.word('reach_rate')} %")
    _legend_above(ax)


def _satisfaction_trend(figure: Figure, report: MonthlyReport, fmt: Formatter) -> None:
    ax = figure.subplots()
    trend = report.current["satisfaction_trend"]
    if not any(m["rated"] for m in trend):
        _no_data(ax, fmt)
        return
    months = [m["month"][2:] for m in trend]
    values = [_gap(m["satisfaction_rate"]) for m in trend]
    positions = list(range(len(months)))  # every month on the axis, rated or not
    ax.plot(positions, values, color=GREEN, marker="o")
    ax.set_xticks(positions, labels=months)
    ax.set_xlim(-0.5, len(months) - 0.5)
    for x, y in zip(positions, values, strict=True):
        if not math.isnan(y):
            ax.annotate(
                f"{y:.1f}",
                (x, y),
                textcoords="offset points",
                xytext=(0, 5),
                ha="center",
                fontsize=7,
            )
    ax.set_ylim(0, 105)
    ax.set_ylabel(f"{fmt.word('satisfaction_rate')} %")


def _complaints_by_category(figure: Figure, report: MonthlyReport, fmt: Formatter) -> None:
    ax = figure.subplots()
    categories = report.current["complaints_by_category"]
    if not categories:
        _no_data(ax, fmt)
        return
    names = [name(k, report.locale) for k in categories][::-1]
    ax.barh(
        names,
        [n["received"] for n in categories.values()][::-1],
        color=ORANGE,
        label=fmt.word("received"),
    )
    ax.barh(
        names,
        [n["resolved"] for n in categories.values()][::-1],
        color=GREEN,
        height=0.4,
        label=fmt.word("resolved"),
    )
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _legend_above(ax)


def _reminder_funnel(figure: Figure, report: MonthlyReport, fmt: Formatter) -> None:
    ax = figure.subplots()
    values = [report.current[k] for k in FUNNEL]
    if not values[0]:
        _no_data(ax, fmt)
        return
    names = [label(k, report.locale) for k in FUNNEL][::-1]
    bars = ax.barh(names, values[::-1], color=[GREEN, BLUE, GREY])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.bar_label(bars, labels=[fmt.count(v) for v in values[::-1]], padding=3, fontsize=8)


DRAW = {
    "calls_by_day": _calls_by_day,
    "satisfaction_trend": _satisfaction_trend,
    "complaints_by_category": _complaints_by_category,
    "reminder_funnel": _reminder_funnel,
}
