"""The bundled example rule set reproduces a published composite index exactly.

``examples/oc-index`` writes GI-TOC's Global Organized Crime Index in the rule language (nested
groups, a 1-10 scale, a pillar where higher is worse, no overall, two decimals rounded half up,
indicators added in 2023). The imported table records, next to the indicators, the headline scores
GI-TOC published; every one of them must come out of the engine to the digit.
"""

import csv
import json

import pytest

import assess
from assess.api import ranked_by
from assess.engine.results import NodeResult
from helpers import REPO, invoke

OC_INDEX = REPO / "examples" / "oc-index"
HEADLINES = ("criminality", "criminal_markets", "criminal_actors", "resilience")


def published_headlines() -> list[tuple[str, int, str, str]]:
    with (OC_INDEX / "oc_index_2021_2025.csv").open(newline="") as table:
        return [(row["country"], int(row["as_of"][:4]), row["fact"], row["value"])
                for row in csv.DictReader(table) if row["fact"] in HEADLINES]


@pytest.fixture(scope="module")
def oc_index() -> assess.Workspace:
    return assess.load_workspace(OC_INDEX / "rules", OC_INDEX / "country_profiles")


@pytest.fixture(scope="module")
def editions(oc_index) -> dict[int, assess.Assessment]:
    return {year: assess.score(oc_index, year) for year in (2021, 2023, 2025)}


def node(assessment: assess.Assessment, country: str, node_id: str) -> NodeResult:
    result = next(c for c in assessment.countries if c.country == country)
    return next(n for n in result.overall.walk() if n.id.rsplit(".", 1)[-1] == node_id)


def test_the_table_holds_every_headline_of_six_countries_in_three_editions():
    assert len(published_headlines()) == 6 * 3 * len(HEADLINES)


@pytest.mark.parametrize("country,edition,headline,value", published_headlines())
def test_every_published_headline_score_is_reproduced(editions, country, edition, headline, value):
    assessment = editions[edition]
    computed = node(assessment, country, headline)
    assert assessment.publication.text(computed.published) == value


def test_criminality_is_published_in_its_own_direction(editions):
    """Higher criminality is worse: the internal 0-100 capacity score is mirrored back to 1-10."""
    mexico = node(editions[2025], "MEX", "criminality")
    assert mexico.published > 7 and mexico.score < 30
    assert mexico.published == pytest.approx(10 - 9 * mexico.score / 100)


def test_indicators_added_in_2023_neither_score_nor_count_before(editions):
    before, after = (node(editions[year], "MEX", "cyber_dependent_crimes") for year in (2021, 2023))
    assert before.status == "not_applicable" and after.score is not None
    assert node(editions[2021], "MEX", "criminality").coverage == 1.0


def test_no_overall_is_published_and_the_first_goal_ranks(editions):
    assessment = editions[2025]
    assert assessment.rank_by == "criminality"
    assert all(c.overall.published is None for c in assessment.countries)
    by_criminality = [c.country for c in assessment.ranked()]
    published = [node(assessment, code, "criminality").published for code in by_criminality]
    assert published == sorted(published, reverse=True)  # as GI-TOC ranks it: the most criminality first
    assert by_criminality == ["COL", "MEX", "NGA", "CHN", "USA", "NLD"]
    by_resilience = [c.country for c in ranked_by(assessment, "resilience").ranked()]
    assert by_resilience == ["NLD", "USA", "CHN", "COL", "NGA", "MEX"]  # Colombia: more crime, more resilience


def test_groups_are_written_as_criteria_and_rules_as_rules(editions):
    country = next(c for c in editions[2025].countries if c.country == "NLD").to_json()
    criminality, resilience = country["result"]["goals"]
    assert [group["id"] for group in criminality["criteria"]] == ["criminality.criminal_markets", "criminality.criminal_actors"]
    assert "rules" in resilience and "criteria" not in resilience


def test_the_2021_edition_is_complete_and_every_source_can_be_opened(oc_index):
    report = assess.check(oc_index, 2021)
    assert report.findings == [] and report.data_gaps == [] and report.weak_sources == []
    assert set(report.coverage.values()) == {1.0}


def test_the_rule_set_keeps_its_declared_properties(oc_index):
    report = assess.check_properties(oc_index, examples=20, seed=1)
    assert report.failures == [] and len(report.checked) == 8


def test_explain_names_the_missing_overall_and_reads_weights_within_each_goal():
    result = invoke("explain", "MEX", "--year", "2025", "--rules", str(OC_INDEX / "rules"),
                    "--profiles", str(OC_INDEX / "country_profiles"))
    lines = result.output.splitlines()
    assert lines[0] == "Mexico (MEX) as of 2025: no overall score (the rule set publishes its goals only)"
    assert "criminality Criminality: 7.68 (—, coverage 100%); expected 7.68" in lines  # no tiers declared
    resilience_rule = next(line for line in lines if line.startswith("political_leadership_and_governance "))
    assert " 3.50 " in resilience_rule and " 8.3% " in resilience_rule  # one of 12 equal indicators


