"""The command line: parses arguments, calls the library API (``assess.api``) and prints.

Exit codes: 0 done; 1 findings; 2 bad input or usage. Bad input is reported as
``path:line:col: error: ...`` lines on stderr, never as a traceback, and nothing is written.
This module imports nothing from the engine, the analyses or the renderers: only the API.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import click

from . import api
from .errors import AssessError, UsageError, visible
from .version import __version__

PathOption = click.Path(path_type=Path)


class Checked(click.ParamType[Any]):
    """A number checked by the API's own rule for that argument (``api.ARGUMENTS``), so the command
    line and the library refuse the same values with the same words."""

    def __init__(self, argument: str) -> None:
        self.argument = argument
        self.whole = api.ARGUMENTS[argument].whole
        self.name = "integer" if self.whole else "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = value
        if isinstance(value, str):
            try:
                number = int(value) if self.whole else float(value)
            except ValueError:
                self.fail(f"{visible(repr(value), newlines=False)[:60]} is not "
                          f"{'a whole number' if self.whole else 'a number'}", param, ctx)
        problem = api.argument_problem(self.argument, number)
        if problem is not None:
            self.fail(problem, param, ctx)
        return number


# Years the engine can assess: a typo (0, -1, 20244) is a usage error, not a silent default.
Year = Checked("year")
STDOUT = Path("-")


class WorkspacePaths(NamedTuple):
    rules: Path | None
    profiles: Path | None


Command = Callable[..., Any]


def _fail_cleanly(command: Command) -> Command:
    """Turn the engine's own errors into messages and exit code 2; accept -q/-v after the command too."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except AssessError as error:
            click.echo(visible(str(error)), err=True)  # a file name's escape sequence is shown, never run
            sys.exit(error.exit_code)

    return _verbosity_options(wrapper)


def _verbosity_options(command: Command) -> Command:
    """``-q``/``-v`` on every command, as on ``assess`` itself (``assess run -q`` = ``assess -q run``)."""
    def remember(context: click.Context, parameter: click.Parameter, value: bool) -> None:
        if value:
            settings = context.find_root().obj
            settings[parameter.name or ""] = True
            settings["verbose"] = settings.get("verbose", False) and not settings.get("quiet", False)

    quiet = click.option("-q", "--quiet", is_flag=True, expose_value=False, callback=remember,
                         help="Results and errors only: no progress, notes or legends.")
    verbose = click.option("-v", "--verbose", is_flag=True, expose_value=False, callback=remember,
                           help="Also say what was loaded and how long it took.")
    return quiet(verbose(command))


def _workspace_options(command: Command) -> Command:
    """``--rules`` and ``--profiles``, handed to the command as one ``paths`` argument."""

    @functools.wraps(command)
    def wrapper(*args: Any, rules: Path | None, profiles: Path | None, **kwargs: Any) -> Any:
        return command(*args, paths=WorkspacePaths(rules, profiles), **kwargs)

    profiles = click.option("--profiles", type=PathOption,
                            help="Country profiles folder (default: ./country_profiles, else bundled).")
    rules = click.option("--rules", type=PathOption, help="Rule-set folder (default: ./rules, else bundled).")
    return rules(profiles(wrapper))


def _estimate_options(command: Command) -> Command:
    """``--draws`` and ``--seed``: the joint draws of the unknown facts behind every estimate."""
    draws = click.option("--draws", type=Checked("draws"),
                         help="Joint draws of the unknown facts from their priors (default: 2,000, fewer for more than "
                              "200 entities, at least 200; 0: no estimates).")
    seed = click.option("--seed", type=Checked("seed"), default=0, show_default=True,
                        help="Random seed of the draws (the same seed gives the same estimates).")
    return draws(seed(command))


def _format_option(command: Command) -> Command:
    return click.option("--format", "fmt", type=click.Choice(api.FORMATS), default="table", show_default=True,
                        help="Output format.")(command)


