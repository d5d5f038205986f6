"""The command line: a thin layer over the library API.

Exit codes: 0 done; 1 findings; 2 bad input or usage. Bad input is reported as
``path:line:col: error: ...`` lines on stderr, never as a traceback, and nothing is written.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import time
from pathlib import Path
from typing import Callable

import click

from . import __version__
from .api import explain as explain_country
from .api import score
from .errors import AssessError, UsageError
from .formats import FORMATS, renderer
from .schema import KINDS as SCHEMA_KINDS
from .workspace import Workspace
from .workspace import load_workspace as load_library_workspace

PathOption = click.Path(path_type=Path)


def _fail_cleanly(command: Callable) -> Callable:
    """Turn the engine's own errors into messages and exit code 2."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except AssessError as error:
            click.echo(str(error), err=True)
            sys.exit(error.exit_code)

    return wrapper


def _workspace_options(command: Callable) -> Callable:
    command = click.option("--profiles", type=PathOption, help="Country profiles folder (default: ./country_profiles, else bundled).")(command)
    command = click.option("--rules", type=PathOption, help="Rule-set folder (default: ./rules, else bundled).")(command)
    return command


def _format_option(command: Callable) -> Callable:
    return click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                        help="Output format.")(command)


def _say(message: str) -> None:
    """Information for people on stderr; --quiet silences it."""
    if not _verbosity().get("quiet"):
        click.echo(message, err=True)


def _verbosity() -> dict:
    context = click.get_current_context(silent=True)
    return (context.find_root().obj or {}) if context else {}


@contextlib.contextmanager
def _progress(label: str):
    """A progress callback: a bar on a terminal (stderr), silent otherwise or with --quiet."""
    if not sys.stderr.isatty() or _verbosity().get("quiet"):
        yield None
        return
    with click.progressbar(length=1, label=label, file=sys.stderr) as bar:
        def advance(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        yield advance


def load_workspace(rules: Path | None = None, profiles: Path | None = None) -> Workspace:
    """Load, saying with --verbose what was loaded and how long it took."""
    start = time.perf_counter()
    workspace = load_library_workspace(rules, profiles)
    if _verbosity().get("verbose"):
        rules_count = sum(len(c.rules) for g in workspace.ruleset.goals for c in g.criteria)
        links = len(workspace.network.links) if workspace.network else 0
        click.echo(f"loaded rule set {workspace.ruleset.header.id} {workspace.ruleset.header.version} from "
                   f"{workspace.ruleset.directory} ({rules_count} rules), {len(workspace.profiles)} profiles, "
                   f"{links} trafficking links in {time.perf_counter() - start:.2f} s", err=True)
    return workspace


def _emit(view, fmt: str) -> None:
    click.echo(renderer(fmt)(view), nl=False)


def _emit_all(views: list, fmt: str) -> None:
    """Several results: one after the other for people, a single JSON document for tools."""
    if fmt == "json" and len(views) > 1:
        from .formats import View

        _emit(View([], [], data=[view.data for view in views]), fmt)
        return
    for view in views:
        _emit(view, fmt)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="assess")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars or notes on stderr; results and errors only.")
@click.option("-v", "--verbose", is_flag=True, help="Also say what was loaded and how long each step took.")
@click.pass_context
def main(context: click.Context, quiet: bool, verbose: bool) -> None:
    """Assess partner countries' capacity to counter synthetic-drug threats.

    Output is never coloured, so NO_COLOR and pipes are always respected.
    """
    context.obj = {"quiet": quiet, "verbose": verbose and not quiet}


@main.command()
@click.option("--year", "years", type=int, multiple=True, help="As-of year (repeatable; default: latest dated year).")
@_workspace_options
@click.option("--out", type=PathOption, default=Path("outputs"), show_default=True, help="Where scored outputs are written.")
@_format_option
@_fail_cleanly
def run(years: tuple[int, ...], rules: Path | None, profiles: Path | None, out: Path, fmt: str) -> None:
    """Score every country; write outputs; print a table."""
    from .outputs import write_outputs
    from .views import scores_view

    workspace = load_workspace(rules, profiles)
    assessments = [score(workspace, year) for year in (years or (workspace.latest_year(),))]
    for assessment in assessments:
        _say(f"wrote {write_outputs(assessment, out)}")
    _emit_all([scores_view(assessment) for assessment in assessments], fmt)


