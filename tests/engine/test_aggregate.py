"""Aggregation methods, tiers and caps on fixed goalposts."""

import pytest

from assess.engine.aggregate import apply_cap, combine, roll_up, tier_of
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
