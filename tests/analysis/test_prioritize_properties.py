"""Properties of prioritization on random networks (Hypothesis)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from assess.analysis.prioritize import select
from helpers import CONFIG, candidates_of, model_of

NODES = ["CHN", "IND", "MEX", "GTM", "HND", "PAN", "COL", "CAN"]
VOLUMES = ["low", "medium", "high", "unknown"]


@st.composite
def networks(draw):
    """Random acyclic link sets toward USA (order NODES, then USA) and random capacities."""
    order = [*NODES, "USA"]
    pairs = [(a, b) for i, a in enumerate(order) for b in order[i + 1:]]
    chosen = draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=14, unique=True))
    edges = [(a, b, draw(st.sampled_from(VOLUMES))) for a, b in chosen]
    capacity = {node: draw(st.floats(0, 1)) for node in NODES}
    return edges, capacity


@settings(max_examples=60, deadline=None)
@given(networks(), st.sampled_from(NODES))
def test_closing_a_gap_never_increases_flow(network, country):
    edges, capacity = network
    model = model_of(edges)
    before = model.flow(lambda node: capacity[node])[0]
    after = model.flow(lambda node: 1.0 if node == country else capacity[node])[0]
    assert after <= before + 1e-9


@settings(max_examples=40, deadline=None)
@given(networks(), st.sampled_from(NODES))
def test_a_country_removed_from_every_route_has_zero_leverage(network, country):
    edges, capacity = network
    edges = [edge for edge in edges if country not in edge[:2]]
    if not edges:
        return
    _, picks = select(model_of(edges), candidates_of(capacity), CONFIG)
    assert next(p for p in picks if p.country == country).leverage == 0.0


@settings(max_examples=40, deadline=None)
@given(networks(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_input_order(network, random):
    edges, capacity = network
    shuffled = list(edges)
    random.shuffle(shuffled)
    reordered = dict(sorted(capacity.items(), reverse=True))
    one = select(model_of(edges), candidates_of(capacity), CONFIG, budget=3)
    two = select(model_of(shuffled), candidates_of(reordered), CONFIG, budget=3)
    assert [(p.country, p.flow_after) for p in one[1]] == [(p.country, p.flow_after) for p in two[1]]
    assert one[0] == two[0]
