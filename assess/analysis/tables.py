"""Reading a table (CSV or XLSX) as rows of text, each with the place it came from.

Cells are data: a spreadsheet formula is refused rather than evaluated or trusted, dates become
``YYYY-MM-DD``, numbers their shortest text, and control characters are refused as in YAML.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..engine.reader import read_bounded
from ..errors import InputErrors, SourceError, first_hidden, location_of

MAX_TABLE_BYTES = 50 * 1024 * 1024


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
    lines = _xlsx_lines(raw, name) if path.suffix.lower() in (".xlsx", ".xlsm") else _csv_lines(raw, name)
    header: list[str] | None = None
    rows, errors = [], []
    for number, cells in lines:
        if header is None:
            if any(cell.strip() for cell in cells):
                header = [cell.strip().lower() for cell in cells]
            continue
        if not any(cell.strip() for cell in cells):
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


def _csv_lines(raw: bytes, name: str) -> Iterator[tuple[int, list[str]]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputErrors([SourceError(name, line, 1, "the table is not valid UTF-8 (save it as CSV UTF-8)")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as exc:
        raise InputErrors([SourceError(name, reader.line_num, 1, f"invalid CSV: {exc}")]) from None


def _xlsx_lines(raw: bytes, name: str) -> Iterator[tuple[int, list[str]]]:
    """The first sheet's rows; formulas are refused (their cached value may be stale or absent)."""
    import openpyxl  # only the import command reads spreadsheets
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        sheet = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=False).worksheets[0]
    except (InvalidFileException, KeyError, ValueError, OSError, IndexError) as exc:
        raise InputErrors([SourceError(name, 1, 1, f"not a readable XLSX workbook: {exc}")]) from None
    for number, row in enumerate(sheet.iter_rows(), start=1):
        cells = []
        for cell in row:
            if getattr(cell, "data_type", None) == "f" or (isinstance(cell.value, str) and cell.value.startswith("=")):
                raise InputErrors([SourceError(name, number, 1, "a formula in a cell: import values, not formulas")])
            cells.append(_text(cell.value))
        yield number, cells


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
