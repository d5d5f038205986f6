"""Importing at scale (issue #25): prints each figure beside its target, asserts nothing
(python benchmarks/bench_import.py [--rows 32000] [--repeats 3] [--assess CHECKOUT] [--compare-new]).

A long-form table of ``--rows`` rows (32,000 by default): the bundled profiles' 193 countries,
each named by its common name (every fourth row by its ISO3 code), a handful of boolean and level
facts of the shipped catalogue, each on many dates, with valid values and a source; no row
repeats or contradicts a value the bundled profiles record. In a temporary copy of the workspace
(the shipped rules, a fresh copy of the bundled profiles for each run), as subprocesses (median
wall time of ``--repeats`` runs):

- ``assess import TABLE`` into the bundled profiles (target: 32,000 rows in <= 10 s);
- ``assess import --create TABLE`` into a profiles folder with no profile (only ``network/``): every
  country's profile created in the same transaction;
- with ``--compare-new``, what ``--create`` replaces: ``assess new CODE`` for each country, then the
  import (the table's countries one command each; minutes).

``--assess CHECKOUT`` times the ``assess`` of another checkout (a ``git archive`` of an older
commit, say) with this script's table, so a before and an after come from one script; a checkout
whose ``import`` has no ``--create`` is timed without that figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the table is made by this checkout's assess, whichever one is installed

import assess  # noqa: E402
from assess.analysis.countrynames import resolve_country  # noqa: E402
from assess.engine.facttypes import BooleanFact, LevelFact  # noqa: E402

FACTS = 8  # facts per country; the dates make up the rest of the rows


def write_table(path: Path, rows: int, seed: int = 25) -> int:
    """The long-form table (see the module's notes); returns the number of countries it names."""
    import pycountry

    shipped = assess.load_workspace()
    countries = sorted(code for code, profile in shipped.profiles.items() if profile.kind == "country")
    facts = [name for name, spec in shipped.ruleset.facts.items() if isinstance(spec, (BooleanFact, LevelFact))][:FACTS]
    rng = random.Random(seed)
    names = {code: _name(code, pycountry.countries.get(alpha_3=code)) for code in countries}
    lines = ["country,fact,value,as_of,source"]
    day = dt.date(1950, 1, 15)
    while len(lines) <= rows:
        for code in countries:
            for fact in facts:
                recorded = {reading.as_of for reading in shipped.profiles[code].history.get(fact, ())}
                if day in recorded or len(lines) > rows:
                    continue
                value = _value(shipped.ruleset.facts[fact], rng)
                country = code if len(lines) % 4 == 0 else names[code]
                lines.append(f'"{country}",{fact},{value},{day.isoformat()},"Synthetic benchmark table, {day.year} edition"')
        day += dt.timedelta(days=61)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(countries)


def _name(code: str, country: object) -> str:
    """The country's common name if a table may write it (it resolves back to the code), else its code."""
    for attribute in ("common_name", "name"):
        name = getattr(country, attribute, None)
        if isinstance(name, str) and resolve_country(name) == code:
            return name
    return code


def _value(spec: object, rng: random.Random) -> str:
    if isinstance(spec, LevelFact):
        return rng.choice(spec.levels)
    return rng.choice(["true", "false"])


def workspace(root: Path, with_profiles: bool) -> Path:
    """A workspace in ``root``: the shipped rules (linked) and a copy of the bundled profiles (or of
    their ``network/`` folder alone); returns ``root``."""
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    os.symlink(REPO / "rules", root / "rules")
    profiles = root / "country_profiles"
    if with_profiles:
        shutil.copytree(REPO / "country_profiles", profiles)
    else:
        shutil.copytree(REPO / "country_profiles" / "network", profiles / "network")
    return root


def timed(command: list[str], cwd: Path, checkout: Path) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run; on a shared host the CPU time is the steadier."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed: {process.stderr.read().decode()[-2000:] if process.stderr else ''}")
    return seconds, usage.ru_utime + usage.ru_stime


def median_of(repeats: int, root: Path, with_profiles: bool, commands: list[list[str]], checkout: Path) -> str:
    """Median wall and CPU seconds of running ``commands`` in turn, each repeat in a fresh workspace."""
    walls, cpus = [], []
    for _ in range(repeats):
        workspace(root, with_profiles)
        runs = [timed(command, root, checkout) for command in commands]
        walls.append(sum(wall for wall, _ in runs))
        cpus.append(sum(cpu for _, cpu in runs))
    return f"{statistics.median(walls):.2f} s wall, {statistics.median(cpus):.2f} s CPU"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=32_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--assess", type=Path, default=REPO, help="the checkout whose assess is timed")
    parser.add_argument("--compare-new", action="store_true", help="also time 'assess new' per country, then the import")
    args = parser.parse_args()
    checkout = args.assess.resolve()
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f} at start; "
          f"timing {checkout}")
    cli = [sys.executable, "-m", "assess", "-q"]
    with tempfile.TemporaryDirectory() as folder:
        table, root = Path(folder) / "table.csv", Path(folder) / "ws"
        countries = write_table(table, args.rows)
        print(f"table: {args.rows:,} rows, {countries} countries, {table.stat().st_size / 1e6:.1f} MB")
        seconds = median_of(args.repeats, root, True, [[*cli, "import", str(table)]], checkout)
        print(f"assess import, into the bundled profiles: {seconds} (target: {args.rows:,} rows in <= 10 s)")
        # run outside any checkout: python -m puts the working folder's assess before PYTHONPATH's
        creates = "--create" in subprocess.run([*cli, "import", "--help"], env={**os.environ, "PYTHONPATH": str(checkout)},
                                               cwd=folder, capture_output=True, text=True, check=False).stdout
        if creates:
            seconds = median_of(args.repeats, root, False, [[*cli, "import", "--create", str(table)]], checkout)
            print(f"assess import --create, into a folder with no profile: {seconds}, {countries} profiles created")
        else:
            print("assess import --create: not in this checkout")
        if args.compare_new:
            codes = sorted(path.stem for path in (REPO / "country_profiles").glob("*.yaml"))
            news = [[*cli, "new", code] for code in codes]
            seconds = median_of(1, root, False, [*news, [*cli, "import", str(table)]], checkout)
            print(f"assess new for each of {len(codes)} countries, then assess import: {seconds}")


if __name__ == "__main__":
    main()
