"""Scoring with hand-computed expected numbers, on the mini rule set."""

import math
from pathlib import Path

import pytest
import yaml

import assess
from assess.engine.values import UNKNOWN


def node(result, ident):
    return next(n for n in result.overall.walk() if n.id == ident)


def test_norway_2024_hand_computed(mini_workspace):
    result = assess.explain(mini_workspace, "NOR", 2024)
    # c1: (1*100 + 3*50)/4; c2: min(5/10, 2/3)*100; A: mean of c1, c2
    assert node(result, "A.c1").score == pytest.approx(62.5)
    assert node(result, "A.c2").score == pytest.approx(50.0)
    assert node(result, "A").score == pytest.approx(56.25)
    # B: geometric mean of 100 (survey within 5 years) and 60 (second case)
    assert node(result, "B").score == pytest.approx(math.sqrt(100 * 60))
    assert result.score == pytest.approx((2 * 56.25 + math.sqrt(6000)) / 3)
    assert result.overall.tier == "mid"
    assert result.overall.coverage == 1.0


def test_norway_2019_cap_coverage_and_as_of(mini_workspace):
    result = assess.explain(mini_workspace, "NOR", 2019)
    # a is false as of 2018 (the true value is dated 2024-12-31), so the cap binds at 30
    assert node(result, "A.c1.r1").score == 0.0
    assert node(result, "A").score == 30.0
    (cap,) = node(result, "A").caps_applied
    assert cap.binding and cap.max_score == 30
    # the survey is dated 2021: unknown in 2019, so c3 has no data and B stands on c4 alone
    assert node(result, "B.c3").status == "insufficient_data"
    assert node(result, "B").coverage == 0.5
    assert node(result, "B").score == 60.0
    assert result.score == pytest.approx(40.0)
    # the survey could turn out to be older than five years (B.c3 at 0, so B at 0): the low bound is
    # (2 x 30 + 0) / 3 = 20, which earns "low"; at best B.c3 is 100 and B is sqrt(100 x 60)
    assert result.overall.low == pytest.approx(20.0)
    assert result.overall.high == pytest.approx((2 * 30 + math.sqrt(6000)) / 3)
    assert result.overall.tier == "low"
    assert result.overall.coverage == pytest.approx((2 * 1 + 1 * 0.5) / 3)


def test_unknown_is_not_false_and_low_coverage_is_insufficient(mini_workspace):
    result = assess.explain(mini_workspace, "FRA", 2024)
    r1 = node(result, "A.c1.r1")
    assert r1.score is None and r1.facts[0].value is UNKNOWN
    assert node(result, "A.c1").score == 100.0 and node(result, "A.c1").coverage == 0.75
    assert node(result, "A").status == "insufficient_data"  # 0.375 < 0.5
    assert result.score is None and result.overall.tier == "insufficient_data"
    assert result.overall.coverage == pytest.approx(0.25)


def test_effective_weights_and_contributions_add_up(mini_workspace):
    result = assess.explain(mini_workspace, "NOR", 2024)
    rules = result.rules()
    assert math.fsum(rule.effective_weight for rule in rules) == pytest.approx(1.0)
    # only goal A rolls up by arithmetic means all the way: its contributions sum to its share
    a_rules = [r for r in rules if r.id.startswith("A.c1")]
    assert math.fsum(r.contribution for r in a_rules) == pytest.approx(2 / 3 * 0.5 * 62.5)


