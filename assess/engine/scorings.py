"""The scoring kinds of a rule, one class each: the single home of everything a kind needs.

Each kind is the pydantic model of its YAML form (``when``, ``levels``, ``goalposts``,
``cases``), names the facts it reads, checks itself against the fact catalogue, and compiles
to a ``CompiledScoring``: a score function built once and evaluated many times, with the words
that explain a result; and it gives an example of itself that the tests run every command over.
Adding a kind means adding one class here: defining it registers it in ``SCORING_KINDS`` under
its first field's name, and a class that lacks one of ``ScoringBase``'s abstract methods is
refused at import (see CONTRIBUTING.md).
"""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Protocol

from pydantic import Field, model_validator

from ..errors import did_you_mean
from .conditions import Condition, Snapshot, compile_condition, facts_of
from .facttypes import FACT_TYPES, FactSpecBase, LevelFact
from .kinds import OneOf, concrete, register
from .modelbase import Identifier, Score, Strict, keyed_union
from .values import UNKNOWN, to_json

if TYPE_CHECKING:
    from .reader import DataPath, Document

Scorer = Callable[[Snapshot], "float | None"]
Facts = Mapping[str, FactSpecBase]


@dataclass(frozen=True)
class CompiledScoring:
    score: Scorer
    facts: tuple[str, ...]
    explain: Callable[[Snapshot, float | None], str]
    cohort: Callable[[int], dict[str, Any]] | None = None  # a cohort kind's statistics as of a year, for traces


class Checker(Protocol):
    """What a scoring needs to check itself (``validate.RulesetChecker`` provides it)."""

    def check_condition(self, doc: Document, path: DataPath, condition: Condition) -> None: ...

    def fact(self, doc: Document, where: DataPath, name: str) -> FactSpecBase | None: ...

    def error(self, doc: Document, path: DataPath, message: str, **extra: Any) -> None: ...

    @property
    def groupings(self) -> Collection[str] | None:
        """The groupings of groupings.yaml (None: it did not validate, so names are not checked)."""


SCORING_KINDS: dict[str, type[ScoringBase]] = {}  # every scoring kind by its key, in the order defined


class ScoringBase(Strict, ABC):
    """What every scoring kind provides: a rule's ``score`` is one of its concrete subclasses, named by
    the key of its first field (``when``, ``levels``)."""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if concrete(cls, "scoring kind"):
            register(SCORING_KINDS, next(iter(cls.model_fields)), cls, "scoring kind")

    @classmethod
    @abstractmethod
    def example(cls, fact: str, spec: FactSpecBase) -> dict[str, Any] | None:
        """A ``score`` of this kind, as written in a rule, that reads the fact ``fact`` declared as
        ``spec``, gives its most capable sample 100 and an unknown value no score;
        or None if this kind cannot score such a fact (``tests/test_kinds.py`` runs every command
        over rule sets built from these)."""

    @abstractmethod
    def facts_read(self) -> tuple[str, ...]:
        """The facts the scoring reads, in order."""

    @abstractmethod
    def score_range(self) -> tuple[float, float]:
        """The lowest and highest score this rule can give (bounds for non-monotone rules)."""

    @abstractmethod
    def check(self, checker: Checker, doc: Document, path: DataPath) -> None:
        """Report, through ``checker``, what does not fit the fact catalogue."""

    @abstractmethod
    def reversed_against(self, facts: Facts) -> tuple[DataPath, str] | None:
        """Where and how the scoring runs against its fact's declared direction (more capacity
        scoring less), or None; a rule declaring ``non_monotone`` may do so on purpose."""

    @abstractmethod
    def compile(self, facts: Facts) -> CompiledScoring:
        """The score function and the words that explain its results."""


class WhenScoring(ScoringBase):
    """100 when the condition holds, 0 when it does not."""

    when: Condition

    @classmethod
    def example(cls, fact: str, spec: FactSpecBase) -> dict[str, Any] | None:
        return {"when": spec.example_condition(fact)}

    def facts_read(self) -> tuple[str, ...]:
        return facts_of([self.when])

    def check(self, checker: Checker, doc: Document, path: DataPath) -> None:
        checker.check_condition(doc, (*path, "when"), self.when)

    def reversed_against(self, facts: Facts) -> tuple[DataPath, str] | None:
        return None  # a condition's direction is its author's: the monotonicity property tests it

    def score_range(self) -> tuple[float, float]:
        return 0.0, 100.0

    def compile(self, facts: Facts) -> CompiledScoring:
        condition = compile_condition(self.when, facts)
        test = condition.test

        def score(s: Snapshot) -> float | None:
            result = test(s)
            return None if result is None else (100.0 if result else 0.0)

        def explain(s: Snapshot, result: float | None) -> str:
            if result is None:
                return f"not known whether {condition.text}: not assessed"
            return f"{condition.text}: {'holds' if result else 'does not hold'} ({result:g} points)"

        return CompiledScoring(score, self.facts_read(), explain)


