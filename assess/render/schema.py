"""JSON Schema of every file format, derived from the models (for editors)."""

from __future__ import annotations

from pydantic import BaseModel

from ..engine.models import (
    FactCatalogue,
    Goal,
    InterventionMenu,
    NetworkConfig,
    PartnershipFile,
    Profile,
    RulesetHeader,
    Scenario,
    StrategyFile,
    TraffickingFile,
)
from ..engine.results import JSONObject

KINDS: dict[str, type[BaseModel]] = {
    "profile": Profile,
    "ruleset": RulesetHeader,
    "goal": Goal,
    "facts": FactCatalogue,
    "interventions": InterventionMenu,
    "network": NetworkConfig,
    "trafficking": TraffickingFile,
    "partnerships": PartnershipFile,
    "scenario": Scenario,
    "strategy": StrategyFile,
}


def schema_of(kind: str) -> JSONObject:
    schema = KINDS[kind].model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://assess.invalid/schemas/{kind}.schema.json"
    return schema
