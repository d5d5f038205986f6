"""Reviewers' diff: hand-built pairs with known differences, asserted line by line."""

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

import assess
from assess.analysis.diff import diff, from_assessment
from assess.cli import main
from assess.render.formats import renderer
from assess.render.outputs import write_outputs
from assess.render.views import diff_view, move_line
from helpers import MINI


def scored(root: Path, year: int = 2024, label: str = "x"):
    return from_assessment(assess.score(assess.load_workspace(root / "rules", root / "profiles"), year), label)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


@pytest.fixture
def pair(tmp_path: Path):
    """Two copies of the mini workspace: edit the second, then diff them."""
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(MINI, old)
    shutil.copytree(MINI, new)
    return old, new


def moves_of(result, country="NOR"):
    country_diff = next(c for c in result.countries if c.country == country)
    return {m.node: m for m in country_diff.moves}


def test_fact_only_change(pair):
    old, new = pair
    edit(new / "profiles/NOR.yaml", "value: mid, as_of: 2019-05-01", "value: high, as_of: 2019-05-01")
    result = diff(scored(old), scored(new))
    moves = moves_of(result)
    assert sorted(moves) == ["A", "A.c1", "overall"]
    assert moves["A.c1"].delta == pytest.approx(3 * 50 / 4)
    assert moves["A.c1"].cause == "facts" and moves["A.c1"].rules == []
    (change,) = moves["A.c1"].facts
    assert change.describe() == "lvl: mid (2019-05-01) → high (2019-05-01)"
    assert result.unchanged == ["FRA"] and result.rule_changes == []


def test_rule_only_change(pair):
    old, new = pair
    edit(new / "rules/goals/a.yaml", "scores: {low: 0, mid: 50, high: 100}", "scores: {low: 0, mid: 70, high: 100}")
    result = diff(scored(old), scored(new))
    moves = moves_of(result)
    assert moves["A.c1"].cause == "rules" and moves["A.c1"].rules == ["A.c1.r2"]
    assert moves["overall"].rules == ["A.c1.r2"]
    assert result.rule_changes == ["A.c1.r2"]


def test_fact_and_rule_change_and_tier_crossing(pair):
    old, new = pair
    edit(new / "rules/goals/a.yaml", "scores: {low: 0, mid: 50, high: 100}", "scores: {low: 0, mid: 10, high: 100}")
    edit(new / "profiles/NOR.yaml", "value: 5, as_of: 2019-05-01", "value: 1, as_of: 2019-05-01")
    result = diff(scored(old), scored(new))
    overall = moves_of(result)["overall"]
    assert overall.cause == "facts and rules"
    assert (overall.old_tier, overall.new_tier) == ("mid", "low")
    assert overall.new_score == pytest.approx((2 * (130 / 4 + 10) / 2 + (100 * 10) ** 0.5) / 3)
    row = next(line for line in renderer("table")(diff_view(result)).splitlines() if line.startswith("overall"))
    # score, change, expected (the mini rule set estimates nothing: the same as the score), tier
    assert row.split()[:11] == ["overall", "63.3", "→", "24.7", "-38.6", "63.3", "→", "24.7", "mid", "→", "low"]


def test_added_and_removed_countries(pair):
    old, new = pair
    (new / "profiles/FRA.yaml").unlink()
    shutil.copy(MINI / "profiles/NOR.yaml", new / "profiles/SWE.yaml")
    edit(new / "profiles/SWE.yaml", "country: NOR", "country: SWE")
    result = diff(scored(old), scored(new))
    assert [(c.country, c.status) for c in result.countries] == [("FRA", "removed"), ("SWE", "added")]
    assert result.unchanged == ["NOR"]
    added = result.countries[1]
    assert added.new_rank == 1 and added.old_rank is None  # SWE ties NOR's score: they share a place, as run ranks


def test_nothing_from_rounding_alone(pair):
    old, new = pair
    a, b = scored(old), scored(new)
    b.countries["NOR"]["result"]["score"] += 1e-12
    assert diff(a, b).countries == []


