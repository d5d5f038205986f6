"""Prioritization: greedy selection checked against brute force, ranges for unknown capacity, ordering."""

import dataclasses
import itertools

import pytest

from assess.analysis.prioritize import Capacity, prioritize, select
from assess.engine.evaluate import assess
from assess.errors import UsageError
from helpers import CONFIG, routes_of, with_aggregate_on_route

# 12 nodes: two origins (CHN, IND), further origins ECU and HND, transit countries, and USA.
EDGES = [("CHN", "MEX", "high"), ("CHN", "CAN", "medium"), ("IND", "MEX", "low"), ("IND", "GTM", "medium"),
         ("GTM", "MEX", "medium"), ("HND", "GTM", "low"), ("ECU", "COL", "low", "cocaine"),
         ("COL", "PAN", "medium", "cocaine"), ("PAN", "CRI", "medium", "cocaine"), ("CRI", "SLV", "low", "cocaine"),
         ("SLV", "GTM", "low", "cocaine"), ("GTM", "MEX", "medium", "cocaine"), ("MEX", "USA", "high"),
         ("MEX", "USA", "high", "cocaine"), ("CAN", "USA", "medium")]
CAPACITY = {"CHN": 0.1, "IND": 0.2, "MEX": 0.3, "CAN": 0.9, "GTM": 0.2, "HND": 0.5, "ECU": 0.4, "COL": 0.6,
            "PAN": 0.3, "CRI": 0.5, "SLV": 0.1}


def residual(closed: tuple[str, ...]) -> float:
    routes = routes_of(EDGES, CAPACITY)
    return routes.state(dict.fromkeys(closed, 1.0)).total


def test_greedy_matches_brute_force_on_twelve_nodes():
    baseline, picks = select(routes_of(EDGES, CAPACITY), budget=2)
    assert baseline == pytest.approx(residual(()))
    for k in (1, 2):
        best = min(residual(combo) for combo in itertools.combinations(sorted(CAPACITY), k))
        assert picks[k - 1].flow_after == pytest.approx(best), k
    assert picks[0].country == "MEX" and picks[0].runner_up is not None


def test_each_pick_reports_its_numbers_and_routes():
    _, picks = select(routes_of(EDGES, CAPACITY), budget=2)
    first, second = picks
    assert first.leverage == pytest.approx((first.flow_before - first.flow_after) / first.flow_before)
    assert second.flow_before == first.flow_after
    assert any(route.startswith("MEX -> USA (fentanyl") for route in first.routes)
    assert first.why[0].startswith("closing its gap stops")


def test_every_country_on_a_cocaine_route_has_leverage():
    _, picks = select(routes_of(EDGES, CAPACITY))
    by_country = {pick.country: pick for pick in picks}
    for country in ("COL", "PAN", "CRI", "SLV", "GTM"):
        assert by_country[country].leverage > 0, country


def test_unknown_capacity_is_a_range_and_never_raises_priority():
    capacity = {**CAPACITY, "GTM": (0.1, 1.0, 1.0)}  # unknown: ranked at the most it could be
    _, picks = select(routes_of(EDGES, capacity))
    gtm = next(pick for pick in picks if pick.country == "GTM")
    assert gtm.leverage == 0.0 < gtm.leverage_high
    assert "learn its unknown facts first" in gtm.why[0]
    assert all(pick.leverage > 0 for pick in picks[: picks.index(gtm)])


def test_a_country_without_leverage_is_ranked_after_those_with_it_unless_need_only():
    routes = routes_of(EDGES, CAPACITY)
    routes.config = CONFIG.model_copy(update={"priority": CONFIG.priority.model_copy(
        update={"weights": CONFIG.priority.weights.model_copy(update={"leverage": 0.1, "need": 0.9})})})
    closed = routes.candidates["CAN"]
    routes.candidates["CAN"] = dataclasses.replace(closed, capacity=Capacity(1.0, 1.0, 1.0), need=1.0)
    _, picks = select(routes)
    assert picks[-1].country == "CAN" and picks[-1].why[0].startswith("no route to USA it could thin")
    _, picks = select(routes, need_only=True)
    assert picks[0].country == "CAN"


def test_ties_break_by_iso_code():
    edges = [("CHN", "MEX", "high"), ("CHN", "CAN", "high"), ("MEX", "USA", "high"), ("CAN", "USA", "high")]
    _, picks = select(routes_of(edges, {"CHN": 1.0, "MEX": 0.5, "CAN": 0.5}), budget=1)
    assert picks[0].country == "CAN" and picks[0].runner_up["country"] == "MEX"


def test_unknown_destination_or_commodity_is_a_usage_error_with_a_suggestion(mini_workspace):
    assessment = assess(mini_workspace, 2022)
    with pytest.raises(UsageError, match="did you mean 'NOR'"):
        prioritize(mini_workspace, assessment, "NRO")
    with pytest.raises(UsageError, match="did you mean 'cocaine'"):
        prioritize(mini_workspace, assessment, "NOR", commodity="cocain")


def test_the_mini_workspace_ranks_the_country_on_its_route(mini_workspace):
    result = prioritize(mini_workspace, assess(mini_workspace, 2022), "NOR")
    assert [pick.country for pick in result.picks] == ["FRA"]
    assert result.not_profiled == ["DEU"]
    assert result.harm == {"cocaine": 0.3} and result.picks[0].routes


def test_a_year_before_every_link_ranks_nobody_without_failing(mini_workspace):
    result = prioritize(mini_workspace, assess(mini_workspace, 1900), "NOR")
    assert result.picks == [] and result.harm == {}


def test_an_aggregate_is_never_a_candidate(mini_workspace):
    workspace = with_aggregate_on_route(mini_workspace)
    picks = prioritize(workspace, assess(workspace, 2024), "NOR").picks
    assert "AAA" in {pick.country for pick in picks} and "XAA" not in {pick.country for pick in picks}


def test_leverage_enters_priority_on_the_scale_of_need_and_feasibility():
    """Leverage, a share of the flow (68% for Mexico here, 12% on the bundled data), enters the
    priority against the largest any candidate has today: the first pick's counts one full weight,
    as a need of 1 would, and every later pick's is its share of that, on the same scale."""
    routes = routes_of(EDGES, CAPACITY)
    weights = routes.config.priority.weights.model_copy(update={"leverage": 1, "need": 1, "feasibility": 0})
    routes.config = routes.config.model_copy(update={"priority": routes.config.priority.model_copy(update={"weights": weights})})
    _, picks = select(routes, budget=3)
    first = picks[0]
    assert first.priority == pytest.approx(1 + first.need)
    for pick in picks[1:]:
        assert pick.priority == pytest.approx(pick.leverage / first.leverage + pick.need)
