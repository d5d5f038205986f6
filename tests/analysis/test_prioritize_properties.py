"""Properties of the flow model and prioritization on random networks (Hypothesis)."""

import networkx as nx
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from assess.analysis.network import FlowModel
from assess.analysis.prioritize import select
from assess.engine.models import Displacement
from helpers import CONFIG, link, model_of, routes_of

NODES = ["CHN", "IND", "MEX", "GTM", "HND", "PAN", "COL", "CAN"]
VOLUMES = ["low", "medium", "high", "unknown"]
COMMODITIES = ["fentanyl", "fentanyl_precursors", "cocaine"]
ZERO = dict.fromkeys(NODES, 0.0)  # no country interdicts anything


@st.composite
def networks(draw, acyclic: bool = True):
    """Random link sets toward USA over three commodities (one a precursor) and random capacities;
    acyclic links go up the order NODES, then USA."""
    order = [*NODES, "USA"]
    pairs = [(a, b) for i, a in enumerate(order) for b in order[i + 1:]]
    if not acyclic:
        pairs += [(b, a) for a, b in pairs if b != "USA"]
    chosen = draw(st.lists(st.tuples(st.sampled_from(pairs), st.sampled_from(COMMODITIES)), min_size=1, max_size=16,
                           unique=True))
    edges = [(a, b, draw(st.sampled_from(VOLUMES)), commodity, draw(st.sampled_from(["low", "medium", "high"])))
             for (a, b), commodity in chosen]
    capacity = {node: draw(st.floats(0, 1)) for node in NODES}
    return edges, capacity


@settings(max_examples=60, deadline=None)
@given(networks(acyclic=False), st.sampled_from(NODES))
def test_closing_a_gap_never_raises_harm_weighted_flow(network, country):
    edges, capacity = network
    routes = routes_of(edges, capacity)
    assert routes.state({country: 1.0}).total <= routes.state().total + 1e-12


