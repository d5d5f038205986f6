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

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from ..engine.models import NetworkConfig, PriorityWeights
from ..engine.results import Assessment, CountryResult, JSONObject, NodeResult
from ..engine.workspace import Network, Workspace
from ..errors import UsageError, did_you_mean
from .network import FlowModel, FlowState, partnership_ties


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
    weakest: list[JSONObject] = field(default_factory=list)
    interventions: list[JSONObject] = field(default_factory=list)
    runner_up: JSONObject | None = None

    def to_json(self) -> JSONObject:
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

    def to_json(self) -> JSONObject:
        return {"destination": self.destination, "year": self.year, "commodities": self.commodities,
                "baseline_flow": self.baseline_flow, "picks": [p.to_json() for p in self.picks],
                "curve": [{"picks": 0, "flow": self.baseline_flow}]
                + [{"picks": p.rank, "flow": p.flow_after} for p in self.picks],
                "not_profiled": self.not_profiled, "weights": self.weights.model_dump()}


def prioritize(workspace: Workspace, assessment: Assessment, destination: str = "USA",
               commodity: str | None = None, budget: int | None = None,
               progress: Callable[[int, int], None] | None = None) -> Prioritization:
    """The ranked assistance list for one destination market as of the assessment's year."""
    config, network = _network_of(workspace, destination, commodity)
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
    capacity = {code: candidate.capacity for code, candidate in candidates.items()}
    state = FlowState(model, lambda node: capacity.get(node, 1.0))  # a country off every route: moot
    baseline, centrality = state.total, model.betweenness()
    weights = config.priority.weights
    fixed = {code: weights.need * c.need + weights.feasibility * c.feasibility for code, c in candidates.items()}
    remaining = sorted(candidates)
    steps = len(remaining) if budget is None else min(budget, len(remaining))
    picks = []
    for step in range(1, steps + 1):
        current = state.total

        def priority(code: str, leverage: float, current: float = current) -> float:
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


def _network_of(workspace: Workspace, destination: str, commodity: str | None) -> tuple[NetworkConfig, Network]:
    config, network = workspace.require_network("prioritize")
    if commodity is not None and commodity not in config.commodities:
        suggestion = did_you_mean(commodity, config.commodities)
        raise UsageError(f"unknown commodity '{commodity}'" + (f"; did you mean '{suggestion}'?" if suggestion else "")
                         + f" known: {', '.join(config.commodities)}")
    nodes = sorted({node for link in network.links for node in (link.from_, link.to)} - set(network.regions))
    if destination not in nodes:
        suggestion = did_you_mean(destination, nodes)
        hint = f"did you mean '{suggestion}'?" if suggestion else f"countries in the network: {', '.join(nodes)}"
        raise UsageError(f"unknown destination '{destination}': no trafficking link reaches or leaves it; {hint}")
    return config, network


def _candidates(workspace: Workspace, assessment: Assessment, config: NetworkConfig, destination: str,
                codes: list[str]) -> dict[str, Candidate]:
    results = {result.country: result for result in assessment.countries}
    ties = partnership_ties(workspace, assessment.stamp.year)
    candidates = {}
    for code in codes:
        result = results.get(code)
        capacity, known = interdiction_capacity(result, config)
        need = 1 - _at_best(result.overall) / 100 if result is not None else 0.0
        kinds = sorted(ties.get(frozenset((code, destination)), set()))
        feasibility = min(1.0, math.fsum(config.priority.partnership_weights[kind] for kind in kinds))
        name = result.name if result else code
        candidates[code] = Candidate(code, name, capacity, known, need, feasibility, kinds, result)
    return candidates


def interdiction_capacity(result: CountryResult | None, config: NetworkConfig) -> tuple[float, bool]:
    """Weighted mean of the declared goals' scores / 100, and whether all of them are known.

    Where a goal's score is not known its high bound stands in, and a country with no profile
    counts as fully capable: not knowing a country never makes it look like a bigger gap to fill.
    """
    if result is None:
        return 1.0, False
    goals = {goal.id: goal for goal in result.goals}
    pairs = [(weight, _at_best(goals[goal])) for goal, weight in config.interdiction.goals.items() if goal in goals]
    known = all(goals[goal].score is not None for goal in config.interdiction.goals if goal in goals)
    return math.fsum(w * s for w, s in pairs) / math.fsum(w for w, _ in pairs) / 100, known


def _at_best(node: NodeResult) -> float:
    """The score, or where it is not known the most its unknown facts allow."""
    if node.score is not None:
        return node.score
    return node.high if node.high is not None else 100.0


def _pick(rank: int, candidate: Candidate, priority: float, leverage: float, before: float, after: float,
          centrality: dict[str, float], runner: tuple[float, float, str] | None) -> Pick:
    gaps = {goal.id: None if goal.score is None else 1 - goal.score / 100
            for goal in (candidate.result.goals if candidate.result else [])}
    pick = Pick(rank, candidate.country, candidate.name, priority, leverage, leverage / before if before > 0 else 0.0,
                candidate.need, gaps, candidate.feasibility, candidate.capacity, candidate.capacity_known, before, after,
                centrality.get(candidate.country, 0.0), ties=candidate.ties)
    pick.weakest, pick.interventions = _weakest(candidate.result)
    if runner is not None:
        pick.runner_up = {"country": runner[2], "priority": runner[0], "leverage": runner[1]}
    return pick


def _routes(flows: dict[str, JSONObject], country: str) -> list[str]:
    """The links through a country that carry flow to the destination, per commodity."""
    routes = []
    for commodity, flow in sorted(flows.items()):
        for tail, heads in sorted(flow.items()):
            for head, amount in sorted(heads.items()):
                ends = (tail.split(">")[0], head.split(">")[0])
                if amount > 0 and tail.endswith(">out") and country in ends:
                    routes.append(f"{ends[0]} -> {ends[1]} ({commodity}, {amount:g})")
    return routes


def _weakest(result: CountryResult | None, count: int = 3) -> tuple[list[JSONObject], list[JSONObject]]:
    """The lowest-scoring criteria and the interventions their short-falling rules recommend."""
    if result is None:
        return [], []
    criteria = [node for goal in result.goals for node in goal.children if node.score is not None and node.score < 100]
    criteria.sort(key=lambda node: (node.score, node.id))
    weakest = criteria[:count]
    interventions: dict[str, JSONObject] = {}
    for criterion in weakest:
        for rule in criterion.children:
            for item in rule.interventions:
                interventions.setdefault(item["id"], item)
    return ([{"id": c.id, "title": c.title, "score": c.score} for c in weakest], list(interventions.values()))
