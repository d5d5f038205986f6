"""What users run, at scale: prints every row of issue #27's table beside its target in one run,
asserts nothing (python benchmarks/bench_scale.py [--count 5000] [--repeats 5]).

A workspace of the shipped rule set and ``--count`` entity profiles (``MEX-S0001`` ...; ids of
declared entities, as a planner scoring states or scenario variants would write them), each fact
drawn from the values the bundled profiles hold, with a 2019 and a 2024 value, written as YAML
files. Then, as subprocesses (median wall time and the largest peak memory of ``--repeats`` runs):

- ``assess run`` on the bundled data against ``python -c "import yaml, pydantic, click"`` (<= 4x),
  with ``assess --help`` beside it;
- ``assess run --year 2024`` (target <= 3 s, <= 300 MiB);
- ``assess diff --from 2019 --to 2024`` (target <= 5 s, <= 300 MiB);
- ``assess report --year 2024`` (target <= 8 s, and a report that stays small);

Our modules are compiled to bytecode first, as an installed copy's are (pip compiles on install) and
as the baseline's libraries are: where ``PYTHONDONTWRITEBYTECODE`` is set (as on the machine these
figures were first taken on) every run would otherwise compile the package again: 0.1-0.4 s of a
bundled run that no user pays (importing our modules, measured side by side, 5 runs each).

In process, on the same profiles, it also times their scores with bounds and no traces (the array
evaluation, ``assess.engine.evaluate.estimate`` with 0 draws) against a NumPy composite of the same
rule scores (a plain weighted roll-up: the baseline a COINr-style user would compare with;
target <= 10x), ``assess.score`` with every trace and its default draws beside them; and the compiled
rules alone against a hand-written loop doing the same comparisons (``bench_engine.py``'s
synthetic rules; target <= 3x).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

import assess
from assess.engine.compile import compile_ruleset
from assess.engine.evaluate import default_draws, estimate, snapshot
from assess.engine.values import UNKNOWN

REPO = Path(__file__).resolve().parent.parent


def yaml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, frozenset):
        return "[" + ", ".join(sorted(value)) + "]"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_workspace(root: Path, count: int, seed: int = 11) -> int:
    """The shipped rules and ``count`` entity profiles; returns the rules' count."""
    shipped = assess.load_workspace()
    program = compile_ruleset(shipped.ruleset)
    observed: dict[str, list[object]] = {name: [] for name in program.facts_read}
    for profile in shipped.profiles.values():
        for year in (2019, 2024):
            for name, value in snapshot(program, profile, year)[0].items():
                observed[name].append(value)
    rng = random.Random(seed)
    parents = sorted(shipped.profiles)
    profiles = root / "country_profiles"
    profiles.mkdir(parents=True)
    for i in range(count):
        parent = parents[i % len(parents)]
        code = f"{parent}-S{i:04d}"
        lines = [f"country: {code}", f"entity: {{kind: scenario, parent: {parent}, name: Variant {i}}}", "facts:"]
        for name, seen in observed.items():
            if not seen or rng.random() > 0.7:
                continue
            lines.append(f"  {name}:")
            for year in (2019, 2024):
                if year == 2019 or rng.random() < 0.3:
                    lines.append(f"    - {{value: {yaml_value(rng.choice(seen))}, as_of: {year}-06-30, "
                                 f"source: \"Synthetic, benchmark value {i}\"}}")
        (profiles / f"{code}.yaml").write_text("\n".join(lines) + "\n")
    os.symlink(REPO / "rules", root / "rules")
    return len(program.rules)


def measure(command: list[str], cwd: Path, repeats: int) -> tuple[float, float]:
    """Median wall seconds and the largest peak resident MiB of ``repeats`` runs."""
    times, peaks = [], []
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # this checkout, not an installed copy
    for _ in range(repeats):
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        times.append(time.perf_counter() - start)
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed: {process.stderr.read().decode() if process.stderr else ''}")
        peaks.append(usage.ru_maxrss / 1024)
    return statistics.median(times), max(peaks)


