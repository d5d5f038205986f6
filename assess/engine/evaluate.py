"""Stage 4, evaluate: read each country's facts as of a year and score every rule.

Builds the result tree of a country (with the facts each rule read, and why it scored what
it did), rolling each level up with ``aggregate`` as it goes.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..version import __version__
from .aggregate import SCORED, apply_cap, roll_up, spread_weights, tier_of
from .compile import CompiledNode, CompiledRule, Program, compile_ruleset
from .conditions import Snapshot
from .results import Assessment, CountryResult, FactRead, NodeResult, Stamp
from .values import UNKNOWN
from .workspace import CountryProfile, Workspace


def snapshot(program: Program, profile: CountryProfile, year: int) -> tuple[Snapshot, dict[str, FactRead]]:
    """Typed values for the rules, and the readings (with provenance) for the trace."""
    values, reads = {}, {}
    for name in program.facts_read:
        reading = profile.reading(name, year)
        if reading is None:
            reads[name] = FactRead(name, UNKNOWN, None, None)
            continue
        reads[name] = FactRead(name, reading.value, reading.as_of.isoformat(), reading.source, reading.note)
        if reading.value is not UNKNOWN:
            values[name] = reading.value
    return Snapshot(values, year), reads


def assess_country(program: Program, profile: CountryProfile, year: int) -> CountryResult:
    facts, reads = snapshot(program, profile, year)
    overall = score_tree(program, facts, reads)
    return CountryResult(profile.country, profile.name, year, profile.content_hash, overall)


def score_snapshot(program: Program, facts: Snapshot) -> NodeResult:
    """The score tree of bare fact values (no provenance): what property checks evaluate."""
    reads = {name: FactRead(name, facts.get(name, UNKNOWN), None, None) for name in program.facts_read}
    return score_tree(program, facts, reads)


def score_tree(program: Program, facts: Snapshot, reads: dict[str, FactRead]) -> NodeResult:
    """Every rule scored, rolled up with coverage, caps and tiers, effective weights spread."""
    scores = iter(program.scores(facts))
    overall = _aggregate(program.root, _Context(program, facts, reads, scores))
    spread_weights(overall, 1.0)
    return overall


class _Context:
    """What every node of one country's evaluation reads."""

    def __init__(self, program: Program, facts: Snapshot, reads: dict[str, FactRead], scores: Iterator[float | None]):
        header = program.ruleset.header
        self.program, self.facts, self.reads, self.scores = program, facts, reads, scores
        self.min_coverage = header.min_coverage
        self.tiers = [(tier.name, tier.min) for tier in header.tiers]


def _aggregate(node: CompiledNode, context: _Context) -> NodeResult:
    result = NodeResult(node.kind, node.id, node.title, node.weight, node.method)
    result.children = [_aggregate(child, context) if isinstance(child, CompiledNode) else _rule(child, context)
                       for child in node.children]
    roll_up(result, node.method, context.min_coverage)
    for cap in node.caps:
        if cap.condition.test(context.facts):
            apply_cap(result, cap.id, cap.cap.max_score, cap.cap.rationale, cap.condition.text)
    if node.tiered:
        result.tier = tier_of(result.score, context.tiers)
    return result


def _rule(compiled: CompiledRule, context: _Context) -> NodeResult:
    rule, score = compiled.rule, next(context.scores)
    node = NodeResult("rule", compiled.path, rule.title, rule.weight, score=score,
                      coverage=0.0 if score is None else 1.0,
                      status=SCORED if score is not None else "unknown")
    node.facts = [context.reads[name] for name in compiled.scoring.facts]
    node.why = compiled.scoring.explain(context.facts, score)
    node.cites = [cite.model_dump(exclude_none=True) for cite in rule.cites]
    node.falls_short = score is not None and score < rule.target
    if node.falls_short:
        menu = context.program.ruleset.interventions
        node.interventions = [{"id": name, "text": menu[name].text} for name in rule.interventions]
    return node


def assess(workspace: Workspace, year: int) -> Assessment:
    """Score every country of the workspace as of ``year``."""
    program = compile_ruleset(workspace.ruleset)
    ruleset = workspace.ruleset
    stamp = Stamp(ruleset.header.id, ruleset.header.version, ruleset.content_hash, ruleset.component_hashes,
                  {code: p.content_hash for code, p in workspace.profiles.items()}, year, __version__)
    return Assessment(stamp, [assess_country(program, profile, year) for profile in workspace.profiles.values()])
