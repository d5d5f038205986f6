"""Stage 4, evaluate: read each country's facts as of a year and score every rule.

Builds the result tree of a country (with the facts each rule read, and why it scored what
it did), rolling each level up with ``aggregate`` as it goes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from ..version import __version__
from .aggregate import NOT_APPLICABLE, SCORED, apply_cap, roll_up, spread_contributions, spread_weights, tier_of
from .arrays import Estimates, NodeEstimate, evaluate_arrays
from .cohort import Cohorts
from .compile import CompiledNode, CompiledRule, Program, compile_workspace
from .conditions import Snapshot
from .models import AGGREGATE, Applicability
from .priors import INDEPENDENCE, Priors
from .results import Assessment, CountryResult, FactRead, NodeResult, Publication, Stamp
from .values import DEFAULT_DRAWS, UNKNOWN
from .workspace import CountryProfile, Workspace


def snapshot(program: Program, profile: CountryProfile, year: int) -> tuple[Snapshot, dict[str, FactRead]]:
    """Typed values for the rules, and the readings (with provenance) for the trace."""
    values, reads = {}, {}
    derived = program.derived
    # a derived fact's inputs are read too (and kept: a what-if that changes one derives it again)
    for name in dict.fromkeys([*program.facts_read, *derived.bases(program.facts_read)]):
        if name in derived:
            continue
        reading = profile.reading(name, year)
        if reading is None:
            reads[name] = FactRead(name, UNKNOWN, None, None)
            continue
        invalid = None if reading.value is UNKNOWN else program.ruleset.facts[name].invalid(reading.value)
        reads[name] = FactRead(name, reading.value, reading.as_of.isoformat(), reading.source, reading.note,
                               reading.settled_by, invalid)
        if reading.value is not UNKNOWN and invalid is None:  # outside its valid range: no score, as unknown
            values[name] = reading.value
    if program.cohorts is not None:
        _impute(program.cohorts, profile.country, year, values, reads)
    if derived:
        _derive(program, values, reads)
    return Snapshot(values, year), reads


def _derive(program: Program, values: dict[str, Any], reads: dict[str, FactRead]) -> None:
    """The derived facts the rules read, from their inputs' values: dated by the latest input, their
    source their inputs, unknown (with the reason where the expression is undefined) otherwise."""
    completed, undefined = program.derived.complete(values)
    for name in program.derived.needed(program.facts_read):
        derivation = program.derived.by_name[name]
        inputs = tuple(reads[fact] for fact in derivation.inputs)
        as_of = max((read.as_of for read in inputs if read.as_of), default=None)
        source = f"derived from {', '.join(derivation.inputs)}"
        if name in completed:
            values[name] = completed[name]
            reads[name] = FactRead(name, completed[name], as_of, source, derivation=derivation.shown(completed, completed[name]),
                                   inputs=inputs)
            continue
        missing = [fact for fact in derivation.inputs if fact not in completed]
        why = undefined.get(name) or f"{', '.join(missing)} not known"
        reads[name] = FactRead(name, UNKNOWN, as_of, source, invalid=f"{name}: {why}" if name in undefined else None,
                               derivation=f"{name} = {derivation.text}: unknown ({why})", inputs=inputs)


def _impute(cohorts: Cohorts, entity: str, year: int, values: dict[str, Any], reads: dict[str, FactRead]) -> None:
    """Unknown facts declared ``impute`` take their imputed value, and their readings say so."""
    for name, read in reads.items():
        if read.value is UNKNOWN:
            imputed = cohorts.impute(entity, name, year)
            if imputed is not None:
                values[name], read.imputed = imputed.value, imputed.to_json()


def assess_country(program: Program, profile: CountryProfile, year: int) -> CountryResult:
    facts, reads = snapshot(program, profile, year)
    overall = score_tree(program, facts, reads)
    return CountryResult(profile.country, profile.name, year, profile.content_hash, overall, publication(program),
                         profile.kind, profile.parent)


def publication(program: Program) -> Publication:
    return program.publication


def score_snapshot(program: Program, facts: Snapshot) -> NodeResult:
    """The score tree of bare fact values (no provenance): what property checks evaluate."""
    reads = {name: FactRead(name, facts.get(name, UNKNOWN), None, None) for name in program.facts_read}
    return score_tree(program, facts, reads)


def score_tree(program: Program, facts: Snapshot, reads: dict[str, FactRead], *, trace: bool = True) -> NodeResult:
    """Every rule scored, with its bounds, rolled up with coverage, caps and tiers; weights spread.
    Without ``trace`` the explanations and weight shares are left out (the scores are the same):
    what-if analyses that rescore a country many times need only the numbers."""
    overall = _aggregate(program.root, _Context(program, facts, reads, trace))
    if trace:
        spread_weights(overall, 1.0, 1.0)
        # contributions add up to the overall score, or to each goal's where none is published
        for top in [overall] if overall.applicable else overall.children:
            spread_contributions(top, 1.0)
    return overall


def score_numbers(program: Program, facts: Snapshot) -> NodeResult:
    """The score tree of bare fact values, numbers only (no provenance, no explanations)."""
    return score_tree(program, facts, {}, trace=False)


DRAW_BUDGET = 400_000  # entities x draws held per node by default: large workspaces get fewer draws...
MIN_DRAWS = 200  # ...but never fewer than this (expectations of rules and linear levels are exact at any number)


def default_draws(entities: int) -> int:
    """The draws a workspace of ``entities`` gets when none are asked for: 2,000 up to 200
    entities, then fewer, down to 200 from 2,000 entities (a figure every output states)."""
    return min(DEFAULT_DRAWS, max(MIN_DRAWS, DRAW_BUDGET // max(1, entities)))

GoalCache = dict[tuple[Any, ...], NodeResult]


def rescore_numbers(program: Program, facts: Snapshot, before: NodeResult, changed: Collection[str],
                    cache: GoalCache | None = None) -> NodeResult:
    """``score_numbers(program, facts)`` where ``before`` scored the same facts but ``changed``:
    the goals that read none of the changed facts are taken from ``before`` as they are, and only
    the others, and the overall level, are scored again. A goal's score depends on nothing but
    the facts it reads and the year, so ``cache`` may keep goals scored for other countries."""
    if program.derived:  # a changed input changes what is derived from it
        facts = Snapshot(program.derived.complete(facts)[0], facts.year)
    root = program.root
    result = NodeResult(root.kind, root.id, root.title, root.weight, root.method)
    for goal, previous in zip(root.children, before.children, strict=True):
        assert isinstance(goal, CompiledNode), "the overall level's children are goals"
        read = program.facts_under(goal.id)
        if read.isdisjoint(changed):
            result.children.append(previous)
            continue
        key = (goal.id, facts.year, *(facts.get(name, _ABSENT) for name in program.sorted_facts_under(goal.id)))
        scored = cache.get(key) if cache is not None else None
        if scored is None:
            scored = _aggregate(goal, _Context(program, facts, {}, False, program.rules_under(goal.id)))
            if cache is not None:
                cache[key] = scored
        result.children.append(scored)
    _finish(root, result, _Context(program, facts, {}, False, ()))
    return result


_ABSENT = object()  # a fact with no known value, in a cache key


class _Context:
    """What every node of one country's evaluation reads.

    Each rule is scored three times: on the known facts, and with every unknown fact at its
    worst and at its best admissible value. For a monotone rule the last two are exactly the
    lowest and highest score the unknowns allow (known facts are kept as they are).
    """

    def __init__(self, program: Program, facts: Snapshot, reads: dict[str, FactRead], trace: bool = True,
                 rules: Sequence[CompiledRule] | None = None):
        """``rules``: only these (in hierarchy order), to score part of the tree."""
        header = program.ruleset.header
        self.program, self.facts, self.reads, self.trace = program, facts, reads, trace
        scorers = program.scorers if rules is None else tuple(rule.scoring.score for rule in rules)
        # the unknowns at their worst and best: only the facts these rules read need filling
        read = program.facts_read if rules is None else {name for rule in rules for name in rule.scoring.facts}
        worst = Snapshot({**{n: program.worst_values[n] for n in read if n not in facts}, **facts}, facts.year)
        best = Snapshot({**{n: program.best_values[n] for n in read if n not in facts}, **facts}, facts.year)
        self.scores = iter([score(facts) for score in scorers])
        self.lows = iter([score(worst) for score in scorers])
        self.highs = iter([score(best) for score in scorers])
        self.min_coverage = header.min_coverage
        self.tiers = [(tier.name, tier.min) for tier in header.tiers]
        self.scale, self.overall_published = header.scale, header.overall
        self.aggregate_published = header.aggregate_published


def _aggregate(node: CompiledNode, context: _Context) -> NodeResult:
    result = NodeResult(node.kind, node.id, node.title, node.weight, node.method)
    result.children = [_aggregate(child, context) if isinstance(child, CompiledNode) else _rule(child, context)
                       for child in node.children]
    _finish(node, result, context)
    return result


def _finish(node: CompiledNode, result: NodeResult, context: _Context) -> None:
    """Roll a level up from its children, apply its caps and give it its tier."""
    if node.window is not None and not node.window.applies(context.facts.year):
        result.status, result.why = NOT_APPLICABLE, _not_applicable(node.window, context.facts.year)
        return
    roll_up(result, node.method, context.min_coverage)
    for cap in node.caps:
        holds = cap.condition.test(context.facts)
        apply_cap(result, cap.id, cap.cap.max_score, cap.cap.rationale, cap.condition.text, holds)
    if node.tiered:
        # earned by the low bound: a tier holds whatever the unknown facts turn out to be
        # read as published: a cut-off applies to the rounded value people read
        earned = None if result.score is None or result.low is None else context.program.as_published(result.low, node.worse)
        result.tier = tier_of(earned, node.tiers or context.tiers)
    if node.kind == "overall" and not context.overall_published:
        result.score = result.low = result.high = result.tier = None
        result.status, result.why = NOT_APPLICABLE, "the method publishes no overall score"
    _publish(result, node.worse, context)


def _publish(node: NodeResult, worse: bool, context: _Context) -> None:
    """The scores in the rule set's declared units, mirrored where a higher score means more risk; with
    ``aggregate_published``, a weighted mean publishes the mean of its children's published values."""
    scale = context.scale
    aggregated = (context.aggregate_published and node.kind != "rule" and node.method == "weighted_mean"
                  and node.score is not None and not node.adjustments)
    if scale.default and not worse and not aggregated:
        return
    if node.score is not None:
        node.published = _of_published(node, context) if aggregated else scale.publish(node.score, worse)
    if node.low is not None and node.high is not None:
        ends = scale.publish(node.low, worse), scale.publish(node.high, worse)
        node.published_low, node.published_high = min(ends), max(ends)


