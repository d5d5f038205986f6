"""``assess sensitivity``: how stable the ranking is when the weights are uncertain.

Monte Carlo over the rule set: every rule, criterion and goal weight is multiplied by a
factor drawn uniformly from [1 - spread, 1 + spread] (means renormalise them), and where a
level declares ``alternative_methods`` its method is drawn among them. Rule scores do not
depend on weights, so they are computed once; the roll-up (coverage threshold, weighted,
geometric or minimum means, caps) is vectorised with NumPy over samples x countries. Per
country: nominal rank, median rank, the 5-95% rank interval, and the criteria whose weight
moves its rank most (correlation of the criterion's weight factor with the rank).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..engine.aggregate import EPSILON
from ..engine.compile import CompiledNode, CompiledRule, Program
from ..engine.conditions import Snapshot
from ..engine.results import JSONObject

CHUNK = 1000  # samples per vectorised batch: bounds memory at about C x 1000 x children floats
METHODS = ("weighted_mean", "geometric_mean", "minimum")


@dataclass
class CountrySensitivity:
    country: str
    nominal_rank: int | None
    median_rank: float | None
    low_rank: float | None  # 5th percentile (best)
    high_rank: float | None  # 95th percentile (worst)
    scored_share: float  # share of samples with a score (not insufficient data)
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


def _levels(program: Program) -> list[list[CompiledNode]]:
    """Aggregate nodes by depth, deepest first; the root is the last level."""
    levels: list[list[CompiledNode]] = [[program.root]]
    while any(isinstance(child, CompiledNode) for child in levels[-1][0].children):
        levels.append([child for node in levels[-1] for child in node.children if isinstance(child, CompiledNode)])
    return levels[::-1]


def _structure(program: Program) -> tuple[list[list[_Node]], list[list[CompiledNode]]]:
    """Each level's nodes as arrays, indexing into the level below (the rules, for the first)."""
    levels = _levels(program)
    index = {id(rule): i for i, rule in enumerate(program.rules)}
    arrays = []
    for level in levels:
        arrays.append([_Node(np.array([index[id(child)] for child in node.children]),
                             np.array([_weight(child) for child in node.children]), _methods(node))
                       for node in level])
        index = {id(node): i for i, node in enumerate(level)}
    return arrays, levels


def _weight(child: CompiledNode | CompiledRule) -> float:
    return child.rule.weight if isinstance(child, CompiledRule) else child.weight


def _methods(node: CompiledNode) -> tuple[int, ...]:
    return tuple(dict.fromkeys(METHODS.index(m) for m in [node.method, *node.alternative_methods]))


def _combine(values: np.ndarray, coverage: np.ndarray, weights: np.ndarray, method: np.ndarray,
             min_coverage: float) -> tuple[np.ndarray, np.ndarray]:
    """Roll children up to (samples x countries), as ``aggregate`` does.

    ``values`` and ``coverage`` are (countries x n) when the children are the same in every
    sample (rule scores), else (samples x countries x n); weights are (samples x n). Only the
    methods some sample uses are computed; the shared case is matrix products.
    """
    shared = values.ndim == 2
    known = ~np.isnan(values)
    filled = np.where(known, values, 0.0)

    def weighted_sum(data: np.ndarray) -> np.ndarray:
        summed: np.ndarray = weights @ data.T if shared else np.einsum("sn,scn->sc", weights, data)
        return summed

    known_weight = weighted_sum(known.astype(float))
    node_coverage = weighted_sum(coverage) / weights.sum(axis=1)[:, None]
    low = np.where(known, values, np.inf).min(axis=-1)
    high = np.where(known, values, -np.inf).max(axis=-1)
    score = np.zeros_like(known_weight)
    with np.errstate(divide="ignore", invalid="ignore"):
        if (method == 0).any():
            score = np.where(method[:, None] == 0, weighted_sum(filled) / known_weight, score)
        if (method == 1).any():
            logs = np.where(known, np.log(np.maximum(values, 1e-300)), 0.0)
            geometric = np.exp(weighted_sum(logs) / known_weight)
            has_zero = (known & (filled <= 0)).any(axis=-1)
            geometric = np.where(has_zero, 0.0, geometric)
            score = np.where(method[:, None] == 1, geometric, score)
        if (method == 2).any():
            score = np.where(method[:, None] == 2, np.broadcast_to(low, score.shape), score)
        score = np.clip(score, low, high)
    insufficient = (known_weight <= 0) | (node_coverage + EPSILON < min_coverage)
    return np.where(insufficient, np.nan, score), node_coverage