class LevelRubric(Strict):
    fact: Identifier
    scores: dict[Identifier, Score] = Field(description="A score for every level of the fact.")


class LevelScoring(ScoringBase):
    levels: LevelRubric

    @classmethod
    def example(cls, fact: str, spec: FactSpecBase) -> dict[str, Any] | None:
        if not isinstance(spec, LevelFact):
            return None
        steps = len(spec.levels) - 1
        return {"levels": {"fact": fact, "scores": {level: 100 * i / steps for i, level in enumerate(spec.levels)}}}

    def facts_read(self) -> tuple[str, ...]:
        return (self.levels.fact,)

    def check(self, checker: Checker, doc: Document, path: DataPath) -> None:
        where, name = (*path, "levels"), self.levels.fact
        spec = checker.fact(doc, where, name)
        if spec is None:
            return
        if not isinstance(spec, LevelFact):
            checker.error(doc, (*where, "fact"), f"a level rubric needs a level fact; '{name}' is a {spec.type}")
            return
        for level in self.levels.scores:
            if level not in spec.levels:
                checker.error(doc, (*where, "scores", level), f"'{level}' is not a level of '{name}'", key=True,
                              allowed=tuple(spec.levels), suggestion=did_you_mean(level, spec.levels))
        missing = [level for level in spec.levels if level not in self.levels.scores]
        if missing:
            checker.error(doc, (*where, "scores"), f"no score for level(s) {', '.join(missing)}", allowed=tuple(spec.levels))

    def score_range(self) -> tuple[float, float]:
        return min(self.levels.scores.values()), max(self.levels.scores.values())

    def reversed_against(self, facts: Facts) -> tuple[DataPath, str] | None:
        spec = facts.get(self.levels.fact)
        if not isinstance(spec, LevelFact) or any(level not in self.levels.scores for level in spec.levels):
            return None  # reported by check
        ordered = [(level, self.levels.scores[level]) for level in spec.levels]
        for (lower, low), (higher, high) in itertools.pairwise(ordered):
            if high < low:
                return (("levels", "scores", higher), f"'{higher}' scores {high:g}, less than '{lower}' ({low:g}), "
                        f"though the levels of '{self.levels.fact}' run from least to most capacity")
        return None

    def compile(self, facts: Facts) -> CompiledScoring:
        key, table = self.levels.fact, dict(self.levels.scores)

        def score(s: Snapshot) -> float | None:
            value = s.get(key, UNKNOWN)
            return None if value is UNKNOWN else table[value]

        def explain(s: Snapshot, result: float | None) -> str:
            if result is None:
                return f"{key} not known: not assessed"
            return f"{key} is {to_json(s[key])}: {result:g} points"

        return CompiledScoring(score, (key,), explain)


class Goalposts(Strict):
    """Linear between fixed goalposts, clamped; for sets, on the number of items."""

    fact: Identifier
    worst: Annotated[float, Field(allow_inf_nan=False)]
    best: Annotated[float, Field(allow_inf_nan=False)]

    @model_validator(mode="after")
    def _distinct(self) -> Goalposts:
        if self.worst == self.best:
            raise ValueError("worst and best goalposts must differ")
        return self


