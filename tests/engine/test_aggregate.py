"""Aggregation methods, tiers and caps on fixed goalposts."""

import math

import pytest

from assess.engine.aggregate import apply_cap, combine, rates, roll_up, spread_contributions, tier_of
from assess.engine.results import NodeResult

TIERS = [("low", 0.0), ("mid", 40.0), ("high", 70.0)]


def test_weighted_mean():
    assert combine("weighted_mean", [(1, 100), (3, 50)]) == 62.5


def test_geometric_mean():
    assert combine("geometric_mean", [(1, 100), (1, 25)]) == pytest.approx(50.0)
    assert combine("geometric_mean", [(1, 100), (1, 0)]) == 0.0


def test_minimum_ignores_weights():
    assert combine("minimum", [(5, 90), (1, 30)]) == 30


def test_results_stay_within_inputs():
    assert combine("geometric_mean", [(1, 100.0), (2, 100.0)]) == 100.0
    assert combine("weighted_mean", [(0.1, 70.0)] * 7) == 70.0


def test_tiers_on_goalposts_without_rounding_artefacts():
    assert tier_of(40 - 1e-12, TIERS) == "mid"  # a mean that should be 40, read as 40
    assert tier_of(39.9, TIERS) == "low"
    assert tier_of(70.0, TIERS) == "high"
    assert tier_of(None, TIERS) == "insufficient_data"


def test_cap_records_binding_and_non_binding():
    node = NodeResult("goal", "G", "g", 1.0, score=80.0, low=70.0, high=90.0, status="scored")
    apply_cap(node, "G.cap1", 49, "why", "x is false", True)
    assert (node.score, node.low, node.high) == (49, 49, 49) and node.caps_applied[0].binding
    apply_cap(node, "G.cap2", 60, "why", "y", True)
    assert node.score == 49 and not node.caps_applied[1].binding


def test_a_cap_that_may_apply_lowers_only_the_low_bound():
    node = NodeResult("goal", "G", "g", 1.0, score=80.0, low=70.0, high=90.0, status="scored")
    apply_cap(node, "G.cap1", 49, "why", "x is false", None)  # x unknown: the cap may or may not apply
    assert (node.score, node.low, node.high) == (80.0, 49, 90.0) and node.caps_applied == []
    apply_cap(node, "G.cap2", 10, "why", "y is false", False)
    assert (node.score, node.low, node.high) == (80.0, 49, 90.0)


def test_bounds_combine_every_child_and_the_point_stays_inside_them():
    known = NodeResult("rule", "r1", "known", 1.0, score=0.0, low=0.0, high=0.0, coverage=1.0, status="scored")
    unknown = NodeResult("rule", "r2", "unknown", 1.0, low=50.0, high=100.0, status="unknown")
    node = NodeResult("criterion", "c", "c", 1.0, children=[known, unknown])
    roll_up(node, "weighted_mean", 0.5)
    assert (node.low, node.high, node.coverage) == (25.0, 50.0, 0.5)
    assert node.score == 25.0  # the mean of the known rule alone (0) could not happen: r2 scores at least 50


def test_not_applicable_children_count_for_nothing():
    scored = NodeResult("rule", "r1", "scored", 1.0, score=60.0, low=60.0, high=60.0, coverage=1.0, status="scored")
    outside = NodeResult("rule", "r2", "outside its window", 9.0, status="not_applicable")
    node = NodeResult("criterion", "c", "c", 1.0, children=[scored, outside])
    roll_up(node, "weighted_mean", 0.5)
    assert (node.score, node.low, node.high, node.coverage) == (60.0, 60.0, 60.0, 1.0)
    alone = NodeResult("criterion", "c", "c", 1.0, children=[outside])
    roll_up(alone, "weighted_mean", 0.5)
    assert alone.status == "not_applicable" and alone.score is None


def parts(method, pairs):
    return [rate * score for rate, (_, score) in zip(rates(method, pairs), pairs, strict=True)]


def test_a_weighted_mean_splits_into_its_weighted_terms():
    assert parts("weighted_mean", [(1, 100), (3, 50)]) == [25.0, 37.5]


def test_a_geometric_mean_splits_by_shares_of_its_logarithm():
    # sqrt(100 * 25) = 50, split as ln 100 : ln 25
    share = math.log(100) / (math.log(100) + math.log(25))
    assert parts("geometric_mean", [(1, 100), (1, 25)]) == pytest.approx([50 * share, 50 * (1 - share)])
    assert parts("geometric_mean", [(1, 100), (1, 0)]) == [0.0, 0.0]  # a zero makes the mean 0
    # a part below 1 point: shares of weight x score instead (logs of both signs would not do)
    value = combine("geometric_mean", [(1, 0.5), (1, 50)])
    assert parts("geometric_mean", [(1, 0.5), (1, 50)]) == pytest.approx([value * 0.5 / 50.5, value * 50 / 50.5])


def test_a_minimum_is_carried_by_its_binding_child_ties_shared():
    assert parts("minimum", [(5, 90), (1, 30)]) == [0.0, 30.0]
    assert parts("minimum", [(5, 30), (1, 30), (1, 60)]) == [15.0, 15.0, 0.0]


def test_caps_and_bounds_are_named_adjustments():
    node = NodeResult("goal", "G", "g", 1.0, score=80.0, low=70.0, high=90.0, status="scored")
    apply_cap(node, "G.cap1", 49, "why", "x is false", True)
    apply_cap(node, "G.cap2", 60, "why", "y", True)  # not binding: no adjustment
    assert [(a.reason, a.points, a.text) for a in node.adjustments] == [("cap", -31.0, "cap G.cap1 at 49: x is false")]
    known = NodeResult("rule", "r1", "known", 1.0, score=0.0, low=0.0, high=0.0, coverage=1.0, status="scored")
    unknown = NodeResult("rule", "r2", "unknown", 1.0, low=50.0, high=100.0, status="unknown")
    level = NodeResult("criterion", "c", "c", 1.0, "weighted_mean", children=[known, unknown])
    roll_up(level, "weighted_mean", 0.5)
    (held,) = level.adjustments
    assert (held.reason, held.points) == ("bounds", 25.0) and "held at its low bound" in held.text


def test_contributions_spread_through_every_method_and_add_up():
    r1 = NodeResult("rule", "r1", "r1", 1.0, score=100.0, low=100.0, high=100.0, coverage=1.0, status="scored")
    r2 = NodeResult("rule", "r2", "r2", 1.0, score=25.0, low=25.0, high=25.0, coverage=1.0, status="scored")
    r3 = NodeResult("rule", "r3", "r3", 1.0, score=40.0, low=40.0, high=40.0, coverage=1.0, status="scored")
    geometric = NodeResult("criterion", "g", "g", 1.0, "geometric_mean", children=[r1, r2])
    roll_up(geometric, "geometric_mean", 0.5)
    top = NodeResult("goal", "G", "G", 1.0, "minimum", children=[geometric, r3])
    roll_up(top, "minimum", 0.5)
    spread_contributions(top, 1.0)
    assert (geometric.contribution, r3.contribution) == (0.0, 40.0)  # r3 binds the minimum
    top.children = [geometric]
    roll_up(top, "minimum", 0.5)
    spread_contributions(top, 1.0)
    assert r1.contribution + r2.contribution == pytest.approx(top.score) == pytest.approx(50.0)
    assert r1.contribution > r2.contribution
