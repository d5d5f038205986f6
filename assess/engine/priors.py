"""Priors: the distribution each unknown fact of an entity is estimated from, as of a year.

A fact's declared ``Estimate`` (its own, else the catalogue's) says how: the cohort of assessed
entities where the fact is known that year (within the entity's group when the group has enough
known members, else all of them when enough are known, else the declared prior), the declared
prior alone, or not at all. Facts are drawn independently of each other: the distributions are
marginal, and every output that shows an estimate says so.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .derived import Derivations, distribution
from .facttypes import Estimate, FactSpecBase
from .values import UNKNOWN, to_json

INDEPENDENCE = ("unknown facts are estimated independently of each other (no correlation between facts is declared); "
                "each from its declared prior or cohort")


@dataclass(frozen=True)
class PriorUsed:
    """The distribution one unknown fact of one entity was drawn from, and where it came from."""

    fact: str
    distribution: tuple[tuple[Any, float], ...]  # (value, probability), in the fact's order; empty: not estimated
    method: str  # group, cohort, prior or none
    origin: str  # in words: which cohort or group and how many entities, or the declared prior
    known: int = 0  # entities the cohort counted (0 for a declared prior)
    rationale: str = ""  # the declaration's reason for this treatment

    @property
    def estimated(self) -> bool:
        return bool(self.distribution)

    def to_json(self) -> dict[str, Any]:
        return {"fact": self.fact, "method": self.method, "origin": self.origin, "known": self.known,
                "rationale": self.rationale,
                "distribution": [{"value": to_json(value), "p": p} for value, p in self.distribution]}

    def text(self) -> str:
        """``npp_anpp_controlled: P(true) = 0.62 (cohort: region Western Europe, 8 known)``."""
        if not self.estimated:
            return f"{self.fact}: not estimated ({self.rationale})"
        values = dict(self.distribution)
        if set(values) <= {True, False}:
            shown = f"P(true) = {values.get(True, 0.0):.2f}"
        else:
            shown = ", ".join(f"{_display(value)} {p:.2f}" for value, p in self.distribution[:6])
            shown += ", ..." if len(self.distribution) > 6 else ""
        return f"{self.fact}: {shown} ({self.origin})"


def _least_held(counts: Counter[Any], estimate: Estimate) -> float:
    """How many known entities a value needs to count towards ``min_distinct``: ``min_per_value``,
    and ``min_value_share`` of the cohort's known entities."""
    return max(estimate.min_per_value, estimate.min_value_share * sum(counts.values()))


def _spread(counts: Counter[Any], estimate: Estimate) -> bool:
    """Whether the known values show the spread the declaration asks for: ``min_distinct`` values,
    each held by at least ``min_per_value`` entities and ``min_value_share`` of them."""
    least = _least_held(counts, estimate)
    return sum(1 for held in counts.values() if held >= least) >= estimate.min_distinct


def _world_allowed(counts: Counter[Any], estimate: Estimate) -> bool:
    """Whether enough entities are known for the whole cohort to speak (never, where so declared)."""
    return estimate.min_cohort != "never" and sum(counts.values()) >= estimate.min_cohort


def _refused(counts: Counter[Any], estimate: Estimate) -> str:
    """Why a cohort was not used, in words a reader can check against the known values."""
    known = sum(counts.values())
    if estimate.min_cohort == "never":
        return f"; not the cohort: declared never ({known} known)"
    if known < estimate.min_cohort:
        return f"; not the cohort: {known} known, fewer than {estimate.min_cohort}"
    held = sorted(counts.values(), reverse=True)
    least = _least_held(counts, estimate)
    if len(held) == 1 and held[0] >= least:  # only the distinct values fall short
        return f"; not the cohort: its {known} known all hold one value"
    share = f" ({estimate.min_value_share:.0%} of {known})" if least > estimate.min_per_value else ""
    return (f"; not the cohort: its {known} known hold {' / '.join(map(str, held))} per value, fewer than "
            f"{estimate.min_distinct} values held by at least {math.ceil(least)}{share}")


