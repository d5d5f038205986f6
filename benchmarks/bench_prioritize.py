"""Prioritization and portfolio benchmark: prints figures, asserts nothing
(python benchmarks/bench_prioritize.py [--quick]).

- the bundled network: the ranking, and a $25M portfolio;
- the bundled network as of 2025 at 1,000 draws: a $25M portfolio (target <= 5 s);
- 250 countries with 5,000 links: the ranking (target <= 2 s) and a $50M portfolio (target <= 30 s);
- 5,000 hub countries with 25,000 links: the ranking (10 picks) and a $50M portfolio (target <= 60 s);
- greedy against the exact optimum: on the bundled data against the 0-1 knapsack (MILP) at four
  budgets, and on small cases (3 countries, 3 packages, random costs) against brute force.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import random
import sys
import time

from synthetic import synthetic_workspace

import assess
from assess.analysis.portfolio import Planner, planner_for, portfolio
from assess.analysis.prioritize import prioritize
from assess.engine.evaluate import assess as score
from assess.engine.models import TraffickingLink
from assess.engine.workspace import Network

COMMODITIES = ["fentanyl", "fentanyl_precursors", "methamphetamine", "methamphetamine_precursors", "pill_presses",
               "cocaine", "tramadol", "captagon", "nps", "nps_precursors"]
DESTINATION = "DST"


def synthetic_links(codes: list[str], count: int, hubs: int, seed: int = 7) -> list[TraffickingLink]:
    """Routes that go up the order of ``codes`` (acyclic, like routes toward a market), a third of
    them into hubs or the destination; precursors reaching a country that ships the product make it a producer."""
    rng = random.Random(seed)
    hub_codes = codes[:hubs]
    made: set[tuple[str, str, str]] = set()
    links = []
    while len(links) < count:
        commodity = rng.choice(COMMODITIES)
        tail, head = rng.sample(codes, 2)
        if rng.random() < 0.3:
            head = DESTINATION if rng.random() < 0.5 else rng.choice(hub_codes)
        if head != DESTINATION and tail > head:
            tail, head = head, tail
        if tail == head or (tail, head, commodity) in made:
            continue
        made.add((tail, head, commodity))
        # built without validation: the synthetic country codes (C000 ...) are not ISO codes
        links.append(TraffickingLink.model_construct(
            from_=tail, to=head, commodity=commodity, modalities=[], volume=rng.choice(["low", "medium", "high", "unknown"]),
            confidence=rng.choice(["low", "medium", "high"]), since=dt.date(2019, 1, 1), until=None, source="synthetic",
            note=None))
    return links


def workspace_of(base: assess.Workspace, countries: int, links: int, hubs: int) -> assess.Workspace:
    workspace = synthetic_workspace(base, countries)
    network = Network({}, tuple(synthetic_links(sorted(workspace.profiles), links, hubs)), ())
    return dataclasses.replace(workspace, network=network)


def timed(label: str, run):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = run()
    print(f"  {label}: {time.perf_counter() - start:.2f} s")
    return result


def synthetic_case(base: assess.Workspace, countries: int, links: int, hubs: int) -> None:
    print(f"{countries} countries, {links} links ({hubs} hubs):")
    workspace = workspace_of(base, countries, links, hubs)
    assessment = timed("scoring (not part of the targets)", lambda: score(workspace, 2024))
    ranking = timed("ranking, 10 picks (target <= 5 s at 5,000)",
                    lambda: prioritize(workspace, assessment, DESTINATION, budget=10))
    timed("ranking, every candidate (the CLI default; target <= 2 s at 250, <= 60 s at 5,000)",
          lambda: prioritize(workspace, assessment, DESTINATION))
    chosen = timed("portfolio, $50M (#22 target <= 30 s at 250 countries)",
                   lambda: portfolio(workspace, assessment, 50_000_000, DESTINATION))
    exact = chosen.exact
    milp = (f"greedy short of the MILP selection by {exact['gap']:.2%}" if exact["value"] is not None
            else f"no MILP selection within {exact['time_limit_s']} s")
    print(f"    {len(ranking.picks)} ranked; {len(chosen.picks)} packages for ${chosen.spent_usd:,.0f} of "
          f"{chosen.options} options; {milp}; within {exact['gap_to_bound']:.2%} of the upper bound")


def bundled(base: assess.Workspace) -> None:
    print("bundled network (2025, toward USA, 1,000 draws):")
    assessment = score(base, 2025, draws=1000)
    timed("portfolio, $25,000,000 (#22 target <= 5 s)", lambda: portfolio(base, assessment, 25_000_000, "USA"))
    assessment = score(base, 2024)
    print("bundled network (2024, toward USA):")
    timed("ranking, every candidate", lambda: prioritize(base, assessment, "USA"))
    for budget in (1_000_000, 5_000_000, 25_000_000, 50_000_000):
        result = timed(f"portfolio, ${budget:,}", lambda budget=budget: portfolio(base, assessment, budget, "USA"))
        exact = result.exact
        print(f"    greedy {exact['greedy_value']:.4f}, MILP selection {exact['value']:.4f} (greedy short by "
              f"{exact['gap']:.2%}), upper bound {exact['upper_bound']:.4f}; {len(result.picks)} packages, "
              f"${result.spent_usd:,.0f}")


def small_cases(base: assess.Workspace, cases: int) -> None:
    """Greedy against brute force over every subset of options (3 countries x 3 packages)."""
    assessment = score(base, 2024)
    planner, countries = planner_for(base, assessment, "USA")
    rng = random.Random(5)
    gaps = []
    for _ in range(cases):
        chosen = dict(rng.sample(sorted(countries.items()), 3))
        packages = {}
        for name, item in rng.sample(sorted(planner.packages.items()), 3):
            cost = rng.choice([50_000, 200_000, 800_000])
            assert item.cost is not None
            packages[name] = item.model_copy(update={"cost": item.cost.model_copy(update={"low_usd": cost, "high_usd": cost})})
        small = Planner(planner.program, planner.routes, planner.year, packages)
        budget = rng.choice([250_000, 500_000, 1_000_000])
        picks, options = small.greedy(chosen, budget)
        greedy = sum(pick.value for pick in picks)
        optimum = max(small.value_of(chosen, combo) for k in range(len(options) + 1)
                      for combo in itertools.combinations(options, k) if sum(o.cost for o in combo) <= budget)
        gaps.append((optimum - greedy) / optimum if optimum > 1e-12 else 0.0)
    gaps = [max(0.0, gap) for gap in gaps]
    print(f"greedy against brute force, {cases} small cases from the bundled data: mean gap {sum(gaps) / len(gaps):.2%}, "
          f"worst {max(gaps):.2%}, optimal in {sum(gap < 1e-9 for gap in gaps)}")


def main() -> None:
    quick = "--quick" in sys.argv
    base = assess.load_workspace()
    bundled(base)
    small_cases(base, 10 if quick else 30)
    synthetic_case(base, 250, 5_000, 25)
    if not quick:
        synthetic_case(base, 5_000, 25_000, 500)


if __name__ == "__main__":
    main()
