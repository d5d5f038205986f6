"""Fact values as plain data: the explicit unknown, and how values are written out and shown.

How a value is *read* depends on its fact's type and lives with the type (``facttypes``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any


class _Unknown:
    """The explicit unknown: a value of every fact type, never equal to false or zero."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "unknown"

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()
UNKNOWN_TEXT = "unknown"
# The years the engine assesses: every date a profile or a scenario holds, every --year asked.
FIRST_YEAR, LAST_YEAR = 1900, 2100
DEFAULT_DRAWS = 2000  # joint draws of the unknowns: standard error of a tier probability under 1.2 points


class ValueProblem(ValueError):
    """A value that does not fit its fact; carries what would have been allowed."""

    def __init__(self, message: str, allowed: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.allowed = allowed


def to_json(value: Any) -> Any:
    """A value as plain JSON data, deterministic (sets sorted, dates ISO)."""
    if value is UNKNOWN:
        return UNKNOWN_TEXT
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def display(value: Any) -> str:
    """A typed or JSON value as people read it: lists joined, booleans in YAML's spelling."""
    shown = to_json(value)
    if isinstance(shown, list):
        return ", ".join(map(str, shown))
    return str(shown).lower() if isinstance(shown, bool) else str(shown)


def shares_apart(old: float, new: float) -> tuple[str, str]:
    """Two shares as percentages to one decimal, or to two where one decimal would show a move as
    no move (0.27% -> 0.34% is not "0.3% -> 0.3%")."""
    for decimals in (1, 2):
        shown = f"{old * 100:.{decimals}f}%", f"{new * 100:.{decimals}f}%"
        if shown[0] != shown[1]:
            return shown
    return shown
