"""The library API: every capability of ``assess``, the one surface the CLI, tests and other
programs call.

Every function takes a loaded ``Workspace`` (``load_workspace``) and, where it scores, an
as-of year (default: the latest year any fact is dated in). Results are plain data classes;
``render`` turns any of them into table, JSON, CSV or Markdown text. The engine is imported by
the functions that need it (NumPy with scoring), heavier dependencies (networkx, SciPy,
matplotlib, Jinja2, openpyxl, pandas, Hypothesis) only by the functions that use them, so the
command line starts with click alone.
"""

from __future__ import annotations

import dataclasses
import math
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .engine.values import DEFAULT_DRAWS, FIRST_YEAR, LAST_YEAR
from .errors import OutputError, UsageError, did_you_mean, visible
from .render.formats import FORMATS

# The file kinds ``schemas`` describes (``render.schema.KINDS``, which a test holds equal to this):
# named here so that the command line can offer them without building the models.
SCHEMA_KINDS = ("profile", "ruleset", "goal", "facts", "interventions", "network", "trafficking", "partnerships",
                "scenario", "strategy", "groupings", "pinned")

# Nothing of the engine is imported until a function needs it: ``assess --help`` and the commands
# that load no workspace start with click alone, and NumPy (the estimates) comes with scoring.
_LAZY = {"Assessment": "engine.results", "CountryResult": "engine.results", "JSONObject": "engine.results",
         "Workspace": "engine.workspace"}

if TYPE_CHECKING:
    from .analysis.catalogue import FactList as FactList
    from .analysis.check import CheckReport as CheckReport
    from .analysis.coverage import StrategyCoverage as StrategyCoverage
    from .analysis.diff import Diff as Diff
    from .analysis.importing import ImportPlan as ImportPlan
    from .analysis.pinned import PinnedReport as PinnedReport
    from .analysis.portfolio import Portfolio as Portfolio
    from .analysis.prioritize import Prioritization as Prioritization
    from .analysis.properties import PropertyReport as PropertyReport
    from .analysis.scenario import Projection as Projection
    from .analysis.sensitivity import Sensitivity as Sensitivity
    from .engine.results import Assessment as Assessment
    from .engine.results import CountryResult as CountryResult
    from .engine.results import JSONObject as JSONObject
    from .engine.workspace import Workspace as Workspace
    from .render.report import ReportPages as ReportPages

