"""CSV that opens safely in a spreadsheet: cells that would start a formula are quoted with '."""

import csv
import io

from ...engine.facttypes import NUMBER
from ...errors import visible
from . import View

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    """A value a spreadsheet shows as text: a leading =, +, -, @ would start a formula (a signed
    number is left as it is), and no control character survives."""
    if isinstance(value, str):
        value = visible(value)
        if value.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(value):
            return "'" + value
    return "" if value is None else value


def render(view: View) -> str:
    """The view's records when it has them (data: numbers in their own columns), else its rows."""
    columns, rows = view.columns, view.rows
    if view.records is not None:
        columns = list(view.records[0]) if view.records else view.columns
        rows = [[record[column] for column in columns] for record in view.records]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([cell(value) for value in row] for row in rows)
    return out.getvalue()
