"""Properties of the diff on generated profiles (Hypothesis)."""

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

import assess
from assess.analysis.diff import diff, from_assessment
from assess.testing import fact_maps, profile_from
from helpers import MINI

BASE = assess.load_workspace(MINI / "rules", MINI / "profiles")
FACTS = BASE.ruleset.facts


def scored_with(chosen_by_country: dict, label: str):
    profiles = {code: profile_from(code, chosen) for code, chosen in sorted(chosen_by_country.items())}
    workspace = dataclasses.replace(BASE, profiles=profiles)
    return from_assessment(assess.score(workspace, 2024), label)


countries = st.dictionaries(st.sampled_from(["NOR", "FRA", "SWE"]), fact_maps(FACTS), min_size=1)


@settings(max_examples=40, deadline=None)
@given(countries)
def test_diff_with_itself_is_empty(chosen):
    result = diff(scored_with(chosen, "a"), scored_with(chosen, "b"))
    assert result.countries == [] and result.rule_changes == []


@settings(max_examples=40, deadline=None)
@given(countries, countries)
def test_diff_both_ways_are_mirror_images(first, second):
    a, b = scored_with(first, "a"), scored_with(second, "b")
    forward, backward = diff(a, b), diff(b, a)
    assert [c.country for c in forward.countries] == [c.country for c in backward.countries]
    flip = {"added": "removed", "removed": "added", "changed": "changed"}
    for one, other in zip(forward.countries, backward.countries, strict=True):
        assert flip[one.status] == other.status and (one.old_rank, one.new_rank) == (other.new_rank, other.old_rank)
        assert [(m.node, m.old_score, m.new_score) for m in one.moves] == [(m.node, m.new_score, m.old_score) for m in other.moves]
        for m, n in zip(one.moves, other.moves, strict=True):
            assert [(f.fact, f.old, f.new) for f in m.facts] == [(f.fact, f.new, f.old) for f in n.facts]


@settings(max_examples=40, deadline=None)
@given(countries, countries)
def test_no_rule_change_means_no_rule_attribution(first, second):
    result = diff(scored_with(first, "a"), scored_with(second, "b"))
    # same rules and same year: every move is explained by facts, and by facts alone
    assert all(move.rules == [] and move.facts and move.cause == "facts" for move in result.moves())
