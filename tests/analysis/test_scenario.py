"""Scenarios: applied as dated evidence, projected against the baseline, validated like every file."""

import datetime as dt
import json
from pathlib import Path

import pytest

import assess
from assess.analysis.scenario import apply_scenario, effective_date, idle_changes, project
from assess.engine.models import Scenario
from assess.engine.values import shares_apart
from assess.engine.workspace import load_scenario
from assess.render.formats import renderer
from assess.render.views import scenario_view
from helpers import MINI, invoke, workspace_args

SCENARIOS = MINI / "scenarios"


def test_a_scenario_becomes_dated_readings_and_route_changes(mini_workspace):
    plan = load_scenario(mini_workspace, "fund-fra", SCENARIOS)
    changed = apply_scenario(mini_workspace, plan)
    fra = changed.profiles["FRA"]
    assert effective_date(mini_workspace, "fix_a", dt.date(2023, 1, 1)) == dt.date(2025, 1, 1)  # two years' duration
    assert fra.reading("a", 2024).value is not True and fra.reading("a", 2025).value is True
    assert fra.reading("a", 2025).source == "scenario: fix_a funded from 2023-01-01"
    assert fra.reading("lvl", 2025).value == "high"  # already high: a package never lowers or repeats a fact
    assert changed.profiles["NOR"].reading("n", 2023).value == 9
    assert fra.content_hash != mini_workspace.profiles["FRA"].content_hash
    links = {(item.from_, item.to, item.commodity): item for item in changed.network.links}
    assert links[("FRA", "NOR", "cocaine")].until == dt.date(2025, 12, 31)
    assert links[("north_sea", "DEU", "cocaine")].since in (dt.date(2021, 1, 1), dt.date(2025, 1, 1))
    assert mini_workspace.profiles["FRA"].reading("a", 2025).value is not True  # the baseline is untouched


def test_the_projection_shows_each_year_against_the_baseline_and_says_why(mini_workspace):
    plan = load_scenario(mini_workspace, "fund-fra", SCENARIOS)
    result = project(mini_workspace, plan, "fund-fra", 2022, 2026)
    assert [year.year for year in result.years] == [2022, 2023, 2024, 2025, 2026]
    by_year = {year.year: {change.country: change for change in year.changes} for year in result.years}
    assert "FRA" not in by_year[2024] and "FRA" in by_year[2025]  # the package's effects hold once it has run
    assert by_year[2023]["NOR"].score[1] > by_year[2023]["NOR"].score[0]
    assert any("scenario: fix_a funded" in reason for reason in by_year[2025]["FRA"].why)
    assert result.years[-1].flow[1] == 0.0 < result.years[-1].flow[0]  # the only route left was closed
    assert "no longer on a route to the destination" in by_year[2026]["FRA"].why
    assert result.assumptions[1].startswith("FRA: fix_a funded from 2023-01-01")


def test_a_funded_country_that_matters_less_is_told_why():
    """Funding raises capacity, so less flow is left to stop there: the projection names that reason."""
    workspace = assess.load_workspace(MINI / "rules", MINI / "profiles")
    from helpers import portfolio_workspace

    strong = {"n": 10.0, "s": frozenset({"x", "y", "z"}), "lvl": "low", "a": False}
    workspace = portfolio_workspace(workspace, [("AAA", "BBB", "high"), ("BBB", "NOR", "high")],
                                    {"AAA": strong, "BBB": strong, "NOR": strong})
    plan = Scenario.model_validate({"title": "t", "destination": "NOR",
                                    "packages": [{"country": "BBB", "package": "fix_a", "start": "2022-01-01"}]})
    change = next(c for c in project(workspace, plan, "t", 2024, 2024).years[0].changes if c.country == "BBB")
    assert change.leverage[1] < change.leverage[0]
    assert any("its capacity rose" in reason and "the funding works" in reason for reason in change.why)


