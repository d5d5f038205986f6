"""Where assistance buys the most: need, leverage on routes, and feasibility through partnerships.

For each commodity, trafficking links active in the as-of year form a flow network: every
country is split into an in/out chokepoint whose capacity is its potential throughput times
(1 - effectiveness x interdiction capacity), links carry their relative volume, a super-source
feeds every origin, and the destination market is the sink (networkx maximum flow, algorithm
pinned in ``network.yaml``). A country's **leverage** is the drop in flow reaching the
destination if its capacity gap were closed (continuous network interdiction). **Need** is its
capacity gap (1 - overall score / 100); **feasibility** the weight of its ties with the
destination. A greedy, budgeted selection picks the highest priority, closes that gap, and
recomputes, so each pick reports the flow left after it. Ties are broken by ISO code.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Callable, Iterable

import networkx as nx

from .compile import Snapshot, compile_condition
from .errors import UsageError
from .models import NetworkConfig, PriorityWeights, TraffickingLink
from .results import Assessment, CountryResult
from .values import UNKNOWN
from .workspace import Workspace

SOURCE = "<source>"
# Capacities are scaled to integers: networkx's flow algorithms are exact on integers and can
# fail on floats (preflow_push raised IndexError on float capacities in our property tests).
SCALE = 10**6


def _units(amount: float) -> int:
    return round(amount * SCALE)


@dataclass
class Candidate:
    country: str
    name: str
    capacity: float
    capacity_known: bool
    need: float
    feasibility: float
    ties: list[str]
    result: CountryResult | None


@dataclass
class Pick:
    rank: int
    country: str
    name: str
    priority: float
    leverage: float  # flow to the destination removed by closing this country's gap
    leverage_share: float  # leverage / flow before the pick
    need: float
    need_by_goal: dict[str, float | None]  # each strategic goal's gap (1 - score / 100); None: insufficient data
    feasibility: float
    capacity: float
    capacity_known: bool  # False: the declared default stood in for an unscored country
    flow_before: float
    flow_after: float
    betweenness: float
    routes: list[str] = field(default_factory=list)
    ties: list[str] = field(default_factory=list)
    weakest: list[dict] = field(default_factory=list)
    interventions: list[dict] = field(default_factory=list)
    runner_up: dict | None = None

    def to_json(self) -> dict:
        return dict(vars(self))


@dataclass
class Prioritization:
    destination: str
    year: int
    commodities: list[str]
    baseline_flow: float
    picks: list[Pick]
    not_profiled: list[str]  # countries on routes that have no profile, so no scores
    weights: PriorityWeights

    def to_json(self) -> dict:
        return {"destination": self.destination, "year": self.year, "commodities": self.commodities,
                "baseline_flow": self.baseline_flow, "picks": [p.to_json() for p in self.picks],
                "curve": [{"picks": 0, "flow": self.baseline_flow}]
                + [{"picks": p.rank, "flow": p.flow_after} for p in self.picks],
                "not_profiled": self.not_profiled, "weights": self.weights.model_dump()}


class FlowModel:
    """The per-commodity flow networks toward one destination."""

    def __init__(self, links: Iterable[TraffickingLink], destination: str, config: NetworkConfig,
                 countries: set[str]) -> None:
        self.destination = destination
        self.effectiveness = config.interdiction.effectiveness
        self.flow_func = getattr(nx.algorithms.flow, config.flow_algorithm)
        self.countries = countries  # nodes that interdict; regions pass everything
        volume = {**config.volumes, "unknown": config.volumes[config.unknown_volume]}
        self.edges: dict[str, dict[tuple[str, str], float]] = {}
        for link in sorted(links, key=lambda l: (l.commodity, l.from_, l.to)):
            pairs = self.edges.setdefault(link.commodity, {})
            key = (link.from_, link.to)
            pairs[key] = max(pairs.get(key, 0.0), volume[link.volume])  # one route told twice is still one route
        self.potential = {commodity: self._potential(pairs) for commodity, pairs in self.edges.items()}

    @staticmethod
    def _potential(pairs: dict[tuple[str, str], float]) -> dict[str, float]:
        inflow: dict[str, float] = {}
        outflow: dict[str, float] = {}
        for (tail, head), volume in pairs.items():
            outflow[tail] = outflow.get(tail, 0.0) + volume
            inflow[head] = inflow.get(head, 0.0) + volume
        return {node: max(inflow.get(node, 0.0), outflow.get(node, 0.0)) for node in sorted({*inflow, *outflow})}

    def graph(self, commodity: str, capacity: Callable[[str], float]) -> nx.DiGraph:
        pairs, potential = self.edges[commodity], self.potential[commodity]
        heads = {head for _, head in pairs}
        graph = nx.DiGraph()
        for node in potential:
            if node == self.destination:
                continue
            graph.add_edge(f"{node}>in", f"{node}>out", capacity=self.units_through(commodity, node, capacity(node)))
            if node not in heads:
                graph.add_edge(SOURCE, f"{node}>in")  # no capacity: unbounded supply at origins
        for (tail, head), volume in pairs.items():
            if tail != self.destination:
                target = head if head == self.destination else f"{head}>in"
                graph.add_edge(f"{tail}>out", target, capacity=_units(volume))
        return graph

    def flow(self, capacity: Callable[[str], float]) -> tuple[float, dict[str, dict]]:
        """Total flow reaching the destination, and each commodity's flow on every edge."""
        state = FlowState(self, capacity)
        return state.total, state.flows

    def units_through(self, commodity: str, node: str, capacity: float) -> int:
        """The chokepoint capacity of a node in one commodity's network."""
        share = 1.0 - self.effectiveness * capacity if node in self.countries else 1.0
        return _units(self.potential[commodity][node] * share)

    def route_nodes(self) -> set[str]:
        """Every node with a path to the destination in some commodity's network."""
        nodes: set[str] = set()
        for pairs in self.edges.values():
            graph = nx.DiGraph(list(pairs))
            if self.destination in graph:
                nodes |= nx.ancestors(graph, self.destination)
        return nodes

    def betweenness(self) -> dict[str, float]:
        """Share of origin-to-destination shortest paths through each node (second view)."""
        graph = nx.DiGraph(sorted({pair for pairs in self.edges.values() for pair in pairs}))
        if self.destination not in graph:
            return {}
        origins = sorted(node for node in graph if graph.in_degree(node) == 0)
        return nx.betweenness_centrality_subset(graph, origins, [self.destination], normalized=True)