def _cap_bounds(levels: list[list[CompiledNode]], snapshots: list[Snapshot]) -> list[np.ndarray]:
    """Per level, each country's lowest binding cap on each node (countries x nodes; inf: none)."""
    caps = []
    for level in levels:
        bound = np.full((len(snapshots), len(level)), np.inf)
        for c, snapshot in enumerate(snapshots):
            for n, node in enumerate(level):
                for cap in node.caps:
                    if cap.condition.test(snapshot):
                        bound[c, n] = min(bound[c, n], cap.cap.max_score)
        caps.append(bound)
    return caps


def sensitivity(program: Program, countries: list[str], snapshots: list[Snapshot], samples: int = 10_000,
                spread: float = 0.25, seed: int = 0, progress: Callable[[int, int], None] | None = None) -> Sensitivity:
    rng = np.random.default_rng(seed)
    model = WeightModel(program, snapshots)
    ranks = np.empty((samples, len(countries)))
    correlations = _Correlations(len(model.names), len(countries))
    for done in range(0, samples, CHUNK):
        size = min(CHUNK, samples - done)
        factors = [rng.uniform(1 - spread, 1 + spread, size=(size, n)) for n in model.sizes]
        def pick(methods: tuple[int, ...], size: int = size) -> np.ndarray:
            return rng.choice(np.array(methods), size=size)

        batch = _rank(model.overall(factors, pick))
        ranks[done:done + size] = batch
        correlations.add(factors[1], batch)
        if progress:
            progress(done + size, samples)
    nominal = _rank(model.overall([np.ones((1, n)) for n in model.sizes], lambda methods: np.full(1, methods[0])))[0]
    drivers = correlations.result()
    results = [_summary(code, nominal[c], ranks[:, c], drivers[:, c], model.names, samples)
               for c, code in enumerate(countries)]
    results.sort(key=lambda r: (r.nominal_rank is None, r.nominal_rank or 0, r.country))
    return Sensitivity(samples, spread, seed, results)


class WeightModel:
    """Rule scores (fixed) and the hierarchy above them, ready to roll up for any weights."""

    def __init__(self, program: Program, snapshots: list[Snapshot]) -> None:
        self.scores = np.array([[np.nan if v is None else v for v in program.scores(s)] for s in snapshots], dtype=float)
        self.levels, nodes = _structure(program)
        self.caps = _cap_bounds(nodes, snapshots)
        self.min_coverage = program.ruleset.header.min_coverage
        # weights are perturbed for the rules and every level but the root (whose own weight is moot)
        self.sizes = (self.scores.shape[1], *(len(level) for level in self.levels[:-1]))
        # drivers are the nodes just above the rules (criteria): the weights rule authors argue over
        self.names = [node.id for node in nodes[0]]

    def overall(self, factors: list[np.ndarray], pick: Callable[[tuple[int, ...]], np.ndarray]) -> np.ndarray:
        """Overall scores (samples x countries) under the given weight factors and method picks."""
        values = self.scores
        coverage = (~np.isnan(self.scores)).astype(float)  # the same in every sample
        for level, caps, level_factors in zip(self.levels, self.caps, factors, strict=True):
            values, coverage = _level(values, coverage, level, level_factors, pick, self.min_coverage)
            values = np.minimum(values, caps[None])  # caps depend on facts only; NaN stays NaN
        return values[..., 0]


def _level(values: np.ndarray, coverage: np.ndarray, level: list[_Node], factors: np.ndarray,
           pick: Callable[[tuple[int, ...]], np.ndarray], min_coverage: float) -> tuple[np.ndarray, np.ndarray]:
    """Every node of one level for a batch of samples: (samples x countries x nodes)."""
    scores, covers = [], []
    for node in level:
        score, cover = _combine(values[..., node.children], coverage[..., node.children],
                                node.weights[None] * factors[:, node.children], np.asarray(pick(node.methods)),
                                min_coverage)
        scores.append(score)
        covers.append(cover)
    return np.stack(scores, axis=2), np.stack(covers, axis=2)


def _rank(overall: np.ndarray) -> np.ndarray:
    """Rank 1 = best in each sample; ties by country order (ISO); insufficient data = NaN."""
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


def _summary(code: str, nominal: float, column: np.ndarray, correlation: np.ndarray, names: list[str],
             samples: int) -> CountrySensitivity:
    valid = column[~np.isnan(column)]
    drivers = sorted(((names[k], float(value)) for k, value in enumerate(correlation) if np.isfinite(value)),
                     key=lambda item: (-abs(item[1]), item[0]))[:3]
    if not valid.size:
        return CountrySensitivity(code, None, None, None, None, 0.0, drivers)
    low, median, high = np.percentile(valid, [5, 50, 95])
    return CountrySensitivity(code, None if np.isnan(nominal) else int(nominal), float(median), float(low), float(high),
                              valid.size / samples, drivers)
