"""Estimates under the priors, evaluated as arrays: prints figures beside their targets, asserts
nothing (python benchmarks/bench_estimates.py [--repeats 3]).

1. 10,000 joint draws x the bundled 193 countries of the shipped rule set: every node's expected
   score, credible interval, tier probabilities and the rank draws (target <= 3 s on 2 cores).
2. 5,000 entity profiles (facts drawn from the values the bundled profiles hold) scored with
   expectations and bounds, no traces (target <= 2 s), at 200 and at 2,000 draws.
3. The median width of the 90% rank interval among the 48 priority countries (the profiles of the
   first release), as of 2025.

Times are the best of ``--repeats`` runs of the evaluation alone (the profiles are loaded once).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import time
from pathlib import Path

from synthetic import synthetic_workspace

import assess
from assess.engine.compile import compile_ruleset
from assess.engine.evaluate import assess as assess_all
from assess.engine.evaluate import estimate, snapshot

REPO = Path(__file__).resolve().parent.parent
FIRST_RELEASE = "aec08ea"  # the commit that shipped the 48 priority profiles


def best_of(repeats: int, run) -> float:
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def timed_estimates(workspace: assess.Workspace, year: int, draws: int, repeats: int) -> float:
    program = compile_ruleset(workspace.ruleset)
    known = {code: snapshot(program, profile, year)[0] for code, profile in workspace.profiles.items()}
    return best_of(repeats, lambda: estimate(program, workspace, year, known, draws, 0))


def priority_countries() -> list[str]:
    listed = subprocess.run(["git", "ls-tree", "--name-only", FIRST_RELEASE, "country_profiles/"], cwd=REPO,
                            capture_output=True, text=True, check=False).stdout.split()
    return sorted(Path(name).stem for name in listed if name.endswith(".yaml"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    gc.set_threshold(50_000, 20, 10)  # as the CLI does
    shipped = assess.load_workspace(REPO / "rules/synthetic-drugs-2019", REPO / "country_profiles")

    seconds = timed_estimates(shipped, 2025, 10_000, args.repeats)
    print(f"10,000 draws x {len(shipped.profiles)} countries (shipped rule set, 2025): {seconds:.2f} s (target <= 3 s)")

    many = synthetic_workspace(shipped, 5000)
    for draws in (200, 2000):
        seconds = timed_estimates(many, 2024, draws, args.repeats)
        print(f"5,000 entity profiles with expectations and bounds, no traces, {draws:,} draws: {seconds:.2f} s "
              "(target <= 2 s)")

    result = assess_all(shipped, 2025)
    intervals = result.rank_intervals()
    priority = [code for code in priority_countries() if code in intervals]
    widths = [intervals[code][1] - intervals[code][0] + 1 for code in priority]
    print(f"median 90% rank interval among the {len(priority)} priority countries (2025, 2,000 draws): "
          f"{statistics.median(widths):g} ranks wide (of {len(intervals)})")


if __name__ == "__main__":
    main()
