"""CSV that opens safely in a spreadsheet: cells that would start a formula are quoted with '."""

import csv
import io

from . import View

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def render(view: View) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(view.columns)
    writer.writerows([cell(value) for value in row] for row in view.rows)
    return out.getvalue()
