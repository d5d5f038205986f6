"""Output formats, one small module each (table, json, csv, markdown).

A command builds a ``View`` (columns and rows for people, ``data`` for programs); a format
renders it. Scores are rounded only here, for display: ``table`` and ``markdown`` show one
decimal; ``json`` and ``csv`` keep full precision.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ...errors import visible

FORMATS = ("table", "json", "csv", "markdown")


class Remark(str):
    """A note on how to read a result (a legend, the rule set's stamp, a summary, a warning), not
    part of the result itself: ``--quiet`` leaves it out."""


@dataclass
class View:
    columns: list[str]
    rows: list[list[Any]]
    data: Any = None  # the JSON document, or a function that builds it (only JSON output needs it)
    title: str = ""
    notes: list[str] = field(default_factory=list)
    sections: list[tuple[str, View]] = field(default_factory=list)  # detail, collapsible in Markdown
    preformatted: str = ""  # text shown as is (a YAML counter-example), fenced in Markdown
    records: list[dict[str, Any]] | None = None  # the rows as data (numbers at full precision), for CSV
    keys: int = 1  # the leading columns that name a row (repeated when a table is laid out in blocks)


def quiet(view: View) -> View:
    """The view with its remarks left out, at every level (for ``--quiet``); a table of no rows
    goes too, so that what is left is the result."""
    return replace(view, columns=view.columns if view.rows else [],
                   notes=[note for note in view.notes if not isinstance(note, Remark)],
                   sections=[(heading, quiet(section)) for heading, section in view.sections])


def json_data(view: View) -> Any:
    """The view's JSON document, built now if it was deferred."""
    return view.data() if callable(view.data) else view.data


def renderer(name: str) -> Callable[[View], str]:
    from . import csv_format, json_format, markdown_format, table_format

    return {"table": table_format.render, "json": json_format.render, "csv": csv_format.render,
            "markdown": markdown_format.render}[name]


def cell_text(value: Any) -> Any:
    """A cell as people read it: one decimal for scores, a dash for nothing, control characters shown
    as escapes (they never reach a terminal or a document live)."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}"
    return visible(value) if isinstance(value, str) else value
