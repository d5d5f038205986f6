"""Shared test helpers: fixture locations, loading a workspace that must fail, invoking the CLI."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import assess
from assess.analysis.network import FlowModel
from assess.analysis.prioritize import Candidate, Capacity, Routes
from assess.cli import main
from assess.engine.facttypes import FACT_TYPES, FactSpecBase
from assess.engine.models import Intervention, NetworkConfig, TraffickingLink
from assess.engine.results import CountryResult, NodeResult
from assess.engine.scorings import SCORING_KINDS
from assess.engine.values import to_json
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


def bad_case_workspace(case: Path, target: Path) -> Path | None:
    """The mini workspace at ``target`` with a bad-input case's files laid over it; returns the case's
    scenarios folder (relative, checked in the same pass as rules and profiles), if it has one."""
    shutil.copytree(MINI, target)
    for source in case.rglob("*"):
        if source.is_file() and source.name != "expected.txt":
            shutil.copy(source, target / source.relative_to(case))
    return Path("scenarios") if (case / "scenarios").is_dir() else None


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


def with_aggregate_on_route(mini_workspace: assess.Workspace) -> assess.Workspace:
    """A portfolio workspace whose weakest country on the cocaine route toward NOR, XAA, is declared an
    aggregate (validation keeps aggregates off the network; this workspace is built past it)."""
    strong = {"a": True, "lvl": "high", "n": 10.0, "s": frozenset({"x", "y", "z"})}
    workspace = portfolio_workspace(mini_workspace, [("XAA", "BBB", "high"), ("AAA", "BBB", "high"), ("BBB", "NOR", "high")],
                                    {"XAA": {"lvl": "low"}, "AAA": {**strong, "lvl": "mid"}, "BBB": strong})
    world = dataclasses.replace(workspace.profiles["XAA"], kind="aggregate")
    return dataclasses.replace(workspace, profiles={**workspace.profiles, "XAA": world})


# --- A workspace per fact type, scored by every scoring kind that can score it -------------------

KIND_CITE = {"seed": "kinds.txt", "section": "SECTION ONE"}


def by_capacity(spec: FactSpecBase) -> list[Any]:
    """The samples of ``spec``, from least to most capacity, as written in YAML."""
    ordered = sorted(spec.samples(), key=spec.order_key, reverse=not spec.higher_is_better)
    return [to_json(value) for value in ordered]


def kind_workspace(root: Path, type_name: str) -> Path:
    """A workspace in ``root`` from the kinds' own examples: the example fact ``x`` of fact type
    ``type_name``, a rule for each scoring kind that can score it, a package that brings it to its
    most capable sample; FRA at its least capable sample (2019) then its most (2023), DEU at a
    middle one, NOR unknown; a scenario funding the package; pinned cases (the examples give the
    most capable sample 100 and an unknown no score)."""
    spec = FACT_TYPES[type_name].model_validate(FACT_TYPES[type_name].example())
    samples = by_capacity(spec)
    worst, middle, best = samples[0], samples[len(samples) // 2], samples[-1]
    rules = [{"id": f"by_{key}", "title": f"Scored by {key}", "cites": [KIND_CITE], "score": score, "interventions": ["raise_x"]}
             for key, kind in SCORING_KINDS.items() if (score := kind.example("x", spec)) is not None]
    files: dict[str, Any] = {
        "rules/ruleset.yaml": {"id": "kinds", "version": "1", "title": f"Every scoring kind over a {type_name} fact",
                               "tiers": [{"name": "low", "min": 0}, {"name": "high", "min": 50}]},
        "rules/facts.yaml": {"facts": {"x": spec.example()}},
        "rules/interventions.yaml": {"interventions": {"raise_x": {
            "text": "Raise x.", "cites": [KIND_CITE], "kind": "assistance", "lead": "INL", "effects": {"x": best},
            "cost": {"low_usd": 100000, "high_usd": 200000, "basis": "assumption", "note": "A test cost."}}}},
        "rules/goals/g.yaml": {"id": "G", "title": "Goal", "cites": [KIND_CITE],
                               "criteria": [{"id": "c", "title": "Every kind", "rules": rules}]},
        "rules/tests/pinned.yaml": {"cases": [
            {"entity": "FRA", "year": 2024, "level": "overall", "expect": 100, "reason": "the most capable sample"},
            {"entity": "NOR", "year": 2024, "level": "overall", "expect": None, "reason": "unknown: no score"}]},
        "scenarios/fund.yaml": {"title": "Fund x in Germany", "packages": [
            {"country": "DEU", "package": "raise_x", "start": "2023-01-01"}]},
    }
    for code, entries in {"FRA": [(worst, "2019-01-01"), (best, "2023-01-01")], "DEU": [(middle, "2020-06-01")],
                          "NOR": [("unknown", "2019-01-01")]}.items():
        lines = [f"  - {{value: {json.dumps(value)}, as_of: {as_of}"
                 + (', source: "A test document."}' if value != "unknown" else "}") for value, as_of in entries]
        files[f"profiles/{code}.yaml"] = "\n".join([f"country: {code}", "facts:", "  x:", *lines])
    for name, document in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        text = document if isinstance(document, str) else json.dumps(document, indent=1)
        (root / name).write_text(text + "\n", encoding="utf-8")
    (root / "rules/seeds").mkdir()
    (root / "rules/seeds/kinds.txt").write_text("KINDS\nSECTION ONE\nEvery kind is run.\n", encoding="utf-8")
    cell = ";".join(best) if isinstance(best, list) else json.dumps(best).strip('"')
    (root / "table.csv").write_text(f"country,fact,value,as_of,source\nNOR,x,{cell},2024-06-01,A test table\n", encoding="utf-8")
    return root


def every_command(root: Path) -> list[list[str]]:
    """Every command that reads a workspace's kinds, as arguments, over ``kind_workspace(root, ...)``."""
    paths = ["--rules", str(root / "rules"), "--profiles", str(root / "profiles")]
    return [["run", "--year", "2019", "--year", "2024", "--out", str(root / "outputs"), *paths],
            ["explain", "FRA", "--year", "2024", *paths], ["explain", "NOR", "--year", "2024", "--format", "json", *paths],
            ["facts", *paths], ["check", *paths], ["check", "--properties", "--examples", "5", *paths],
            ["new", "ITA", *paths], ["schema", "--kind", "profile", "--rules", str(root / "rules")], ["test", *paths],
            ["diff", "--from", "2019", "--to", "2024", *paths], ["sensitivity", "--samples", "50", "--year", "2024", *paths],
            ["scenario", "fund", "--scenarios", str(root / "scenarios"), "--until", "2025", *paths],
            ["import", str(root / "table.csv"), *paths]]


# A grouping whose law settles fact ``a`` of the mini rule set: FRA a member throughout, NOR from
# 2020-03-01 until 2022-06-30 (after the law was made, and left again)
UNION_GROUPINGS = """\
groupings:
  union:
    title: Union
    source: "Test union, members page"
    members:
      FRA: {from: 1958-01-01}
      NOR: {from: 2020-03-01, until: 2022-06-30}
    law:
      - {fact: a, value: true, from: 2018-06-07, source: "Union regulation 1", note: "binds every member"}
"""
