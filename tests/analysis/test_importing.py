"""Planning an import: forms, country names, closed lists, conflicts and bad rows, all reported at once."""

from pathlib import Path

import pytest

import assess
from assess.analysis import importing
from assess.analysis.importing import plan_import, resolve_country
from assess.engine.values import UNKNOWN


def table(tmp_path: Path, text: str, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def changes(plan) -> list[tuple[str, str, str, str, object]]:
    return [(c.kind, c.observation.country, c.observation.fact, c.observation.as_of.isoformat(), c.observation.value)
            for c in plan.changes]


def test_long_form_adds_new_values_and_recognises_recorded_ones(mini_workspace, tmp_path: Path):
    plan = plan_import(mini_workspace, table(tmp_path, "country,fact,value,as_of,source\n"
                                             "Norway,lvl,high,2023-01-01,Ministry report\n"
                                             "NOR,a,true,2024-12-31,test source 2\n"))
    assert plan.form == "long"
    assert changes(plan) == [("same", "NOR", "a", "2024-12-31", True), ("add", "NOR", "lvl", "2023-01-01", "high")]


def test_a_set_is_items_joined_by_semicolons_and_the_empty_set_is_brackets(mini_workspace, tmp_path: Path):
    plan = plan_import(mini_workspace, table(tmp_path, "country,fact,value,as_of,source\n"
                                             "NOR,s,x;z,2023-01-01,Ministry report\nNOR,s,[],2024-01-01,Ministry report\n"))
    assert [change.observation.value for change in plan.changes] == [frozenset({"x", "z"}), frozenset()]
    with pytest.raises(assess.InputErrors, match=r"or \[\] for an empty set"):
        plan_import(mini_workspace, table(tmp_path, "country,fact,value,as_of,source\nNOR,s,,2024-01-01,x\n"))


def test_a_different_value_for_a_recorded_date_is_a_conflict(mini_workspace, tmp_path: Path):
    plan = plan_import(mini_workspace, table(tmp_path, "country,fact,value,as_of,source\nNOR,lvl,low,2019-05-01,x\n"))
    (change,) = plan.changes
    assert (change.kind, change.recorded) == ("conflict", "mid")


def test_wide_by_fact_and_by_year(mini_workspace, tmp_path: Path):
    by_fact = plan_import(mini_workspace, table(tmp_path, "country,as_of,source,lvl,n\nFRA,2022-03-01,Survey,mid,\n", "f.csv"))
    assert by_fact.form == "facts" and changes(by_fact) == [("add", "FRA", "lvl", "2022-03-01", "mid")]
    by_year = plan_import(mini_workspace, table(tmp_path, "country,fact,source,2021,2022\nFRA,n,Stats office,3,4.5\n", "y.csv"))
    assert by_year.form == "years"
    assert changes(by_year) == [("add", "FRA", "n", "2021-12-31", 3.0), ("add", "FRA", "n", "2022-12-31", 4.5)]


def test_a_closed_list_settles_every_other_country(mini, tmp_path: Path):
    facts = mini / "rules/facts.yaml"
    facts.write_text(facts.read_text().replace("  a: {description: A boolean capacity., type: boolean}",
                                               "  a: {description: A boolean capacity., type: boolean,\n"
                                               "      closed_list: {list: The test list, absent: false}}"))
    workspace = assess.load_workspace(mini / "rules", mini / "profiles")
    plan = plan_import(workspace, table(tmp_path, "country,fact,value,as_of,source\nNOR,a,true,2020-06-30,Test list 2020\n"),
                       closed_list=True)
    assert changes(plan) == [("add", "FRA", "a", "2020-06-30", False), ("add", "NOR", "a", "2020-06-30", True)]
    filled = plan.changes[0].observation
    assert filled.source == "Test list 2020" and filled.note == "not on the list (The test list)"
    assert plan.closed_lists == ["a 2020-06-30"]


def test_a_closed_list_needs_the_catalogue_to_declare_it(mini_workspace, tmp_path: Path):
    with pytest.raises(assess.InputErrors, match="'a' is not declared a closed list"):
        plan_import(mini_workspace, table(tmp_path, "country,fact,value,as_of,source\nNOR,a,true,2020-06-30,L\n"),
                    closed_list=True)


def test_every_bad_row_is_reported_with_its_line(mini_workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(assess.InputErrors) as caught:
        plan_import(mini_workspace, table(tmp_path, "country,fact,value,as_of,source\n"
                                          "Atlantis,a,true,2020-01-01,s\n"
                                          "NOR,lvll,high,2020-01-01,s\n"
                                          "NOR,lvl,hihg,2020-01-01,s\n"
                                          "NOR,lvl,high,2020-13-01,s\n"
                                          "NOR,lvl,high,2020-01-01,\n"))
    assert caught.value.render().splitlines() == [
        "t.csv:2:1: error: 'Atlantis' is not a country code or name; did you mean 'Albania'? at 'country'",
        "t.csv:3:1: error: unknown fact 'lvll'; did you mean 'lvl'? at 'fact'",
        "t.csv:4:1: error: 'hihg' is not a level of this fact; allowed: low, mid, high, unknown; did you mean 'high'? at 'value'",
        "t.csv:5:1: error: '2020-13-01' is not a date (YYYY-MM-DD, YYYY-MM or YYYY) at 'as_of'",
        "t.csv:6:1: error: a known value of 'lvl' needs a source at 'source'",
    ]


@pytest.mark.parametrize("cell", ["=cmd|' /C calc'!A0", "<script>alert(1)</script>", "x" * 5000])
def test_hostile_text_cells_are_text_never_code(mini_workspace, tmp_path: Path, cell: str):
    plan = plan_import(mini_workspace, table(tmp_path, f'country,fact,value,as_of,source\nNOR,lvl,high,2023-01-01,"{cell}"\n'))
    assert plan.changes[0].observation.source == cell  # kept as text; the profile validation bounds its length


def test_a_control_character_in_a_cell_is_refused(mini_workspace, tmp_path: Path):
    with pytest.raises(assess.InputErrors, match=r"t\.csv:2:1: error: a control character in a cell"):
        plan_import(mini_workspace, table(tmp_path, "country,fact,value,as_of,source\nNOR,lvl,high,2023-01-01,a\x1b[2J\n"))


def test_xlsx_values_are_read_and_formulas_refused(mini_workspace, tmp_path: Path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["country", "fact", "value", "as_of", "source"])
    sheet.append(["Norway", "n", 12, "2023-12-31", "Customs annual report"])
    book.save(tmp_path / "t.xlsx")
    assert changes(plan_import(mini_workspace, tmp_path / "t.xlsx")) == [("add", "NOR", "n", "2023-12-31", 12.0)]
    sheet.append(["Norway", "n", "=1+1", "2024-12-31", "x"])
    book.save(tmp_path / "f.xlsx")
    with pytest.raises(assess.InputErrors, match=r"f\.xlsx:3:1: error: a formula in a cell"):
        plan_import(mini_workspace, tmp_path / "f.xlsx")


@pytest.mark.parametrize("name,code", [("NOR", "NOR"), ("Norway", "NOR"), ("Türkiye", "TUR"), ("Turkey", "TUR"),
                                       ("Ivory Coast", "CIV"), ("Korea, Rep.", "KOR"), ("Republic of Korea", "KOR"),
                                       ("Burma", "MMR"), ("The Bahamas", "BHS"), ("Atlantis", None), ("", None)])
def test_country_names_in_common_spellings(name: str, code: str | None):
    assert resolve_country(name) == code


def test_each_distinct_country_cell_is_resolved_once(mini_workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A table of thousands of rows names a few hundred countries: each name costs one lookup."""
    calls: list[str] = []

    def counted(text: str) -> str | None:
        calls.append(text)
        return resolve_country(text)

    monkeypatch.setattr(importing, "resolve_country", counted)
    rows = "".join(f"{name},n,{i},{2000 + i % 20}-01-01,s\n" for i in range(200) for name in ("Norway", "France", "FRA"))
    plan = plan_import(mini_workspace, table(tmp_path, "country,fact,value,as_of,source\n" + rows))
    assert len(plan.changes) == 600 and sorted(calls) == ["France", "Norway"]  # FRA is a profile's code


def test_with_create_a_missing_country_is_compared_with_what_a_new_profile_records(mini_workspace, tmp_path: Path):
    rows = "country,fact,value,as_of,source\nSWE,a,unknown,1900-01-01,\nSWE,lvl,low,1900-01-01,s\nSweden,n,3,2020,s\n"
    with pytest.raises(assess.UsageError, match="no profile for SWE: import with --create"):
        plan_import(mini_workspace, table(tmp_path, rows))
    plan = plan_import(mini_workspace, table(tmp_path, rows), create=True)
    assert plan.created == ["SWE"]
    assert [(c.kind, c.observation.fact, c.recorded) for c in plan.changes] == [
        ("same", "a", None), ("conflict", "lvl", UNKNOWN), ("add", "n", None)]
