"""``assess check``: findings about a valid workspace (errors stop at loading, exit 2).

Findings (exit 1): facts declared but read by no rule; strategy items nothing implements
(``coverage``); sources a reviewer cannot open (an internal file path, or a mirror or proxy site
instead of the publisher); with ``--stale-after N`` known values older than N years at the as-of
year; a profile's value that contradicts its grouping's law. Warnings (exit 0), each naming the
file and the fact: sources that name no URL and no publisher, that give a homepage only, a
truncated URL or a news aggregator instead of the publisher (``_weak``); placeholder-looking
dates, one day used for many unrelated facts in many profiles (``placeholder_dates``); and dates
later than the day they were observed (``dates_after_observation``).
Coverage per country and the rules no profile has facts for (data gaps) are reported alongside.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ..engine.compile import compile_ruleset
from ..engine.models import Scenario
from ..engine.reader import read_yaml
from ..engine.results import Assessment, JSONObject
from ..engine.values import UNKNOWN, display
from ..engine.workspace import Workspace
from ..errors import location_of


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
# Sites that republish other publishers' news (a reviewer should be sent to the publisher, and the
# copy named in the note): the one list of them, matched against a URL's host and its parents.
AGGREGATORS = ("zazoom.it", "news.livedoor.com", "msn.com", "news.yahoo.com", "newsbreak.com", "ground.news",
               "pressreader.com", "newsnow.co.uk", "flipboard.com", "deperu.com", "nproxy.org", "pypi.org")
# A URL cut short: an ellipsis, or ending on a character no complete address ends with.
ELLIPSIS = re.compile(r"\.\.\.|\u2026")
TRUNCATED = re.compile(r"[-_%&=?+~]$|%[0-9A-Fa-f]$")
# How many entries, of how many facts, in how many profiles, make one shared day look like a placeholder.
PLACEHOLDER = {"entries": 20, "facts": 3, "profiles": 3}


@dataclass
class CheckReport:
    year: int
    findings: list[Finding]
    coverage: dict[str, float]  # country -> share of the weight whose facts are known
    data_gaps: list[str] = field(default_factory=list)  # rules no profile has facts for
    weak_sources: list[Finding] = field(default_factory=list)  # warnings: sources a reviewer cannot follow well
    placeholder_dates: list[Finding] = field(default_factory=list)  # warnings: one day shared by unrelated facts
    idle_scenario_changes: list[Finding] = field(default_factory=list)  # warnings: changes that change nothing
    dates_after_observation: list[Finding] = field(default_factory=list)  # warnings: dates later than the day observed

    @property
    def warnings(self) -> list[Finding]:
        return self.weak_sources + self.placeholder_dates + self.dates_after_observation + self.idle_scenario_changes

    def to_json(self) -> JSONObject:
        return {"year": self.year, "findings": [vars(f) for f in self.findings], "data_gaps": self.data_gaps,
                "coverage": self.coverage, "weak_sources": [vars(w) for w in self.weak_sources],
                "placeholder_dates": [vars(p) for p in self.placeholder_dates],
                "dates_after_observation": [vars(f) for f in self.dates_after_observation],
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
    return CheckReport(year, found + unopenable, coverage, data_gaps(assessment), weak, placeholder_dates(workspace),
                       idle, dates_after_observation(workspace))


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


def _sources(workspace: Workspace) -> tuple[list[Finding], list[Finding]]:
    """Sources no reviewer can open (findings), and sources a reviewer cannot follow well (warnings)."""
    found: list[Finding] = []
    weak: list[Finding] = []
    for where, source in _cited(workspace):
        mirror = next((site for site in MIRRORS if site in source.lower()), None)
        if INTERNAL.search(URL.sub("", source)) or mirror:
            what = f"a copy at {mirror}" if mirror else "an internal file"
            found.append(Finding("source-not-primary", where, f"the source points to {what}: cite the publisher "
                                 "and the document (a URL where one exists)"))
        else:
            weak += [Finding(kind, where, message) for kind, message in _weak(source)]
    return found, weak


def _cited(workspace: Workspace) -> Iterator[tuple[str, str]]:
    """Every value's source with where it is written: the profiles' entries, and the groupings' law
    (which is the source of the values it settles)."""
    for profile in workspace.profiles.values():
        for name, entries in profile.history.items():
            for entry in entries:
                yield f"{profile.file}:{name} ({entry.as_of})", entry.source or ""
    groupings = location_of(workspace.ruleset.directory / "groupings.yaml")
    for grouping, declared in workspace.ruleset.groupings.items():
        for law in declared.law:
            yield f"{groupings}:{grouping}.law.{law.fact} ({law.from_})", law.source


def _weak(source: str) -> list[tuple[str, str]]:
    """What keeps a reviewer from the document a source names: no URL and no publisher's name before
    a comma ("Publisher, Document ..."); a homepage for a URL; a URL cut short; a news aggregator."""
    if not source:
        return []
    raw = URL.findall(source)
    urls = [url.rstrip(".,;:)]}'\"") for url in raw]
    if not urls and "," not in source:
        return [("source-no-publisher", "no URL and no publisher")]
    weak = []
    for whole, url in zip(raw, urls, strict=True):
        parts = urlsplit(url)
        host = (parts.hostname or "").removeprefix("www.")
        if ELLIPSIS.search(whole) or TRUNCATED.search(url) or not host or "." not in host:
            weak.append(("source-truncated-url", f"the URL {url} is cut short: give it whole"))
        elif parts.path.strip("/") == "" and not parts.query:
            weak.append(("source-homepage", f"{url} is a homepage: link the document itself"))
        aggregator = next((site for site in AGGREGATORS if host == site or host.endswith("." + site)), None)
        if aggregator:
            weak.append(("source-aggregator", f"{aggregator} republishes others' reports: cite the publisher "
                                              "(and say in the note where it was read)"))
    return weak


def _document(source: str) -> str:
    """The document an entry cites, for telling shared dates apart: its first URL (without scheme,
    query or trailing slash), else its text up to the first parenthesis or semicolon."""
    url = URL.search(source)
    if url:
        parts = urlsplit(url.group().rstrip(".,;:)]}'\""))
        return f"{(parts.hostname or '').removeprefix('www.')}{parts.path.rstrip('/')}".lower()
    return " ".join(re.split(r"[(;]", source, maxsplit=1)[0].lower().split())


def _publication(source: str) -> str:
    """The publication an entry cites: its publisher and title (the text's first two comma-separated
    parts) on the host of its first URL, so that an index's country pages and its workbook, or a
    report's chapters, are one release."""
    url = URL.search(source)
    title = " ".join(",".join(source[:url.start() if url else len(source)].split(",")[:2]).lower().split())
    host = (urlsplit(url.group()).hostname or "").removeprefix("www.") if url else ""
    return f"{host}|{title}"


