"""``assess check --properties``: property-test the user's rule set with Hypothesis.

Profiles are generated from the fact catalogue (``assess.testing``). Each property either
holds for every generated example or is reported with its shrunk counter-example as a profile
in YAML a person can read and save. The properties:

- range: every score and bound lies in [0, 100], low <= high, and every coverage in [0, 1];
- bounds: learning an unknown fact, at any value, never moves a score outside its old
  [low, high] and never widens an interval (so knowing less can never earn a better tier);
- monotonicity: one step of any fact in its "more capacity" direction never lowers a
  criterion, goal or overall score (rules declaring ``non_monotone`` are exempt, and listed);
  first checked rule by rule, every fact and every step from every sample value, so an inverted
  rule is always found and named, then by random search over whole profiles;
- unknown: a rule never scores a fact's unknown better than the fact's worst known value;
- order: scores do not depend on the order of goals, criteria, rules or facts;
- live rules: every rule both fires (scores above 0) and falls short for some profile;
- caps and tiers: a binding cap bounds its score, and every tier is the one its low bound earns;
- cohort: rules set against a cohort (``cohort_goalposts``, ``zscore``) are checked within a fixed
  cohort, each fact's sample values (the report names them): a cohort that moves with the entity
  scored would make every property above a property of the cohort, not of the rule set;
- expectation: the law of total expectation for each unknown fact (the expected score with the
  fact unknown is the prior-weighted mean of the expected scores with it known: exact for rules,
  within four Monte Carlo standard errors above), and learning a fact never moves an expected
  score outside its old [low, high].
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml
from hypothesis import HealthCheck, Phase, Verbosity, find, given, settings
from hypothesis import seed as fixed_seed
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from ..engine.aggregate import EPSILON, tier_of
from ..engine.arrays import Estimator
from ..engine.compile import CompiledRule, Program, compile_ruleset
from ..engine.conditions import Snapshot
from ..engine.evaluate import score_snapshot
from ..engine.facttypes import FactSpecBase
from ..engine.models import Criterion, Goal
from ..engine.priors import Priors
from ..engine.values import UNKNOWN, to_json
from ..engine.workspace import Ruleset
from ..testing import snapshots


@dataclass
class Failure:
    property: str
    message: str
    example: str  # the counter-example profile, as YAML


@dataclass
class PropertyReport:
    examples: int
    checked: list[str]
    failures: list[Failure]
    exempt: list[str]  # rules that declared non_monotone, with why
    fixed_cohort: list[str] = dataclasses.field(default_factory=list)  # cohort rules, with the fixed cohort checked


def check_properties(ruleset: Ruleset, examples: int = 100, seed: int | None = None,
                     progress: Callable[[int, int], None] | None = None) -> PropertyReport:
    program = compile_ruleset(ruleset)
    checks: dict[str, Callable[[], Failure | list[Failure] | None]] = {
        "range": lambda: _for_all("range", snapshots(ruleset.facts), lambda s: _range(program, s), examples, seed),
        "bounds": lambda: _for_all("bounds", _learnings(ruleset.facts), lambda x: _learning(program, *x), examples, seed),
        "monotonicity": lambda: _rule_steps(program) or _for_all(
            "monotonicity", _steps(ruleset.facts, _exempt_facts(program)), lambda x: _monotone(program, *x), examples,
            seed),
        "unknown": lambda: _for_all("unknown", _unknown_cases(ruleset.facts), lambda x: _unknown(program, *x), examples, seed),
        "order": lambda: _for_all("order", snapshots(ruleset.facts), _order_check(ruleset, program), examples, seed),
        "live rules": lambda: _live_rules(program, examples, seed),
        "caps and tiers": lambda: _for_all("caps and tiers", snapshots(ruleset.facts), lambda s: _caps_tiers(program, s),
                                           examples, seed),
        "expectation": lambda: _for_all("expectation", _learnings(ruleset.facts), lambda x: _expectation(program, *x),
                                        examples, seed),
    }
    failures: list[Failure] = []
    for done, run in enumerate(checks.values(), start=1):
        found = run()
        failures.extend(found if isinstance(found, list) else [found] if found else [])
        if progress:
            progress(done, len(checks))
    exempt = [f"{rule.path}: {rule.rule.non_monotone}" for rule in program.rules if rule.rule.non_monotone]
    return PropertyReport(examples, list(checks), failures, exempt, _fixed_cohorts(program))


def _fixed_cohorts(program: Program) -> list[str]:
    """The rules scored against a cohort, each with the fixed cohort the properties held within."""
    fixed = []
    for rule in program.rules:
        if rule.scoring.cohort is not None:
            spec = program.ruleset.facts[rule.scoring.facts[0]]
            values = ", ".join(f"{spec.measure(value):g}" for value in spec.samples())
            fixed.append(f"{rule.path}: the cohort is held fixed at {rule.scoring.facts[0]}'s sample values ({values})")
    return fixed


def _for_all(name: str, strategy: st.SearchStrategy, check: Callable[[Any], str | None], examples: int,
             seed: int | None) -> Failure | None:
    """Run one property; the last failure recorded is Hypothesis's shrunk counter-example."""
    failing: list[tuple[Any, str]] = []

    @settings(max_examples=examples, database=None, deadline=None, verbosity=Verbosity.quiet, print_blob=False,
              suppress_health_check=list(HealthCheck), derandomize=seed is None)
    @given(strategy)
    def prop(example: Any) -> None:
        problem = check(example)
        if problem:
            failing.append((example, problem))
            raise AssertionError(problem)

    if seed is not None:
        prop = fixed_seed(seed)(prop)
    try:
        prop()
    except AssertionError:
        example, problem = failing[-1]
        return Failure(name, problem, profile_yaml(example[0] if isinstance(example, tuple) else example))
    return None


