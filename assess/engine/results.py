"""Scored results with their traces: what every number is made of.

Results are plain data; ``to_json`` gives the canonical form written to ``outputs/``.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Literal

from .values import UNKNOWN, display, to_json

if TYPE_CHECKING:
    from .arrays import Estimates
    from .models import Scale

JSONObject = dict[str, Any]  # a JSON object as plain data
NodeKind = Literal["overall", "goal", "criterion", "rule"]
PRECISION = 9  # decimals a float is read to before it is rounded or compared: beyond them is float noise
# unknown: a rule whose facts are not known; not_applicable: outside its declared window
Status = Literal["scored", "insufficient_data", "unknown", "not_applicable"]


@dataclass(slots=True)
class FactRead:
    fact: str
    value: Any
    as_of: str | None
    source: str | None
    note: str | None = None
    settled_by: str | None = None  # a grouping's law, where that settles the value rather than the profile
    invalid: str | None = None  # why the recorded value scores nothing (outside the fact's valid range)
    derivation: str | None = None  # a derived fact's expression worked out (gdp_per_capita = gdp / population = ...)
    inputs: tuple[FactRead, ...] = ()  # a derived fact's inputs as read
    imputed: JSONObject | None = None  # the value an unknown was imputed (value, origin), where declared

    def value_text(self) -> str:
        """``unknown``, or ``unknown, imputed 4.5 (mean, ...)``: the value as read and, for an unknown
        imputed, what it was imputed as."""
        if self.imputed is None:
            return display(self.value)
        return f"{display(self.value)}, imputed {self.imputed['value']:g} ({self.imputed['origin']})"

    def to_json(self) -> JSONObject:
        data = {"fact": self.fact, "value": to_json(self.value), "as_of": self.as_of, "source": self.source}
        if self.derivation:
            data["derivation"] = self.derivation
            data["inputs"] = [read.to_json() for read in self.inputs]
        if self.note:
            data["note"] = self.note
        if self.invalid:
            data["invalid"] = self.invalid
        if self.settled_by:
            data["settled_by"] = self.settled_by
        if self.imputed is not None:
            data["imputed"] = self.imputed
        return data


@dataclass
class CapApplied:
    id: str
    max_score: float
    rationale: str
    condition: str
    binding: bool  # False when the score was already at or below the cap

    def to_json(self) -> JSONObject:
        return dict(vars(self))


@dataclass(slots=True)
class Adjustment:
    """What moved a level's score off its children's roll-up: a binding cap, or the point score held
    within its bounds. Named, so that the children's contributions and the adjustments add up."""

    reason: Literal["cap", "bounds"]
    text: str
    points: float  # the move, on the level's own score
    contribution: float | None = None  # the move, on the score its contributions add up to

    def to_json(self) -> JSONObject:
        return {"reason": self.reason, "text": self.text, "points": self.points, "contribution": self.contribution}


