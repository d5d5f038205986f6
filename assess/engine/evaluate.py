"""Stage 4, evaluate: read each country's facts as of a year and score every rule.

Builds the result tree of a country (with the facts each rule read, and why it scored what
it did), rolling each level up with ``aggregate`` as it goes.
"""

from __future__ import annotations

from ..version import __version__
from .aggregate import NOT_APPLICABLE, SCORED, apply_cap, roll_up, spread_weights, tier_of
from .compile import CompiledNode, CompiledRule, Program, compile_ruleset
from .conditions import Snapshot
from .models import Applicability
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
    """Every rule scored, with its bounds, rolled up with coverage, caps and tiers; weights spread."""
    overall = _aggregate(program.root, _Context(program, facts, reads))
    spread_weights(overall, 1.0, 1.0)
    return overall


class _Context:
    """What every node of one country's evaluation reads.

    Each rule is scored three times: on the known facts, and with every unknown fact at its
    worst and at its best admissible value. For a monotone rule the last two are exactly the
    lowest and highest score the unknowns allow (known facts are kept as they are).
    """

    def __init__(self, program: Program, facts: Snapshot, reads: dict[str, FactRead]):
        header = program.ruleset.header
        self.program, self.facts, self.reads = program, facts, reads
        self.scores = iter(program.scores(facts))
        self.lows = iter(program.scores(Snapshot({**program.worst_values, **facts}, facts.year)))
        self.highs = iter(program.scores(Snapshot({**program.best_values, **facts}, facts.year)))
        self.min_coverage = header.min_coverage
        self.tiers = [(tier.name, tier.min) for tier in header.tiers]


def _aggregate(node: CompiledNode, context: _Context) -> NodeResult:
    result = NodeResult(node.kind, node.id, node.title, node.weight, node.method)
    result.children = [_aggregate(child, context) if isinstance(child, CompiledNode) else _rule(child, context)
                       for child in node.children]
    if node.window is not None and not node.window.applies(context.facts.year):
        result.status, result.why = NOT_APPLICABLE, _not_applicable(node.window, context.facts.year)
        return result
    roll_up(result, node.method, context.min_coverage)
    for cap in node.caps:
        holds = cap.condition.test(context.facts)
        apply_cap(result, cap.id, cap.cap.max_score, cap.cap.rationale, cap.condition.text, holds)
    if node.tiered:
        # earned by the low bound: a tier holds whatever the unknown facts turn out to be
        result.tier = tier_of(result.low if result.score is not None else None, context.tiers)
    return result


def _not_applicable(window: Applicability, year: int) -> str:
    return f"not applicable as of {year}: applies {window.window_text()} ({window.applicability})"


def _rule(compiled: CompiledRule, context: _Context) -> NodeResult:
    rule = compiled.rule
    score, low, high = next(context.scores), next(context.lows), next(context.highs)
    node = NodeResult("rule", compiled.path, rule.title, rule.weight)
    node.facts = [context.reads[name] for name in compiled.scoring.facts]
    node.cites = [cite.model_dump(exclude_none=True) for cite in rule.cites]
    if not rule.applies(context.facts.year):
        node.status, node.why = NOT_APPLICABLE, _not_applicable(rule, context.facts.year)
        return node
    if score is None and not compiled.monotone:  # no worst-case fill is safe: the whole range
        (low, high), node.exact_bounds = compiled.score_range, False
    node.score, node.low, node.high = score, low, high
    node.coverage, node.status = (0.0, "unknown") if score is None else (1.0, SCORED)
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