def profile_yaml(snapshot: Snapshot) -> str:
    """A counter-example as a profile file a person can save and load."""
    facts = {name: [{"value": to_json(value), "as_of": f"{snapshot.year}-01-01", "source": "counter-example"}]
             for name, value in sorted(snapshot.items())}
    text = yaml.safe_dump({"country": "XXX", "facts": facts}, sort_keys=False, allow_unicode=True)
    return "# to load it, set 'country' to a real ISO3 code and name the file after it\n" + text


# --- range -------------------------------------------------------------------------------------


def _range(program: Program, snapshot: Snapshot) -> str | None:
    for node in score_snapshot(program, snapshot).walk():
        for name, value in (("scored", node.score), ("has low bound", node.low), ("has high bound", node.high)):
            if value is not None and not (-EPSILON <= value <= 100 + EPSILON and math.isfinite(value)):
                return f"{node.id} {name} {value}, outside [0, 100]"
        if node.low is not None and node.high is not None and node.low > node.high + EPSILON:
            return f"{node.id} has low bound {node.low} above its high bound {node.high}"
        if not -EPSILON <= node.coverage <= 1 + EPSILON:
            return f"{node.id} has coverage {node.coverage}, outside [0, 1]"
    return None


# --- bounds ------------------------------------------------------------------------------------


def _learnings(facts: dict[str, FactSpecBase]) -> st.SearchStrategy[tuple[Snapshot, str, Any]]:
    """A profile, one of its facts (made unknown), and a value it could turn out to have."""
    names = sorted(facts)
    return st.tuples(snapshots(facts), st.sampled_from(names)).flatmap(
        lambda pair: st.tuples(st.just(Snapshot({k: v for k, v in pair[0].items() if k != pair[1]}, pair[0].year)),
                               st.just(pair[1]), facts[pair[1]].strategy()))


def _learning(program: Program, before: Snapshot, name: str, value: Any) -> str | None:
    old = {node.id: node for node in score_snapshot(program, before).walk()}
    for node in score_snapshot(program, Snapshot({**before, name: value}, before.year)).walk():
        was = old[node.id]
        if was.low is None or was.high is None or node.low is None or node.high is None:
            continue
        learnt = f"learning {name} = {to_json(value)}"
        if node.score is not None and not was.low - EPSILON <= node.score <= was.high + EPSILON:
            return f"{learnt} moves {node.id} to {node.score:.4g}, outside its old bounds [{was.low:.4g}, {was.high:.4g}]"
        if node.low < was.low - EPSILON or node.high > was.high + EPSILON:
            return (f"{learnt} widens {node.id} from [{was.low:.4g}, {was.high:.4g}] "
                    f"to [{node.low:.4g}, {node.high:.4g}]")
    return None


# --- monotonicity ------------------------------------------------------------------------------


def _exempt_facts(program: Program) -> set[str]:
    return {name for rule in program.rules if rule.rule.non_monotone for name in rule.scoring.facts}


def _steps(facts: dict[str, FactSpecBase], exempt: set[str]) -> st.SearchStrategy:
    names = sorted(name for name in facts if name not in exempt)
    return st.tuples(snapshots(facts), st.sampled_from(names)) if names else st.nothing()


