"""Format versions: a rule set written for an older format loads with one warning per change, or
is refused with one error per change and file saying what to change; the registry is what the
loader says and what the reference lists."""

import shutil
from pathlib import Path

import pytest

import assess
from assess import api
from assess.engine.upgrade import CHANGES, CURRENT_FORMAT
from helpers import FIXTURES, MINI, REPO, SHIPPED_PROFILES, SHIPPED_RULES, errors_of

OLD = FIXTURES / "old"
CASES = sorted(p.name for p in OLD.iterdir() if p.is_dir())


def _workspace(case: str, tmp_path: Path) -> Path:
    """The mini rule set with the case's older files over it."""
    workspace = tmp_path / "ws"
    shutil.copytree(MINI, workspace)
    for source in (OLD / case).rglob("*"):
        if source.is_file() and source.name != "expected.txt":
            shutil.copy(source, workspace / source.relative_to(OLD / case))
    return workspace


@pytest.mark.parametrize("case", CASES)
def test_an_older_rule_set_loads_with_its_warnings_or_fails_with_one_error_per_change(
        case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(_workspace(case, tmp_path))
    expected = (OLD / case / "expected.txt").read_text().splitlines()
    if any(": error: " in line for line in expected):
        assert errors_of(Path("rules"), Path("profiles")) == expected
    else:
        workspace = assess.load_workspace(Path("rules"), Path("profiles"))
        assert [warning.render() for warning in workspace.ruleset.warnings] == expected


def test_every_change_has_an_older_rule_set_that_trips_on_it():
    said = "\n".join((OLD / case / "expected.txt").read_text() for case in CASES)
    for change in CHANGES:
        assert f"since format {change.version} {change.what}" in said, change


@pytest.mark.parametrize("rules", [SHIPPED_RULES, REPO / "examples/oc-index/rules"], ids=["shipped", "oc-index"])
def test_the_shipped_rule_sets_declare_the_current_format_and_load_without_a_warning(rules: Path):
    profiles = SHIPPED_PROFILES if rules == SHIPPED_RULES else rules.parent / "country_profiles"
    workspace = assess.load_workspace(rules, profiles)
    assert workspace.ruleset.header.format == CURRENT_FORMAT
    assert workspace.ruleset.warnings == ()


def test_a_new_workspace_declares_the_current_format(tmp_path: Path):
    api.init_workspace(tmp_path / "ws")
    workspace = assess.load_workspace(tmp_path / "ws/rules", tmp_path / "ws/country_profiles")
    assert workspace.ruleset.header.format == CURRENT_FORMAT
    assert workspace.ruleset.warnings == ()


def test_a_current_rule_set_missing_a_key_still_gets_the_models_own_error(mini: Path, monkeypatch: pytest.MonkeyPatch):
    menu = mini / "rules/interventions.yaml"
    menu.write_text(menu.read_text().replace("    lead: INL\n", ""))
    monkeypatch.chdir(mini)
    assert errors_of(Path("rules"), Path("profiles")) == [
        "rules/interventions.yaml:2:3: error: missing required key 'lead' at 'interventions.fix_a'"]