def _of_published(node: NodeResult, context: _Context) -> float:
    """The weighted mean of the scored children's published values, each rounded as published: the
    exact mean of those doubles, rounded once to a double (as R's ``mean`` takes it, in long double)."""
    publication = context.program.publication
    parts = [(Fraction(child.weight), Fraction(publication.value(child.published_score)))
             for child in node.children if child.status == SCORED and child.published_score is not None]
    return float(sum(w * value for w, value in parts) / sum(w for w, _ in parts))


def _not_applicable(window: Applicability, year: int) -> str:
    return f"not applicable as of {year}: applies {window.window_text()} ({window.applicability})"


def _rule(compiled: CompiledRule, context: _Context) -> NodeResult:
    rule = compiled.rule
    score, low, high = next(context.scores), next(context.lows), next(context.highs)
    node = NodeResult("rule", compiled.path, rule.title, rule.weight, mechanism=rule.mechanism)
    if context.trace:
        node.facts = [context.reads[name] for name in compiled.scoring.facts]
        node.cites = compiled.cites
        if compiled.scoring.cohort is not None:
            node.cohort = compiled.scoring.cohort(context.facts.year)
    if not rule.applies(context.facts.year):
        node.status = NOT_APPLICABLE
        if context.trace:
            node.why = _not_applicable(rule, context.facts.year)
        return node
    # no worst-case fill is safe (non-monotone), or none scores (a cohort too small): the whole range
    if score is None and (not compiled.monotone or low is None):
        (low, high), node.exact_bounds = compiled.score_range, False
    node.score, node.low, node.high = score, low, high
    node.coverage, node.status = (0.0, "unknown") if score is None else (1.0, SCORED)
    _publish(node, compiled.worse, context)
    if not context.trace:
        return node
    invalid = [read.invalid for read in node.facts if read.invalid]
    node.why = "; ".join(invalid) if score is None and invalid else compiled.scoring.explain(context.facts, score)
    node.falls_short = score is not None and score < rule.target
    if node.falls_short:
        menu = context.program.ruleset.interventions
        node.interventions = [{"id": name, "text": menu[name].text, "kind": menu[name].kind, "lead": menu[name].lead}
                              for name in rule.interventions]
    return node


