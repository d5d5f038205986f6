"""The third example reproduces a published index from its raw indicator data: ``examples/bipa-tax``.

The Blavatnik Index of Public Administration 2024, theme "Tax administration" (12 metrics, 3
indicators, 1 theme, 119 countries): the rule set's facts are the raw ISORA and Doing Business
inputs, the ratios are derived facts, every metric is scaled over the assessed cohort, and each
level averages its children's rounded values. Every one of the 1,735 published values, and every
published rank, must come out of the engine to the digit.
"""

import csv
import json
from collections import Counter

import pytest

import assess
from helpers import REPO, invoke

BIPA = REPO / "examples" / "bipa-tax"
PUBLISHED = list(csv.DictReader((BIPA / "published.csv").open(newline="")))


@pytest.fixture(scope="module")
def assessment() -> assess.Assessment:
    workspace = assess.load_workspace(BIPA / "rules", BIPA / "country_profiles")
    return assess.score(workspace, 2024, draws=0)  # BIPA estimates nothing: a missing metric drops out


@pytest.fixture(scope="module")
def computed(assessment) -> dict[tuple[str, str], float | None]:
    """(country, metric, indicator or theme id) -> the engine's published value, rounded as declared."""
    return {(c.country, node.id.rsplit(".", 1)[-1]): assessment.publication.number(node.published_score)
            for c in assessment.countries for node in c.overall.walk() if node.kind != "overall"}


def test_the_published_table_holds_1735_values_of_119_countries():
    assert Counter(row["level"] for row in PUBLISHED) == {"metric": 1260, "indicator": 356, "theme": 119}
    assert len({row["iso3"] for row in PUBLISHED}) == 119 == len(list((BIPA / "country_profiles").glob("*.yaml")))


def test_every_published_value_is_reproduced(computed):
    wrong = [(row["iso3"], row["name"], row["value"], computed.get((row["iso3"], row["name"])))
             for row in PUBLISHED if computed.get((row["iso3"], row["name"])) != float(row["value"])]
    assert wrong == []
    # and nothing is computed that BIPA did not publish (a metric without a valid value has none)
    published = {(row["iso3"], row["name"]) for row in PUBLISHED}
    assert [key for key, value in computed.items() if value is not None and key not in published] == []


def test_every_published_rank_is_reproduced(assessment, computed):
    """Ranks of every metric, indicator and the theme: highest first, ties sharing the place (R's
    ``rank(-x, ties.method = "min")``), as the engine ranks published values."""
    wrong = []
    for name in sorted({row["name"] for row in PUBLISHED}):
        values = {code: value for (code, level), value in computed.items() if level == name and value is not None}
        ranks = assessment.publication.ranks(values)
        wrong += [(row["iso3"], name, row["rank"], ranks[row["iso3"]])
                  for row in PUBLISHED if row["name"] == name and ranks[row["iso3"]] != int(row["rank"])]
    assert wrong == []


@pytest.mark.parametrize("level", ["natdel_tax", "natdel_tax.tax_organisation", "natdel_tax.tax_compliance",
                                   "natdel_tax.tax_digital"])
def test_the_theme_and_each_indicator_rank_as_published(assessment, level):
    """The theme is the goal (it ranks by default: no overall) and the indicators are headline groups."""
    published = {row["iso3"]: int(row["rank"]) for row in PUBLISHED if row["name"] == level.rsplit(".", 1)[-1]}
    assert assessment.ranks(None if level == "natdel_tax" else level) == published


def test_the_theme_ranks_as_published_from_the_cli(tmp_path):
    args = ["-q", "run", "--year", "2024", "--draws", "0", "--rules", str(BIPA / "rules"),
            "--profiles", str(BIPA / "country_profiles"), "--out", str(tmp_path)]
    rows = {row["country"]: row for row in csv.DictReader(invoke(*args, "--format", "csv").output.splitlines())}
    theme = {row["iso3"]: row for row in PUBLISHED if row["level"] == "theme"}
    assert {code: float(row["natdel_tax_published_rounded"]) for code, row in rows.items()} == {
        code: float(row["value"]) for code, row in theme.items()}
    traces = {c["country"]: c["result"] for c in json.loads(invoke(*args, "--format", "json").output)["countries"]}
    assert traces["CMR"]["goals"][0]["published_rounded"] == float(theme["CMR"]["value"])


def test_kosovo_is_a_country_iso_does_not_list_and_counts_in_the_cohort(assessment):
    kosovo = next(c for c in assessment.countries if c.country == "XKK")
    assert (kosovo.name, kosovo.kind, kosovo.parent) == ("Kosovo", "country", None)
    assert kosovo.overall.children[0].published is not None


def test_explain_reads_in_the_index_s_own_units_with_its_decimals(assessment):
    """A 0-1 index: scores, estimates and points in its units at two decimals, never on 0-100."""
    from assess.render.views import explain_view

    britain = next(c for c in assessment.countries if c.country == "GBR")
    view = explain_view(britain)
    theme = britain.goals[0]
    heading, table = view.sections[0]
    assert f"expected {assessment.publication.text(theme.published_score)}" in heading
    admin = next(row for row in table.rows if row[0].endswith("tax_admincost"))
    assert admin[1] == admin[2] == "0.90" and admin[4] == "0.15"  # 1/6 of the theme at 0.90
    points = [record["points"] for record in view.records if record["points"] is not None]
    # BIPA averages its metrics' rounded values: the points (of unrounded scores) add up to within
    # half a hundredth of the theme
    assert sum(points) == pytest.approx(theme.published_score, abs=0.005)
