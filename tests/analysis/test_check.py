"""assess check: unused facts, stale values, sources a reviewer cannot open or follow, placeholder dates."""

from pathlib import Path

import pytest

import assess
from assess.analysis.check import AGGREGATORS, PLACEHOLDER
from helpers import UNION_GROUPINGS, invoke, workspace_args

COUNTRIES = ("DEU", "ITA", "ESP", "POL", "SWE", "AUT", "BEL", "DNK")


@pytest.mark.parametrize("source,finding", [
    ("reference/fatf_lists.csv line 45", True), ("shared/reference/x", True), ("seeds/000_x.txt", True),
    ("FATF list read at http://www.xqexn.cn/en/1.html", True), ("https://studylib.net/doc/1", True),
    ("FATF, Increased monitoring, 2024-02-23, https://www.fatf-gafi.org/x.html", False), ("test", False),
])
def test_sources_that_point_to_an_internal_file_or_a_copy_are_findings(mini: Path, source: str, finding: bool):
    profile = mini / "profiles/NOR.yaml"
    profile.write_text(profile.read_text().replace('source: "test source 1"', f'source: "{source}"'))
    report = assess.check(assess.load_workspace(mini / "rules", mini / "profiles"), 2024)
    kinds = [f.kind for f in report.findings]
    assert ("source-not-primary" in kinds) is finding
    if not finding:
        assert any(w.where.endswith("NOR.yaml:a (2018-01-01)") for w in report.weak_sources) is (source == "test")


@pytest.mark.parametrize("source,kind", [
    ("test", "source-no-publisher"),
    ("Ministry of Health, Decree 5/2019, https://www.gov.example/", "source-homepage"),
    ("Ministry of Health, https://www.gov.example", "source-homepage"),
    ("Ministry of Health, Decree 5/2019, https://www.gov.example/decrees/5-2019...", "source-truncated-url"),
    ("Ministry of Health, Decree 5/2019, https://www.gov.example/decrees/5-2019\u2026", "source-truncated-url"),
    ("Ministry of Health, Decree 5/2019, https://www.gov.example/decrees/5-", "source-truncated-url"),
    ("Ministry of Health, Decree 5/2019, https://www.gov.example/decree?id=%2", "source-truncated-url"),
    ("Police release, reported by Zazoom, https://www.zazoom.it/news/post/1/labs", "source-aggregator"),
    (f"Customs, via an aggregator, https://news.{AGGREGATORS[0]}/story/1", "source-aggregator"),
    ("Ministry of Health, Decree 5/2019, https://www.gov.example/decrees/5-2019.pdf", None),
    ("Ministry of Health, Decree 5/2019 (https://www.gov.example/decrees?id=5).", None),
    ("Ministry of Health, Decree 5/2019", None),
])
def test_weak_sources_are_warnings_naming_the_file_and_the_fact(mini: Path, source: str, kind: str | None):
    profile = mini / "profiles/NOR.yaml"
    profile.write_text(profile.read_text().replace('source: "test source 1"', f'source: "{source}"'))
    report = assess.check(assess.load_workspace(mini / "rules", mini / "profiles"), 2024)
    assert not report.findings  # warnings do not fail the check
    weak = [w for w in report.weak_sources if w.where.endswith("NOR.yaml:a (2018-01-01)")]
    assert [w.kind for w in weak] == ([kind] if kind else [])


def write_profiles(profiles: Path, day: str, facts: tuple[str, ...], source) -> None:
    """A profile per country in COUNTRIES with one entry per fact dated ``day``; ``source(country, fact)``."""
    values = {"a": "true", "lvl": "mid", "n": "3", "s": "[x]", "d": "2015-01-01"}
    for other in profiles.glob("*.yaml"):
        other.unlink()
    for country in COUNTRIES:
        lines = [f"country: {country}", "facts:"]
        for fact in facts:
            lines += [f"  {fact}:", f'    - {{value: {values[fact]}, as_of: {day}, source: "{source(country, fact)}"}}']
        (profiles / f"{country}.yaml").write_text("\n".join(lines) + "\n")


def placeholders(mini: Path) -> list:
    return assess.check(assess.load_workspace(mini / "rules", mini / "profiles"), 2024).placeholder_dates


def test_one_day_for_many_unrelated_facts_in_many_profiles_is_a_placeholder(mini: Path):
    write_profiles(mini / "profiles", "2019-01-01", ("a", "lvl", "n"),
                   lambda country, fact: f"Agency of {country}, report on {fact}, https://{country.lower()}.example/{fact}")
    found = placeholders(mini)
    assert len(found) == len(COUNTRIES) * 3 >= PLACEHOLDER["entries"]
    assert {f.kind for f in found} == {"placeholder-date"}
    assert "profiles/DEU.yaml:lvl (2019-01-01)" in {f.where.split("mini/")[-1] for f in found}
    assert "2019-01-01 is the as-of of 24 entries of 3 facts in 8 profiles" in found[0].message


@pytest.mark.parametrize("day,facts,source", [
    # every entry cites one document: a regulation's entry into force, a plenary
    ("2018-06-07", ("a", "lvl", "n"), lambda country, fact: "European Union, Regulation (EU) 2018/729, "
                                                            "https://eur-lex.europa.eu/eli/reg_del/2018/729/oj"),
    ("2019-12-31", ("a", "lvl", "n"), lambda country, fact: f"Agency of {country}, {fact}, https://x.example/{fact}"),
    ("2019-06-30", ("a", "lvl", "n"), lambda country, fact: f"EMCDDA, {country} Country Drug Report 2019 (June 2019)"),
    ("2019-01-01", ("a", "lvl"), lambda country, fact: f"Agency of {country}, {fact}, https://x.example/{fact}"),
    # one publication: an index edition's country pages and its workbook, released that day
    ("2021-09-29", ("a", "lvl", "n"), lambda country, fact: f"GI-TOC, Global Organized Crime Index 2021, "
                                                            f"country page {country}, https://ocindex.net/2021/country/{country}"),
])
def test_days_that_legitimately_coincide_are_not_placeholders(mini: Path, day: str, facts, source):
    """One document (a regulation, a plenary), a year's or a month's end (a date given as YYYY or YYYY-MM),
    or too few facts."""
    write_profiles(mini / "profiles", day, facts, source)
    assert placeholders(mini) == []


