"""Where assistance buys the most: leverage on routes, need, and feasibility through partnerships.

For one destination market, the trafficking links active in the as-of year form the flow model
of ``network``: harm-weighted flows that every country on a route thins by its interdiction
capacity. A country's **leverage** is the share of the harm-weighted flow reaching the
destination that closing its capacity gap would stop. **Need** is its capacity gap
(1 - expected overall score / 100); **feasibility** the weight of its ties with the destination.

Capacity is a range, from the goals' score bounds (the score if every unknown fact were at its
worst, and at its best). The ranking uses the goals' expected scores under the priors of the
unknown facts (the engine's estimate, the same for every analysis), never the most favourable
bound; the leverage over the whole range is reported beside it.
Countries with leverage come before countries without unless ``need_only`` asks otherwise, so a
country with no route to the destination is never ranked above one that has one. A greedy
selection picks the highest priority, closes that gap and recomputes the flows, so each pick
reports the flow left after it, and the runner-up it beat. Ties are broken by ISO code.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..engine.models import NetworkConfig, PriorityWeights
from ..engine.results import Assessment, CountryResult, JSONObject, NodeResult
from ..engine.workspace import Network, Workspace
from ..errors import UsageError, did_you_mean
from .network import FlowModel, FlowState, ties_with

LEVERAGE_FLOOR = 1e-6  # below this share of the flow a country has no leverage worth the name


@dataclass(frozen=True)
class Capacity:
    """A country's interdiction capacity (0-1): the range its unknown facts leave, and the point ranked on."""

    low: float
    point: float
    high: float


@dataclass
class Candidate:
    country: str
    name: str
    capacity: Capacity
    need: float  # 1 - overall score / 100 (its high bound where insufficient data)
    feasibility: float
    ties: list[str]
    result: CountryResult


@dataclass
class Pick:
    rank: int
    country: str
    name: str
    priority: float
    # leverage: the share of the harm-weighted flow reaching the destination before the pick that
    # closing the country's gap would stop, at the ranked capacity; then at the high and the low
    # end of its capacity range
    leverage: float
    leverage_low: float
    leverage_high: float
    need: float
    need_by_goal: dict[str, float | None]  # each strategic goal's gap (1 - score / 100); None: insufficient data
    feasibility: float
    capacity_low: float
    capacity: float
    capacity_high: float
    flow_before: float
    flow_after: float
    betweenness: float
    routes: list[str] = field(default_factory=list)
    ties: list[str] = field(default_factory=list)
    weakest: list[JSONObject] = field(default_factory=list)
    interventions: list[JSONObject] = field(default_factory=list)
    runner_up: JSONObject | None = None
    why: list[str] = field(default_factory=list)

    def to_json(self) -> JSONObject:
        return dict(vars(self))


@dataclass
class Prioritization:
    destination: str
    year: int
    commodities: list[str]
    baseline_flow: float  # harm-weighted share of the potential flow that reaches the destination
    picks: list[Pick]
    not_profiled: list[str]  # countries on routes that have no profile, so no scores
    weights: PriorityWeights
    harm: dict[str, float]
    need_only: bool = False
    # the baseline at the calibrated effectiveness's high and low end (None: no calibration declared)
    baseline_range: tuple[float, float] | None = None

    def to_json(self) -> JSONObject:
        return {"destination": self.destination, "year": self.year, "commodities": self.commodities,
                "harm": self.harm, "need_only": self.need_only, "baseline_flow": self.baseline_flow,
                "baseline_flow_range": None if self.baseline_range is None else list(self.baseline_range),
                "picks": [p.to_json() for p in self.picks],
                "curve": [{"picks": 0, "flow": self.baseline_flow}]
                + [{"picks": p.rank, "flow": p.flow_after} for p in self.picks],
                "not_profiled": self.not_profiled, "weights": self.weights.model_dump()}


@dataclass
class Routes:
    """The flow model toward one destination and the profiled countries on its routes."""

    config: NetworkConfig
    model: FlowModel
    candidates: dict[str, Candidate]
    not_profiled: list[str]

    def state(self, capacity: dict[str, float] | None = None) -> FlowState:
        """The flows with every candidate at its ranked capacity, or as given."""
        capacities = self.ranked_capacities.copy()
        for node, value in (capacity or {}).items():
            if node in self.model.index:
                capacities[self.model.index[node]] = value
        return self.model.state_of(capacities)

    @functools.cached_property
    def ranked_capacities(self) -> np.ndarray:
        """Every node's ranked capacity, in the model's node order (0 for nodes without a profile)."""
        return np.array([self.candidates[node].capacity.point if node in self.candidates else 0.0
                         for node in self.model.nodes])


