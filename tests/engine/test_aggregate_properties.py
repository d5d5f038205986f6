"""Properties of contributions: for every aggregation method, a level's children and its adjustments
(caps, the point held within its bounds) add up to its score, and every rule plus every adjustment
adds up to the overall score, on random trees and on random profiles of the mini rule set."""

import math
from typing import get_args

from hypothesis import given, settings
from hypothesis import strategies as st

import assess
from assess.engine.aggregate import apply_cap, combine, rates, roll_up, spread_contributions
from assess.engine.compile import compile_ruleset
from assess.engine.evaluate import score_snapshot
from assess.engine.models import Method
from assess.engine.results import NodeResult
from assess.testing import snapshots

METHODS = get_args(Method)
# few values, below 1 point and at the ends among them, so that the geometric mean's special cases come up
SCORES = st.one_of(st.sampled_from([0.0, 0.5, 1.0, 30.0, 100.0]), st.floats(0, 100))
WEIGHTS = st.one_of(st.sampled_from([1.0, 2.0, 3.0]), st.floats(0.01, 10))


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@given(st.sampled_from(METHODS), st.lists(st.tuples(WEIGHTS, SCORES), min_size=1, max_size=6))
def test_parts_add_up_to_the_roll_up_and_each_is_within_it(method: str, pairs: list[tuple[float, float]]):
    value = combine(method, pairs)
    parts = [rate * score for rate, (_, score) in zip(rates(method, pairs), pairs, strict=True)]
    assert close(math.fsum(parts), value)
    assert all(-1e-9 <= part <= value + 1e-9 for part in parts)


@st.composite
def rules(draw: st.DrawFn) -> NodeResult:
    weight, status = draw(WEIGHTS), draw(st.sampled_from(["scored", "scored", "unknown", "not_applicable"]))
    node = NodeResult("rule", "r", "rule", weight, status=status)
    if status == "scored":
        node.score = node.low = node.high = draw(SCORES)
        node.coverage = 1.0
    elif status == "unknown":
        node.low, node.high = sorted((draw(SCORES), draw(SCORES)))
    return node


def levels(children: st.SearchStrategy[NodeResult]) -> st.SearchStrategy[NodeResult]:
    @st.composite
    def level(draw: st.DrawFn) -> NodeResult:
        node = NodeResult("criterion", "c", "level", draw(WEIGHTS), draw(st.sampled_from(METHODS)),
                          children=draw(st.lists(children, min_size=1, max_size=4)))
        roll_up(node, node.method or "", draw(st.sampled_from([0.0, 0.3, 0.5])))
        for i, (max_score, holds) in enumerate(draw(st.lists(st.tuples(SCORES, st.sampled_from([True, None, False])),
                                                             max_size=2))):
            apply_cap(node, f"c.cap{i}", max_score, "why", "condition", holds)
        return node
    return level()


TREES = levels(st.recursive(rules(), levels, max_leaves=12))


def assert_adds_up(node: NodeResult) -> None:
    """Each scored level: its children's and its adjustments' contributions are its own."""
    for level in node.walk():
        if level.children and level.score is not None:
            parts = [child.contribution or 0.0 for child in level.children if child.applicable]
            parts += [adjustment.contribution or 0.0 for adjustment in level.adjustments]
            assert close(math.fsum(parts), level.contribution or 0.0)


def assert_rules_add_up_to_the_top(top: NodeResult) -> None:
    if top.score is None:
        return
    parts = [node.contribution or 0.0 for node in top.walk() if node.kind == "rule"]
    parts += [adjustment.contribution or 0.0 for node in top.walk() for adjustment in node.adjustments]
    assert close(math.fsum(parts), top.score)


@given(TREES)
def test_contributions_add_up_on_random_trees_for_every_method(tree: NodeResult):
    spread_contributions(tree, 1.0)
    assert tree.contribution == tree.score
    assert_adds_up(tree)
    assert_rules_add_up_to_the_top(tree)


def test_the_mini_rule_set_uses_every_method(mini_workspace: assess.Workspace):
    used = {goal.method for goal in mini_workspace.ruleset.goals} | {
        criterion.method for goal in mini_workspace.ruleset.goals for criterion in goal.criteria or []}
    assert used == set(METHODS)


def test_contributions_add_up_on_random_profiles(mini_workspace: assess.Workspace, hypothesis_examples: int):
    program = compile_ruleset(mini_workspace.ruleset)

    @settings(max_examples=hypothesis_examples, deadline=None)
    @given(snapshots(mini_workspace.ruleset.facts))
    def check(facts):
        overall = score_snapshot(program, facts)
        assert_adds_up(overall)
        assert_rules_add_up_to_the_top(overall)

    check()
