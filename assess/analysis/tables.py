"""Reading a table (CSV or XLSX) as rows of text, each with the place it came from.

Cells are data: a spreadsheet formula is refused rather than evaluated or trusted, dates become
``YYYY-MM-DD``, numbers their shortest text, and control characters are refused as in YAML.
Reading is strict, and every refusal names the file and line: a header that names a column
twice or leaves a column without a name, a row with more or fewer cells than the header, a quote
left open, text that is not UTF-8, and anything past the bounds below. A workbook is checked
before it is read: a real zip, declared sizes within bounds, no DTD (so no entity expansion), a
first sheet whose declared and actual rows and columns are within bounds.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..engine.reader import read_bounded
from ..errors import InputErrors, SourceError, first_hidden, location_of, visible

MAX_TABLE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 1_000
MAX_CELL_CHARS = 10_000
MAX_XLSX_UNCOMPRESSED = 64 * 1024 * 1024  # everything the workbook's parts inflate to, as the zip declares
MAX_XLSX_MEMBERS = 10_000
MAX_XLSX_CELLS = 2_000_000  # cells a sheet stores (empty ones included)


@dataclass(frozen=True)
class Row:
    """One data row: its cells by (lower-case) column name, and where it is (``file:line``)."""

    file: str
    line: int
    cells: dict[str, str]

    def error(self, message: str, column: str = "") -> SourceError:
        return SourceError(self.file, self.line, 1, message, field=column)


def read_table(path: Path) -> tuple[list[str], list[Row]]:
    """The header (lower-case, stripped) and the non-empty rows of a CSV or XLSX file."""
    raw = read_bounded(path, MAX_TABLE_BYTES)
    name = location_of(path)
    xlsx = path.suffix.lower() in (".xlsx", ".xlsm")
    lines = _xlsx_lines(raw, name) if xlsx else _csv_lines(raw, name)
    header: list[str] | None = None
    rows: list[Row] = []
    errors: list[SourceError] = []
    for number, cells in lines:
        if len(errors) >= 100:
            break  # enough to act on
        if number > MAX_ROWS:
            errors.append(SourceError(name, number, 1, f"the table has more than {MAX_ROWS} lines"))
            break
        if len(cells) > MAX_COLUMNS and any(cell.strip() for cell in cells[MAX_COLUMNS:]):
            errors.append(SourceError(name, number, 1, f"more than {MAX_COLUMNS} cells in a row"))
            break
        long = next((cell for cell in cells if len(cell) > MAX_CELL_CHARS), None)
        if long is not None:
            errors.append(SourceError(name, number, 1, f"a cell of {len(long)} characters: at most {MAX_CELL_CHARS}"))
            continue
        if header is None:
            if any(cell.strip() for cell in cells):
                header = _header(cells, name, number, xlsx)
            continue
        if not any(cell.strip() for cell in cells):
            continue
        problem = _shape(cells, header, xlsx)
        if problem:
            errors.append(SourceError(name, number, 1, problem))
            continue
        hidden = next((cell for cell in cells if first_hidden(cell)), None)
        if hidden is not None:
            errors.append(SourceError(name, number, 1, "a control character in a cell: not allowed in data"))
            continue
        rows.append(Row(name, number, {column: cell.strip() for column, cell in zip(header, cells, strict=False) if column}))
    if errors:
        raise InputErrors(errors)
    if header is None:
        raise InputErrors([SourceError(name, 1, 1, "the table is empty: expected a header row")])
    return header, rows


def _header(cells: list[str], name: str, line: int, xlsx: bool) -> list[str]:
    """The column names, lower-case: each named once; empty names only after the last named column."""
    header = [cell.strip().lower() for cell in cells]
    if xlsx or header[-1:] == [""]:  # a spreadsheet's trailing empty columns, a CSV's trailing comma
        while header and not header[-1]:
            header.pop()
    errors = []
    if any(first_hidden(column) for column in header):
        errors.append(SourceError(name, line, 1, "a control character in the header: not allowed"))
    seen: set[str] = set()
    for index, column in enumerate(header, start=1):
        if not column:
            errors.append(SourceError(name, line, 1, f"column {index} of the header has no name"))
        elif column in seen:
            errors.append(SourceError(name, line, 1, f"the header names column '{visible(column, newlines=False)}' "
                                      "twice: which one is meant?"))
        seen.add(column)
    if errors:
        raise InputErrors(errors)
    return header


def _shape(cells: list[str], header: list[str], xlsx: bool) -> str | None:
    """What is wrong with a row's number of cells, if anything."""
    extra = [cell for cell in cells[len(header):] if cell.strip()]
    if extra:
        return f"{len(cells)} cells in a row under a header of {len(header)} columns: a cell beyond the header"
    if not xlsx and len(cells) < len(header):
        return f"{len(cells)} cells in a row under a header of {len(header)} columns: a cell is missing"
    return None


