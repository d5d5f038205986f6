"""Prioritization: flow with chokepoints, leverage, greedy selection checked against brute force."""

import itertools

import pytest

from assess.analysis.network import FlowModel
from assess.analysis.prioritize import select
from helpers import CONFIG, candidates_of, link, model_of

# 12 nodes: two origins (CHN, IND), further origins ECU and HND, transit countries, and USA.
EDGES = [("CHN", "MEX", "high"), ("CHN", "CAN", "medium"), ("IND", "MEX", "low"), ("IND", "GTM", "medium"),
         ("GTM", "MEX", "medium"), ("HND", "GTM", "low"), ("ECU", "COL", "low"), ("COL", "PAN", "medium"),
         ("PAN", "CRI", "medium"), ("CRI", "SLV", "low"), ("SLV", "GTM", "low"), ("MEX", "USA", "high"),
         ("CAN", "USA", "medium")]
CAPACITY = {"CHN": 0.1, "IND": 0.2, "MEX": 0.3, "CAN": 0.9, "GTM": 0.2, "HND": 0.5, "ECU": 0.4, "COL": 0.6,
            "PAN": 0.3, "CRI": 0.5, "SLV": 0.1}


def test_flow_through_a_chokepoint_hand_computed():
    model = model_of([("CHN", "MEX", "high"), ("MEX", "USA", "high")])
    value, _ = model.flow(lambda node: {"CHN": 0.0, "MEX": 0.5}[node])
    assert value == pytest.approx(9 * (1 - 0.8 * 0.5))  # MEX lets 60% of its potential 9 through
    closed, _ = model.flow(lambda node: {"CHN": 0.0, "MEX": 1.0}[node])
    assert value - closed == pytest.approx(3.6)


def residual(model: FlowModel, closed: set[str]) -> float:
    return model.flow(lambda node: 1.0 if node in closed else CAPACITY.get(node, 0.25))[0]


def test_greedy_matches_brute_force_on_twelve_nodes():
    model = model_of(EDGES)
    baseline, picks = select(model, candidates_of(CAPACITY), CONFIG, budget=3)
    assert baseline == pytest.approx(residual(model, set()))
    for k in (1, 2, 3):
        best = min(residual(model, set(combo)) for combo in itertools.combinations(sorted(CAPACITY), k))
        assert picks[k - 1].flow_after == pytest.approx(best), k
    assert picks[0].country == "MEX" and picks[0].runner_up["country"] == "CHN"


def test_each_pick_reports_its_numbers_and_routes():
    model = model_of(EDGES)
    _, picks = select(model, candidates_of(CAPACITY), CONFIG, budget=2)
    first, second = picks
    assert first.leverage == pytest.approx(first.flow_before - first.flow_after)
    assert second.flow_before == first.flow_after
    assert any(route.startswith("MEX -> USA (fentanyl") for route in first.routes)


def test_a_country_off_every_route_has_no_leverage():
    model = model_of([*EDGES, ("NOR", "SWE", "high")])
    _, picks = select(model, candidates_of({**CAPACITY, "NOR": 0.0}), CONFIG)
    assert next(p for p in picks if p.country == "NOR").leverage == 0.0


def test_ties_break_by_iso_code():
    model = model_of([("CHN", "MEX", "high"), ("CHN", "CAN", "high"), ("MEX", "USA", "high"), ("CAN", "USA", "high")])
    _, picks = select(model, candidates_of({"MEX": 0.5, "CAN": 0.5}), CONFIG, budget=1)
    assert picks[0].country == "CAN" and picks[0].runner_up["country"] == "MEX"


def test_duplicate_links_count_once_and_regions_pass_everything():
    model = FlowModel([link("south_america", "MEX", "high"), link("south_america", "MEX", "high"), link("MEX", "USA", "high")],
                      "USA", CONFIG, {"MEX"})
    value, _ = model.flow(lambda node: 0.0)
    assert value == pytest.approx(9.0)


def test_betweenness_is_a_second_view():
    model = model_of(EDGES)
    centrality = model.betweenness()
    assert centrality["MEX"] > centrality["CAN"] > 0.0
