"""Cohort methods by hand: goalposts from the cohort, z-scores, winsorisation and imputation, over the
fixture rule set ``tests/fixtures/cohort`` (a copy of mini): n is known for FRA 2, DEU 4, NOR 10 in
2019 (SWE's 20 from 2020); w is 1, 2, 3, 4 and ITA's outlier 100; g is FRA 3, DEU 5, SWE 10, with
NOR (north) and ITA (west) unknown and imputed."""

import math

import pytest

import assess
from assess.analysis.diff import diff, from_assessment
from assess.engine.cohort import CohortSpec, Winsorise, cohort_stats
from assess.engine.compile import compile_workspace
from assess.engine.evaluate import assess as assess_year
from assess.engine.evaluate import explain_country
from assess.engine.values import UNKNOWN
from helpers import FIXTURES

COHORT = FIXTURES / "cohort"


@pytest.fixture(scope="module")
def workspace() -> assess.Workspace:
    return assess.load_workspace(COHORT / "rules", COHORT / "profiles")


def rule_scores(workspace: assess.Workspace, year: int, rule: str) -> dict[str, float | None]:
    assessment = assess_year(workspace, year, draws=0)
    return {country.country: next(node.score for node in country.overall.walk() if node.id == f"A.c.{rule}")
            for country in assessment.countries}


def test_min_max_over_three_entities_maps_the_least_to_0_and_the_most_to_100(workspace):
    assert rule_scores(workspace, 2019, "minmax") == {"DEU": 25.0, "FRA": 0.0, "ITA": None, "NOR": 100.0, "SWE": None}


def test_a_grouping_cohort_takes_only_its_members_and_clamps_the_others(workspace):
    # the reference group is FRA (2) and DEU (4): NOR's 10 is beyond its best goalpost
    assert rule_scores(workspace, 2019, "reference") == {"DEU": 100.0, "FRA": 0.0, "ITA": None, "NOR": 100.0,
                                                         "SWE": None}


def test_z_scores_use_the_cohorts_mean_and_population_sd(workspace):
    mean, sd = 16 / 3, math.sqrt(((2 - 16 / 3) ** 2 + (4 - 16 / 3) ** 2 + (10 - 16 / 3) ** 2) / 3)
    scores = rule_scores(workspace, 2019, "z")
    for code, n in (("FRA", 2), ("DEU", 4), ("NOR", 10)):
        assert scores[code] == pytest.approx(50 + 50 * (n - mean) / sd / 2)


def test_winsorisation_changes_only_the_outliers():
    stats = cohort_stats("test", 2019, [4, 1, 100, 3, 2], CohortSpec(winsorise=Winsorise(low=0, high=80)))
    assert not isinstance(stats, str)
    # p80 of 1, 2, 3, 4, 100 interpolates between 4 and 100: 4 + 0.2 * 96
    assert stats.winsorised == (1.0, pytest.approx(23.2)) and stats.values[:4] == (1, 2, 3, 4)
    assert stats.values[4] == pytest.approx(23.2) and stats.clip(2.5) == 2.5 and stats.clip(500) == pytest.approx(23.2)


def test_winsorised_scores_read_the_outlier_at_its_bound(workspace):
    scores = rule_scores(workspace, 2019, "winsorised")
    assert scores["ITA"] == 100.0 and scores["FRA"] == 0.0
    assert scores["DEU"] == pytest.approx(100 / 22.2)


def test_winsorisation_only_when_skewed_and_heavy_tailed():
    when_skewed = CohortSpec.model_validate({"winsorise": {"low": 5, "high": 95, "when_skewed": {}}})
    skewed = cohort_stats("test", 2019, [1, 2, 3, 4, 100], when_skewed)  # skewness 2.23, kurtosis 4.99
    even = cohort_stats("test", 2019, [1, 2, 3, 4, 5], when_skewed)
    assert not isinstance(skewed, str) and skewed.winsorised is not None and "skewness 2.23" in skewed.why_winsorised
    assert not isinstance(even, str) and even.winsorised is None and even.values == (1, 2, 3, 4, 5)


