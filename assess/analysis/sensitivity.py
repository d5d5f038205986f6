"""``assess sensitivity``: how stable the ranking is when weights and unknown facts are uncertain.

Monte Carlo over the rule set. In every sample:

- every rule, criterion and goal weight is multiplied by a factor drawn uniformly from
  [1 - spread, 1 + spread] (means renormalise them), and where a level declares
  ``alternative_methods`` its method is drawn among them;
- every rule whose facts are unknown takes a score drawn from its distribution under the priors
  of those facts (the engine's estimates; exact per rule), or, where the rule set declares an
  unknown not to be estimated, uniformly within its bounds (its score with the unknowns at their
  worst and best); draws are independent across rules;
- a cap whose condition is unknown applies in half of the samples.

Known rule scores do not depend on weights, so they come once from the engine; the roll-up
(weighted, geometric or minimum means, caps) is vectorised with NumPy over samples x
countries x nodes, in chunks that bound memory. Rules and levels outside their window of
applicability take no part. Per country: the engine's nominal rank, the median rank, the 5-95%
rank interval, and the criteria whose weight moves its rank most (correlation of the
criterion's weight factor with the rank).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..engine.compile import CompiledNode, CompiledRule, Program
from ..engine.conditions import Snapshot
from ..engine.results import Assessment, JSONObject
from ..errors import UsageError

CELLS_PER_CHUNK = 20_000_000  # samples x countries x rules held at once: about 160 MB of floats
MAX_RANKS = 50_000_000  # samples x countries kept for the percentiles: 400 MB of floats
METHODS = ("weighted_mean", "geometric_mean", "minimum")
Pick = Callable[[tuple[int, ...]], np.ndarray]


@dataclass
class CountrySensitivity:
    country: str
    nominal_rank: int | None
    median_rank: float | None
    low_rank: float | None  # 5th percentile (best)
    high_rank: float | None  # 95th percentile (worst)
    known_share: float  # share of its weight whose facts are known (the rest is sampled within bounds)
    drivers: list[tuple[str, float]]  # criterion, correlation of its weight with the rank (rank 1 = best)

    def to_json(self) -> JSONObject:
        data = dict(vars(self))
        data["drivers"] = [{"criterion": name, "correlation": value} for name, value in self.drivers]
        return data


@dataclass
class Sensitivity:
    samples: int
    spread: float
    seed: int
    countries: list[CountrySensitivity]

    def to_json(self) -> JSONObject:
        return {"samples": self.samples, "spread": self.spread, "seed": self.seed,
                "countries": [c.to_json() for c in self.countries]}


@dataclass
class _Node:
    """One aggregate node, as arrays: where its children are, their weights, its method choices."""

    children: np.ndarray  # indices into the level below
    weights: np.ndarray
    methods: tuple[int, ...]  # the method and its declared alternatives
    applicable: bool  # False outside its declared window: it takes no part


def _levels(program: Program) -> list[list[CompiledNode]]:
    """Aggregate nodes by depth, deepest first; the root is the last level. Rules that sit higher
    than others (a goal of rules beside a goal of groups) are wrapped in one-child levels, which
    pass their score through unchanged, so that every level holds one kind of child."""
    levels: list[list[CompiledNode]] = [[_padded(program.root, _depth(program.root))]]
    while any(isinstance(child, CompiledNode) for child in levels[-1][0].children):
        levels.append([child for node in levels[-1] for child in node.children if isinstance(child, CompiledNode)])
    return levels[::-1]


def _depth(node: CompiledNode) -> int:
    """How many levels of aggregates lie between the node and its deepest rule."""
    return 1 + max((_depth(child) for child in node.children if isinstance(child, CompiledNode)), default=0)


def _padded(node: CompiledNode, depth: int) -> CompiledNode:
    """The node with every rule pushed down to ``depth`` levels below it."""
    children: list[CompiledNode | CompiledRule] = []
    for child in node.children:
        if isinstance(child, CompiledNode):
            children.append(_padded(child, depth - 1))
            continue
        wrapped: CompiledNode | CompiledRule = child
        for _ in range(depth - 1):
            wrapped = CompiledNode("criterion", child.path, child.rule.title, child.rule.weight, "weighted_mean", (),
                                   False, None, (), (wrapped,))
        children.append(wrapped)
    return dataclasses.replace(node, children=tuple(children))


def _structure(program: Program, year: int) -> tuple[list[list[_Node]], list[list[CompiledNode]]]:
    """Each level's nodes as arrays, indexing into the level below (the rules, for the first)."""
    levels = _levels(program)
    index = {id(rule): i for i, rule in enumerate(program.rules)}
    arrays = []
    for level in levels:
        arrays.append([_Node(np.array([index[id(child)] for child in node.children]),
                             np.array([_weight(child) for child in node.children]), _methods(node),
                             node.window is None or node.window.applies(year))
                       for node in level])
        index = {id(node): i for i, node in enumerate(level)}
    return arrays, levels


