"""The flow model: hand-computed flows, compounding seizures, producers, harm and confidence weights."""

import numpy as np
import pytest

from assess.analysis.network import FlowModel
from helpers import CONFIG, link, model_of

# CONFIG: effectiveness 0.8; harm fentanyl 0.7, cocaine 0.3; fentanyl_precursors -> fentanyl


def resolved(model: FlowModel, capacity: dict[str, float], country: str, to: float) -> float:
    """Harm-weighted flow averted, by solving the whole system again (what the closed form must equal)."""
    return model.state(capacity).total - model.state({**capacity, country: to}).total


def test_flow_through_a_transit_country_hand_computed():
    model = model_of([("CHN", "MEX", "high"), ("MEX", "USA", "high")])
    state = model.state({"CHN": 0.0, "MEX": 0.5})
    assert state.total == pytest.approx(0.7 * 0.6)  # MEX lets 1 - 0.8 x 0.5 through; fentanyl weighs 0.7
    assert state.averted("MEX", 1.0) == pytest.approx(0.7 * (0.6 - 0.2))


def test_seizures_compound_along_a_route_so_every_country_on_it_has_leverage():
    model = model_of([("COL", "GTM", "high", "cocaine"), ("GTM", "MEX", "high", "cocaine"), ("MEX", "USA", "high", "cocaine")])
    capacity = {"COL": 0.0, "GTM": 0.5, "MEX": 0.5}
    state = model.state(capacity)
    assert state.total == pytest.approx(0.3 * 0.6 * 0.6)
    assert state.averted("GTM", 1.0) == pytest.approx(state.averted("MEX", 1.0)) == pytest.approx(0.3 * 0.6 * 0.4)
    assert state.averted("COL", 1.0) == pytest.approx(0.3 * 0.36 * 0.8)  # the origin seizes too


def test_a_country_that_imports_precursors_produces_the_drug():
    model = model_of([("CHN", "MEX", "high", "fentanyl_precursors"), ("MEX", "USA", "high", "fentanyl")])
    assert model.producers == {("fentanyl", "MEX"): "fentanyl_precursors"}
    capacity = {"CHN": 0.0, "MEX": 0.5}
    state = model.state(capacity)
    # MEX seizes 40% of the precursors, makes fentanyl of the rest, then seizes 40% of that
    assert state.total == pytest.approx(0.7 * 0.6 * 0.6)
    assert state.averted("MEX", 1.0) == pytest.approx(resolved(model, capacity, "MEX", 1.0)) == pytest.approx(0.7 * (0.36 - 0.04))
    # precursor controls in China lower the fentanyl Mexico ships
    assert state.averted("CHN", 1.0) == pytest.approx(resolved(model, capacity, "CHN", 1.0)) == pytest.approx(0.7 * 0.36 * 0.8)


def test_a_producer_may_also_pass_on_the_drug_made_elsewhere():
    model = model_of([("CHN", "MEX", "high", "fentanyl_precursors"), ("IND", "MEX", "low", "fentanyl"),
                      ("MEX", "USA", "high", "fentanyl")])
    assert ("fentanyl", "MEX") in model.producers
    capacity = {"CHN": 0.3, "IND": 0.2, "MEX": 0.5}
    state = model.state(capacity)
    for country in ("CHN", "IND", "MEX"):
        assert state.averted(country, 1.0) == pytest.approx(resolved(model, capacity, country, 1.0))
        assert state.averted(country, 1.0) > 0


def test_harm_weights_put_commodities_in_one_unit():
    model = model_of([("AAA", "USA", "high", "fentanyl"), ("BBB", "USA", "high", "cocaine")])
    state = model.state({"AAA": 0.5, "BBB": 0.5})
    assert state.averted("AAA", 1.0) / state.averted("BBB", 1.0) == pytest.approx(0.7 / 0.3)


