"""Scored results with their traces: what every number is made of.

Results are plain data; ``to_json`` gives the canonical form written to ``outputs/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from .values import to_json

JSONObject = dict[str, Any]  # a JSON object as plain data
NodeKind = Literal["overall", "goal", "criterion", "rule"]
Status = Literal["scored", "insufficient_data", "unknown"]  # unknown: a rule whose facts are not known


@dataclass
class FactRead:
    fact: str
    value: Any
    as_of: str | None
    source: str | None
    note: str | None = None

    def to_json(self) -> JSONObject:
        data = {"fact": self.fact, "value": to_json(self.value), "as_of": self.as_of, "source": self.source}
        if self.note:
            data["note"] = self.note
        return data


@dataclass
class CapApplied:
    id: str
    max_score: float
    rationale: str
    condition: str
    binding: bool  # False when the score was already at or below the cap

    def to_json(self) -> JSONObject:
        return dict(vars(self))


@dataclass
class NodeResult:
    """One node of the score tree: overall, a goal, a criterion or a rule."""

    kind: NodeKind
    id: str
    title: str
    weight: float
    method: str | None = None
    score: float | None = None
    coverage: float = 0.0
    status: Status = "insufficient_data"
    tier: str | None = None
    effective_weight: float = 0.0
    contribution: float | None = None
    caps_applied: list[CapApplied] = field(default_factory=list)
    children: list[NodeResult] = field(default_factory=list)
    # rules only
    facts: list[FactRead] = field(default_factory=list)
    why: str | None = None
    falls_short: bool = False
    interventions: list[JSONObject] = field(default_factory=list)
    cites: list[JSONObject] = field(default_factory=list)

    def walk(self) -> Iterator[NodeResult]:
        yield self
        for child in self.children:
            yield from child.walk()

    def to_json(self) -> JSONObject:
        data: dict[str, Any] = {
            "kind": self.kind, "id": self.id, "title": self.title, "weight": self.weight,
            "score": self.score, "coverage": self.coverage, "status": self.status,
            "effective_weight": self.effective_weight,
        }
        if self.kind == "rule":
            data.update(contribution=self.contribution, facts=[f.to_json() for f in self.facts], why=self.why,
                        falls_short=self.falls_short, interventions=self.interventions, cites=self.cites)
        else:
            data.update(method=self.method, caps_applied=[c.to_json() for c in self.caps_applied])
            key = {"overall": "goals", "goal": "criteria", "criterion": "rules"}[self.kind]
            data[key] = [child.to_json() for child in self.children]
        if self.tier is not None:
            data["tier"] = self.tier
        return data


@dataclass
class CountryResult:
    country: str
    name: str
    year: int
    profile_hash: str
    overall: NodeResult

    @property
    def score(self) -> float | None:
        return self.overall.score

    @property
    def goals(self) -> list[NodeResult]:
        return self.overall.children

    def rules(self) -> list[NodeResult]:
        return [node for node in self.overall.walk() if node.kind == "rule"]

    def to_json(self) -> JSONObject:
        return {"country": self.country, "name": self.name, "year": self.year,
                "profile_hash": self.profile_hash, "result": self.overall.to_json()}


@dataclass
class Stamp:
    """What an output was made from, so any two outputs can be compared and attributed."""

    ruleset_id: str
    ruleset_version: str
    ruleset_hash: str
    component_hashes: dict[str, str]
    profile_hashes: dict[str, str]
    year: int
    engine_version: str

    def to_json(self) -> JSONObject:
        return dict(vars(self))


@dataclass
class Assessment:
    stamp: Stamp
    countries: list[CountryResult]

    def ranked(self) -> list[CountryResult]:
        """Best score first; insufficient data last; ties by country code."""
        return sorted(self.countries, key=lambda c: (c.score is None, -(c.score or 0.0), c.country))