@main.command()
@click.argument("country")
@click.option("--year", type=int, help="As-of year (default: latest dated year).")
@_workspace_options
@_format_option
@_fail_cleanly
def explain(country: str, year: int | None, rules: Path | None, profiles: Path | None, fmt: str) -> None:
    """Every rule for one country: facts read, points, why, interventions."""
    from .views import explain_view

    workspace = load_workspace(rules, profiles)
    _emit(explain_view(explain_country(workspace, country, year)), fmt)


@main.command()
@click.option("--year", type=int, help="As-of year (default: latest dated year).")
@click.option("--commodity", help="Only this commodity's routes (default: all).")
@click.option("--destination", default="USA", show_default=True, help="Destination market (ISO3).")
@click.option("--budget", type=click.IntRange(min=1), help="How many countries to select (default: every candidate).")
@_workspace_options
@_format_option
@_fail_cleanly
def prioritize(year: int | None, commodity: str | None, destination: str, budget: int | None, rules: Path | None,
               profiles: Path | None, fmt: str) -> None:
    """Ranked assistance list with reasons and interventions."""
    from .api import prioritize as rank
    from .views import priorities_view

    workspace = load_workspace(rules, profiles)
    with _progress("prioritizing") as progress:
        result = rank(workspace, year, destination.upper(), commodity, budget, progress)
    _emit(priorities_view(result), fmt)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["graphml", "gexf", "json", "dot"]), required=True)
@click.option("--year", type=int, help="As-of year of the scores on the nodes (default: latest dated year).")
@click.option("-o", "--output", type=PathOption, help="Write to this file (atomically) instead of printing.")
@_workspace_options
@_fail_cleanly
def graph(fmt: str, year: int | None, output: Path | None, rules: Path | None, profiles: Path | None) -> None:
    """Export the network for Gephi, Graphviz or D3."""
    from .export import network_graph, render
    from .outputs import write_atomic

    workspace = load_workspace(rules, profiles)
    if workspace.network is None:
        raise UsageError("no network: add country_profiles/network/trafficking.yaml")
    text = render(network_graph(workspace, score(workspace, year)), fmt)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)


@main.command(name="diff")
@click.argument("old", required=False, type=PathOption)
@click.argument("new", required=False, type=PathOption)
@click.option("--from", "from_year", type=int, help="Compare two years of this workspace: the old year.")
@click.option("--to", "to_year", type=int, help="... and the new year.")
@click.option("--rules-old", help="Compare two rule sets on the same profiles: the old one (a folder or a git revision).")
@click.option("--rules-new", type=PathOption, help="... and the new one (default: the workspace's).")
@click.option("--year", type=int, help="As-of year when comparing rule sets (default: latest dated year).")
@click.option("--profiles", type=PathOption, help="Country profiles folder (default: ./country_profiles, else bundled).")
@click.option("--rules", type=PathOption, help="Rule-set folder for --from/--to (default: ./rules, else bundled).")
@click.option("--fail-above", type=click.FloatRange(min=0), help="Exit 1 when any score moves by more than this many points.")
@click.option("--only-unexplained", is_flag=True, help="With --fail-above: only count moves no fact change explains.")
@_format_option
@_fail_cleanly
def diff_command(old: Path | None, new: Path | None, from_year: int | None, to_year: int | None, rules_old: str | None,
                 rules_new: Path | None, year: int | None, profiles: Path | None, rules: Path | None,
                 fail_above: float | None, only_unexplained: bool, fmt: str) -> None:
    """What changed between two scored outputs, and why."""
    from .diff import diff, from_assessment, from_path
    from .views import diff_view

    if old is not None and new is not None:
        pair = from_path(old), from_path(new)
    elif from_year is not None and to_year is not None:
        workspace = load_workspace(rules, profiles)
        pair = (from_assessment(score(workspace, from_year), str(from_year)),
                from_assessment(score(workspace, to_year), str(to_year)))
    elif rules_old is not None:
        pair = _rule_set_pair(rules_old, rules_new, profiles, year)
    else:
        raise UsageError("give OLD and NEW outputs, or --from Y --to Y, or --rules-old DIR|REV [--rules-new DIR]")
    result = diff(*pair)
    _emit(diff_view(result), fmt)
    if fail_above is not None and any(m.size > fail_above for m in result.moves(only_unexplained)):
        sys.exit(1)


def _rule_set_pair(rules_old: str, rules_new: Path | None, profiles: Path | None, year: int | None):
    """The same profiles scored under an old rule set (folder or git revision) and a new one."""
    import tempfile

    from .diff import from_assessment
    from .gitrules import checkout_rules
    from .workspace import resolve_rules

    new_dir = resolve_rules(rules_new)
    new_workspace = load_workspace(new_dir, profiles)
    year = year or new_workspace.latest_year()
    with tempfile.TemporaryDirectory() as scratch:
        old_dir = Path(rules_old) if Path(rules_old).is_dir() else checkout_rules(rules_old, new_dir, Path(scratch))
        old_workspace = load_workspace(old_dir, profiles)
        return (from_assessment(score(old_workspace, year), f"rules {rules_old}"),
                from_assessment(score(new_workspace, year), f"rules {new_dir}"))