def test_contributions_add_up_to_the_score_through_a_minimum_a_cap_and_a_geometric_mean(mini_workspace):
    result = assess.explain(mini_workspace, "NOR", 2019)
    # A (weight 2 of 3) = mean of c1 and c2, capped at 30; c2 = min(r3, r4) = r3's 50; B = geometric, c4 alone
    assert node(result, "A.c2.r3").contribution == pytest.approx(2 / 3 * 0.5 * 50)
    assert node(result, "A.c2.r4").contribution == 0.0  # not the binding child of the minimum
    (cap,) = node(result, "A").adjustments
    rolled = (node(result, "A.c1").score + node(result, "A.c2").score) / 2
    assert cap.reason == "cap" and cap.points == pytest.approx(30 - rolled)
    assert cap.contribution == pytest.approx(2 / 3 * cap.points)
    assert node(result, "A").contribution == pytest.approx(20.0) and node(result, "B").contribution == pytest.approx(20.0)
    points = [rule.contribution or 0.0 for rule in result.rules()] + [cap.contribution]
    assert math.fsum(points) == pytest.approx(result.score)


def test_interventions_only_when_short(mini_workspace):
    result = assess.explain(mini_workspace, "NOR", 2024)
    assert node(result, "A.c1.r1").interventions == []
    assert [i["id"] for i in node(result, "A.c1.r2").interventions] == ["fix_a"]


def test_facts_read_carry_source_and_date(mini_workspace):
    result = assess.explain(mini_workspace, "NOR", 2019)
    (read,) = node(result, "A.c1.r1").facts
    assert (read.value, read.source, read.as_of) == (False, "test source 1", "2018-01-01")


def test_default_year_is_latest_dated(mini_workspace):
    assert mini_workspace.latest_year() == 2024
    assert assess.score(mini_workspace).stamp.year == 2024


def test_unknown_country_is_a_usage_error(mini_workspace):
    with pytest.raises(assess.UsageError, match="no profile for 'XXX'"):
        assess.explain(mini_workspace, "XXX", 2024)


def test_a_rule_outside_its_window_neither_scores_nor_counts_against_coverage(mini):
    goal = mini / "rules/goals/b.yaml"
    goal.write_text(goal.read_text().replace("      - id: r5\n", "      - id: r5\n        applies_from: 2025-01-01\n"
                                             "        applicability: Not asked before 2025.\n"))
    result = assess.explain(assess.load_workspace(mini / "rules", mini / "profiles"), "NOR", 2024)
    rule, criterion = node(result, "B.c3.r5"), node(result, "B.c3")
    assert rule.status == "not_applicable" and rule.score is None and rule.share == 0.0
    assert rule.why == "not applicable as of 2024: applies from 2025-01-01 (Not asked before 2025.)"
    assert criterion.status == "not_applicable"
    # B stands on c4 alone, fully known: the window costs no coverage
    assert node(result, "B").score == 60.0 and node(result, "B").coverage == 1.0
    assert result.overall.coverage == 1.0


def test_bounds_hold_the_score_of_every_completion(mini_workspace):
    result = assess.explain(mini_workspace, "FRA", 2024)
    unknown = [r for r in result.rules() if r.status == "unknown"]
    assert unknown and all(r.low is not None and r.high is not None and r.low <= r.high for r in unknown)
    assert result.overall.low <= result.overall.high
    # fully known: every bound collapses onto the score
    for n in assess.explain(mini_workspace, "NOR", 2024).overall.walk():
        assert n.low == pytest.approx(n.score) and n.high == pytest.approx(n.score), n.id


def test_groups_nest_to_any_depth(mini):
    """Goal A's two criteria moved into one group score exactly as they did, one level deeper."""
    goal_a = mini / "rules/goals/a.yaml"
    data = yaml.safe_load(goal_a.read_text())
    data["criteria"] = [{"id": "outer", "title": "Outer", "criteria": data["criteria"]}]
    goal_a.write_text(yaml.safe_dump(data, sort_keys=False))
    result = assess.explain(assess.load_workspace(mini / "rules", mini / "profiles"), "NOR", 2024)
    assert node(result, "A.outer.c1.r1").score == 100.0
    assert node(result, "A.outer.c1").score == pytest.approx(62.5)
    assert node(result, "A.outer").score == node(result, "A").score == pytest.approx(56.25)
    assert [c["id"] for c in result.to_json()["result"]["goals"][0]["criteria"][0]["criteria"]] == ["A.outer.c1", "A.outer.c2"]


