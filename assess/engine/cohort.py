"""Cohort methods: scores set against the other entities assessed, and unknowns imputed from them.

Two scoring kinds read a cohort, the known values of a fact among the entities assessed as of a
year (or among the members of a declared grouping): ``cohort_goalposts`` takes its goalposts
from the cohort (``min``, ``max`` or a percentile such as ``p5``), ``zscore`` scores the distance
from the cohort's mean in standard deviations. Either may winsorise the cohort first (clip it at
two declared percentiles, optionally only where it is skewed and heavy-tailed, as the OECD/JRC
Handbook on constructing composite indicators does). Unknown, imputed and invalid values are no
part of a cohort, and a cohort with fewer distinct known values than declared gives no score.

A cohort is fixed for a year: a portfolio's what-ifs and the property checks move one entity's facts and score them
against the same cohort statistics (the statistics come from the profiles as recorded, or, where
no profiles are given, from each fact's sample values).

Imputation (a fact's ``impute``) gives an unknown number the mean of the distribution its
declaration describes (the vocabulary of the priors, ``Estimate``): the mean of the entity's group,
else of the whole cohort, else of the declared prior. The value is used in the score and reported
as imputed wherever the fact is shown.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, Protocol

from pydantic import AfterValidator, Field, model_validator

from .derived import Derivations
from .facttypes import FACT_TYPES, FactSpecBase
from .modelbase import Identifier, Strict
from .priors import Priors, PriorUsed
from .scorings import Checker, CompiledScoring, Facts, ScoringBase
from .values import UNKNOWN

if TYPE_CHECKING:
    from .conditions import Snapshot
    from .models import Grouping
    from .reader import DataPath, Document
    from .results import JSONObject
    from .workspace import CountryProfile


# --- Declarations ------------------------------------------------------------------------------


def _anchor(text: str) -> str:
    if text in ("min", "max"):
        return text
    if not text.startswith("p"):
        raise ValueError(f"'{text}' is not min, max or a percentile such as p5")
    try:
        percentile = float(text[1:])
    except ValueError:
        raise ValueError(f"'{text}' is not min, max or a percentile such as p5") from None
    if not 0 < percentile < 100:
        raise ValueError(f"the percentile {text} is outside p0-p100 (write min or max for the ends)")
    return text


# ``min``, ``max`` or ``p<percentile>`` (``p5``, ``p97.5``): where in the cohort a goalpost stands
Anchor = Annotated[str, Field(pattern=r"^(min|max|p[0-9]+(\.[0-9]+)?)$"), AfterValidator(_anchor)]


def percentile_of(anchor: str) -> float:
    """``min`` -> 0, ``max`` -> 100, ``p5`` -> 5."""
    ends = {"min": 0.0, "max": 100.0}
    return ends[anchor] if anchor in ends else float(anchor[1:])


class SkewTest(Strict):
    """Winsorise only a skewed, heavy-tailed cohort: |skewness| and kurtosis both above these."""

    skewness: Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)] = Field(
        2.0, description="The absolute skewness above which a cohort counts as skewed.")
    kurtosis: Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)] = Field(
        3.5, description="The (excess) kurtosis above which a cohort counts as heavy-tailed.")


class Winsorise(Strict):
    """Clip the cohort (and the entity's value) at two of its percentiles before the statistics."""

    low: Annotated[float, Field(ge=0, lt=100, allow_inf_nan=False)] = Field(
        description="The percentile below which values are raised to it (0: none are).")
    high: Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)] = Field(
        description="The percentile above which values are lowered to it (100: none are).")
    when_skewed: SkewTest | None = Field(
        None, description="Only when the cohort is skewed and heavy-tailed (the OECD/JRC Handbook's |skewness| > 2 "
                          "and kurtosis > 3.5); none: always.")

    @model_validator(mode="after")
    def _ordered(self) -> Winsorise:
        if self.high <= self.low:
            raise ValueError(f"winsorisation bounds reversed: low (p{self.low:g}) must be below high (p{self.high:g})")
        return self