def placeholder_dates(workspace: Workspace) -> list[Finding]:
    """Entries on a day that looks like a placeholder: one as-of day given to at least 20 entries of
    at least 3 different facts in at least 3 profiles. Days that legitimately coincide are left out:
    a closed list's editions (the fact's own entries), a month's or a year's end (what a date
    given as YYYY-MM or YYYY means: a batch of reports of one month or year lands there), and a
    day on which every entry cites the same document (a plenary, a treaty's or a regulation's
    entry into force) or the same publication (an index's edition: its country pages and its
    workbook). A value left unknown without a source (a profile's scaffold) dates nothing."""
    closed = {name for name, spec in workspace.ruleset.facts.items() if spec.closed_list is not None}
    by_day: dict[dt.date, list[tuple[str, str, str, str]]] = defaultdict(list)  # day -> (file, fact, document, publication)
    for profile in workspace.profiles.values():
        for name, history in profile.history.items():
            for entry in history:
                if name in closed or (entry.value is UNKNOWN and not entry.source):
                    continue
                if (entry.as_of + dt.timedelta(days=1)).day == 1:
                    continue  # a month's or a year's end: what "2019-06" or "2019" means
                by_day[entry.as_of].append((profile.file, name, _document(entry.source or ""),
                                            _publication(entry.source or "")))
    found = []
    for day, dated in sorted(by_day.items()):
        files, facts, documents, publications = ({item[i] for item in dated} for i in range(4))
        if len(dated) < PLACEHOLDER["entries"] or len(facts) < PLACEHOLDER["facts"] \
                or len(files) < PLACEHOLDER["profiles"] or len(documents) == 1 or len(publications) == 1:
            continue
        message = (f"{day} is the as-of of {len(dated)} entries of {len(facts)} facts in {len(files)} profiles: "
                   "give the date the measure took effect or was observed")
        found += [Finding("placeholder-date", f"{file}:{name} ({day})", message) for file, name, *_ in sorted(dated)]
    return found


def findings(workspace: Workspace, year: int, stale_after: int | None = None) -> list[Finding]:
    program = compile_ruleset(workspace.ruleset)
    from .coverage import strategy_coverage

    read = {*program.facts_read, *program.derived.bases(program.facts_read), *program.derived.needed(program.facts_read)}
    found = [Finding("unused-fact", f"facts.yaml:{name}", f"fact '{name}' is declared but no rule reads it")
             for name, spec in workspace.ruleset.facts.items() if name not in read and spec.context is None]
    coverage = strategy_coverage(workspace.ruleset)
    found += coverage.findings if coverage is not None else []
    if stale_after is not None:
        found += _stale(workspace, year, stale_after)
    return found + law_contradictions(workspace)


def dates_after_observation(workspace: Workspace) -> list[Finding]:
    """A date-valued entry whose date is later than the day it was observed: a survey reported on 19
    September 2019 was not held on 31 December 2019 (a year given alone reads as its last day, which
    overshoots any observation made within that year). A warning, not a finding: a fact may record
    a date to come (a scheduled review), which its observation precedes."""
    return [Finding("date-after-observation", f"{profile.file}:{name} ({entry.as_of})",
                    f"{entry.value} is later than the day it was observed ({entry.as_of}): if it dates an "
                    f"event, give the latest day the source allows, at most {entry.as_of}")
            for profile in workspace.profiles.values() for name, history in profile.history.items()
            for entry in history if isinstance(entry.value, dt.date) and entry.value > entry.as_of]


def law_contradictions(workspace: Workspace) -> list[Finding]:
    """A profile's own known value that differs from what a grouping's law settles on the day it is
    dated: being dated later (or the same day), it holds instead of the law, so say so."""
    found = []
    for profile in workspace.profiles.values():
        for name in profile.law:
            for entry in profile.history.get(name, ()):
                law = profile.law_on(name, entry.as_of)
                if law is None or entry.value is UNKNOWN or entry.value == law.value:
                    continue
                found.append(Finding("law-contradiction", f"{profile.file}:{name} ({entry.as_of})",
                                     f"{display(entry.value)} contradicts {law.settled_by}, which settles "
                                     f"{display(law.value)} from {law.as_of} ({law.source}): the profile's value, "
                                     "dated later or the same day, holds; correct it or say in its note why"))
    return found


def _stale(workspace: Workspace, year: int, stale_after: int) -> list[Finding]:
    found = []
    for profile in workspace.profiles.values():
        for name in profile.facts():
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
