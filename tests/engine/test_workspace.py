"""A grouping's law: which value a member reads on a day, its own or the law's, and with what provenance."""

import datetime as dt
import json
from pathlib import Path

import pytest

import assess
from assess.engine.values import UNKNOWN
from assess.render.views import explain_view
from helpers import UNION_GROUPINGS

SETTLED_BY = "Union law (grouping union)"


def with_law(mini: Path, groupings: str = UNION_GROUPINGS) -> assess.Workspace:
    (mini / "rules/groupings.yaml").write_text(groupings)
    return assess.load_workspace(mini / "rules", mini / "profiles")


def on(workspace: assess.Workspace, country: str, day: str):
    return workspace.profiles[country].reading_on("a", dt.date.fromisoformat(day))


def test_the_law_settles_a_member_from_the_day_both_the_law_and_membership_hold(mini: Path):
    workspace = with_law(mini)
    # FRA's own unknown (2019) never outweighs the law, though dated later
    assert on(workspace, "FRA", "2018-06-06") is None
    assert workspace.profiles["FRA"].history["a"][0].value is UNKNOWN
    settled = on(workspace, "FRA", "2019-06-01")
    assert (settled.value, settled.as_of, settled.source, settled.note, settled.settled_by) == (
        True, dt.date(2018, 6, 7), "Union regulation 1", "binds every member", SETTLED_BY)
    # NOR: its own false (2018) until it joins, the law from the day it joined, its own again after it left
    assert on(workspace, "NOR", "2020-02-29").value is False
    joined = on(workspace, "NOR", "2020-03-01")
    assert (joined.value, joined.as_of, joined.settled_by) == (True, dt.date(2020, 3, 1), SETTLED_BY)
    assert on(workspace, "NOR", "2022-06-30").settled_by == SETTLED_BY
    left = on(workspace, "NOR", "2022-07-01")
    assert (left.value, left.as_of, left.settled_by) == (False, dt.date(2018, 1, 1), None)


def test_a_profiles_own_entry_wins_when_dated_later_or_the_same_day(mini: Path):
    profile = mini / "profiles/FRA.yaml"
    profile.write_text(profile.read_text().replace(
        "    - {value: unknown, as_of: 2019-01-01}",
        "    - {value: true, as_of: 2018-06-07, source: \"national gazette\"}\n"
        "    - {value: false, as_of: 2021-01-01, source: \"national repeal\"}"))
    workspace = with_law(mini)
    assert on(workspace, "FRA", "2019-06-01").source == "national gazette"  # the same day: its own
    later = on(workspace, "FRA", "2021-06-01")
    assert (later.value, later.source, later.settled_by) == (False, "national repeal", None)


def test_an_entity_is_bound_as_its_country_is(mini: Path):
    (mini / "profiles/FRA-IDF.yaml").write_text(
        "country: FRA-IDF\nentity: {kind: region, parent: FRA, name: Ile-de-France}\nfacts: {}\n")
    assert with_law(mini).profiles["FRA-IDF"].reading("a", 2024).settled_by == SETTLED_BY


def test_the_law_read_by_a_rule_shows_its_source_and_that_the_grouping_settles_it(mini: Path):
    workspace = with_law(mini)
    result = assess.explain(workspace, "FRA", 2024)
    read = next(fact for node in result.rules() for fact in node.facts if fact.fact == "a")
    assert read.to_json() == {"fact": "a", "value": True, "as_of": "2018-06-07", "source": "Union regulation 1",
                              "note": "binds every member", "settled_by": SETTLED_BY}
    facts = [record["facts"] for record in explain_view(result).records if record["rule"] == "A.c1.r1"]
    assert facts == [f"a=true (Union regulation 1, 2018-06-07; settled by {SETTLED_BY})"]
    scores = [next(n for n in assess.explain(workspace, "FRA", year).rules() if n.id == "A.c1.r1").score
              for year in (2017, 2024)]
    assert scores == [None, 100.0]  # before the law, unknown


@pytest.mark.parametrize("member,since", [("FRA: {from: 2019-01-01}", "2019-01-01"), ("FRA: Western Europe", "2018-06-07")])
def test_a_later_joiner_is_bound_from_its_day_and_a_member_without_dates_throughout(mini: Path, member: str, since: str):
    workspace = with_law(mini, UNION_GROUPINGS.replace("FRA: {from: 1958-01-01}", member))
    settled = workspace.profiles["FRA"].reading("a", 2024)
    assert (settled.as_of, settled.until) == (dt.date.fromisoformat(since), None)


def test_of_two_laws_in_force_before_a_state_joined_it_reads_the_later(mini: Path):
    groupings = UNION_GROUPINGS.replace("FRA: {from: 1958-01-01}", "FRA: {from: 2020-01-01}") + (
        "      - {fact: a, value: false, from: 2019-01-01, source: \"Union regulation 2\"}\n")
    settled = with_law(mini, groupings).profiles["FRA"].reading("a", 2024)
    assert (settled.value, settled.as_of, settled.source) == (False, dt.date(2020, 1, 1), "Union regulation 2")


def test_the_estimates_group_by_a_dated_grouping_as_of_the_year(mini: Path):
    workspace = with_law(mini)
    grouping = workspace.ruleset.groupings["union"]
    assert grouping.groups(dt.date(2021, 12, 31)) == {"FRA": "Union", "NOR": "Union"}
    assert grouping.groups(dt.date(2024, 12, 31)) == {"FRA": "Union"}


WORLD = "country: WLD\nentity: {kind: aggregate, name: World}\nfacts:\n  a:\n    - {value: true, as_of: 2019-01-01, source: s}\n"


def test_an_aggregate_loads_scores_and_is_bound_by_no_law(mini: Path):
    """The world, a region or an income group: no ISO parent, no grouping's law, scored like a country."""
    (mini / "profiles/WLD.yaml").write_text(WORLD)
    workspace = with_law(mini)
    world = workspace.profiles["WLD"]
    assert (world.name, world.kind, world.parent, world.law) == ("World", "aggregate", None, {})
    assert on(workspace, "WLD", "2024-01-01").source == "s"
    result = assess.explain(workspace, "WLD", 2024)
    assert result.score is None and result.to_json()["kind"] == "aggregate" and result.to_json()["parent"] is None
    assert "WLD" in {country.country for country in assess.score(workspace, 2024).countries}
    moved = assess.diff_years(workspace, 2018, 2024).to_json()
    assert "WLD" in json.dumps(moved)
