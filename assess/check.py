"""``assess check``: findings about a valid workspace (errors stop at loading, exit 2).

Findings (exit 1): facts declared but read by no rule, and with ``--stale-after N`` known
values older than N years at the as-of year. Coverage per country is reported alongside.
"""

from __future__ import annotations

from dataclasses import dataclass

from .compile import compile_ruleset
from .evaluate import assess
from .formats import View
from .values import UNKNOWN
from .workspace import Workspace


@dataclass(frozen=True)
class Finding:
    kind: str
    where: str
    message: str


def findings(workspace: Workspace, year: int, stale_after: int | None = None) -> list[Finding]:
    program = compile_ruleset(workspace.ruleset)
    found = [Finding("unused-fact", f"facts.yaml:{name}", f"fact '{name}' is declared but no rule reads it")
             for name in workspace.ruleset.facts if name not in program.facts_read]
    if stale_after is not None:
        found += _stale(workspace, year, stale_after)
    return found


def _stale(workspace: Workspace, year: int, stale_after: int) -> list[Finding]:
    found = []
    for profile in workspace.profiles.values():
        for name in profile.history:
            reading = profile.reading(name, year)
            if reading and reading.value is not UNKNOWN and reading.as_of.year < year - stale_after:
                found.append(Finding("stale-fact", f"{profile.file}:{name}",
                                     f"value dated {reading.as_of} is more than {stale_after} years old in {year}"))
    return found


def data_gaps(coverage) -> list[str]:
    """Rules that no profile has the facts for: where planners' own research adds most."""
    scored = {rule.id for country in coverage.countries for rule in country.rules() if rule.score is not None}
    every = [rule.id for rule in coverage.countries[0].rules()] if coverage.countries else []
    return [rule for rule in every if rule not in scored]


def check_view(workspace: Workspace, year: int, found: list[Finding]) -> View:
    coverage = assess(workspace, year)
    rows = [[f.kind, f.where, f.message] for f in found]
    gaps = data_gaps(coverage)
    notes = [f"coverage as of {year}: " + ", ".join(f"{c.country} {c.overall.coverage * 100:.0f}%" for c in coverage.countries)]
    if gaps:
        notes.append(f"rules no profile has facts for as of {year} (data gaps): " + ", ".join(gaps))
    status = f"{len(found)} finding(s)" if found else "ok: rules and profiles are valid; no findings"
    data = {"year": year, "findings": [vars(f) for f in found], "data_gaps": gaps,
            "coverage": {c.country: c.overall.coverage for c in coverage.countries}}
    return View(["finding", "where", "message"], rows, data, title=status, notes=notes)
