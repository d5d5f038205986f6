"""What users run, at scale: prints figures beside their targets, asserts nothing
(python benchmarks/bench_scale.py [--count 5000] [--repeats 5]).

A workspace of the shipped rule set and ``--count`` entity profiles (``MEX-S0001`` ...; ids of
declared entities, as a planner scoring states or scenario variants would write them), each fact
drawn from the values the bundled profiles hold, with a 2019 and a 2024 value, written as YAML
files. Then, as subprocesses (median wall time and the largest peak memory of ``--repeats`` runs):

- ``assess run --year 2024`` (target <= 3 s, <= 250 MiB);
- ``assess diff --from 2019 --to 2024`` (target <= 5 s, <= 300 MiB);
- ``assess report --year 2024`` (target <= 15 s, and a report that stays small);
- ``assess run`` on the bundled data against ``python -c "import yaml, pydantic, click"`` (<= 2.5x);

and, in process, ``assess.score`` on the same profiles: evaluations of rules with their traces per
second (target >= 1M/s), against a NumPy composite that computes the same rule scores' plain
weighted roll-up (its time is the baseline a COINr-style user would compare with).
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
from pathlib import Path

import numpy as np

import assess
from assess.engine.compile import compile_ruleset
from assess.engine.evaluate import score_numbers, snapshot
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
    for _ in range(repeats):
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        assessment = assess.score(workspace, 2024)
        times.append(time.perf_counter() - start)
    t_score = statistics.median(times)
    snapshots = [snapshot(program, profile, 2024)[0] for profile in workspace.profiles.values()]
    t_numbers = statistics.median(_timed(lambda: [score_numbers(program, facts) for facts in snapshots])
                                  for _ in range(repeats))
    matrix = np.array([[np.nan if rule.score is None else rule.score for rule in country.rules()]
                       for country in assessment.countries])
    weights = np.array([rule.share or 1.0 for rule in assessment.countries[0].rules()])
    t_numpy = statistics.median(_timed(lambda: numpy_composite(matrix, weights)) for _ in range(max(repeats, 5)))
    evaluations = count * rules
    print(f"assess.score, {count:,} profiles x {rules} rules with traces: {t_score:.2f} s = "
          f"{evaluations / t_score:,.0f} evaluations/s (target >= 1,000,000/s)")
    print(f"  the same scores and bounds without explanations (score_numbers): {t_numbers:.2f} s = "
          f"{evaluations / t_numbers:,.0f} evaluations/s")
    print(f"  NumPy composite of the same rule scores: {t_numpy * 1000:.1f} ms; ratio {t_score / t_numpy:,.0f}x "
          "(target <= 3x)")
    unknown_share = np.isnan(matrix).mean()
    print(f"  ({unknown_share:.0%} of rule scores unknown; facts drawn from the bundled profiles; {UNKNOWN!s} kept apart)")


def _timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    assess_cli = [sys.executable, "-m", "assess", "-q"]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_workspace(root, args.count)
        print(f"{args.count:,} entity profiles written; {os.cpu_count()} cores, Python {sys.version.split()[0]}")
        for label, command, target in [
            ("assess run --year 2024", ["run", "--year", "2024", "--out", "out"], "<= 3 s, <= 250 MiB"),
            ("assess diff --from 2019 --to 2024", ["diff", "--from", "2019", "--to", "2024"], "<= 5 s, <= 300 MiB"),
            ("assess report --year 2024", ["report", "--year", "2024", "--output", "report.html"], "<= 15 s"),
        ]:
            seconds, mib = measure([*assess_cli, *command], root, args.repeats)
            print(f"{label}, {args.count:,} profiles: {seconds:.2f} s, {mib:,.0f} MiB peak (target {target})")
        print(f"  report size: {(root / 'report.html').stat().st_size / 1e6:.1f} MB, its annex "
              f"{(root / 'report-annex.html').stat().st_size / 1e6:.1f} MB")
        library_figures(root, args.repeats)
    with tempfile.TemporaryDirectory() as out:
        t_run, _ = measure([*assess_cli, "run", "--year", "2024", "--out", out], REPO, args.repeats)
    t_import, _ = measure([sys.executable, "-c", "import yaml, pydantic, click"], REPO, args.repeats)
    print(f"assess run (bundled data): {t_run:.3f} s; python -c 'import yaml, pydantic, click': {t_import:.3f} s; "
          f"ratio {t_run / t_import:.2f} (target <= 2.5)")


if __name__ == "__main__":
    main()
