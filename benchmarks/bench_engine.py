"""Engine benchmark: prints figures, asserts nothing (run: python benchmarks/bench_engine.py).

1. Rule evaluations per second scoring 250 synthetic countries x 10 years x 300 rules with the
   compiled program (target >= 1,000,000/s on one core).
2. Ratio to a plain hand-written Python loop doing the same comparisons (target <= 3).
3. Wall time of `assess run` on the bundled data against `python -c "import yaml, pydantic,
   click"` (target ratio <= 4; bench_scale.py prints it too).
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pydantic import TypeAdapter

from assess.engine.conditions import Snapshot
from assess.engine.facttypes import BooleanFact, LevelFact, NumberFact
from assess.engine.scorings import Scoring

COUNTRIES, YEARS, RULES, FACTS = 250, 10, 300, 60
LEVELS = ["none", "partial", "full"]


def synthetic_rules(rng: random.Random):
    """300 rules over 60 facts: a quarter each of when / levels / goalposts / cases."""
    facts = {}
    for i in range(FACTS):
        kind = i % 3
        facts[f"f{i}"] = (BooleanFact(type="boolean", description="b") if kind == 0 else
                          LevelFact(type="level", description="l", levels=LEVELS) if kind == 1 else
                          NumberFact(type="number", description="n", unit="u"))
    adapter = TypeAdapter(Scoring)
    rules = []
    for r in range(RULES):
        b, l, n = f"f{3 * rng.randrange(20)}", f"f{3 * rng.randrange(20) + 1}", f"f{3 * rng.randrange(20) + 2}"
        shape = r % 4
        raw = ({"when": {"fact": b, "is": "true"}} if shape == 0 else
               {"levels": {"fact": l, "scores": {"none": 0, "partial": 50, "full": 100}}} if shape == 1 else
               {"goalposts": {"fact": n, "worst": 0, "best": 10}} if shape == 2 else
               {"cases": [{"when": {"all": [{"fact": b, "is": "true"}, {"fact": n, "at_least": "5"}]}, "score": 100},
                          {"when": {"fact": l, "at_least": "partial"}, "score": 50}], "otherwise": 0})
        rules.append((shape, b, l, n, adapter.validate_python(raw)))
    return facts, rules


def synthetic_snapshots(rng: random.Random) -> list[Snapshot]:
    snapshots = []
    for _ in range(COUNTRIES * YEARS):
        values = {}
        for i in range(FACTS):
            if rng.random() < 0.15:
                continue  # unknown
            kind = i % 3
            values[f"f{i}"] = rng.random() < 0.5 if kind == 0 else rng.choice(LEVELS) if kind == 1 else rng.uniform(0, 12)
        snapshots.append(Snapshot(values, 2024))
    return snapshots


def hand_written(rules, snapshots) -> list:
    """The same comparisons as a plain loop, no closures: the baseline."""
    rank = {level: i for i, level in enumerate(LEVELS)}
    table = {"none": 0.0, "partial": 50.0, "full": 100.0}
    out = []
    for s in snapshots:
        for shape, b, l, n, _ in rules:
            if shape == 0:
                v = s.get(b)
                out.append(None if v is None else (100.0 if v is True else 0.0))
            elif shape == 1:
                v = s.get(l)
                out.append(None if v is None else table[v])
            elif shape == 2:
                v = s.get(n)
                out.append(None if v is None else min(100.0, max(0.0, v / 10 * 100.0)))
            else:
                vb, vn, vl = s.get(b), s.get(n), s.get(l)
                first = False if vb is False or (vn is not None and vn < 5) else (None if vb is None or vn is None else True)
                if first is None:
                    out.append(None)
                elif first:
                    out.append(100.0)
                elif vl is None:
                    out.append(None)
                else:
                    out.append(50.0 if rank[vl] >= 1 else 0.0)
    return out


def best_of(repeats: int, work) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def wall(command: list[str], cwd: Path, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    rng = random.Random(20191)
    facts, rules = synthetic_rules(rng)
    snapshots = synthetic_snapshots(rng)
    scorers = [scoring.compile(facts).score for *_, scoring in rules]

    def compiled() -> list:
        return [scorer(s) for s in snapshots for scorer in scorers]

    assert compiled() == hand_written(rules, snapshots), "compiled rules and the hand loop disagree"
    evaluations = len(snapshots) * len(scorers)
    t_compiled = best_of(5, compiled)
    t_hand = best_of(5, lambda: hand_written(rules, snapshots))
    print(f"rule evaluations: {evaluations:,} ({COUNTRIES} countries x {YEARS} years x {RULES} rules)")
    print(f"compiled rules:   {t_compiled:.3f} s = {evaluations / t_compiled:,.0f} evaluations/s (target >= 1,000,000)")
    print(f"hand-written:     {t_hand:.3f} s = {evaluations / t_hand:,.0f} evaluations/s")
    print(f"ratio compiled / hand-written: {t_compiled / t_hand:.2f} (target <= 3)")

    repo = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as out:
        t_run = wall([sys.executable, "-m", "assess", "run", "--year", "2024", "--out", out], repo)
    t_import = wall([sys.executable, "-c", "import yaml, pydantic, click"], repo)
    print(f"assess run (bundled data, 2024): {t_run:.3f} s; python -c 'import yaml, pydantic, click': {t_import:.3f} s;"
          f" ratio {t_run / t_import:.2f} (target <= 4)")


if __name__ == "__main__":
    main()