class FlowState:
    """The flow networks for the current capacities, their maximum flows, and what-ifs on them.

    Graphs are built once and changed in place: a what-if sets one chokepoint, solves, and
    restores it, so only the commodities a country carries flow for are ever recomputed.
    """

    def __init__(self, model: FlowModel, capacity: Callable[[str], float]) -> None:
        self.model = model
        self.graphs = {commodity: model.graph(commodity, capacity) for commodity in sorted(model.edges)}
        self.values: dict[str, int] = {}
        self.flows: dict[str, dict] = {}  # commodity -> tail -> head -> flow (in link-volume units)
        self.solve()

    def solve(self, commodities: Iterable[str] | None = None) -> None:
        """Maximum flow of the given commodities' networks (all by default)."""
        for commodity in sorted(self.graphs) if commodities is None else commodities:
            graph = self.graphs[commodity]
            if self.model.destination in graph and SOURCE in graph:
                value, flow = nx.maximum_flow(graph, SOURCE, self.model.destination, flow_func=self.model.flow_func)
                self.values[commodity] = value
                self.flows[commodity] = {tail: {head: units / SCALE for head, units in heads.items()}
                                         for tail, heads in flow.items()}

    @property
    def total(self) -> float:
        return sum(self.values.values()) / SCALE

    def _excess(self, node: str) -> dict[str, int]:
        """Per commodity, how far the flow through a node exceeds its capacity once its gap is closed."""
        excess = {}
        for commodity, flow in self.flows.items():
            carried = _units(flow.get(f"{node}>in", {}).get(f"{node}>out", 0.0))
            closed = self.model.units_through(commodity, node, 1.0) if node in self.model.potential[commodity] else carried
            if carried > closed:
                excess[commodity] = carried - closed
        return excess

    def leverage_bound(self, node: str) -> float:
        """An upper bound on leverage: the flow above the closed capacity could all be lost, no more."""
        return sum(self._excess(node).values()) / SCALE

    def leverage(self, node: str) -> float:
        """Exactly how much flow to the destination closing this node's gap removes."""
        lost = 0
        for commodity in self._excess(node):
            edge = self.graphs[commodity][f"{node}>in"][f"{node}>out"]
            kept = edge["capacity"]
            edge["capacity"] = self.model.units_through(commodity, node, 1.0)
            value = nx.maximum_flow_value(self.graphs[commodity], SOURCE, self.model.destination,
                                          flow_func=self.model.flow_func)
            edge["capacity"] = kept
            lost += self.values[commodity] - value
        return lost / SCALE

    def close(self, node: str) -> None:
        """Close a node's gap for good and re-solve the networks that changed."""
        changed = []
        for commodity, graph in self.graphs.items():
            if graph.has_edge(f"{node}>in", f"{node}>out"):
                edge = graph[f"{node}>in"][f"{node}>out"]
                closed = self.model.units_through(commodity, node, 1.0)
                if edge["capacity"] != closed:
                    edge["capacity"] = closed
                    changed.append(commodity)
        self.solve(changed)


