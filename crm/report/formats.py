"""The report as Markdown (for pasting), JSON (for machines) and one self-contained HTML page."""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markdown_it import MarkdownIt
from markupsafe import Markup

from crm.report.definitions import label
from crm.report.narrative import TEMPLATES, context, environment, escape_markdown, narrative
from crm.report.summary import MonthlyReport
from crm.report.tables import TEXT, Cell, show, tables


def _md_cell(value: str) -> str:
    # A pipe would split the cell, a newline end the row, a bracket start a link or image.
    return escape_markdown(value)


def _context(report: MonthlyReport) -> dict:
    data = context(report)
    fmt = data["f"]
    data["tables"] = tables(report)
    data["show"] = lambda cell: show(cell, fmt)
    data["title"] = fmt.words["title"].format(store=report.store_name, month=data["month_label"])
    return data


def markdown(report: MonthlyReport) -> str:
    env = environment(report.locale)
    env.filters["md"] = _md_cell
    data = _context(report) | {"narrative": narrative(report).strip()}
    return env.get_template("monthly.md.j2").render(data).rstrip() + "\n"


@lru_cache(maxsize=1)
def _html_environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _cell_class(cell: Cell) -> str:
    if cell.value is None:
        return "none" if cell.unit == TEXT else "num none"
    return "" if cell.unit == TEXT else "num"


def html(report: MonthlyReport) -> str:
    # Raw HTML in the narrative (an issue a customer raised, say) is escaped, never run;
    # and the page stays self-contained: no Markdown image, link or autolink is rendered,
    # even should a customer's words reach the narrative unescaped.
    from crm.report.charts import charts  # matplotlib: only the HTML page draws

    renderer = MarkdownIt("commonmark", {"html": False}).disable(["image", "link", "autolink"])
    narrative_html = renderer.render(narrative(report))
    data = _context(report) | {
        "narrative_html": Markup(narrative_html),
        "charts": {key: Markup(svg) for key, svg in charts(report).items()},
        "chart_titles": {key: label(key, report.locale) for key in charts_keys()},
        "cell_class": _cell_class,
    }
    return _html_environment().get_template("monthly.html.j2").render(data)


def charts_keys() -> tuple[str, ...]:
    from crm.report.charts import CHARTS

    return CHARTS