class CohortSpec(Strict):
    """Which entities a cohort statistic is taken over, and how."""

    grouping: Identifier | None = Field(
        None, description="The members of this grouping of groupings.yaml as of the year's last day (none: every "
                          "entity assessed, aggregates left out).")
    min_distinct: Annotated[int, Field(ge=2, le=1000)] = Field(
        2, description="The least distinct known values the cohort must show; with fewer the rule gives no score.")
    winsorise: Winsorise | None = None

    def check(self, checker: Checker, doc: Document, where: DataPath) -> None:
        known = checker.groupings
        if self.grouping is not None and known is not None and self.grouping not in known:
            from ..errors import did_you_mean

            checker.error(doc, (*where, "cohort", "grouping"), f"unknown grouping '{self.grouping}'",
                          allowed=tuple(sorted(known)), suggestion=did_you_mean(self.grouping, known))


# --- Statistics ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CohortStats:
    """The statistics of one cohort of one fact as of one year, after any winsorisation."""

    name: str  # in words: "all assessed entities" or "grouping eu"
    year: int
    values: tuple[float, ...]  # sorted, winsorised where it was
    known: int  # the known values before winsorisation (the cohort's size)
    winsorised: tuple[float, float] | None  # the clipping bounds, where the cohort was winsorised
    why_winsorised: str  # in words: why it was or was not

    @cached_property
    def mean(self) -> float:
        return math.fsum(self.values) / len(self.values)

    @cached_property
    def sd(self) -> float:
        """The population standard deviation: the cohort is every entity assessed, not a sample of them."""
        mean = self.mean
        return math.sqrt(math.fsum((value - mean) ** 2 for value in self.values) / len(self.values))

    def at(self, anchor: str) -> float:
        return percentile(self.values, percentile_of(anchor))

    def clip(self, value: float) -> float:
        return value if self.winsorised is None else min(max(value, self.winsorised[0]), self.winsorised[1])

    def to_json(self, anchors: Collection[str] = ()) -> JSONObject:
        data: JSONObject = {"name": self.name, "year": self.year, "size": self.known, "min": self.values[0],
                            "max": self.values[-1], "mean": self.mean, "sd": self.sd}
        data.update({anchor: self.at(anchor) for anchor in anchors if anchor not in data})
        data["winsorised"] = None if self.winsorised is None else list(self.winsorised)
        data["winsorisation"] = self.why_winsorised
        return data

    def text(self) -> str:
        shown = f"cohort {self.name} {self.year}: {self.known} known, min {self.values[0]:g}, max {self.values[-1]:g}"
        if self.winsorised is not None:
            shown += f", winsorised at [{self.winsorised[0]:g}, {self.winsorised[1]:g}]"
        elif self.why_winsorised != NOT_DECLARED:
            shown += f", not winsorised ({self.why_winsorised.removeprefix('not: ')})"
        return shown

    def value_text(self, key: str, measure: float) -> str:
        """``w = 100``, or ``w = 100, winsorised to 23.2``: the entity's value as the cohort reads it."""
        clipped = self.clip(measure)
        return f"{key} = {measure:g}" + (f", winsorised to {clipped:g}" if clipped != measure else "")


NOT_DECLARED = "not declared"


def percentile(values: tuple[float, ...], share: float) -> float:
    """Linear interpolation between the closest ranks (NumPy's default), on sorted ``values``."""
    import numpy as np

    return float(np.percentile(values, share, method="linear"))


def cohort_stats(name: str, year: int, known: Collection[float], spec: CohortSpec) -> CohortStats | str:
    """The cohort's statistics, or why there are none (too few distinct known values, or values so
    close that their spread is no number: a score would divide by it)."""
    stats = _winsorised(name, year, known, spec)
    if isinstance(stats, str) or stats.sd > 0:
        return stats
    return f"the known values of the cohort {name} {year} have no spread a score can be set on"


def _winsorised(name: str, year: int, known: Collection[float], spec: CohortSpec) -> CohortStats | str:
    values = tuple(sorted(known))
    distinct = len(set(values))
    if distinct < spec.min_distinct:
        return (f"the cohort {name} {year} has {distinct} distinct known value{'s' if distinct != 1 else ''} "
                f"(at least {spec.min_distinct} needed)")
    rule = spec.winsorise
    if rule is None:
        return CohortStats(name, year, values, len(values), None, NOT_DECLARED)
    skewed, why = _skewed(values, rule.when_skewed)
    if not skewed:
        return CohortStats(name, year, values, len(values), None, why)
    bounds = percentile(values, rule.low), percentile(values, rule.high)
    clipped = tuple(min(max(value, bounds[0]), bounds[1]) for value in values)
    return CohortStats(name, year, clipped, len(values), bounds, f"at p{rule.low:g} and p{rule.high:g}" + why)


