"""tabulate's text, measured faster: where every cell is made of characters a terminal shows one
cell wide, a cell's width is its length, and tabulate is told so (otherwise it measures every cell
with wcwidth, character by character in Python: most of the time of a table of thousands of rows)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tabulate as tabulate_module

# One cell wide, and outside every grapheme-cluster rule of wcwidth (no combining mark, joiner,
# selector, virama or emoji): printable ASCII, accented Latin letters, the dashes, quotes, arrows and
# signs the views print. tests/render/test_formats.py holds wcwidth to this.
NARROW = frozenset([chr(code) for code in (*range(0x20, 0x7F), *range(0xC0, 0x180))] + list("\n°±·–—‘’“”…←↑→↓−≤≥"))


def _narrow(text: str) -> bool:
    return (text.isascii() and text.isprintable()) or set(text) <= NARROW


def tabulate(rows: Sequence[Sequence[Any]], headers: Sequence[Any], **options: Any) -> str:
    """``tabulate.tabulate(rows, headers=headers, **options)``, the same text."""
    if not (all(_narrow(str(cell)) for row in rows for cell in row) and all(_narrow(str(h)) for h in headers)):
        return str(tabulate_module.tabulate(rows, headers=headers, **options))
    wide = tabulate_module.WIDE_CHARS_MODE
    tabulate_module.WIDE_CHARS_MODE = False  # tabulate's own switch: measure by len
    try:
        return str(tabulate_module.tabulate(rows, headers=headers, **options))
    finally:
        tabulate_module.WIDE_CHARS_MODE = wide
