"""Bad input of every class gives the documented path:line:col error, with field, allowed and did-you-mean."""

import shutil
from pathlib import Path

import pytest

from helpers import FIXTURES, bad_case_workspace, errors_of

BAD = FIXTURES / "bad"
CASES = sorted(p.name for p in BAD.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES)
def test_bad_input_fixture(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    scenarios = bad_case_workspace(BAD / case, tmp_path / "ws")
    monkeypatch.chdir(tmp_path / "ws")
    expected = (BAD / case / "expected.txt").read_text().splitlines()
    assert errors_of(Path("rules"), Path("profiles"), scenarios) == expected


def test_every_error_of_a_run_is_reported_at_once(mini: Path, monkeypatch: pytest.MonkeyPatch):
    for case in ("bad_level", "unknown_intervention", "unknown_key"):
        for source in (BAD / case).rglob("*.yaml"):
            shutil.copy(source, mini / source.relative_to(BAD / case))
    monkeypatch.chdir(mini)
    lines = errors_of(Path("rules"), Path("profiles"))
    assert [line.split(":")[0] for line in lines] == ["profiles/FRA.yaml", "profiles/NOR.yaml", "rules/goals/b.yaml"]


def test_norway_stays_norway(mini_workspace):
    assert "NOR" in mini_workspace.profiles
    assert mini_workspace.ruleset.header.version == "1.10"


def test_a_goal_file_that_cannot_be_read_causes_no_second_error_in_network_yaml(mini: Path, monkeypatch: pytest.MonkeyPatch):
    goal = mini / "rules/goals/a.yaml"
    goal.write_text(goal.read_text().replace("id: A\n", "id: [A\n"))
    monkeypatch.chdir(mini)
    lines = errors_of(Path("rules"), Path("profiles"))
    assert lines and all(line.startswith("rules/goals/a.yaml:") for line in lines), lines
