"""The costed portfolio: what it funds and why, its bounds on unknowns, and greedy against the exact optimum."""

import itertools
import random

import pytest

from assess.analysis.portfolio import exact_knapsack, fractional_knapsack, planner_for, portfolio
from assess.engine.evaluate import assess
from helpers import portfolio_workspace

ROUTE = [("AAA", "BBB", "high"), ("BBB", "NOR", "high")]  # cocaine toward NOR; the mini rules score goal A
STRONG = {"a": True, "lvl": "high", "n": 10.0, "s": frozenset({"x", "y", "z"})}


def plan(workspace, budget: float, year: int = 2024):
    return portfolio(workspace, assess(workspace, year), budget, "NOR")


def test_funds_the_package_that_stops_most_flow_per_dollar(mini_workspace):
    workspace = portfolio_workspace(mini_workspace, ROUTE, {"AAA": {**STRONG, "lvl": "low"}, "BBB": STRONG})
    result = plan(workspace, 1_000_000)
    first = result.picks[0]
    assert (first.country, first.package) == ("AAA", "fix_a")
    assert first.effects == {"lvl": "low -> high"}  # a is already true: the package never lowers or repeats a fact
    assert first.cost_usd == 200_000 and (first.cost_low_usd, first.cost_high_usd) == (100_000, 300_000)
    assert first.flow_stopped > 0 and first.overall_after[1] > first.overall_before[1]
    assert first.flow_after < result.baseline_flow
    assert any("a planner's assumed cost" in reason for reason in first.why)
    assert result.spent_usd <= 1_000_000


def test_nothing_is_funded_beyond_the_budget_or_without_value(mini_workspace):
    workspace = portfolio_workspace(mini_workspace, ROUTE, {"AAA": {**STRONG, "lvl": "low"}, "BBB": STRONG})
    assert plan(workspace, 150_000).picks == []  # fix_a costs 200,000 expected; nothing else adds value
    everything_done = portfolio_workspace(mini_workspace, ROUTE, {"AAA": STRONG, "BBB": STRONG})
    assert plan(everything_done, 10_000_000).picks == []


def test_a_country_off_the_route_is_never_funded(mini_workspace):
    workspace = portfolio_workspace(mini_workspace, [*ROUTE, ("CCC", "DDD", "high")],
                                    {"AAA": STRONG, "BBB": STRONG, "CCC": {"lvl": "low"}, "DDD": {"lvl": "low"}})
    assert all(pick.country in ("AAA", "BBB") for pick in plan(workspace, 10_000_000).picks)


def test_unknown_facts_are_valued_at_the_evidence_and_listed_to_verify(mini_workspace):
    unknown_level = {key: value for key, value in STRONG.items() if key != "lvl"}
    workspace = portfolio_workspace(mini_workspace, ROUTE, {"AAA": unknown_level, "BBB": STRONG})
    result = plan(workspace, 10_000_000)
    assert all(pick.package != "fix_a" for pick in result.picks)
    assert {"country": "AAA", "package": "fix_a"}.items() <= result.verify_first[0].items()
    assert result.verify_first[0]["verify"] == ["lvl"]


def test_the_exact_knapsack_matches_brute_force():
    rng = random.Random(3)
    for _ in range(30):
        values = [rng.uniform(0, 1) for _ in range(8)]
        costs = [rng.uniform(1, 10) for _ in range(8)]
        budget = rng.uniform(5, 30)
        best = max((sum(values[i] for i in combo) for k in range(9) for combo in itertools.combinations(range(8), k)
                    if sum(costs[i] for i in combo) <= budget), default=0.0)
        chosen, optimal = exact_knapsack(values, costs, budget)
        assert optimal and best <= fractional_knapsack(values, costs, budget) + 1e-9
        assert sum(costs[i] for i in chosen) <= budget + 1e-9
        assert sum(values[i] for i in chosen) == pytest.approx(best)


def small_case(mini_workspace, seed: int):
    """Three countries in a chain toward NOR, random facts and package costs (all options fit a brute force)."""
    rng = random.Random(seed)
    facts = {code: {"a": True, "n": 10.0, "lvl": rng.choice(["low", "mid", "high"]),
                    "s": frozenset(rng.sample(["x", "y", "z"], rng.randint(0, 3)))} for code in ("AAA", "BBB", "CCC")}
    costs = {name: rng.choice([50_000, 100_000, 200_000, 400_000]) for name in ("fix_lvl", "survey_one", "survey_all")}
    edges = [("AAA", "BBB", "high"), ("BBB", "CCC", rng.choice(["low", "high"])), ("CCC", "NOR", "high"),
             ("AAA", "CCC", rng.choice(["low", "medium"]))]
    return portfolio_workspace(mini_workspace, edges, facts, costs), rng.choice([150_000, 300_000, 600_000, 900_000])


def test_greedy_is_close_to_the_exact_optimum_on_small_cases(mini_workspace):
    """Every subset of options valued like greedy's selection; the best that fits is the optimum."""
    gaps = []
    for seed in range(25):
        workspace, budget = small_case(mini_workspace, seed)
        planner, countries = planner_for(workspace, assess(workspace, 2024), "NOR")
        picks, options = planner.greedy(countries, budget)
        greedy = sum(pick.value for pick in picks)
        funded = {(pick.country, pick.package) for pick in picks}
        assert greedy == pytest.approx(planner.value_of(countries, [o for o in options if (o.country, o.package) in funded]))
        optimum = max(planner.value_of(countries, combo) for k in range(len(options) + 1)
                      for combo in itertools.combinations(options, k) if sum(o.cost for o in combo) <= budget)
        assert greedy <= optimum + 1e-9
        bound = planner.compare_with_exact(countries, options, budget, greedy)["upper_bound"]
        assert optimum <= bound + 1e-9  # returns diminish here, so the fractional knapsack bounds every selection
        gaps.append((optimum - greedy) / optimum if optimum > 0 else 0.0)
    assert sum(gaps) / len(gaps) < 0.05 and max(gaps) < 0.3, gaps