def test_a_link_counts_by_the_confidence_of_its_evidence():
    model = model_of([("ORG", "PPP", "high", "fentanyl", "high"), ("ORG", "QQQ", "high", "fentanyl", "low"),
                      ("PPP", "USA", "high"), ("QQQ", "USA", "high")])
    state = model.state({"ORG": 0.0, "PPP": 0.5, "QQQ": 0.5})
    assert state.averted("PPP", 1.0) / state.averted("QQQ", 1.0) == pytest.approx(1.0 / 0.4)


def test_countries_on_a_cycle_are_solved_again():
    model = model_of([("AAA", "BBB", "high"), ("BBB", "AAA", "low"), ("BBB", "USA", "high")])
    capacity = {"AAA": 0.5, "BBB": 0.5}
    state = model.state(capacity)
    for country in ("AAA", "BBB"):
        assert state.averted(country, 1.0) == pytest.approx(resolved(model, capacity, country, 1.0))


def test_duplicate_links_count_once_and_regions_pass_everything():
    links = [link("south_america", "MEX", "high"), link("south_america", "MEX", "high", confidence="low"),
             link("MEX", "USA", "high")]
    model = FlowModel(links, "USA", CONFIG, {"MEX"})
    assert model.state({"MEX": 0.0}).total == pytest.approx(0.7)
    assert model.state({"MEX": 1.0}).averted("south_america", 1.0) == 0.0


def test_a_country_off_every_route_has_no_leverage():
    model = model_of([("CHN", "MEX", "high"), ("MEX", "USA", "high"), ("NOR", "SWE", "high")])
    assert "NOR" not in model.route_nodes()
    assert model.state({"NOR": 0.0, "MEX": 0.2}).averted("NOR", 1.0) == 0.0


def test_a_scenario_is_measured_against_the_baseline_potential():
    baseline = model_of([("CHN", "MEX", "high"), ("MEX", "USA", "high")])
    opened = FlowModel([link("CHN", "MEX", "high"), link("MEX", "USA", "high"), link("CHN", "USA", "low")], "USA",
                       CONFIG, {"CHN", "MEX"}, reference=baseline)
    assert opened.potential == baseline.potential
    assert opened.state({}).total == pytest.approx(0.7 * 10 / 9)  # a new route adds flow in the baseline's unit


def test_routes_name_the_links_that_carry_the_flow():
    model = model_of([("CHN", "MEX", "high", "fentanyl_precursors"), ("MEX", "USA", "high", "fentanyl")])
    routes = [route.text() for route in model.state({"MEX": 0.5}).routes("MEX")]
    assert routes == ["CHN -> MEX (fentanyl_precursors, 100.0%)", "MEX -> USA (fentanyl, 100.0%)"]


def test_betweenness_is_a_second_view():
    model = model_of([("CHN", "MEX", "high"), ("CHN", "CAN", "medium"), ("MEX", "USA", "high"), ("CAN", "USA", "medium"),
                      ("GTM", "MEX", "low")])
    centrality = model.betweenness()
    assert centrality["MEX"] > centrality["CAN"] > 0.0


def test_what_ifs_for_many_countries_at_once_are_the_single_answers_exactly():
    """``averted_at`` is ``averted`` for each, to the bit: on a chain, a producer, a cycle, a region,
    the destination and a country off every route, at capacities inside and outside 0-1."""
    links = [link("CHN", "MEX", "high", "fentanyl_precursors"), link("MEX", "USA", "high"), link("IND", "AAA", "high"),
             link("AAA", "BBB", "high"),
             link("BBB", "AAA", "low"), link("BBB", "USA", "medium"), link("south_america", "MEX", "high", "cocaine"),
             link("NOR", "SWE", "high")]
    model = FlowModel(links, "USA", CONFIG, {"CHN", "MEX", "AAA", "BBB", "USA", "NOR", "SWE"})
    state = model.state({"CHN": 0.2, "MEX": 0.5, "AAA": 0.3, "BBB": 0.9})
    nodes = ["CHN", "MEX", "AAA", "BBB", "south_america", "USA", "NOR", "XXX"]
    for capacity in (0.0, 0.4, 1.0, 1.5, -0.5):
        many = state.averted_at(model.interdicting(nodes), np.full(len(nodes), capacity)).tolist()
        assert many == [state.averted(node, capacity) for node in nodes]
    assert state.averted_at(model.interdicting(["AAA"]), np.array([1.0]))[0] > 0  # on the cycle: solved again


