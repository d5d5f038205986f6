"""``assess test``: the rule set's pinned, hand-checked examples."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from assess.cli import main
from helpers import MINI, SHIPPED_PROFILES, SHIPPED_RULES, workspace_args


def run(*args: str):
    return CliRunner().invoke(main, ["test", *args], catch_exceptions=False)


def test_the_shipped_rule_set_keeps_its_hand_checked_values():
    result = run("--rules", str(SHIPPED_RULES), "--profiles", str(SHIPPED_PROFILES), "--format", "json")
    assert result.exit_code == 0, result.output
    assert '"failed": 0' in result.stdout and '"cases": 27' in result.stdout


def mini_with(tmp_path: Path, cases: str) -> Path:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    (root / "rules/tests").mkdir()
    (root / "rules/tests/pinned.yaml").write_text(cases)
    return root


def test_a_moved_value_fails_with_the_case_s_line(tmp_path: Path):
    root = mini_with(tmp_path, "cases:\n"
                               "  - {entity: NOR, year: 2024, level: overall, expect: 63.3, tolerance: 0.1, reason: ok}\n"
                               "  - {entity: NOR, year: 2024, level: A, expect: 90, reason: a rule author's slip}\n")
    result = run(*workspace_args(root))
    assert result.exit_code == 1
    assert "1 of 2 pinned case(s) failed" in result.stderr
    assert "pinned.yaml:3:5: NOR 2024 A score: expected 90 ± 0.05, got 56.25 (a rule author's slip)" in result.stderr


def test_a_case_naming_no_profile_or_level_is_bad_input(tmp_path: Path):
    root = mini_with(tmp_path, "cases:\n"
                               "  - {entity: NRO, year: 2024, level: overall, expect: 1, reason: typo}\n")
    result = run(*workspace_args(root))
    assert result.exit_code == 2 and "pinned.yaml:2:14: error: no profile for 'NRO' at 'cases.0.entity'" in result.output
    assert "did you mean 'NOR'?" in result.output
    root = mini_with(tmp_path / "again", "cases:\n"
                                         "  - {entity: NOR, year: 2024, level: A.c1.r9, expect: 1, reason: typo}\n")
    result = run(*workspace_args(root))
    assert result.exit_code == 2 and "pinned.yaml:2:5: error: no level 'A.c1.r9' in the rule set" in result.output


def test_a_malformed_case_is_located(tmp_path: Path):
    root = mini_with(tmp_path, "cases:\n"
                               "  - {entity: NOR, year: 2024, level: overall, expect: 150, reason: too high}\n")
    result = run(*workspace_args(root))
    assert result.exit_code == 2 and "pinned.yaml:2:" in result.output and "expect" in result.output
