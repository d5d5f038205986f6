"""Rule-author tooling benchmark: prints figures, asserts nothing (python benchmarks/bench_checks.py).

1. `check --properties` with 200 examples per property on the shipped rule set (target <= 30 s).
2. Sensitivity: 10,000 samples over 250 countries (target <= 3 s).
"""

from __future__ import annotations

import time

from synthetic import synthetic_workspace

import assess
from assess.analysis.properties import check_properties
from assess.analysis.sensitivity import sensitivity
from assess.engine.compile import compile_ruleset
from assess.engine.evaluate import snapshot


def main() -> None:
    workspace = assess.load_workspace()
    start = time.perf_counter()
    report = check_properties(workspace.ruleset, examples=200)
    print(f"check --properties, 200 examples x {len(report.checked)} properties: {time.perf_counter() - start:.1f} s "
          f"({len(report.failures)} failures) (target <= 30 s)")
    program = compile_ruleset(workspace.ruleset)
    countries = synthetic_workspace(workspace, 250)
    snapshots = [snapshot(program, profile, 2024)[0] for profile in countries.profiles.values()]
    assessment = assess.score(countries, 2024)
    start = time.perf_counter()
    sensitivity(program, assessment, snapshots, samples=10_000, spread=0.25, seed=1)
    print(f"sensitivity, 10,000 samples x 250 countries: {time.perf_counter() - start:.2f} s (target <= 3 s)")


if __name__ == "__main__":
    main()