def _say(message: str) -> None:
    """Information for people on stderr; --quiet silences it."""
    if not _quiet():
        click.echo(visible(message), err=True)


def _quiet() -> bool:
    """-q: results and errors only (no progress, notes, legends or summaries)."""
    return bool(_verbosity().get("quiet"))


def _verbosity() -> dict[str, bool]:
    context = click.get_current_context(silent=True)
    settings: dict[str, bool] = (context.find_root().obj or {}) if context else {}
    return settings


@contextlib.contextmanager
def _progress(label: str) -> Iterator[api.Progress | None]:
    """A progress callback: a bar on a terminal (stderr), silent otherwise or with --quiet."""
    if not sys.stderr.isatty() or _quiet():
        yield None
        return
    with click.progressbar(length=1, label=label, file=sys.stderr) as bar:
        def advance(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        yield advance


def _load(paths: WorkspacePaths, scenarios: Path | None = None) -> api.Workspace:
    """Load (with the scenarios of the folder ``scenarios``, checked in the same pass), saying with
    --verbose what was loaded and how long it took."""
    start = time.perf_counter()
    borrowed = api.uses_shipped(paths.rules, paths.profiles)
    if borrowed:
        _say(f"note: no {' or '.join(f'{name}/' for name in borrowed)} here: using the copy shipped with assess "
             "(give --rules/--profiles, or run inside a workspace: assess init DIR)")
    workspace = api.load_workspace(paths.rules, paths.profiles, scenarios=scenarios)
    for warning in workspace.ruleset.warnings:  # an older format, read in spite of its changes
        _say(warning.render())
    if _verbosity().get("verbose"):
        click.echo(f"loaded {workspace.summary()} in {time.perf_counter() - start:.2f} s", err=True)
    return workspace


def _emit(text: str) -> None:
    """Print a result; a reader that went away (``| head``) ends the run quietly, a full disk clearly."""
    try:
        click.echo(text, nl=False)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        sys.exit(0)
    except OSError as exc:
        raise api.OutputError(f"cannot write to standard output: {exc.strerror or exc}") from None


def _write(output: Path, text: str) -> None:
    """``-o FILE`` replaces FILE atomically; ``-o -`` prints."""
    if output == STDOUT:
        _emit(text)
    else:
        api.write_file(output, text)
        _say(f"wrote {output}")


def _check_year(workspace: api.Workspace, year: int | None) -> None:
    """Say so when a year lies outside the evidence: its scores would rest on nothing, or on the past."""
    span = workspace.evidence_years()
    if year is None or span is None:
        return
    if year < span[0]:
        _say(f"warning: no fact is dated in or before {year} (the evidence starts in {span[0]}): every fact reads unknown")
    elif year > span[1]:
        _say(f"warning: no fact is dated after {span[1]}: {year} reads the latest known values")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="assess")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars or notes on stderr; results and errors only.")
@click.option("-v", "--verbose", is_flag=True, help="Also say what was loaded and how long each step took.")
@click.pass_context
def main(context: click.Context, quiet: bool, verbose: bool) -> None:
    """Assess partner countries' capacity to counter synthetic-drug threats.

    Output is never coloured, so NO_COLOR and pipes are always respected. Thousands of profiles are
    read, and run's traces written, over the machine's cores (the same bytes as in one process);
    ASSESS_WORKERS=N sets the number of processes, ASSESS_WORKERS=1 keeps one.
    """
    context.obj = {"quiet": quiet, "verbose": verbose and not quiet}
    # A command builds hundreds of thousands of objects that live until it ends (profiles, traces)
    # and makes no cyclic garbage worth collecting: at the default threshold (700) the collector
    # walks that whole heap again and again, a third of the time of a 5,000-profile run.
    gc.set_threshold(50_000, 20, 10)


