"""The array path: the same tree as the traced path, evaluated over entities x draws in NumPy."""

from __future__ import annotations

import math

import numpy as np
import pytest

import assess
from assess.engine import arrays
from assess.engine.compile import compile_ruleset
from assess.engine.evaluate import assess as assess_all
from assess.engine.evaluate import estimate, snapshot
from assess.engine.results import NodeResult
from helpers import REPO, SHIPPED_PROFILES, SHIPPED_RULES

OC_INDEX = REPO / "examples/oc-index"


def _estimates(workspace, year, draws=50, seed=0):
    program = compile_ruleset(workspace.ruleset)
    known = {code: snapshot(program, profile, year)[0] for code, profile in workspace.profiles.items()}
    return estimate(program, workspace, year, known, draws, seed)


@pytest.mark.parametrize(("rules", "profiles", "years"), [
    (SHIPPED_RULES, SHIPPED_PROFILES, (2019, 2024, 2025)),
    (OC_INDEX / "rules", OC_INDEX / "country_profiles", (2021, 2023, 2025)),
])
def test_the_array_path_agrees_with_the_traced_path_on_every_node(rules, profiles, years):
    """Draw 0 (known facts, unknowns unknown) is the traced score; the bounds columns (unknowns at
    their worst and best) are the traced bounds; the coverage is the traced coverage: to the bit,
    every node, every profile, every year (so the array path's numbers can stand for the traced)."""
    workspace = assess.load_workspace(rules, profiles)
    for year in years:
        traced = assess_all(workspace, year, draws=0)
        found = _estimates(workspace, year)
        position = {code: i for i, code in enumerate(found.codes)}
        compared = 0
        for country in traced.countries:
            i = position[country.country]
            for node in country.overall.walk():
                if not node.applicable:
                    assert node.id not in found.nodes or np.isnan(found.nodes[node.id].low[i])
                    continue
                column = found.nodes[node.id]
                for traced_value, array_value in ((node.score, column.point[i]), (node.low, column.low[i]),
                                                  (node.high, column.high[i])):
                    if traced_value is None:
                        assert np.isnan(array_value), (country.country, node.id)
                    else:
                        assert array_value == traced_value, (country.country, node.id, array_value, traced_value)
                assert column.coverage[i] == node.coverage, (country.country, node.id)
                compared += 1
        assert compared > 100


def test_expected_scores_and_credible_intervals_lie_within_the_bounds(shipped_workspace):
    result = assess_all(shipped_workspace, 2025, draws=200)
    nodes = [node for country in result.countries for node in country.overall.walk() if node.credible is not None]
    assert len(nodes) > 5000
    for node in nodes:
        assert node.low is not None and node.high is not None and node.expected is not None
        assert node.low - 1e-9 <= node.expected <= node.high + 1e-9, node.id
        assert node.low - 1e-9 <= node.credible[0] <= node.credible[1] <= node.high + 1e-9, node.id


def test_no_goal_drops_out_of_any_estimate(shipped_workspace):
    result = assess_all(shipped_workspace, 2025, draws=100)
    for country in result.countries:
        assert country.overall.expected is not None, country.country
        assert all(goal.expected is not None for goal in country.goals), country.country


def test_the_same_seed_gives_the_same_numbers_whatever_the_order_of_the_entities(shipped_workspace):
    program = compile_ruleset(shipped_workspace.ruleset)
    known = {code: snapshot(program, profile, 2025)[0] for code, profile in shipped_workspace.profiles.items()}
    forward = estimate(program, shipped_workspace, 2025, known, 100, 7)
    backward = estimate(program, shipped_workspace, 2025, dict(reversed(known.items())), 100, 7)
    root = program.root.id
    by_code = dict(zip(backward.codes, backward.nodes[root].expected, strict=True))
    assert [by_code[code] for code in forward.codes] == forward.nodes[root].expected.tolist()
    other = estimate(program, shipped_workspace, 2025, known, 100, 8)
    assert not np.array_equal(other.nodes[root].credible_low, forward.nodes[root].credible_low)