def _csv_lines(raw: bytes, name: str) -> Iterator[tuple[int, list[str]]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputErrors([SourceError(name, line, 1, "the table is not valid UTF-8 (save it as CSV UTF-8)")]) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputErrors([SourceError(name, line, 1, "a NUL character: not a text table (save it as CSV UTF-8)")])
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    try:
        for cells in reader:
            yield start, cells  # a row is named by the line it starts on
            start = reader.line_num + 1
    except csv.Error as exc:
        problem = "a quote is opened and never closed" if "unexpected end of data" in str(exc) else str(exc)
        raise InputErrors([SourceError(name, start, 1, f"invalid CSV: {problem}")]) from None


def _xlsx_lines(raw: bytes, name: str) -> Iterator[tuple[int, list[str]]]:
    """The first sheet's rows, as stored (never padded to a declared size, never past the bounds);
    formulas are refused (their cached value may be stale or absent)."""
    _check_workbook(raw, name)
    import openpyxl  # only the import command reads spreadsheets
    from openpyxl.worksheet._reader import WorkSheetParser

    def refuse(line: int, message: str) -> InputErrors:
        return InputErrors([SourceError(name, line, 1, message)])

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=False, keep_links=False)
        sheet = book.worksheets[0]
        declared_rows, declared_columns = sheet.max_row, sheet.max_column
        if (declared_rows or 0) > MAX_ROWS or (declared_columns or 0) > MAX_COLUMNS:
            raise refuse(1, f"the first sheet declares {declared_rows} rows and {declared_columns} columns: at most "
                         f"{MAX_ROWS} rows and {MAX_COLUMNS} columns are read")
        cells_read = 0
        with sheet._get_source() as source:  # the cells as stored: what ReadOnlyWorksheet reads, without its padding
            parser = WorkSheetParser(source, sheet._shared_strings, data_only=False, epoch=book.epoch,
                                     date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
            for number, stored in parser.parse():
                if number > MAX_ROWS:
                    raise refuse(number, f"the table has more than {MAX_ROWS} lines")
                cells_read += len(stored)
                if cells_read > MAX_XLSX_CELLS:
                    raise refuse(number, f"the sheet stores more than {MAX_XLSX_CELLS} cells")
                width = max((cell["column"] for cell in stored), default=0)
                if width > MAX_COLUMNS:
                    raise refuse(number, f"a cell in column {width}: at most {MAX_COLUMNS} columns are read")
                cells = [""] * width
                for cell in stored:
                    value = cell["value"]
                    if cell.get("data_type") == "f" or (isinstance(value, str) and value.startswith("=")):
                        raise refuse(number, "a formula in a cell: import values, not formulas")
                    cells[cell["column"] - 1] = _text(value)
                yield number, cells
    except InputErrors:
        raise
    except Exception as exc:  # a hostile workbook can fail anywhere inside openpyxl: never a traceback
        detail = visible(str(exc), newlines=False)[:200] or type(exc).__name__
        raise refuse(1, f"not a readable XLSX workbook: {detail}") from None


def _check_workbook(raw: bytes, name: str) -> None:
    """Refuse a workbook before reading it: not a zip, too many parts, parts that inflate past the
    bound (as declared; reading never goes past a declared size), or a DTD (entity expansion)."""
    import zipfile

    def refuse(message: str) -> InputErrors:
        return InputErrors([SourceError(name, 1, 1, message)])

    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = archive.infolist()
        if len(members) > MAX_XLSX_MEMBERS:
            raise refuse(f"the workbook has {len(members)} parts: at most {MAX_XLSX_MEMBERS}")
        declared = sum(member.file_size for member in members)
        if declared > MAX_XLSX_UNCOMPRESSED:
            raise refuse(f"the workbook inflates to {declared} bytes: at most {MAX_XLSX_UNCOMPRESSED} are read")
        for member in members:
            if member.filename.endswith((".xml", ".rels", ".vml")):
                with archive.open(member) as stream:
                    data = stream.read(MAX_XLSX_UNCOMPRESSED + 1)
                if re.search(rb"<!(DOCTYPE|ENTITY)", data.replace(b"\0", b""), re.IGNORECASE):
                    raise refuse(f"a DTD in {visible(member.filename, newlines=False)}: workbooks never need one, "
                                 "and its entities could expand without bound")
    except InputErrors:
        raise
    except Exception as exc:  # not a zip, truncated, a damaged part
        detail = visible(str(exc), newlines=False)[:200] or type(exc).__name__
        raise refuse(f"not a readable XLSX workbook (an .xlsx file is a zip archive): {detail}") from None


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