@main.command()
@click.option("--year", "years", type=Year, multiple=True, help="As-of year (repeatable; default: latest dated year).")
@_workspace_options
@click.option("--out", type=PathOption, default=Path("outputs"), show_default=True, help="Where scored outputs are written.")
@click.option("--rank-by", help="Rank the printed table by this goal's score, or a headline group's, in its published direction "
              "(default: the overall score).")
@_estimate_options
@_format_option
@_fail_cleanly
def run(years: tuple[int, ...], paths: WorkspacePaths, out: Path, rank_by: str | None, draws: int | None, seed: int,
        fmt: str) -> None:
    """Score every country; write outputs; print a table."""
    workspace = _load(paths)
    for year in years:
        _check_year(workspace, year)
    assessments = [api.score(workspace, year, draws, seed) for year in (years or (workspace.latest_year(),))]
    for assessment in assessments:
        _say(f"wrote {api.write_outputs(assessment, out)}" + ("" if out.is_absolute() else f" (in {Path.cwd()})"))
    if rank_by is not None:
        assessments = [api.ranked_by(assessment, rank_by) for assessment in assessments]
    _emit(api.render_many(assessments, fmt, quiet=_quiet()))


@main.command()
@click.argument("country")
@click.option("--year", type=Year, help="As-of year (default: latest dated year).")
@_workspace_options
@_estimate_options
@_format_option
@_fail_cleanly
def explain(country: str, year: int | None, paths: WorkspacePaths, draws: int | None, seed: int, fmt: str) -> None:
    """Every rule for one country: facts read, points, why, interventions, and the priors behind its estimate."""
    workspace = _load(paths)
    _check_year(workspace, year)
    _emit(api.render(api.explain(workspace, country, year, draws, seed), fmt, quiet=_quiet()))


@main.command()
@click.option("--year", type=Year, help="As-of year (default: latest dated year).")
@click.option("--commodity", help="Only this commodity's routes (and its precursors'; default: all).")
@click.option("--destination", default="USA", show_default=True, help="Destination market (ISO3).")
@click.option("--budget", type=Checked("budget"), help="How many countries to rank (default: every candidate).")
@click.option("--budget-usd", type=Checked("budget_usd"),
              help="Dollars to commit this year: a costed portfolio of (country, package) picks instead of a ranking "
                   "(each package charged its yearly cost for every year it runs).")
@click.option("--need-only", is_flag=True, help="Rank on need and ties too where a country has no leverage on routes.")
@click.option("--waive", multiple=True, metavar="ISO3",
              help="With --budget-usd: offer assistance to this country although a declared limit rules it out "
                   "(a planner's waiver; repeatable). The output names every limit and every waiver.")
@_workspace_options
@_format_option
@_fail_cleanly
def prioritize(year: int | None, commodity: str | None, destination: str, budget: int | None, budget_usd: float | None,
               need_only: bool, waive: tuple[str, ...], paths: WorkspacePaths, fmt: str) -> None:
    """Ranked assistance list with reasons and interventions; with --budget-usd, what to fund."""
    if budget is not None and budget_usd is not None:
        raise UsageError("--budget counts countries and --budget-usd counts dollars: give one of them")
    if need_only and budget_usd is not None:
        raise UsageError("--need-only ranks countries; a portfolio (--budget-usd) is valued on flow and capacity")
    if waive and budget_usd is None:
        raise UsageError("--waive lifts a limit on funding packages: it goes with --budget-usd")
    workspace = _load(paths)
    _check_year(workspace, year)
    result: Any
    with _progress("prioritizing") as progress:
        if budget_usd is not None:
            result = api.portfolio(workspace, budget_usd, year, destination.upper(), commodity, progress,
                                   [code.upper() for code in waive])
        else:
            result = api.prioritize(workspace, year, destination.upper(), commodity, budget, progress, need_only)
    _emit(api.render(result, fmt, quiet=_quiet()))


