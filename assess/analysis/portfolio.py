"""A costed portfolio: which packages to fund in which countries with a dollar budget, and what they buy.

A *package* is an intervention of the catalogue offered to partners (assistance or diplomacy)
that declares a cost range per year and the facts it changes. An *option* is a package in one
country on a route to the destination. Its value, in shares of the harm-weighted flow reaching
the destination today, is the flow it would stop (its effects re-scored, the country's capacity
raised, the flows solved again) plus ``capacity_weight`` x the overall points it adds / 100.

The portfolio is chosen greedily by value per expected dollar: fund the best option that fits
the budget left, apply its effects, re-score that country, recompute the flows, repeat. Values
have diminishing returns (a second package on a route stops a share of what the first left), so
greedy never loses value when the budget grows. How far it is from the optimum is measured, not
assumed: the exact 0-1 knapsack over the options' first-round values is solved with a MILP
(scipy/HiGHS) and its selection valued the same way as greedy's.

Every cost and effect in the bundled catalogue is a planner's assumption unless marked sourced;
the output says which, and gives costs and effects as ranges.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import heapq
import itertools
import math
import os
import sys
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..engine.arrays import Estimator
from ..engine.compile import Program, compile_workspace
from ..engine.conditions import Snapshot, compile_condition, iter_fact_tests
from ..engine.evaluate import GoalCache, estimate_columns, rescore_numbers, set_estimates, snapshot
from ..engine.models import Constraint, Intervention
from ..engine.results import Assessment, JSONObject, NodeResult
from ..engine.values import UNKNOWN, display
from ..engine.workspace import Workspace
from .network import FlowModel, FlowState
from .prioritize import Capacity, Routes, interdiction_capacity, routes_toward

VALUE_FLOOR = 1e-9  # an option worth less than this buys nothing
EXACT_SECONDS = 10  # the exact comparison's time limit: past it, the best selection found is compared


@dataclass(frozen=True)
class Scores:
    """What a country scores with a given set of fact values: overall range and capacity."""

    overall: tuple[float, float, float]  # low, point, high
    goals: dict[str, tuple[float, float, float]]
    capacity: Capacity


@dataclass
class CountryState:
    """A country's fact values with the packages funded so far, and what they score."""

    code: str
    name: str
    values: dict[str, Any]
    tree: NodeResult  # the score tree of ``values`` (numbers only)
    scores: Scores
    funded: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Effect:
    """A package applied to one country's facts: the values it leaves, what changed, what they score."""

    package: str
    values: dict[str, Any]
    changes: dict[str, tuple[Any, Any]]  # fact -> (before, after)
    tree: NodeResult
    scores: Scores


@dataclass(frozen=True)
class Option:
    country: str
    package: str
    values: dict[str, Any]  # the country's fact values with this package's effects applied
    changes: dict[str, tuple[Any, Any]]  # fact -> (before, after)
    scores: Scores
    cost: float  # expected US dollars per year
    flow: float  # share of the potential harm-weighted flow it stops, at the point capacities
    flow_low: float  # the same with capacities at the high end of their range (the least it stops)
    flow_high: float  # ... and at the low end
    points: float  # overall points added (point estimate)
    value: float
    value_high: float  # if the country's unknown facts are at their worst: what verifying them could reveal

    @property
    def ratio(self) -> float:
        return self.value / self.cost if self.cost > 0 else math.inf

    @property
    def unverified(self) -> list[str]:
        """The facts it changes that are unknown today: its value rests on their priors."""
        return sorted(fact for fact, (before, _) in self.changes.items() if before is UNKNOWN)


@dataclass
class FundedPick:
    rank: int
    country: str
    name: str
    package: str
    text: str
    kind: str
    lead: str
    channel: str | None
    cost_low_usd: float  # what funding it commits: its yearly cost for every year it runs, undiscounted
    cost_high_usd: float
    cost_usd: float  # expected (the middle of the range): what the budget is charged
    cost_basis: str
    duration_years: float | None
    effects: dict[str, str]  # fact -> "before -> after"
    flow_stopped: float  # share of the harm-weighted flow reaching the destination before the pick
    flow_stopped_low: float
    flow_stopped_high: float
    overall_before: list[float]  # low, point, high
    overall_after: list[float]
    goals: dict[str, JSONObject]  # goals whose scores move: before and after (low, point, high)
    value: float
    value_per_million_usd: float
    spent_usd: float
    flow_after: float
    runner_up: JSONObject | None = None
    why: list[str] = field(default_factory=list)
    # the flow mechanisms of the rules reading the facts it changes (none: it buys score points only)
    mechanisms: list[str] = field(default_factory=list)
    # the facts it changes that are unknown today: its value rests on their priors
    unverified: list[str] = field(default_factory=list)

    def to_json(self) -> JSONObject:
        return dict(vars(self))