def prioritize(workspace: Workspace, assessment: Assessment, destination: str = "USA",
               commodity: str | None = None, budget: int | None = None,
               progress: Callable[[int, int], None] | None = None) -> Prioritization:
    """The ranked assistance list for one destination market as of the assessment's year."""
    config, network = _network_of(workspace, commodity)
    year = assessment.stamp.year
    links = network.active_links(year, commodity)
    countries = {node for link in links for node in (link.from_, link.to) if node not in network.regions}
    model = FlowModel(links, destination, config, countries)
    on_routes = sorted(node for node in model.route_nodes() if node in countries and node != destination)
    candidates = _candidates(workspace, assessment, config, destination, on_routes)
    baseline, picks = select(model, candidates, config, budget, progress)
    return Prioritization(destination, year, sorted(model.edges), baseline, picks,
                          sorted(code for code in on_routes if code not in workspace.profiles), config.priority.weights)


def select(model: FlowModel, candidates: dict[str, Candidate], config: NetworkConfig, budget: int | None = None,
           progress: Callable[[int, int], None] | None = None) -> tuple[float, list[Pick]]:
    """Greedy budgeted selection: pick the highest priority, close its gap, recompute.

    Exact leverage needs a maximum flow per candidate; an upper bound (the flow through a
    country above its closed capacity) lets most candidates be ruled out without one. The
    result is the same as evaluating every candidate: only candidates whose bound could still
    beat the best two are evaluated exactly.
    """
    unknown = config.interdiction.unknown_capacity
    capacity = {code: candidate.capacity for code, candidate in candidates.items()}
    state = FlowState(model, lambda node: capacity.get(node, unknown))
    baseline, centrality = state.total, model.betweenness()
    weights = config.priority.weights
    fixed = {code: weights.need * c.need + weights.feasibility * c.feasibility for code, c in candidates.items()}
    remaining = sorted(candidates)
    steps = len(remaining) if budget is None else min(budget, len(remaining))
    picks = []
    for step in range(1, steps + 1):
        current = state.total

        def priority(code: str, leverage: float) -> float:
            return fixed[code] + (weights.leverage * leverage / current if current > 0 else 0.0)

        bounds = sorted(((priority(code, state.leverage_bound(code)), code) for code in remaining),
                        key=lambda item: (-item[0], item[1]))
        exact: list[tuple[float, float, str]] = []
        for bound, code in bounds:
            if len(exact) >= 2 and (-bound, code) > (-exact[1][0], exact[1][2]):
                break  # cannot reach the top two
            leverage = state.leverage(code)
            exact.append((priority(code, leverage), leverage, code))
            exact.sort(key=lambda item: (-item[0], item[2]))
        (best, leverage, code), runner = exact[0], exact[1] if len(exact) > 1 else None
        routes = _routes(state.flows, code)
        state.close(code)
        pick = _pick(step, candidates[code], best, leverage, current, state.total, centrality, runner)
        pick.routes = routes
        picks.append(pick)
        remaining.remove(code)
        if progress:
            progress(step, steps)
    return baseline, picks


def _network_of(workspace: Workspace, commodity: str | None):
    config, network = workspace.ruleset.network, workspace.network
    if config is None or network is None:
        raise UsageError("prioritize needs network.yaml in the rule set and country_profiles/network/trafficking.yaml")
    if commodity is not None and commodity not in config.commodities:
        raise UsageError(f"unknown commodity '{commodity}'; known: {', '.join(config.commodities)}")
    return config, network


