"""Plain terminal table (tabulate), wrapped to the terminal's width."""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from typing import Any

from ...errors import visible
from . import View, cell_text
from .tabulated import tabulate

NARROWEST = 8  # a wrapped column keeps at least this many characters
BREAKABLE = 12  # a word longer than this may be broken to make a table fit (a score interval is not)
GAP = 2  # tabulate's space between columns


def render(view: View) -> str:
    rows = [[cell_text(cell) for cell in row] for row in view.rows]
    width = terminal_width()
    parts = [_fill(view.title, width)] if view.title else []
    if view.columns:
        parts.append("\n\n".join(
            tabulate([[row[i] for i in block] for row in rows], headers=[view.columns[i] for i in block],
                     tablefmt="simple", disable_numparse=True, maxcolwidths=limits)
            for block, limits in _layout(view.columns, rows, width, view.keys)))
    parts.extend(_fill(note, width) for note in view.notes)
    if view.preformatted:
        parts.append(visible(view.preformatted.rstrip("\n")))
    parts.extend(f"\n{_fill(heading, width)}\n" + render(section) for heading, section in view.sections)
    return "\n".join(parts) + "\n"


def _fill(text: str, width: int | None) -> str:
    """A title, heading or note wrapped to ``width`` (left whole without one)."""
    return textwrap.fill(visible(text), width, subsequent_indent="  ", break_on_hyphens=False) if width else visible(text)


def terminal_width() -> int | None:
    """Columns to wrap to: ``COLUMNS`` if set, the terminal's width on a terminal, else none (a
    table piped to a file or a program is left whole)."""
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


def _layout(columns: list[str], rows: list[list[Any]], width: int | None,
            keys: int) -> list[tuple[list[int], list[int | None] | None]]:
    """The table's columns in blocks that each fit ``width``, with the width each column wraps to.
    One block unless even the narrowest columns do not fit side by side; then the columns are laid
    out in several blocks, one under the other, each repeating the ``keys`` columns that name a row."""
    every = list(range(len(columns)))
    if width is None:
        return [(every, None)]
    floor = _floors(columns, rows)
    keys = min(keys, len(columns))
    blocks: list[list[int]] = []
    block = every[:keys]
    for i in every[keys:]:
        if len(block) > keys and sum(floor[j] for j in (*block, i)) + GAP * len(block) > width:
            blocks.append(block)
            block = every[:keys]
        block.append(i)
    blocks.append(block)
    return [(block, _column_limits([columns[i] for i in block], [[row[i] for i in block] for row in rows], width,
                                   [floor[i] for i in block]))
            for block in blocks]


def _floors(columns: list[str], rows: list[list[Any]]) -> list[int]:
    """The narrowest each column sensibly gets: its header (tabulate never wraps one) with
    MIN_PADDING, NARROWEST characters, and its longest word up to BREAKABLE characters (longer
    words, such as URLs and dotted ids, are broken across lines)."""
    return [max(NARROWEST, len(str(column)) + 2,
                min(BREAKABLE, max((len(word) for row in rows for word in str(row[i]).split()), default=0)))
            for i, column in enumerate(columns)]


def _column_limits(columns: list[str], rows: list[list[Any]], width: int,
                   floor: list[int]) -> list[int | None] | None:
    """The widest columns narrowed, one character at a time, until the table fits ``width``: first
    every column but the first (the row's name) down to its longest word, then every column down
    to its ``floor``, breaking long words (a URL) across lines."""
    # tabulate pads a header by MIN_PADDING (2): a column is never narrower than that
    natural = [max([len(str(column)) + 2, *(len(str(row[i])) for row in rows)]) for i, column in enumerate(columns)]
    if sum(natural) + GAP * (len(columns) - 1) <= width:
        return None
    words = [max([floor[i], *(len(word) for row in rows for word in str(row[i]).split())]) for i in range(len(columns))]
    limits = list(natural)
    excess = sum(limits) + GAP * (len(columns) - 1) - width
    for least, first in ((words, 1), (floor, 0)):
        while excess > 0:
            shrinkable = [i for i in range(first, len(limits)) if limits[i] > least[i]]
            if not shrinkable:
                break
            widest = max(shrinkable, key=lambda i: (limits[i], -i))
            limits[widest] -= 1
            excess -= 1
    return [limit if limit < original else None for limit, original in zip(limits, natural, strict=True)]