def _rule_steps(program: Program, year: int = 2024) -> Failure | None:
    """Before any random search: every rule, every fact it reads, every step up from every sample
    value of that fact, with its other facts at each of their sample values (the first and last
    of every combination a rule's few facts allow). The first rule that scores less for more
    capacity is named, with the fact, the two values and the two scores: found every time."""
    facts = program.ruleset.facts
    exempt = {rule.path for rule in program.rules if rule.rule.non_monotone}
    for rule in program.rules:
        if rule.path in exempt or not rule.rule.applies(year):
            continue
        read = rule.scoring.facts
        for name in read:
            others = [n for n in read if n != name]
            for context in itertools.islice(itertools.product(*(facts[n].samples() for n in others)), 64):
                base = dict(zip(others, context, strict=True))
                for value in facts[name].samples():
                    better = facts[name].step_up(value)
                    if better is None:
                        continue
                    low = rule.scoring.score(Snapshot({**base, name: value}, year))
                    high = rule.scoring.score(Snapshot({**base, name: better}, year))
                    if low is not None and high is not None and high < low - EPSILON:
                        snapshot = Snapshot({**base, name: value}, year)
                        return Failure("monotonicity", f"rule {rule.path}: raising {name} from {to_json(value)} to "
                                       f"{to_json(better)} lowers its score from {low:g} to {high:g}",
                                       profile_yaml(snapshot))
    return None


def _monotone(program: Program, snapshot: Snapshot, name: str) -> str | None:
    spec = program.ruleset.facts[name]
    value = snapshot.get(name, UNKNOWN)
    better = None if value is UNKNOWN else spec.step_up(value)
    if better is None:
        return None
    stepped = Snapshot({**snapshot, name: better}, snapshot.year)
    before = {n.id: n for n in score_snapshot(program, snapshot).walk() if n.kind != "rule"}
    for node in score_snapshot(program, stepped).walk():
        old = before.get(node.id)
        if node.kind != "rule" and old and old.score is not None and node.score is not None \
                and node.score < old.score - EPSILON:
            return (f"raising {name} from {to_json(value)} to {to_json(better)} lowers {node.id} "
                    f"from {old.score:.4g} to {node.score:.4g}")
    return None


# --- unknown -----------------------------------------------------------------------------------


def _unknown_cases(facts: dict[str, FactSpecBase]) -> st.SearchStrategy:
    return st.tuples(snapshots(facts), st.sampled_from(sorted(facts)))


def _unknown(program: Program, snapshot: Snapshot, name: str) -> str | None:
    spec = program.ruleset.facts[name]
    blank = Snapshot({k: v for k, v in snapshot.items() if k != name}, snapshot.year)
    candidates = spec.samples()
    for rule in program.rules:
        if name not in rule.scoring.facts:
            continue
        unknown_score = rule.scoring.score(blank)
        if unknown_score is None:
            continue
        known = [rule.scoring.score(Snapshot({**blank, name: value}, blank.year)) for value in candidates]
        worst = min((score for score in known if score is not None), default=None)
        if worst is not None and unknown_score > worst + EPSILON:
            return f"{rule.path} scores {unknown_score:g} with {name} unknown but {worst:g} with its worst known value"
    return None


# --- order ---------------------------------------------------------------------------------------


def _order_check(ruleset: Ruleset, program: Program) -> Callable[[Snapshot], str | None]:
    """Scores of a rule set with every list reversed (goals, criteria, rules, facts) must not change."""
    reversed_goals = tuple(_reversed(goal) for goal in reversed(ruleset.goals))
    mirrored = dataclasses.replace(ruleset, goals=reversed_goals, facts=dict(reversed(list(ruleset.facts.items()))))
    other = compile_ruleset(mirrored)

    def check(snapshot: Snapshot) -> str | None:
        first = {n.id: n.score for n in score_snapshot(program, snapshot).walk()}
        second = {n.id: n.score for n in score_snapshot(other, snapshot).walk()}
        for node_id, score in first.items():
            mirrored = second.get(node_id)
            if score != mirrored and not (score is not None and mirrored is not None and abs(score - mirrored) <= EPSILON):
                return f"{node_id} scores {score} in declared order but {mirrored} with the order reversed"
        return None

    return check


# --- live rules ----------------------------------------------------------------------------------