def test_a_rule_whose_fact_has_a_prior_is_expected_exactly(tmp_path, mini_workspace):
    """A boolean fact with P(true) = 0.3 read by a 0/100 rule: the rule expects 30 exactly, and a
    linear level its weighted mean exactly (the control variate), whatever the draws."""
    facts = mini_workspace.ruleset.facts
    spec = facts["a"].model_copy(update={"estimate": arrays_prior(0.3)})
    ruleset = _with_facts(mini_workspace, {**facts, "a": spec})
    program = compile_ruleset(ruleset)
    rule = next(rule for rule in program.rules if rule.scoring.facts == ("a",))
    from assess.engine.priors import Priors

    priors = Priors(ruleset.facts, {name: ruleset.estimate_of(name) for name in program.facts_read}, {}, {"FRA": {}},
                    {"FRA": None})
    found = arrays.Estimator(program, 2024, {"FRA": {}}, priors, 37, 0).evaluate([("FRA", {})]).nodes
    assert found[rule.path].expected[0] == pytest.approx(30.0, abs=1e-12)


def arrays_prior(p_true: float):
    from assess.engine.facttypes import Estimate, PriorPoint

    return Estimate(method="prior", prior=[PriorPoint(value=True, p=p_true), PriorPoint(value=False, p=1 - p_true)],
                    rationale="test")


def _with_facts(workspace, facts):
    import dataclasses

    return dataclasses.replace(workspace.ruleset, facts=facts)


def test_a_fact_declared_not_estimated_drops_out_as_before(mini_workspace):
    """The mini rule set declares no treatment: unknowns are not estimated, and a draw whose known
    weight is below the minimum coverage has no score, as the point score has none."""
    result = assess_all(mini_workspace, 2024, draws=20)
    fra = next(c for c in result.countries if c.country == "FRA")
    assert fra.overall.score is None and fra.overall.expected is None
    assert all(not prior.estimated for prior in fra.priors)


def test_rank_intervals_come_from_the_joint_draws(shipped_workspace):
    result = assess_all(shipped_workspace, 2025, draws=300)
    intervals = result.rank_intervals()
    ranked = result.ranked()
    assert len(intervals) == len(ranked)
    for country in ranked:
        best, worst = intervals[country.country]
        assert 1 <= best <= worst <= len(ranked)
    assert intervals[ranked[0].country][0] == 1
    # the expected score orders the ranking
    expected = [country.overall.expected for country in ranked]
    assert expected == sorted(expected, reverse=True)


def test_a_rule_reading_too_many_combinations_is_refused_as_a_usage_error(monkeypatch, mini_workspace):
    monkeypatch.setattr(arrays, "MAX_TABLE", 2)
    with pytest.raises(assess.UsageError, match=r"^(rule|cap) \S+: the facts it reads .* combinations .*--draws 0"):
        _estimates(mini_workspace, 2024)


def test_credible_interval_counts_bins_as_percentiles_do():
    rng = np.random.default_rng(1)
    draws = np.round(rng.random((20, 5000)) * 100, 2)
    bounds = np.tile([0.0, 0.0, 100.0], (20, 1))  # point, low, high
    values = np.concatenate([bounds, draws], axis=1)
    low, high = arrays._credible(values)
    exact_low, exact_high = np.percentile(draws, arrays.CREDIBLE, axis=1, method="inverted_cdf")
    assert np.allclose(low, exact_low, atol=arrays.RESOLUTION) and np.allclose(high, exact_high, atol=arrays.RESOLUTION)


def test_tier_probabilities_add_up_to_one(shipped_workspace):
    result = assess_all(shipped_workspace, 2025, draws=100)
    for country in result.countries:
        node: NodeResult = country.overall
        assert node.tier_probabilities is not None
        assert math.fsum(node.tier_probabilities.values()) == pytest.approx(1.0)


