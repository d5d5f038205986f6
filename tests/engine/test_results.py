"""Scores are published as the rule set declares: decimals and how ties round; a trace is plain
JSON data."""

from typing import Any

import orjson
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


def _same_json(data: Any, read_back: Any) -> bool:
    """Equal and of the same types all the way down (``1 == 1.0`` and ``(1,) != [1]`` aside)."""
    if type(data) is not type(read_back):
        return False
    if isinstance(data, dict):
        return data.keys() == read_back.keys() and all(_same_json(data[k], read_back[k]) for k in data)
    if isinstance(data, list):
        return len(data) == len(read_back) and all(map(_same_json, data, read_back))
    return bool(data == read_back)


@pytest.mark.parametrize("year", [2019, 2024])
def test_every_shipped_trace_is_plain_json_data(shipped_scores, year):
    """The diff compares traces in memory as they would read back from outputs/ (no round trip
    through text): that holds only while ``to_json`` gives JSON's own types, with no tuple, NaN or
    key that is not a string."""
    for country in shipped_scores(year).countries:
        trace = country.to_json()
        assert _same_json(trace, orjson.loads(orjson.dumps(trace))), country.country


def test_the_json_comparison_sees_what_a_round_trip_would_change():
    assert not _same_json({"a": (1, 2)}, {"a": [1, 2]})
    assert not _same_json({"a": 1}, {"a": 1.0})
    assert not _same_json({1: "a"}, {"1": "a"})
    assert _same_json({"a": [1, None, "x", 2.5, True]}, {"a": [1, None, "x", 2.5, True]})