def _weight(child: CompiledNode | CompiledRule) -> float:
    return child.rule.weight if isinstance(child, CompiledRule) else child.weight


def _methods(node: CompiledNode) -> tuple[int, ...]:
    return tuple(dict.fromkeys(METHODS.index(m) for m in [node.method, *node.alternative_methods]))


def _combine(values: np.ndarray, weights: np.ndarray, method: np.ndarray) -> np.ndarray:
    """Roll children up to (samples x countries), as ``aggregate`` does with full knowledge.

    ``values`` are (samples x countries x n); NaN marks a child that is not applicable, which
    takes no part (a node with none is NaN in turn). Weights are (samples x n). Only the methods
    some sample uses are computed.
    """
    present = ~np.isnan(values)
    complete = bool(present.all())  # the usual case: no copies to mask what is not applicable
    filled = values if complete else np.where(present, values, 0.0)

    def weighted_sum(data: np.ndarray) -> np.ndarray:
        summed: np.ndarray = np.einsum("sn,scn->sc", weights, data)
        return summed

    present_weight = weighted_sum(present.astype(float))
    low = (values if complete else np.where(present, values, np.inf)).min(axis=-1)
    high = (values if complete else np.where(present, values, -np.inf)).max(axis=-1)
    score = np.zeros_like(present_weight)
    with np.errstate(divide="ignore", invalid="ignore"):
        if (method == 0).any():
            score = np.where(method[:, None] == 0, weighted_sum(filled) / present_weight, score)
        if (method == 1).any():
            logs = np.where(present, np.log(np.maximum(values, 1e-300)), 0.0)
            geometric = np.exp(weighted_sum(logs) / present_weight)
            has_zero = (present & (filled <= 0)).any(axis=-1)
            geometric = np.where(has_zero, 0.0, geometric)
            score = np.where(method[:, None] == 1, geometric, score)
        if (method == 2).any():
            score = np.where(method[:, None] == 2, np.broadcast_to(low, score.shape), score)
        score = np.clip(score, low, high)
    return np.where(present_weight > 0, score, np.nan)