@main.command()
@click.argument("name")
@click.option("--until", type=Year, help="Last year projected (default: the scenario's last date).")
@click.option("--from", "start", type=Year, help="First year projected (default: latest dated year).")
@click.option("--scenarios", type=PathOption, help="Scenarios folder (default: ./scenarios, else bundled).")
@_workspace_options
@_format_option
@_fail_cleanly
def scenario(name: str, until: int | None, start: int | None, scenarios: Path | None, paths: WorkspacePaths,
             fmt: str) -> None:
    """Project a scenario (fact changes, funded packages, route changes) year by year against the baseline."""
    workspace = _load(paths)
    _check_year(workspace, start)  # years after the evidence are what a projection is for
    _emit(api.render(api.scenario(workspace, name, until, start, scenarios), fmt, quiet=_quiet()))


@main.command()
@click.option("--format", "fmt", type=click.Choice(api.GRAPH_FORMATS), required=True)
@click.option("--year", type=Year, help="As-of year of the scores on the nodes (default: latest dated year).")
@click.option("-o", "--output", type=PathOption, default=STDOUT,
              help="Write to this file (atomically); - (the default) prints.")
@_workspace_options
@_fail_cleanly
def graph(fmt: str, year: int | None, output: Path, paths: WorkspacePaths) -> None:
    """Export the network for Gephi, Graphviz or D3."""
    if output != STDOUT:
        api.check_destination(output)
    workspace = _load(paths)
    _check_year(workspace, year)
    _write(output, api.graph(workspace, fmt, year))


@main.command(name="diff")
@click.argument("old", required=False)
@click.argument("new", required=False)
@click.option("--from", "from_year", type=Year, help="Compare two years of this workspace: the old year.")
@click.option("--to", "to_year", type=Year, help="... and the new year.")
@click.option("--rules-old", help="Compare two rule sets on the same profiles: the old one (a folder or a git revision).")
@click.option("--rules-new", type=PathOption, help="... and the new one (default: the workspace's).")
@click.option("--year", type=Year, help="As-of year when comparing rule sets (default: latest dated year).")
@click.option("--profiles", type=PathOption, help="Country profiles folder (default: ./country_profiles, else bundled).")
@click.option("--rules", type=PathOption, help="Rule-set folder for --from/--to (default: ./rules, else bundled).")
@click.option("--fail-above", type=Checked("fail_above"),
              help="Exit 1 when any score moves by more than this many points.")
@click.option("--only-unexplained", is_flag=True, help="With --fail-above: only count moves no fact change explains.")
@click.option("--scenario", help="The new side with this scenario applied (scenarios/NAME.yaml).")
@click.option("--scenario-old", help="The old side with this scenario applied.")
@click.option("--scenarios", type=PathOption, help="Scenarios folder (default: ./scenarios, else bundled).")
@_format_option
@_fail_cleanly
def diff_command(old: str | None, new: str | None, fmt: str, fail_above: float | None, only_unexplained: bool,
                 **sides: Any) -> None:
    """What changed between two scored outputs, and why."""
    result = _diff(old, new, **sides)
    _emit(api.render(result, fmt, quiet=_quiet()))
    above = api.moves_above(result, fail_above, only_unexplained) if fail_above is not None else []
    if above:
        # why the run fails, so said even with --quiet; on stderr, so the result on stdout stays whole
        which = "unexplained move(s)" if only_unexplained else "move(s)"
        click.echo(f"{len(above)} {which} above {fail_above:g} points:", err=True)
        for line in above:
            click.echo(f"  {line}", err=True)
        sys.exit(1)


