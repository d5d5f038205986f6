"""Stage 3, compile: turn a validated rule set into a program, built once, evaluated many times.

The program is a tree: the overall node, goals, criteria and, at the leaves, rules whose
scoring is compiled to closures (``scorings``), with every cap's condition compiled too.
Nothing is re-interpreted per country: operands are typed and level ranks looked up here, once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .cohort import Cohorts, CohortSource, compile_scoring
from .conditions import CompiledCondition, Snapshot, compile_condition, iter_fact_tests
from .derived import Derivations
from .facttypes import FactSpecBase
from .models import Applicability, Cap, Criterion, Goal, Method, Rule
from .results import JSONObject, NodeKind, Publication
from .scorings import CompiledScoring, Scorer

if TYPE_CHECKING:
    from .workspace import Ruleset, Workspace



@dataclass(frozen=True)
class CompiledRule:
    path: str  # goal.criterion.rule
    rule: Rule
    scoring: CompiledScoring
    score_range: tuple[float, float]  # the bounds of a non-monotone rule whose facts are unknown
    worse: bool = False  # in a goal where a higher published score means more risk

    @property
    def monotone(self) -> bool:
        return self.rule.non_monotone is None

    @cached_property
    def cites(self) -> list[JSONObject]:
        """The rule's citations as JSON, dumped once and shared by every country's trace (never mutated)."""
        return [cite.model_dump(exclude_none=True) for cite in self.rule.cites]


@dataclass(frozen=True)
class CompiledCap:
    id: str  # G1.cap1, overall.cap1
    cap: Cap
    condition: CompiledCondition


@dataclass(frozen=True)
class CompiledNode:
    """An aggregate level: it combines its children's scores by ``method``, then applies its caps."""

    kind: NodeKind
    id: str
    title: str
    weight: float
    method: Method
    alternative_methods: tuple[Method, ...]
    tiered: bool  # named tiers are given to the overall score and to goals, where the rule set declares any
    window: Applicability | None  # when it applies (None: always)
    caps: tuple[CompiledCap, ...]
    children: tuple[CompiledNode | CompiledRule, ...]
    tiers: tuple[tuple[str, float], ...] | None = None  # its own tiers (a goal's), else the rule set's
    worse: bool = False  # published mirrored: a higher published score means more risk
    headline: bool = False  # a group published beside the goals (goals and the overall are published anyway)

    def aggregates(self) -> Iterator[CompiledNode]:
        """This node and every aggregate below it, parents first."""
        yield self
        for child in self.children:
            if isinstance(child, CompiledNode):
                yield from child.aggregates()


@dataclass(frozen=True)
class Program:
    """A rule set ready to evaluate: built once, applied to every country and year."""

    ruleset: Ruleset
    root: CompiledNode
    rules: tuple[CompiledRule, ...]  # flat, in hierarchy order
    facts_read: tuple[str, ...]
    scorers: tuple[Scorer, ...]  # the rules' score functions, in ``rules`` order
    worst_values: dict[str, Any]  # every fact read, at its least capacity: fills unknowns for low bounds
    best_values: dict[str, Any]
    derived: Derivations  # the catalogue's derived facts: computed from their inputs in every snapshot
    cohorts: Cohorts | None = None  # the profiles' known values: cohort scorings and imputations read them

    def scores(self, snapshot: Snapshot) -> list[float | None]:
        """Every rule's score, in ``rules`` order: the hot loop."""
        return [scorer(snapshot) for scorer in self.scorers]

    @cached_property
    def publication(self) -> Publication:
        header = self.ruleset.header
        levels = list(self.root.aggregates())
        return Publication(header.precision, header.rounding, header.ranking,
                           tuple(node.id for node in levels if node.headline),
                           frozenset(node.id for node in levels if node.worse), header.scale)

    def as_published(self, score: float, worse: bool) -> float:
        """The capacity score that the published value of ``score`` stands for: a cut-off (a tier's
        min) reads what people read, so 7.495 published as 7.50 reaches a tier at 7.5."""
        if self.publication.precision is None:
            return score
        return self.ruleset.header.scale.capacity(self.publication.published(score, worse), worse)

    def caps(self) -> Iterator[CompiledCap]:
        for node in self.root.aggregates():
            yield from node.caps

    def rules_under(self, goal: str) -> tuple[CompiledRule, ...]:
        """The rules of one goal, in hierarchy order."""
        return self._parts[goal][0]

    def facts_under(self, goal: str) -> frozenset[str]:
        """Every fact one goal's rules and caps read: a change to anything else leaves its score as it is."""
        return self._parts[goal][1]

    def sorted_facts_under(self, goal: str) -> tuple[str, ...]:
        return self._parts[goal][2]

    @cached_property
    def _parts(self) -> dict[str, tuple[tuple[CompiledRule, ...], frozenset[str], tuple[str, ...]]]:
        parts = {}
        for goal in self.root.children:
            if isinstance(goal, CompiledNode):
                rules = tuple(_leaves(goal))
                read = {name for rule in rules for name in rule.scoring.facts}
                read |= {test.fact for node in goal.aggregates() for cap in node.caps
                         for _, test in iter_fact_tests(cap.cap.when)}
                read |= set(self.derived.bases(read))  # a change to an input changes what is derived from it
                parts[goal.id] = (rules, frozenset(read), tuple(sorted(read)))
        return parts


