"""Aggregation methods, tiers and caps on fixed goalposts."""

import pytest

from assess.engine.aggregate import apply_cap, combine, tier_of
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
    node = NodeResult("goal", "G", "g", 1.0, score=80.0)
    apply_cap(node, "G.cap1", 49, "why", "x is false")
    assert node.score == 49 and node.caps_applied[0].binding
    apply_cap(node, "G.cap2", 60, "why", "y")
    assert node.score == 49 and not node.caps_applied[1].binding
