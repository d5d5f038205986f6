"""Stage 4b, evaluate as arrays: every entity's scores under draws of its unknown facts, in NumPy.

The compiled tree (``compile``) serves both paths. Here each rule's score function is tabulated
once per year over the values its facts take among the entities (plus the values their priors
can draw, their worst and best, and unknown); an entity's facts are then encoded as indices into
those values, one column per evaluation:

- column 0, the point: known facts, unknowns unknown (the traced path's score);
- columns 1 and 2, the bounds: unknowns at their worst and best admissible value;
- columns 3 onward, the draws: unknowns drawn from their priors (``priors``).

Rules are table look-ups and every level a vectorised roll-up (methods, coverage, caps), so
the draws cost NumPy operations, not Python calls. The expected score of a rule is exact (its
few unknown facts enumerated under their priors); a weighted-mean level's expected score is its
children's exact weighted mean corrected by the mean of what the roll-up adds to it over the
draws (caps, dropped children): a control variate, exact where a level is linear. Credible
intervals and tier probabilities come from the draws.
"""

from __future__ import annotations

import functools
import itertools
import math
import warnings
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import UsageError
from .aggregate import EPSILON
from .compile import CompiledCap, CompiledNode, CompiledRule, Program
from .conditions import Snapshot, iter_fact_tests
from .priors import PriorUsed
from .values import UNKNOWN

POINT, LOW, HIGH, FIRST_DRAW = 0, 1, 2, 3
CREDIBLE = (5.0, 95.0)  # the credible interval's percentiles
RESOLUTION = 0.01  # points: the credible interval's ends are counted to this (beyond SORTED_UP_TO draws)
SORTED_UP_TO = 4000  # up to this many draws, the ends are the draws' exact order statistics
BlockRunner = Callable[[Callable[[Any], Any], list[Any]], Iterable[Any]]  # map, or an engine's equivalent
CHUNK_VALUES = 4_000_000  # random numbers held at once: entities are evaluated in chunks of this size
MAX_TABLE = 5_000_000  # the most combinations of values one rule's table may hold
RECORDS_KEPT = 16  # base evaluations kept per entity for what-ifs


class TableTooLarge(UsageError):
    """A rule reads facts whose values combine into more cells than a table may hold (a usage error:
    the run is refused with the rule named, never a traceback)."""


@dataclass
class NodeEstimate:
    """One node of the tree for every entity (arrays in entity order; NaN: no value)."""

    point: np.ndarray
    low: np.ndarray
    high: np.ndarray
    coverage: np.ndarray
    expected: np.ndarray
    credible_low: np.ndarray
    credible_high: np.ndarray
    tier_probabilities: np.ndarray | None = None  # (entities, tiers): P(the node's tier), tiers in order
    tiers: tuple[str, ...] = ()


@dataclass
class Estimates:
    """The array evaluation of every entity as of one year."""

    root: str  # the overall node's id
    codes: list[str]
    draws: int
    seed: int
    nodes: dict[str, NodeEstimate]
    priors: dict[str, list[PriorUsed]]  # entity -> the priors of the unknown facts its rules read
    samples: dict[str, np.ndarray] = field(default_factory=dict)  # overall, goals, headline groups: (entities, draws)
    estimator: Estimator | None = None  # what made them: re-estimates what-ifs with the same priors and draws

    def rank_intervals(self, node: str, published: Callable[[float], float] | None = None, dense: bool = False,
                       probability: float = 0.9) -> dict[str, tuple[int, int]]:
        """Each entity's rank interval (best and worst rank, ``probability`` of the draws between)
        from the joint draws of every entity's ``node``, each draw read as ``published`` gives it (None:
        as it is): rank 1 is the highest, equal ones share a place (``dense``: the next not skipped)."""
        samples = self.samples.get(node)
        if samples is None or not len(self.codes):
            return {}
        ranked = ~np.isnan(samples).any(axis=1)
        values = samples[ranked]
        if not len(values):
            return {}
        if published is not None:  # each distinct draw converted once
            distinct, where = np.unique(values, return_inverse=True)
            values = np.array([published(float(value)) for value in distinct])[where].reshape(values.shape)
        # rank of each entity in each draw: 1 + how many (distinct, if dense) score strictly higher
        ranks = np.stack([_ranks_in_draw(values[:, d], dense) for d in range(values.shape[1])], axis=1)
        tail = (1 - probability) / 2 * 100
        best, worst = np.percentile(ranks, [tail, 100 - tail], axis=1, method="inverted_cdf")
        codes = [code for code, keep in zip(self.codes, ranked, strict=True) if keep]
        return {code: (int(b), int(w)) for code, b, w in zip(codes, best, worst, strict=True)}


def _ranks_in_draw(values: np.ndarray, dense: bool) -> np.ndarray:
    order = np.unique(values) if dense else np.sort(values)
    ranks: np.ndarray = 1 + len(order) - np.searchsorted(order, values, side="right")
    return ranks