def compile_workspace(workspace: Workspace) -> Program:
    """The rule set compiled against its workspace's profiles: the cohort its cohort scorings are set
    against and its imputations are taken from."""
    ruleset = workspace.ruleset
    return compile_ruleset(ruleset, Cohorts(workspace.profiles, ruleset.facts, ruleset.groupings))


def compile_ruleset(ruleset: Ruleset, cohorts: Cohorts | None = None) -> Program:
    """``cohorts``: where cohort statistics and imputations come from (None: no imputation, and cohort
    scorings set against the fixed cohort of each fact's sample values)."""
    facts = ruleset.facts
    header = ruleset.header
    goals = tuple(_goal(goal, facts, bool(header.tiers), cohorts) for goal in ruleset.goals)
    root = CompiledNode("overall", header.id, header.title, 1.0, header.method, tuple(header.alternative_methods),
                        bool(header.tiers), None, _caps(header.caps, "overall.cap", facts), goals)
    rules = tuple(_leaves(root))
    read = [name for rule in rules for name in rule.scoring.facts]
    read += [test.fact for cap in [*header.caps, *(c for g in ruleset.goals for c in g.caps)]
             for _, test in iter_fact_tests(cap.when)]
    read = list(dict.fromkeys(read))
    derived = Derivations(facts)
    # an unknown derived fact lies within its expression's interval over its inputs' declared ranges
    worst = {name: derived.worst(name) if name in derived else facts[name].worst() for name in read}
    best = {name: derived.best(name) if name in derived else facts[name].best() for name in read}
    return Program(ruleset, root, rules, tuple(read), tuple(rule.scoring.score for rule in rules), worst, best, derived, cohorts)


def _goal(goal: Goal, facts: Mapping[str, FactSpecBase], ruleset_tiered: bool, cohorts: CohortSource | None) -> CompiledNode:
    worse = goal.higher == "worse"
    tiers = None if goal.tiers is None else tuple((tier.name, tier.min) for tier in goal.tiers)
    tiered = ruleset_tiered if tiers is None else bool(tiers)  # a goal's own [] declares it has none
    return CompiledNode("goal", goal.id, goal.title, goal.weight, goal.method, tuple(goal.alternative_methods), tiered,
                        goal, _caps(goal.caps, f"{goal.id}.cap", facts), _members(goal.id, goal, facts, worse, cohorts),
                        tiers, worse)


def _members(path: str, group: Goal | Criterion, facts: Mapping[str, FactSpecBase],
             worse: bool, cohorts: CohortSource | None) -> tuple[CompiledNode | CompiledRule, ...]:
    """A group's groups, to any depth, or its rules."""
    if group.criteria:
        return tuple(_group(f"{path}.{sub.id}", sub, facts, worse if sub.higher is None else sub.higher == "worse",
                            cohorts) for sub in group.criteria)
    return tuple(CompiledRule(f"{path}.{rule.id}", rule, compile_scoring(rule.score, facts, cohorts),
                              rule.score.score_range(), worse) for rule in group.rules)


def _group(path: str, group: Criterion, facts: Mapping[str, FactSpecBase], worse: bool,
           cohorts: CohortSource | None) -> CompiledNode:
    return CompiledNode("criterion", path, group.title, group.weight, group.method, tuple(group.alternative_methods),
                        False, group, (), _members(path, group, facts, worse, cohorts), None, worse, group.headline)


def _caps(caps: list[Cap], prefix: str, facts: Mapping[str, FactSpecBase]) -> tuple[CompiledCap, ...]:
    return tuple(CompiledCap(f"{prefix}{i}", cap, compile_condition(cap.when, facts)) for i, cap in enumerate(caps, 1))


def _leaves(node: CompiledNode) -> Iterator[CompiledRule]:
    for child in node.children:
        if isinstance(child, CompiledNode):
            yield from _leaves(child)
        else:
            yield child
