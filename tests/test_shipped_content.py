"""The shipped strategy rule set and country profiles: complete, consistent, and faithful to public fact."""

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

import assess
from assess import api
from assess.analysis.check import findings
from assess.engine.compile import compile_ruleset
from assess.engine.conditions import Snapshot
from assess.engine.values import UNKNOWN
from helpers import REPO

RULES = REPO / "rules/synthetic-drugs-2019"


@pytest.fixture(scope="module")
def shipped(shipped_workspace) -> assess.Workspace:
    return shipped_workspace


def test_check_passes_with_no_findings(shipped):
    assert findings(shipped, 2024) == []


def test_every_fact_is_used_or_kept_for_a_stated_reason(shipped):
    program = compile_ruleset(shipped.ruleset)
    context = {name for name, spec in shipped.ruleset.facts.items() if spec.context}
    assert set(program.facts_read) | context == set(shipped.ruleset.facts)
    assert not set(program.facts_read) & context  # a fact kept for context is never scored


def test_five_goals_with_the_criteria_the_strategy_names(shipped):
    criteria = {f"{g.id}.{c.id}" for g in shipped.ruleset.goals for c in g.criteria}
    assert [g.id for g in shipped.ruleset.goals] == ["G1", "G2", "G3", "G4", "G5"]
    assert {"G1.scheduling", "G1.precursor_controls", "G1.tableting_equipment", "G1.clandestine_labs",
            "G1.industry_cooperation", "G2.ports_of_entry", "G2.forensics_early_warning", "G2.mail_express",
            "G2.information_sharing", "G3.cybercrime_cooperation", "G3.online_investigations",
            "G3.aml_virtual_assets", "G3.prosecution_assets", "G4.data_collection", "G4.prevention",
            "G4.treatment", "G5.multilateral", "G5.private_sector", "G5.bilateral"} <= criteria


def test_every_rule_fires_for_the_best_profile_and_falls_short_for_the_worst(shipped):
    program = compile_ruleset(shipped.ruleset)
    facts = shipped.ruleset.facts
    best = Snapshot({name: spec.best() for name, spec in facts.items()}, 2024)
    worst = Snapshot({name: spec.worst() for name, spec in facts.items()}, 2024)
    for rule, high, low in zip(program.rules, program.scores(best), program.scores(worst), strict=True):
        assert high is not None and high > 0, rule.path
        assert low is not None and low < rule.rule.target, rule.path


def test_every_rule_and_goal_cites_the_seeds_and_names_interventions(shipped):
    for goal in shipped.ruleset.goals:
        assert goal.cites
        for criterion in goal.criteria:
            for rule in criterion.rules:
                assert rule.cites and rule.interventions, rule.id


def test_every_weight_tier_and_cap_has_a_rationale(shipped):
    header = shipped.ruleset.header
    assert all(tier.description for tier in header.tiers)
    for goal in shipped.ruleset.goals:
        assert goal.rationale and all(cap.rationale for cap in goal.caps), goal.id
        for criterion in goal.criteria:
            assert criterion.rationale, criterion.id
            assert all(rule.rationale for rule in criterion.rules), criterion.id


def test_at_least_forty_countries_in_every_role(shipped):
    assert len(shipped.profiles) >= 40
    assert {"CHN", "IND", "MEX", "CAN", "USA", "AUS", "GTM", "HND", "SLV", "THA", "MMR", "NGA", "GHA",
            "SAU", "EGY", "NLD", "DEU"} <= set(shipped.profiles)


def test_profiles_have_values_for_2019_and_2024(shipped):
    changed = [code for code, profile in shipped.profiles.items()
               if any(profile.reading(f, 2019) != profile.reading(f, 2024) for f in profile.history)]
    assert len(changed) >= 30


def reading(shipped, country, fact, year):
    found = shipped.profile(country).reading(fact, year)
    return None if found is None else found.value


@pytest.mark.parametrize("country,fact,year,value", [
    ("CHN", "fentanyl_class_control", 2018, None),       # class-wide control from 2019-05-01
    ("CHN", "fentanyl_class_control", 2019, True),
    ("USA", "fentanyl_class_control", 2019, True),       # DEA temporary class-wide order, 2018-02-06
    ("NGA", "budapest_status", 2019, "invited"),         # acceded 2022-07-06, in force 2022-11-01
    ("NGA", "budapest_status", 2024, "party"),
    ("USA", "budapest_status", 2019, "party"),
    ("PAK", "fatf_standing", 2019, "increased_monitoring"),  # grey list Oct 2019, removed Oct 2022
    ("PAK", "fatf_standing", 2024, "not_listed"),
    ("MEX", "global_coalition_pledge", 2019, False),     # Coalition launched 2023-07-07
    ("MEX", "global_coalition_pledge", 2024, True),      # pledge signatory 2024-09-24
    ("GBR", "multilateral_memberships", 2024, frozenset({"G7", "G20", "OECD", "CoE"})),  # left the EU 2020
])
def test_spot_facts(shipped, country, fact, year, value):
    assert reading(shipped, country, fact, year) == value


