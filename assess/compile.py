"""Stage 3, compile: turn validated rules into closures, built once, evaluated many times.

A compiled condition maps a fact snapshot to True, False or None (unknown, by Kleene's
three-valued logic); a compiled rule maps it to a score in [0, 100] or None. Nothing is
re-interpreted per country: operands are typed and level ranks looked up here, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .models import (
    AllOf,
    AnyOf,
    CaseScoring,
    FactSpec,
    FactTest,
    GoalpostScoring,
    LevelFact,
    LevelScoring,
    NotOf,
    SetFact,
    WhenScoring,
    iter_fact_tests,
)
from .values import UNKNOWN, parse_item, parse_value, to_json


class Snapshot(dict):
    """Typed fact values of one country as of one year; absent facts are unknown."""

    __slots__ = ("year",)

    def __init__(self, values: dict[str, Any], year: int) -> None:
        super().__init__(values)
        self.year = year


Test = Callable[[Snapshot], "bool | None"]
Scorer = Callable[[Snapshot], "float | None"]


@dataclass(frozen=True)
class CompiledCondition:
    test: Test
    text: str  # the condition in words, for traces


def compile_condition(condition: Any, facts: dict[str, FactSpec]) -> CompiledCondition:
    if isinstance(condition, FactTest):
        return CompiledCondition(_fact_test(condition, facts[condition.fact]), _describe_test(condition))
    if isinstance(condition, NotOf):
        inner = compile_condition(condition.not_, facts)
        test = inner.test

        def negate(snapshot: Snapshot) -> bool | None:
            result = test(snapshot)
            return None if result is None else not result

        return CompiledCondition(negate, f"not ({inner.text})")
    parts = [compile_condition(child, facts) for child in (condition.all if isinstance(condition, AllOf) else condition.any)]
    tests = tuple(part.test for part in parts)
    decisive = isinstance(condition, AnyOf)  # the value that settles the result at once
    joiner = " or " if decisive else " and "

    def combine(snapshot: Snapshot) -> bool | None:
        unknown = False
        for child in tests:
            result = child(snapshot)
            if result is decisive:
                return decisive
            unknown = unknown or result is None
        return None if unknown else not decisive

    return CompiledCondition(combine, "(" + joiner.join(part.text for part in parts) + ")")


def _describe_test(test: FactTest) -> str:
    operand = test.operand
    if isinstance(operand, list):
        operand = "[" + ", ".join(map(str, operand)) + "]"
    words = {"is": "is", "at_least": "is at least", "at_most": "is at most", "contains": "contains",
             "contains_any": "contains any of", "contains_all": "contains all of",
             "within_years": "is within the last"}[test.operator]
    suffix = " years" if test.operator == "within_years" else ""
    return f"{test.fact} {words} {operand}{suffix}"


def _fact_test(test: FactTest, spec: FactSpec) -> Test:
    key, op, raw = test.fact, test.operator, test.operand
    if op in ("contains", "contains_any", "contains_all"):
        return _set_test(key, op, raw, spec)
    if op == "within_years":
        years = int(raw)

        def recent(s: Snapshot) -> bool | None:
            value = s.get(key, UNKNOWN)
            return None if value is UNKNOWN else value.year >= s.year - years

        return recent
    operand = parse_value(spec, raw, allow_unknown=False)
    if isinstance(spec, LevelFact):  # compare ranks, not names
        rank = {level: i for i, level in enumerate(spec.levels)}
        return _ordered_test(key, op, rank[operand], rank)
    return _ordered_test(key, op, operand, None)


def _ordered_test(key: str, op: str, operand: Any, rank: dict[str, int] | None) -> Test:
    compare = {"is": operand.__eq__, "at_least": operand.__le__, "at_most": operand.__ge__}[op]
    if rank is not None:
        def ranked(s: Snapshot) -> bool | None:
            value = s.get(key, UNKNOWN)
            return None if value is UNKNOWN else compare(rank[value])

        return ranked

    def plain(s: Snapshot) -> bool | None:
        value = s.get(key, UNKNOWN)
        return None if value is UNKNOWN else compare(value)

    return plain


def _set_test(key: str, op: str, raw: Any, spec: SetFact) -> Test:
    wanted = frozenset(parse_item(spec, item) for item in (raw if isinstance(raw, list) else [raw]))

    def test(s: Snapshot) -> bool | None:
        value = s.get(key, UNKNOWN)
        if value is UNKNOWN:
            return None
        return wanted <= value if op != "contains_any" else not wanted.isdisjoint(value)

    return test


# --- Rules ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompiledScoring:
    score: Scorer
    facts: tuple[str, ...]
    explain: Callable[[Snapshot, "float | None"], str]


def compile_scoring(scoring: Any, facts: dict[str, FactSpec]) -> CompiledScoring:
    if isinstance(scoring, WhenScoring):
        return _when(compile_condition(scoring.when, facts), facts_of_scoring(scoring))
    if isinstance(scoring, LevelScoring):
        return _levels(scoring)
    if isinstance(scoring, GoalpostScoring):
        return _goalposts(scoring, facts[scoring.goalposts.fact])
    return _cases(scoring, facts)


def _when(condition: CompiledCondition, read: tuple[str, ...]) -> CompiledScoring:
    test = condition.test

    def score(s: Snapshot) -> float | None:
        result = test(s)
        return None if result is None else (100.0 if result else 0.0)

    def explain(s: Snapshot, result: float | None) -> str:
        verdict = "unknown" if result is None else ("holds" if result else "does not hold")
        return f"{condition.text}: {verdict}"

    return CompiledScoring(score, read, explain)


def _levels(scoring: LevelScoring) -> CompiledScoring:
    key, table = scoring.levels.fact, dict(scoring.levels.scores)

    def score(s: Snapshot) -> float | None:
        value = s.get(key, UNKNOWN)
        return None if value is UNKNOWN else table[value]

    def explain(s: Snapshot, result: float | None) -> str:
        return f"{key} is {to_json(s.get(key, UNKNOWN))}: rubric gives {'no score' if result is None else result}"

    return CompiledScoring(score, (key,), explain)


def _goalposts(scoring: GoalpostScoring, spec: FactSpec) -> CompiledScoring:
    key, worst, best = scoring.goalposts.fact, scoring.goalposts.worst, scoring.goalposts.best
    span = best - worst
    measure = len if isinstance(spec, SetFact) else float

    def score(s: Snapshot) -> float | None:
        value = s.get(key, UNKNOWN)
        if value is UNKNOWN:
            return None
        return min(100.0, max(0.0, (measure(value) - worst) / span * 100.0))

    def explain(s: Snapshot, result: float | None) -> str:
        value = s.get(key, UNKNOWN)
        shown = "unknown" if value is UNKNOWN else measure(value)
        return f"{key} = {shown} on goalposts {worst:g} (worst) to {best:g} (best)"

    return CompiledScoring(score, (key,), explain)


def _cases(scoring: CaseScoring, facts: dict[str, FactSpec]) -> CompiledScoring:
    cases = [(compile_condition(case.when, facts), float(case.score)) for case in scoring.cases]
    pairs = tuple((condition.test, points) for condition, points in cases)
    otherwise = float(scoring.otherwise)

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
                return f"{condition.text}: unknown, so no case can be chosen"
            if outcome:
                return f"{condition.text}: holds, case gives {points:g}"
        return f"no case holds: otherwise {otherwise:g}"

    return CompiledScoring(score, facts_of_scoring(scoring), explain)


def facts_of_scoring(scoring: Any) -> tuple[str, ...]:
    """The facts a scoring reads, in first-mention order."""
    if isinstance(scoring, LevelScoring):
        return (scoring.levels.fact,)
    if isinstance(scoring, GoalpostScoring):
        return (scoring.goalposts.fact,)
    conditions = [scoring.when] if isinstance(scoring, WhenScoring) else [case.when for case in scoring.cases]
    names = [test.fact for condition in conditions for _, test in iter_fact_tests(condition, ())]
    return tuple(dict.fromkeys(names))


# --- The whole rule set -----------------------------------------------------------------------


@dataclass(frozen=True)
class CompiledRule:
    path: str  # goal.criterion.rule
    rule: Any
    scoring: CompiledScoring


@dataclass(frozen=True)
class CompiledCap:
    cap: Any
    condition: CompiledCondition


@dataclass(frozen=True)
class CompiledCriterion:
    path: str
    criterion: Any
    rules: tuple[CompiledRule, ...]


@dataclass(frozen=True)
class CompiledGoal:
    goal: Any
    caps: tuple[CompiledCap, ...]
    criteria: tuple[CompiledCriterion, ...]


@dataclass(frozen=True)
class Program:
    """A rule set ready to evaluate: built once, applied to every country and year."""

    ruleset: Any
    goals: tuple[CompiledGoal, ...]
    caps: tuple[CompiledCap, ...]
    rules: tuple[CompiledRule, ...]  # flat, in hierarchy order
    facts_read: tuple[str, ...]

    scorers: tuple[Scorer, ...]  # the rules' score functions, in ``rules`` order

    def scores(self, snapshot: Snapshot) -> list[float | None]:
        """Every rule's score, in ``rules`` order: the hot loop."""
        return [scorer(snapshot) for scorer in self.scorers]


def compile_ruleset(ruleset: Any) -> Program:
    facts = ruleset.facts

    def caps_of(caps: list) -> tuple[CompiledCap, ...]:
        return tuple(CompiledCap(cap, compile_condition(cap.when, facts)) for cap in caps)

    goals = []
    for goal in ruleset.goals:
        criteria = []
        for criterion in goal.criteria:
            path = f"{goal.id}.{criterion.id}"
            rules = tuple(CompiledRule(f"{path}.{rule.id}", rule, compile_scoring(rule.score, facts))
                          for rule in criterion.rules)
            criteria.append(CompiledCriterion(path, criterion, rules))
        goals.append(CompiledGoal(goal, caps_of(goal.caps), tuple(criteria)))
    flat = tuple(rule for goal in goals for criterion in goal.criteria for rule in criterion.rules)
    read = [name for rule in flat for name in rule.scoring.facts]
    read += [test.fact for cap in [*ruleset.header.caps, *(c for g in ruleset.goals for c in g.caps)]
             for _, test in iter_fact_tests(cap.when, ())]
    return Program(ruleset, tuple(goals), caps_of(ruleset.header.caps), flat, tuple(dict.fromkeys(read)),
                   tuple(rule.scoring.score for rule in flat))
