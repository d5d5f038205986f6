"""The small facade the CLI, tests and other programs call."""

from __future__ import annotations

from .compile import compile_ruleset
from .evaluate import assess, assess_country
from .results import Assessment, CountryResult
from .workspace import Workspace


def score(workspace: Workspace, year: int | None = None) -> Assessment:
    """Every country scored as of ``year`` (default: the latest year any fact is dated)."""
    return assess(workspace, year or workspace.latest_year())


def explain(workspace: Workspace, country: str, year: int | None = None) -> CountryResult:
    """One country's full trace as of ``year``."""
    profile = workspace.profile(country)
    return assess_country(compile_ruleset(workspace.ruleset), profile, year or workspace.latest_year())