def _cap_bounds(levels: list[list[CompiledNode]], snapshots: list[Snapshot]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per level, each country's lowest cap on each node (countries x nodes; inf: none): the caps
    whose condition holds, and those whose condition is unknown."""
    holding, possible = [], []
    for level in levels:
        sure, maybe = np.full((len(snapshots), len(level)), np.inf), np.full((len(snapshots), len(level)), np.inf)
        for c, snapshot in enumerate(snapshots):
            for n, node in enumerate(level):
                for cap in node.caps:
                    holds = cap.condition.test(snapshot)
                    target = sure if holds else maybe if holds is None else None
                    if target is not None:
                        target[c, n] = min(target[c, n], cap.cap.max_score)
        holding.append(sure)
        possible.append(maybe)
    return holding, possible


def sensitivity(program: Program, assessment: Assessment, snapshots: list[Snapshot], samples: int = 10_000,
                spread: float = 0.25, seed: int = 0, progress: Callable[[int, int], None] | None = None) -> Sensitivity:
    if samples * max(1, len(assessment.countries)) > MAX_RANKS:
        raise UsageError(f"{samples:,} samples x {len(assessment.countries)} countries would hold more than "
                         f"{MAX_RANKS:,} ranks in memory; use at most {MAX_RANKS // max(1, len(assessment.countries)):,} samples")
    rng = np.random.default_rng(seed)
    model = WeightModel(program, assessment, snapshots)
    countries = [c.country for c in assessment.countries]
    ranks = np.empty((samples, len(countries)))
    correlations = _Correlations(len(model.names), len(countries))
    chunk = max(1, CELLS_PER_CHUNK // max(1, model.point.size))
    buffer = np.empty((min(chunk, samples), *model.point.shape))  # one allocation: fresh pages cost more than the sums
    for done in range(0, samples, chunk):
        size = min(chunk, samples - done)
        factors = [rng.uniform(1 - spread, 1 + spread, size=(size, n)) for n in model.sizes]

        def pick(methods: tuple[int, ...], size: int = size) -> np.ndarray:
            return rng.choice(np.array(methods), size=size)

        rules = model.draw_rules(rng.random(out=buffer[:size]))
        coins = [rng.random((size, *caps.shape)) < 0.5 for caps in model.possible_caps]
        batch = _rank(model.overall(factors, pick, rules, coins))
        ranks[done:done + size] = batch
        correlations.add(factors[1], batch)
        if progress:
            progress(done + size, samples)
    nominal = assessment.ranks() if assessment.rank_by is None else {}  # of the overall score: equal ones share
    drivers = correlations.result()
    results = [_summary(code, nominal.get(code), ranks[:, c], drivers[:, c], model.names, result.overall.coverage)
               for c, (code, result) in enumerate(zip(countries, assessment.countries, strict=True))]
    results.sort(key=lambda r: (r.nominal_rank is None, r.nominal_rank or 0, r.country))
    return Sensitivity(samples, spread, seed, results)


class WeightModel:
    """Rule scores and bounds (from the engine) and the hierarchy above them, ready to roll up for
    any weights and any draw of the unknown rules (from their priors, else within their bounds)."""

    def __init__(self, program: Program, assessment: Assessment, snapshots: list[Snapshot]) -> None:
        rules = [country.rules() for country in assessment.countries]

        def array(pick: Callable[..., float | None]) -> np.ndarray:
            return np.array([[np.nan if (v := pick(rule)) is None else v for rule in row] for row in rules], dtype=float)

        self.point, self.low, self.high = (array(lambda r, key=key: getattr(r, key)) for key in ("score", "low", "high"))
        self.unknown = np.isnan(self.point) & ~np.isnan(self.low)  # applicable rules with unknown facts
        self.unknown_low = self.low[self.unknown]
        self.unknown_span = (self.high - self.low)[self.unknown]
        self.priors = _rule_priors(assessment, snapshots, [node.id for node in rules[0]] if rules else [], self.unknown)
        self.levels, nodes = _structure(program, assessment.stamp.year)
        self.holding_caps, self.possible_caps = _cap_bounds(nodes, snapshots)
        # weights are perturbed for the rules and every level but the root (whose own weight is moot)
        self.sizes = (self.point.shape[1], *(len(level) for level in self.levels[:-1]))
        # drivers are the nodes just above the rules (criteria): the weights rule authors argue over
        self.names = [node.id for node in nodes[0]]

    def draw_rules(self, uniform: np.ndarray) -> np.ndarray:
        """Rule scores for a batch of samples: known ones as they are, unknown ones drawn from their
        scores' distribution under the priors of their facts (where none is estimated, uniformly
        within their bounds). Written over ``uniform`` (samples x countries x rules, in [0, 1)),
        which is returned."""
        from_priors = [(rule, rows, cells[_inverse_cdf_rows(cumulative, uniform[:, rows, rule])])
                       for rule, (rows, cells, cumulative) in self.priors.items()]
        drawn = self.unknown_low + uniform[:, self.unknown] * self.unknown_span
        uniform[...] = self.point
        uniform[:, self.unknown] = drawn
        for rule, rows, values in from_priors:
            uniform[:, rows, rule] = values
        return uniform

    def overall(self, factors: list[np.ndarray], pick: Pick, rules: np.ndarray, coins: list[np.ndarray]) -> np.ndarray:
        """Overall scores (samples x countries) for the given weight factors, method picks, rule scores
        (samples x countries x rules) and, per level, which uncertain caps apply."""
        values = rules
        for level, sure, maybe, applies, level_factors in zip(self.levels, self.holding_caps, self.possible_caps, coins,
                                                               factors, strict=True):
            values = _level(values, level, level_factors, pick)
            if np.isfinite(maybe).any():  # caps whose condition is unknown apply where the coin says so
                values = np.minimum(values, np.where(applies, np.minimum(sure, maybe)[None], sure[None]))
            elif np.isfinite(sure).any():  # most levels have no cap at all: nothing to lower
                values = np.minimum(values, sure[None])
        return values[..., 0]


def _rule_priors(assessment: Assessment, snapshots: list[Snapshot], paths: list[str],
                 unknown: np.ndarray) -> dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """For each rule (by column), the countries whose unknown score has a distribution under the
    priors, the rule's possible scores and their cumulative probabilities for those countries."""
    estimates = assessment.estimates
    if estimates is None or estimates.estimator is None or not paths:
        return {}
    rows = [(country.country, snapshot) for country, snapshot in zip(assessment.countries, snapshots, strict=True)]
    distributions = estimates.estimator.rule_distributions(rows)
    priors = {}
    for rule, path in enumerate(paths):
        if path not in distributions:
            continue
        cells, cumulative = distributions[path]
        scored = ~np.isnan(cells)
        estimated = unknown[:, rule] & (cumulative[:, scored.sum() - 1] > 1 - 1e-9 if scored.any() else False)
        members = np.flatnonzero(estimated)
        if len(members):
            priors[rule] = (members, cells[scored], cumulative[members][:, scored])
    return priors