def test_spot_scores_follow_the_facts(shipped):
    def rule_score(country, year, rule_id):
        result = assess.explain(shipped, country, year)
        return next(r.score for r in result.rules() if r.id == rule_id)

    assert rule_score("NGA", 2019, "G3.cybercrime_cooperation.budapest") == 30.0
    assert rule_score("NGA", 2024, "G3.cybercrime_cooperation.budapest") == 100.0
    assert rule_score("PAK", 2019, "G3.aml_virtual_assets.fatf") == 40.0
    assert rule_score("CHN", 2019, "G1.scheduling.fentanyl_class") == 100.0
    assert rule_score("CHN", 2018, "G1.scheduling.fentanyl_class") is None  # unknown, not false


def test_committed_outputs_are_current(shipped, shipped_scores):
    from assess.render.outputs import each_output

    for year in (2019, 2024, 2025):
        folder = REPO / "outputs/synthetic-drugs-2019" / str(year)
        for name, content in each_output(shipped_scores(year)):
            assert (folder / name).read_bytes() == content, f"{year}/{name}: run 'assess run --year 2019 --year 2024 --year 2025'"


def test_bundled_network_is_sourced_and_prioritizes_toward_the_united_states(shipped, shipped_scores):
    from assess.analysis.prioritize import prioritize

    network = shipped.network
    assert len(network.links) >= 58 and all(link.source for link in network.links)
    assert all(p.source for p in network.partnerships)
    result = prioritize(shipped, shipped_scores(2024), "USA")
    top = [pick.country for pick in result.picks[:2]]
    assert top == ["MEX", "CHN"]  # the two source countries the Plan of Action names for fentanyl, leverage first
    for pick in result.picks:
        assert pick.flow_after <= pick.flow_before + 1e-9
    assert result.picks[0].routes and result.picks[0].interventions and result.picks[0].runner_up
    assert set(result.picks[0].need_by_goal) == {"G1", "G2", "G3", "G4", "G5"}
    with_leverage = [pick.leverage > 0 for pick in result.picks]
    assert with_leverage == sorted(with_leverage, reverse=True)  # no pick without a route above one with leverage


def test_mexico_makes_fentanyl_from_imported_precursors(shipped, shipped_scores):
    from assess.analysis.prioritize import prioritize

    result = prioritize(shipped, shipped_scores(2024), "USA", commodity="fentanyl")
    assert "fentanyl_precursors" in result.commodities
    # Mexico first; then China, which ships most of its precursors (India, the other source, third)
    assert [pick.country for pick in result.picks[:3]] == ["MEX", "CHN", "IND"]
    mexico = next(pick for pick in result.picks if pick.country == "MEX")
    assert mexico.leverage > 0 and any(route.startswith("MEX -> USA (fentanyl") for route in mexico.routes)


def test_a_dollar_budget_buys_packages_on_routes_within_budget(shipped, shipped_scores):
    from assess.analysis.portfolio import portfolio
    from assess.analysis.prioritize import prioritize

    assessment = shipped_scores(2024)
    result = portfolio(shipped, assessment, 25_000_000, "USA")
    assert result.picks and result.spent_usd <= 25_000_000
    on_routes = {pick.country for pick in prioritize(shipped, assessment, "USA").picks}
    assert {pick.country for pick in result.picks} <= on_routes
    assert result.exact is not None and result.exact["gap"] < 0.05
    assert all(pick.kind in ("assistance", "diplomacy") for pick in result.picks)


# --- Honest scores (bounds, applicability, real changes) on the bundled data ------------------------


def test_no_country_is_advanced_unless_its_low_bound_earns_it(shipped, shipped_scores):
    tiers = [(tier.min, tier.name) for tier in shipped.ruleset.header.tiers]
    tiered = [c for c in shipped_scores(2024).countries if c.overall.tier in dict(map(reversed, tiers))]
    assert len(tiered) > 20  # (no country is advanced in 2024: a check of advanced ones alone would check nothing)
    for result in tiered:  # every tier is the highest whose goalpost the low bound reaches
        earned = [name for low, name in tiers if result.overall.low >= low - 1e-9][-1]
        assert result.overall.tier == earned, result.country
    by_code = {c.country: c for c in shipped_scores(2024).countries}
    for code in ("ITA", "MEX"):  # high point scores resting on a third of the evidence
        assert by_code[code].score > 75 and by_code[code].overall.tier != "advanced", code