class GoalpostScoring(ScoringBase):
    goalposts: Goalposts

    @classmethod
    def example(cls, fact: str, spec: FactSpecBase) -> dict[str, Any] | None:
        if not spec.on_goalposts():
            return None
        measures = sorted(spec.measure(value) for value in spec.samples())
        worst, best = measures[0], measures[-1]
        return {"goalposts": {"fact": fact, "worst": worst, "best": best} if spec.higher_is_better
                else {"fact": fact, "worst": best, "best": worst}}

    def facts_read(self) -> tuple[str, ...]:
        return (self.goalposts.fact,)

    def check(self, checker: Checker, doc: Document, path: DataPath) -> None:
        where, name = (*path, "goalposts"), self.goalposts.fact
        spec = checker.fact(doc, where, name)
        if spec is not None and not spec.on_goalposts():
            kinds = " or ".join(name for name, kind in FACT_TYPES.items() if kind.on_goalposts())
            checker.error(doc, (*where, "fact"), f"goalposts need a {kinds} fact; '{name}' is a {spec.type}")

    def score_range(self) -> tuple[float, float]:
        return 0.0, 100.0

    def reversed_against(self, facts: Facts) -> tuple[DataPath, str] | None:
        spec, posts = facts.get(self.goalposts.fact), self.goalposts
        if spec is None or (posts.best > posts.worst) == spec.higher_is_better:
            return None
        return (("goalposts", "best"), f"the best goalpost ({posts.best:g}) is {'below' if spec.higher_is_better else 'above'}"
                f" the worst ({posts.worst:g}), though '{posts.fact}' counts more capacity when "
                f"{'higher' if spec.higher_is_better else 'lower'}")

    def compile(self, facts: Facts) -> CompiledScoring:
        key, worst, best = self.goalposts.fact, self.goalposts.worst, self.goalposts.best
        span, measure = best - worst, facts[key].measure

        def score(s: Snapshot) -> float | None:
            value = s.get(key, UNKNOWN)
            if value is UNKNOWN:
                return None
            return min(100.0, max(0.0, (measure(value) - worst) / span * 100.0))

        # the words for "beyond" the best and the worst goalpost, as the goalposts run
        above, below = ("above", "below") if span > 0 else ("below", "above")

        def explain(s: Snapshot, result: float | None) -> str:
            value = s.get(key, UNKNOWN)
            if value is UNKNOWN:
                return f"{key} not known: not assessed (goalposts {worst:g} to {best:g})"
            shown, share = measure(value), (measure(value) - worst) / span
            if share >= 1:  # clamped: the score says nothing of how far beyond, so say so
                return f"{key} = {shown:g}, at or {above} the best goalpost {best:g}: capped at 100 points"
            if share < 0:
                return f"{key} = {shown:g}, {below} the worst goalpost {worst:g}: 0 points"
            return f"{key} = {shown:g}, between goalposts {worst:g} and {best:g}: {result or 0:.1f} points"

        return CompiledScoring(score, (key,), explain)


class Case(Strict):
    when: Condition
    score: Score


class CaseScoring(ScoringBase):
    """The first case whose condition holds gives the score; otherwise ``otherwise``."""

    cases: Annotated[list[Case], Field(min_length=1)]
    otherwise: Score = 0

    @classmethod
    def example(cls, fact: str, spec: FactSpecBase) -> dict[str, Any] | None:
        return {"cases": [{"when": spec.example_condition(fact), "score": 100}], "otherwise": 20}

    def facts_read(self) -> tuple[str, ...]:
        return facts_of([case.when for case in self.cases])

    def reversed_against(self, facts: Facts) -> tuple[DataPath, str] | None:
        return None  # cases are conditions: the monotonicity property tests them

    def check(self, checker: Checker, doc: Document, path: DataPath) -> None:
        for i, case in enumerate(self.cases):
            checker.check_condition(doc, (*path, "cases", i, "when"), case.when)

    def score_range(self) -> tuple[float, float]:
        points = [case.score for case in self.cases] + [self.otherwise]
        return min(points), max(points)

    def compile(self, facts: Facts) -> CompiledScoring:
        cases = [(compile_condition(case.when, facts), float(case.score)) for case in self.cases]
        pairs = tuple((condition.test, points) for condition, points in cases)
        otherwise = float(self.otherwise)

        def score(s: Snapshot) -> float | None:
            for test, points in pairs:
                result = test(s)
                if result is None:
                    return None  # an undecided earlier case leaves the result undecided
                if result:
                    return points
            return otherwise

        def explain(s: Snapshot, result: float | None) -> str:
            for condition, points in cases:
                outcome = condition.test(s)
                if outcome is None:
                    return f"not known whether {condition.text}: no case can be chosen, not assessed"
                if outcome:
                    return f"{condition.text}: holds, {points:g} points"
            return f"no case holds: {otherwise:g} points"

        return CompiledScoring(score, self.facts_read(), explain)


def _union() -> Any:
    return keyed_union("when", SCORING_KINDS)


Scoring = Annotated[ScoringBase, OneOf(_union)]  # a rule's score, validated as the kind its key names


from . import cohort as _cohort  # noqa: E402, F401  (registers the cohort kinds: cohort_goalposts, zscore)
