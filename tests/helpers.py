"""Shared test helpers: fixture locations, loading a workspace that must fail, invoking the CLI."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import assess
from assess.analysis.network import FlowModel
from assess.analysis.prioritize import Candidate, Capacity, Routes
from assess.cli import main
from assess.engine.models import Intervention, NetworkConfig, TraffickingLink
from assess.engine.results import CountryResult, NodeResult
from assess.engine.workspace import Network
from assess.testing import profile_from

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini"
REPO = Path(__file__).parent.parent
SHIPPED_RULES = REPO / "rules/synthetic-drugs-2019"
SHIPPED_PROFILES = REPO / "country_profiles"


def errors_of(rules: Path, profiles: Path, scenarios: Path | None = None) -> list[str]:
    """The rendered error lines of loading a workspace (with the scenarios of ``scenarios``) that must fail."""
    with pytest.raises(assess.InputErrors) as caught:
        assess.load_workspace(rules, profiles, scenarios=scenarios)
    return caught.value.render().splitlines()


def invoke(*args: str) -> Result:
    """Run the CLI in-process; the engine's own exceptions still propagate (so a bug fails loudly)."""
    return CliRunner().invoke(main, [*args], catch_exceptions=False)


def workspace_args(root: Path = MINI) -> list[str]:
    """``--rules`` and ``--profiles`` for a workspace laid out like the mini fixture."""
    return ["--rules", str(root / "rules"), "--profiles", str(root / "profiles")]


def shipped_args() -> list[str]:
    return ["--rules", str(SHIPPED_RULES), "--profiles", str(SHIPPED_PROFILES)]


# --- Networks for prioritization tests -----------------------------------------------------------

CONFIG = NetworkConfig.model_validate({
    "commodities": ["fentanyl", "fentanyl_precursors", "cocaine"], "modalities": ["maritime"],
    "volumes": {"low": 1, "medium": 3, "high": 9}, "unknown_volume": "medium",
    "confidence": {"low": 0.4, "medium": 0.7, "high": 1.0},
    "harm": {"fentanyl": {"weight": 0.7, "basis": "assumption", "rationale": "test"},
             "cocaine": {"weight": 0.3, "basis": "assumption", "rationale": "test"},
             "fentanyl_precursors": {"weight": 0, "basis": "via_chain", "rationale": "test"}},
    "chains": [{"precursor": "fentanyl_precursors", "product": "fentanyl", "rationale": "test", "source": "test"}],
    "interdiction": {"goals": {"A": 1}, "effectiveness": 0.8},
    "priority": {"weights": {"leverage": 1, "need": 0, "feasibility": 0},
                 "partnership_weights": {"bilateral_counternarcotics": 1}},
    "portfolio": {"capacity_weight": 0.05, "rationale": "test"},
})


def link(tail: str, head: str, volume: str = "unknown", commodity: str = "fentanyl",
         confidence: str = "high") -> TraffickingLink:
    return TraffickingLink.model_validate({"from": tail, "to": head, "commodity": commodity, "volume": volume,
                                           "confidence": confidence, "since": "2019-01-01", "source": "test"})


def model_of(edges, destination: str = "USA", regions: frozenset[str] = frozenset()) -> FlowModel:
    """A flow model of (tail, head[, volume[, commodity[, confidence]]]) edges; every node but regions interdicts."""
    links = [link(*edge) for edge in edges]
    countries = {node for item in links for node in (item.from_, item.to)} - regions
    return FlowModel(links, destination, CONFIG, countries)


def routes_of(edges, capacity: dict[str, float | tuple[float, float, float]], destination: str = "USA") -> Routes:
    """Routes with a candidate per country on them: capacity a number, or (low, point, high)."""
    model = model_of(edges, destination)
    on_routes = sorted(node for node in model.route_nodes() if node != destination)
    candidates = {}
    for code in on_routes:
        low, point, high = (capacity[code],) * 3 if isinstance(capacity[code], float) else capacity[code]
        result = CountryResult(code, code, 2024, "test", NodeResult("overall", "overall", "Overall", 1.0))
        candidates[code] = Candidate(code, code, Capacity(low, point, high), 1 - point, 0.0, [], result)
    return Routes(CONFIG, model, candidates, [])


# --- Workspaces for portfolio tests: the mini rules, generated profiles, a generated network -----

PACKAGES = {  # packages with one effect each, so that costs can be varied one by one
    "fix_lvl": {"lvl": "high"}, "survey_one": {"s": ["x"]}, "survey_all": {"s": ["x", "y", "z"]}}


def portfolio_workspace(mini_workspace: assess.Workspace, edges, facts: dict[str, dict],
                        costs: dict[str, float] | None = None) -> assess.Workspace:
    """The mini rule set with profiles holding ``facts`` and cocaine ``edges``; with ``costs``, the
    packages of PACKAGES at those costs replace the mini menu."""
    profiles = {code: profile_from(code, values) for code, values in sorted(facts.items())}
    network = Network({}, tuple(link(*edge[:3], "cocaine") for edge in edges), ())
    ruleset = mini_workspace.ruleset
    if costs is not None:
        menu = {name: Intervention.model_validate({
            "text": name, "cites": [{"seed": "mini.txt", "section": "SECTION ONE: CONTROLS"}], "kind": "assistance",
            "lead": "INL", "cost": {"low_usd": cost, "high_usd": cost, "basis": "assumption"},
            "effects": PACKAGES[name]}) for name, cost in costs.items()}
        # the rules still recommend the mini menu's items; they stay, but can no longer be funded
        kept = {name: item.model_copy(update={"effects": {}}) for name, item in ruleset.interventions.items()}
        ruleset = dataclasses.replace(ruleset, interventions={**kept, **menu})
    return dataclasses.replace(mini_workspace, ruleset=ruleset, profiles=profiles, network=network)