@main.command()
@click.option("--year", type=int, help="As-of year (default: latest dated year).")
@click.option("--compare", type=int, help="Also show the changes since this year.")
@click.option("--destination", default="USA", show_default=True, help="Destination market for the assistance list.")
@click.option("-o", "--output", type=PathOption, default=Path("report.html"), show_default=True)
@_workspace_options
@_fail_cleanly
def report(year: int | None, compare: int | None, destination: str, output: Path, rules: Path | None,
           profiles: Path | None) -> None:
    """A self-contained HTML report with charts."""
    from .outputs import write_atomic
    from .report import build_report

    workspace = load_workspace(rules, profiles)
    write_atomic(output, build_report(workspace, year, compare, destination.upper()))
    _say(f"wrote {output}")


@main.command()
@click.argument("directory", type=PathOption)
@_fail_cleanly
def init(directory: Path) -> None:
    """A new workspace with the strategy rules, sample profiles and a README."""
    from .init import init_workspace

    files = init_workspace(directory)
    _say(f"created {directory} ({len(files)} files): cd {directory} && assess check")


@main.command(name="sensitivity")
@click.option("--samples", type=click.IntRange(min=1), default=10_000, show_default=True)
@click.option("--spread", type=click.FloatRange(min=0, max=1, max_open=True), default=0.25, show_default=True,
              help="Each weight is multiplied by a factor drawn from [1 - spread, 1 + spread].")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--year", type=int, help="As-of year (default: latest dated year).")
@_workspace_options
@_format_option
@_fail_cleanly
def sensitivity_command(samples: int, spread: float, seed: int, year: int | None, rules: Path | None,
                        profiles: Path | None, fmt: str) -> None:
    """Rank stability under uncertainty in weights."""
    from .api import sensitivity
    from .views import sensitivity_view

    workspace = load_workspace(rules, profiles)
    with _progress("sampling") as progress:
        result = sensitivity(workspace, year, samples, spread, seed, progress)
    _emit(sensitivity_view(result), fmt)


@main.command()
@click.option("--year", type=int, help="As-of year for staleness and coverage (default: latest dated year).")
@click.option("--stale-after", type=click.IntRange(min=0), help="Report known values older than this many years.")
@click.option("--properties", is_flag=True, help="Also property-test the rule set with generated profiles.")
@click.option("--examples", type=click.IntRange(min=1), default=100, show_default=True, help="Examples per property.")
@click.option("--seed", type=int, help="Random seed for the properties (default: derandomized, same every run).")
@_workspace_options
@_format_option
@_fail_cleanly
def check(year: int | None, stale_after: int | None, properties: bool, examples: int, seed: int | None,
          rules: Path | None, profiles: Path | None, fmt: str) -> None:
    """Validate rules and profiles; report findings (exit 1 when there are any)."""
    from .check import check_view, findings

    workspace: Workspace = load_workspace(rules, profiles)
    year = year or workspace.latest_year()
    found = findings(workspace, year, stale_after)
    views = [check_view(workspace, year, found)]
    failed = False
    if properties:
        from .properties import check_properties
        from .views import properties_view

        report = check_properties(workspace.ruleset, examples, seed)
        views.append(properties_view(report))
        failed = bool(report.failures)
    _emit_all(views, fmt)
    sys.exit(1 if found or failed else 0)


@main.command()
@click.option("--kind", type=click.Choice(["all", *SCHEMA_KINDS]), default="all", show_default=True)
@click.option("--out", type=PathOption, help="Write <kind>.schema.json files into this folder instead of printing.")
@_fail_cleanly
def schema(kind: str, out: Path | None) -> None:
    """JSON Schema for rule and profile files, for editors."""
    from .canonical import dumps
    from .outputs import write_atomic
    from .schema import schema_of

    kinds = list(SCHEMA_KINDS) if kind == "all" else [kind]
    if out is None:
        data = schema_of(kinds[0]) if len(kinds) == 1 else {name: schema_of(name) for name in kinds}
        click.echo(dumps(data), nl=False)
        return
    for name in kinds:
        write_atomic(out / f"{name}.schema.json", dumps(schema_of(name)))
    _say(f"wrote {len(kinds)} schema file(s) to {out}")
