"""Canonical JSON for tools: full precision, sorted keys."""

from ...engine.canonical import dumps
from . import View, json_data


def render(view: View) -> str:
    data = json_data(view) if view.data is not None else [dict(zip(view.columns, row, strict=True)) for row in view.rows]
    return dumps(data)
