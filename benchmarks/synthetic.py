"""Synthetic workspaces for benchmarks: many countries whose facts are drawn from the values the
bundled profiles hold for each fact (or left unknown), with the bundled rule set."""

from __future__ import annotations

import dataclasses
import random

from assess import Workspace
from assess.engine.compile import compile_ruleset
from assess.engine.evaluate import snapshot
from assess.testing import profile_from


def synthetic_workspace(workspace: Workspace, count: int, seed: int = 11, known: float = 0.6) -> Workspace:
    """``count`` countries (codes C000, C001, ...), each fact known with probability ``known``."""
    rng = random.Random(seed)
    program = compile_ruleset(workspace.ruleset)
    observed: dict[str, list] = {name: [] for name in program.facts_read}
    for profile in workspace.profiles.values():
        for name, value in snapshot(program, profile, 2024)[0].items():
            observed[name].append(value)
    profiles = {}
    for i in range(count):
        values = {name: rng.choice(seen) for name, seen in observed.items() if seen and rng.random() < known}
        profiles[f"C{i:03d}"] = profile_from(f"C{i:03d}", values)
    return dataclasses.replace(workspace, profiles=profiles, network=None)
