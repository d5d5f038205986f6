"""Compiled conditions follow three-valued logic; unknown never equals false."""

import datetime as dt

import pytest
from pydantic import TypeAdapter

from assess.engine.conditions import Condition, Snapshot, compile_condition
from assess.engine.facttypes import BooleanFact, DateFact, LevelFact, NumberFact, SetFact

FACTS = {
    "a": BooleanFact(type="boolean", description="a"),
    "b": BooleanFact(type="boolean", description="b"),
    "lvl": LevelFact(type="level", description="l", levels=["low", "mid", "high"]),
    "n": NumberFact(type="number", description="n", unit="u"),
    "d": DateFact(type="date", description="d"),
    "s": SetFact(type="set", description="s", items=["x", "y", "z"]),
}


def run(condition: dict, values: dict, year: int = 2024):
    compiled = compile_condition(TypeAdapter(Condition).validate_python(condition), FACTS)
    return compiled.test(Snapshot(values, year))


@pytest.mark.parametrize("left,right,expected_all,expected_any", [
    (True, True, True, True), (True, False, False, True), (False, None, False, None),
    (True, None, None, True), (None, None, None, None), (False, False, False, False),
])
def test_kleene_logic(left, right, expected_all, expected_any):
    values = {k: v for k, v in (("a", left), ("b", right)) if v is not None}
    tests = [{"fact": "a", "is": "true"}, {"fact": "b", "is": "true"}]
    assert run({"all": tests}, values) is expected_all
    assert run({"any": tests}, values) is expected_any
    assert run({"not": {"fact": "a", "is": "true"}}, values) is (None if left is None else not left)


def test_levels_compare_by_rank_not_name():
    assert run({"fact": "lvl", "at_least": "mid"}, {"lvl": "high"}) is True
    assert run({"fact": "lvl", "at_least": "mid"}, {"lvl": "low"}) is False
    assert run({"fact": "lvl", "at_most": "mid"}, {"lvl": "low"}) is True


def test_numbers_dates_and_sets():
    assert run({"fact": "n", "at_least": "2.5"}, {"n": 2.5}) is True
    assert run({"fact": "d", "at_most": "2020-01-01"}, {"d": dt.date(2019, 5, 1)}) is True
    assert run({"fact": "d", "within_years": 5}, {"d": dt.date(2019, 5, 1)}, year=2024) is True
    assert run({"fact": "d", "within_years": 5}, {"d": dt.date(2018, 12, 31)}, year=2024) is False
    assert run({"fact": "s", "contains_any": ["x", "z"]}, {"s": frozenset({"z"})}) is True
    assert run({"fact": "s", "contains_all": ["x", "z"]}, {"s": frozenset({"z"})}) is False
    assert run({"fact": "s", "contains": "y"}, {}) is None


def test_false_is_a_known_value():
    assert run({"fact": "a", "is": "false"}, {"a": False}) is True
    assert run({"fact": "a", "is": "false"}, {}) is None