def routes_toward(workspace: Workspace, assessment: Assessment, destination: str, commodity: str | None = None,
                  reference: Routes | None = None) -> Routes:
    """The flow model of the links active in the assessment's year, with its candidates; flows are
    measured against ``reference``'s potential where given (a scenario against its baseline)."""
    config, network = network_of(workspace, destination, commodity)
    year = assessment.stamp.year
    active = network.active_links(year)
    if commodity is not None:
        wanted = {commodity} | {chain.precursor for chain in config.chains if chain.product == commodity}
        active = [link for link in active if link.commodity in wanted]
    countries = {node for link in active for node in (link.from_, link.to) if node not in network.regions}
    model = FlowModel(active, destination, config, countries, reference.model if reference else None)
    on_routes = sorted(node for node in model.route_nodes() if node in countries and node != destination)
    results = {result.country: result for result in assessment.countries if result.kind == "country"}
    ties = ties_with(workspace, destination, year)
    candidates = {code: _candidate(results[code], config, ties.get(code, set()))
                  for code in on_routes if code in results}
    return Routes(config, model, candidates, [code for code in on_routes if code not in results])


def prioritize(workspace: Workspace, assessment: Assessment, destination: str = "USA",
               commodity: str | None = None, budget: int | None = None, need_only: bool = False,
               progress: Callable[[int, int], None] | None = None) -> Prioritization:
    """The ranked assistance list for one destination market as of the assessment's year."""
    routes = routes_toward(workspace, assessment, destination, commodity)
    baseline, picks = select(routes, budget, need_only, progress)
    harm = {c: routes.model.harm[c] for c in routes.model.commodities}
    return Prioritization(destination, assessment.stamp.year, routes.model.commodities, baseline, picks,
                          routes.not_profiled, routes.config.priority.weights, harm, need_only, baseline_range(routes))


def baseline_range(routes: Routes) -> tuple[float, float] | None:
    """The harm-weighted share arriving with every candidate at its capacity, at the calibrated
    effectiveness's high end and at its low end."""
    calibration = routes.config.interdiction.calibration
    if calibration is None:
        return None
    capacity = routes.ranked_capacities
    ends = [routes.model.at_effectiveness(effectiveness).state_of(capacity).total
            for effectiveness in (calibration.effectiveness_high, calibration.effectiveness_low)]
    return ends[0], ends[1]


def select(routes: Routes, budget: int | None = None, need_only: bool = False,
           progress: Callable[[int, int], None] | None = None) -> tuple[float, list[Pick]]:
    """Greedy selection: pick the highest priority, close its gap, recompute the flows."""
    closed: dict[str, float] = {}
    state = routes.state()
    baseline, centrality = state.total, routes.model.betweenness()
    table = _Standings(routes)
    remaining = np.ones(len(table.codes), dtype=bool)
    steps = len(table.codes) if budget is None else min(budget, len(table.codes))
    picks = []
    for step in range(1, steps + 1):
        best, runner = table.top_two(state, remaining, need_only)
        closed[best.country] = 1.0
        after = routes.state(closed)
        picks.append(_pick(step, routes, best, state, after, centrality, runner))
        state = after
        remaining[table.position[best.country]] = False
        if progress:
            progress(step, steps)
    return baseline, picks


@dataclass(frozen=True)
class _Standing:
    country: str
    priority: float
    leverage: float
    leverage_low: float
    leverage_high: float