def test_the_coalition_pledge_is_not_applicable_before_it_existed(shipped):
    def pledge(year: int):
        return next(r for r in assess.explain(shipped, "MEX", year).rules() if r.id.endswith("coalition_pledge"))

    assert pledge(2019).status == "not_applicable" and "2024-09-24" in pledge(2019).why
    assert pledge(2024).status == "scored" and pledge(2024).score == 100.0


def test_diff_names_only_real_changes_and_the_pledge_as_applicability(shipped):
    result = assess.diff_years(shipped, 2019, 2024)
    moves = result.moves()
    assert moves
    for move in moves:
        for change in move.facts:
            assert change.old is None or change.new is None or change.old["value"] != change.new["value"], change
        assert all(f.fact != "global_coalition_pledge" for f in move.facts), move
    mexico = next(c for c in result.countries if c.country == "MEX")
    overall = next(m for m in mexico.moves if m.kind == "overall")
    assert "G5.multilateral.coalition_pledge rule became applicable" in overall.applicability
    assert "fatf_standing" in {f.fact for f in overall.evidence}  # same value, re-dated


def test_the_uk_report_lists_its_unknowns_as_gaps(shipped):
    page = assess.report(shipped, 2024, destination="USA", budget_usd=None).annex
    uk = assess.explain(shipped, "GBR", 2024)
    section = page.split('id="country-GBR"')[1].split("</details>")[0]
    gaps = section.split("<h4>Gaps</h4>")[1].split("<h4>Strengths</h4>")[0]
    assert "Nothing recorded" not in gaps and "Not known:" in gaps
    first_fact, first_share = uk.unknown_facts()[0]
    assert f"{first_fact.replace('_', ' ')} ({first_share * 100:.1f}%)" in gaps


def test_the_readme_opens_with_the_set_up_as_a_code_block_and_ci_runs_its_test_command():
    """The two set-up lines render as lines (a fenced block), and .ci/run runs the README's tests."""
    lines = (REPO / "README.md").read_text().splitlines()
    assert lines[:4] == ["```sh", "pip install . && assess run", 'pip install ".[test]" && python -m pytest', "```"]
    test_command = lines[2].split("&& ")[-1]
    ci = [line.strip() for line in (REPO / ".ci/run").read_text().splitlines()]
    assert test_command == "python -m pytest" and test_command in ci  # then the docs site (tests/test_docs.py)


def test_every_assumption_of_the_bundled_scenarios_changes_something(shipped):
    """check warns of a scenario change that changes nothing; the bundled scenarios have none."""
    from assess.api import check

    report = check(shipped, scenarios=REPO / "scenarios")
    assert report.idle_scenario_changes == []


PROVENANCE = {"source", "note", "settled_by", "profile_hash", "stamp"}


def _scored(value: object) -> object:
    """A result's JSON without where its values came from (sources, notes, hashes): the scores alone."""
    if isinstance(value, dict):
        return {key: _scored(item) for key, item in value.items() if key not in PROVENANCE}
    if isinstance(value, list):
        return [_scored(item) for item in value]
    return value


def test_the_eu_grouping_scores_every_country_as_the_per_member_rows_did(shipped, shipped_scores, tmp_path: Path):
    """The rule set without the eu grouping's law, and the profiles with the rows of
    imports/eu_precursor_regulations.csv and imports/eu_industry_cooperation.csv imported again: the
    2024 scores of every country, every node, bound, estimate and tier, are the same; only the
    provenance of the three facts differs."""
    rules, profiles = tmp_path / "rules", tmp_path / "country_profiles"
    shutil.copytree(RULES, rules)
    shutil.copytree(REPO / "country_profiles", profiles)
    groupings = rules / "groupings.yaml"
    text = groupings.read_text()
    groupings.write_text(text[:text.index("    law:\n")] + text[text.index("  region:\n"):])
    rows = assess.load_workspace(rules, profiles)
    assert rows.profiles["AUT"].reading("npp_anpp_controlled", 2024).value is UNKNOWN  # no law, no row
    plan = api.import_table(rows, REPO / "imports/eu_precursor_regulations.csv")
    assert sorted(change.kind for change in plan.changes) == ["add"] * 54 + ["same"]  # the United Kingdom kept its own
    rows = assess.load_workspace(rules, profiles)
    plan = api.import_table(rows, REPO / "imports/eu_industry_cooperation.csv")
    assert [change.kind for change in plan.changes] == ["add"] * 27
    rows = assess.load_workspace(rules, profiles)
    assert all(not profile.law for profile in rows.profiles.values())
    by_grouping, by_rows = shipped_scores(2024), assess.score(rows, 2024)
    assert [c.country for c in by_grouping.countries] == [c.country for c in by_rows.countries]
    for grouped, rowed in zip(by_grouping.countries, by_rows.countries, strict=True):
        assert _scored(grouped.to_json()) == _scored(rowed.to_json()), grouped.country