def test_outputs_on_disk_and_markdown_for_a_pull_request(pair, tmp_path: Path):
    old, new = pair
    edit(new / "profiles/NOR.yaml", "value: mid, as_of: 2019-05-01", "value: high, as_of: 2019-05-01")
    for root, out in ((old, tmp_path / "out-old"), (new, tmp_path / "out-new")):
        write_outputs(assess.score(assess.load_workspace(root / "rules", root / "profiles"), 2024), out)
    result = CliRunner().invoke(main, ["diff", str(tmp_path / "out-old/mini/2024"), str(tmp_path / "out-new/mini/2024"),
                                       "--format", "markdown"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "## 1 country changed, 1 unchanged (0 added, 0 removed); 0 rule-set parts changed; largest move: NOR A.c1 +37.5 (facts)"
    assert "<details><summary>NOR Norway: 3 moves</summary>" in lines
    assert any(line.startswith("| A.c1 ") and "lvl: mid (2019-05-01) → high (2019-05-01)" in line for line in lines)


def test_fail_above_gates_ci(pair, tmp_path: Path):
    old, new = pair
    edit(new / "rules/goals/a.yaml", "scores: {low: 0, mid: 50, high: 100}", "scores: {low: 0, mid: 70, high: 100}")
    args = ["diff", "--rules-old", str(old / "rules"), "--rules-new", str(new / "rules"), "--profiles", str(new / "profiles")]
    passed = CliRunner().invoke(main, [*args, "--fail-above", "50"])
    assert passed.exit_code == 0 and passed.stderr == ""
    failed = CliRunner().invoke(main, ["-q", *args, "--fail-above", "5"])
    assert failed.exit_code == 1
    # which moves crossed the threshold, one line each on stderr, even with -q; the diff itself on stdout
    moved = [m for m in assess.diff_rules(old / "rules", new / "rules", new / "profiles", None).moves() if m.size > 5]
    lines = failed.stderr.splitlines()
    assert moved and lines[0] == f"{len(moved)} move(s) above 5 points:" and len(lines) == len(moved) + 1
    assert all(line.startswith(f"  {m.country} {m.node}: ") and line.endswith(f"({m.delta:+.1f}; rules)")
               for line, m in zip(lines[1:], moved, strict=True))
    assert "  NOR A.c1: 62.5 → 77.5 (+15.0; rules)" in lines and "above 5 points" not in failed.stdout
    unexplained = CliRunner().invoke(main, [*args, "--fail-above", "5", "--only-unexplained"])
    assert unexplained.exit_code == 1 and "unexplained move(s) above 5 points:" in unexplained.stderr  # rules, no facts


def test_years_of_one_workspace():
    result = CliRunner().invoke(main, ["diff", "--from", "2019", "--to", "2024", "--rules", str(MINI / "rules"),
                                       "--profiles", str(MINI / "profiles"), "--format", "json"])
    assert result.exit_code == 0 and '"cause": "facts"' in result.output


def test_rules_old_from_git_head(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    repo = tmp_path / "repo"
    shutil.copytree(MINI, repo)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "rules"], cwd=repo, check=True)
    edit(repo / "rules/goals/a.yaml", "weight: 3", "weight: 1")
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(main, ["diff", "--rules-old", "HEAD", "--profiles", "profiles", "--year", "2024"])
    assert result.exit_code == 0, result.output
    assert "rule-set parts changed: A.c1.r2" in result.output


def test_an_older_rule_set_reads_profiles_that_hold_facts_it_does_not_declare(pair):
    old, new = pair
    catalogue = new / "rules/facts.yaml"
    catalogue.write_text(catalogue.read_text() + "  z: {description: A fact added later., type: boolean}\n")
    edit(new / "profiles/NOR.yaml", "facts:\n", "facts:\n  z:\n    - {value: true, as_of: 2020-01-01, source: test}\n")
    result = CliRunner().invoke(main, ["diff", "--rules-old", str(old / "rules"), "--rules-new", str(new / "rules"),
                                       "--profiles", str(new / "profiles"), "--year", "2024"])
    assert result.exit_code == 0, result.output
    assert "fact:z" in result.output


def test_bad_output_folder_is_reported(tmp_path: Path):
    (tmp_path / "manifest.json").write_text('{"stamp": {},\n "files": [}')
    result = CliRunner().invoke(main, ["diff", str(tmp_path), str(tmp_path)])
    assert result.exit_code == 2 and result.output.startswith(f"{tmp_path}/manifest.json:2:12: error: invalid JSON")


def test_a_re_dated_or_re_sourced_value_is_evidence_not_a_cause(pair):
    old, new = pair
    # the same value, with another source and a later date, alongside a real change of lvl
    edit(new / "profiles/NOR.yaml", 'value: false, as_of: 2018-01-01, source: "test source 1"',
         'value: false, as_of: 2018-02-01, source: "another source"')
    edit(new / "profiles/NOR.yaml", "value: mid, as_of: 2019-05-01", "value: high, as_of: 2019-05-01")
    moves = moves_of(diff(scored(old, 2019), scored(new, 2019)))
    assert sorted(moves) == ["A.c1"]  # goal A stays capped at 30 (a is false)
    assert [f.fact for f in moves["A.c1"].facts] == ["lvl"]
    assert [f.fact for f in moves["A.c1"].evidence] == ["a"] and moves["A.c1"].cause == "facts"


def test_a_rule_coming_into_its_window_is_the_cause(pair):
    old, new = pair
    edit(new / "rules/goals/b.yaml", "      - id: r5\n", "      - id: r5\n        applies_from: 2020-01-01\n"
         "        applicability: The survey question was first asked in 2020.\n")
    early = diff(scored(old, 2019), scored(new, 2019))
    assert moves_of(early)["B.c3"].new_score is None  # the rule is outside its window in 2019
    later_old, later_new = scored(new, 2019, "2019"), scored(new, 2024, "2024")
    moves = moves_of(diff(later_old, later_new))
    assert moves["B.c3"].applicability == ["B.c3.r5 rule became applicable"]
    assert "rule became applicable" in moves["B.c3"].causes and not moves["B.c3"].facts


OC_INDEX = Path(__file__).parents[2] / "examples" / "oc-index"


@pytest.fixture(scope="module")
def oc_editions():
    workspace = assess.load_workspace(OC_INDEX / "rules", OC_INDEX / "country_profiles")
    return diff(from_assessment(assess.score(workspace, 2021), "2021"), from_assessment(assess.score(workspace, 2023), "2023"))


def test_moves_read_in_the_published_units_and_direction(oc_editions):
    """Criminality is published 1-10 with higher worse: China's rose 6.01 -> 6.37, so the move is +0.35
    (at full precision), though the capacity inside fell."""
    move = next(m for m in oc_editions.moves() if (m.country, m.node) == ("CHN", "criminality"))
    assert (move.old_shown, move.new_shown) == (move.old_published, move.new_published)
    assert move.delta == pytest.approx(move.new_published - move.old_published) and move.delta > 0
    assert move.new_score < move.old_score  # the 0-100 capacity score moved the other way
    assert move.size == pytest.approx(abs(move.delta))
    assert move_line(move, oc_editions.new.publication).startswith("CHN criminality: 6.01 → 6.37 (+0.35; facts")
    data = move.to_json()
    assert data["delta"] == move.delta and data["old_published"] == move.old_published


def test_every_format_prints_moves_as_published(oc_editions):
    view = diff_view(oc_editions)
    table = renderer("table")(view)
    assert "criminality                   6.01 → 6.37  +0.35" in table
    record = next(r for r in view.records or [] if (r["country"], r["level"]) == ("CHN", "criminality"))
    assert record["old_score"] == pytest.approx(6.01, abs=0.005) and record["delta"] > 0


def test_a_rule_set_without_units_of_its_own_keeps_its_scores(pair):
    old, new = pair
    edit(new / "profiles/NOR.yaml", "value: mid, as_of: 2019-05-01", "value: high, as_of: 2019-05-01")
    result = diff(scored(old), scored(new))
    assert result.moves()
    for move in result.moves():
        assert (move.old_shown, move.new_shown) == (move.old_score, move.new_score)
        assert "old_published" not in move.to_json()


def test_an_unknown_fact_whose_prior_changed_is_named_where_it_moved_the_estimate(pair):
    old, new = pair
    # FRA's `a` is unknown on both sides; only its declared prior changes
    edit(new / "rules/facts.yaml", "a: {description: A boolean capacity., type: boolean}",
         "a: {description: A boolean capacity., type: boolean, estimate: {method: prior, "
         "prior: [{value: true, p: 0.9}, {value: false, p: 0.1}], rationale: An assumption.}}")
    moves = moves_of(diff(scored(old), scored(new)), "FRA")
    assert sorted(moves) == ["A", "A.c1"]  # the levels that read `a`; nothing else moved
    for move in moves.values():
        assert move.priors == ["a: not estimated → declared prior"] and not move.facts
        assert move.rules == ["fact:a"] and move.causes == ["rules", "priors"]