else:
    def __getattr__(name: str) -> Any:
        """The result and workspace classes, imported when first asked for (``api.Workspace``)."""
        if name in _LAZY:
            import importlib

            return getattr(importlib.import_module(f".{_LAZY[name]}", __package__), name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

Progress = Callable[[int, int], None]  # (done, total), for progress bars
GRAPH_FORMATS = ("graphml", "gexf", "json", "dot")


# --- Arguments: checked here, for the library and the command line alike --------------------------


@dataclasses.dataclass(frozen=True)
class Bound:
    """What a numeric argument takes: a whole number or any finite number, from ``low`` to ``high``."""

    low: float
    high: float | None = None
    whole: bool = False
    high_open: bool = False

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is not allowed (the message the API raises and the CLI prints), or None."""
        shown = _number_text(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else \
            visible(repr(value), newlines=False)[:60]
        if isinstance(value, bool) or not isinstance(value, int if self.whole else (int, float)):
            return f"{shown} is not {'a whole number' if self.whole else 'a number'}"
        if not math.isfinite(value):
            return f"{shown} is not a finite number"
        top = "" if self.high is None else f"{'<' if self.high_open else '<='}{_number_text(self.high)}"
        if value < self.low or (self.high is not None and (value >= self.high if self.high_open else value > self.high)):
            return f"{shown} is not in the range {_number_text(self.low)}<=x{top}"
        return None


def _number_text(value: float) -> str:
    """A number as people write it: 5 for 5.0, 100000000000 for 1e11, nan, 0.25."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return repr(value)[:60]


ARGUMENTS = {
    "year": Bound(FIRST_YEAR, LAST_YEAR, whole=True),
    "budget": Bound(1, whole=True),
    "budget_usd": Bound(1, 1e11),
    "samples": Bound(1, whole=True),
    "spread": Bound(0, 1, high_open=True),
    "seed": Bound(0, 2**63 - 1, whole=True),
    "examples": Bound(1, 100_000, whole=True),
    "stale_after": Bound(0, whole=True),
    "fail_above": Bound(0),
    "draws": Bound(0, 100_000, whole=True),
}


def argument_problem(name: str, value: Any) -> str | None:
    """Why ``value`` is not allowed for the argument ``name`` (see ``ARGUMENTS``), or None; the CLI
    checks its options with this too, so both say the same."""
    return ARGUMENTS[name].problem(value)


def _check(name: str, value: Any, option: str | None = None, *, required: bool = False) -> None:
    """Raise UsageError when an argument is not allowed (None, where allowed, means "the default")."""
    problem = (f"None is not {'a whole number' if ARGUMENTS[name].whole else 'a number'}" if required else None) \
        if value is None else argument_problem(name, value)
    if problem is not None:
        raise UsageError(f"invalid {name} (--{option or name.replace('_', '-')}): {problem}")


def _choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        shown = visible(repr(value), newlines=False)[:60]
        suggestion = did_you_mean(str(value), allowed)
        raise UsageError(f"invalid {name} (--format): {shown} is not one of {', '.join(allowed)}"
                         + (f"; did you mean '{suggestion}'?" if suggestion else ""))

__all__ = [
    "ARGUMENTS",
    "DEFAULT_DRAWS",
    "FORMATS",
    "GRAPH_FORMATS",
    "SCHEMA_KINDS",
    "Assessment",
    "CountryResult",
    "OutputError",
    "Progress",
    "UsageError",
    "Workspace",
    "argument_problem",
    "check",
    "check_destination",
    "check_properties",
    "diff_outputs",
    "diff_rules",
    "diff_scenario",
    "diff_sides",
    "diff_years",
    "explain",
    "facts",
    "graph",
    "import_table",
    "init_workspace",
    "load_workspace",
    "moves_above",
    "new_profile",
    "portfolio",
    "prioritize",
    "ranked_by",
    "render",
    "render_many",
    "report",
    "scenario",
    "schemas",
    "score",
    "sensitivity",
    "strategy_coverage",
    "test_rules",
    "to_json",
    "uses_shipped",
    "write_file",
    "write_outputs",
    "year_of",
]


def uses_shipped(rules: Path | None, profiles: Path | None) -> list[str]:
    """Which parts of the workspace would come from the shipped copy (none given, none here)."""
    from .engine.workspace import uses_shipped as shipped

    return shipped(rules, profiles)


def to_json(data: Any) -> str:
    """Canonical JSON (sorted keys, indent 2, final newline): the same data always gives the same bytes."""
    from .engine.canonical import dumps

    return dumps(data)


def load_workspace(rules: Path | str | None = None, profiles: Path | str | None = None, *,
                   scenarios: Path | None = None) -> Workspace:
    """Load and validate a rule set and its profiles; raises ``InputErrors`` listing every problem,
    one per cause (a file that fails validation causes no errors in the files that refer to it).

    Without paths, the working directory's ``rules/`` and ``country_profiles/`` are used, falling
    back to the copy bundled with the package. With ``scenarios`` (a folder), its scenarios are
    validated in the same pass, so that their errors are reported with the workspace's.
    """
    from .engine.workspace import load_workspace as _load_workspace

    return _load_workspace(rules, profiles, scenarios=scenarios)


def score(workspace: Workspace, year: int | None = None, draws: int | None = None, seed: int = 0) -> Assessment:
    """Every country scored as of ``year``, with full traces and its estimate under the priors of
    its unknown facts (``draws`` joint draws from ``seed``: by default 2,000, fewer for a workspace
    of more than 200 entities, never fewer than 200; 0: no estimates)."""
    from .engine.evaluate import assess

    _check("year", year)
    _check("draws", draws)
    _check("seed", seed)
    return assess(workspace, workspace.as_of(year), draws=draws, seed=seed)


def ranked_by(assessment: Assessment, goal: str) -> Assessment:
    """The same assessment, ranked by one goal's score or a headline group's, in its published
    direction (a usage error, with a suggestion, for an unknown goal)."""
    goals = [node.id for node in assessment.countries[0].published_levels] if assessment.countries else []
    if goal not in goals:
        from .errors import did_you_mean

        suggestion = did_you_mean(goal, goals)
        raise UsageError(f"unknown goal '{goal}'" + (f"; did you mean '{suggestion}'?" if suggestion else "")
                         + f" goals: {', '.join(goals)}")
    return dataclasses.replace(assessment, rank_by=goal)


def explain(workspace: Workspace, country: str, year: int | None = None, draws: int | None = None,
            seed: int = 0) -> CountryResult:
    """One country's full trace as of ``year``, with its estimate and the priors behind it."""
    from .engine.evaluate import explain_country

    _check("year", year)
    _check("draws", draws)
    _check("seed", seed)
    return explain_country(workspace, country, workspace.as_of(year), draws=draws, seed=seed)


def prioritize(workspace: Workspace, year: int | None = None, destination: str = "USA", commodity: str | None = None,
               budget: int | None = None, progress: Progress | None = None, need_only: bool = False) -> Prioritization:
    """The ranked assistance list toward ``destination`` (see ``assess.analysis.prioritize``)."""
    from .analysis.prioritize import prioritize as rank

    _check("budget", budget)
    return rank(workspace, score(workspace, year), destination, commodity, budget, need_only, progress)


def portfolio(workspace: Workspace, budget_usd: float, year: int | None = None, destination: str = "USA",
              commodity: str | None = None, progress: Progress | None = None, waive: Sequence[str] = ()) -> Portfolio:
    """The costed packages to fund with ``budget_usd`` a year (see ``assess.analysis.portfolio``); the
    rule set's declared limits on assistance hold except in the countries of ``waive`` (ISO3)."""
    from .analysis.portfolio import portfolio as plan

    _check("budget_usd", budget_usd, required=True)
    unknown = sorted(set(waive) - set(workspace.profiles))
    if unknown:
        raise UsageError(f"cannot waive limits for {', '.join(unknown)}: no such profile")
    return plan(workspace, score(workspace, year), budget_usd, destination, commodity, progress, set(waive))


def sensitivity(workspace: Workspace, year: int | None = None, samples: int = 10_000, spread: float = 0.25,
                seed: int = 0, progress: Progress | None = None) -> Sensitivity:
    """Rank stability under perturbed weights (see ``assess.analysis.sensitivity``)."""
    from .analysis.sensitivity import sensitivity as sample
    from .engine.compile import compile_workspace
    from .engine.evaluate import assess, snapshot

    _check("year", year)
    for name, value in (("samples", samples), ("spread", spread), ("seed", seed)):
        _check(name, value, required=True)
    year = workspace.as_of(year)
    program = compile_workspace(workspace)
    snapshots = [snapshot(program, profile, year)[0] for profile in workspace.profiles.values()]
    return sample(program, assess(workspace, year), snapshots, samples, spread, seed, progress)


def check(workspace: Workspace, year: int | None = None, stale_after: int | None = None,
          scenarios: Path | None = None) -> CheckReport:
    """Findings about a valid workspace (unused facts, stale values), coverage and data gaps; the
    scenarios in ``scenarios`` are validated too (InputErrors if any is bad), with a warning for
    each fact change or funded package of theirs that changes nothing when it takes effect."""
    from .analysis.check import check as inspect
    from .engine.workspace import load_scenarios
    from .errors import location_of

    _check("year", year)
    _check("stale_after", stale_after)
    loaded = load_scenarios(workspace, scenarios) if scenarios is not None else {}
    named = {location_of(scenarios / f"{name}.yaml"): scenario
             for name, scenario in loaded.items()} if scenarios is not None else {}
    return inspect(workspace, score(workspace, year), stale_after, named)


def strategy_coverage(workspace: Workspace) -> StrategyCoverage:
    """Every item of the rule set's strategy (``strategy.yaml``): assessed, offered, or why not."""
    from .analysis.coverage import strategy_coverage as cover

    coverage = cover(workspace.ruleset)
    if coverage is None:
        raise UsageError(f"the rule set in {workspace.ruleset.directory} has no strategy.yaml listing the items it covers")
    return coverage


def check_properties(workspace: Workspace, examples: int = 100, seed: int | None = None,
                     progress: Progress | None = None) -> PropertyReport:
    """Property-test the rule set with generated profiles (see ``assess.analysis.properties``)."""
    from .analysis.properties import check_properties as run

    _check("examples", examples, required=True)
    return run(workspace.ruleset, examples, seed, progress)


def diff_outputs(old: Path, new: Path) -> Diff:
    """What moved between two written output folders (``outputs/<ruleset>/<year>/``)."""
    from .analysis.diff import diff as diff
    from .render.outputs import read_scored

    return diff(read_scored(old), read_scored(new))


def year_of(side: str | Path) -> int | None:
    """A diff side written as a year (``2019``), unless a folder of that name exists."""
    text = str(side)
    return int(text) if text.isdigit() and len(text) == 4 and not Path(text).exists() else None


def diff_sides(old: str | Path, new: str | Path, workspace: Workspace | None = None) -> Diff:
    """Each side scored outputs (a folder at any level holding one rule set and year) or a year,
    the workspace scored as of it (``workspace`` is needed for a year)."""
    from .analysis.diff import diff, from_assessment
    from .render.outputs import read_scored

    def side(given: str | Path) -> Any:
        year = year_of(given)
        if year is None:
            return read_scored(Path(given))
        if workspace is None:
            raise UsageError(f"'{given}' is a year: scoring it needs the workspace")
        return from_assessment(score(workspace, year), str(year))

    return diff(side(old), side(new))


def moves_above(result: Diff, points: float, only_unexplained: bool = False) -> list[str]:
    """The moves larger than ``points`` (with ``only_unexplained``, of those no fact change explains),
    one line each: what ``diff --fail-above`` fails on."""
    from .render.views import move_line

    return [move_line(move, result.new.publication) for move in result.moves(only_unexplained) if move.size > points]


def diff_years(workspace: Workspace, old_year: int, new_year: int) -> Diff:
    """What moved between two years of one workspace, attributed to the facts that changed."""
    from .analysis.diff import diff, from_assessment

    _check("year", old_year, "from")
    _check("year", new_year, "to")
    return diff(from_assessment(score(workspace, old_year), str(old_year)),
                from_assessment(score(workspace, new_year), str(new_year)))


def diff_rules(rules_old: str, rules_new: Path | None = None, profiles: Path | None = None,
               year: int | None = None) -> Diff:
    """The same profiles scored under an old rule set (a folder, or a git revision read with
    ``git show``) and a new one (default: the workspace's)."""
    from .analysis.diff import diff, from_assessment
    from .analysis.gitrules import checkout_rules as checkout_rules
    from .engine.workspace import load_workspace as _load_workspace
    from .engine.workspace import resolve_rules

    _check("year", year)
    new_dir = resolve_rules(rules_new)
    new_workspace = load_workspace(new_dir, profiles)
    year = new_workspace.as_of(year)
    with tempfile.TemporaryDirectory() as scratch:
        old_dir = Path(rules_old) if Path(rules_old).is_dir() else checkout_rules(rules_old, new_dir, Path(scratch))
        old_workspace = _load_workspace(old_dir, profiles, undeclared_ok=True)  # facts added since cannot move its scores
        return diff(from_assessment(score(old_workspace, year), f"rules {rules_old}"),
                    from_assessment(score(new_workspace, year), f"rules {new_dir}"))


def scenario(workspace: Workspace, name: str, until: int | None = None, start: int | None = None,
             directory: Path | None = None) -> Projection:
    """A scenario (``scenarios/<name>.yaml``) projected year by year against the baseline, from
    ``start`` (default: the latest dated year) to ``until`` (default: the scenario's last date)."""
    from .analysis.scenario import effective_date, project
    from .engine.workspace import load_scenario

    _check("year", until, "until")
    _check("year", start, "from")
    plan = load_scenario(workspace, name, directory)
    start = workspace.as_of(start)
    if until is None:
        dates = [c.as_of for c in plan.facts] + [effective_date(workspace, p.package, p.start) for p in plan.packages]
        dates += [r.since for r in plan.routes.opened] + [r.on for r in plan.routes.closed]
        until = max([start, *(day.year for day in dates)])
    if until < start:
        raise UsageError(f"--until {until} is before the first year projected ({start})")
    return project(workspace, plan, name, start, until)


def diff_scenario(workspace: Workspace, old_year: int, new_year: int, old_scenario: str | None = None,
                  new_scenario: str | None = None, directory: Path | None = None) -> Diff:
    """Baseline or scenario on either side, at any two years, attributed like any diff."""
    from .analysis.diff import diff, from_assessment
    from .analysis.scenario import apply_scenario
    from .engine.workspace import load_scenario

    _check("year", old_year, "from")
    _check("year", new_year, "to")
    sides = []
    for year, name in ((old_year, old_scenario), (new_year, new_scenario)):
        changed = workspace if name is None else apply_scenario(workspace, load_scenario(workspace, name, directory))
        sides.append(from_assessment(score(changed, year), str(year) + (f" with scenario {name}" if name else "")))
    return diff(*sides)


def graph(workspace: Workspace, fmt: str, year: int | None = None) -> str:
    """The network (countries with their scores, trafficking and partnership links) as GraphML,
    GEXF, node-link JSON or DOT."""
    from .render.export import network_graph, render_graph

    _choice("fmt", fmt, GRAPH_FORMATS)
    _check("year", year)
    if workspace.network is None:
        raise UsageError("no network: add country_profiles/network/trafficking.yaml")
    return render_graph(network_graph(workspace.network, score(workspace, year)), fmt)


def report(workspace: Workspace, year: int | None = None, compare: int | None = None, destination: str = "USA",
           budget_usd: float | None = 25_000_000, progress: Progress | None = None,
           annex: str = "report-annex.html", draws: int | None = None, seed: int = 0) -> ReportPages:
    """The self-contained HTML briefing (``.main``: summary with the estimates' confidence, what
    ``budget_usd`` a year buys, the ranking, the largest moves since ``compare``, the evidence gaps;
    at most 8 A4 pages) and its annex (``.annex``: every table whole, charts, route maps and a
    folded section per country), which the briefing links to as ``annex``; ``draws`` and ``seed``
    as for ``score`` (both years, and the portfolio's what-ifs, are estimated on them)."""
    from .analysis.diff import diff, from_assessment
    from .analysis.portfolio import portfolio as plan
    from .analysis.prioritize import prioritize as rank
    from .render.report import build_report

    _check("year", year)
    _check("year", compare, "compare")
    _check("budget_usd", budget_usd)
    steps = 5
    assessment = score(workspace, year, draws, seed)
    if progress:
        progress(1, steps)
    priorities = rank(workspace, assessment, destination, budget=10) if workspace.network is not None else None
    if progress:
        progress(2, steps)
    costed = (plan(workspace, assessment, budget_usd, destination)
              if workspace.network is not None and budget_usd is not None else None)
    if progress:
        progress(3, steps)
    changes = None
    if compare is not None:
        changes = diff(from_assessment(score(workspace, compare, draws, seed), str(compare)),
                       from_assessment(assessment, "now"))
    if progress:
        progress(4, steps)
    page = build_report(workspace, assessment, priorities, costed, changes, annex)
    if progress:
        progress(5, steps)
    return page


def annex_name(main: str) -> str:
    """The annex's file name beside the report's: ``report.html`` -> ``report-annex.html``."""
    stem, dot, suffix = main.rpartition(".")
    return f"{stem}-annex.{suffix}" if dot and stem else f"{main}-annex.html"


def write_outputs(assessment: Assessment, out: Path) -> Path:
    """Write one assessment under ``out/<ruleset>/<year>/``; returns that folder."""
    from .render.outputs import write_outputs as write

    return write(assessment, out)


def write_file(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically; OutputError if its folder does not exist."""
    from .render.outputs import write_file as write

    write(path, text)


def check_destination(path: Path) -> None:
    """OutputError unless ``write_file`` could write ``path`` (checked before a long computation)."""
    from .render.outputs import check_destination as check

    check(path)


def init_workspace(directory: Path) -> list[Path]:
    """A new workspace with the strategy rules, sample profiles, schemas and a README."""
    from .edit.scaffold import init_workspace as create

    return create(directory)


def test_rules(workspace: Workspace, seed: int = 0) -> PinnedReport:
    """Run the rule set's pinned examples (``tests/*.yaml`` beside the rules, see
    ``assess.analysis.pinned``); raises InputErrors for a case that names no profile or level."""
    from .analysis.pinned import load_cases, run_cases

    _check("seed", seed)
    return run_cases(workspace, load_cases(workspace), seed)


def facts(workspace: Workspace) -> FactList:
    """The fact catalogue with, for each fact, the rules that read it and how many profiles know it."""
    from .analysis.catalogue import describe_facts

    return describe_facts(workspace)


def import_table(workspace: Workspace, table: Path, closed_list: bool = False, dry_run: bool = False,
                 create: bool = False) -> ImportPlan:
    """Merge a CSV or XLSX table of dated, sourced facts into the profiles (see ``assess.edit.importer``);
    with ``dry_run`` only say what would change; with ``create``, create the profile of a country the
    table names that has none, as ``new_profile`` would, in the same transaction. Raises InputErrors
    for bad rows, UsageError for a country without a profile otherwise (nothing written)."""
    from .analysis.importing import plan_import
    from .edit.importer import apply_import

    plan = plan_import(workspace, table, closed_list, create)
    return apply_import(workspace, plan, dry_run=dry_run)


def new_profile(workspace: Workspace, country: str, kind: str | None = None, name: str | None = None) -> Path:
    """Scaffold ``<profiles>/<CODE>.yaml`` with every fact unknown and a comment saying what it means;
    an entity's id (MEX-SON) takes its ``kind`` and ``name``, an aggregate's (WLD) ``kind="aggregate"``
    and its ``name``."""
    from .edit.scaffold import new_profile as scaffold

    return scaffold(workspace, country, kind, name)


def schemas(kinds: list[str] | None = None, rules: Path | str | None = None, generic: bool = False) -> dict[str, JSONObject]:
    """JSON Schema of each file kind (all by default), derived from the models; unless ``generic``,
    the profile schema also names the facts of the rule set (``rules``, else the workspace's)."""
    from .engine.workspace import load_ruleset, resolve_rules
    from .errors import InputErrors
    from .render.schema import schema_of

    facts = None
    if not generic:
        errors: list[Any] = []
        ruleset = load_ruleset(resolve_rules(Path(rules) if rules else None), errors)
        if errors or ruleset is None:
            raise InputErrors(errors)
        facts = ruleset.facts
    return {kind: schema_of(kind, facts) for kind in (kinds or list(SCHEMA_KINDS))}


def render(result: Any, fmt: str, *, quiet: bool = False) -> str:
    """Any result of this API as ``table``, ``json``, ``csv`` or ``markdown`` text; ``quiet`` leaves
    out the remarks on how to read it (legends, stamps, summaries, warnings)."""
    return render_many([result], fmt, quiet=quiet)


def render_many(results: list[Any], fmt: str, *, quiet: bool = False) -> str:
    """Several results: one after the other for people, a single JSON document for tools."""
    from .render.formats import View, json_data, renderer
    from .render.formats import quiet as without_remarks
    from .render.views import view_of

    _choice("fmt", fmt, FORMATS)
    views = [without_remarks(view_of(result)) if quiet else view_of(result) for result in results]
    if fmt == "json" and len(views) > 1:
        return renderer(fmt)(View([], [], data=[json_data(view) for view in views]))
    return "".join(renderer(fmt)(view) for view in views)