@settings(max_examples=60, deadline=None)
@given(networks(acyclic=False), st.sampled_from(NODES), st.floats(0, 1))
def test_the_closed_form_equals_solving_again(network, country, to):
    edges, capacity = network
    routes = routes_of(edges, capacity)
    state = routes.state()
    expected = state.total - routes.state({country: to}).total
    assert state.averted(country, to) == pytest.approx(expected, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(networks(), st.sampled_from(NODES))
def test_a_country_on_no_route_has_zero_leverage(network, country):
    edges, capacity = network
    edges = [edge for edge in edges if country not in edge[:2]]
    edges.append((country, "ZZZ", "high", "cocaine", "high"))  # a link, but to nowhere near USA
    routes = routes_of(edges, {**capacity, "ZZZ": 0.5})
    assert country not in routes.candidates
    assert routes.state().averted(country, 1.0) == 0.0


@settings(max_examples=40, deadline=None)
@given(networks(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_input_order(network, random):
    edges, capacity = network
    shuffled = list(edges)
    random.shuffle(shuffled)
    reordered = dict(sorted(capacity.items(), reverse=True))
    one = select(routes_of(edges, capacity), budget=3)
    two = select(routes_of(shuffled, reordered), budget=3)
    assert [(p.country, p.flow_after) for p in one[1]] == [(p.country, p.flow_after) for p in two[1]]
    assert one[0] == two[0]


# --- Displacement: what a country newly stops is partly moved to the routes around it -----------

DISPLACED = CONFIG.model_copy(update={"interdiction": CONFIG.interdiction.model_copy(update={
    "displacement": Displacement(share=0.5, low=0.25, high=0.9, basis="assumption", rationale="test")})})


def displaced_model(edges):
    plain = model_of(edges)
    return plain, FlowModel(plain.links, "USA", DISPLACED, plain.countries)


def capacities(model, capacity):
    return np.asarray([capacity.get(node, 0.0) for node in model.nodes])


@settings(max_examples=60, deadline=None)
@given(networks(acyclic=False), st.sampled_from(NODES), st.sampled_from(NODES), st.floats(0, 1))
# found by a random search: a producer that displaces its product (China, making fentanyl from
# India's precursors, Guatemala the other source) has no closed form (what it displaces is a
# product of two pass-throughs)
@example(network=([("CHN", "MEX", "low", "fentanyl", "low"), ("MEX", "USA", "low", "fentanyl", "low"),
                   ("IND", "CHN", "low", "fentanyl_precursors", "low"), ("GTM", "MEX", "low", "fentanyl", "low")],
                  ZERO), funded="CHN", country="CHN", to=0.0)
def test_with_displacement_the_closed_form_equals_solving_again(network, funded, country, to):
    """Also after another country was funded (its displaced flow already in the state)."""
    edges, capacity = network
    _, model = displaced_model(edges)
    market = capacities(model, capacity)
    now = market.copy()
    if funded in model.index:
        now[model.index[funded]] = 1.0
    raised = now.copy()
    if country in model.index:
        raised[model.index[country]] = to
    state = model.state_of(now, market)
    assert state.averted(country, to) == pytest.approx(state.total - model.state_of(raised, market).total, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(networks(acyclic=False), st.sampled_from(NODES), st.floats(0, 1))
def test_displacement_only_gives_back_part_of_what_is_newly_stopped(network, country, extra):
    """Averted flow with displacement lies between none and what is averted with no displacement."""
    edges, capacity = network
    plain, model = displaced_model(edges)
    to = min(1.0, capacity[country] + extra)
    with_displacement = model.state_of(capacities(model, capacity)).averted(country, to)
    without = plain.state_of(capacities(plain, capacity)).averted(country, to)
    assert with_displacement <= without + 1e-12
    # at share 0 the model is the one that declares no displacement
    assert model.with_displacement(0.0).state_of(capacities(model, capacity)).averted(country, to) == \
        pytest.approx(without, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(networks(acyclic=False), st.sampled_from(NODES), st.floats(0, 1))
def test_raising_capacity_never_lowers_the_flow_on_its_alternatives(network, country, extra):
    """From the market as it stands, a country that stops more never lowers the flow on a link around
    it (a link of one of its senders that the country does not itself feed), and each such link
    gains the share displaced onto it."""
    edges, capacity = network
    _, model = displaced_model(edges)
    if country not in model.index:
        return
    v = model.index[country]
    market = capacities(model, capacity)
    raised = market.copy()
    raised[v] = min(1.0, raised[v] + extra)
    downstream = set(nx.descendants(nx.DiGraph([edge[:2] for edge in edges]), country)) | {country}
    before, after = model.state_of(market), model.state_of(raised, market)
    for via, target in zip(model.moved_via[model.moved_node == v].tolist(),
                           model.moved_cols[model.moved_node == v].tolist(), strict=True):
        if via < 0 or model.nodes[via] in downstream:
            continue
        tail, head = model.nodes[via], model.nodes[target % len(model.nodes)]
        assert carried(after, tail, head) >= carried(before, tail, head) - 1e-12


def carried(state, tail, head):
    """Flow on the links tail -> head (every commodity), what is displaced onto them included."""
    model, nodes = state.model, len(state.model.nodes)
    u, w = model.index[tail], model.index[head]
    own = (model.rows[:model.link_entries] % nodes == u) & (model.cols[:model.link_entries] % nodes == w)
    moved = (model.moved_via == u) & (model.moved_cols % nodes == w)
    links = state.inflow[model.rows[:model.link_entries][own]] * state.entries[:model.link_entries][own]
    displaced = state.inflow[model.moved_rows[moved]] * state.entries[len(model.rows):][moved]
    return float(links.sum() + displaced.sum())


# --- Routes opened and closed (a scenario against its baseline) ---------------------------------

def changed_model(edges, config=CONFIG):
    """The network of ``edges`` measured against ``reference`` (a scenario's baseline)."""
    def build(reference=None):
        links = [link(*edge) for edge in edges]
        return FlowModel(links, "USA", config, {node for item in links for node in (item.from_, item.to)}, reference)
    return build


@settings(max_examples=60, deadline=None)
@given(networks(acyclic=False), st.sampled_from([*NODES, "USA"]), st.sampled_from(NODES),
       st.sampled_from(VOLUMES), st.sampled_from(COMMODITIES), st.booleans())
# found by a random search: a precursor route opened from a producer (Panama) once made it a transit
# country, its laboratories gone, and closed a cycle of precursors that nothing left
@example(network=([("CHN", "IND", "low", "fentanyl", "low"), ("CHN", "IND", "low", "fentanyl_precursors", "low"),
                   ("IND", "PAN", "low", "fentanyl_precursors", "low"), ("PAN", "USA", "low", "fentanyl", "low")], ZERO),
         head="CHN", tail="PAN", volume="low", commodity="fentanyl_precursors", displaced=False)
def test_opening_a_route_never_lowers_what_arrives(network, head, tail, volume, commodity, displaced):
    edges, capacity = network
    config = DISPLACED if displaced else CONFIG
    if tail == head or any(edge[:2] == (tail, head) and edge[3] == commodity for edge in edges):
        return
    before = changed_model(edges, config)()
    after = changed_model([*edges, (tail, head, volume, commodity, "high")], config)(before)
    assert after.state(capacity).total >= before.state(capacity).total - 1e-12


@settings(max_examples=60, deadline=None)
@given(networks(acyclic=False), st.integers(0, 15))
def test_closing_a_route_never_raises_what_arrives_without_displacement(network, which):
    edges, capacity = network
    before = changed_model(edges)()
    kept = [edge for i, edge in enumerate(edges) if i != which % len(edges)]
    if not kept:
        return
    after = changed_model(kept)(before)
    assert after.state(capacity).total <= before.state(capacity).total + 1e-12


@settings(max_examples=60, deadline=None)
@given(networks(acyclic=False), st.sampled_from(NODES), st.sampled_from(NODES), st.sampled_from(COMMODITIES),
       st.floats(0, 1))
def test_with_a_route_opened_the_closed_form_equals_solving_again(network, tail, country, commodity, to):
    edges, capacity = network
    if any(edge[:2] == (tail, "USA") and edge[3] == commodity for edge in edges):
        return
    before = changed_model(edges, DISPLACED)()
    model = changed_model([*edges, (tail, "USA", "high", commodity, "high")], DISPLACED)(before)
    market = capacities(model, capacity)
    raised = market.copy()
    if country in model.index:
        raised[model.index[country]] = to
    state = model.state_of(market)
    assert state.averted(country, to) == pytest.approx(state.total - model.state_of(raised, market).total, abs=1e-9)