def _diff(old: str | None, new: str | None, from_year: int | None, to_year: int | None, rules_old: str | None,
          rules_new: Path | None, year: int | None, profiles: Path | None, rules: Path | None,
          scenario: str | None, scenario_old: str | None, scenarios: Path | None) -> api.Diff:
    """The diff the arguments ask for: two output folders, two years, two rule sets, or a scenario."""
    if old is not None and new is not None:
        given_years = [each for each in (api.year_of(old), api.year_of(new)) if each is not None]
        if not given_years:
            return api.diff_sides(old, new)
        workspace = _load(WorkspacePaths(rules, profiles))
        for each_year in given_years:
            _check_year(workspace, each_year)
        return api.diff_sides(old, new, workspace)
    if scenario is not None or scenario_old is not None:
        workspace = _load(WorkspacePaths(rules, profiles))
        if (from_year is None) != (to_year is None):
            raise UsageError("give both --from and --to, or --year for both sides")
        years = (from_year, to_year) if from_year is not None and to_year is not None else (year, year)
        for each in years:
            _check_year(workspace, each)
        first, second = (workspace.as_of(each) for each in years)
        return api.diff_scenario(workspace, first, second, scenario_old, scenario, scenarios)
    if from_year is not None and to_year is not None:
        workspace = _load(WorkspacePaths(rules, profiles))
        for year in (from_year, to_year):
            _check_year(workspace, year)
        return api.diff_years(workspace, from_year, to_year)
    if rules_old is not None:
        return api.diff_rules(rules_old, rules_new, profiles, year)
    raise UsageError("give OLD and NEW outputs, or --from Y --to Y, or --rules-old DIR|REV [--rules-new DIR], "
                     "or --scenario NAME [--year Y | --from Y --to Y]")


@main.command()
@click.option("--year", type=Year, help="As-of year (default: latest dated year).")
@click.option("--compare", type=Year, help="Also show the changes since this year.")
@click.option("--destination", default="USA", show_default=True, help="Destination market for the assistance list.")
@click.option("--budget-usd", type=Checked("budget_usd"), default=25_000_000, show_default=True,
              help="Dollars to commit this year for the costed portfolio in the summary (each package charged its "
                   "yearly cost for every year it runs).")
@click.option("-o", "--output", type=PathOption, default=Path("report.html"), show_default=True,
              help="The HTML file to write (atomically); - prints it.")
@_estimate_options
@_workspace_options
@_fail_cleanly
def report(year: int | None, compare: int | None, destination: str, budget_usd: float, output: Path,
           draws: int | None, seed: int, paths: WorkspacePaths) -> None:
    """A self-contained HTML briefing (at most 8 A4 pages) and its annex beside it (OUTPUT-annex.html:
    complete tables, charts and a folded section per country)."""
    annex = None
    if output != STDOUT:
        api.check_destination(output)  # before the work, not after it
        annex = output.with_name(api.annex_name(output.name))
        api.check_destination(annex)
    workspace = _load(paths)
    _check_year(workspace, year)
    with _progress("building the report") as progress:
        pages = api.report(workspace, year, compare, destination.upper(), budget_usd, progress,
                           annex.name if annex is not None else "report-annex.html", draws, seed)
    _write(output, pages.main)
    if annex is not None:
        _write(annex, pages.annex)
    else:
        _say("the annex (report-annex.html) is written only with -o FILE")


@main.command()
@click.argument("directory", type=PathOption)
@_fail_cleanly
def init(directory: Path) -> None:
    """A new workspace with the strategy rules, sample profiles and a README."""
    files = api.init_workspace(directory)
    _say(f"created {directory} ({len(files)} files): cd {directory} && assess check")


@main.command(name="sensitivity")
@click.option("--samples", type=Checked("samples"), default=10_000, show_default=True)
@click.option("--spread", type=Checked("spread"), default=0.25, show_default=True,
              help="Each weight is multiplied by a factor drawn from [1 - spread, 1 + spread].")
@click.option("--seed", type=Checked("seed"), default=0, show_default=True)
@click.option("--year", type=Year, help="As-of year (default: latest dated year).")
@_workspace_options
@_format_option
@_fail_cleanly
def sensitivity_command(samples: int, spread: float, seed: int, year: int | None, paths: WorkspacePaths, fmt: str) -> None:
    """Rank stability under uncertainty in weights."""
    workspace = _load(paths)
    _check_year(workspace, year)
    with _progress("sampling") as progress:
        result = api.sensitivity(workspace, year, samples, spread, seed, progress)
    _emit(api.render(result, fmt, quiet=_quiet()))