class Values:
    """Every value each fact takes in one evaluation, in the fact's order, with unknown last."""

    def __init__(self, program: Program, known: Mapping[str, Mapping[str, Any]], priors: Iterator[PriorUsed],
                 extra: Sequence[tuple[str, Any]] = ()) -> None:
        facts = program.ruleset.facts
        # every value of a finite type (a package may bring a fact to a value no entity has yet)
        seen: dict[str, set[Any]] = {name: {program.worst_values[name], program.best_values[name],
                                            *_finite_values(facts[name])} for name in program.facts_read}
        for values in known.values():
            for name, value in values.items():
                if name in seen:
                    seen[name].add(value)
        for prior in priors:
            seen[prior.fact].update(value for value, _ in prior.distribution)
        for name, value in extra:
            seen[name].add(value)
        self.values = {name: [*sorted(found, key=facts[name].order_key), UNKNOWN] for name, found in seen.items()}
        self.index = {name: {value: i for i, value in enumerate(values)} for name, values in self.values.items()}

    def size(self, fact: str) -> int:
        return len(self.values[fact])

    def unknown(self, fact: str) -> int:
        return len(self.values[fact]) - 1


def _finite_values(spec: Any) -> list[Any]:
    return list(spec.samples()) if spec.categorical else []


@dataclass(frozen=True)
class _Table:
    """A score (or a condition: 1, 0, NaN) for every combination of its facts' values."""

    facts: tuple[str, ...]
    strides: tuple[int, ...]
    cells: np.ndarray

    def look_up(self, codes: Mapping[str, np.ndarray]) -> np.ndarray:
        index = sum(codes[name].astype(np.int64) * stride for name, stride in zip(self.facts, self.strides, strict=True))
        return self.cells[index]


def _tabulate(facts: Sequence[str], values: Values, year: int, score: Any, where: str) -> _Table:
    sizes = [values.size(name) for name in facts]
    total = int(np.prod(sizes)) if sizes else 1
    if total > MAX_TABLE:
        raise TableTooLarge(f"{where}: the facts it reads ({', '.join(facts)}) take {total:,} combinations of values "
                            f"among the entities (at most {MAX_TABLE:,} can be estimated); run with --draws 0")
    cells = np.empty(total)
    for i, combination in enumerate(itertools.product(*(values.values[name] for name in facts))):
        snapshot = Snapshot({name: value for name, value in zip(facts, combination, strict=True)
                             if value is not UNKNOWN}, year)
        result = score(snapshot)
        cells[i] = np.nan if result is None else float(result)
    strides = tuple(int(np.prod(sizes[i + 1:])) for i in range(len(sizes)))
    return _Table(tuple(facts), strides, cells)


def _condition(cap: CompiledCap) -> Any:
    def holds(snapshot: Snapshot) -> float | None:
        result = cap.condition.test(snapshot)
        return None if result is None else float(result)
    return holds


class ArrayProgram:
    """A compiled rule set tabulated for one year's values: what the array path evaluates."""

    def __init__(self, program: Program, values: Values, year: int) -> None:
        self.program, self.values, self.year = program, values, year
        header = program.ruleset.header
        self.min_coverage = header.min_coverage
        self.tiers = tuple((tier.name, tier.min) for tier in header.tiers)
        self.overall_published = header.overall
        self.rule_tables = {rule.path: _tabulate(rule.scoring.facts, values, year, rule.scoring.score, f"rule {rule.path}")
                            for rule in program.rules if rule.rule.applies(year)}
        self.cap_tables = {cap.id: _tabulate(_facts_of_cap(cap), values, year, _condition(cap), f"cap {cap.id}")
                           for cap in program.caps()}


def _facts_of_cap(cap: CompiledCap) -> tuple[str, ...]:
    return tuple(dict.fromkeys(test.fact for _, test in iter_fact_tests(cap.cap.when)))


@dataclass(frozen=True)
class _Reuse:
    """An entity's levels by node id and rule path, kept in ``levels`` as they are evaluated; with a
    ``base``, a what-if's: every level it does not mark ``stale`` is the base's (``levels`` then
    starts as a copy of the base's)."""

    levels: dict[str, _Level | None]
    base: Mapping[str, _Level | None] | None = None
    stale: frozenset[str] = frozenset()

    def level(self, key: str, evaluate: Callable[[], _Level | None]) -> _Level | None:
        """The base's level where it is not stale, else ``evaluate()``'s, kept for what follows."""
        if self.base is not None and key not in self.stale:
            return self.base[key]
        self.levels[key] = found = evaluate()
        return found


def _reused_or(reuse: _Reuse | None, key: str, evaluate: Callable[[], _Level | None]) -> _Level | None:
    """The level of ``key``: evaluated, or (with ``reuse``) the base's where its facts did not change."""
    return evaluate() if reuse is None else reuse.level(key, evaluate)