def assess(workspace: Workspace, year: int, *, draws: int | None = None, seed: int = 0) -> Assessment:
    """Score every country of the workspace as of ``year``, with its estimate under the priors of its
    unknown facts (``draws`` joint draws from ``seed``, by default ``default_draws``; 0: no estimates)."""
    draws = default_draws(len(workspace.profiles)) if draws is None else draws
    program = compile_workspace(workspace)
    ruleset = workspace.ruleset
    stamp = Stamp(ruleset.header.id, ruleset.header.version, ruleset.content_hash, ruleset.component_hashes,
                  {code: p.content_hash for code, p in workspace.profiles.items()}, year, __version__)
    rank_by = None if ruleset.header.overall else ruleset.goals[0].id  # no overall: the first goal ranks
    countries, known = [], {}
    for profile in workspace.profiles.values():
        facts, reads = snapshot(program, profile, year)
        known[profile.country] = facts
        countries.append(CountryResult(profile.country, profile.name, year, profile.content_hash,
                                       score_tree(program, facts, reads), publication(program), profile.kind,
                                       profile.parent))
    assessment = Assessment(stamp, countries, rank_by, publication(program))
    if draws:
        estimates = estimate(program, workspace, year, known, draws, seed)
        attach(assessment, program, estimates)
    return assessment