@main.command()
@click.option("--year", type=Year, help="As-of year for staleness and coverage (default: latest dated year).")
@click.option("--stale-after", type=Checked("stale_after"), help="Report known values older than this many years.")
@click.option("--properties", is_flag=True, help="Also property-test the rule set with generated profiles.")
@click.option("--examples", type=Checked("examples"), default=100, show_default=True, help="Examples per property.")
@click.option("--seed", type=int, help="Random seed for the properties (default: derandomized, same every run).")
@click.option("--scenarios", type=PathOption,
              help="Also validate these scenarios (default: ./scenarios, with the workspace's own rules and profiles).")
@click.option("--coverage", is_flag=True, help="Print how the rule set covers its strategy's items (strategy.yaml) instead.")
@_workspace_options
@_format_option
@_fail_cleanly
def check(year: int | None, stale_after: int | None, properties: bool, examples: int, seed: int | None,
          scenarios: Path | None, coverage: bool, paths: WorkspacePaths, fmt: str) -> None:
    """Validate rules and profiles; report findings (exit 1 when there are any)."""
    # the workspace's own scenarios are checked with the workspace's own rules and profiles, in the
    # same pass: an error in a rule or profile never hides one in a scenario
    own = paths.rules is None and paths.profiles is None and Path("scenarios").is_dir()
    folder = scenarios or (Path("scenarios") if own else None)
    if folder is not None and not folder.is_dir():
        raise UsageError(f"scenarios folder '{folder}' does not exist")
    workspace = _load(paths, None if coverage else folder)
    if coverage:
        covered = api.strategy_coverage(workspace)
        _emit(api.render(covered, fmt, quiet=_quiet()))
        sys.exit(1 if covered.findings else 0)
    _check_year(workspace, year)
    report = api.check(workspace, year, stale_after, folder)
    results: list[Any] = [report]
    failed = False
    if properties:
        with _progress("property-testing") as progress:
            tested = api.check_properties(workspace, examples, seed, progress)
        results.append(tested)
        failed = bool(tested.failures)
    _emit(api.render_many(results, fmt, quiet=_quiet()))
    sys.exit(1 if report.findings or failed else 0)


@main.command(name="import")
@click.argument("table", type=PathOption)
@click.option("--dry-run", is_flag=True, help="Only say what would change; write nothing.")
@click.option("--closed-list", is_flag=True,
              help="The table is a complete list: countries it does not name get the catalogue's value for absence.")
@click.option("--create", is_flag=True,
              help="Create the profile of a country the table names that has none, as 'assess new' writes it.")
@_workspace_options
@_format_option
@_fail_cleanly
def import_command(table: Path, dry_run: bool, closed_list: bool, create: bool, paths: WorkspacePaths, fmt: str) -> None:
    """Merge a CSV or XLSX table of dated, sourced facts into the profiles.

    The header row tells the form. A country is an ISO3 code or a common name; a date is
    YYYY-MM-DD, or YYYY-MM or YYYY for the end of that month or year; a known value needs a
    source; note is optional. Importing twice changes nothing; a different value already
    recorded for the same date is a conflict (exit 1), reported and never overwritten.
    A country with no profile is an error, unless --create: then its profile is created
    as 'assess new' writes it, in the same all-or-nothing import (--dry-run lists them).

    \b
    Long form, one value a row:
      country,fact,value,as_of,source,note
      MEX,budapest_status,invited,2007-02-01,"Council of Europe, ETS 185 chart",
    \b
    Wide by fact, one column per fact, one date a row:
      country,as_of,source,g7_24_7_network,cybercrime_unit
      Mexico,2024-12-31,"G7 24/7 Network, list of points of contact",true,true
    \b
    Wide by year, one column per year (read as 31 December of it):
      country,fact,source,2019,2024
      KEN,fatf_standing,"FATF public statements",not_listed,increased_monitoring
    \b
    Closed list (--closed-list), for a fact the catalogue declares closed_list:
    the table, in any form, is the whole list on each date (one source a date);
    every country it does not name gets the catalogue's value for absence, with
    the same date and source:
      country,fact,value,as_of,source
      KEN,fatf_standing,increased_monitoring,2024-02-23,"FATF, Public Statement"
    """
    plan = api.import_table(_load(paths), table, closed_list, dry_run, create)
    _emit(api.render(plan, fmt, quiet=_quiet()))
    sys.exit(1 if plan.count("conflict") else 0)


