"""What bounds cost: scoring time now against a revision without them (target ratio <= 2).

    python benchmarks/bench_bounds.py [--against REV]

Writes 249 profiles (every ISO 3166 country, facts copied from the bundled profiles in turn),
then times ``assess.score`` for 2024 on them, here and in a git worktree of REV (default: the
last commit before bounds were added), each in its own process, best of 5. Prints figures.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pycountry

REPO = Path(__file__).resolve().parent.parent
BEFORE_BOUNDS = "f48bd25"
TIMING = """
import sys, time, assess
workspace = assess.load_workspace(sys.argv[1], sys.argv[2])
times = []
for _ in range(5):
    start = time.perf_counter()
    assess.score(workspace, 2024)
    times.append(time.perf_counter() - start)
print(min(times))
"""


def write_profiles(target: Path) -> int:
    bundled = sorted((REPO / "country_profiles").glob("*.yaml"))
    codes = sorted(country.alpha_3 for country in pycountry.countries)
    for i, code in enumerate(codes):
        text = bundled[i % len(bundled)].read_text("utf-8")
        (target / f"{code}.yaml").write_text(re.sub(r"(?m)^country: \w+$", f"country: {code}", text), "utf-8")
    return len(codes)


def time_scoring(checkout: Path, rules: Path, profiles: Path) -> float:
    done = subprocess.run([sys.executable, "-c", TIMING, str(rules), str(profiles)], cwd=checkout, check=True,
                          capture_output=True, text=True, env={"PYTHONPATH": str(checkout), "PATH": ""})
    return float(done.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default=BEFORE_BOUNDS, help="git revision to compare with")
    revision = parser.parse_args().against
    with tempfile.TemporaryDirectory() as scratch:
        profiles = Path(scratch) / "profiles"
        profiles.mkdir()
        count = write_profiles(profiles)
        old = Path(scratch) / "old"
        subprocess.run(["git", "worktree", "add", "--detach", str(old), revision], cwd=REPO, check=True, capture_output=True)
        try:
            rules = REPO / "rules/synthetic-drugs-2019"
            old_rules = old / "rules/synthetic-drugs-2019"
            now, before = time_scoring(REPO, rules, profiles), time_scoring(old, old_rules, profiles)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=REPO, check=True, capture_output=True)
    print(f"assess.score, {count} countries, 2024, best of 5: {now:.3f} s with bounds; {before:.3f} s at {revision} "
          f"without; ratio {now / before:.2f} (target <= 2)")


if __name__ == "__main__":
    main()
