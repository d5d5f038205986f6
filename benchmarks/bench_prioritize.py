"""Prioritization benchmark: prints figures, asserts nothing (python benchmarks/bench_prioritize.py).

Times the greedy budgeted selection (networkx maximum flow per candidate, recomputed after
every pick) on: the bundled network; ~250 countries with 5,000 links across commodities
(target <= 2 s); 5,000 hub nodes with 25,000 links (target <= 60 s); and the growth between.
"""

from __future__ import annotations

import random
import sys
import time

import click

from assess.analysis.network import FlowModel
from assess.analysis.prioritize import Candidate, select
from assess.engine.models import TraffickingLink

BUDGET = 10
COMMODITIES = ["fentanyl", "fentanyl_precursors", "methamphetamine", "methamphetamine_precursors", "pill_presses",
               "cocaine", "tramadol", "captagon", "nps", "nps_precursors"]


def synthetic(nodes: int, links: int, hubs: int, seed: int = 7):
    """A layered network: origins, hub transit countries, and the destination 'DST'."""
    rng = random.Random(seed)
    names = [f"n{i:05d}" for i in range(nodes)]
    hub_names = names[:hubs]
    volumes = ["low", "medium", "high", "unknown"]
    made: set[tuple] = set()
    result = []
    while len(result) < links:
        commodity = rng.choice(COMMODITIES)
        tail, head = rng.sample(names, 2)
        if rng.random() < 0.3:
            head = "dst" if rng.random() < 0.5 else rng.choice(hub_names)
        if tail > head and head != "dst":
            tail, head = head, tail  # acyclic: links go up the order, like routes toward a market
        key = (tail, head, commodity)
        if tail == head or key in made:
            continue
        made.add(key)
        result.append(TraffickingLink.model_validate({"from": tail, "to": head, "commodity": commodity,
                                                      "volume": rng.choice(volumes), "confidence": "medium",
                                                      "since": "2019-01-01", "source": "synthetic"}))
    capacities = {name: rng.random() for name in names}
    return result, capacities


def run(label: str, links, capacities, config, budget: int | None) -> float:
    countries = {node for link in links for node in (link.from_, link.to)} - {"dst"}
    model = FlowModel(links, "dst", config, countries)
    on_routes = sorted(node for node in model.route_nodes() if node in countries)
    candidates = {code: Candidate(code, code, capacities[code], True, 1 - capacities[code], 0.0, [], None)
                  for code in on_routes}
    start = time.perf_counter()
    if sys.stderr.isatty():
        with click.progressbar(length=budget or len(candidates), label=label, file=sys.stderr) as bar:
            select(model, candidates, config, budget, lambda done, total: bar.update(1))
    else:
        select(model, candidates, config, budget)
    elapsed = time.perf_counter() - start
    print(f"{label}: {len(countries)} nodes, {len(links)} links, {len(candidates)} candidates, budget {budget}: "
          f"{elapsed:.2f} s")
    return elapsed


def main() -> None:
    import assess

    workspace = assess.load_workspace()
    config = workspace.ruleset.network
    if workspace.network is not None:
        start = time.perf_counter()
        result = assess.prioritize(workspace, 2024, "USA")
        print(f"bundled network (2024, destination USA, every candidate: {len(result.picks)} picks): "
              f"{time.perf_counter() - start:.2f} s")
    small = run("250 countries", *synthetic(250, 5_000, hubs=25), config, BUDGET)
    large = run("5,000 hub nodes", *synthetic(5_000, 25_000, hubs=500), config, BUDGET)
    print(f"growth: x{large / small:.1f} time for x20 nodes and x5 links")


if __name__ == "__main__":
    main()