@dataclass
class Portfolio:
    destination: str
    year: int
    budget_usd: float
    capacity_weight: float
    baseline_flow: float  # harm-weighted share of the potential flow reaching the destination today
    picks: list[FundedPick]
    options: int  # (country, package) options considered
    exact: JSONObject  # greedy's value against the exact knapsack's selection and an upper bound
    not_profiled: list[str]
    verify_first: list[JSONObject]  # options worth nothing on today's evidence but much if unknown facts are bad
    limits: list[Limit] = field(default_factory=list)  # declared limits on assistance that held (or were waived)
    drivers: list[JSONObject] = field(default_factory=list)  # what moves the headline flow cut, and how far
    over_draws: JSONObject | None = None  # the headline over joint draws of the unknown facts (P10, P50, P90)

    @property
    def spent_usd(self) -> float:
        return math.fsum(pick.cost_usd for pick in self.picks)

    @property
    def value(self) -> float:
        return math.fsum(pick.value for pick in self.picks)

    def by_effect(self) -> dict[str, list[FundedPick]]:
        """The picks by what they do to the flow: ``stops`` some (each through a mechanism it names),
        ``off_route`` (a mechanism, in a country whose flow does not reach the destination) and
        ``points_only`` (no mechanism: laws, memberships, pledges, engagement); the last two are
        bought for their score points alone. Every pick is in exactly one."""
        groups: dict[str, list[FundedPick]] = {"stops": [], "off_route": [], "points_only": []}
        for pick in self.picks:
            groups["stops" if pick.flow_stopped > 0 else "off_route" if pick.mechanisms else "points_only"].append(pick)
        return groups

    def on_priors(self) -> list[FundedPick]:
        """The picks that change a fact unknown today: valued on its prior, to verify before funding."""
        return [pick for pick in self.picks if pick.unverified]

    @property
    def fit_at_high_cost(self) -> int:
        """How many picks, in the order chosen, the budget pays for if every cost comes at the top of its
        range: the ones to fund first, since costs are charged at the middle of their range."""
        return sum(1 for spent in itertools.accumulate(p.cost_high_usd for p in self.picks) if spent <= self.budget_usd)

    def to_json(self) -> JSONObject:
        return {"destination": self.destination, "year": self.year, "budget_usd": self.budget_usd,
                "spent_usd": self.spent_usd,
                "spent_range_usd": [math.fsum(p.cost_low_usd for p in self.picks),
                                    math.fsum(p.cost_high_usd for p in self.picks)],
                "value": self.value, "capacity_weight": self.capacity_weight, "baseline_flow": self.baseline_flow,
                "flow_after": self.picks[-1].flow_after if self.picks else self.baseline_flow,
                "options": self.options, "exact": self.exact, "not_profiled": self.not_profiled,
                "verify_first": self.verify_first, "limits": [limit.to_json() for limit in self.limits],
                "drivers": self.drivers, "over_draws": self.over_draws, "fit_at_high_cost": self.fit_at_high_cost,
                "picks": [pick.to_json() for pick in self.picks]}


def fundable(menu: dict[str, Intervention]) -> dict[str, Intervention]:
    """Packages that can be funded: offered to partners, costed, and changing some fact."""
    return {name: item for name, item in sorted(menu.items())
            if item.kind != "us_internal" and item.cost is not None and item.effects}


def portfolio(workspace: Workspace, assessment: Assessment, budget_usd: float, destination: str = "USA",
              commodity: str | None = None, progress: Callable[[int, int], None] | None = None,
              waived: Collection[str] = ()) -> Portfolio:
    """The packages to fund toward ``destination`` with ``budget_usd`` a year, as of the assessment's year;
    the declared limits on assistance hold except in the ``waived`` countries."""
    planner, countries = planner_for(workspace, assessment, destination, commodity, waived)
    picks, options = planner.greedy(countries, budget_usd, progress)
    exact = planner.compare_with_exact(countries, options, budget_usd, math.fsum(p.value for p in picks))
    return Portfolio(destination, assessment.stamp.year, budget_usd, planner.weight, planner.baseline, picks,
                     len(options), exact, planner.routes.not_profiled, _verify_first(options, picks), planner.limits,
                     planner.drivers(countries, budget_usd), planner.cut_over_draws(countries))


