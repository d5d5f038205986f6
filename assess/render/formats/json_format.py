"""Canonical JSON for tools: full precision, sorted keys."""

from ...engine.canonical import dumps
from ...errors import json_visible
from . import View, json_data


def render(view: View) -> str:
    data = json_data(view) if view.data is not None else [dict(zip(view.columns, row, strict=True)) for row in view.rows]
    return json_visible(dumps(data))  # a damaged output's U+202E reaches a terminal as \u202e