def _inverse_cdf_rows(cumulative: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    """For uniforms (samples x rows) and each row's cumulative probabilities (rows x values), the
    index of the value each draw falls on."""
    thresholds = cumulative[None, :, :-1]
    picked: np.ndarray = (uniform[:, :, None] >= thresholds).sum(axis=-1)
    return picked


def _level(values: np.ndarray, level: list[_Node], factors: np.ndarray, pick: Pick) -> np.ndarray:
    """Every node of one level for a batch of samples: (samples x countries x nodes)."""
    combined = np.empty((*values.shape[:2], len(level)))
    for k, node in enumerate(level):
        method = np.asarray(pick(node.methods))  # drawn for every node, in order, so the samples stay the same
        combined[..., k] = (_combine(values[..., node.children], node.weights[None] * factors[:, node.children], method)
                            if node.applicable else np.nan)
    return combined


def _rank(overall: np.ndarray) -> np.ndarray:
    """Rank 1 = best in each sample; ties by country order (ISO); a country with nothing applicable = NaN."""
    key = np.where(np.isnan(overall), np.inf, -overall)
    order = np.argsort(key, axis=1, kind="stable")
    ranks = np.empty_like(overall)
    np.put_along_axis(ranks, order, np.arange(1, overall.shape[1] + 1, dtype=float)[None].repeat(len(overall), 0), axis=1)
    return np.where(np.isnan(overall), np.nan, ranks)


class _Correlations:
    """Running sums for the correlation of each criterion's weight factor with each country's rank."""

    def __init__(self, criteria: int, countries: int) -> None:
        self.n = np.zeros(countries)
        self.r = np.zeros(countries)
        self.rr = np.zeros(countries)
        self.m = np.zeros((criteria, countries))
        self.mm = np.zeros((criteria, countries))
        self.mr = np.zeros((criteria, countries))

    def add(self, factors: np.ndarray, ranks: np.ndarray) -> None:
        valid = (~np.isnan(ranks)).astype(float)
        filled = np.nan_to_num(ranks)
        self.n += valid.sum(axis=0)
        self.r += filled.sum(axis=0)
        self.rr += (filled ** 2).sum(axis=0)
        self.m += factors.T @ valid
        self.mm += (factors ** 2).T @ valid
        self.mr += factors.T @ filled

    def result(self) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            cov = self.n * self.mr - self.m * self.r
            var = (self.n * self.mm - self.m ** 2) * (self.n * self.rr - self.r ** 2)
            return np.where(var > 0, cov / np.sqrt(np.maximum(var, 0)), np.nan)


def _summary(code: str, nominal: int | None, column: np.ndarray, correlation: np.ndarray, names: list[str],
             known: float) -> CountrySensitivity:
    valid = column[~np.isnan(column)]
    drivers = sorted(((names[k], float(value)) for k, value in enumerate(correlation) if np.isfinite(value)),
                     key=lambda item: (-abs(item[1]), item[0]))[:3]
    if not valid.size:
        return CountrySensitivity(code, nominal, None, None, None, known, drivers)
    low, median, high = np.percentile(valid, [5, 50, 95])
    return CountrySensitivity(code, nominal, float(median), float(low), float(high), known, drivers)
