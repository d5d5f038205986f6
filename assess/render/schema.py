"""JSON Schema of every file format, derived from the models (for editors)."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel

from ..analysis.pinned import PinnedFile
from ..engine.facttypes import FactSpecBase
from ..engine.models import (
    FactCatalogue,
    Goal,
    GroupingsFile,
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
from ..engine.values import UNKNOWN_TEXT

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
    "groupings": GroupingsFile,
    "pinned": PinnedFile,
}


def schema_of(kind: str, facts: Mapping[str, FactSpecBase] | None = None) -> JSONObject:
    """The file kind's JSON Schema, derived from its model; with a rule set's ``facts`` a profile's
    schema also knows every fact by name, and each fact's values (so an editor completes
    ``budapest_status`` and flags ``grey`` where a level is expected)."""
    schema = KINDS[kind].model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://assess.invalid/schemas/{kind}.schema.json"
    if kind == "profile" and facts is not None:
        schema["properties"]["facts"] = {
            "type": "object", "additionalProperties": False, "default": {},
            "properties": {name: _fact_entries(spec) for name, spec in sorted(facts.items())}}
    return schema


def _fact_entries(spec: FactSpecBase) -> JSONObject:
    value = {"anyOf": [spec.value_schema(), {"const": UNKNOWN_TEXT}]}
    return {"type": "array", "minItems": 1, "description": spec.description,
            "items": {"allOf": [{"$ref": "#/$defs/FactEntry"}], "properties": {"value": value}}}