def _skewed(values: tuple[float, ...], test: SkewTest | None) -> tuple[bool, str]:
    """Whether the declared test asks for winsorisation; skewness and kurtosis are the bias-corrected
    sample statistics (Excel's SKEW and KURT, which the JRC's tools use), so need 4 values."""
    if test is None:
        return True, ""
    if len(values) < 4:
        return False, f"not: {len(values)} values are too few to judge skewness (4 needed)"
    from scipy import stats

    with warnings.catch_warnings():  # a near-constant cohort warns of lost precision: its moments are then 0
        warnings.simplefilter("ignore", RuntimeWarning)
        skewness = float(stats.skew(values, bias=False))
        kurtosis = float(stats.kurtosis(values, fisher=True, bias=False))
    if not (math.isfinite(skewness) and math.isfinite(kurtosis)):
        return False, "not: the cohort's skewness is undefined"
    measured = f"skewness {skewness:.2f}, kurtosis {kurtosis:.2f}"
    if abs(skewness) > test.skewness and kurtosis > test.kurtosis:
        return True, f" ({measured})"
    return False, f"not: {measured} (winsorised above |{test.skewness:g}| and {test.kurtosis:g})"


# --- Where the known values come from -----------------------------------------------------------


class CohortSource(Protocol):
    """The known measures of a fact among a cohort as of a year: what cohort scorings read."""

    def measures(self, fact: str, grouping: str | None, year: int) -> tuple[tuple[float, ...], str]:
        """The known measures (sorted) and the cohort's name in words."""
        ...


class SampleCohort:
    """A fixed cohort of each fact's sample values: what a rule set is scored against where no
    profiles are given (``check --properties``), so its properties are checked within one cohort."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts

    def measures(self, fact: str, grouping: str | None, year: int) -> tuple[tuple[float, ...], str]:
        spec = self.facts[fact]
        return tuple(sorted(spec.measure(value) for value in spec.samples())), "of the fact's sample values (fixed)"


@dataclass(frozen=True)
class Imputed:
    """An unknown value imputed as the mean of its declared distribution."""

    value: float
    origin: str  # in words: "mean of group Western Europe (region), 4 known"

    def to_json(self) -> JSONObject:
        return {"value": self.value, "origin": self.origin}


class Cohorts:
    """The known values of the assessed entities (the profiles as recorded, aggregates left out),
    read once per fact and year: what cohort scorings and imputations are computed from."""

    def __init__(self, profiles: Mapping[str, CountryProfile], facts: Facts, groupings: Mapping[str, Grouping]) -> None:
        self.profiles, self.facts, self.groupings = profiles, facts, groupings
        self._known: dict[tuple[str, int], dict[str, Any]] = {}
        self._priors: dict[int, Priors] = {}

    @cached_property
    def entities(self) -> tuple[str, ...]:
        """The cohort's entities: every profile but the aggregates (a world total is no further case)."""
        from .models import AGGREGATE  # models imports the scoring kinds, this module among them

        return tuple(code for code, profile in self.profiles.items() if profile.kind != AGGREGATE)

    @cached_property
    def derived(self) -> Derivations:
        return Derivations(self.facts)

    def known(self, fact: str, year: int) -> dict[str, Any]:
        """Entity -> the fact's known, valid value as of ``year`` as recorded (never imputed), in entity
        order; a derived fact's, computed from its inputs' (where it has a valid value)."""
        key = (fact, year)
        found = self._known.get(key)
        if found is None and fact in self.derived:
            found = self._known[key] = self._derived(fact, year)
        if found is None:
            spec, found = self.facts[fact], {}
            for code in self.entities:
                reading = self.profiles[code].reading(fact, year)
                if reading is not None and reading.value is not UNKNOWN and spec.invalid(reading.value) is None:
                    found[code] = reading.value
            self._known[key] = found
        return found

    def _derived(self, fact: str, year: int) -> dict[str, Any]:
        inputs: dict[str, dict[str, Any]] = {code: {} for code in self.entities}
        for name in self.derived.bases((fact,)):
            for code, value in self.known(name, year).items():
                inputs[code][name] = value
        found = {}
        for code, values in inputs.items():
            completed = self.derived.complete(values)[0]
            if fact in completed:
                found[code] = completed[fact]
        return found

    def measures(self, fact: str, grouping: str | None, year: int) -> tuple[tuple[float, ...], str]:
        known, measure = self.known(fact, year), self.facts[fact].measure
        if grouping is None:
            return tuple(sorted(measure(value) for value in known.values())), "all assessed entities"
        members = self.groupings[grouping].groups(dt.date(year, 12, 31))
        inside = [value for code, value in known.items()
                  if (self.profiles[code].parent or code)[:3] in members]
        return tuple(sorted(measure(value) for value in inside)), f"grouping {grouping}"

    def impute(self, entity: str, fact: str, year: int) -> Imputed | None:
        """The mean of the distribution ``fact``'s ``impute`` declares for ``entity``, or None."""
        if self.facts[fact].impute is None:
            return None
        prior = self._priors_of(year).of(entity, fact)
        if not prior.estimated:
            return None
        return Imputed(math.fsum(value * p for value, p in prior.distribution), f"mean, {_origin(prior)}")

    def _priors_of(self, year: int) -> Priors:
        """The imputations' distributions as of ``year``: the priors machinery over the declarations of
        ``impute``, with the known values (and the values of facts that group them) of every entity."""
        found = self._priors.get(year)
        if found is None:
            declared = {name: spec.impute for name, spec in self.facts.items() if spec.impute is not None}
            read = set(declared) | {e.by for e in declared.values() if e.by is not None and e.by in self.facts}
            known: dict[str, dict[str, Any]] = {code: {} for code in self.entities}
            for name in sorted(read):
                for code, value in self.known(name, year).items():
                    known[code][name] = value
            groups = {name: grouping.groups(dt.date(year, 12, 31)) for name, grouping in self.groupings.items()}
            found = self._priors[year] = Priors(self.facts, declared, groups, known,
                                                {code: p.parent for code, p in self.profiles.items()})
        return found