def planner_for(workspace: Workspace, assessment: Assessment, destination: str, commodity: str | None = None,
                waived: Collection[str] = ()) -> tuple[Planner, dict[str, CountryState]]:
    """The planner toward ``destination``, and the countries on its routes as the evidence has them."""
    routes = routes_toward(workspace, assessment, destination, commodity)
    program = compile_workspace(workspace)
    year = assessment.stamp.year
    estimator = assessment.estimates.estimator if assessment.estimates is not None else None
    if estimator is not None:  # what-ifs need expectations (exact for rules), not intervals: fewer draws
        estimator = Estimator(estimator.program, estimator.year, estimator.known, estimator.priors,
                              min(WHAT_IF_DRAWS, estimator.draws), estimator.seed)
    planner = Planner(program, routes, year, fundable(workspace.ruleset.interventions), estimator)
    codes = sorted(routes.candidates)
    values = {code: dict(snapshot(program, workspace.profiles[code], year)[0]) for code in codes}
    # scored on these very values: what-ifs re-score only the goals they touch; estimated on the
    # planner's draws (on copies: the assessment's trees are the assessment's)
    trees = {code: _fresh(routes.candidates[code].result.overall) if estimator else
             routes.candidates[code].result.overall for code in codes}
    if estimator is not None and codes:
        estimated = estimate_columns(estimator.evaluate([(code, values[code]) for code in codes]).nodes)
        for row, code in enumerate(codes):
            set_estimates(trees[code].walk(), estimated, row)
    countries = {code: CountryState(code, routes.candidates[code].name, values[code], trees[code],
                                    planner.scores(trees[code])) for code in codes}
    planner.limits = limits_on(workspace, routes.config.constraints, year, sorted(routes.candidates), waived)
    return planner, countries


@dataclass(frozen=True)
class Limit:
    """A declared limit on assistance that holds for a country this year, or was waived."""

    country: str
    excludes: tuple[str, ...]  # the kinds of package not offered there
    reason: str
    source: str
    waived: bool = False

    def to_json(self) -> JSONObject:
        return {"country": self.country, "excludes": list(self.excludes), "reason": self.reason, "source": self.source,
                "waived": self.waived}


def limits_on(workspace: Workspace, constraints: Sequence[Constraint], year: int, countries: Sequence[str],
              waived: Collection[str] = ()) -> list[Limit]:
    """The declared constraints that hold for each country as of ``year`` (by its facts then)."""
    if not constraints:
        return []
    facts = workspace.ruleset.facts
    found = []
    for code in countries:
        for constraint in constraints:
            values = {name: reading.value for name in _facts_of(constraint)
                      if (reading := workspace.profiles[code].reading(name, year)) is not None
                      and reading.value is not UNKNOWN}
            if compile_condition(constraint.when, facts).test(Snapshot(values, year)):
                found.append(Limit(code, tuple(constraint.excludes), constraint.reason, constraint.source,
                                   code in waived))
    return found


def _facts_of(constraint: Constraint) -> list[str]:
    return [test.fact for _, test in iter_fact_tests(constraint.when)]


UNCERTAINTY_DRAWS = 200  # joint draws the headline's distribution is read from (two flow solves each)
WHAT_IF_DRAWS = 200  # draws behind a what-if's expected goal and overall scores (rules' are exact at any number)


