"""Writing an import: entries inserted at their lines, everything else byte for byte; idempotent."""

import json
import shutil
from pathlib import Path

import pytest

import assess
from assess.engine.values import UNKNOWN
from helpers import MINI, invoke, workspace_args

TABLE = ("country,fact,value,as_of,source,note\n"
         "NOR,lvl,high,2023-01-01,\"Ministry, annual report 2023, https://example.org/r\",\n"
         "NOR,lvl,low,2018-01-01,Older survey,\n"
         "FRA,s,x;y,2020-01-01,Register,\n"
         "FRA,n,7,2022,Statistics,counted at year end\n")


def run_import(root: Path, tmp_path: Path, *extra: str, text: str = TABLE):
    (tmp_path / "t.csv").write_text(text)
    return invoke("import", str(tmp_path / "t.csv"), *workspace_args(root), *extra)


def test_entries_go_in_date_order_and_the_rest_stays_byte_for_byte(mini: Path, tmp_path: Path):
    norway = mini / "profiles/NOR.yaml"
    norway.write_text("# a comment a reviewer wrote\n" + norway.read_text().replace("  n:\n", "  # why n matters\n  n:\n"))
    before = norway.read_text()
    assert run_import(mini, tmp_path).exit_code == 0
    after = norway.read_text()
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert added == ["    - value: low", "      as_of: 2018-01-01", "      source: Older survey",
                     "    - value: high", "      as_of: 2023-01-01", "      source: Ministry, annual report 2023, https://example.org/r"]
    assert [line for line in after.splitlines() if line not in added] == before.splitlines()
    history = assess.load_workspace(mini / "rules", mini / "profiles").profiles["NOR"].history["lvl"]
    assert [(r.value, r.as_of.isoformat()) for r in history] == [("low", "2018-01-01"), ("mid", "2019-05-01"),
                                                                 ("high", "2023-01-01")]


def test_importing_twice_changes_nothing(mini: Path, tmp_path: Path):
    run_import(mini, tmp_path)
    snapshot = {p.name: p.read_bytes() for p in (mini / "profiles").glob("*.yaml")}
    again = run_import(mini, tmp_path)
    assert again.exit_code == 0 and "0 to add, 4 already recorded, 0 conflict(s); wrote 0 profile(s)" in again.output
    assert snapshot == {p.name: p.read_bytes() for p in (mini / "profiles").glob("*.yaml")}


def test_dry_run_writes_nothing_and_shows_the_changes(mini: Path, tmp_path: Path):
    snapshot = {p.name: p.read_bytes() for p in (mini / "profiles").glob("*.yaml")}
    result = run_import(mini, tmp_path, "--dry-run")
    assert result.exit_code == 0 and "4 to add, 0 already recorded, 0 conflict(s); dry run: nothing written" in result.output
    assert "+   FRA        s       2020-01-01  x, y" in result.output
    assert snapshot == {p.name: p.read_bytes() for p in (mini / "profiles").glob("*.yaml")}


def test_conflicts_are_reported_never_overwritten_and_exit_1(mini: Path, tmp_path: Path):
    result = run_import(mini, tmp_path, text="country,fact,value,as_of,source\nNOR,lvl,low,2019-05-01,Other report\n")
    assert result.exit_code == 1 and "recorded: mid" in result.output
    assert "value: low" not in (mini / "profiles/NOR.yaml").read_text()


def test_bad_rows_exit_2_and_write_nothing(mini: Path, tmp_path: Path):
    snapshot = {p.name: p.read_bytes() for p in (mini / "profiles").glob("*.yaml")}
    result = run_import(mini, tmp_path, text=TABLE + "NOR,lvl,hihg,2024-01-01,x,\n")
    assert result.exit_code == 2 and "t.csv:6:1: error: 'hihg' is not a level of this fact" in result.output
    assert snapshot == {p.name: p.read_bytes() for p in (mini / "profiles").glob("*.yaml")}