@dataclass
class _Record:
    """An entity's base evaluation for what-ifs: its completed facts, every level, every node's
    summary (one row each) and its tiered levels' probabilities."""

    values: Mapping[str, Any]
    levels: dict[str, _Level | None]
    collected: dict[str, list[tuple[np.ndarray, ...]]]
    probabilities: dict[str, np.ndarray]


@dataclass
class _Chunk:
    """The encoded facts of some entities: value indices per column, and each fact's distribution."""

    codes: dict[str, np.ndarray]  # fact -> (entities, columns) indices into Values
    distributions: dict[str, np.ndarray]  # fact -> (entities, values) probabilities (one-hot where known)


@dataclass
class _Level:
    values: np.ndarray  # (entities, columns)
    coverage: np.ndarray
    expected: np.ndarray
    complete: np.ndarray | None = None  # (entities,): every child scored in every draw (a weighted mean: linear)
    # (entities, draws): the share of the weight scored in each draw (None: all of it), where a fact
    # declared not to be estimated leaves rules unscored; below the minimum coverage a draw has no score
    drawn_coverage: np.ndarray | None = None


def evaluate_arrays(program: Program, year: int, entities: Sequence[str], known: Mapping[str, Mapping[str, Any]],
                    priors: Any, draws: int, seed: int) -> Estimates:
    """Evaluate every entity's tree as arrays: point, bounds and ``draws`` draws of the unknowns.
    ``known``: entity -> fact -> known value; ``priors``: a ``Priors`` for the same entities."""
    estimator = Estimator(program, year, known, priors, draws, seed)
    estimates = estimator.evaluate([(code, known[code]) for code in entities], keep_samples=True)
    estimates.estimator = estimator
    return estimates