def test_a_goal_may_grade_itself_on_its_own_tiers(mini):
    goal = mini / "rules/goals/a.yaml"
    goal.write_text(goal.read_text().replace("weight: 2\n", "weight: 2\ntiers:\n  - {name: weak, min: 0}\n"
                                             "  - {name: sound, min: 55}\n"))
    result = assess.explain(assess.load_workspace(mini / "rules", mini / "profiles"), "NOR", 2024)
    assert node(result, "A").tier == "sound"  # 56.25 on A's own scale
    assert node(result, "B").tier == "high" and result.overall.tier == "mid"  # the rule set's tiers


def test_a_rule_set_on_the_default_scale_publishes_no_second_score(mini_workspace):
    """0-100, higher is better: the score is what is published, and the trace carries it once."""
    result = assess.explain(mini_workspace, "NOR", 2024)
    assert all(n.published is None and n.published_low is None for n in result.overall.walk())
    assert '"published' not in assess.api.to_json(result.to_json())


def test_a_group_may_publish_in_the_opposite_direction(mini):
    """Criterion c1 declared ``higher: worse`` is published mirrored (100 - 62.5); its rules with it;
    the goal it sits in, and the scores it aggregates into, are unchanged."""
    goal_a = mini / "rules/goals/a.yaml"
    goal_a.write_text(goal_a.read_text().replace("    title: Criterion one\n", "    title: Criterion one\n    higher: worse\n"))
    result = assess.explain(assess.load_workspace(mini / "rules", mini / "profiles"), "NOR", 2024)
    c1 = node(result, "A.c1")
    assert c1.score == pytest.approx(62.5) and c1.published == pytest.approx(37.5)
    assert node(result, "A.c1.r1").published == 0.0  # a rule that holds: no risk left
    assert node(result, "A.c2").published is None and node(result, "A").score == pytest.approx(56.25)


def test_a_value_outside_its_valid_range_scores_nothing(mini: Path):
    facts = mini / "rules" / "facts.yaml"
    facts.write_text(facts.read_text().replace("unit: sites}", "unit: sites, valid_range: {min: 6}}"))
    result = assess.explain(assess.load_workspace(mini / "rules", mini / "profiles"), "NOR", 2024, draws=0)
    rule = node(result, "B.c4.r6")  # reads n = 5, below the valid range: no score, not 10 points
    assert rule.score is None and rule.status == "unknown"
    assert rule.why == "5 is outside the valid range 6 to inf sites: no score"
    assert rule.to_json()["facts"][0]["invalid"] == rule.why and rule.facts[0].value == 5


def test_tiers_are_optional(mini: Path):
    ruleset = mini / "rules" / "ruleset.yaml"
    ruleset.write_text(ruleset.read_text().split("tiers:")[0])
    result = assess.explain(assess.load_workspace(mini / "rules", mini / "profiles"), "NOR", 2024, draws=0)
    assert result.score is not None and all(n.tier is None for n in result.overall.walk())


@pytest.mark.parametrize("rounding,tier", [("half_up", "strong"), ("half_even", "weak")])
def test_a_tier_is_reached_by_the_published_value(mini: Path, rounding: str, tier: str):
    """Goal A scores 56.25: published with one decimal it reads 56.3 half up (which reaches a tier at
    56.3) and 56.2 half even (which does not)."""
    ruleset, goal = mini / "rules" / "ruleset.yaml", mini / "rules" / "goals" / "a.yaml"
    ruleset.write_text(ruleset.read_text() + f"precision: 1\nrounding: {rounding}\n")
    goal.write_text(goal.read_text().replace("weight: 2\n", "weight: 2\ntiers:\n  - {name: weak, min: 0}\n"
                                                            "  - {name: strong, min: 56.3}\n"))
    result = assess.explain(assess.load_workspace(mini / "rules", mini / "profiles"), "NOR", 2024, draws=0)
    assert node(result, "A").score == pytest.approx(56.25) and node(result, "A").tier == tier