def numpy_composite(matrix: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """A plain weighted mean of the known rule scores per profile (NaN for unknown)."""
    known = ~np.isnan(matrix)
    return np.where(known, matrix, 0.0) @ weights / np.maximum(known @ weights, 1e-12)


def library_figures(root: Path, repeats: int) -> None:
    gc.set_threshold(50_000, 20, 10)  # as the CLI does (README, Performance): a program scoring thousands should too
    workspace = assess.load_workspace(root / "rules" / "synthetic-drugs-2019", root / "country_profiles")
    program = compile_ruleset(workspace.ruleset)
    count, rules = len(workspace.profiles), len(program.rules)
    start = time.perf_counter()
    known = {code: snapshot(program, profile, 2024)[0] for code, profile in workspace.profiles.items()}
    t_snapshots = time.perf_counter() - start
    arrays = None

    def no_traces() -> None:
        nonlocal arrays
        arrays = estimate(program, workspace, 2024, known, 0, 0)

    t_arrays = statistics.median(_timed(no_traces) for _ in range(max(repeats, 3)))
    assert arrays is not None
    applicable = [rule for rule in program.rules if rule.path in arrays.nodes]
    matrix = np.stack([arrays.nodes[rule.path].point for rule in applicable], axis=1)
    weights = np.array([rule.rule.weight for rule in applicable], dtype=float)
    t_numpy = statistics.median(_timed(lambda: numpy_composite(matrix, weights)) for _ in range(max(repeats, 5)))
    print(f"scores with bounds, no traces (estimate(..., draws=0)), {count:,} profiles x {rules} rules: "
          f"{t_arrays * 1000:.0f} ms = {count * rules / t_arrays:,.0f} rule evaluations/s "
          f"(reading the facts as of 2024 before it: {t_snapshots * 1000:.0f} ms)")
    print(f"  NumPy composite of the same rule scores: {t_numpy * 1000:.2f} ms; ratio {t_arrays / t_numpy:,.1f}x "
          f"(target <= 10x; {np.isnan(matrix).mean():.0%} of rule scores unknown, {UNKNOWN!s} kept apart)")
    t_score = statistics.median(_timed(lambda: assess.score(workspace, 2024)) for _ in range(repeats))
    print(f"  assess.score with every trace and {default_draws(count):,} draws (what run writes): {t_score:.2f} s = "
          f"{count * rules / t_score:,.0f} rule evaluations/s")


def compiled_against_hand_written() -> None:
    """bench_engine.py's synthetic rules: the compiled closures against a plain loop."""
    import bench_engine as engine

    rng = random.Random(20191)
    facts, rules = engine.synthetic_rules(rng)
    snapshots = engine.synthetic_snapshots(rng)
    scorers = [scoring.compile(facts).score for *_, scoring in rules]

    def compiled() -> list[object]:
        return [scorer(s) for s in snapshots for scorer in scorers]

    assert compiled() == engine.hand_written(rules, snapshots), "compiled rules and the hand loop disagree"
    t_compiled = engine.best_of(5, compiled)
    t_hand = engine.best_of(5, lambda: engine.hand_written(rules, snapshots))
    evaluations = len(snapshots) * len(scorers)
    print(f"compiled rules alone, {evaluations:,} evaluations: {t_compiled:.3f} s = {evaluations / t_compiled:,.0f}/s; "
          f"hand-written loop {t_hand:.3f} s; ratio {t_compiled / t_hand:.2f}x (target <= 3x)")


def _timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f} at start")
    assess_cli = [sys.executable, "-m", "assess", "-q"]
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "assess")], check=True)
    repeats = max(args.repeats, 5)  # the bundled run is short: its median needs a few
    with tempfile.TemporaryDirectory() as out:
        t_run, mib = measure([*assess_cli, "run", "--out", out], REPO, repeats)
    t_help, _ = measure([*assess_cli, "--help"], REPO, repeats)
    t_import, _ = measure([sys.executable, "-c", "import yaml, pydantic, click"], REPO, repeats)
    print(f"assess run (bundled data, {len(list((REPO / 'country_profiles').glob('*.yaml')))} profiles, 2,000 draws): "
          f"{t_run:.3f} s, {mib:.0f} MiB; python -c 'import yaml, pydantic, click': {t_import:.3f} s; "
          f"ratio {t_run / t_import:.2f}x (target <= 4x)")
    print(f"  assess --help: {t_help:.3f} s = {t_help / t_import:.2f}x the import baseline")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_workspace(root, args.count)
        print(f"{args.count:,} entity profiles written")
        for label, command, target in [
            ("assess run --year 2024", ["run", "--year", "2024", "--out", "out"], "<= 3 s, <= 300 MiB"),
            ("assess diff --from 2019 --to 2024", ["diff", "--from", "2019", "--to", "2024"], "<= 5 s, <= 300 MiB"),
            ("assess report --year 2024", ["report", "--year", "2024", "--output", "report.html"], "<= 8 s"),
        ]:
            seconds, mib = measure([*assess_cli, *command], root, args.repeats)
            print(f"{label}, {args.count:,} profiles: {seconds:.2f} s, {mib:,.0f} MiB peak (target {target})")
        print(f"  report size: {(root / 'report.html').stat().st_size / 1e6:.1f} MB, its annex "
              f"{(root / 'report-annex.html').stat().st_size / 1e6:.1f} MB")
        library_figures(root, args.repeats)
    compiled_against_hand_written()


if __name__ == "__main__":
    main()
