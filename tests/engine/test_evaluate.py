"""Scoring with hand-computed expected numbers, on the mini rule set."""

import math

import pytest

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
    assert result.overall.tier == "mid"  # exactly on the goalpost
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
