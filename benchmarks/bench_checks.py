"""Rule-author tooling benchmark: prints figures, asserts nothing (python benchmarks/bench_checks.py).

1. `check --properties` with 200 examples per property on the shipped rule set (target <= 30 s).
2. Sensitivity: 10,000 samples over 250 countries (target <= 5 s).
"""

from __future__ import annotations

import random
import time

import assess
from assess.compile import Snapshot, compile_ruleset
from assess.evaluate import snapshot
from assess.properties import check_properties
from assess.sensitivity import sensitivity


def synthetic_countries(workspace, program, count: int, seed: int = 11) -> list[Snapshot]:
    """250 countries: each fact drawn from the values the bundled profiles hold for it, or unknown."""
    rng = random.Random(seed)
    observed: dict[str, list] = {name: [] for name in program.facts_read}
    for profile in workspace.profiles.values():
        for name, value in snapshot(program, profile, 2024)[0].items():
            observed[name].append(value)
    snapshots = []
    for _ in range(count):
        values = {name: rng.choice(seen) for name, seen in observed.items() if seen and rng.random() < 0.6}
        snapshots.append(Snapshot(values, 2024))
    return snapshots


def main() -> None:
    workspace = assess.load_workspace()
    start = time.perf_counter()
    report = check_properties(workspace.ruleset, examples=200)
    print(f"check --properties, 200 examples x {len(report.checked)} properties: {time.perf_counter() - start:.1f} s "
          f"({len(report.failures)} failures) (target <= 30 s)")
    program = compile_ruleset(workspace.ruleset)
    snapshots = synthetic_countries(workspace, program, 250)
    start = time.perf_counter()
    sensitivity(program, [f"C{i:03d}" for i in range(250)], snapshots, samples=10_000, spread=0.25, seed=1)
    print(f"sensitivity, 10,000 samples x 250 countries: {time.perf_counter() - start:.2f} s (target <= 5 s)")


if __name__ == "__main__":
    main()