def test_run_ranks_by_another_goal_on_request(tmp_path):
    args = ["-q", "run", "--year", "2025", "--rules", str(OC_INDEX / "rules"),
            "--profiles", str(OC_INDEX / "country_profiles"), "--out", str(tmp_path)]
    by_default, by_resilience = invoke(*args), invoke(*args, "--rank-by", "resilience")
    assert "ranked by criminality" in by_default.output and "ranked by resilience" in by_resilience.output
    assert by_default.output.index("Colombia") < by_default.output.index("Mexico")  # the most criminality first
    assert by_resilience.output.index("Colombia") < by_resilience.output.index("Mexico")
    ties = [line.split()[:2] for line in by_resilience.output.splitlines() if line.split()[1:2] in (["COL"], ["NGA"], ["MEX"])]
    assert ties == [["4", "COL"], ["4", "NGA"], ["6", "MEX"]]  # 5.46 and 5.46 share fourth place (competition)
    by_markets = invoke(*args, "--rank-by", "criminality.criminal_markets")
    assert by_markets.output.splitlines()[3].split()[:2] == ["1", "MEX"]  # a headline group ranks too: 8.27
    misspelt = invoke(*args, "--rank-by", "resilienc")
    assert misspelt.exit_code == 2
    assert "unknown goal 'resilienc'; did you mean 'resilience'?" in misspelt.output


@pytest.mark.parametrize("edition", [2021, 2023, 2025])
def test_every_headline_is_published_rounded_in_csv_and_json(tmp_path, edition):
    """The markets and actors averages are groups, not goals: CSV and JSON carry each level's published
    value, rounded as GI-TOC rounds it, beside full precision; every one is the publisher's."""
    args = ["-q", "run", "--year", str(edition), "--rules", str(OC_INDEX / "rules"),
            "--profiles", str(OC_INDEX / "country_profiles"), "--out", str(tmp_path)]
    rows = {row["country"]: row for row in csv.DictReader(invoke(*args, "--format", "csv").output.splitlines())}
    traces = {c["country"]: c["result"] for c in json.loads(invoke(*args, "--format", "json").output)["countries"]}
    ids = {"criminality": "criminality", "resilience": "resilience", "criminal_markets": "criminality.criminal_markets",
           "criminal_actors": "criminality.criminal_actors"}
    published = [(country, headline, value) for country, year, headline, value in published_headlines() if year == edition]
    for country, headline, value in published:
        assert float(rows[country][f"{ids[headline]}_published_rounded"]) == float(value)
        node = next(n for n in _walk(traces[country]) if n["id"] == ids[headline])
        assert node["published_rounded"] == float(value)
        assert node["published"] == pytest.approx(float(value), abs=0.0051)  # full precision beside it


def _walk(trace: dict) -> list[dict]:
    return [trace, *(n for key in ("goals", "criteria", "rules") for child in trace.get(key, []) for n in _walk(child))]


def test_diff_ranks_each_edition_as_run_does_in_the_publisher_s_direction(oc_index, editions):
    """The first goal (criminality, higher is worse) ranks the most criminal first, in a diff too."""
    moved = assess.api.diff_years(oc_index, 2021, 2025)
    ranks = {c.country: (c.old_rank, c.new_rank) for c in moved.countries}
    expected = {code: (editions[2021].ranks().get(code), editions[2025].ranks().get(code)) for code in ranks}
    assert ranks == expected and len(ranks) >= 4
    most_criminal = min(editions[2025].ranks(), key=editions[2025].ranks().get)
    assert node(editions[2025], most_criminal, "criminality").published_estimate == max(
        node(editions[2025], c.country, "criminality").published_estimate for c in editions[2025].countries)


def test_explain_points_are_in_the_publisher_s_units_and_add_up_to_each_published_score(editions):
    """On the 1-10 scale, criminality mirrored: a goal's points add up to its published score, and an
    indicator of more crime adds more criminality points."""
    from assess.render.views import explain_view

    for assessment in editions.values():
        for country in assessment.countries:
            records = explain_view(country).records
            for goal in country.goals:
                points = [record["points"] or 0.0 for record in records if record["goal"] == goal.id]
                assert sum(points) == pytest.approx(goal.published, abs=1e-9), (country.country, goal.id)
    mexico = explain_view(next(c for c in editions[2025].countries if c.country == "MEX")).records
    actors = {r["rule"].rsplit(".", 1)[-1]: r["points"] for r in mexico if ".criminal_actors." in r["rule"]}
    assert actors["mafia_style_groups"] > actors["foreign_actors"]  # 9 of 10 against 4 of 10, equal weights
    assert "in the published units, 1-10" in explain_view(next(iter(editions[2025].countries))).notes[0]