def test_too_few_distinct_known_values_give_no_score_with_a_reason(workspace):
    assert cohort_stats("test", 2019, [3, 3, 3], CohortSpec()) == \
        "the cohort test 2019 has 1 distinct known value (at least 2 needed)"
    assert cohort_stats("test", 2019, [0, 1e-300], CohortSpec()) == \
        "the known values of the cohort test 2019 have no spread a score can be set on"  # never a division by zero
    result = explain_country(workspace, "FRA", 2018, draws=0)  # nothing is known in 2018
    rule = next(node for node in result.overall.walk() if node.id == "A.c.minmax")
    assert rule.score is None and (rule.low, rule.high) == (0.0, 100.0) and not rule.exact_bounds
    assert rule.why == ("the cohort all assessed entities 2018 has 0 distinct known values (at least 2 needed): "
                        "not assessed")
    assert rule.cohort == {"reason": "the cohort all assessed entities 2018 has 0 distinct known values "
                                     "(at least 2 needed)"}


def test_explain_shows_the_cohort_statistics(workspace):
    result = explain_country(workspace, "DEU", 2019, draws=0)
    rules = {node.id: node for node in result.overall.walk() if node.kind == "rule"}
    assert rules["A.c.minmax"].why == ("n = 4: 25.0 points (goalposts min 2 to max 10; cohort all assessed entities "
                                       "2019: 3 known, min 2, max 10)")
    assert rules["A.c.winsorised"].cohort is not None and rules["A.c.winsorised"].cohort["winsorised"] == [
        1.0, pytest.approx(23.2)]
    assert rules["A.c.z"].to_json()["cohort"]["size"] == 3


def test_an_unknown_is_imputed_by_its_groups_mean_else_the_cohorts_and_reported_as_imputed(workspace):
    # ITA (west): FRA 3 and DEU 5 are known, the group's mean; NOR (north): only SWE is known, fewer
    # than min_group 2, so the mean of every known value (3, 5, 10)
    assert rule_scores(workspace, 2019, "staff") == {"DEU": 50.0, "FRA": 30.0, "ITA": 40.0, "NOR": 60.0, "SWE": 100.0}
    result = explain_country(workspace, "ITA", 2019, draws=0)
    read = next(node for node in result.overall.walk() if node.id == "A.c.staff").facts[0]
    assert read.value is UNKNOWN
    assert read.to_json()["imputed"] == {"value": 4.0, "origin": "mean, region west, 2 known"}
    assert read.value_text() == "unknown, imputed 4 (mean, region west, 2 known)"


def test_imputed_values_are_no_part_of_a_cohort(workspace):
    cohorts = compile_workspace(workspace).cohorts
    assert cohorts is not None and cohorts.known("g", 2019) == {"FRA": 3.0, "DEU": 5.0, "SWE": 10.0}


def test_diff_attributes_a_move_to_the_cohort_when_the_entitys_own_facts_did_not_change(workspace):
    moved = diff(from_assessment(assess_year(workspace, 2019, draws=0), "2019"),
                 from_assessment(assess_year(workspace, 2020, draws=0), "2020"))
    causes = {move.country: move.cause for move in moved.moves() if move.node == "overall"}
    assert causes == {"DEU": "cohort changed", "FRA": "cohort changed", "NOR": "cohort changed", "SWE": "facts"}
    deu = next(move for move in moved.moves() if move.country == "DEU" and move.node == "overall")
    assert deu.cohort[0] == ("A.c.minmax: all assessed entities, 3 known, min 2, max 10, mean 5.33333 → "
                             "all assessed entities, 4 known, min 2, max 20, mean 9")


def test_the_same_inputs_give_the_same_bytes(workspace):
    first = [c.to_json() for c in assess_year(workspace, 2019, draws=0).countries]
    again = assess.load_workspace(COHORT / "rules", COHORT / "profiles")
    assert first == [c.to_json() for c in assess_year(again, 2019, draws=0).countries]