@pytest.mark.parametrize("extra", [[], ["--dry-run"]])
def test_a_row_that_would_break_a_profile_is_caught_before_writing(mini: Path, tmp_path: Path, extra: list[str]):
    """--dry-run validates what the import would write, as the import does: they never disagree."""
    result = run_import(mini, tmp_path, *extra,
                        text=f'country,fact,value,as_of,source\nNOR,lvl,high,2023-01-01,"{"x" * 2500}"\n')
    assert result.exit_code == 2 and "after the import:" in result.output and "at most 2000 characters" in result.output
    assert "x" * 100 not in (mini / "profiles/NOR.yaml").read_text()


def test_a_country_without_a_profile_is_scaffolded_first(mini: Path, tmp_path: Path):
    result = run_import(mini, tmp_path, text="country,fact,value,as_of,source\nSweden,a,true,2020-01-01,s\n")
    assert result.exit_code == 2 and ("no profile for SWE: import with --create to create them in the same import, "
                                      "or create them first with 'assess new CODE'") in result.output
    assert invoke("new", "SWE", *workspace_args(mini)).exit_code == 0
    assert run_import(mini, tmp_path, text="country,fact,value,as_of,source\nSweden,a,true,2020-01-01,s\n").exit_code == 0
    sweden = assess.load_workspace(mini / "rules", mini / "profiles").profiles["SWE"]
    assert sweden.reading("a", 2019).value is UNKNOWN and sweden.reading("a", 2020).value is True


@pytest.mark.parametrize("code,message", [("XYZ", "'XYZ' is not an ISO 3166-1 alpha-3 code"),
                                          ("NOR", "exists already: edit it, or import a table into it")])
def test_new_refuses_a_bad_code_or_an_existing_profile(mini: Path, code: str, message: str):
    result = invoke("new", code, *workspace_args(mini))
    assert result.exit_code == 2 and message in result.output


def test_an_entity_that_is_not_a_country_is_scaffolded_imported_and_scored(mini: Path, tmp_path: Path):
    """A city, a port or a scenario variant is assessed like a country, under its parent's code."""
    assert invoke("new", "NOR-OSL", "--kind", "city", "--name", "Oslo", *workspace_args(mini)).exit_code == 0
    assert "entity: {kind: city, parent: NOR, name: \"Oslo\"}" in (mini / "profiles/NOR-OSL.yaml").read_text()
    assert run_import(mini, tmp_path, text="country,fact,value,as_of,source\nNOR-OSL,a,true,2020-01-01,s\n").exit_code == 0
    oslo = assess.load_workspace(mini / "rules", mini / "profiles").profiles["NOR-OSL"]
    assert (oslo.name, oslo.kind, oslo.parent, oslo.reading("a", 2020).value) == ("Oslo", "city", "NOR", True)
    result = invoke("run", "--year", "2024", *workspace_args(mini), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0 and "Oslo" in result.output
    written = json.loads((tmp_path / "out/mini/2024/countries/NOR-OSL.json").read_text())
    assert (written["kind"], written["parent"]) == ("city", "NOR")
    assert "kind" not in json.loads((tmp_path / "out/mini/2024/countries/NOR.json").read_text())


@pytest.mark.parametrize("args,message", [
    (["NOR-OSL"], "'NOR-OSL' names an entity: give its local code in letters and digits, --kind"),
    (["NOR-OSL", "--kind", "City", "--name", "Oslo"], "--kind (a lowercase identifier"),
    (["XXX-OSL", "--kind", "city", "--name", "Oslo"], "'XXX-OSL' does not start with an ISO 3166-1 alpha-3 code"),
    (["NOR", "--kind", "city"], "'NOR' is a country: --kind and --name are for entities (such as NOR-ABC)"),
])
def test_new_entity_needs_a_parent_country_a_kind_and_a_name(mini: Path, args: list[str], message: str):
    result = invoke("new", *args, *workspace_args(mini))
    assert result.exit_code == 2 and message in result.output


CREATE = ("country,fact,value,as_of,source\n"
          "Sweden,a,true,2020-01-01,Riksdag\n"
          "SWE,lvl,unknown,1900-01-01,\n"  # what a new profile records already
          "DEU,lvl,high,2021,\"Bundesgesetzblatt, 2021\"\n"
          "NOR,lvl,high,2023-01-01,r\n")


def profiles_of(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "profiles").glob("*.yaml"))}


