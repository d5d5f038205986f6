"""Properties of derived facts: the interval holds every value its inputs' ranges allow, evaluation is
the arithmetic it reads as, the arrays agree with it, and an unknown input leaves the fact unknown."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assess.engine.derived import Derivations, Undefined, evaluate, evaluate_arrays, interval, parse
from assess.engine.facttypes import NumberFact

NAMES = ("a", "b", "c")
FINITE = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


def _expressions() -> st.SearchStrategy[str]:
    leaves = st.one_of(st.sampled_from(NAMES), st.integers(-5, 5).map(str))
    return st.recursive(leaves, lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from("+-*/"), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        inner.map(lambda x: f"-{x}"),
        st.tuples(st.sampled_from(["min", "max", "ratio"]), inner, inner).map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
        st.tuples(inner, inner, inner).map(lambda t: f"clamp({t[0]}, {t[1]}, {t[2]})"),
        st.tuples(st.sampled_from(["log", "log10"]), inner).map(lambda t: f"{t[0]}({t[1]})")), max_leaves=6)


@st.composite
def _cases(draw):
    """An expression, a range per input, and inputs within those ranges."""
    ranges, values = {}, {}
    for name in NAMES:
        low, high = sorted((draw(FINITE), draw(FINITE)))
        ranges[name] = (low, high)
        values[name] = draw(st.floats(min_value=low, max_value=high)) if low < high else low
    return draw(_expressions()), ranges, values


def _reference(text: str, values: dict[str, float]) -> float:
    """The same arithmetic written out in Python (eval of text the test itself generated)."""
    def ratio(x, y):
        return x / y

    def clamp(x, lo, hi):
        return min(max(x, lo), hi)

    return float(eval(text, {"__builtins__": {}}, {**values, "log": math.log, "log10": math.log10, "ratio": ratio,
                                                    "min": min, "max": max, "clamp": clamp}))


def test_the_interval_holds_every_value_the_ranges_allow(hypothesis_examples):
    @settings(max_examples=hypothesis_examples, deadline=None)
    @given(_cases())
    def check(case):
        text, ranges, values = case
        tree = parse(text)
        try:
            value = evaluate(tree, values)
        except Undefined:
            return
        low, high = interval(tree, ranges)
        assert low <= value <= high, (text, ranges, values, value, (low, high))
    check()


def test_evaluation_is_the_arithmetic_it_reads_as_and_the_arrays_agree(hypothesis_examples):
    @settings(max_examples=hypothesis_examples, deadline=None)
    @given(_cases())
    def check(case):
        text, _, values = case
        tree = parse(text)
        drawn = evaluate_arrays(tree, {name: np.array([value]) for name, value in values.items()})
        try:
            value = evaluate(tree, values)
        except Undefined:
            assert np.isnan(drawn).all()
            return
        try:
            expected = _reference(text, values)
        except (ZeroDivisionError, ValueError, OverflowError):
            pytest.fail(f"{text} has a value {value} where Python has none")
        assert value == pytest.approx(expected, rel=1e-9, abs=1e-9)
        assert float(drawn.reshape(-1)[0]) == pytest.approx(value, rel=1e-12, abs=1e-12)
    check()


def test_an_unknown_input_leaves_the_derived_fact_unknown(hypothesis_examples):
    spec = {name: NumberFact(type="number", description=name, unit="1") for name in NAMES}
    spec["x"] = NumberFact(type="number", description="x", unit="1", derived="a + b * c")

    @settings(max_examples=hypothesis_examples, deadline=None)
    @given(st.dictionaries(st.sampled_from(NAMES), FINITE))
    def check(known):
        completed, _ = Derivations(spec).complete(known)
        assert ("x" in completed) == (set(known) == set(NAMES))
    check()