class Planner:
    """Options valued against the flows now; the greedy portfolio; its exact comparison."""

    def __init__(self, program: Program, routes: Routes, year: int, packages: dict[str, Intervention],
                 estimator: Estimator | None = None) -> None:
        """``estimator``: the assessment's, so a what-if is estimated on the draws the country had."""
        self.program, self.routes, self.year, self.packages = program, routes, year, packages
        self.estimator = estimator
        self.limits: list[Limit] = []  # declared limits on assistance that hold this year
        self.funded_capacity = np.zeros(0)  # capacities with the greedy portfolio funded (set by greedy)
        self.funded: dict[str, CountryState] = {}  # the countries with the greedy portfolio funded (set by greedy)
        self.weight = routes.config.portfolio.capacity_weight
        self.specs = program.ruleset.facts
        self.targets = {name: {fact: self.specs[fact].read(raw, allow_unknown=False)
                               for fact, raw in item.effects.items()} for name, item in packages.items()}
        self.baseline = routes.state().total
        self.goals: GoalCache = {}  # goals scored on one set of facts, shared by every country that has them

    def scores(self, tree: NodeResult) -> Scores:
        """The numbers a portfolio weighs, from a score tree."""
        goals = {goal.id: _range(goal) for goal in tree.children if goal.applicable}
        return Scores(_range(tree), goals, interdiction_capacity(tree.children, self.routes.config))

    def effects(self, country: CountryState) -> dict[str, Effect]:
        """Every package not yet funded in the country that changes one of its facts, applied; none of
        a kind a declared limit rules out there (unless waived)."""
        barred = {kind for limit in self.limits if limit.country == country.code and not limit.waived
                  for kind in limit.excludes}
        found = {name: self._applied(country, name) for name in self.packages
                 if name not in country.funded and self.packages[name].kind not in barred}
        applied = {name: change for name, change in found.items() if change is not None}
        trees = self._estimated([(country.code, country.values, values, country.tree, changes)
                                 for values, changes in applied.values()])
        return {name: Effect(name, values, changes, tree, self.scores(tree))
                for (name, (values, changes)), tree in zip(applied.items(), trees, strict=True)}

    def effect(self, country: CountryState, name: str) -> Effect | None:
        """One package applied to the country's facts as they are now (None if it changes none of
        them); independent of the flows, so only funding the country makes it stale."""
        applied = self._applied(country, name)
        if applied is None:
            return None
        values, changes = applied
        tree = self.rescore(country.code, country.values, values, country.tree, changes)
        return Effect(name, values, changes, tree, self.scores(tree))

    def _applied(self, country: CountryState, name: str) -> tuple[dict[str, Any], dict[str, tuple[Any, Any]]] | None:
        """The country's facts with the package's effects, and what changed (None: nothing would)."""
        values = dict(country.values)
        changes = {}
        for fact, target in self.targets[name].items():
            before = values.get(fact, UNKNOWN)
            after = self.specs[fact].raise_to(before, target)
            if after != before:
                values[fact], changes[fact] = after, (before, after)
        return (values, changes) if changes else None

    def rescore(self, code: str, base: Mapping[str, Any], values: dict[str, Any], before: NodeResult,
                changed: Collection[str]) -> NodeResult:
        """The country's tree (``before``, on its ``base`` facts) with ``changed`` facts, and its
        estimates on the same draws as before."""
        return self._estimated([(code, base, values, before, changed)])[0]

    def _estimated(self, items: Sequence[tuple[str, Mapping[str, Any], dict[str, Any], NodeResult, Collection[str]]]
                   ) -> list[NodeResult]:
        """Each (country, its facts before, facts, tree before, changed facts) scored again; its
        estimates evaluated only where the changed facts reach, on the country's own draws."""
        trees = [rescore_numbers(self.program, Snapshot(values, self.year), before, changed, self.goals)
                 for _, _, values, before, changed in items]
        if self.estimator is None or not items:
            return trees
        # the variants of one country's facts (a country's packages) in one call: its base is looked up once
        runs = itertools.groupby(zip(trees, items, strict=True), key=lambda pair: (pair[1][0], id(pair[1][1])))
        for _, run in runs:
            pairs = list(run)
            code, base = pairs[0][1][0], pairs[0][1][1]
            estimated = estimate_columns(self.estimator.what_ifs(code, base, [values for _, (_, _, values, _, _) in pairs]).nodes)
            for row, (tree, (_, _, _, before, _)) in enumerate(pairs):
                # goals scored again may be shared with other countries (the goal cache): estimated on copies
                tree.children = [child if child is old else _fresh(child)
                                 for child, old in zip(tree.children, before.children, strict=True)]
                changed_goals = [child for child, old in zip(tree.children, before.children, strict=True)
                                 if child is not old]
                set_estimates((tree, *(node for goal in changed_goals for node in goal.walk())), estimated, row)
        return trees

    def value_now(self, country: CountryState, effect: Effect, point: FlowState) -> float:
        """An effect's value against the flows now (at the point capacities)."""
        flow = _stopped(point, country.code, country.scores.capacity.point, effect.scores.capacity.point)
        return self._value(flow, effect.scores.overall[1] - country.scores.overall[1])

    def option(self, country: CountryState, effect: Effect, state: FlowState) -> Option:
        """One package in one country, valued against the flows now, with its range over the
        country's own capacity range (as the ranking's leverage range)."""
        before, after = country.scores.capacity, effect.scores.capacity
        flow = _stopped(state, country.code, before.point, after.point)
        flow_low = _stopped(state, country.code, before.high, after.high)
        flow_high = _stopped(state, country.code, before.low, after.low)
        points = effect.scores.overall[1] - country.scores.overall[1]
        _, cost, _ = self.packages[effect.package].commitment_usd()
        return Option(country.code, effect.package, effect.values, effect.changes, effect.scores, cost, flow,
                      flow_low, flow_high, points, self._value(flow, points),
                      self._value(flow_high, effect.scores.overall[0] - country.scores.overall[0]))

    def _value(self, flow: float, points: float) -> float:
        """Flow stopped as a share of today's, plus the points gained at the declared exchange rate."""
        return flow / self.baseline + self.weight * max(0.0, points) / 100 if self.baseline > 0 else 0.0

    def capacities(self, countries: dict[str, CountryState]) -> np.ndarray:
        """Point capacities in the order of the flow model's nodes: ``countries`` as they are, every
        other country on the routes as the evidence has it (0 for the unprofiled)."""
        model = self.routes.model
        capacity = np.zeros(len(model.nodes))
        for code, candidate in self.routes.candidates.items():
            capacity[model.index[code]] = candidate.capacity.point
        for code, country in countries.items():
            capacity[model.index[code]] = country.scores.capacity.point
        return capacity

    def greedy(self, countries: dict[str, CountryState], budget: float,
               progress: Callable[[int, int], None] | None = None) -> tuple[list[FundedPick], list[Option]]:
        """Fund the best value per dollar that fits, apply it, recompute; until nothing that fits adds value.
        Also returns the first round's options (for the exact comparison and the list to verify).

        Evaluated lazily: a value computed against earlier flows bounds the value now (returns
        diminish), so an option is re-valued only when it reaches the top of the queue, and one
        that is still the best once re-valued is the best of all: the same picks as re-valuing
        every option every round, at a fraction of the cost. Displacement breaks the bound where a
        package stops flow another one displaced (its value then rises); such gains are found only
        when the option is re-valued, and the exact comparison measures what that costs."""
        countries = {code: _copy(state) for code, state in countries.items()}
        effects: dict[str, dict[str, Effect | None]] = {code: dict(self.effects(country))
                                                        for code, country in countries.items()}
        model = self.routes.model
        capacity = self.capacities(countries)  # updated one country at a time as packages are funded
        market = capacity.copy()  # what is stopped beyond today's capacities is partly displaced
        state = model.state_of(capacity)
        first_round = [self.option(countries[code], effect, state) for code in sorted(effects)
                       for effect in effects[code].values() if effect is not None]
        costs = {name: item.commitment_usd()[1] for name, item in self.packages.items() if item.cost is not None}
        queue = _Queue(costs)
        for option in first_round:
            if option.value > VALUE_FLOOR:
                queue.push(option.ratio, option.country, option.package)
        picks: list[FundedPick] = []
        left = budget

        # the number of packages funded in the country when each effect was applied: funding it makes them stale
        applied = {(code, name): 0 for code in effects for name in effects[code]}

        def best_now() -> tuple[str, str] | None:
            """The best option that fits, valued against the flows now (None when none adds value)."""
            while (top := queue.top(left)) is not None:
                code, package, fresh = top
                if applied[(code, package)] != len(countries[code].funded):
                    effects[code][package] = self.effect(countries[code], package)
                    applied[(code, package)] = len(countries[code].funded)
                effect = effects[code].get(package)
                if effect is None:
                    queue.pop()  # funded, or no longer changes anything
                elif fresh:
                    return code, package
                else:
                    queue.pop()
                    value = self.value_now(countries[code], effect, state)
                    if value > VALUE_FLOOR:
                        queue.push(value / costs[package], code, package)
            return None

        while (chosen := best_now()) is not None:
            code, package = chosen
            queue.pop()
            runner = best_now()
            country = countries[code]
            chosen_effect, runner_effect = effects[code][package], effects[runner[0]][runner[1]] if runner else None
            assert chosen_effect is not None  # best_now() returns only options whose effect is current
            best = self.option(country, chosen_effect, state)
            runner_up = self.option(countries[runner[0]], runner_effect, state) if runner and runner_effect else None
            left -= best.cost
            before = country.scores
            country.values, country.tree, country.scores = best.values, chosen_effect.tree, best.scores
            country.funded.append(package)
            capacity[model.index[code]] = country.scores.capacity.point
            after = model.state_of(capacity, market)
            picks.append(self._pick(len(picks) + 1, best, before, country, state, after, budget - left, runner_up))
            state = after
            queue.new_round()
            if progress:
                progress(round(budget - left), round(budget))
        self.funded_capacity, self.funded = capacity, countries
        return picks, first_round

    def cut_over_draws(self, before: dict[str, CountryState], draws: int = UNCERTAINTY_DRAWS) -> JSONObject | None:
        """The headline (share of the harm-weighted flow the greedy portfolio keeps from the
        destination) over joint draws of the unknown facts: every country on the routes at the
        capacity each draw gives it, before and after the funded packages. Needs ``greedy``."""
        interdiction = self.routes.config.interdiction
        estimator = self.estimator
        if estimator is None or interdiction.mechanisms is None or not before:
            return None
        rules = {rule.path: (rule.rule.mechanism, rule.rule.weight) for rule in self.program.rules
                 if rule.rule.mechanism is not None and rule.rule.applies(self.year)}
        codes = sorted(before)
        model = self.routes.model

        def capacities(states: dict[str, CountryState]) -> np.ndarray:
            """(model nodes, draws) capacities: the mechanism-weighted mean of each country's drawn rule scores."""
            samples = estimator.evaluate([(code, states[code].values) for code in codes], keep_samples=True,
                                         rule_draws=rules).samples
            capacity = np.zeros((len(model.nodes), min(draws, estimator.draws)))
            total = np.zeros(capacity.shape[1])
            mechanisms = np.zeros((len(codes), capacity.shape[1]))
            for mechanism, weight in (interdiction.mechanisms or {}).items():
                members = [(w, samples[path][:, :capacity.shape[1]]) for path, (m, w) in rules.items()
                           if m == mechanism and path in samples]
                if members:
                    mean = sum(w * np.nan_to_num(drawn, nan=100.0) for w, drawn in members) / sum(w for w, _ in members)
                    mechanisms += weight * mean / 100
                    total += weight
            for row, code in enumerate(codes):
                if code in model.index:
                    capacity[model.index[code]] = mechanisms[row] / np.where(total > 0, total, 1.0)
            return capacity

        start, end = capacities(before), capacities(self.funded)
        cuts = []
        for d in range(start.shape[1]):
            arriving = model.state_of(start[:, d]).total
            cuts.append((arriving - model.state_of(end[:, d], start[:, d]).total) / arriving if arriving > 0 else 0.0)
        p10, p50, p90 = np.percentile(cuts, [10, 50, 90])
        return {"draws": len(cuts), "p10": float(p10), "p50": float(p50), "p90": float(p90), "mean": float(np.mean(cuts))}

    def drivers(self, countries: dict[str, CountryState], budget: float) -> list[JSONObject]:
        """What moves the headline (the share of the harm-weighted flow the portfolio keeps from the
        destination) most: each uncertain assumption at its low and its high end (``values``, with
        the headline at each in ``headline``), the others as they are, largest swing first.
        Needs ``greedy`` to have run on ``countries`` and ``budget``."""
        model, config = self.routes.model, self.routes.config
        found = []
        if self.weight > 0:  # the exchange of points for flow decides what the budget buys: what it costs in flow
            found.append({"assumption": f"exchange of score points for flow (declared {self.weight:g} of the flow "
                                        "per 100 points, a planner's assumption; at 0 the budget buys flow only)",
                          "values": ["0", f"{self.weight:g}"],
                          "headline": [self._cut_flow_only(countries, budget), self._cut(model)]})
        calibration = config.interdiction.calibration
        if calibration is not None:
            ends = [self._cut(model.at_effectiveness(e)) for e in (calibration.effectiveness_low,
                                                                  calibration.effectiveness_high)]
            found.append({"assumption": "effectiveness of full capacity (calibrated to published interception rates: "
                                        f"{calibration.removal_low:.0%}-{calibration.removal_high:.0%} of the flow removed)",
                          "values": [f"{calibration.effectiveness_low:.2f}", f"{calibration.effectiveness_high:.2f}"],
                          "headline": ends})
        displacement = config.interdiction.displacement
        if displacement is not None:
            ends = [self._cut(model.with_displacement(share)) for share in (displacement.low, displacement.high)]
            found.append({"assumption": "share of newly stopped flow that traffickers move to the routes around a country "
                                        f"(declared {displacement.share:g}; "
                                        + ("sourced)" if displacement.basis == "sourced" else "an assumption)"),
                          "values": [f"{displacement.low:g}", f"{displacement.high:g}"], "headline": ends})
        volumes = sorted(config.volumes, key=config.volumes.__getitem__)
        if len(volumes) > 1 and model.links:
            ends = [self._cut(model.with_config(config.model_copy(update={"unknown_volume": volume})))
                    for volume in (volumes[0], volumes[-1])]
            found.append({"assumption": f"volume of a link no source sizes (counted as {config.unknown_volume}; an "
                                        "assumption)", "values": [volumes[0], volumes[-1]],
                          "headline": ends})
        return sorted(found, key=lambda driver: -abs(driver["headline"][1] - driver["headline"][0]))

    def _cut_flow_only(self, countries: dict[str, CountryState], budget: float) -> float:
        """The headline of the portfolio the same budget buys when score points are worth nothing."""
        flow_only = copy.copy(self)
        flow_only.weight = 0.0
        flow_only.greedy(countries, budget)
        return flow_only._cut(self.routes.model)

    def _cut(self, model: FlowModel) -> float:
        """The headline in another version of the flow model (same nodes): the greedy portfolio's cut."""
        today = self.capacities({})
        arriving = model.state_of(today).total
        return (arriving - model.state_of(self.funded_capacity, today).total) / arriving if arriving > 0 else 0.0

    def value_of(self, countries: dict[str, CountryState], selection: Sequence[Option]) -> float:
        """The value of funding all of ``selection`` at once: flow stopped and points added, every effect applied."""
        countries = dict(countries)  # copied below where a package changes them
        start = {code: state.scores.overall[1] for code, state in countries.items()}
        market = self.capacities(countries)
        for code in {option.country for option in selection}:
            countries[code] = _copy(countries[code])
        changed: dict[str, set[str]] = {}
        bases = {code: dict(countries[code].values) for code in {option.country for option in selection}}
        for option in selection:
            country = countries[option.country]
            for fact, target in self.targets[option.package].items():
                country.values[fact] = self.specs[fact].raise_to(country.values.get(fact, UNKNOWN), target)
                changed.setdefault(option.country, set()).add(fact)
        for code, facts in changed.items():
            country = countries[code]
            country.tree = self.rescore(code, bases[code], country.values, country.tree, facts)
            country.scores = self.scores(country.tree)
        flow = self.routes.model.state_of(self.capacities(countries), market).total
        points = math.fsum(max(0.0, countries[code].scores.overall[1] - start[code]) for code in countries)
        return (self.baseline - flow) / self.baseline + self.weight * points / 100 if self.baseline > 0 else 0.0

    def compare_with_exact(self, countries: dict[str, CountryState], options: list[Option], budget: float,
                           greedy_value: float) -> JSONObject:
        """Greedy's value against two yardsticks: the exact 0-1 knapsack over the first-round values
        (MILP), valued like greedy's selection; and the fractional knapsack over the same values, an
        upper bound on what any selection could be worth when returns diminish (a selection is then
        worth at most the sum of what its options are worth alone)."""
        options = [o for o in options if o.value > VALUE_FLOOR]
        values, costs = [o.value for o in options], [o.cost for o in options]
        bound = fractional_knapsack(values, costs, budget)
        comparison: JSONObject = {
            "solver": "scipy.optimize.milp (HiGHS), 0-1 knapsack over first-round values",
            "greedy_value": greedy_value, "upper_bound": bound,
            "gap_to_bound": (bound - greedy_value) / bound if bound - greedy_value > VALUE_FLOOR else 0.0,
            "time_limit_s": EXACT_SECONDS, "proven_optimal": False, "value": None, "gap": None, "selection": []}
        solved = exact_knapsack(values, costs, budget)
        if solved is not None:
            chosen, optimal = solved
            selection = [options[i] for i in chosen]
            value = self.value_of(countries, selection)
            comparison.update({"proven_optimal": optimal, "value": value,
                               "gap": (value - greedy_value) / value if value - greedy_value > VALUE_FLOOR else 0.0,
                               "selection": sorted(f"{o.country}:{o.package}" for o in selection)})
        return comparison

    def _pick(self, rank: int, option: Option, before: Scores, country: CountryState, state: FlowState,
              after: FlowState, spent: float, runner: Option | None) -> FundedPick:
        item = self.packages[option.package]
        cost = item.cost
        assert cost is not None
        low, expected, high = item.commitment_usd()
        total = state.total
        goals = {goal: {"before": list(before.goals[goal]), "after": list(after_range)}
                 for goal, after_range in option.scores.goals.items() if before.goals.get(goal) != after_range}
        pick = FundedPick(
            rank, option.country, country.name, option.package, item.text, item.kind, item.lead, item.channel,
            low, high, expected, cost.basis, item.duration_years,
            {fact: f"{display(old)} -> {display(new)}" for fact, (old, new) in option.changes.items()},
            option.flow / total if total > 0 else 0.0, option.flow_low / total if total > 0 else 0.0,
            option.flow_high / total if total > 0 else 0.0, list(before.overall), list(option.scores.overall),
            goals, option.value, option.ratio * 1e6, spent, after.total)
        if runner is not None:
            pick.runner_up = {"country": runner.country, "package": runner.package,
                              "value_per_million_usd": runner.ratio * 1e6}
        pick.mechanisms = sorted({rule.rule.mechanism for rule in self.program.rules if rule.rule.mechanism
                                  and not set(rule.scoring.facts).isdisjoint(option.changes)})
        pick.unverified = option.unverified
        pick.why = _why(pick, self.routes.model.destination)
        return pick


