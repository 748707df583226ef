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
    where: str = "row 1"  # the row read as the header, for a message that names it


# Title rows ("2026年3月工单明细"), export notes and blank lines sit above a DMS header;
# it is looked for among this many non-empty rows, and an instruction sheet is skipped.
HEADER_SCAN = 20


def open_source(path: Path, is_header: Callable[[list], bool] | None = None) -> Source:
    """Open `path` (.csv or .xlsx); an unusable file raises `UsageError`.

    The header is the first row `is_header` accepts among the first HEADER_SCAN non-empty
    rows of the first sheet that has one; else the first non-empty row of the first sheet.
    """
    is_header = is_header or (lambda _cells: True)
    try:
        exists = path.is_file()
    except OSError as exc:  # a name too long for the file system, say
        raise UsageError(f"cannot open {str(path)[:80]!r}… ({exc.strerror})") from None
    if not exists:
        raise UsageError(f"{str(path)[:200]} does not exist")
    suffix = path.suffix.lower()
    if suffix == ".csv" or suffix == ".txt":
        return _open_csv(path, is_header)
    if suffix in (".xlsx", ".xlsm"):
        return _open_xlsx(path, is_header)
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


def _open_csv(path: Path, is_header: Callable[[list], bool]) -> Source:
    encoding = detect_encoding(path)
    binary = path.open("rb")
    stream = io.TextIOWrapper(binary, encoding=encoding, newline="")
    # Only the delimiter is detected, from the first line that shows one (a title row
    # above the header may have none); quoting is always RFC 4180 (Excel's): a dialect
    # sniffed from one line knew nothing of doubled quotes, so `"say ""hi"""` was misread
    # and spilled into the next column.
    delimiter = ","
    for _ in range(HEADER_SCAN):
        line = stream.readline()
        if not line:
            break
        try:
            delimiter = csv.Sniffer().sniff(line, delimiters=",\t;|").delimiter
            break
        except csv.Error:
            continue
    stream.seek(0)
    reader = csv.reader(stream, csv.excel, delimiter=delimiter)
    try:
        found = _find_header(
            ((reader.line_num, cells) for cells in reader if _any(cells)), is_header
        )
    except csv.Error as exc:
        binary.close()
        raise UsageError(f"{path.name} line {reader.line_num}: {exc}") from None
    if found is None:
        binary.close()
        raise UsageError(f"{path.name} is empty: no header row")
    number, headers, waiting = found.number, found.cells, found.after

    def rows() -> Iterator[tuple[int, list]]:
        try:
            yield from waiting
            for cells in reader:
                if _any(cells):
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
        f"row {number}",
    )


@dataclass
class _Header:
    number: int  # its row number
    cells: list
    after: list[tuple[int, list]]  # data rows read past it while looking
    recognised: bool  # False: no row looked like a header; the first row stands in


def _find_header(numbered, is_header: Callable[[list], bool]) -> _Header | None:
    """The header among the first non-empty (row number, cells); None when there are none.

    `numbered` is consumed only as far as the header, or HEADER_SCAN rows when none is.
    """
    scanned: list[tuple[int, list]] = []
    for number, cells in numbered:
        scanned.append((number, cells))
        if is_header(cells):
            return _Header(number, cells, [], True)
        if len(scanned) >= HEADER_SCAN:
            break
    if not scanned:
        return None
    return _Header(scanned[0][0], scanned[0][1], scanned[1:], False)


def _any(cells) -> bool:
    return any(_filled(cell) for cell in cells)


def _open_xlsx(path: Path, is_header: Callable[[list], bool]) -> Source:
    # Imported here: openpyxl takes a noticeable moment to load and CSV imports never need it.
    from openpyxl import load_workbook

    index, number = _header_sheet(path, is_header)
    _check_readable(path, index)
    workbook = load_workbook(path, read_only=True, data_only=True)
    sheet = workbook.worksheets[index]
    numbered = enumerate(sheet.iter_rows(values_only=True), start=1)
    headers: tuple = ()
    for row_number, cells in numbered:
        if row_number == number:
            headers = cells
            break
    total = sheet.max_row or 0
    seen = {"row": number}
    where = f"row {number}"
    if len(workbook.sheetnames) > 1:
        where = f"sheet {sheet.title!r} row {number}"

    def rows() -> Iterator[tuple[int, list]]:
        try:
            for row_number, cells in numbered:
                seen["row"] = row_number
                if _any(cells):
                    yield row_number, list(cells)
        finally:
            workbook.close()

    return Source(
        [str(h).strip() if h is not None else "" for h in headers],
        rows(),
        total,
        lambda: seen["row"],
        where,
    )


def _header_sheet(path: Path, is_header: Callable[[list], bool]) -> tuple[int, int]:
    """(sheet index, header row) of the first sheet whose first rows hold a header; else
    the first non-empty row of the first sheet. A damaged or empty workbook is refused."""
    from openpyxl import load_workbook

    fallback: tuple[int, int] | None = None
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises whatever its parsers raise
        raise UsageError(f"{path.name} is not a readable .xlsx file ({_reason(exc)})") from None
    try:
        if not workbook.worksheets:
            raise UsageError(f"{path.name} has no worksheet")
        for index, sheet in enumerate(workbook.worksheets):
            numbered = (
                (n, list(cells))
                for n, cells in enumerate(sheet.iter_rows(values_only=True), start=1)
                if _any(cells)
            )
            found = _find_header(numbered, is_header)
            if found is not None and found.recognised:
                return index, found.number
            if found is not None and fallback is None:
                fallback = (index, found.number)
    except UsageError:
        raise
    except Exception as exc:
        raise UsageError(f"{path.name} is not a readable .xlsx file ({_reason(exc)})") from None
    finally:
        workbook.close()
    if fallback is None:
        raise UsageError(f"{path.name} is empty: no header row")
    return fallback


def _reason(exc: Exception) -> str:
    return str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__


def _check_readable(path: Path, index: int = 0) -> None:
    """Read the whole sheet once, so a damaged file stops before anything is stored.

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
        for _cells in workbook.worksheets[index].iter_rows(values_only=True):
            pass
    except UsageError:
        raise
    except Exception as exc:  # openpyxl raises whatever its parsers raise
        raise UsageError(f"{path.name} is not a readable .xlsx file ({_reason(exc)})") from None
    finally:
        if workbook is not None:
            workbook.close()


def _filled(cell) -> bool:
    return cell is not None and str(cell).strip() != ""
