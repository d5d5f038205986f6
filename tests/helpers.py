"""Shared test helpers: fixture locations, loading a workspace that must fail, invoking the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import assess
from assess.analysis.network import FlowModel
from assess.analysis.prioritize import Candidate
from assess.cli import main
from assess.engine.models import NetworkConfig, TraffickingLink

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini"
REPO = Path(__file__).parent.parent
SHIPPED_RULES = REPO / "rules/synthetic-drugs-2019"
SHIPPED_PROFILES = REPO / "country_profiles"


def errors_of(rules: Path, profiles: Path) -> list[str]:
    """The rendered error lines of loading a workspace that must fail."""
    with pytest.raises(assess.InputErrors) as caught:
        assess.load_workspace(rules, profiles)
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
    "commodities": ["fentanyl", "cocaine"], "modalities": ["maritime"],
    "volumes": {"low": 1, "medium": 3, "high": 9}, "unknown_volume": "medium",
    "interdiction": {"goals": {"A": 1}, "effectiveness": 0.8},
    "priority": {"weights": {"leverage": 1, "need": 0, "feasibility": 0},
                 "partnership_weights": {"bilateral_counternarcotics": 1}},
})

def link(tail: str, head: str, volume: str = "unknown", commodity: str = "fentanyl") -> TraffickingLink:
    return TraffickingLink.model_validate({"from": tail, "to": head, "commodity": commodity, "volume": volume,
                                           "confidence": "high", "since": "2019-01-01", "source": "test"})


def model_of(edges, destination: str = "USA") -> FlowModel:
    links = [link(*edge) for edge in edges]
    countries = {node for item in links for node in (item.from_, item.to)}
    return FlowModel(links, destination, CONFIG, countries)


def candidates_of(capacity: dict[str, float]) -> dict[str, Candidate]:
    return {code: Candidate(code, code, value, True, 1 - value, 0.0, [], None) for code, value in capacity.items()}