def test_create_writes_what_new_writes_plus_the_imported_values(tmp_path: Path):
    created, scaffolded = (tmp_path / name / "mini" for name in ("created", "scaffolded"))
    for root in (created, scaffolded):
        shutil.copytree(MINI, root)
    result = run_import(created, tmp_path, "--create", "--format", "json", text=CREATE)
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert (plan["created"], plan["written"]) == (["DEU", "SWE"], ["DEU.yaml", "NOR.yaml", "SWE.yaml"])
    assert (plan["added"], plan["unchanged"], plan["conflicts"]) == (3, 1, 0)
    for code in ("SWE", "DEU"):
        assert invoke("new", code, *workspace_args(scaffolded)).exit_code == 0
    assert run_import(scaffolded, tmp_path, text=CREATE).exit_code == 0
    assert profiles_of(created) == profiles_of(scaffolded)
    sweden = assess.load_workspace(created / "rules", created / "profiles").profiles["SWE"]
    assert (sweden.reading("a", 2019).value, sweden.reading("a", 2020).value) == (UNKNOWN, True)


def test_create_dry_run_writes_nothing_and_says_what_it_would_create(mini: Path, tmp_path: Path):
    before = profiles_of(mini)
    result = run_import(mini, tmp_path, "--create", "--dry-run", text=CREATE)
    assert result.exit_code == 0, result.output
    assert "3 to add, 1 already recorded, 0 conflict(s), 2 profile(s) to create; dry run: nothing written" in result.output
    assert "profiles to be created as 'assess new' writes them: DEU, SWE" in result.output
    assert profiles_of(mini) == before and sorted(p.name for p in mini.iterdir()) == ["profiles", "rules", "scenarios"]


@pytest.mark.parametrize("country,message", [
    ("SWEE", "'SWEE' is not a country code or name; did you mean 'SWE'?"),
    ("Swedn", "'Swedn' is not a country code or name; did you mean 'Sweden'?"),
    ("NOR-OSL", "'NOR-OSL' is not a country code or name"),  # an entity needs assess new --kind --name
])
def test_create_still_refuses_what_is_not_a_known_country(mini: Path, tmp_path: Path, country: str, message: str):
    before = profiles_of(mini)
    result = run_import(mini, tmp_path, "--create", text=f"country,fact,value,as_of,source\n{country},a,true,2020-01-01,s\n"
                                                          "Sweden,a,true,2020-01-01,s\n")
    assert result.exit_code == 2 and message in result.output, result.output
    assert profiles_of(mini) == before


def test_new_scaffolds_an_aggregate_that_is_imported_into_scored_and_written(mini: Path, tmp_path: Path):
    """The world, a region or an income group: an id that is no country's code, declared an aggregate."""
    assert invoke("new", "WLD", "--kind", "aggregate", "--name", "World", *workspace_args(mini)).exit_code == 0
    assert "entity: {kind: aggregate, name: \"World\"}" in (mini / "profiles/WLD.yaml").read_text()
    assert run_import(mini, tmp_path, text="country,fact,value,as_of,source\nWLD,a,true,2020-01-01,s\n").exit_code == 0
    world = assess.load_workspace(mini / "rules", mini / "profiles").profiles["WLD"]
    assert (world.name, world.kind, world.parent, world.reading("a", 2020).value) == ("World", "aggregate", None, True)
    result = invoke("run", "--year", "2024", *workspace_args(mini), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0 and "World" in result.output
    written = json.loads((tmp_path / "out/mini/2024/countries/WLD.json").read_text())
    assert (written["kind"], written["parent"]) == ("aggregate", None)


@pytest.mark.parametrize("args,message", [
    (["WLD"], "'WLD' is not an ISO 3166-1 alpha-3 code; did you mean 'WLF'? (an aggregate of countries: --kind aggregate"),
    (["WLD", "--kind", "aggregate"], "'WLD' names an aggregate: give --name"),
    (["NOR", "--kind", "aggregate", "--name", "Norway"], "'NOR' cannot name an aggregate: an aggregate's id is three letters"),
    (["WLD-X", "--kind", "aggregate", "--name", "World"], "'WLD-X' cannot name an aggregate"),
])
def test_new_aggregate_needs_an_id_that_is_no_country_and_a_name(mini: Path, args: list[str], message: str):
    result = invoke("new", *args, *workspace_args(mini))
    assert result.exit_code == 2 and message in result.output
