"""Properties of priors: a prior is a distribution, the entities' order does not change it, with
``min_per_value`` of 2 or more no single recorded value decides whether a cohort is used, and a
larger ``min_value_share`` never turns a refused cohort into a used one."""

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from assess.engine.facttypes import FACT_TYPES, Estimate
from assess.engine.priors import Priors

LEVELS = ["none", "some", "most", "all"]
FACTS = {"measure": FACT_TYPES["level"].model_validate({"type": "level", "description": "d", "levels": LEVELS})}

known_values = st.lists(st.sampled_from(LEVELS), min_size=0, max_size=40)
estimates = st.builds(lambda cohort, distinct, per_value: Estimate(
    method="cohort", min_cohort=cohort, min_distinct=distinct, min_per_value=per_value, prior="uniform",
    rationale="r"), st.integers(1, 12), st.integers(1, 3), st.integers(1, 4))


def _prior(values: list[str], estimate: Estimate) -> Any:
    known = {f"E{i:03d}": {"measure": value} for i, value in enumerate(values)}
    return Priors(FACTS, {"measure": estimate}, {}, {**known, "ZZZ": {}}, {}).of("ZZZ", "measure")


@given(known_values, estimates)
def test_a_prior_is_a_distribution_over_the_facts_values(values, estimate):
    prior = _prior(values, estimate)
    assert abs(sum(p for _, p in prior.distribution) - 1) < 1e-12
    assert all(p > 0 for _, p in prior.distribution) and {v for v, _ in prior.distribution} <= set(LEVELS)


@given(known_values, estimates, st.randoms(use_true_random=False))
def test_the_order_of_the_entities_does_not_change_a_prior(values, estimate, shuffler):
    shuffled = list(values)
    shuffler.shuffle(shuffled)
    assert _prior(values, estimate).distribution == _prior(shuffled, estimate).distribution


@given(known_values, estimates, st.sampled_from(LEVELS))
def test_one_more_holder_of_a_value_nobody_held_does_not_decide_whether_the_cohort_is_used(values, estimate,
                                                                                          newcomer):
    """Where a value needs two holders to count, one recorded value held by no one else (the first
    recorded absence among seventy reports of a measure) cannot turn a cohort from unused to used."""
    if estimate.min_per_value < 2 or newcomer in values:
        return
    before, after = _prior(values, estimate), _prior([*values, newcomer], estimate)
    if len(values) + 1 == estimate.min_cohort:
        return  # reaching the size the cohort needs is another cause, not this value
    assert (before.method == "cohort") == (after.method == "cohort")


@given(known_values, estimates, st.floats(0, 0.5), st.floats(0, 0.5))
def test_a_larger_value_share_never_uses_a_cohort_a_smaller_one_refuses(values, estimate, share, other):
    lower, higher = sorted((share, other))
    used = [_prior(values, estimate.model_copy(update={"min_value_share": s})).method == "cohort" for s in (lower, higher)]
    assert used[0] or not used[1]
