"""Scores are published as the rule set declares: decimals and how ties round."""

from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assess.engine.results import Assessment, Publication


@pytest.mark.parametrize("value,rounding,text", [
    (3.6249999999999996, "half_up", "3.63"),  # the binary float of the weighted mean 3.625
    (3.6249999999999996, "half_even", "3.62"),
    (3.635, "half_even", "3.64"), (7.683333333333334, "half_up", "7.68"), (5.0, "half_up", "5.00"),
    (2.675, "half_up", "2.68"),  # float repr 2.67499999999999982236431605997495353221893310546875
])
def test_ties_are_decided_on_the_decimal_the_float_stands_for(value, rounding, text):
    assert Publication(precision=2, rounding=rounding).text(value) == text


def test_with_no_declared_precision_one_decimal_is_shown():
    assert Publication().text(72.25) == "72.2" and Publication().text(100.0) == "100.0"


ENDS = st.sampled_from([0.0, 12.5, 40.0, 40.0 + 1e-12, 75.0, 100.0])  # few values, so that ends tie


@given(st.lists(st.tuples(ENDS, ENDS, st.booleans()), max_size=12))
def test_rank_intervals_count_every_other_country_pairwise(drawn):
    countries = [SimpleNamespace(country=f"C{i:02d}", overall=SimpleNamespace(
        score=min(a, b) if scored else None, low=min(a, b), high=max(a, b))) for i, (a, b, scored) in enumerate(drawn)]
    intervals = Assessment(None, countries).rank_intervals()  # type: ignore[arg-type]
    scored = [c for c in countries if c.overall.score is not None]
    assert set(intervals) == {c.country for c in scored}
    for c in scored:
        others = [o.overall for o in scored if o is not c]
        surely = sum(o.low > c.overall.high for o in others)
        maybe = sum(o.high > c.overall.low for o in others)
        assert intervals[c.country] == (1 + surely, 1 + maybe)
