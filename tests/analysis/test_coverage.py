"""Strategy coverage: generated from strategy.yaml and the rules, failing check on an uncovered item."""

from pathlib import Path

from helpers import REPO, SHIPPED_RULES, invoke, shipped_args, workspace_args

STRATEGY = """items:
  S1:
    seed: mini.txt
    section: "SECTION ONE: CONTROLS"
    quote: "control things as a class"
    partner_facing: true
    implemented_by: [A.c1.r1, fix_a]
  S2:
    seed: mini.txt
    section: "SECTION TWO: DATA"
    quote: "survey often"
    partner_facing: true
    implemented_by: [survey]
  S3:
    seed: mini.txt
    section: "SECTION ONE: CONTROLS"
    quote: "keep levels high"
    partner_facing: true
"""


def test_the_committed_coverage_table_is_the_generated_one():
    result = invoke("-q", "check", "--coverage", *shipped_args(), "--format", "markdown")
    assert result.exit_code == 0
    assert (SHIPPED_RULES / "COVERAGE.md").read_text() == result.output, \
        "run: assess -q check --coverage --format markdown > rules/synthetic-drugs-2019/COVERAGE.md"


def test_the_shipped_rules_cover_the_strategy_targets():
    from assess.analysis.coverage import strategy_coverage
    from assess.engine.workspace import load_ruleset

    coverage = strategy_coverage(load_ruleset(SHIPPED_RULES, []))
    covered, total = coverage.share({"assessed and offered", "assessed", "offered"})
    assert covered / total >= 0.8 and total >= 100
    para_58 = next(item for item in coverage.items if item.id == "INCB-58")
    assert para_58.status == "assessed and offered" and "G4.prevention.social_media_campaigns" in para_58.assessed_by


def test_an_item_nothing_implements_fails_check_until_a_reason_is_given(mini: Path):
    (mini / "rules" / "strategy.yaml").write_text(STRATEGY)
    result = invoke("check", *workspace_args(mini), "--coverage")
    assert result.exit_code == 1 and "uncovered-item strategy.yaml:S3" in result.output
    assert "Strategy coverage: 2 of 3 partner-facing items assessed or offered (67%)" in result.output
    plain = invoke("check", *workspace_args(mini))
    assert plain.exit_code == 1 and "uncovered-item" in plain.output
    (mini / "rules" / "strategy.yaml").write_text(STRATEGY + '    reason: "covered by the level rule elsewhere"\n')
    assert invoke("check", *workspace_args(mini), "--coverage").exit_code == 0


def test_an_implementer_must_cite_the_items_document(mini: Path):
    strategy = "false".join(STRATEGY.replace("implemented_by: [survey]", "implemented_by: [fix_a]").rsplit("true", 1))
    (mini / "rules" / "strategy.yaml").write_text(strategy)
    assert invoke("check", *workspace_args(mini), "--coverage").exit_code == 0  # fix_a cites mini.txt
    (mini / "rules" / "seeds" / "other.txt").write_text("SECTION TWO: DATA\nCountries should survey often.\n")
    (mini / "rules" / "strategy.yaml").write_text(strategy.replace("seed: mini.txt\n    section: \"SECTION TWO",
                                                                   "seed: other.txt\n    section: \"SECTION TWO"))
    result = invoke("check", *workspace_args(mini), "--coverage")
    assert result.exit_code == 1 and "'fix_a' implements this item but cites nothing of other.txt" in result.output


def test_a_rule_set_without_strategy_items_says_so():
    result = invoke("check", *workspace_args(), "--coverage")
    assert result.exit_code == 2 and "has no strategy.yaml" in result.output
    assert REPO.is_dir()