def _live_rules(program: Program, examples: int, seed: int | None) -> list[Failure]:
    """Every rule must fire for some profile and fall short for another; search with Hypothesis."""
    failures = []
    search = settings(max_examples=max(examples, 50), database=None, deadline=None, verbosity=Verbosity.quiet,
                      phases=[Phase.generate], suppress_health_check=list(HealthCheck), derandomize=seed is None)
    for rule in program.rules:
        facts = {name: program.ruleset.facts[name] for name in rule.scoring.facts}
        strategy = st.fixed_dictionaries({name: spec.strategy() for name, spec in sorted(facts.items())}).map(
            lambda chosen: Snapshot(chosen, 2024))

        def fires(snapshot: Snapshot, rule: CompiledRule = rule) -> bool:
            return (rule.scoring.score(snapshot) or 0) > 0

        def falls_short(snapshot: Snapshot, rule: CompiledRule = rule) -> bool:
            score = rule.scoring.score(snapshot)
            return score is not None and score < rule.rule.target

        for outcome, wanted in (("fires", fires), ("falls short", falls_short)):
            try:
                find(strategy, wanted, settings=search, random=None if seed is None else random.Random(seed))
            except NoSuchExample:
                message = f"{rule.path} never {outcome} in {search.max_examples} generated profiles"
                failures.append(Failure("live rules", message, ""))
    return failures


# --- caps and tiers ------------------------------------------------------------------------------


def _caps_tiers(program: Program, snapshot: Snapshot) -> str | None:
    ruleset_tiers = tuple((tier.name, tier.min) for tier in program.ruleset.header.tiers)
    levels = {level.id: level for level in program.root.aggregates()}
    for node in score_snapshot(program, snapshot).walk():
        for cap in node.caps_applied:
            for name, value in (("scores", node.score), ("has a high bound of", node.high)):
                if value is not None and value > cap.max_score + EPSILON:
                    return f"{node.id} {name} {value:.4g} above its cap {cap.id} ({cap.max_score:g})"
        level = levels.get(node.id)
        if node.tier is None or level is None or node.low is None:
            continue
        # earned by the low bound as published (rounded at the declared precision)
        earned = tier_of(program.as_published(node.low, level.worse) if node.score is not None else None,
                         level.tiers or ruleset_tiers)
        if node.tier != earned:
            return f"{node.id} is in tier {node.tier} but its low bound {node.low} earns {earned}"
    return None


def _reversed(group: Goal | Criterion) -> Any:
    """The group with its members (and theirs, to any depth) in reverse order."""
    return group.model_copy(update={"criteria": [_reversed(c) for c in reversed(group.criteria)],
                                    "rules": list(reversed(group.rules))})


# --- expectations ------------------------------------------------------------------------------

PROPERTY_DRAWS = 400  # draws per evaluation in the expectation property (common to every value compared)
ENTITY = "XXX"  # the generated profile's code: its own stream of draws


def _expectation(program: Program, before: Snapshot, name: str, _value: Any) -> str | None:
    """The law of total expectation for one unknown fact: the expected score with ``name`` unknown
    equals the prior-weighted mean of the expected scores with ``name`` at each of its values
    (exact for rules, whose unknowns are enumerated; within four Monte Carlo standard errors above
    them), and no value learnt moves an expected score outside the old [low, high]."""
    ruleset = program.ruleset
    if name not in program.facts_read or ruleset.estimate_of(name).method == "none":
        return None
    estimated = [*program.facts_read, *program.derived.bases(program.facts_read)]
    priors = Priors(ruleset.facts, {fact: ruleset.estimate_of(fact) for fact in estimated}, {},
                    {ENTITY: before}, {ENTITY: None}, program.derived)
    distribution = priors.of(ENTITY, name).distribution
    rows = [(ENTITY, dict(before)), *((ENTITY, {**before, name: value}) for value, _ in distribution)]
    nodes = Estimator(program, before.year, {ENTITY: before}, priors, PROPERTY_DRAWS, 0).evaluate(rows).nodes
    rules = {rule.path for rule in program.rules}
    for node, found in nodes.items():
        unknown, learnt = found.expected[0], found.expected[1:]
        if math.isnan(unknown) or any(math.isnan(value) for value in learnt):
            continue
        mixed = math.fsum(p * value for (_, p), value in zip(distribution, learnt, strict=True))
        spread = (found.credible_high[0] - found.credible_low[0]) / 3.29  # a normal's 5-95% width in deviations
        tolerance = 1e-9 if node in rules else 1e-9 + 4 * spread / math.sqrt(PROPERTY_DRAWS)
        if abs(unknown - mixed) > tolerance:
            return (f"{node}: expected {unknown:.6g} with {name} unknown, but {mixed:.6g} averaged over its prior "
                    f"(tolerance {tolerance:.2g})")
        for (value, _), expected in zip(distribution, learnt, strict=True):
            if not found.low[0] - EPSILON <= expected <= found.high[0] + EPSILON:
                return (f"learning {name} = {to_json(value)} moves {node}'s expected score to {expected:.4g}, outside "
                        f"its old bounds [{found.low[0]:.4g}, {found.high[0]:.4g}]")
    return None