def _origin(prior: PriorUsed) -> str:
    return prior.origin.removeprefix("cohort: ")


def imputation_needs_a_number(checker: Checker, doc: Document, name: str, spec: FactSpecBase) -> None:
    """Only a number has a mean worth imputing (a level or a set has none)."""
    if spec.impute is not None and spec.type != "number":
        checker.error(doc, ("facts", name, "impute"), f"only a number fact can be imputed (by a mean); "
                      f"'{name}' is a {spec.type}")


# --- Scoring kinds ------------------------------------------------------------------------------


def _clamped(points: float) -> float:
    return min(100.0, max(0.0, points))


class CohortScoringBase(ScoringBase, ABC):
    """What the cohort kinds share: a fact, a cohort, and statistics computed once per year."""

    def compile(self, facts: Facts) -> CompiledScoring:
        """Against the fixed cohort of the fact's sample values (no profiles given)."""
        return self.compile_against(facts, SampleCohort(facts))

    @abstractmethod
    def compile_against(self, facts: Facts, source: CohortSource) -> CompiledScoring:
        """The score function against the cohort ``source`` gives."""

    def facts_read(self) -> tuple[str, ...]:
        return (self._fact,)

    def score_range(self) -> tuple[float, float]:
        return 0.0, 100.0

    @property
    def _fact(self) -> str:
        return str(getattr(self, next(iter(type(self).model_fields))).fact)

    @property
    def _cohort(self) -> CohortSpec:
        spec: CohortSpec = getattr(self, next(iter(type(self).model_fields))).cohort
        return spec

    def check(self, checker: Checker, doc: Document, path: DataPath) -> None:
        key = next(iter(type(self).model_fields))
        where, name = (*path, key), self._fact
        spec = checker.fact(doc, where, name)
        if spec is not None and not spec.on_goalposts():
            kinds = " or ".join(name for name, kind in FACT_TYPES.items() if kind.on_goalposts())
            checker.error(doc, (*where, "fact"), f"a cohort needs a {kinds} fact; '{name}' is a {spec.type}")
        self._cohort.check(checker, doc, where)

    def _stats(self, source: CohortSource) -> Callable[[int], CohortStats | str]:
        """The cohort's statistics by year, computed once a year."""
        cache: dict[int, CohortStats | str] = {}
        fact, spec = self._fact, self._cohort

        def stats(year: int) -> CohortStats | str:
            found = cache.get(year)
            if found is None:
                measures, name = source.measures(fact, spec.grouping, year)
                found = cache[year] = cohort_stats(name, year, measures, spec)
            return found

        return stats


