"""The day's call list as a spreadsheet for people: readable phones, the store's words."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from crm.vocabulary.cells import formula_safe
from crm.vocabulary.phones import readable_phone

# (row key, Chinese header, English header, width)
COLUMNS = [
    ("task_id", "任务号", "Task", 8),
    ("label", "回访类型", "Call", 12),
    ("due_date", "截止日期", "Due", 12),
    ("days_overdue", "逾期天数", "Days overdue", 9),
    ("customer", "客户", "Customer", 10),
    ("customer_code", "客户编号", "Customer code", 12),
    ("phone", "电话", "Phone", 15),
    ("model", "车型", "Model", 10),
    ("plate", "车牌", "Plate", 11),
    ("vin", "车架号", "VIN", 20),
    ("agent", "客服", "Agent", 8),
    ("attempts", "已拨次数", "Tries", 8),
    ("talking_points", "话术", "What to say", 50),
    ("notes", "客户备注", "Notes", 30),
]


def spreadsheet_row(row: dict) -> dict:
    """A list row with its phone as people write it (138 0013 8000)."""
    return {**row, "phone": readable_phone(row["phone"])}


def workbook(rows: list[dict], title: str, locale: str) -> bytes:
    """An .xlsx of the list: one header row in the store's language, then a row per call."""
    book = Workbook()
    sheet = book.active
    sheet.title = "回访列表" if locale == "zh_CN" else "Calls"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True)
    chinese = locale == "zh_CN"
    sheet.append([zh if chinese else en for _key, zh, en, _width in COLUMNS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for index, (_key, _zh, _en, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = width
    for row in rows:
        readable = spreadsheet_row(row)
        sheet.append(
            [
                formula_safe(readable[key]) if isinstance(readable[key], str) else readable[key]
                for key, *_ in COLUMNS
            ]
        )
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