@dataclass(slots=True)
class NodeResult:
    """One node of the score tree: overall, a goal, a criterion or a rule. Slotted: thousands of
    entities hold tens of nodes each (a third of the memory of a traced node with a dict)."""

    kind: NodeKind
    id: str
    title: str
    weight: float
    method: str | None = None
    score: float | None = None
    # the score if every unknown fact it reads took its worst, and its best, admissible value
    low: float | None = None
    high: float | None = None
    coverage: float = 0.0
    status: Status = "insufficient_data"
    tier: str | None = None
    effective_weight: float = 0.0  # share of the top score among what is scored now
    share: float = 0.0  # share of the top score if every fact were known (what knowing it would settle)
    # the points it adds to the overall score, or to its goal's where no overall score is published
    # (``aggregate.spread_contributions``); None: not scored
    contribution: float | None = None
    adjustments: list[Adjustment] = field(default_factory=list)  # levels only
    caps_applied: list[CapApplied] = field(default_factory=list)
    children: list[NodeResult] = field(default_factory=list)
    # rules only
    facts: list[FactRead] = field(default_factory=list)
    why: str | None = None
    exact_bounds: bool = True  # False: a non-monotone rule with unknown facts, bounded by its whole range
    # in the rule set's declared units and direction, where they are not 0-100 "higher is better"
    published: float | None = None
    published_low: float | None = None
    published_high: float | None = None
    falls_short: bool = False
    interventions: list[JSONObject] = field(default_factory=list)
    cites: list[JSONObject] = field(default_factory=list)
    # the estimate under the priors of the unknown facts (``priors``): the expected score (what
    # rankings use), a 90% credible interval, and for tiered levels the probability of each tier
    expected: float | None = None
    credible: tuple[float, float] | None = None
    tier_probabilities: dict[str, float] | None = None
    published_expected: float | None = None
    published_credible: tuple[float, float] | None = None
    mechanism: str | None = None  # rules only: how the capacity it scores stops flows (None: it stops none itself)
    cohort: JSONObject | None = None  # rules of a cohort kind: the cohort's statistics they were scored against

    @property
    def applicable(self) -> bool:
        return self.status != "not_applicable"

    def walk(self) -> Iterator[NodeResult]:
        """This node and every node below it, depth first, each before its children."""
        # a stack, not nested generators: each node passed up through every level above it
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def to_json(self, publication: Publication | None = None) -> JSONObject:
        """The trace as plain data; with a declared precision, each level's published value rounded
        as people read it beside the full-precision numbers."""
        data: dict[str, Any] = {
            "kind": self.kind, "id": self.id, "title": self.title, "weight": self.weight,
            "score": self.score, "low": self.low, "high": self.high, "coverage": self.coverage,
            "status": self.status, "effective_weight": self.effective_weight, "share": self.share,
        }
        if self.kind == "rule":
            data.update(contribution=self.contribution, facts=[f.to_json() for f in self.facts], why=self.why,
                        falls_short=self.falls_short, interventions=self.interventions, cites=self.cites)
            if not self.exact_bounds:
                data["bounds"] = "conservative"
            if self.mechanism is not None:
                data["mechanism"] = self.mechanism
            if self.cohort is not None:
                data["cohort"] = self.cohort
        else:
            data.update(method=self.method, contribution=self.contribution,
                        caps_applied=[c.to_json() for c in self.caps_applied])
            if self.adjustments:
                data["adjustments"] = [adjustment.to_json() for adjustment in self.adjustments]
            groups = any(child.kind != "rule" for child in self.children)
            key = "goals" if self.kind == "overall" else "criteria" if groups else "rules"
            data[key] = [child.to_json(publication) for child in self.children]
        if self.tier is not None:
            data["tier"] = self.tier
        if self.published is not None or self.published_low is not None:
            data.update(published=self.published, published_low=self.published_low, published_high=self.published_high)
        if self.credible is not None:
            data.update(expected=self.expected, credible_low=self.credible[0], credible_high=self.credible[1])
        if self.tier_probabilities is not None:
            data["tier_probabilities"] = self.tier_probabilities
        if self.published_credible is not None:
            data.update(published_expected=self.published_expected, published_credible_low=self.published_credible[0],
                        published_credible_high=self.published_credible[1])
        if publication is not None and publication.precision is not None:
            data.update(published_rounded=publication.number(self.published_score),
                        published_expected_rounded=publication.number(self.published_estimate))
        return data

    @property
    def published_score(self) -> float | None:
        """The point score as published: in the declared units and direction where declared."""
        return self.published if self.published_low is not None else self.score

    @property
    def published_estimate(self) -> float | None:
        """What the node is ranked on, as published: its expected score where estimated, else its point
        score, in the declared units and direction (with ``higher: worse``, higher means more risk)."""
        if self.published_low is None:
            return self.estimate
        return self.published_expected if self.credible is not None else self.published

    @property
    def estimate(self) -> float | None:
        """What the node is ranked on: its expected score where estimated, else its point score."""
        return self.expected if self.credible is not None else self.score

    @property
    def rests_on_priors(self) -> bool:
        """Less than half of the weight is known: the estimate says more about the priors than the evidence."""
        return self.applicable and self.coverage < 0.5


def r_round(value: float, digits: int) -> float:
    """``round(value, digits)`` as R (4.0.0 and later, src/nmath/fround.c) rounds a double: of the two
    candidates with ``digits`` decimals (as doubles), the nearer, measured in double arithmetic; on a
    tie the even one. It differs from rounding the decimal a float stands for where a mean sits on a
    decimal tie (0.555): the binary error of the values averaged decides, as it does in R."""
    if value == 0 or not math.isfinite(value):
        return value
    if value < 0:
        return -r_round(-value, digits)
    scale = 10.0 ** digits
    scaled = math.floor(value * scale)
    down, up = scaled / scale, math.ceil(value * scale) / scale
    above, below = up - value, value - down
    return up if above < below or (above == below and scaled % 2 == 1) else down