class _Standings:
    """Every candidate's leverage (and its range over the capacity's range) and priority given the
    flows now, as arrays over the candidates in code order: re-ranked after each pick without a
    Python pass over thousands of candidates."""

    def __init__(self, routes: Routes) -> None:
        self.codes = sorted(routes.candidates)
        self.position = {code: i for i, code in enumerate(self.codes)}
        candidates = [routes.candidates[code] for code in self.codes]
        self.index = routes.model.interdicting(self.codes)
        self.point, self.low, self.high = (np.array([getattr(c.capacity, end) for c in candidates])
                                           for end in ("point", "low", "high"))
        weights = routes.config.priority.weights
        # the same operations, in the same order, as one candidate's sum: the same bits
        self.fixed = (np.array([weights.need * c.need for c in candidates]),
                      np.array([weights.feasibility * c.feasibility for c in candidates]))
        self.leverage_weight = weights.leverage
        # Leverage enters on 0-1, as need and feasibility do: against the largest any candidate has on
        # today's flows (one scale for every round, so priorities compare down the list). As a bare
        # share of the flow (12% for Mexico, under 3% for the rest) its weight counted for less than a
        # tenth of the same weight on need or feasibility, and leverage did not lead.
        self.largest: float | None = None

    def leverage(self, state: FlowState, among: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Leverage at the ranked capacity, and at the high and the low end of the capacity range."""
        index = self.index[among]
        closed = state.averted_at(index, np.ones(len(index)))

        def leverage_from(capacities: np.ndarray) -> np.ndarray:
            """(flow with each country at that capacity - flow with its gap closed) / flow at that capacity."""
            averted = state.averted_at(index, capacities)
            at = state.total - averted
            gained = np.maximum(0.0, closed - averted) + 0.0  # + 0.0: never a negative zero
            leverage: np.ndarray = np.where(at > 0, gained / np.where(at > 0, at, 1.0), 0.0)
            return leverage

        return leverage_from(self.point[among]), leverage_from(self.high[among]), leverage_from(self.low[among])

    def top_two(self, state: FlowState, remaining: np.ndarray, need_only: bool) -> tuple[_Standing, _Standing | None]:
        """The best remaining candidate and the runner-up: those with leverage first, then by
        priority, ties by code."""
        among = np.flatnonzero(remaining)
        points, lows, highs = self.leverage(state, among)
        if self.largest is None:  # the first round: every candidate, on today's flows
            self.largest = float(points.max()) if len(points) else 0.0
        relative = points / self.largest if self.largest > 0 else np.zeros_like(points)
        priority = self.leverage_weight * relative + self.fixed[0][among] + self.fixed[1][among]
        without_route = (points <= LEVERAGE_FLOOR) & (not need_only)
        order = np.lexsort((np.arange(len(among)), -priority, without_route))[:2].tolist()
        top = [_Standing(self.codes[among[k]], float(priority[k]), float(points[k]), float(lows[k]), float(highs[k]))
               for k in order]
        return top[0], top[1] if len(top) > 1 else None


def leverages(routes: Routes, state: FlowState | None = None) -> dict[str, float]:
    """Every candidate's leverage (share of the flow now that closing its gap would stop)."""
    state = routes.state() if state is None else state
    table = _Standings(routes)
    points, _, _ = table.leverage(state, np.arange(len(table.codes)))
    return dict(zip(table.codes, points.tolist(), strict=True))


def network_of(workspace: Workspace, destination: str, commodity: str | None) -> tuple[NetworkConfig, Network]:
    """The network, once the destination and commodity are known to be in it (exit 2 with a suggestion if not)."""
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


def _candidate(result: CountryResult, config: NetworkConfig, ties: set[str]) -> Candidate:
    kinds = sorted(ties)
    feasibility = min(1.0, math.fsum(config.priority.partnership_weights[kind] for kind in kinds))
    need = 1 - _point(result.overall) / 100
    return Candidate(result.country, result.name, interdiction_capacity(result.goals, config), need, feasibility,
                     kinds, result)


def interdiction_capacity(goals: Sequence[NodeResult], config: NetworkConfig) -> Capacity:
    """A country's interdiction capacity (0-1) with the range its bounds allow: the weighted mean,
    over the declared mechanisms, of the scores of the rules that declare each (a rule weighted as
    in its level); or, in a rule set that declares no mechanisms, of the declared goals' scores."""
    interdiction = config.interdiction
    if interdiction.mechanisms is not None:
        rules = [node for goal in goals for node in goal.walk() if node.kind == "rule" and node.applicable]
        weighted = [(weight, [(rule.weight, rule) for rule in rules if rule.mechanism == mechanism])
                    for mechanism, weight in interdiction.mechanisms.items()]
    else:
        by_id = {goal.id: goal for goal in goals if goal.applicable}
        weighted = [(weight, [(1.0, by_id[goal])]) for goal, weight in (interdiction.goals or {}).items()
                    if goal in by_id]
    weighted = [(weight, members) for weight, members in weighted if members]
    total = math.fsum(weight for weight, _ in weighted)
    if total == 0:
        return Capacity(0.0, 1.0, 1.0)

    def mean(score: Callable[[NodeResult], float]) -> float:
        return math.fsum(weight * math.fsum(w * score(node) for w, node in members) / math.fsum(w for w, _ in members)
                         for weight, members in weighted) / total / 100

    return Capacity(mean(lambda g: _or(g.low, 0.0)), mean(_point), mean(lambda g: _or(g.high, 100.0)))


def _point(node: NodeResult) -> float:
    """The expected score under the priors of the unknown facts (what rankings use); without
    estimates, the score where the engine gives one, else the high bound."""
    if node.estimate is not None:
        return node.estimate
    return node.score if node.score is not None else _or(node.high, 100.0)


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def _pick(rank: int, routes: Routes, standing: _Standing, before: FlowState, after: FlowState,
          centrality: dict[str, float], runner: _Standing | None) -> Pick:
    candidate = routes.candidates[standing.country]
    result = candidate.result
    gaps = {goal.id: None if goal.score is None else 1 - goal.score / 100 for goal in result.goals}
    capacity = candidate.capacity
    pick = Pick(rank, candidate.country, candidate.name, standing.priority, standing.leverage, standing.leverage_low,
                standing.leverage_high, candidate.need, gaps, candidate.feasibility, capacity.low, capacity.point,
                capacity.high, before.total, after.total, centrality.get(candidate.country, 0.0), ties=candidate.ties)
    pick.routes = [route.text() for route in before.routes(candidate.country)]
    pick.weakest, pick.interventions = _weakest(result, routes.config)
    if runner is not None:
        pick.runner_up = {"country": runner.country, "priority": runner.priority, "leverage": runner.leverage}
    pick.why = _why(pick, routes.model.destination)
    return pick


def _why(pick: Pick, destination: str) -> list[str]:
    """The reasons a planner reads, in the order they weigh."""
    reasons = []
    span = "" if pick.leverage_high - pick.leverage_low < 5e-4 else \
        f" ({pick.leverage_low:.1%}-{pick.leverage_high:.1%} over what its unknown facts allow)"
    if pick.leverage > LEVERAGE_FLOOR:
        reasons.append(f"closing its gap stops {pick.leverage:.1%} of the harm-weighted flow reaching {destination}{span}")
    elif pick.leverage_high > LEVERAGE_FLOOR:
        reasons.append(f"no leverage at the capacity its evidence shows{span}: learn its unknown facts first")
    else:
        reasons.append(f"no route to {destination} it could thin: ranked on need and ties only")
    capacity = f"{pick.capacity:.2f}" + ("" if pick.capacity_high - pick.capacity_low < 5e-3
                                         else f" ({pick.capacity_low:.2f}-{pick.capacity_high:.2f})")
    reasons.append(f"interdiction capacity {capacity}; overall gap {pick.need:.0%}")
    if pick.ties:
        reasons.append(f"ties with {destination}: {', '.join(pick.ties)}")
    return reasons


def _weakest(result: CountryResult, config: NetworkConfig, count: int = 3) -> tuple[list[JSONObject], list[JSONObject]]:
    """The criteria that cost the country most points (weight in the overall score x the gap to 100)
    and the interventions offered to partners that their short-falling rules recommend (US-internal
    measures are not offered). A low score on a light criterion matters less than a middling one on
    a heavy criterion."""
    criteria = [node for goal in result.goals for node in goal.children if node.score is not None and node.score < 100]
    criteria.sort(key=lambda node: (-node.effective_weight * (100 - (node.score or 0.0)), node.id))
    weakest = criteria[:count]
    interventions: dict[str, JSONObject] = {}
    for criterion in weakest:
        for rule in criterion.children:
            for item in rule.interventions:
                if item.get("kind") != "us_internal":
                    interventions.setdefault(str(item["id"]), item)
    return ([{"id": c.id, "title": c.title, "score": c.score, "points_lost": c.effective_weight * (100 - (c.score or 0.0))}
             for c in weakest], list(interventions.values()))
