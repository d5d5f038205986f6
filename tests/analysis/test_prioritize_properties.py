"""Properties of the flow model and prioritization on random networks (Hypothesis)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assess.analysis.prioritize import select
from helpers import routes_of

NODES = ["CHN", "IND", "MEX", "GTM", "HND", "PAN", "COL", "CAN"]
VOLUMES = ["low", "medium", "high", "unknown"]
COMMODITIES = ["fentanyl", "fentanyl_precursors", "cocaine"]


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


@settings(max_examples=80, deadline=None)
@given(networks(acyclic=False), st.sampled_from(NODES))
def test_closing_a_gap_never_raises_harm_weighted_flow(network, country):
    edges, capacity = network
    routes = routes_of(edges, capacity)
    assert routes.state({country: 1.0}).total <= routes.state().total + 1e-12


@settings(max_examples=80, deadline=None)
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