@dataclass(frozen=True)
class Publication:
    """How scores are published: the declared decimals and rounding (none declared: shown with one
    decimal, published at full precision), how equal published scores share a rank, and which
    levels are published beside the goals (``headlines``) or mirrored (``mirrored``: higher is worse)."""

    precision: int | None = None
    rounding: Literal["half_up", "half_even", "r"] = "half_up"
    ranking: Literal["competition", "dense"] = "competition"
    headlines: tuple[str, ...] = ()
    mirrored: frozenset[str] = frozenset()
    scale: Scale | None = None  # the declared units (None: 0-100)

    def published(self, score: float, worse: bool = False) -> float:
        """A 0-100 capacity score as published: in the declared units and direction, rounded as declared."""
        if self.scale is not None and (worse or not self.scale.default):
            score = self.scale.publish(score, worse)
        return self.value(score)

    def text(self, value: float) -> str:
        """``value`` rounded as declared, ties decided on the decimal the float stands for: the
        binary 3.6249999999999996 is the 3.625 a weighted mean meant, and rounds half up to 3.63."""
        if self.precision is None:
            return f"{value:.1f}"
        return str(self._rounded(value, self.precision))

    def number(self, value: float | None) -> float | None:
        """``value`` as published: rounded as declared (None declared: at full precision)."""
        return None if value is None else self.value(value)

    def value(self, value: float) -> float:
        return value if self.precision is None else float(self._rounded(value, self.precision))

    def _rounded(self, value: float, precision: int) -> Decimal:
        if self.rounding == "r":  # on the double itself, as R does: no float noise to remove
            return Decimal(repr(r_round(value, precision))).quantize(Decimal(1).scaleb(-precision), ROUND_HALF_EVEN)
        exact = Decimal(repr(value)).quantize(Decimal(1).scaleb(-PRECISION), ROUND_HALF_EVEN)  # float noise gone
        mode = ROUND_HALF_UP if self.rounding == "half_up" else ROUND_HALF_EVEN
        return exact.quantize(Decimal(1).scaleb(-precision), mode)

    def rank_key(self, value: float) -> Decimal:
        """What ranks compare: the published value (none declared: to 9 decimals, float noise gone, so
        that two means of the same numbers in another order tie)."""
        return self._rounded(value, PRECISION if self.precision is None else self.precision)

    def ranks(self, values: dict[str, float]) -> dict[str, int]:
        """Rank 1 for the highest published value; equal published values share a place, the next
        place skipped (competition: 1, 2, 2, 4) or not (dense: 1, 2, 2, 3)."""
        published = {code: self.rank_key(value) for code, value in values.items()}
        counts = Counter(published.values())
        place, ahead = {}, 0
        for i, value in enumerate(sorted(counts, reverse=True)):
            place[value] = 1 + (i if self.ranking == "dense" else ahead)
            ahead += counts[value]
        return {code: place[value] for code, value in published.items()}


@dataclass
class CountryResult:
    country: str
    name: str
    year: int
    profile_hash: str
    overall: NodeResult
    publication: Publication = field(default_factory=Publication, compare=False)
    kind: str = "country"  # or a declared entity's kind (state, port, scenario, ..., aggregate)
    parent: str | None = None  # an entity's country (an aggregate has none)
    estimate: JSONObject | None = None  # how its unknowns were estimated: draws, seed, priors used
    priors: list[Any] = field(default_factory=list)  # the PriorUsed of each unknown fact its rules read

    @property
    def score(self) -> float | None:
        return self.overall.score

    @property
    def goals(self) -> list[NodeResult]:
        return self.overall.children

    @property
    def published_levels(self) -> list[NodeResult]:
        """The goals and the groups published beside them (``headline``), in the rule set's order."""
        headlines = set(self.publication.headlines)
        if not headlines:  # most rule sets publish the goals alone: no tree to walk (run and diff ask per country)
            return list(self.goals)
        return [node for goal in self.goals for node in goal.walk() if node is goal or node.id in headlines]

    def rules(self) -> list[NodeResult]:
        return [node for node in self.overall.walk() if node.kind == "rule"]

    def unknown_facts(self) -> list[tuple[str, float]]:
        """The facts whose values are unknown, each with the share of the overall weight that knowing
        it would settle (the rules it leaves unscored), largest first: the gaps in the evidence."""
        settles: dict[str, float] = {}
        for rule in self.rules():
            if rule.status == "unknown":
                for read in rule.facts:
                    if read.value is UNKNOWN:
                        settles[read.fact] = settles.get(read.fact, 0.0) + rule.share
        return sorted(settles.items(), key=lambda item: (-item[1], item[0]))

    def to_json(self) -> JSONObject:
        entity = {} if self.kind == "country" else {"kind": self.kind, "parent": self.parent}
        estimate = {} if self.estimate is None else {
            "estimate": {**self.estimate, "priors": [prior.to_json() for prior in self.priors]}}
        return {"country": self.country, "name": self.name, **entity, "year": self.year,
                "profile_hash": self.profile_hash, "result": self.overall.to_json(self.publication), **estimate}


