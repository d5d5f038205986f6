"""Typed fact values: how a value written in YAML is read for each fact type.

One parser serves profiles (the values countries have) and rules (the values conditions
compare against), so the two can never disagree about what ``true`` or ``2019-05-01`` means.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from .models import BooleanFact, DateFact, FactSpec, LevelFact, NumberFact, SetFact


class _Unknown:
    """The explicit unknown: a value of every fact type, never equal to false or zero."""

    _instance: "_Unknown | None" = None

    def __new__(cls) -> "_Unknown":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "unknown"

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()
UNKNOWN_TEXT = "unknown"


class ValueProblem(ValueError):
    """A value that does not fit its fact; carries what would have been allowed."""

    def __init__(self, message: str, allowed: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.allowed = allowed


def parse_value(spec: FactSpec, raw: Any, *, allow_unknown: bool = True) -> Any:
    """The typed value of ``raw`` for a fact of type ``spec``; raises ValueProblem."""
    if allow_unknown and raw == UNKNOWN_TEXT:
        return UNKNOWN
    if isinstance(spec, SetFact):
        return _parse_set(spec, raw)
    if isinstance(raw, list):
        raise ValueProblem(f"expected a single {spec.type} value, not a list")
    return _SCALAR_PARSERS[type(spec)](spec, raw)


def parse_item(spec: SetFact, raw: Any) -> str:
    """One item of a set fact."""
    item = str(raw)
    if item not in spec.items:
        raise ValueProblem(f"'{item}' is not an item of this set", tuple(spec.items))
    return item


def _parse_boolean(spec: BooleanFact, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if raw in ("true", "false"):
        return raw == "true"
    raise ValueProblem(f"'{raw}' is not a boolean", ("true", "false", UNKNOWN_TEXT))


def _parse_level(spec: LevelFact, raw: Any) -> str:
    if str(raw) not in spec.levels:
        raise ValueProblem(f"'{raw}' is not a level of this fact", (*spec.levels, UNKNOWN_TEXT))
    return str(raw)


def _parse_number(spec: NumberFact, raw: Any) -> float:
    if isinstance(raw, bool):
        raise ValueProblem(f"'{raw}' is not a number")
    try:
        number = float(raw)
    except (TypeError, ValueError):
        raise ValueProblem(f"'{raw}' is not a number (unit: {spec.unit})") from None
    if not math.isfinite(number):
        raise ValueProblem(f"'{raw}' is not a finite number")
    return number


def _parse_date(spec: DateFact, raw: Any) -> dt.date:
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise ValueProblem(f"'{raw}' is not a date in the form YYYY-MM-DD") from None


def _parse_set(spec: SetFact, raw: Any) -> frozenset[str]:
    if not isinstance(raw, list):
        raise ValueProblem(f"expected a list of items, not '{raw}'", tuple(spec.items))
    return frozenset(parse_item(spec, item) for item in raw)


_SCALAR_PARSERS = {
    BooleanFact: _parse_boolean,
    LevelFact: _parse_level,
    NumberFact: _parse_number,
    DateFact: _parse_date,
}


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
