"""Each fact type reads its values, tests them, steps them up and generates them from one class."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assess.engine.facttypes import FACT_TYPES, BooleanFact, DateFact, LevelFact, NumberFact, SetFact, types_supporting
from assess.engine.values import UNKNOWN, ValueProblem

BOOLEAN = BooleanFact(type="boolean", description="b")
LEVEL = LevelFact(type="level", description="l", levels=["low", "mid", "high"])
NUMBER = NumberFact(type="number", description="n", unit="sites")
LOWER_NUMBER = NumberFact(type="number", description="n", unit="days", better="lower")
DATE = DateFact(type="date", description="d")
SET = SetFact(type="set", description="s", items=["x", "y", "z"])
SPECS = [BOOLEAN, LEVEL, NUMBER, DATE, SET]


@pytest.mark.parametrize("spec,raw,value", [
    (BOOLEAN, "true", True), (BOOLEAN, "false", False), (LEVEL, "mid", "mid"), (NUMBER, "2.5", 2.5),
    (DATE, "2019-05-01", dt.date(2019, 5, 1)), (SET, ["y", "x"], frozenset({"x", "y"})), (SET, [], frozenset()),
])
def test_reads_known_values(spec, raw, value):
    assert spec.read(raw) == value


@pytest.mark.parametrize("spec", SPECS)
def test_unknown_is_its_own_value_unless_refused(spec):
    assert spec.read("unknown") is UNKNOWN
    with pytest.raises(ValueProblem):
        spec.read("unknown", allow_unknown=False)


@pytest.mark.parametrize("spec,raw,message", [
    (BOOLEAN, "yes", "'yes' is not a boolean"), (LEVEL, "hihg", "'hihg' is not a level of this fact"),
    (NUMBER, "1_000x", "'1_000x' is not a number (unit: sites)"), (NUMBER, "1e999", "'1e999' is not a finite number"), (NUMBER, "1_000", "'1_000' is not a number"),
    (SET, ["x", "x"], "an item is listed twice: x"),
    (DATE, "2019-13-01", "'2019-13-01' is not a date in the form YYYY-MM-DD"), (SET, "x", "expected a list of items, not 'x'"),
    (SET, ["w"], "'w' is not an item of this set"), (BOOLEAN, ["true"], "expected a single boolean value, not a list"),
])
def test_refuses_values_that_do_not_fit(spec, raw, message):
    with pytest.raises(ValueProblem, match=message.replace("(", r"\(").replace(")", r"\)")):
        spec.read(raw)


def test_level_tests_compare_ranks():
    assert LEVEL.predicate("at_least", "mid")("high", 2024) and not LEVEL.predicate("at_least", "mid")("low", 2024)
    assert LEVEL.predicate("at_most", "mid")("low", 2024)


def test_dates_within_years_count_from_the_as_of_year():
    recent = DATE.predicate("within_years", 5)
    assert recent(dt.date(2019, 1, 1), 2024) and not recent(dt.date(2018, 12, 31), 2024)


def test_set_tests():
    assert SET.predicate("contains_any", ["x", "z"])(frozenset({"z"}), 2024)
    assert not SET.predicate("contains_all", ["x", "z"])(frozenset({"z"}), 2024)
    assert SET.predicate("contains", "y")(frozenset({"y"}), 2024)


def test_operators_name_the_types_that_support_them():
    assert types_supporting("is")[:4] == ("boolean", "level", "number", "date")  # then any type added since
    assert types_supporting("within_years")[:1] == ("date",)
    assert types_supporting("contains_any")[:1] == ("set",)
    assert [(name, kind.__name__) for name, kind in FACT_TYPES.items()][:5] == [
        ("boolean", "BooleanFact"), ("level", "LevelFact"), ("number", "NumberFact"), ("date", "DateFact"), ("set", "SetFact")]


@pytest.mark.parametrize("spec,value,expected", [
    (BOOLEAN, False, True), (BOOLEAN, True, None), (LEVEL, "low", "mid"), (LEVEL, "high", None), (NUMBER, 2.0, 3.0),
    (LOWER_NUMBER, 2.0, 1.0), (LOWER_NUMBER, 0.5, None), (DATE, dt.date(2019, 1, 1), dt.date(2020, 1, 1)),
    (SET, frozenset({"x"}), frozenset({"x", "y"})), (SET, frozenset({"x", "y", "z"}), None),
])
def test_step_up_moves_towards_more_capacity(spec, value, expected):
    assert spec.step_up(value) == expected


def test_only_numbers_and_sets_have_a_measure_for_goalposts():
    assert NUMBER.measure(4.0) == 4.0 and SET.measure(frozenset({"x", "y"})) == 2
    for spec in (BOOLEAN, LEVEL, DATE):
        with pytest.raises(ValueProblem):
            spec.measure(True)


@pytest.mark.parametrize("spec", SPECS)
def test_samples_and_generated_values_are_values_of_the_type(spec):
    for sample in spec.samples():
        assert spec.read(sample if not isinstance(sample, frozenset) else sorted(sample)) == sample

    @settings(max_examples=30, deadline=None)
    @given(st.data())
    def generated(data):
        value = data.draw(spec.strategy())
        assert spec.read(value if not isinstance(value, frozenset) else sorted(value)) == value

    generated()


BOUNDED = NumberFact(type="number", description="n", unit="score", min=1, max=10)
BOUNDED_LOWER = NumberFact(type="number", description="n", unit="score", min=1, max=10, better="lower")


def test_a_declared_range_refuses_values_outside_it():
    assert BOUNDED.read("10") == 10.0 and BOUNDED.read("1") == 1.0
    for raw in ("0.5", "10.5"):
        with pytest.raises(ValueProblem, match=f"{float(raw):g} is outside the declared range 1 to 10 score"):
            BOUNDED.read(raw)


def test_a_reversed_range_is_refused():
    with pytest.raises(ValueError, match=r"max \(1\) must be above min \(10\)"):
        NumberFact(type="number", description="n", unit="score", min=10, max=1)


def test_a_declared_range_bounds_best_worst_steps_and_generated_values():
    assert (BOUNDED.best(), BOUNDED.worst()) == (10.0, 1.0)
    assert (BOUNDED_LOWER.best(), BOUNDED_LOWER.worst()) == (1.0, 10.0)
    assert BOUNDED.step_up(9.5) == 10.0 and BOUNDED.step_up(10.0) is None
    assert BOUNDED_LOWER.step_up(1.5) == 1.0 and BOUNDED_LOWER.step_up(1.0) is None
    assert BOUNDED.samples() == [1.0, 5.5, 10.0]
    assert BOUNDED.value_schema() == {"type": "number", "description": "in score", "minimum": 1, "maximum": 10}

    @settings(max_examples=50, deadline=None)
    @given(BOUNDED.strategy())
    def within(value):
        assert 1 <= value <= 10

    within()