@dataclass
class Stamp:
    """What an output was made from, so any two outputs can be compared and attributed."""

    ruleset_id: str
    ruleset_version: str
    ruleset_hash: str
    component_hashes: dict[str, str]
    profile_hashes: dict[str, str]
    year: int
    engine_version: str

    def to_json(self) -> JSONObject:
        return dict(vars(self))


@dataclass
class Assessment:
    stamp: Stamp
    countries: list[CountryResult]
    rank_by: str | None = None  # the goal ranked on by default (a rule set that publishes no overall)
    publication: Publication = field(default_factory=Publication, compare=False)
    # the estimates under the priors of the unknown facts, as arrays (None: not estimated): their
    # joint draws give the rank intervals, and their estimator re-estimates what-ifs on the same draws
    estimates: Estimates | None = field(default=None, compare=False, repr=False)

    def ranking_node(self, country: CountryResult, by: str | None = None) -> NodeResult:
        """What a country is ranked on: its overall score, or the goal or headline group ``by`` names."""
        level = by or self.rank_by
        if level is None:
            return country.overall
        return next(node for node in country.published_levels if node.id == level)

    def ranked(self, by: str | None = None) -> list[CountryResult]:
        """Highest published estimate first (the expected score where estimated, else the point score,
        in the level's own direction: with ``higher: worse`` the most risk first, as its publisher
        ranks it); no estimate last; equal published values by country code."""
        def key(c: CountryResult) -> tuple[bool, Decimal, str]:
            value = self.ranking_node(c, by).published_estimate
            return value is None, -self.publication.rank_key(value or 0.0), c.country

        return sorted(self.countries, key=key)

    def ranks(self, by: str | None = None) -> dict[str, int]:
        """Each ranked country's place (none: no estimate); equal published values share it."""
        values = {c.country: self.ranking_node(c, by).published_estimate for c in self.countries}
        return self.publication.ranks({code: value for code, value in values.items() if value is not None})

    def rank_intervals(self, by: str | None = None) -> dict[str, tuple[int, int]]:
        """Each country's 90% rank interval from the joint draws of the estimates where there are
        any, else the bounds' intervals (``bound_rank_intervals``); rank 1 is the highest published."""
        if self.estimates is not None:
            level = by or self.rank_by or self.estimates.root
            worse, publication = level in self.publication.mirrored, self.publication
            # read as published where that can change the order: rounded, or mirrored
            changes_order = publication.precision is not None or worse
            published = (lambda score: publication.published(score, worse)) if changes_order else None
            return self.estimates.rank_intervals(level, published, dense=publication.ranking == "dense")
        return self.bound_rank_intervals(by)

    def bound_rank_intervals(self, by: str | None = None) -> dict[str, tuple[int, int]]:
        """The best and worst rank each scored country could hold whatever its unknown facts and
        the others' turn out to be: only countries whose whole interval lies above (or below) its
        own are sure to rank ahead (or behind)."""
        nodes = {c.country: self.ranking_node(c, by) for c in self.countries}
        # a mirrored level ranks the least capacity first: its bounds are taken negated
        sign = -1.0 if (by or self.rank_by) in self.publication.mirrored else 1.0
        bounds = {code: (min(sign * (node.low or 0.0), sign * (node.high or 0.0)),
                         max(sign * (node.low or 0.0), sign * (node.high or 0.0)))
                  for code, node in nodes.items() if node.score is not None}
        # counted by bisection in the sorted ends (n log n, not n squared), the country itself left out
        lows, highs = sorted(low for low, _ in bounds.values()), sorted(high for _, high in bounds.values())
        intervals = {}
        for code, (low, high) in bounds.items():
            surely_ahead = len(lows) - bisect.bisect_right(lows, high) - (low > high)
            maybe_ahead = len(highs) - bisect.bisect_right(highs, low) - (high > low)
            intervals[code] = (1 + surely_ahead, 1 + maybe_ahead)
        return intervals