@pytest.mark.parametrize(("text", "message"), [
    ("facts: [{country: NRO, fact: n, value: 1, as_of: 2024-01-01}]", "no profile for 'NRO'; did you mean 'NOR'?"),
    ("facts: [{country: NOR, fact: nn, value: 1, as_of: 2024-01-01}]", "undeclared fact 'nn'; did you mean 'n'?"),
    ("facts: [{country: NOR, fact: lvl, value: top, as_of: 2024-01-01}]", "'top' is not a level"),
    ("packages: [{country: FRA, package: fix_b, start: 2024-01-01}]", "unknown package 'fix_b'; did you mean 'fix_a'?"),
    ("routes: {closed: [{from: FRA, to: DEU, commodity: cocaine, on: 2024-01-01}]}", "no documented cocaine link from FRA to DEU"),
    ("routes: {opened: [{from: FRA, to: XXY, commodity: heroin, since: 2024-01-01}]}", "unknown commodity 'heroin'"),
])
def test_a_bad_scenario_is_reported_at_its_line(mini: Path, text: str, message: str):
    (mini / "scenarios" / "bad.yaml").write_text(f"title: bad\n{text}\n")
    result = invoke("scenario", "bad", *workspace_args(mini), "--scenarios", str(mini / "scenarios"))
    assert result.exit_code == 2 and "bad.yaml:2:" in result.output
    assert all(part in result.output for part in message.split("; ")), result.output


def test_check_validates_every_scenario(mini: Path):
    (mini / "scenarios" / "bad.yaml").write_text("title: bad\npackages: [{country: FRA, package: fix_b, start: 2024-01-01}]\n")
    result = invoke("check", *workspace_args(mini), "--scenarios", str(mini / "scenarios"))
    assert result.exit_code == 2 and "bad.yaml:2:" in result.output


def test_an_unknown_scenario_name_is_a_usage_error_with_a_suggestion():
    result = invoke("scenario", "fund-frA", *workspace_args(), "--scenarios", str(SCENARIOS))
    assert result.exit_code == 2 and "did you mean 'fund-fra'?" in result.output


def test_the_cli_projects_a_scenario_and_diffs_it_against_the_baseline():
    result = invoke("scenario", "fund-fra", *workspace_args(), "--scenarios", str(SCENARIOS), "--from", "2024",
                    "--until", "2025")
    assert result.exit_code == 0 and "Scenario fund-fra" in result.output and "2025" in result.output
    diff = invoke("diff", "--scenario", "fund-fra", "--year", "2025", "--rules", str(MINI / "rules"),
                  "--profiles", str(MINI / "profiles"), "--scenarios", str(SCENARIOS), "--format", "json")
    assert diff.exit_code == 0
    assert '"2025 with scenario fund-fra"' in diff.output and "scenario: fix_a funded" in diff.output


def test_check_warns_of_scenario_changes_that_change_nothing():
    """A fact change to the value the fact already has on that date, or a package whose every effect
    already holds when it has run, is a warning of check (exit 0); the changes that do change
    something are not named."""
    folder = Path(__file__).parent.parent / "fixtures/idle_scenario"
    result = invoke("check", *workspace_args(), "--scenarios", str(folder), "--format", "json")
    assert result.exit_code == 0, result.output
    warnings = [(f["where"].rsplit("/", 1)[-1], f["message"]) for f in json.loads(result.stdout)["idle_scenario_changes"]]
    assert warnings == [
        ("idle.yaml:3:5", "NOR a is already true on 2025-06-01: the change changes nothing"),
        ("idle.yaml:6:5", "NOR n is already 9 on 2024-01-01: the change changes nothing"),
        ("idle.yaml:7:5", "FRA lvl is already high on 2020-01-01: the change changes nothing"),
        ("idle.yaml:10:5", "fix_a in NOR, funded from 2023-01-01, changes nothing when its effects hold on 2025-01-01: "
                           "a is already true; lvl is already high")]
    table = invoke("check", *workspace_args(), "--scenarios", str(folder)).stdout
    assert sum(line.startswith("warning: ") and "idle.yaml:" in line for line in table.splitlines()) == 4
    assert "idle.yaml:10:5: fix_a in NOR" in table
    assert invoke("check", *workspace_args(), "--scenarios", str(SCENARIOS), "--format", "json").exit_code == 0
    assert json.loads(invoke("check", *workspace_args(), "--scenarios", str(SCENARIOS),
                             "--format", "json").stdout)["idle_scenario_changes"] == []