class _Queue:
    """Options by value per dollar (best first, ties by country and package), each marked with the
    round it was valued in: only a value of this round is fresh."""

    def __init__(self, costs: dict[str, float]) -> None:
        self.costs = costs
        self.heap: list[tuple[float, str, str, int]] = []
        self.round = 0

    def push(self, ratio: float, country: str, package: str) -> None:
        # At 12 significant digits: options of the same value tie and go by country and package,
        # not by the last bits of their arithmetic (which vary with the order of summation).
        heapq.heappush(self.heap, (-float(f"{ratio:.12g}"), country, package, self.round))

    def top(self, left: float) -> tuple[str, str, bool] | None:
        """The best option that still fits in ``left`` (those that no longer fit never will)."""
        while self.heap:
            _, country, package, valued = self.heap[0]
            if self.costs[package] <= left * (1 + 1e-12):
                return country, package, valued == self.round
            heapq.heappop(self.heap)
        return None

    def pop(self) -> None:
        heapq.heappop(self.heap)

    def new_round(self) -> None:
        self.round += 1


def fractional_knapsack(values: Sequence[float], costs: Sequence[float], budget: float) -> float:
    """The knapsack's linear relaxation: the best value per dollar first, the last one in part."""
    total, left = 0.0, budget
    for value, cost in sorted(zip(values, costs, strict=True), key=lambda pair: (-pair[0] / pair[1] if pair[1] > 0
                                                                                  else -math.inf)):
        if cost <= left:
            total, left = total + value, left - cost
        else:
            return total + value * left / cost
    return total


