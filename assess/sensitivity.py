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

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .aggregate import EPSILON
from .compile import Program, Snapshot

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

    def to_json(self) -> dict:
        data = dict(vars(self))
        data["drivers"] = [{"criterion": name, "correlation": value} for name, value in self.drivers]
        return data


@dataclass
class Sensitivity:
    samples: int
    spread: float
    seed: int
    countries: list[CountrySensitivity]

    def to_json(self) -> dict:
        return {"samples": self.samples, "spread": self.spread, "seed": self.seed,
                "countries": [c.to_json() for c in self.countries]}


@dataclass
class _Level:
    """One aggregate level, as arrays: each node's children, their weights, its method choices."""

    children: list[np.ndarray]  # per node: indices into the level below
    weights: list[np.ndarray]
    methods: list[tuple[int, ...]]  # per node: the method and its declared alternatives


def _structure(program: Program) -> tuple[_Level, _Level, _Level, list[str]]:
    rule_index = {rule.path: i for i, rule in enumerate(program.rules)}
    crit_nodes, goal_nodes, names = [], [], []
    for goal in program.goals:
        first = len(crit_nodes)
        for criterion in goal.criteria:
            crit_nodes.append(criterion)
            names.append(criterion.path)
        goal_nodes.append((goal, list(range(first, len(crit_nodes)))))

    def methods(node) -> tuple[int, ...]:
        return tuple(dict.fromkeys(METHODS.index(m) for m in [node.method, *node.alternative_methods]))

    criteria = _Level([np.array([rule_index[r.path] for r in c.rules]) for c in crit_nodes],
                      [np.array([r.rule.weight for r in c.rules]) for c in crit_nodes],
                      [methods(c.criterion) for c in crit_nodes])
    goals = _Level([np.array(ids) for _, ids in goal_nodes],
                   [np.array([crit_nodes[i].criterion.weight for i in ids]) for _, ids in goal_nodes],
                   [methods(g.goal) for g, _ in goal_nodes])
    header = program.ruleset.header
    overall = _Level([np.arange(len(goal_nodes))], [np.array([g.goal.weight for g, _ in goal_nodes])], [methods(header)])
    return criteria, goals, overall, names


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
        return weights @ data.T if shared else np.einsum("sn,scn->sc", weights, data)

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


def _caps(program: Program, snapshots: list[Snapshot]) -> tuple[np.ndarray, np.ndarray]:
    """Per country, the lowest binding cap of each goal and of the overall score (inf: none)."""
    goal_caps = np.full((len(snapshots), len(program.goals)), np.inf)
    overall_caps = np.full(len(snapshots), np.inf)
    for c, snapshot in enumerate(snapshots):
        for g, goal in enumerate(program.goals):
            for cap in goal.caps:
                if cap.condition.test(snapshot):
                    goal_caps[c, g] = min(goal_caps[c, g], cap.cap.max_score)
        for cap in program.caps:
            if cap.condition.test(snapshot):
                overall_caps[c] = min(overall_caps[c], cap.cap.max_score)
    return goal_caps, overall_caps


def sensitivity(program: Program, countries: list[str], snapshots: list[Snapshot], samples: int = 10_000,
                spread: float = 0.25, seed: int = 0, progress: Callable[[int, int], None] | None = None) -> Sensitivity:
    rng = np.random.default_rng(seed)
    model = _Model(program, snapshots)
    ranks = np.empty((samples, len(countries)))
    correlations = _Correlations(len(model.names), len(countries))
    for done in range(0, samples, CHUNK):
        size = min(CHUNK, samples - done)
        factors = [rng.uniform(1 - spread, 1 + spread, size=(size, n)) for n in model.sizes]
        batch = _rank(model.overall(factors, lambda methods: rng.choice(np.array(methods), size=size)))
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


class _Model:
    """Rule scores (fixed) and the hierarchy above them, ready to roll up for any weights."""

    def __init__(self, program: Program, snapshots: list[Snapshot]) -> None:
        self.scores = np.array([[np.nan if v is None else v for v in program.scores(s)] for s in snapshots], dtype=float)
        self.criteria, self.goals, self.top, self.names = _structure(program)
        self.goal_caps, self.overall_caps = _caps(program, snapshots)
        self.min_coverage = program.ruleset.header.min_coverage
        self.sizes = (self.scores.shape[1], len(self.names), len(self.goals.children))

    def overall(self, factors: list[np.ndarray], pick: Callable[[tuple[int, ...]], np.ndarray]) -> np.ndarray:
        """Overall scores (samples x countries) under the given weight factors and method picks."""
        rule_f, crit_f, goal_f = factors
        coverage = (~np.isnan(self.scores)).astype(float)  # the same in every sample
        values, coverage = _level(self.scores, coverage, self.criteria, rule_f, pick, self.min_coverage)
        values, coverage = _level(values, coverage, self.goals, crit_f, pick, self.min_coverage)
        values = np.minimum(values, self.goal_caps[None])  # caps depend on facts only; NaN stays NaN
        values, _ = _level(values, coverage, self.top, goal_f, pick, self.min_coverage)
        return np.minimum(values[..., 0], self.overall_caps[None])


def _level(values: np.ndarray, coverage: np.ndarray, level: _Level, factors: np.ndarray,
           pick: Callable[[tuple[int, ...]], np.ndarray], min_coverage: float) -> tuple[np.ndarray, np.ndarray]:
    """Every node of one level for a batch of samples: (samples x countries x nodes)."""
    scores, covers = [], []
    for children, weights, methods in zip(level.children, level.weights, level.methods):
        score, cover = _combine(values[..., children], coverage[..., children], weights[None] * factors[:, children],
                                np.asarray(pick(methods)), min_coverage)
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