def test_too_few_entries_are_no_placeholder(mini: Path):
    write_profiles(mini / "profiles", "2019-01-01", ("a",), lambda country, fact: f"Agency of {country}, https://x.example/{country}")
    assert placeholders(mini) == []


def test_shipped_sources_are_all_openable(shipped_workspace):
    report = assess.check(shipped_workspace, 2024)
    assert [f for f in report.findings if f.kind == "source-not-primary"] == []


def test_shipped_sources_are_all_followable_and_dated(shipped_workspace):
    """Closed lists (FATF plenaries, the Coalition pledge) and the US determinations share their days
    legitimately; nothing else may share a placeholder day, and every source leads to its document."""
    report = assess.check(shipped_workspace, 2024)
    assert report.weak_sources == []
    assert report.placeholder_dates == []




@pytest.mark.parametrize("entry,contradicts", [
    ('{value: false, as_of: 2019-01-01, source: "national repeal"}', True),  # later: it holds, and says otherwise
    ('{value: false, as_of: 2018-06-07, source: "national gazette"}', True),  # the same day: it holds too
    ('{value: false, as_of: 2017-01-01, source: "national gazette"}', False),  # before the law: the law changed it
    ('{value: true, as_of: 2019-01-01, source: "national gazette"}', False),  # agrees
    ("{value: unknown, as_of: 2019-01-01}", False),  # says nothing
])
def test_a_profiles_own_value_that_contradicts_its_groupings_law_is_a_finding(mini: Path, entry: str, contradicts: bool):
    (mini / "rules/groupings.yaml").write_text(UNION_GROUPINGS)
    profile = mini / "profiles/FRA.yaml"
    profile.write_text(profile.read_text().replace("{value: unknown, as_of: 2019-01-01}", entry))
    report = assess.check(assess.load_workspace(mini / "rules", mini / "profiles"), 2024)
    found = [f for f in report.findings if f.kind == "law-contradiction"]
    assert bool(found) is contradicts
    if contradicts:
        assert found[0].where.endswith("FRA.yaml:a (" + entry.split("as_of: ")[1].split(",")[0] + ")")
        assert "false contradicts Union law (grouping union), which settles true from 2018-06-07" in found[0].message


def test_an_own_value_dated_while_the_state_was_not_a_member_contradicts_nothing(mini: Path):
    """NOR was a member from 2020-03-01 to 2022-06-30: its own false of 2018 (before) and of 2024 (after) hold."""
    (mini / "rules/groupings.yaml").write_text(UNION_GROUPINGS)
    profile = mini / "profiles/NOR.yaml"
    profile.write_text(profile.read_text().replace("{value: true, as_of: 2024-12-31", "{value: false, as_of: 2024-12-31"))
    report = assess.check(assess.load_workspace(mini / "rules", mini / "profiles"), 2024)
    assert [f for f in report.findings if f.kind == "law-contradiction"] == []


def test_the_shipped_profiles_contradict_no_law(shipped_workspace):
    assert [f for f in assess.check(shipped_workspace, 2024).findings if f.kind == "law-contradiction"] == []


def test_a_groupings_law_cites_a_source_a_reviewer_can_open(mini: Path):
    (mini / "rules/groupings.yaml").write_text(UNION_GROUPINGS.replace('"Union regulation 1"', '"Union regulation, seeds/x.txt"'))
    report = assess.check(assess.load_workspace(mini / "rules", mini / "profiles"), 2024)
    assert [(f.kind, f.where.rsplit("/", 1)[-1]) for f in report.findings if f.kind == "source-not-primary"] == [
        ("source-not-primary", "groupings.yaml:union.law.a (2018-06-07)")]


@pytest.mark.parametrize("value,reported", [
    ("2021-12-31", True),  # a year-end given to a survey observed in June: known before it happened
    ("2021-06-01", False),  # the day it was observed
    ("2021-03-31", False),  # earlier
])
def test_a_date_later_than_the_day_it_was_observed_is_a_warning(mini: Path, value: str, reported: bool):
    profile = mini / "profiles/NOR.yaml"
    profile.write_text(profile.read_text().replace("{value: 2021-06-01, as_of: 2021-06-01",
                                                   f"{{value: {value}, as_of: 2021-06-01"))
    report = assess.check(assess.load_workspace(mini / "rules", mini / "profiles"), 2024)
    assert [f.kind for f in report.dates_after_observation] == (["date-after-observation"] if reported else [])
    assert report.findings == []  # a warning: a fact may record a date to come
    if reported:
        assert report.dates_after_observation[0].where.endswith("NOR.yaml:d (2021-06-01)")
        assert report.dates_after_observation[0].message.startswith("2021-12-31 is later than the day it was observed (2021-06-01)")
        assert "warning: 1 date(s) later than the day observed, e.g." in invoke("check", *workspace_args(mini)).output


def test_no_shipped_date_is_later_than_the_day_it_was_observed(shipped_workspace):
    assert assess.check(shipped_workspace, 2024).dates_after_observation == []
