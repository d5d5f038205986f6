"""Prioritization: flow with chokepoints, leverage, greedy selection checked against brute force."""

import itertools

import pytest

from assess.models import NetworkConfig, TraffickingLink
from assess.prioritize import Candidate, FlowModel, select

CONFIG = NetworkConfig.model_validate({
    "commodities": ["fentanyl", "cocaine"], "modalities": ["maritime"],
    "volumes": {"low": 1, "medium": 3, "high": 9}, "unknown_volume": "medium",
    "interdiction": {"goals": {"A": 1}, "effectiveness": 0.8, "unknown_capacity": 0.25},
    "priority": {"weights": {"leverage": 1, "need": 0, "feasibility": 0}, "unknown_need": 0.5,
                 "partnership_weights": {"bilateral_counternarcotics": 1}},
})

# 12 nodes: two origins (CHN, IND), further origins ECU and HND, transit countries, and USA.
EDGES = [("CHN", "MEX", "high"), ("CHN", "CAN", "medium"), ("IND", "MEX", "low"), ("IND", "GTM", "medium"),
         ("GTM", "MEX", "medium"), ("HND", "GTM", "low"), ("ECU", "COL", "low"), ("COL", "PAN", "medium"),
         ("PAN", "CRI", "medium"), ("CRI", "SLV", "low"), ("SLV", "GTM", "low"), ("MEX", "USA", "high"),
         ("CAN", "USA", "medium")]
CAPACITY = {"CHN": 0.1, "IND": 0.2, "MEX": 0.3, "CAN": 0.9, "GTM": 0.2, "HND": 0.5, "ECU": 0.4, "COL": 0.6,
            "PAN": 0.3, "CRI": 0.5, "SLV": 0.1}


def link(tail: str, head: str, volume: str = "unknown", commodity: str = "fentanyl") -> TraffickingLink:
    return TraffickingLink.model_validate({"from": tail, "to": head, "commodity": commodity, "volume": volume,
                                           "confidence": "high", "since": "2019-01-01", "source": "test"})


def model_of(edges, destination: str = "USA") -> FlowModel:
    links = [link(*edge) for edge in edges]
    countries = {node for l in links for node in (l.from_, l.to)}
    return FlowModel(links, destination, CONFIG, countries)


def candidates_of(capacity: dict[str, float]) -> dict[str, Candidate]:
    return {code: Candidate(code, code, value, True, 1 - value, 0.0, [], None) for code, value in capacity.items()}


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
    model = model_of(EDGES + [("NOR", "SWE", "high")])
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
