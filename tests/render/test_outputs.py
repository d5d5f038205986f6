"""Outputs: atomic writes, stamps, only our own files removed, independent of file order."""

import json
import shutil
from pathlib import Path

import pytest

import assess
from assess.engine import parallel
from assess.render.outputs import each_output, write_outputs


def test_stamp_carries_hashes_versions_and_year(mini_workspace):
    files = dict(each_output(assess.score(mini_workspace, 2024)))
    stamp = json.loads(files["manifest.json"])["stamp"]
    assert stamp["ruleset_version"] == "1.10" and stamp["year"] == 2024 and stamp["engine_version"] == assess.__version__
    assert set(stamp["profile_hashes"]) == {"FRA", "NOR"}
    assert "A.c1.r1" in stamp["component_hashes"] and stamp["ruleset_hash"].startswith("sha256:")
    country = json.loads(files["countries/NOR.json"])
    assert country["stamp"]["ruleset_hash"] == stamp["ruleset_hash"]


def test_a_rule_change_changes_only_that_rules_hash(mini: Path):
    before = assess.load_workspace(mini / "rules", mini / "profiles").ruleset.component_hashes
    goal = mini / "rules/goals/a.yaml"
    goal.write_text(goal.read_text().replace("mid: 50", "mid: 55"))
    after = assess.load_workspace(mini / "rules", mini / "profiles").ruleset.component_hashes
    assert [key for key in before if before[key] != after[key]] == ["A.c1.r2"]


def test_outputs_do_not_depend_on_file_order(mini: Path, tmp_path: Path):
    reordered = tmp_path / "reordered"
    shutil.copytree(mini, reordered)
    facts = reordered / "rules/facts.yaml"
    lines = facts.read_text().splitlines()
    facts.write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n")
    one = dict(each_output(assess.score(assess.load_workspace(mini / "rules", mini / "profiles"), 2024)))
    two = dict(each_output(assess.score(assess.load_workspace(reordered / "rules", reordered / "profiles"), 2024)))
    assert one == two


def test_rerun_removes_only_files_it_wrote(mini: Path, tmp_path: Path):
    workspace = assess.load_workspace(mini / "rules", mini / "profiles")
    folder = write_outputs(assess.score(workspace, 2024), tmp_path)
    mine = folder / "notes-by-a-person.txt"
    mine.write_text("keep me")
    (mini / "profiles/FRA.yaml").unlink()
    write_outputs(assess.score(assess.load_workspace(mini / "rules", mini / "profiles"), 2024), tmp_path)
    assert not (folder / "countries/FRA.json").exists()
    assert (folder / "countries/NOR.json").exists() and mine.read_text() == "keep me"
    assert not list(folder.rglob("*.tmp"))


@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_files_written_are_each_output_byte_for_byte(workers: str, mini_workspace, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)  # with "2", two workers write the traces
    monkeypatch.setenv("ASSESS_WORKERS", workers)
    assessment = assess.score(mini_workspace, 2024)
    folder = write_outputs(assessment, tmp_path)
    written = {str(path.relative_to(folder)): path.read_bytes() for path in folder.rglob("*") if path.is_file()}
    assert written == dict(each_output(assessment))
