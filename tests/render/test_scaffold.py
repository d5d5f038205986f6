"""assess init, editor schema wiring, pre-commit hooks, --quiet and --verbose."""

import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from assess.cli import main
from helpers import MINI, REPO

MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")


def test_init_creates_a_workspace_that_checks_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    target = tmp_path / "ws"
    result = CliRunner().invoke(main, ["init", str(target)])
    assert result.exit_code == 0, result.output
    assert {p.name for p in target.iterdir()} == {"README.md", "rules", "country_profiles", "scenarios", "schemas"}
    monkeypatch.chdir(target)
    assert CliRunner().invoke(main, ["check"]).exit_code == 0
    assert CliRunner().invoke(main, ["scenario", "fund-mexico-fy2026", "--until", "2026"]).exit_code == 0


def test_every_file_points_its_editor_at_an_existing_schema(tmp_path: Path):
    target = tmp_path / "ws"
    CliRunner().invoke(main, ["init", str(target)])
    for root in (target, REPO):
        files = [path for folder in ("rules", "country_profiles", "scenarios") for path in sorted((root / folder).rglob("*.yaml"))]
        assert files
        for path in files:
            match = MODELINE.match(path.read_text().splitlines()[0])
            assert match, path
            assert (path.parent / match.group(1)).resolve().is_file(), path


def test_init_refuses_a_folder_with_files(tmp_path: Path):
    (tmp_path / "keep.txt").write_text("mine")
    result = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert result.exit_code == 2 and "is not empty" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_pre_commit_hooks_run_assess_check():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert [hook["id"] for hook in hooks] == ["assess-check", "assess-check-properties"]
    assert all(hook["entry"].startswith("assess check") and hook["pass_filenames"] is False for hook in hooks)


def test_quiet_and_verbose(tmp_path: Path):
    args = ["run", "--rules", str(MINI / "rules"), "--profiles", str(MINI / "profiles"), "--out", str(tmp_path)]
    loud = CliRunner().invoke(main, ["--verbose", *args])
    assert "loaded rule set mini 1.10" in loud.stderr and "wrote " in loud.stderr
    quiet = CliRunner().invoke(main, ["--quiet", *args])
    assert quiet.exit_code == 0 and quiet.stderr == "" and "NOR" in quiet.stdout


@pytest.mark.parametrize("layout", ["init", "repository", "bare"])
def test_new_points_its_profile_at_the_workspace_schema(layout: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Inside an `assess init` workspace, this repository, or a folder with no schemas of its own,
    a new profile's $schema line names a schema that exists, relative to the new file."""
    if layout == "init":
        root = tmp_path / "ws"
        assert CliRunner().invoke(main, ["init", str(root)]).exit_code == 0
        args: list[str] = []
        expected = root / "schemas/profile.schema.json"
    else:
        root = tmp_path / "bare"
        shutil.copytree(MINI, root)
        args = ["--rules", str(root / "rules"), "--profiles", str(root / "profiles")]
        if layout == "repository":
            (root / "assess/schemas").mkdir(parents=True)
            (root / "assess/schemas/profile.schema.json").write_text("{}")
            expected = root / "assess/schemas/profile.schema.json"
        else:
            expected = (REPO / "assess/schemas/profile.schema.json").resolve()
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["new", "MEX-SON", "--kind", "state", "--name", "Sonora", *args])
    assert result.exit_code == 0, result.output
    written = next(root.glob("*/MEX-SON.yaml"))
    match = MODELINE.match(written.read_text().splitlines()[0])
    assert match and (written.parent / match.group(1)).resolve() == expected.resolve()
    assert layout == "bare" or not match.group(1).startswith("/")