class CohortGoalposts(Strict):
    """Linear between goalposts taken from the cohort (its min, max or a percentile), clamped."""

    fact: Identifier
    worst: Anchor = Field(description="min, max or a percentile of the cohort (p5): where 0 points stand.")
    best: Anchor = Field(description="min, max or a percentile of the cohort (p95): where 100 points stand.")
    cohort: CohortSpec = Field(default_factory=lambda: CohortSpec())

    @model_validator(mode="after")
    def _distinct(self) -> CohortGoalposts:
        if percentile_of(self.worst) == percentile_of(self.best):
            raise ValueError("worst and best goalposts must differ")
        return self


class CohortGoalpostScoring(CohortScoringBase):
    cohort_goalposts: CohortGoalposts

    @classmethod
    def example(cls, fact: str, spec: FactSpecBase) -> dict[str, Any] | None:
        if not spec.on_goalposts():
            return None
        worst, best = ("min", "max") if spec.higher_is_better else ("max", "min")
        return {"cohort_goalposts": {"fact": fact, "worst": worst, "best": best}}

    def reversed_against(self, facts: Facts) -> tuple[DataPath, str] | None:
        spec, posts = facts.get(self._fact), self.cohort_goalposts
        if spec is None or (percentile_of(posts.best) > percentile_of(posts.worst)) == spec.higher_is_better:
            return None
        side = "below" if spec.higher_is_better else "above"
        return (("cohort_goalposts", "best"), f"the best goalpost ({posts.best}) is {side} the worst ({posts.worst}), "
                f"though '{posts.fact}' counts more capacity when "
                f"{'higher' if spec.higher_is_better else 'lower'}")

    def compile_against(self, facts: Facts, source: CohortSource) -> CompiledScoring:
        key, posts, measure = self._fact, self.cohort_goalposts, facts[self._fact].measure
        stats_of = self._stats(source)

        def goalposts(year: int) -> tuple[CohortStats, float, float] | str:
            stats = stats_of(year)
            if isinstance(stats, str):
                return stats
            worst, best = stats.at(posts.worst), stats.at(posts.best)
            if worst == best:
                return f"the goalposts {posts.worst} and {posts.best} of the cohort {stats.name} {year} are both {worst:g}"
            return stats, worst, best

        def score(s: Snapshot) -> float | None:
            value, found = s.get(key, UNKNOWN), goalposts(s.year)
            if value is UNKNOWN or isinstance(found, str):
                return None
            stats, worst, best = found
            return _clamped((stats.clip(measure(value)) - worst) / (best - worst) * 100.0)

        def explain(s: Snapshot, result: float | None) -> str:
            found = goalposts(s.year)
            if isinstance(found, str):
                return f"{found}: not assessed"
            stats, worst, best = found
            posts_text = f"goalposts {posts.worst} {worst:g} to {posts.best} {best:g}; {stats.text()}"
            value = s.get(key, UNKNOWN)
            if value is UNKNOWN:
                return f"{key} not known: not assessed ({posts_text})"
            return f"{stats.value_text(key, measure(value))}: {result or 0:.1f} points ({posts_text})"

        def described(year: int) -> JSONObject:
            stats = stats_of(year)
            return {"reason": stats} if isinstance(stats, str) else stats.to_json((posts.worst, posts.best))

        return CompiledScoring(score, (key,), explain, described)


class ZScore(Strict):
    """The distance from the cohort's mean in (population) standard deviations, as points: ``best_z``
    above the mean (in the fact's better direction) scores 100, the mean 50, ``best_z`` below 0."""

    fact: Identifier
    best_z: Annotated[float, Field(gt=0, le=10, allow_inf_nan=False)] = Field(
        2.0, description="The z-score that earns 100 points (its negative earns 0; the mean 50).")
    cohort: CohortSpec = Field(default_factory=lambda: CohortSpec())