def _display(value: Any) -> str:
    shown = to_json(value)
    return "[" + ", ".join(shown) + "]" if isinstance(shown, list) else str(shown)


_NOT_YET = object()  # a group not looked up yet (None is a group: "none")


class Priors:
    """Every entity's prior for every fact, built from the known values of all the entities assessed
    as of one year (the cohort) and the rule set's declarations."""

    def __init__(self, facts: Mapping[str, FactSpecBase], estimates: Mapping[str, Estimate],
                 groupings: Mapping[str, Mapping[str, str]], known: Mapping[str, Mapping[str, Any]],
                 parents: Mapping[str, str | None], derived: Derivations | None = None) -> None:
        """``known``: entity -> fact -> known value (unknown facts absent); ``parents``: an entity's
        country (None for a country), whose group it takes; ``groupings``: name -> ISO3 -> group;
        ``derived``: the derived facts, drawn from their inputs' priors (whose ``estimates`` it needs)."""
        self.facts, self.estimates, self.groupings, self.derived = facts, estimates, groupings, derived
        self.known, self.parents = known, parents
        self._counts: dict[tuple[str, str | None, Any], Counter[Any]] = {}
        self._cache: dict[tuple[str, Any], PriorUsed] = {}
        self._chosen: dict[tuple[str, Any], PriorUsed] = {}  # (fact, the entity's group) -> its prior
        self._groups: dict[tuple[str, str], Any] = {}  # (entity, grouping or fact) -> its group
        self._counted: set[str | None] = set()  # the groupings (None: all) whose every fact and group is counted

    def of(self, entity: str, fact: str) -> PriorUsed:
        """The prior ``entity``'s unknown ``fact`` is drawn from (the same object for every entity
        that shares it, so callers may group draws by it)."""
        if self.derived is not None and fact in self.derived:
            return self._derived(entity, fact)
        estimate = self.estimates[fact]
        group = None
        if estimate.method == "cohort" and estimate.by is not None:
            group = self._group_of(entity, estimate.by)
        key = (fact, group)
        found = self._chosen.get(key)
        if found is None:
            found = self._chosen[key] = self._choose(entity, fact)
        return found

    def _derived(self, entity: str, fact: str) -> PriorUsed:
        """The expression over its inputs: each known input at its value, each unknown one drawn from
        its own prior; the same object for every entity with the same known inputs and priors."""
        assert self.derived is not None
        derivation = self.derived.by_name[fact]
        known = self.known.get(entity, {})
        priors = {name: None if name in known else self.of(entity, name) for name in derivation.inputs}
        key = tuple((name, known[name]) if prior is None else (name, id(prior)) for name, prior in priors.items())
        return self._cached((fact, key), "derived", lambda: self._drawn_from(fact, known, priors))

    def _drawn_from(self, fact: str, known: Mapping[str, Any], priors: Mapping[str, PriorUsed | None]) -> PriorUsed:
        assert self.derived is not None
        derivation = self.derived.by_name[fact]
        drawn = {name: prior for name, prior in priors.items() if prior is not None}
        origin = f"derived: {derivation.text}, over " + "; ".join(
            f"{name} = {known[name]:g}" if prior is None else prior.origin for name, prior in priors.items())
        unestimated = [name for name, prior in drawn.items() if not prior.estimated]
        if unestimated:
            return PriorUsed(fact, (), "none", "not estimated", 0, f"{', '.join(unestimated)} not estimated")
        inputs = {name: ((known[name], 1.0),) if prior is None else prior.distribution for name, prior in priors.items()}
        return PriorUsed(fact, distribution(derivation, inputs), "derived", origin, 0,
                         "the expression over its inputs' priors")

    def _choose(self, entity: str, fact: str) -> PriorUsed:
        estimate = self.estimates[fact]
        if estimate.method == "none":
            return self._cached(fact, "none", lambda: PriorUsed(fact, (), "none", "not estimated", 0, estimate.rationale))
        if estimate.method == "cohort":
            group = self._group(entity, estimate.by)
            if group is not None:
                counts = self._count(fact, estimate.by, group)
                if sum(counts.values()) >= estimate.min_group and _spread(counts, estimate):
                    return self._cached((fact, estimate.by, group), "group", lambda: self._from_counts(
                        fact, counts, "group", f"cohort: {estimate.by} {_display(group)}, {sum(counts.values())} known",
                        estimate.rationale))
            counts = self._count(fact, None, None)
            if _world_allowed(counts, estimate) and _spread(counts, estimate):
                return self._cached(fact, "cohort", lambda: self._from_counts(
                    fact, counts, "cohort", f"cohort: all assessed entities, {sum(counts.values())} known",
                    estimate.rationale))
            return self._cached(fact, "prior", lambda: self._declared(fact, estimate, _refused(counts, estimate)))
        return self._cached(fact, "prior", lambda: self._declared(fact, estimate))

    def _cached(self, key: Any, method: str, make: Any) -> PriorUsed:
        found = self._cache.get((method, key))
        if found is None:
            found = self._cache[(method, key)] = make()
        return found

    def _group(self, entity: str, by: str | None) -> Any:
        """The entity's group under ``by`` (a grouping, or a fact's known value), or None."""
        if by is None:
            return None
        if by in self.groupings:
            country = self.parents.get(entity) or entity
            return self.groupings[by].get(country[:3])
        value = self.known.get(entity, {}).get(by, UNKNOWN)
        return None if value is UNKNOWN else value

    def _count(self, fact: str, by: str | None, group: Any) -> Counter[Any]:
        """The known values of ``fact`` among the entities of ``group`` under ``by`` (every entity for
        None), counted in entity order. Every fact's every group under ``by`` is counted in one pass
        over the cohort's known cells: a pass per fact (or per group) would read the whole cohort
        once each (thousands of entities, dozens of facts, groups by a fact with hundreds of values)."""
        if by not in self._counted:
            self._counted.add(by)
            for entity, values in self.known.items():
                in_group = None if by is None else self._group_of(entity, by)
                for name, value in values.items():
                    found = self._counts.get((name, by, in_group))
                    if found is None:
                        found = self._counts[(name, by, in_group)] = Counter()
                    found[value] += 1
        return self._counts.get((fact, by, group), Counter())

    def _group_of(self, entity: str, by: str) -> Any:
        known = self._groups.get((entity, by), _NOT_YET)
        if known is _NOT_YET:
            known = self._groups[(entity, by)] = self._group(entity, by)
        return known

    def _from_counts(self, fact: str, counts: Counter[Any], method: str, origin: str, rationale: str) -> PriorUsed:
        total = sum(counts.values())
        order = sorted(counts, key=self.facts[fact].order_key)
        return PriorUsed(fact, tuple((value, counts[value] / total) for value in order), method, origin, total,
                         rationale)

    def _declared(self, fact: str, estimate: Estimate, why: str = "") -> PriorUsed:
        """The declared prior; ``why``: why the cohort was not used instead (a cohort estimate only)."""
        spec = self.facts[fact]
        if estimate.prior == "uniform":
            points = spec.uniform()
            origin = "declared prior: uniform"
        else:
            assert estimate.prior is not None, "validation requires a prior for every estimate but none"
            points = [(spec.read(point.value, allow_unknown=False), point.p) for point in estimate.prior]
            origin = "declared prior"
        total = sum(p for _, p in points)
        ordered = sorted(points, key=lambda point: spec.order_key(point[0]))
        return PriorUsed(fact, tuple((value, p / total) for value, p in ordered), "prior", origin + why, 0,
                         estimate.rationale)
