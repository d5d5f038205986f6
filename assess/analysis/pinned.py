"""``assess test``: a rule set's pinned examples, the values its authors checked by hand.

YAML files in ``tests/`` beside the rules state, for one entity, year and level (the overall
score, a goal, a group or a rule, by id), the value a person worked out from the facts and the
rules, with a tolerance and a one-line reason (as OpenFisca's YAML tests sit beside its
parameters). ``assess test`` scores each year once and compares: a rule change that moves a
pinned value fails with the file and line of the case, what it expected and what it got.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field

from ..engine.evaluate import assess
from ..engine.modelbase import Strict, Text
from ..engine.reader import Document, read_yaml
from ..engine.results import JSONObject, NodeResult
from ..engine.validate import validate_model
from ..engine.workspace import Workspace
from ..errors import InputErrors, SourceError, did_you_mean, location_of

TESTS_DIR = "tests"


class PinnedCase(Strict):
    """One value a rule author checked by hand."""

    entity: Annotated[str, Field(pattern=r"^[A-Z]{3}(-[A-Z0-9]{1,10})?$")] = Field(description="ISO3 code or entity id.")
    year: Annotated[int, Field(ge=1900, le=2100)]
    level: Annotated[str, Field(min_length=1, max_length=200)] = Field(
        description="'overall', or the id of a goal, group or rule (G1, G1.precursor_controls, G1.precursor_controls.npp_anpp).")
    value: Literal["score", "expected", "low", "high"] = Field(
        "score", description="Which number: the score on known facts, the estimate under the priors, or a bound.")
    expect: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)] | None = Field(
        description="The value on the engine's 0-100 scale, or null where the level has none (insufficient data).")
    tolerance: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)] = 0.05
    reason: Text = Field(description="How the value was worked out, in one line.")


class PinnedFile(Strict):
    """``tests/<name>.yaml`` beside a rule set: pinned cases."""

    cases: Annotated[list[PinnedCase], Field(min_length=1)]


@dataclass
class CaseResult:
    where: str  # file:line:col of the case
    case: PinnedCase
    got: float | None

    @property
    def passed(self) -> bool:
        if self.case.expect is None or self.got is None:
            return self.case.expect is None and self.got is None
        return abs(self.got - self.case.expect) <= self.case.tolerance + 1e-9

    def message(self) -> str:
        case = self.case
        expected = "no value" if case.expect is None else f"{case.expect:g} ± {case.tolerance:g}"
        got = "no value" if self.got is None else f"{self.got:.6g}"
        return (f"{self.where}: {case.entity} {case.year} {case.level} {case.value}: expected {expected}, got {got} "
                f"({case.reason})")

    def to_json(self) -> JSONObject:
        return {"where": self.where, **self.case.model_dump(), "got": self.got, "passed": self.passed}


@dataclass
class PinnedReport:
    results: list[CaseResult]

    @property
    def failures(self) -> list[CaseResult]:
        return [result for result in self.results if not result.passed]

    def to_json(self) -> JSONObject:
        return {"cases": len(self.results), "failed": len(self.failures), "results": [r.to_json() for r in self.results]}


def load_cases(workspace: Workspace) -> list[tuple[str, PinnedCase]]:
    """Every pinned case of the rule set (``tests/*.yaml`` beside it), each with its ``file:line:col``;
    raises InputErrors listing every bad case at once."""
    folder = workspace.ruleset.directory / TESTS_DIR
    errors: list[SourceError] = []
    cases: list[tuple[str, PinnedCase]] = []
    entities = set(workspace.profiles)
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        doc = _read(path, errors)
        pinned = validate_model(doc, PinnedFile, errors) if doc is not None else None
        if doc is None or pinned is None:
            continue
        for i, case in enumerate(pinned.cases):
            where = ("cases", i)
            if case.entity not in entities:
                errors.append(doc.error((*where, "entity"), f"no profile for '{case.entity}'",
                                        suggestion=did_you_mean(case.entity, entities)))
                continue
            line, col = doc.position(where)
            cases.append((f"{location_of(path)}:{line}:{col}", case))
    if errors:
        raise InputErrors(errors)
    return cases


def _read(path: Path, errors: list[SourceError]) -> Document | None:
    try:
        return read_yaml(path)
    except InputErrors as exc:
        errors.extend(exc.errors)
        return None


def run_cases(workspace: Workspace, cases: list[tuple[str, PinnedCase]], seed: int = 0) -> PinnedReport:
    """Score each year the cases name once (with estimates only if a case asks for one) and compare."""
    years = sorted({case.year for _, case in cases})
    wanting_estimates = {case.year for _, case in cases if case.value == "expected"}
    nodes: dict[tuple[int, str], dict[str, NodeResult]] = {}
    for year in years:
        assessment = assess(workspace, year, draws=None if year in wanting_estimates else 0, seed=seed)
        for country in assessment.countries:
            nodes[(year, country.country)] = {("overall" if node.kind == "overall" else node.id): node
                                              for node in country.overall.walk()}
    unknown_levels = [(where, case) for where, case in cases if case.level not in nodes[(case.year, case.entity)]]
    if unknown_levels:
        levels = sorted(next(iter(nodes.values())))
        raise InputErrors([_located(where, f"no level '{case.level}' in the rule set", did_you_mean(case.level, levels))
                           for where, case in unknown_levels])
    return PinnedReport([CaseResult(where, case, _value(nodes[(case.year, case.entity)][case.level], case.value))
                         for where, case in cases])


def _value(node: NodeResult, which: str) -> float | None:
    value = {"score": node.score, "expected": node.expected, "low": node.low, "high": node.high}[which]
    return None if value is None or math.isnan(value) else value


def _located(where: str, message: str, suggestion: str | None) -> SourceError:
    """An error at a case's ``file:line:col``, about its level."""
    file, line, col = where.rsplit(":", 2)
    return SourceError(file, int(line), int(col), message, field="level", suggestion=suggestion)