class Estimator:
    """Evaluates entities as arrays with one cohort's priors and one seed; also entities whose facts
    a what-if changed (a funded package), so that their estimates use the same draws as before."""

    def __init__(self, program: Program, year: int, known: Mapping[str, Mapping[str, Any]], priors: Any, draws: int,
                 seed: int) -> None:
        self.program, self.year, self.known, self.priors, self.draws, self.seed = program, year, known, priors, draws, seed
        self._extra: list[tuple[str, Any]] = []
        self._tabled: ArrayProgram | None = None
        self._records: dict[str, list[_Record]] = {}

    def evaluate(self, rows: Sequence[tuple[str, Mapping[str, Any]]], keep_samples: bool = False,
                 rule_draws: Collection[str] = (), intervals: bool = True, blocks: BlockRunner = map) -> Estimates:
        """Each row: an entity's code (its priors and its stream of draws) and its known facts. With
        ``keep_samples`` the draws of the overall and the goals are kept, and of ``rule_draws``'s rules;
        without ``intervals`` the credible intervals are left as the bounds (what-ifs need expectations).
        ``blocks`` maps the evaluation of one block of rows over the blocks and gives the results in
        order: by default one after another; any engine that runs tasks (Dask's ``delayed``, a pool)
        may run the same function, since a block reads only the tables, the priors and the seed."""
        program, draws = self.program, self.draws
        rows = [(code, self._completed(values)) for code, values in rows]  # a what-if may change a derived fact's input
        read = program.facts_read
        used = [(code, [self.priors.of(code, name) for name in read if name not in values]) for code, values in rows]
        tabled = self._tables(rows)
        per_chunk = max(1, CHUNK_VALUES // max(1, len(read) * max(1, draws)))
        collected: dict[str, list[tuple[np.ndarray, ...]]] = {}
        tiered = self._tiered(tabled)
        probabilities: dict[str, list[np.ndarray]] = {}
        # the draws of the overall level and the goals, written chunk by chunk into one array each
        # (not gathered and joined at the end: twice the memory of entities x draws per node)
        joined: dict[str, np.ndarray] = {}
        starts = range(0, len(rows), per_chunk)
        block = functools.partial(self._block, tabled, frozenset(rule_draws), intervals)
        for start, (parts, samples) in zip(starts, blocks(block, [rows[at:at + per_chunk] for at in starts]), strict=True):
            for key, summaries in parts.items():
                collected.setdefault(key, []).extend(summaries)
            for name, drawn in samples.items():
                for part in drawn:
                    if name in tiered:
                        probabilities.setdefault(name, []).append(self._tier_probabilities(name, part, tiered))
                    if keep_samples:
                        if name not in joined:
                            joined[name] = np.empty((len(rows), part.shape[1]), part.dtype)
                        joined[name][start:start + len(part)] = part
        return self._estimates([code for code, _ in rows], collected, probabilities, tiered, dict(used), joined)

    def _block(self, tabled: ArrayProgram, rule_draws: frozenset[str], intervals: bool,
               rows: Sequence[tuple[str, Mapping[str, Any]]]) -> tuple[dict[str, list[tuple[np.ndarray, ...]]],
                                                                      dict[str, list[np.ndarray]]]:
        """One block of rows: each node's summaries and the draws kept, from the block alone."""
        chunk = _encode(tabled, rows, self.priors, self.draws, self.seed)
        collected: dict[str, list[tuple[np.ndarray, ...]]] = {}
        samples: dict[str, list[np.ndarray]] = {}
        _evaluate_node(self.program.root, tabled, chunk, collected, samples, self.draws, rule_draws, intervals)
        return collected, samples

    def what_ifs(self, code: str, base: Mapping[str, Any], variants: Sequence[Mapping[str, Any]]) -> Estimates:
        """The entity's estimates with each variant of its facts, as ``evaluate`` gives them without
        ``intervals`` (the same numbers): only the rules and levels that read a fact a variant
        changes are evaluated again; every other keeps the base's, evaluated once per base (on the
        same draws). A what-if changes a few facts of one country, so most of its tree is the base's."""
        record = self._record(code, base)
        rows = [(code, self._completed(values)) for values in variants]
        tabled = self._tables(rows)
        tiered = self._tiered(tabled)
        collected: dict[str, list[tuple[np.ndarray, ...]]] = {}
        probabilities: dict[str, list[np.ndarray]] = {}
        for row in rows:
            changed = {name for name in self.program.facts_read
                       if row[1].get(name, UNKNOWN) != record.values.get(name, UNKNOWN)}
            stale = frozenset(key for key, reads in self._reads.items() if reads & changed)
            chunk = _encode(tabled, [row], self.priors, self.draws, self.seed,
                            only={name for key in stale for name in self._own_reads[key]})
            parts = {key: list(found) for key, found in record.collected.items() if key not in stale}
            samples: dict[str, list[np.ndarray]] = {}
            levels = dict(record.levels)  # the stale ones replaced as they are evaluated
            _evaluate_node(self.program.root, tabled, chunk, parts, samples, self.draws, intervals=False,
                           reuse=_Reuse(levels, record.levels, stale))
            tiers = {name: found for name, found in record.probabilities.items() if name not in stale}
            tiers.update(self._tiers_drawn(samples, tiered))
            # the variant is the base of what comes next if it is funded: kept as a record of its own
            self._keep(code, _Record(row[1], levels, parts, tiers))
            for key, summaries in parts.items():
                collected.setdefault(key, []).extend(summaries)
            for name, shares in tiers.items():
                probabilities.setdefault(name, []).append(shares)
        return self._estimates([code] * len(rows), collected, probabilities, tiered, {}, {})

    def _record(self, code: str, base: Mapping[str, Any]) -> _Record:
        """The entity's base evaluation, every level kept (the last few bases asked for, per entity:
        a portfolio values packages against several states of one country in turn)."""
        values = self._completed(base)
        for found in self._records.get(code, ()):
            if found.values == values:
                return found
        tabled = self._tables([(code, values)])
        tiered = self._tiered(tabled)
        chunk = _encode(tabled, [(code, values)], self.priors, self.draws, self.seed)
        record = _Record(values, {}, {}, {})
        samples: dict[str, list[np.ndarray]] = {}
        _evaluate_node(self.program.root, tabled, chunk, record.collected, samples, self.draws, intervals=False,
                       reuse=_Reuse(record.levels))
        record.probabilities.update(self._tiers_drawn(samples, tiered))
        return self._keep(code, record)

    def _keep(self, code: str, record: _Record) -> _Record:
        kept = self._records.setdefault(code, [])
        kept.insert(0, record)
        del kept[RECORDS_KEPT:]
        return record

    def _completed(self, values: Mapping[str, Any]) -> Mapping[str, Any]:
        """The facts with the derived ones computed from them (a what-if may change an input)."""
        return self.program.derived.complete(values)[0] if self.program.derived else values

    @functools.cached_property
    def _reads(self) -> dict[str, frozenset[str]]:
        """Every rule's and level's facts, with those of its whole subtree (a level's caps included)."""
        reads = dict(self._own_reads)  # a rule's are its own; a level's, its caps' and then its subtree's

        def walk(node: CompiledNode) -> frozenset[str]:
            found = set(reads[node.id])
            for child in node.children:
                found |= walk(child) if isinstance(child, CompiledNode) else reads[child.path]
            reads[node.id] = frozenset(found)
            return reads[node.id]
        walk(self.program.root)
        return reads

    @functools.cached_property
    def _own_reads(self) -> dict[str, frozenset[str]]:
        """The facts a rule reads, and those a level's own caps read."""
        own = {rule.path: frozenset(rule.scoring.facts) for rule in self.program.rules}
        own.update({node.id: frozenset(fact for cap in node.caps for fact in _facts_of_cap(cap))
                    for node in self.program.root.aggregates()})
        return own

    def _tiered(self, tabled: ArrayProgram) -> dict[str, tuple[tuple[str, float], ...]]:
        return {node.id: node.tiers or tabled.tiers for node in self.program.root.aggregates() if node.tiered}

    def _tiers_drawn(self, samples: Mapping[str, list[np.ndarray]], tiered: Mapping[str, Sequence[tuple[str, float]]]
                     ) -> dict[str, np.ndarray]:
        """The tier probabilities of one entity's tiered levels, from their draws (one part each)."""
        return {name: self._tier_probabilities(name, drawn, tiered) for name, (drawn,) in samples.items()
                if name in tiered}

    def _tier_probabilities(self, name: str, drawn: np.ndarray, tiered: Mapping[str, Sequence[tuple[str, float]]]
                            ) -> np.ndarray:
        published = self._as_published(drawn, name in self.program.publication.mirrored)
        return _tier_probabilities(published, tiered[name])

    def _estimates(self, codes: list[str], collected: dict[str, list[tuple[np.ndarray, ...]]],
                   probabilities: dict[str, list[np.ndarray]], tiered: Mapping[str, Sequence[tuple[str, float]]],
                   used: dict[str, list[PriorUsed]], joined: dict[str, np.ndarray]) -> Estimates:
        nodes = {node: _joined(parts) for node, parts in collected.items()}
        for node in self.program.root.aggregates():
            if node.tiered and node.id in nodes:
                nodes[node.id].tiers = tuple(name for name, _ in tiered[node.id])
                nodes[node.id].tier_probabilities = np.concatenate(probabilities.get(node.id, []))
        return Estimates(self.program.root.id, codes, self.draws, self.seed, nodes, used, joined)

    def _as_published(self, drawn: np.ndarray, worse: bool) -> np.ndarray:
        """The draws as their published values stand for them (``Program.as_published``): a tier's
        cut-off reads the rounded value; each distinct value is rounded once."""
        if self.program.publication.precision is None:
            return drawn
        distinct, where = np.unique(drawn, return_inverse=True)
        settled = np.array([value if np.isnan(value) else self.program.as_published(float(value), worse)
                            for value in distinct])
        return settled[where].reshape(drawn.shape)

    def rule_distributions(self, rows: Sequence[tuple[str, Mapping[str, Any]]]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Every applicable rule's scores under the priors, exactly: its table's scores in ascending
        order (no score last) and, per row, their cumulative probabilities."""
        tabled = self._tables(rows)
        chunk = _encode(tabled, rows, self.priors, 0, self.seed)
        distributions = {}
        estimated = {rule.path for rule in self.program.rules if rule.rule.estimate is None}
        for path, table in tabled.rule_tables.items():
            if path not in estimated:
                continue
            order = np.argsort(np.where(np.isnan(table.cells), np.inf, table.cells), kind="stable")
            distributions[path] = (table.cells[order], np.cumsum(_joint(table, chunk)[:, order], axis=1))
        return distributions

    def _tables(self, rows: Sequence[tuple[str, Mapping[str, Any]]]) -> ArrayProgram:
        """The tables, built once over every value of the cohort and its priors; again with more
        values when a row holds one they lack (a package's target no entity has)."""
        if self._tabled is not None:
            index = self._tabled.values.index
            missing = [(name, value) for _, values in rows for name, value in values.items()
                       if name in index and value not in index[name]]
            if not missing:
                return self._tabled
            self._extra.extend(missing)
        priors = (self.priors.of(code, name) for code, values in self.known.items() for name in self.program.facts_read
                  if name not in values)
        self._tabled = ArrayProgram(self.program, Values(self.program, self.known, priors, self._extra), self.year)
        return self._tabled


def _encode(tabled: ArrayProgram, rows: Sequence[tuple[str, Mapping[str, Any]]], priors: Any, draws: int,
            seed: int, only: Collection[str] | None = None) -> _Chunk:
    """The rows' facts as value indices per column (``only`` these facts: the rest are not read),
    the unknowns drawn from each entity's own stream of uniforms over every fact it reads."""
    program, values = tabled.program, tabled.values
    read = program.facts_read
    columns = FIRST_DRAW + draws
    codes = [code for code, _ in rows]
    uniforms = np.empty((len(codes), len(read), draws), np.float32)
    # each entity its own stream, the same in every year: its draws depend neither on the other
    # entities nor on the year, so a fact or prior that did not change moves nothing (common numbers)
    for row, code in enumerate(codes):
        np.random.default_rng([seed, zlib.crc32(code.encode())]).random(dtype=np.float32, out=uniforms[row])
    encoded, distributions = {}, {}
    rows_at = np.arange(len(rows))
    for f, name in enumerate(read):
        if only is not None and name not in only:
            continue
        index, unknown = values.index[name], values.unknown(name)
        at = np.fromiter((index.get(known.get(name, UNKNOWN), unknown) for _, known in rows), np.int32, len(rows))
        cells = np.repeat(at[:, None], columns, axis=1)
        probability = np.zeros((len(rows), values.size(name)))
        probability[rows_at, at] = 1.0  # known: one-hot; unknown: at "unknown" until a prior says otherwise
        missing = np.flatnonzero(at == unknown)
        cells[missing, LOW], cells[missing, HIGH] = index[program.worst_values[name]], index[program.best_values[name]]
        by_prior: dict[int, tuple[PriorUsed, list[int]]] = {}
        for row in missing.tolist():
            prior = priors.of(rows[row][0], name)
            if prior.estimated:
                by_prior.setdefault(id(prior), (prior, []))[1].append(row)
        for prior, members in by_prior.values():
            support = np.array([index[value] for value, _ in prior.distribution], np.int32)
            weights = np.array([p for _, p in prior.distribution])
            cells[members, FIRST_DRAW:] = support[_inverse_cdf(weights, uniforms[members, f, :])]
            probability[members, unknown] = 0.0
            probability[np.ix_(np.array(members), support)] = weights
        encoded[name], distributions[name] = cells, probability
    return _Chunk(encoded, distributions)


def _joined(parts: list[tuple[np.ndarray, ...]]) -> NodeEstimate:
    """One node's summaries, chunk after chunk, as one array each (in ``_collect``'s order)."""
    if len(parts) == 1:  # one chunk (a what-if's row): its arrays as they are, read only
        point, low, high, coverage, expected, credible_low, credible_high = parts[0]
        return NodeEstimate(point, low, high, coverage, expected, credible_low, credible_high)
    point, low, high, coverage, expected, credible_low, credible_high = (
        np.concatenate([part[i] for part in parts]) for i in range(7))
    return NodeEstimate(point, low, high, coverage, expected, credible_low, credible_high)


def _inverse_cdf(weights: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """The index of the value each uniform draw falls on (the first whose cumulative probability
    exceeds it). A few thresholds are compared directly: faster than a binary search per draw."""
    cumulative = np.cumsum(weights)[:-1]  # the last value takes whatever falls past the others
    if len(cumulative) > 16:
        return np.searchsorted(cumulative, uniforms, side="right")
    picked = np.zeros(uniforms.shape, np.intp)
    for threshold in cumulative:
        picked += uniforms >= threshold
    return picked


def _evaluate_node(node: CompiledNode, tabled: ArrayProgram, chunk: _Chunk,
                   collected: dict[str, list[tuple[np.ndarray, ...]]], samples: dict[str, list[np.ndarray]] | None,
                   draws: int, rule_draws: frozenset[str] = frozenset(), intervals: bool = True,
                   reuse: _Reuse | None = None) -> _Level | None:
    """Roll one level up from its children, as the traced path does (``aggregate.roll_up``,
    ``apply_cap``), in every column at once; record its summary; None if it does not apply.
    With ``reuse``: a level or rule it does not mark stale is the base's (already collected)."""
    return _reused_or(reuse, node.id, lambda: _evaluate_level(node, tabled, chunk, collected, samples, draws,
                                                              rule_draws, intervals, reuse))


def _evaluate_level(node: CompiledNode, tabled: ArrayProgram, chunk: _Chunk,
                    collected: dict[str, list[tuple[np.ndarray, ...]]], samples: dict[str, list[np.ndarray]] | None,
                    draws: int, rule_draws: frozenset[str], intervals: bool, reuse: _Reuse | None) -> _Level | None:
    if node.window is not None and not node.window.applies(tabled.year):
        return None
    children: list[tuple[float, _Level]] = []
    for child in node.children:
        if isinstance(child, CompiledNode):
            level = _evaluate_node(child, tabled, chunk, collected, samples, draws, rule_draws, intervals, reuse)
        else:
            level = _reused_or(reuse, child.path, functools.partial(_evaluate_rule, child, tabled, chunk, collected))
        if level is not None and samples is not None and not isinstance(child, CompiledNode) and child.path in rule_draws:
            samples.setdefault(child.path, []).append(level.values[:, FIRST_DRAW:].copy())
        if level is not None:
            children.append((child.weight if isinstance(child, CompiledNode) else child.rule.weight, level))
    if not children:
        return None
    level = _roll_up(node.method, children, tabled.min_coverage)
    before_caps = level.values[:, FIRST_DRAW:].copy() if node.caps else None
    for cap in node.caps:
        _apply_cap(level, tabled.cap_tables[cap.id].look_up(chunk.codes), cap.cap.max_score)
    level.expected = np.clip(_expected(node.method, level, children, before_caps), level.values[:, LOW],
                             level.values[:, HIGH])
    if node.kind == "overall" and not tabled.overall_published:
        level.values[:] = np.nan
        level.expected[:] = np.nan
    _collect(node.id, level, collected, None if intervals else (level.values[:, LOW], level.values[:, HIGH]))
    if samples is not None and (node.kind in ("overall", "goal") or node.headline):
        samples.setdefault(node.id, []).append(level.values[:, FIRST_DRAW:].copy())
    return level


def _evaluate_rule(rule: CompiledRule, tabled: ArrayProgram, chunk: _Chunk,
                   collected: dict[str, list[tuple[np.ndarray, ...]]]) -> _Level | None:
    table = tabled.rule_tables.get(rule.path)
    if table is None:  # not applicable this year
        return None
    values = table.look_up(chunk.codes)
    # an unknown fact of a non-monotone rule leaves no safe worst-case fill, and a cohort too small
    # to score gives no bounds at all: the whole range (as traced)
    unknown = np.isnan(values[:, POINT] if not rule.monotone else values[:, LOW])
    values[unknown, LOW], values[unknown, HIGH] = rule.score_range
    coverage = np.where(np.isnan(values[:, POINT]), 0.0, 1.0)
    if rule.rule.estimate is not None:  # declared not to estimate its unknowns: every draw is its point score
        values[:, FIRST_DRAW:] = values[:, POINT, None]
        expected, low, high = values[:, POINT].copy(), values[:, POINT].copy(), values[:, POINT].copy()
    else:
        expected, low, high = _exact(table, chunk)
    drawn = values[:, FIRST_DRAW:]
    level = _Level(values, coverage, expected, None, (~np.isnan(drawn)).astype(float) if np.isnan(drawn).any() else None)
    _collect(rule.path, level, collected, (low, high))
    return level


def _joint(table: _Table, chunk: _Chunk) -> np.ndarray:
    """The probability of every cell of a rule's table, per row: its facts' distributions multiplied
    (independent facts)."""
    joint: np.ndarray = np.ones((len(next(iter(chunk.codes.values()))), 1))
    for name in table.facts:
        distribution = chunk.distributions[name]
        joint = (joint[:, :, None] * distribution[:, None, :]).reshape(len(joint), -1)
    return joint


def _exact(table: _Table, chunk: _Chunk) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rule's expected score and credible interval under its facts' distributions (independent),
    enumerated; NaN where an unestimated unknown leaves it without a score."""
    joint = _joint(table, chunk)
    missing = np.isnan(table.cells)
    # Row sums, not a matrix product: BLAS may round a row differently by where it lies in memory,
    # and an entity's numbers must not depend on the order of the entities.
    expected: np.ndarray = (joint * np.where(missing, 0.0, table.cells)).sum(axis=1)
    unscored = joint[:, missing].sum(axis=1) > 1e-12
    expected[unscored] = np.nan
    order = np.argsort(np.where(missing, np.inf, table.cells), kind="stable")
    cumulative = np.cumsum(joint[:, order], axis=1)
    ends = []
    for percentile in CREDIBLE:  # the lowest score whose cumulative probability reaches the percentile
        reached = cumulative >= percentile / 100 - 1e-12
        ends.append(np.where(unscored, np.nan, table.cells[order][np.argmax(reached, axis=1)]))
    return expected, ends[0], ends[1]


def _roll_up(method: str, children: list[tuple[float, _Level]], min_coverage: float) -> _Level:
    """``aggregate.roll_up`` in every column: unscored children (NaN) drop out of the combination."""
    weights = [weight for weight, _ in children]
    total = np.zeros_like(children[0][1].values)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: no child scored, handled below
        if method == "minimum":
            combined = np.fmin.reduce([level.values for _, level in children])
            for _, level in children:
                total += ~np.isnan(level.values)
        else:
            accumulated = np.zeros_like(total)
            nonpositive = np.zeros(total.shape, bool)
            for weight, level in children:
                if method == "weighted_mean" and not np.isnan(level.values).any():  # the common case, at half the cost
                    total += weight
                    accumulated += weight * level.values
                    continue
                present = ~np.isnan(level.values)
                total += weight * present
                if method == "geometric_mean":
                    nonpositive |= present & (level.values <= 0)
                    accumulated += weight * np.log(np.where(present & (level.values > 0), level.values, 1.0))
                else:
                    accumulated += weight * np.where(present, level.values, 0.0)
            combined = accumulated / total
            if method == "geometric_mean":
                combined = np.exp(combined)
                combined[nonpositive] = 0.0
    combined[total == 0] = np.nan
    coverage: np.ndarray = np.sum([weight * level.coverage for weight, level in children], axis=0) / math.fsum(weights)
    point = combined[:, POINT]
    scored = (coverage + EPSILON >= min_coverage) & ~np.isnan(point)
    combined[:, POINT] = np.where(scored, np.clip(point, combined[:, LOW], combined[:, HIGH]), np.nan)
    complete = (total[:, FIRST_DRAW:] == math.fsum(weights)).all(axis=1) if method != "minimum" else \
        np.zeros(len(total), bool)
    drawn_coverage: np.ndarray | None = None
    if any(level.drawn_coverage is not None for _, level in children):
        drawn_coverage = np.sum([weight * (np.ones(total[:, FIRST_DRAW:].shape) if level.drawn_coverage is None
                                           else level.drawn_coverage) for weight, level in children], axis=0) / math.fsum(weights)
        combined[:, FIRST_DRAW:][drawn_coverage + EPSILON < min_coverage] = np.nan
    return _Level(combined, coverage, np.full(len(coverage), np.nan), complete, drawn_coverage)


def _apply_cap(level: _Level, holds: np.ndarray, max_score: float) -> None:
    """A cap whose condition holds lowers every column; one whose condition is unknown (in the
    point) lowers only the low bound, since it may or may not apply (``aggregate.apply_cap``)."""
    values, known_holds = level.values, holds[:, POINT]
    maybe = ~(known_holds == 0)  # holds or unknown
    values[maybe, LOW] = np.minimum(values[maybe, LOW], max_score)
    sure = known_holds == 1
    values[sure, POINT] = np.where(values[sure, POINT] > max_score + EPSILON, max_score, values[sure, POINT])
    values[sure, HIGH] = np.minimum(values[sure, HIGH], max_score)
    drawn = values[:, FIRST_DRAW:]
    np.copyto(drawn, np.minimum(drawn, max_score), where=holds[:, FIRST_DRAW:] == 1)


def _expected(method: str, level: _Level, children: list[tuple[float, _Level]],
              before_caps: np.ndarray | None) -> np.ndarray:
    """A weighted mean whose children are all scored in every draw is linear: its expectation is the
    weighted mean of theirs (exact for rules), corrected by the mean of what its caps took off over
    the draws (a control variate). Otherwise the mean of the draws."""
    drawn = level.values[:, FIRST_DRAW:]
    if method != "weighted_mean" or not drawn.shape[1] or level.complete is None:
        return _mean_of_draws(level.values)
    weights = [weight for weight, _ in children]
    exact = np.sum([weight * child.expected for weight, child in children], axis=0) / math.fsum(weights)
    if before_caps is not None:
        exact = exact + (drawn - before_caps).mean(axis=1)
    return np.where(level.complete & ~np.isnan(exact), exact, _mean_of_draws(level.values))


def _mean_of_draws(values: np.ndarray) -> np.ndarray:
    drawn = values[:, FIRST_DRAW:]
    if not drawn.shape[1]:
        return values[:, POINT].copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean: np.ndarray = np.nanmean(drawn, axis=1)
    return mean


def _collect(node: str, level: _Level, collected: dict[str, list[tuple[np.ndarray, ...]]],
             credible: tuple[np.ndarray, np.ndarray] | None = None) -> None:
    values = level.values
    if credible is None:
        credible = _credible(values)
    collected.setdefault(node, []).append((values[:, POINT].copy(), values[:, LOW].copy(), values[:, HIGH].copy(),
                                           level.coverage, level.expected, *credible))


def _credible(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The credible interval's ends from the draws: the lowest score whose share of the draws at or
    below it reaches each percentile; beyond ``SORTED_UP_TO`` draws counted in bins of
    ``RESOLUTION`` points (selecting them exactly then costs four times as much and moves nothing a
    Monte Carlo interval can resolve)."""
    drawn = values[:, FIRST_DRAW:]
    if not drawn.shape[1]:
        return values[:, LOW], values[:, HIGH]
    if drawn.shape[1] <= SORTED_UP_TO:  # few draws: selecting the order statistics is cheaper than counting bins
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            percentile = np.nanpercentile if np.isnan(drawn).any() else np.percentile
            low, high = percentile(drawn, CREDIBLE, axis=1, method="inverted_cdf")
        return low, high
    bins = round(100 / RESOLUTION) + 1
    rows = len(drawn)
    present = ~np.isnan(drawn)
    cell = np.rint(np.clip(np.where(present, drawn, 0.0), 0.0, 100.0) / RESOLUTION).astype(np.intp)
    flat = (np.arange(rows)[:, None] * bins + cell)[present]
    cumulative = np.cumsum(np.bincount(flat, minlength=rows * bins).reshape(rows, bins), axis=1)
    counted = cumulative[:, -1]
    ends = []
    for share in CREDIBLE:
        needed = np.maximum(1, np.ceil(share / 100 * counted - 1e-9))
        found = np.argmax(cumulative >= needed[:, None], axis=1) * RESOLUTION
        ends.append(np.where(counted > 0, np.clip(found, values[:, LOW], values[:, HIGH]), np.nan))
    return ends[0], ends[1]


def _tier_probabilities(drawn: np.ndarray, tiers: Sequence[tuple[str, float]]) -> np.ndarray:
    """P(each tier) from the draws: the share of draws at or above its minimum and below the next
    (counted in whole draws, then divided once, so the shares are exact fractions)."""
    counted = (~np.isnan(drawn)).sum(axis=1)
    at_least = np.stack([(drawn + EPSILON >= minimum).sum(axis=1) for _, minimum in tiers], axis=1)
    upper = np.concatenate([at_least[:, 1:], np.zeros((len(drawn), 1), at_least.dtype)], axis=1)
    probabilities: np.ndarray = np.where(counted[:, None] > 0, (at_least - upper) / np.maximum(counted, 1)[:, None],
                                         np.nan)
    return probabilities