def exact_knapsack(values: Sequence[float], costs: Sequence[float], budget: float) -> tuple[list[int], bool] | None:
    """Indices of the 0-1 selection of greatest total value within the budget, and whether the solver
    proved it optimal within its time limit (None if it found no selection at all)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    if not values:
        return [], True
    with _native_stdout_silenced():  # HiGHS prints some debug lines to the process's stdout whatever its options
        result = milp(c=-np.asarray(values, dtype=float), integrality=np.ones(len(values)), bounds=Bounds(0, 1),
                      constraints=LinearConstraint(np.asarray([costs], dtype=float), -np.inf, budget),
                      options={"time_limit": EXACT_SECONDS})
    if result.x is None:
        return None
    return [i for i, x in enumerate(result.x) if x > 0.5], bool(result.status == 0)


@contextlib.contextmanager
def _native_stdout_silenced() -> Iterator[None]:
    """File descriptor 1 pointed at the null device for the block: output from compiled code, which
    Python's ``sys.stdout`` never sees, must not reach a command's results (a JSON document, say)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _fresh(node: NodeResult) -> NodeResult:
    """A copy of a score tree whose nodes can be given estimates (what they share is never changed)."""
    return dataclasses.replace(node, children=[_fresh(child) for child in node.children])


def _copy(state: CountryState) -> CountryState:
    return CountryState(state.code, state.name, dict(state.values), state.tree, state.scores, list(state.funded))