# Rows of imports/ the profiles do not hold as the table says, each for the reason imports/README.md
# gives: the eu grouping's law carries the per-member EU rows, and Myanmar's FY2024 determination
# rests on news only, so its profile keeps `unknown` and the import reports the conflict.
SUPERSEDED_BY_THE_EU_LAW = {"eu_precursor_regulations.csv": 54, "eu_industry_cooperation.csv": 27,
                            "goal1_national_measures.csv": 8}
REPORTED_CONFLICTS = {("us_determinations.csv", "MMR", "us_failed_demonstrably")}


def test_every_research_table_is_listed_and_its_rows_are_in_the_profiles(shipped):
    """Each table in imports/ has its row in imports/README.md (its provenance, what was left out and
    what was not reachable), and importing it again changes nothing: a row dropped on review leaves
    the table as well as the profile, and a profile fixed by hand cannot drift from its table."""
    from assess.analysis.importing import plan_import

    readme = (REPO / "imports/README.md").read_text(encoding="utf-8")
    tables = sorted((REPO / "imports").glob("*.csv"))
    assert len(tables) > 100
    for table in tables:
        assert f"| `{table.name}` |" in readme, f"{table.name} has no row in imports/README.md"
        changes = plan_import(shipped, table, False, False).changes
        added = [change for change in changes if change.kind == "add"]
        conflicts = {(table.name, c.observation.country, c.observation.fact) for c in changes if c.kind == "conflict"}
        assert len(added) == SUPERSEDED_BY_THE_EU_LAW.get(table.name, 0), table.name
        for change in added:  # each one the law settles, at the table's value, for the years scored
            row = change.observation
            law = shipped.profiles[row.country].law_on(row.fact, dt.date(2024, 12, 31))
            assert law is not None and law.value == row.value, (table.name, row.country, row.fact)
        assert conflicts <= REPORTED_CONFLICTS, conflicts
    assert {name for name, *_ in REPORTED_CONFLICTS} <= {table.name for table in tables}


# Facts whose known values come from one table covering (nearly) every State: a cohort of ten known
# still speaks for the States it leaves out, since they were not left out by where research looked.
FROM_COMPLETE_TABLES = {
    "fatf_io7_effectiveness": "the FATF consolidated table of assessment ratings",
    "fatf_r3_compliance": "the FATF consolidated table of assessment ratings",
    "opioid_agonist_treatment": "Harm Reduction International's Global State of Harm Reduction tables",
    "last_drug_use_survey": "the UNODC World Drug Report's statistical annex",
}


def test_a_world_cohort_speaks_for_unknown_states_only_when_half_are_known(shipped):
    """The method's rule (the README's "Estimates"): a fact found by research speaks for every
    unknown State only once half the UN members are known; only a fact read from a complete table
    may declare a smaller world cohort, and it is named here with its table."""
    assert len(shipped.profiles) == 193 and shipped.ruleset.estimate is not None
    half = shipped.ruleset.estimate.min_cohort
    assert half == 97, "the catalogue's world cohort is half the 193 UN members"
    smaller = {name for name in shipped.ruleset.facts
               if (estimate := shipped.ruleset.estimate_of(name)).method == "cohort"
               and estimate.min_cohort != "never" and estimate.min_cohort < half}
    assert smaller == set(FROM_COMPLETE_TABLES), smaller ^ set(FROM_COMPLETE_TABLES)


@pytest.mark.parametrize("year", [2024, 2025])
def test_no_world_cohort_of_research_finds_speaks_in_the_shipped_outputs(shipped, year):
    """Passing half is not enough for a fact found by research: its known States are those research
    reached, so when one crosses half, a person declares its treatment (a declared prior, as for
    observatories; its sub-region only, as for virtual-asset regulation) and this test says so.
    Only complete tables and closed lists speak for the world."""
    allowed = set(FROM_COMPLETE_TABLES) | {name for name, spec in shipped.ruleset.facts.items() if spec.closed_list}
    folder = REPO / "outputs" / RULES.name / str(year) / "countries"
    spoke = {prior["fact"] for path in sorted(folder.glob("*.json"))
             for prior in json.loads(path.read_text(encoding="utf-8"))["estimate"]["priors"]
             if prior["origin"].startswith("cohort: all assessed entities")}
    assert spoke, "the complete tables' world cohorts speak"
    assert spoke <= allowed, spoke - allowed
