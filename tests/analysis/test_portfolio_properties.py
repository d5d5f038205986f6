"""Properties of the costed portfolio on random workspaces (Hypothesis).

Budget monotonicity holds when values have diminishing returns: each package's gain can only
shrink as others are funded. The flows have them (a second country on a route stops a share of
what the first left); so do these scores (weighted means, with goal A's cap and minimum
settled by the facts drawn), which is the condition the module's docstring states.
"""

import dataclasses
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

import assess as library
from assess.analysis.portfolio import portfolio
from assess.engine.evaluate import assess
from helpers import MINI, PACKAGES, portfolio_workspace

COUNTRIES = ["AAA", "BBB", "CCC", "DDD"]
MINI_WORKSPACE = library.load_workspace(MINI / "rules", MINI / "profiles")  # read-only, shared by every example


@st.composite
def cases(draw):
    facts = {code: {"a": True, "n": 10.0, "lvl": draw(st.sampled_from(["low", "mid", "high"])),
                    "s": draw(st.frozensets(st.sampled_from(["x", "y", "z"])))} for code in COUNTRIES}
    order = [*COUNTRIES, "NOR"]
    pairs = [(a, b) for i, a in enumerate(order) for b in order[i + 1:]]
    chosen = draw(st.lists(st.sampled_from(pairs), max_size=6, unique=True))
    chain = list(itertools.pairwise(order))  # every country on a route to NOR, other links at random
    edges = [(a, b, draw(st.sampled_from(["low", "medium", "high"]))) for a, b in sorted({*chosen, *chain})]
    costs = {name: draw(st.sampled_from([50_000, 100_000, 200_000, 400_000])) for name in PACKAGES}
    return facts, edges, costs


@settings(max_examples=30, deadline=None)
@given(cases(), st.integers(0, 1_500_000), st.integers(0, 1_500_000))
def test_adding_budget_never_lowers_the_value_of_the_portfolio(case, first, second):
    facts, edges, costs = case
    workspace = portfolio_workspace(MINI_WORKSPACE, edges, facts, costs)
    assessment = assess(workspace, 2024)
    small, large = sorted((first, second))
    assert portfolio(workspace, assessment, large, "NOR").value >= portfolio(workspace, assessment, small, "NOR").value - 1e-12


@settings(max_examples=20, deadline=None)
@given(cases(), st.randoms(use_true_random=False))
def test_input_order_does_not_change_the_portfolio(case, random):
    facts, edges, costs = case
    workspace = portfolio_workspace(MINI_WORKSPACE, edges, facts, costs)
    shuffled_edges = list(edges)
    random.shuffle(shuffled_edges)
    shuffled = portfolio_workspace(MINI_WORKSPACE, shuffled_edges, dict(reversed(list(facts.items()))),
                                   dict(reversed(list(costs.items()))))
    shuffled = dataclasses.replace(shuffled, profiles=dict(reversed(list(shuffled.profiles.items()))))
    one = portfolio(workspace, assess(workspace, 2024), 600_000, "NOR")
    two = portfolio(shuffled, assess(shuffled, 2024), 600_000, "NOR")
    assert one.to_json() == two.to_json()
