"""Editor schemas: derived from the models, and knowing the rule set's facts and their values."""

import json

import pytest
import yaml

from helpers import SHIPPED_PROFILES, SHIPPED_RULES, invoke

jsonschema = pytest.importorskip("jsonschema")


def profile_schema(*args: str) -> dict:
    return json.loads(invoke("-q", "schema", "--kind", "profile", *args).output)


def test_the_profile_schema_names_every_fact_of_the_rule_set_with_its_values():
    schema = profile_schema("--rules", str(SHIPPED_RULES))
    facts = schema["properties"]["facts"]
    assert facts["additionalProperties"] is False and "budapest_status" in facts["properties"]
    value = facts["properties"]["fatf_standing"]["items"]["properties"]["value"]
    assert value == {"anyOf": [{"enum": ["call_for_action", "increased_monitoring", "not_listed"]}, {"const": "unknown"}]}


def test_an_editor_accepts_a_shipped_profile_and_flags_a_wrong_level_or_a_misspelt_fact():
    validator = jsonschema.Draft202012Validator(profile_schema("--rules", str(SHIPPED_RULES)))
    profile = yaml.safe_load((SHIPPED_PROFILES / "MEX.yaml").read_text())
    profile = json.loads(json.dumps(profile, default=str))  # dates as YAML-language-server sees them: text
    assert list(validator.iter_errors(profile)) == []
    wrong = {"country": "MEX", "facts": {"fatf_standing": [{"value": "grey", "as_of": "2024-01-01", "source": "x"}]}}
    assert any("grey" in error.message for error in validator.iter_errors(wrong))
    misspelt = {"country": "MEX", "facts": {"budapest_statu": [{"value": "party", "as_of": "2024-01-01", "source": "x"}]}}
    assert any("budapest_statu" in error.message for error in validator.iter_errors(misspelt))


def test_the_generic_schema_knows_only_the_file_format():
    facts = profile_schema("--generic")["properties"]["facts"]
    assert "patternProperties" in facts and "properties" not in facts
