"""The small facade the CLI, tests and other programs call.

Every function takes a loaded ``Workspace`` (``assess.load_workspace``) and an as-of year
(default: the latest year any fact is dated in).
"""

from __future__ import annotations

from typing import Callable

from .compile import compile_ruleset
from .evaluate import assess, assess_country, snapshot
from .results import Assessment, CountryResult
from .workspace import Workspace

Progress = Callable[[int, int], None]


def score(workspace: Workspace, year: int | None = None) -> Assessment:
    """Every country scored as of ``year``, with full traces."""
    return assess(workspace, year or workspace.latest_year())


def explain(workspace: Workspace, country: str, year: int | None = None) -> CountryResult:
    """One country's full trace as of ``year``."""
    profile = workspace.profile(country)
    return assess_country(compile_ruleset(workspace.ruleset), profile, year or workspace.latest_year())


def prioritize(workspace: Workspace, year: int | None = None, destination: str = "USA", commodity: str | None = None,
               budget: int | None = None, progress: Progress | None = None):
    """The ranked assistance list toward ``destination`` (see ``assess.prioritize``)."""
    from .prioritize import prioritize as rank  # networkx is imported only when needed

    return rank(workspace, score(workspace, year), destination, commodity, budget, progress)


def sensitivity(workspace: Workspace, year: int | None = None, samples: int = 10_000, spread: float = 0.25,
                seed: int = 0, progress: Progress | None = None):
    """Rank stability under perturbed weights (see ``assess.sensitivity``)."""
    from .sensitivity import sensitivity as sample  # NumPy is imported only when needed

    year = year or workspace.latest_year()
    program = compile_ruleset(workspace.ruleset)
    snapshots = [snapshot(program, profile, year)[0] for profile in workspace.profiles.values()]
    return sample(program, list(workspace.profiles), snapshots, samples, spread, seed, progress)