def test_a_rule_may_leave_its_unknowns_unestimated(mini_workspace):
    """A rule declaring ``estimate: {method: none}`` drops out of the estimate where its fact is
    unknown, though the fact is estimated (here by a prior) in every other rule."""
    import dataclasses

    from assess.engine.models import RuleEstimate

    facts = mini_workspace.ruleset.facts
    ruleset = _with_facts(mini_workspace, {**facts, "a": facts["a"].model_copy(update={"estimate": arrays_prior(0.3)})})
    goal = ruleset.goals[0]
    criterion = goal.criteria[0]
    opted = criterion.rules[0].model_copy(update={"estimate": RuleEstimate(method="none", rationale="test")})
    goal = goal.model_copy(update={"criteria": [criterion.model_copy(update={"rules": [opted, *criterion.rules[1:]]}),
                                                *goal.criteria[1:]]})
    ruleset = dataclasses.replace(ruleset, goals=(goal, *ruleset.goals[1:]))
    program = compile_ruleset(ruleset)
    from assess.engine.priors import Priors

    priors = Priors(ruleset.facts, {name: ruleset.estimate_of(name) for name in program.facts_read}, {}, {"FRA": {}},
                    {"FRA": None})
    found = arrays.Estimator(program, 2024, {"FRA": {}}, priors, 50, 0).evaluate([("FRA", {})]).nodes
    opted_path = next(rule.path for rule in program.rules if rule.rule.estimate is not None)
    assert "a" in next(rule for rule in program.rules if rule.path == opted_path).scoring.facts
    assert np.isnan(found[opted_path].expected[0])
    # the same rule without the declaration expects 30: the fact itself is still estimated
    plain = compile_ruleset(_with_facts(mini_workspace, ruleset.facts))
    again = arrays.Estimator(plain, 2024, {"FRA": {}}, priors, 50, 0).evaluate([("FRA", {})]).nodes
    assert again[opted_path].expected[0] == pytest.approx(30.0)


def _same(left: arrays.Estimates, right: arrays.Estimates) -> None:
    assert set(left.nodes) == set(right.nodes)
    for key, node in left.nodes.items():
        other = right.nodes[key]
        for name in ("point", "low", "high", "coverage", "expected", "credible_low", "credible_high"):
            assert np.array_equal(getattr(node, name), getattr(other, name), equal_nan=True), (key, name)
        if node.tier_probabilities is not None:
            assert np.array_equal(node.tier_probabilities, other.tier_probabilities), key


def test_a_what_if_evaluated_where_its_changes_reach_gives_the_numbers_of_a_whole_evaluation(shipped_workspace,
                                                                                             shipped_scores):
    """Every package of four route countries applied, each evaluated again only in the rules and
    levels that read a fact it changes (caps included): bit for bit what evaluating the whole tree
    gives; and again from a funded variant as the base (the record a what-if leaves)."""
    from assess.analysis.portfolio import planner_for

    planner, countries = planner_for(shipped_workspace, shipped_scores(2025), "USA")
    estimator = planner.estimator
    for code in ("MEX", "CHN", "IND", "GTM"):
        base = countries[code].values
        variants = [applied[0] for name in planner.packages if (applied := planner._applied(countries[code], name))]
        assert len(variants) >= 5, code
        _same(estimator.what_ifs(code, base, variants), estimator.evaluate([(code, v) for v in variants], intervals=False))
        funded = variants[0]
        further = [{**funded, **{fact: value for fact, value in v.items() if v.get(fact) != base.get(fact)}}
                   for v in variants[1:]]
        _same(estimator.what_ifs(code, funded, further), estimator.evaluate([(code, v) for v in further], intervals=False))


def test_the_blocks_run_unchanged_as_dask_tasks(shipped_workspace):
    """The scale-out path the README names: each block of entities is one Dask task running the same
    function (here on Dask's threads; ``dask.distributed`` takes the same graph), and the estimates,
    kept draws and rank intervals are the sequential ones to the bit."""
    import dask

    program = compile_ruleset(shipped_workspace.ruleset)
    known = {code: snapshot(program, profile, 2024)[0] for code, profile in shipped_workspace.profiles.items()}
    estimator = estimate(program, shipped_workspace, 2024, known, 2000, 3).estimator
    rows = list(known.items())
    tasks: list[int] = []

    def as_dask_tasks(function, blocks):
        tasks.append(len(blocks))
        return dask.compute(*[dask.delayed(function)(block) for block in blocks], scheduler="threads")

    sequential = estimator.evaluate(rows, keep_samples=True)
    distributed = estimator.evaluate(rows, keep_samples=True, blocks=as_dask_tasks)
    assert tasks[0] >= 4  # 193 entities at 2,000 draws: several blocks, so the merge is exercised
    _same(sequential, distributed)
    root = program.root.id
    assert distributed.rank_intervals(root) == sequential.rank_intervals(root)