def test_the_routes_of_a_country_are_its_links_among_all_in_the_same_order():
    model = model_of([("CHN", "MEX", "high", "fentanyl_precursors"), ("IND", "MEX", "low", "fentanyl"),
                      ("MEX", "USA", "high", "fentanyl"), ("CHN", "USA", "low", "fentanyl")])
    state = model.state({"MEX": 0.5, "CHN": 0.1})
    every = state.links()
    for node in ("CHN", "MEX", "USA", "IND"):
        assert state.routes(node, count=10) == [r for r in every if node in (r.tail, r.head)]


def test_the_shipped_effectiveness_is_the_calibration_solved_again(shipped_workspace):
    """network.yaml's effectiveness values are what bisection on the reference year's flows gives
    for the published removal rates it cites (so they cannot drift from their anchors)."""
    from assess.analysis.prioritize import routes_toward
    from assess.engine.evaluate import assess as assess_all

    config = shipped_workspace.ruleset.network
    calibration = config.interdiction.calibration
    routes = routes_toward(shipped_workspace, assess_all(shipped_workspace, calibration.year), calibration.destination)
    capacity = routes.ranked_capacities
    solved = [routes.model.calibrate(capacity, removal) for removal in
              (calibration.removal_low, calibration.removal_central, calibration.removal_high)]
    declared = [calibration.effectiveness_low, config.interdiction.effectiveness, calibration.effectiveness_high]
    assert solved == pytest.approx(declared, abs=5e-4)


def test_calibration_inverts_the_removal(shipped_workspace):
    from assess.analysis.prioritize import routes_toward
    from assess.engine.evaluate import assess as assess_all

    routes = routes_toward(shipped_workspace, assess_all(shipped_workspace, 2024, draws=100), "USA")
    capacity = routes.ranked_capacities
    for removal in (0.1, 0.3, 0.6):
        effectiveness = routes.model.calibrate(capacity, removal)
        assert 1 - routes.model.at_effectiveness(effectiveness).state_of(capacity).total == pytest.approx(removal, abs=1e-9)
    assert routes.model.calibrate(capacity, 0.999) == pytest.approx(1.0, abs=1e-9)  # out of reach: the nearest end


def test_a_country_that_stops_more_sends_the_declared_share_around_it():
    """China ships to Mexico and Canada, both on to the US. Mexico stopping more moves half of what it
    newly stops onto China -> Canada, so Canada's flow rises and less is averted than with no
    displacement (the property tests on random networks hold this only where alternatives exist)."""
    from assess.engine.models import Displacement

    edges = [("CHN", "MEX", "high"), ("CHN", "CAN", "high"), ("MEX", "USA", "high"), ("CAN", "USA", "high")]
    plain = model_of(edges)
    config = CONFIG.model_copy(update={"interdiction": CONFIG.interdiction.model_copy(update={
        "displacement": Displacement(share=0.5, low=0.25, high=0.9, basis="assumption", rationale="test")})})
    model = FlowModel(plain.links, "USA", config, plain.countries)
    assert model.moved_share.size > 0
    market = np.zeros(len(model.nodes))
    raised = market.copy()
    raised[model.index["MEX"]] = 1.0
    before, after = model.state_of(market), model.state_of(raised, market)
    canada = model._position("fentanyl", "CAN")
    assert after.inflow[canada] > before.inflow[canada]
    stopped_at_mexico = before.inflow[model._position("fentanyl", "MEX")] * CONFIG.interdiction.effectiveness
    assert after.inflow[canada] - before.inflow[canada] == pytest.approx(0.5 * stopped_at_mexico)
    assert 0 < before.averted("MEX", 1.0) < plain.state_of(market).averted("MEX", 1.0)
