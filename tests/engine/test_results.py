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



@pytest.mark.parametrize("ranking,expected", [("competition", [1, 2, 2, 4]), ("dense", [1, 2, 2, 3])])
def test_equal_published_values_share_a_place(ranking, expected):
    """7.684 and 7.676 are both published as 7.68 at two decimals: one place, shared."""
    publication = Publication(precision=2, ranking=ranking)
    ranks = publication.ranks({"COL": 7.82, "MEX": 7.684, "NGA": 7.676, "CHN": 6.32})
    assert [ranks[code] for code in ("COL", "MEX", "NGA", "CHN")] == expected
    assert Publication().ranks({"A": 50.0, "B": 0.1 + 0.2 + 49.7, "C": 49.0}) == {"A": 1, "B": 1, "C": 3}  # float noise ties
