"""``assess check``: findings about a valid workspace (errors stop at loading, exit 2).

Findings (exit 1): facts declared but read by no rule; strategy items nothing implements
(``coverage``); sources a reviewer cannot open (an
internal file path, or a mirror or proxy site instead of the publisher); with ``--stale-after
N`` known values older than N years at the as-of year. Warnings (exit 0): sources that name
no URL and no publisher. Coverage per country and the rules no profile has facts for (data
gaps) are reported alongside.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.compile import compile_ruleset
from ..engine.models import Scenario
from ..engine.reader import read_yaml
from ..engine.results import Assessment, JSONObject
from ..engine.values import UNKNOWN
from ..engine.workspace import Workspace


@dataclass(frozen=True)
class Finding:
    kind: str
    where: str
    message: str


# A source is for a reviewer to open: never a file of ours, never a copy of someone else's document.
INTERNAL = re.compile(r"(^|[\s(])(shared/|reference/|seeds/)|\.(csv|tsv)\b|\bCSV line\b", re.IGNORECASE)
MIRRORS = ("studylib", "dokumen.tips", "scribd.com", "xqexn.cn", "briefly.co", "slideshare", "docslib", "pdfslide",
           "vdocuments", "yumpu.com", "inview.nl", "wirenn", "nie-podam", "particle.news", "soukservices", "keybot")
URL = re.compile(r"https?://\S+")


@dataclass
class CheckReport:
    year: int
    findings: list[Finding]
    coverage: dict[str, float]  # country -> share of the weight whose facts are known
    data_gaps: list[str] = field(default_factory=list)  # rules no profile has facts for
    weak_sources: list[str] = field(default_factory=list)  # file:fact of sources with no URL and no publisher
    idle_scenario_changes: list[Finding] = field(default_factory=list)  # warnings: changes that change nothing

    def to_json(self) -> JSONObject:
        return {"year": self.year, "findings": [vars(f) for f in self.findings], "data_gaps": self.data_gaps,
                "coverage": self.coverage, "weak_sources": self.weak_sources,
                "idle_scenario_changes": [vars(f) for f in self.idle_scenario_changes]}


def check(workspace: Workspace, assessment: Assessment, stale_after: int | None = None,
          scenarios: Mapping[str, Scenario] | None = None) -> CheckReport:
    """Findings about the workspace as of the assessment's year, with coverage and data gaps; with
    ``scenarios`` (file name -> scenario), warnings about their changes that change nothing."""
    year = assessment.stamp.year
    found = findings(workspace, year, stale_after)
    unopenable, weak = _sources(workspace)
    coverage = {c.country: c.overall.coverage for c in assessment.countries}
    idle = _idle_scenario_changes(workspace, scenarios) if scenarios else []
    return CheckReport(year, found + unopenable, coverage, data_gaps(assessment), weak, idle)


def _idle_scenario_changes(workspace: Workspace, scenarios: Mapping[str, Scenario]) -> list[Finding]:
    from .scenario import idle_changes

    found = []
    for file, scenario in scenarios.items():
        idle = idle_changes(workspace, scenario)
        doc = read_yaml(Path(file)) if idle else None
        for where, why in idle:
            line, col = doc.position(where) if doc is not None else (1, 1)
            found.append(Finding("idle-scenario-change", f"{file}:{line}:{col}", why))
    return found


def _sources(workspace: Workspace) -> tuple[list[Finding], list[str]]:
    """Sources no reviewer can open (findings), and sources with neither a URL nor a publisher's
    name before a comma ("Publisher, Document ..."): warnings."""
    found, weak = [], []
    for profile in workspace.profiles.values():
        for name, entries in profile.history.items():
            for entry in entries:
                source = entry.source or ""
                where = f"{profile.file}:{name} ({entry.as_of})"
                mirror = next((site for site in MIRRORS if site in source.lower()), None)
                if INTERNAL.search(URL.sub("", source)) or mirror:
                    what = f"a copy at {mirror}" if mirror else "an internal file"
                    found.append(Finding("source-not-primary", where, f"the source points to {what}: cite the publisher "
                                         "and the document (a URL where one exists)"))
                elif source and not URL.search(source) and "," not in source:
                    weak.append(where)
    return found, weak


def findings(workspace: Workspace, year: int, stale_after: int | None = None) -> list[Finding]:
    program = compile_ruleset(workspace.ruleset)
    from .coverage import strategy_coverage

    found = [Finding("unused-fact", f"facts.yaml:{name}", f"fact '{name}' is declared but no rule reads it")
             for name, spec in workspace.ruleset.facts.items() if name not in program.facts_read and spec.context is None]
    coverage = strategy_coverage(workspace.ruleset)
    found += coverage.findings if coverage is not None else []
    if stale_after is not None:
        found += _stale(workspace, year, stale_after)
    return found


def _stale(workspace: Workspace, year: int, stale_after: int) -> list[Finding]:
    found = []
    for profile in workspace.profiles.values():
        for name in profile.history:
            reading = profile.reading(name, year)
            if reading and reading.value is not UNKNOWN and reading.as_of is not None \
                    and reading.as_of.year < year - stale_after:
                found.append(Finding("stale-fact", f"{profile.file}:{name}",
                                     f"value dated {reading.as_of} is more than {stale_after} years old in {year}"))
    return found


def data_gaps(assessment: Assessment) -> list[str]:
    """Rules that no profile has the facts for: where planners' own research adds most."""
    scored = {rule.id for country in assessment.countries for rule in country.rules() if rule.score is not None}
    # a rule outside its window that year is no gap: nobody could have its facts
    every = [rule.id for rule in assessment.countries[0].rules() if rule.applicable] if assessment.countries else []
    return [rule for rule in every if rule not in scored]