class ZScoreScoring(CohortScoringBase):
    zscore: ZScore

    @classmethod
    def example(cls, fact: str, spec: FactSpecBase) -> dict[str, Any] | None:
        # with two known entities their z-scores are -1 and 1: the better one scores 100
        return {"zscore": {"fact": fact, "best_z": 1}} if spec.on_goalposts() else None

    def reversed_against(self, facts: Facts) -> tuple[DataPath, str] | None:
        return None  # it scores in the fact's declared direction

    def compile_against(self, facts: Facts, source: CohortSource) -> CompiledScoring:
        key, spec, best_z = self._fact, facts[self._fact], self.zscore.best_z
        sign, stats_of = (1.0 if spec.higher_is_better else -1.0), self._stats(source)

        def z_of(stats: CohortStats, value: Any) -> float:
            return sign * (stats.clip(spec.measure(value)) - stats.mean) / stats.sd

        def score(s: Snapshot) -> float | None:
            value, stats = s.get(key, UNKNOWN), stats_of(s.year)
            if value is UNKNOWN or isinstance(stats, str):
                return None
            return _clamped(50.0 + 50.0 * z_of(stats, value) / best_z)

        def explain(s: Snapshot, result: float | None) -> str:
            stats = stats_of(s.year)
            if isinstance(stats, str):
                return f"{stats}: not assessed"
            moments = f"mean {stats.mean:g}, sd {stats.sd:g}; {stats.text()}"
            value = s.get(key, UNKNOWN)
            if value is UNKNOWN:
                return f"{key} not known: not assessed ({moments})"
            shown = stats.value_text(key, spec.measure(value))
            return f"{shown}, z = {z_of(stats, value):+.2f}: {result or 0:.1f} points ({moments})"

        def described(year: int) -> JSONObject:
            stats = stats_of(year)
            return {"reason": stats} if isinstance(stats, str) else stats.to_json()

        return CompiledScoring(score, (key,), explain, described)


class CohortDistance(Strict):
    """The two-sided distance from a reference in the cohort (its median by default): the reference
    scores 100 and the cohort's farthest value on each side 0, linear on each side, each side scaled
    by its own farthest value (the Blavatnik Index's "median distance"). Not monotone: the rule
    declares ``non_monotone``."""

    fact: Identifier
    reference: Anchor = Field("p50", description="min, max or a percentile of the cohort (p50, the median): "
                                                  "where 100 points stand.")
    cohort: CohortSpec = Field(default_factory=lambda: CohortSpec())


class CohortDistanceScoring(CohortScoringBase):
    cohort_distance: CohortDistance

    @classmethod
    def example(cls, fact: str, spec: FactSpecBase) -> dict[str, Any] | None:
        if not spec.on_goalposts():
            return None
        # the distance from the cohort's best end: its most capable sample scores 100 (from the median it would not)
        return {"cohort_distance": {"fact": fact, "reference": "max" if spec.higher_is_better else "min"}}

    def reversed_against(self, facts: Facts) -> tuple[DataPath, str] | None:
        return None  # it has no direction: a rule declares non_monotone

    def compile_against(self, facts: Facts, source: CohortSource) -> CompiledScoring:
        key, anchor, stats_of = self._fact, self.cohort_distance.reference, self._stats(source)
        measure = facts[key].measure

        def span(stats: CohortStats, value: float) -> tuple[float, float]:
            """The reference, and the distance from it to the cohort's farthest value on ``value``'s side."""
            reference = stats.at(anchor)
            return reference, (stats.values[-1] - reference if value >= reference else reference - stats.values[0])

        def score(s: Snapshot) -> float | None:
            value, stats = s.get(key, UNKNOWN), stats_of(s.year)
            if value is UNKNOWN or isinstance(stats, str):
                return None
            x = stats.clip(measure(value))
            reference, farthest = span(stats, x)
            return 100.0 if farthest == 0 else _clamped((1 - abs(x - reference) / farthest) * 100.0)

        def explain(s: Snapshot, result: float | None) -> str:
            stats = stats_of(s.year)
            if isinstance(stats, str):
                return f"{stats}: not assessed"
            value = s.get(key, UNKNOWN)
            reference = stats.at(anchor)
            shown = (f"distance from {anchor} {reference:g}, 0 points at min {stats.values[0]:g} and max "
                     f"{stats.values[-1]:g}; {stats.text()}")
            if value is UNKNOWN:
                return f"{key} not known: not assessed ({shown})"
            return f"{stats.value_text(key, measure(value))}: {result or 0:.1f} points ({shown})"

        def described(year: int) -> JSONObject:
            stats = stats_of(year)
            return {"reason": stats} if isinstance(stats, str) else stats.to_json((anchor,))

        return CompiledScoring(score, (key,), explain, described)


def compile_scoring(scoring: ScoringBase, facts: Facts, source: CohortSource | None) -> CompiledScoring:
    """A rule's scoring compiled against the cohort of ``source`` (None: the fixed sample cohort)."""
    if isinstance(scoring, CohortScoringBase) and source is not None:
        return scoring.compile_against(facts, source)
    return scoring.compile(facts)
