"""``assess facts``: the fact catalogue as a planner writing a profile needs it."""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.compile import compile_ruleset
from ..engine.conditions import iter_fact_tests
from ..engine.results import JSONObject
from ..engine.values import UNKNOWN
from ..engine.workspace import Workspace


@dataclass(frozen=True)
class FactLine:
    name: str
    type: str
    values: str  # levels, items, unit or the two booleans, in order of capacity
    better: str  # which direction counts as more capacity
    description: str
    read_by: list[str]  # rules (and caps) that read it
    closed_list: str | None
    known_in: int  # profiles with a known value, at any date

    def to_json(self) -> JSONObject:
        return dict(vars(self))


@dataclass(frozen=True)
class FactList:
    facts: list[FactLine]
    profiles: int

    def to_json(self) -> JSONObject:
        return {"profiles": self.profiles, "facts": [fact.to_json() for fact in self.facts]}


def describe_facts(workspace: Workspace) -> FactList:
    program = compile_ruleset(workspace.ruleset)
    readers: dict[str, list[str]] = {}
    for rule in program.rules:
        for name in rule.scoring.facts:
            readers.setdefault(name, []).append(rule.path)
    for cap in program.caps():
        for _, test in iter_fact_tests(cap.cap.when):
            readers.setdefault(test.fact, []).append(cap.id)
    for derivation in program.derived.by_name.values():  # an input is read by what is derived from it
        for name in derivation.inputs:
            readers.setdefault(name, []).append(derivation.name)
    lines = [FactLine(name, spec.type, spec.values_text(), spec.better_text(), spec.description, readers.get(name, []),
                      spec.closed_list.list if spec.closed_list else None, _known_in(workspace, name))
             for name, spec in workspace.ruleset.facts.items()]
    return FactList(lines, len(workspace.profiles))


def _known_in(workspace: Workspace, name: str) -> int:
    """Profiles with a known value at any date, their own or one a grouping's law settles."""
    return sum(any(entry.value is not UNKNOWN for entry in (*profile.history.get(name, ()), *profile.law.get(name, ())))
               for profile in workspace.profiles.values())
