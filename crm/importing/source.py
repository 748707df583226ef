"""Streaming the rows of a CSV or Excel export, whatever encoding Chinese Excel used."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from crm.errors import UsageError

# Tried in this order. Strict UTF-8 first: GB18030 decodes almost any bytes, so a
# UTF-8 file read as GB18030 would "succeed" as mojibake. A closed list beats a
# statistical detector here: short GBK files are routinely misread as Big5 or Latin-1.
ENCODINGS = ("utf-8", "gb18030")
_CHUNK = 1 << 20


@dataclass
class Source:
    """An opened export: its header row, and its data rows as (row number, cells)."""

    headers: list[str]
    rows: Iterator[tuple[int, list]]
    size: int  # bytes (CSV) or rows (Excel), for progress
    position: Callable[[], int]  # how much of `size` is consumed so far


def open_source(path: Path) -> Source:
    """Open `path` (.csv or .xlsx); an unusable file raises `UsageError`."""
    try:
        exists = path.is_file()
    except OSError as exc:  # a name too long for the file system, say
        raise UsageError(f"cannot open {str(path)[:80]!r}… ({exc.strerror})") from None
    if not exists:
        raise UsageError(f"{str(path)[:200]} does not exist")
    suffix = path.suffix.lower()
    if suffix == ".csv" or suffix == ".txt":
        return _open_csv(path)
    if suffix in (".xlsx", ".xlsm"):
        return _open_xlsx(path)
    if suffix == ".xls":
        raise UsageError(f"{path.name} is an old .xls file; save it as .xlsx or CSV in Excel")
    raise UsageError(f"{path.name}: unsupported file type {suffix!r}; use .csv or .xlsx")


def detect_encoding(path: Path) -> str:
    """A CSV's encoding: its BOM's, else the first of ENCODINGS that decodes all of it."""
    with path.open("rb") as raw:
        head = raw.read(4)
    candidates = ENCODINGS
    if head.startswith(codecs.BOM_UTF8):
        candidates = ("utf-8-sig",)
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)  # Excel's "Unicode text"
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as raw:
                while chunk := raw.read(_CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise UsageError(f"{path.name} is neither UTF-8 nor GB18030 text; save it again as CSV")


# Python's default cap is 131,072 characters a cell: a longer one raised mid-file, after
# earlier batches were committed. The cap is lifted; the importer rejects the row instead.
csv.field_size_limit(2**31 - 1)


def _open_csv(path: Path) -> Source:
    encoding = detect_encoding(path)
    binary = path.open("rb")
    stream = io.TextIOWrapper(binary, encoding=encoding, newline="")
    # Only the delimiter is detected, from the header line; quoting is always RFC 4180
    # (Excel's): a dialect sniffed from one line knew nothing of doubled quotes, so
    # `"say ""hi"""` was misread and spilled into the next column.
    try:
        delimiter = csv.Sniffer().sniff(stream.readline(), delimiters=",\t;|").delimiter
    except csv.Error:
        delimiter = ","
    stream.seek(0)
    reader = csv.reader(stream, csv.excel, delimiter=delimiter)
    headers = None
    try:
        for headers in reader:
            if any(cell.strip() for cell in headers):
                break
    except csv.Error as exc:
        binary.close()
        raise UsageError(f"{path.name} line {reader.line_num}: {exc}") from None
    if not headers or not any(cell.strip() for cell in headers):
        binary.close()
        raise UsageError(f"{path.name} is empty: no header row")

    def rows() -> Iterator[tuple[int, list]]:
        try:
            for cells in reader:
                if any(cell.strip() for cell in cells):
                    yield reader.line_num, cells
        except csv.Error as exc:
            raise UsageError(f"{path.name} line {reader.line_num}: {exc}") from None
        finally:
            binary.close()

    size = path.stat().st_size
    return Source(
        [h.strip() for h in headers],
        rows(),
        size,
        lambda: size if binary.closed else binary.tell(),
    )


def _open_xlsx(path: Path) -> Source:
    # Imported here: openpyxl takes a noticeable moment to load and CSV imports never need it.
    from openpyxl import load_workbook

    _check_readable(path)
    workbook = load_workbook(path, read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    numbered = enumerate(sheet.iter_rows(values_only=True), start=1)
    headers = None
    for _number, headers in numbered:
        if any(_filled(cell) for cell in headers):
            break
    if not headers or not any(_filled(cell) for cell in headers):
        workbook.close()
        raise UsageError(f"{path.name} is empty: no header row")
    total = sheet.max_row or 0
    seen = {"row": 0}

    def rows() -> Iterator[tuple[int, list]]:
        try:
            for number, cells in numbered:
                seen["row"] = number
                if any(_filled(cell) for cell in cells):
                    yield number, list(cells)
        finally:
            workbook.close()

    return Source(
        [str(h).strip() if h is not None else "" for h in headers],
        rows(),
        total,
        lambda: seen["row"],
    )


def _check_readable(path: Path) -> None:
    """Read the whole first sheet once, so a damaged file stops before anything is stored.

    openpyxl parses lazily: a bad number or date cell, a shared-string index out of range,
    broken XML or a bad zip stream raise in the middle of the sheet, after earlier batches
    were committed. Reading twice costs time on big sheets; half an import costs more.
    """
    from openpyxl import load_workbook

    workbook = None
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        if not workbook.worksheets:
            raise UsageError(f"{path.name} has no worksheet")
        for _cells in workbook.worksheets[0].iter_rows(values_only=True):
            pass
    except UsageError:
        raise
    except Exception as exc:  # openpyxl raises whatever its parsers raise
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise UsageError(f"{path.name} is not a readable .xlsx file ({reason})") from None
    finally:
        if workbook is not None:
            workbook.close()


def _filled(cell) -> bool:
    return cell is not None and str(cell).strip() != ""