def _range(node: NodeResult) -> tuple[float, float, float]:
    """Low, point (the expected score where estimated) and high."""
    low = node.low if node.low is not None else 0.0
    high = node.high if node.high is not None else 100.0
    point = node.estimate
    return low, point if point is not None else high, high


CAPACITY_NOISE = 1e-12  # capacities estimated again on the same draws agree to this: below it, nothing moved


def _stopped(state: FlowState, country: str, before: float, after: float) -> float:
    """Harm-weighted flow (share of the potential) no longer arriving when the country's capacity
    goes from ``before`` to ``after``, the others as ``state`` holds them."""
    if after <= before + CAPACITY_NOISE:
        return 0.0
    return max(0.0, state.averted(country, after) - state.averted(country, before))


def _verify_first(options: list[Option], picks: list[FundedPick], count: int = 10) -> list[JSONObject]:
    """Options the evidence values at nothing that could be worth much: the facts to verify before funding."""
    funded = {(pick.country, pick.package) for pick in picks}
    open_ = [o for o in options if o.value <= VALUE_FLOOR < o.value_high and (o.country, o.package) not in funded
             and o.unverified]
    # values per dollar equal to 9 significant digits tie (then by country): the order must not turn
    # on the last bits of a float, which a faster design may change
    open_.sort(key=lambda o: (float(f"{-o.value_high / o.cost:.9g}"), o.country, o.package))
    return [{"country": o.country, "package": o.package, "cost_usd": o.cost, "value_high": o.value_high,
             "verify": o.unverified}
            for o in open_[:count]]