@main.command()
@click.argument("country")
@click.option("--kind", help="For an entity that is not a country (MEX-SON): what it is (state, port, scenario, ...); "
                            "'aggregate' for the world, a region or an income group (WLD).")
@click.option("--name", help="For an entity: its name (Sonora, World).")
@_workspace_options
@_fail_cleanly
def new(country: str, kind: str | None, name: str | None, paths: WorkspacePaths) -> None:
    """Scaffold a profile with every fact unknown and a comment saying what each means. COUNTRY is an
    ISO 3166-1 alpha-3 code, or an entity's id (its country's code, a hyphen, a local code: MEX-SON)
    with --kind and --name, or an aggregate's (three letters that are no country's code: WLD) with
    --kind aggregate and --name."""
    _say(f"wrote {api.new_profile(_load(paths), country, kind, name)}")


@main.command(name="test")
@click.option("--seed", type=Checked("seed"), default=0, show_default=True,
              help="Random seed of the draws behind cases that pin an expected score.")
@_workspace_options
@_format_option
@_fail_cleanly
def test_command(seed: int, paths: WorkspacePaths, fmt: str) -> None:
    """Run the rule set's pinned examples (tests/*.yaml beside the rules): exit 1 if a value moved."""
    report = api.test_rules(_load(paths), seed)
    _emit(api.render(report, fmt, quiet=_quiet()))
    if report.failures:
        # why the run fails, so said even with --quiet; on stderr, so the result on stdout stays whole
        click.echo(f"{len(report.failures)} of {len(report.results)} pinned case(s) failed:", err=True)
        for failure in report.failures:
            click.echo(f"  {visible(failure.message())}", err=True)
        sys.exit(1)


@main.command()
@_workspace_options
@_format_option
@_fail_cleanly
def facts(paths: WorkspacePaths, fmt: str) -> None:
    """The fact catalogue: types, values, which rules read each fact, how many profiles know it."""
    _emit(api.render(api.facts(_load(paths)), fmt, quiet=_quiet()))


@main.command()
@click.option("--kind", type=click.Choice(["all", *api.SCHEMA_KINDS]), default="all", show_default=True)
@click.option("--out", type=PathOption, help="Write <kind>.schema.json files into this folder instead of printing.")
@click.option("--rules", type=PathOption, help="Rule set whose facts the profile schema names (default: ./rules, else bundled).")
@click.option("--generic", is_flag=True, help="The file formats only, without any rule set's facts.")
@_fail_cleanly
def schema(kind: str, out: Path | None, rules: Path | None, generic: bool) -> None:
    """JSON Schema for rule and profile files, for editors: the profile schema knows the rule set's
    facts, their types and levels."""
    found = api.schemas(None if kind == "all" else [kind], rules, generic)
    if out is None:
        _emit(api.to_json(found[kind] if kind != "all" else found))
        return
    out.mkdir(parents=True, exist_ok=True)  # a folder to write into, as run --out
    for name, document in found.items():
        api.write_file(out / f"{name}.schema.json", api.to_json(document))
    _say(f"wrote {len(found)} schema file(s) to {out}")
