"""Scores are published as the rule set declares: decimals and how ties round."""

import pytest

from assess.engine.results import Publication


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