def _why(pick: FundedPick, destination: str) -> list[str]:
    moved = ", ".join(f"{goal} {r['before'][1]:.0f} -> {r['after'][1]:.0f}" for goal, r in sorted(pick.goals.items())
                      if round(r["before"][1]) != round(r["after"][1]))
    through = " and ".join(mechanism.replace("_", " ") for mechanism in pick.mechanisms)
    reasons = [f"stops {pick.flow_stopped:.1%} of the harm-weighted flow reaching {destination} through {through} "
               f"({pick.flow_stopped_low:.1%}-{pick.flow_stopped_high:.1%} over the capacity range)"
               if pick.flow_stopped > 0 else
               f"stops no flow to {destination} at the capacity its evidence shows" if pick.mechanisms else
               "stops no flow: it acts through no flow mechanism and buys score points only",
               f"overall {pick.overall_before[1]:.0f} -> {pick.overall_after[1]:.0f}" + (f" ({moved})" if moved else "")]
    if pick.unverified:  # valued as if the country might lack what the package brings: checked first
        reasons.append(f"rests on facts not known today ({', '.join(pick.unverified)}): valued on their priors; "
                       "verify them before funding, since the package adds nothing where the country has it")
    basis = "a sourced cost" if pick.cost_basis == "sourced" else "a planner's assumed cost"
    years = pick.duration_years or 1.0
    reasons.append(f"${pick.cost_low_usd:,.0f}-${pick.cost_high_usd:,.0f} committed ({basis}: "
                   f"${pick.cost_low_usd / years:,.0f}-${pick.cost_high_usd / years:,.0f} a year for {years:g} "
                   f"year{'s' if years != 1 else ''}, undiscounted)")
    return reasons
