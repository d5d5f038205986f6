"""Stage 4, evaluate: read each country's facts as of a year and score every rule.

Builds the result tree of a country (with the facts each rule read, and why it scored what
it did), then hands it to ``aggregate`` to roll up.
"""

from __future__ import annotations

from . import __version__
from .aggregate import SCORED, apply_cap, roll_up, spread_weights, tier_of
from .compile import CompiledCap, Program, Snapshot, compile_ruleset
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
    header = program.ruleset.header
    tiers = [(tier.name, tier.min) for tier in header.tiers]
    scores = iter(program.scores(facts))
    overall = NodeResult("overall", program.ruleset.header.id, header.title, 1.0, header.method)
    for compiled_goal in program.goals:
        goal = compiled_goal.goal
        goal_node = NodeResult("goal", goal.id, goal.title, goal.weight, goal.method)
        for compiled_criterion in compiled_goal.criteria:
            criterion = compiled_criterion.criterion
            node = NodeResult("criterion", compiled_criterion.path, criterion.title, criterion.weight, criterion.method)
            node.children = [_rule_node(rule, next(scores), facts, reads, program) for rule in compiled_criterion.rules]
            roll_up(node, criterion.method, header.min_coverage)
            goal_node.children.append(node)
        roll_up(goal_node, goal.method, header.min_coverage)
        _caps(goal_node, compiled_goal.caps, facts, f"{goal.id}.cap")
        goal_node.tier = tier_of(goal_node.score, tiers)
        overall.children.append(goal_node)
    roll_up(overall, header.method, header.min_coverage)
    _caps(overall, program.caps, facts, "overall.cap")
    overall.tier = tier_of(overall.score, tiers)
    spread_weights(overall, 1.0)
    return overall


def _rule_node(compiled, score, facts: Snapshot, reads: dict[str, FactRead], program: Program) -> NodeResult:
    rule = compiled.rule
    node = NodeResult("rule", compiled.path, rule.title, rule.weight, score=score,
                      coverage=0.0 if score is None else 1.0,
                      status=SCORED if score is not None else "unknown")
    node.facts = [reads[name] for name in compiled.scoring.facts]
    node.why = compiled.scoring.explain(facts, score)
    node.cites = [cite.model_dump(exclude_none=True) for cite in rule.cites]
    node.falls_short = score is not None and score < rule.target
    if node.falls_short:
        menu = program.ruleset.interventions
        node.interventions = [{"id": name, "text": menu[name].text} for name in rule.interventions]
    return node


def _caps(node: NodeResult, caps: tuple[CompiledCap, ...], facts: Snapshot, prefix: str) -> None:
    for i, compiled in enumerate(caps):
        if compiled.condition.test(facts):
            apply_cap(node, f"{prefix}{i + 1}", compiled.cap.max_score, compiled.cap.rationale, compiled.condition.text)


def assess(workspace: Workspace, year: int) -> Assessment:
    """Score every country of the workspace as of ``year``."""
    program = compile_ruleset(workspace.ruleset)
    ruleset = workspace.ruleset
    stamp = Stamp(ruleset.header.id, ruleset.header.version, ruleset.content_hash, ruleset.component_hashes,
                  {code: p.content_hash for code, p in workspace.profiles.items()}, year, __version__)
    return Assessment(stamp, [assess_country(program, profile, year) for profile in workspace.profiles.values()])
