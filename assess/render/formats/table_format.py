"""Plain terminal table (tabulate), wrapped to the terminal's width."""

from __future__ import annotations

import os
import shutil
import sys
import textwrap

from tabulate import tabulate

from ...errors import visible
from . import View, cell_text

NARROWEST = 8  # a wrapped column keeps at least this many characters
GAP = 2  # tabulate's space between columns


def render(view: View) -> str:
    rows = [[cell_text(cell) for cell in row] for row in view.rows]
    parts = [visible(view.title)] if view.title else []
    if view.columns:
        parts.append(tabulate(rows, headers=view.columns, tablefmt="simple", disable_numparse=True,
                              maxcolwidths=_column_limits(view.columns, rows, terminal_width())))
    width = terminal_width()
    parts.extend(textwrap.fill(visible(note), width, subsequent_indent="  ", break_on_hyphens=False) if width
                 else visible(note) for note in view.notes)
    if view.preformatted:
        parts.append(visible(view.preformatted.rstrip("\n")))
    parts.extend(f"\n{visible(heading)}\n" + render(section) for heading, section in view.sections)
    return "\n".join(parts) + "\n"


def terminal_width() -> int | None:
    """Columns to wrap to: ``COLUMNS`` if set, the terminal's width on a terminal, else none (a
    table piped to a file or a program is left whole)."""
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


def _column_limits(columns: list[str], rows: list[list[object]], width: int | None) -> list[int | None] | None:
    """The widest columns narrowed, one character at a time, until the table fits ``width``; the
    first column (the row's name) is kept whole, and no column gets narrower than its longest word."""
    # tabulate pads a header by MIN_PADDING (2): a column is never narrower than that
    natural = [max([len(str(column)) + 2, *(len(str(row[i])) for row in rows)]) for i, column in enumerate(columns)]
    if width is None or sum(natural) + GAP * (len(columns) - 1) <= width:
        return None
    floor = [max([NARROWEST, len(str(column)) + 2, *(len(word) for row in rows for word in str(row[i]).split())])
             for i, column in enumerate(columns)]
    limits = list(natural)
    excess = sum(limits) + GAP * (len(columns) - 1) - width
    while excess > 0:
        shrinkable = [i for i in range(1, len(limits)) if limits[i] > floor[i]]
        if not shrinkable:
            break  # as narrow as it sensibly gets: the terminal scrolls
        widest = max(shrinkable, key=lambda i: (limits[i], -i))
        limits[widest] -= 1
        excess -= 1
    return [limit if limit < original else None for limit, original in zip(limits, natural, strict=True)]
