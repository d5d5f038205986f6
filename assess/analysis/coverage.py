"""How much of the strategy the rule set covers: every item of the seeds (an intervention bullet of
the Plan, a recommendation of the INCB) assessed by a rule, offered as an intervention, or not
covered, with the reason. Generated from ``strategy.yaml`` and the rules, so it cannot go stale;
``assess check`` fails on a partner-facing item that nothing implements and no reason excuses."""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.results import JSONObject
from ..engine.workspace import Ruleset
from .check import Finding

SEED_NAMES = {"000_9243bb6e0d03126d.txt": "Plan of Action", "004_67b0cb0759d9fa31.txt": "INCB 2023"}


@dataclass(frozen=True)
class ItemCoverage:
    id: str
    source: str  # the seed, by name
    section: str
    quote: str
    partner_facing: bool
    assessed_by: list[str]
    offered_by: list[str]
    reason: str | None

    @property
    def status(self) -> str:
        if not self.partner_facing:
            return "not partner-facing"
        if self.assessed_by and self.offered_by:
            return "assessed and offered"
        return "assessed" if self.assessed_by else "offered" if self.offered_by else "not covered"


@dataclass
class StrategyCoverage:
    items: list[ItemCoverage]
    findings: list[Finding]

    def share(self, status: set[str], source: str | None = None) -> tuple[int, int]:
        """(items with one of these statuses, partner-facing items), for one seed or all."""
        facing = [i for i in self.items if i.partner_facing and (source is None or i.source == source)]
        return sum(i.status in status for i in facing), len(facing)

    def to_json(self) -> JSONObject:
        return {"items": [{**vars(item), "status": item.status} for item in self.items],
                "findings": [vars(f) for f in self.findings]}


def strategy_coverage(ruleset: Ruleset) -> StrategyCoverage | None:
    """The coverage table of a rule set that declares its strategy items (None if it does not)."""
    if ruleset.strategy is None:
        return None
    cites = {name: list(item.cites) for name, item in ruleset.interventions.items()}
    for goal in ruleset.goals:  # what a goal or a group cites is what it and its rules cite
        cites[goal.id] = list(goal.cites)
        for path, group in goal.group_paths(goal.id):
            cites[path] = [cite for _, rule in group.rule_paths(path) for cite in rule.cites]
        for path, rule in goal.rule_paths(goal.id):
            cites[path] = list(rule.cites)
            cites[goal.id] += rule.cites
    items, findings = [], []
    for name, item in ruleset.strategy.items.items():
        assessed = [i for i in item.implemented_by if i not in ruleset.interventions]
        offered = [i for i in item.implemented_by if i in ruleset.interventions]
        coverage = ItemCoverage(name, SEED_NAMES.get(item.seed, item.seed), item.section, item.quote,
                                item.partner_facing, assessed, offered, item.reason)
        items.append(coverage)
        if coverage.status == "not covered" and not item.reason:
            findings.append(Finding("uncovered-item", f"strategy.yaml:{name}", f"'{item.quote}' ({coverage.source}, "
                                    f"{item.section}) is assessed by no rule and offered by no intervention, and no "
                                    "reason says why"))
        for implementer in item.implemented_by:
            if not any(cite.seed == item.seed for cite in cites.get(implementer, [])):
                findings.append(Finding("uncited-implementer", f"strategy.yaml:{name}", f"'{implementer}' implements "
                                        f"this item but cites nothing of {coverage.source}"))
    return StrategyCoverage(items, findings)