def _candidates(workspace: Workspace, assessment: Assessment, config: NetworkConfig, destination: str,
                codes: list[str]) -> dict[str, Candidate]:
    results = {result.country: result for result in assessment.countries}
    ties = partnership_ties(workspace, assessment.stamp.year)
    candidates = {}
    for code in codes:
        result = results.get(code)
        capacity, known = interdiction_capacity(result, config)
        need = config.priority.unknown_need if result is None or result.score is None else 1 - result.score / 100
        kinds = sorted(ties.get(frozenset((code, destination)), set()))
        feasibility = min(1.0, math.fsum(config.priority.partnership_weights[kind] for kind in kinds))
        name = result.name if result else code
        candidates[code] = Candidate(code, name, capacity, known, need, feasibility, kinds, result)
    return candidates


def interdiction_capacity(result: CountryResult | None, config: NetworkConfig) -> tuple[float, bool]:
    """Weighted mean of the declared goals' scores / 100, or the declared default when unknown."""
    goals = {goal.id: goal.score for goal in result.goals} if result else {}
    pairs = [(weight, goals[goal]) for goal, weight in config.interdiction.goals.items() if goals.get(goal) is not None]
    if not pairs:
        return config.interdiction.unknown_capacity, False
    return math.fsum(w * s for w, s in pairs) / math.fsum(w for w, _ in pairs) / 100, True


def partnership_ties(workspace: Workspace, year: int) -> dict[frozenset, set[str]]:
    """Kinds of partnership between each pair of countries, as of ``year``."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    ties: dict[frozenset, set[str]] = {}
    for partnership in workspace.network.partnerships:
        if partnership.since <= end and (partnership.until is None or partnership.until >= start):
            ties.setdefault(frozenset(partnership.between), set()).add(partnership.kind)
    config = workspace.ruleset.network
    for kind, test in config.memberships.items():
        condition = compile_condition(test, workspace.ruleset.facts)
        members = sorted(code for code, profile in workspace.profiles.items()
                         if condition.test(_snapshot(profile, test.fact, year)))
        for i, first in enumerate(members):
            for second in members[i + 1:]:
                ties.setdefault(frozenset((first, second)), set()).add(kind)
    return ties


def _snapshot(profile, fact: str, year: int) -> Snapshot:
    reading = profile.reading(fact, year)
    return Snapshot({} if reading is None or reading.value is UNKNOWN else {fact: reading.value}, year)


def _pick(rank: int, candidate: Candidate, priority: float, leverage: float, before: float, after: float,
          centrality: dict, runner: tuple | None) -> Pick:
    gaps = {goal.id: None if goal.score is None else 1 - goal.score / 100
            for goal in (candidate.result.goals if candidate.result else [])}
    pick = Pick(rank, candidate.country, candidate.name, priority, leverage, leverage / before if before > 0 else 0.0,
                candidate.need, gaps, candidate.feasibility, candidate.capacity, candidate.capacity_known, before, after,
                centrality.get(candidate.country, 0.0), ties=candidate.ties)
    pick.weakest, pick.interventions = _weakest(candidate.result)
    if runner is not None:
        pick.runner_up = {"country": runner[2], "priority": runner[0], "leverage": runner[1]}
    return pick


def _routes(flows: dict[str, dict], country: str) -> list[str]:
    """The links through a country that carry flow to the destination, per commodity."""
    routes = []
    for commodity, flow in sorted(flows.items()):
        for tail, heads in sorted(flow.items()):
            for head, amount in sorted(heads.items()):
                ends = (tail.split(">")[0], head.split(">")[0])
                if amount > 0 and tail.endswith(">out") and country in ends:
                    routes.append(f"{ends[0]} -> {ends[1]} ({commodity}, {amount:g})")
    return routes


def _weakest(result: CountryResult | None, count: int = 3) -> tuple[list[dict], list[dict]]:
    """The lowest-scoring criteria and the interventions their short-falling rules recommend."""
    if result is None:
        return [], []
    criteria = [node for goal in result.goals for node in goal.children if node.score is not None and node.score < 100]
    criteria.sort(key=lambda node: (node.score, node.id))
    weakest = criteria[:count]
    interventions: dict[str, dict] = {}
    for criterion in weakest:
        for rule in criterion.children:
            for item in rule.interventions:
                interventions.setdefault(item["id"], item)
    return ([{"id": c.id, "title": c.title, "score": c.score} for c in weakest], list(interventions.values()))