def explain_country(workspace: Workspace, code: str, year: int, *, draws: int | None = None,
                    seed: int = 0) -> CountryResult:
    """One entity's full trace with its estimate: the priors come from the whole cohort, the draws
    are the entity's own (the same numbers as in the assessment of every entity)."""
    program = compile_workspace(workspace)
    profile = workspace.profile(code)
    result = assess_country(program, profile, year)
    draws = default_draws(len(workspace.profiles)) if draws is None else draws
    if draws:
        known = {other: snapshot(program, p, year)[0] for other, p in workspace.profiles.items()}
        alone = Assessment(Stamp("", "", "", {}, {}, year, __version__), [result])
        attach(alone, program, estimate(program, workspace, year, known, draws, seed, [profile.country]))
    return result


def estimate(program: Program, workspace: Workspace, year: int, known: Mapping[str, Mapping[str, Any]],
             draws: int, seed: int, entities: Sequence[str] | None = None) -> Estimates:
    """Every entity's (or those of ``entities``) scores as arrays under ``draws`` draws of its unknown
    facts from their priors; the priors' cohort is every entity of ``known`` but the aggregates of
    countries (a world total is no further case of a country)."""
    ruleset = workspace.ruleset
    by_facts = {e.by for e in (ruleset.estimate_of(n) for n in program.facts_read)
                if e.by is not None and e.by in ruleset.facts and e.by not in program.facts_read}
    grouping_facts = {code: {**values, **_known_readings(workspace.profiles[code], by_facts, year)}
                      for code, values in known.items()} if by_facts else known
    estimated = [*program.facts_read, *program.derived.bases(program.facts_read)]
    priors = Priors(ruleset.facts, {name: ruleset.estimate_of(name) for name in estimated},
                    {name: grouping.groups(dt.date(year, 12, 31)) for name, grouping in ruleset.groupings.items()},
                    {code: values for code, values in grouping_facts.items() if workspace.profiles[code].kind != AGGREGATE},
                    {code: profile.parent for code, profile in workspace.profiles.items()}, program.derived)
    return evaluate_arrays(program, year, list(known) if entities is None else list(entities), known, priors, draws,
                           seed)


def _known_readings(profile: CountryProfile, facts: set[str], year: int) -> dict[str, Any]:
    readings = {name: profile.reading(name, year) for name in facts}
    return {name: r.value for name, r in readings.items() if r is not None and r.value is not UNKNOWN}


Columns = dict[str, tuple[list[float], list[float], list[float]]]


def estimate_columns(estimated: Mapping[str, NodeEstimate]) -> Columns:
    """Each node's expected score and credible interval for every row, as Python floats: read once a
    node, since reading a NumPy array one element at a time costs ten times a list's (the same values)."""
    return {key: (found.expected.tolist(), found.credible_low.tolist(), found.credible_high.tolist())
            for key, found in estimated.items()}


def set_estimates(nodes: Iterable[NodeResult], columns: Columns, row: int) -> list[NodeResult]:
    """Give each applicable node its expected score and credible interval from row ``row`` of the
    array evaluation (nodes it has no value for are left as they are); returns the nodes given one."""
    given = []
    for node in nodes:
        found = columns.get(node.id)
        if found is not None and node.applicable and not math.isnan(expected := found[0][row]):
            node.expected = expected
            node.credible = (found[1][row], found[2][row])
            given.append(node)
    return given


def attach(assessment: Assessment, program: Program, estimates: Estimates) -> None:
    """Give every node of every country its expected score, credible interval and tier probabilities,
    every country the priors its unknowns were drawn from, and the assessment its rank intervals."""
    scale = program.ruleset.header.scale
    worse = {node.id: node.worse for node in program.root.aggregates()} | {rule.path: rule.worse for rule in program.rules}
    position = {code: i for i, code in enumerate(estimates.codes)}
    columns = estimate_columns(estimates.nodes)
    for country in assessment.countries:
        i = position[country.country]
        for node in set_estimates(country.overall.walk(), columns, i):
            found = estimates.nodes[node.id]
            if found.tier_probabilities is not None:
                node.tier_probabilities = {tier: float(p) for tier, p in zip(found.tiers, found.tier_probabilities[i],
                                                                               strict=True)}
            if node.published_low is not None:
                assert node.credible is not None and node.expected is not None, "set_estimates gave both"
                node.published_expected = scale.publish(node.expected, worse[node.id])
                ends = (scale.publish(node.credible[0], worse[node.id]), scale.publish(node.credible[1], worse[node.id]))
                node.published_credible = (min(ends), max(ends))
        country.priors = estimates.priors[country.country]
        country.estimate = {"draws": estimates.draws, "seed": estimates.seed, "independence": INDEPENDENCE}
    assessment.estimates = estimates
