"""The report as an Excel workbook: the summary text, then one sheet per table.

Text that begins with = + - @ (or a tab or carriage return) is written with a leading
apostrophe, so a customer's words recorded as an issue can never run as a formula
when the store opens the file (OWASP's CSV/formula-injection advice).
"""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from crm.report.definitions import BY_KEY, Unit
from crm.report.narrative import narrative
from crm.report.summary import MonthlyReport
from crm.report.tables import DELTA, TEXT, Cell, tables
from crm.vocabulary.cells import formula_safe

NUMBER_FORMATS = {
    Unit.RATE.value: "0.0%",
    Unit.COUNT.value: "#,##0",
    Unit.HOURS.value: "0.0",
    Unit.SCORE.value: "0.00",
    Unit.MONEY.value: "#,##0.00",
}
# A change keeps its figure's unit: counts as whole numbers, money in 元, rates in points.
DELTA_FORMATS = {
    Unit.COUNT.value: "+#,##0;-#,##0;0",
    Unit.HOURS.value: "+0.0;-0.0;0.0",
    Unit.SCORE.value: "+0.00;-0.00;0.00",
}
LOCALE_FORMATS = {
    "zh_CN": {
        "money": '#,##0.00 "元"',
        "money_delta": '+#,##0.00 "元";-#,##0.00 "元";0.00 "元"',
        "rate_delta": '+0.0 "个百分点";-0.0 "个百分点";0.0 "个百分点"',
    },
    "en": {
        "money": "#,##0.00",
        "money_delta": "+#,##0.00;-#,##0.00;0.00",
        "rate_delta": '+0.0 "points";-0.0 "points";0.0 "points"',
    },
}
HEADER_FILL = PatternFill("solid", fgColor="EDF2F7")
INVALID_TITLE = re.compile(r"[\[\]:*?/\\]")


def escape(value: str) -> str:
    """Text that cannot become a formula (crm.vocabulary.cells)."""
    return formula_safe(value)


def _write(sheet, row: int, column: int, cell: Cell, no_data: str, locale: str) -> None:
    target = sheet.cell(row=row, column=column)
    if cell.value is None:
        target.value = no_data
        return
    if cell.unit == TEXT:
        target.value = escape(str(cell.value))
        return
    target.value = cell.value
    target.alignment = Alignment(horizontal="right")
    target.number_format = number_format(cell, locale)


def number_format(cell: Cell, locale: str) -> str:
    """Excel's format for a figure or a change, in the figure's own unit."""
    words = LOCALE_FORMATS.get(locale, LOCALE_FORMATS["en"])
    if cell.unit != DELTA:
        return words["money"] if cell.unit == Unit.MONEY.value else NUMBER_FORMATS[cell.unit]
    unit = BY_KEY[cell.key].unit.value
    if unit == Unit.MONEY.value:
        return words["money_delta"]
    if unit == Unit.RATE.value:
        return words["rate_delta"]
    return DELTA_FORMATS[unit]


def xlsx(report: MonthlyReport) -> bytes:
    from crm.report.formatting import Formatter

    fmt = Formatter(report.locale)
    workbook = Workbook()
    summary = workbook.active
    summary.title = _title(fmt.words["narrative"])
    summary.column_dimensions["A"].width = 120
    for line in narrative(report, plain=True).splitlines():
        # A section title is a bold cell, not Markdown: "## " would show as typed.
        heading = line.startswith("## ")
        summary.append([escape(line[3:] if heading else line)])
        if heading:
            summary.cell(row=summary.max_row, column=1).font = Font(bold=True)
    for table in tables(report):
        sheet = workbook.create_sheet(_title(table.title))
        for column, header in enumerate(table.headers, start=1):
            head = sheet.cell(row=1, column=column, value=escape(header))
            head.font = Font(bold=True)
            head.fill = HEADER_FILL
        for row, cells in enumerate(table.rows, start=2):
            for column, cell in enumerate(cells, start=1):
                _write(sheet, row, column, cell, fmt.no_data, report.locale)
        for column in range(1, len(table.headers) + 1):
            sheet.column_dimensions[get_column_letter(column)].width = (
                60 if table.key == "appendix" and column == 3 else 16
            )
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _title(text: str) -> str:
    """A valid sheet name: no []:*?/\\ and at most 31 characters."""
    return INVALID_TITLE.sub(" ", text)[:31]