@pytest.mark.parametrize("entry,message", [
    ("facts: [{country: NOR, fact: a, value: true, as_of: 9999-12-31}]",
     "9999-12-31 is outside the years the engine assesses (1900-2100) at 'facts.0.as_of'"),
    ("facts: [{country: NOR, fact: a, value: true, as_of: 1066-10-14}]", "1066-10-14 is outside the years"),
    ("packages: [{country: NOR, package: fix_a, start: 9999-06-01}]", "9999-06-01 is outside the years"),
    ("packages: [{country: NOR, package: fix_a, start: 2100-06-01}]", "'fix_a' runs 2 years, past 2100"),
    ("routes: {closed: [{from: FRA, to: NOR, commodity: cocaine, on: 9999-01-01}]}", "9999-01-01 is outside"),
])
def test_scenario_dates_are_bounded_like_profiles(mini: Path, tmp_path: Path, entry: str, message: str):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "far.yaml").write_text(f"title: far\n{entry}\n")
    for command in (["scenario", "far"], ["check"]):
        result = invoke(*command, "--scenarios", str(folder), *workspace_args(mini))
        assert result.exit_code == 2 and "far.yaml:2:" in result.output and message in result.output, result.output


def test_the_projection_shows_each_moved_country_s_estimate_on_both_sides(shipped_workspace):
    from assess import api

    projection = api.scenario(shipped_workspace, "fund-mexico-fy2026", until=2027)
    mexico = next(c for year in projection.years if year.year == 2027 for c in year.changes if c.country == "MEX")
    before, after = mexico.expected
    assert before is not None and after is not None and after > before
    assert "expected" in api.render(projection, "table").splitlines()[1].split()


def test_opening_a_displacement_route_raises_what_arrives(mini_workspace):
    """The balloon effect's sign: a route opened carries new flow on top of the old (issue #22), so
    what reaches the destination never falls when traffickers open one, and here it rises."""
    plan = Scenario.model_validate({"title": "t", "destination": "NOR", "routes": {"opened": [
        {"from": "north_sea", "to": "NOR", "commodity": "cocaine", "since": "2024-01-01", "volume": "high"}]}})
    year = project(mini_workspace, plan, "t", 2024, 2024).years[0]
    baseline, changed = year.flow
    assert changed > baseline
    # from a transit country to a dead end (DEU ships nothing on in 2024): nothing is taken from its
    # route to the destination (splitting its outflow would have lowered what arrives)
    plan = Scenario.model_validate({"title": "t", "destination": "NOR", "routes": {"opened": [
        {"from": "FRA", "to": "DEU", "commodity": "cocaine", "since": "2024-01-01", "volume": "high"}]}})
    baseline, changed = project(mini_workspace, plan, "t", 2024, 2024).years[0].flow
    assert changed == pytest.approx(baseline)


def test_the_bundled_scenario_s_displacement_route_raises_the_flow_to_the_us(shipped_workspace):
    plan = load_scenario(shipped_workspace, "fund-mexico-fy2026")
    assert plan.routes.opened, "the bundled scenario opens a displacement route"
    only_routes = plan.model_copy(update={"facts": [], "packages": []})
    year = project(shipped_workspace, only_routes, "routes", 2027, 2027).years[0]
    assert year.flow[1] > year.flow[0]


def test_a_leverage_move_is_shown_to_the_decimals_that_show_it(shipped_workspace):
    """The displacement route moves Guatemala's leverage by less than a tenth of a point of the flow:
    at one decimal both sides read 0.3%, so the projection shows two (never "0.3% -> 0.3%")."""
    plan = load_scenario(shipped_workspace, "fund-mexico-fy2026")
    only_routes = plan.model_copy(update={"facts": [], "packages": []})
    result = project(shipped_workspace, only_routes, "routes", 2026, 2026)
    guatemala = next(change for change in result.years[0].changes if change.country == "GTM")
    old, new = guatemala.leverage
    assert f"{old:.1%}" == f"{new:.1%}" and old != new, "the bundled route still moves GTM by under 0.05 points"
    assert f"leverage {old:.2%} -> {new:.2%}: more flow now passes it" in guatemala.why[0]
    assert f"{old:.2%} → {new:.2%}" in renderer("table")(scenario_view(result))
    assert shares_apart(0.12, 0.102) == ("12.0%", "10.2%")  # one decimal where it shows the move


def test_a_change_to_what_a_groupings_law_already_settles_changes_nothing(shipped_workspace):
    """Austria's profile does not record NPP/ANPP control; the EU's Regulation 2018/729 settles it."""
    scenario = Scenario.model_validate({"title": "t", "facts": [
        {"country": "AUT", "fact": "npp_anpp_controlled", "value": "true", "as_of": "2024-01-01"}]})
    assert idle_changes(shipped_workspace, scenario) == [
        (("facts", 0), "AUT npp_anpp_controlled is already true on 2024-01-01: the change changes nothing")]
