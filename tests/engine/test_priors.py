"""Priors: an unknown fact is drawn from its group's known values, else the whole cohort's, else the
declared prior; a cohort is used only where its known values show the declared spread."""

from typing import Any

from assess.engine.facttypes import BooleanFact, Estimate
from assess.engine.priors import Priors

FACTS = {"observatory": BooleanFact(type="boolean", description="b")}
REGIONS = {"region": {"AAA": "north", "BBB": "north", "CCC": "north", "DDD": "south", "EEE": "south"}}


def _estimate(**overrides: Any) -> Estimate:
    declared: dict[str, Any] = {"method": "cohort", "by": "region", "min_group": 3, "min_cohort": 4,
                                "min_distinct": 2, "prior": "uniform", "rationale": "r"}
    return Estimate(**(declared | overrides))


def _prior(known: dict[str, bool], estimate: Estimate, entity: str = "ZZZ") -> tuple[str, dict[Any, float]]:
    cohort = {code: {"observatory": value} for code, value in known.items()}
    regions = {"region": REGIONS["region"] | {"ZZZ": "north"}}
    prior = Priors(FACTS, {"observatory": estimate}, regions, {**cohort, entity: {}}, {}).of(entity, "observatory")
    return prior.method, dict(prior.distribution)


def test_the_group_comes_first_then_the_cohort_then_the_declared_prior():
    mixed_north = {"AAA": True, "BBB": False, "CCC": True, "DDD": True, "EEE": False}
    assert _prior(mixed_north, _estimate()) == ("group", {False: 1 / 3, True: 2 / 3})
    # too few known in the group: the whole cohort
    assert _prior(mixed_north, _estimate(min_group=4)) == ("cohort", {False: 2 / 5, True: 3 / 5})
    # too few known anywhere: the declared prior
    assert _prior(mixed_north, _estimate(min_group=4, min_cohort=6)) == ("prior", {False: 0.5, True: 0.5})


def test_a_cohort_where_every_known_value_is_the_same_is_not_used():
    all_true = dict.fromkeys(REGIONS["region"], True)
    assert _prior(all_true, _estimate()) == ("prior", {False: 0.5, True: 0.5})
    assert _prior(all_true, _estimate(min_distinct=1))[0] == "group"


def test_a_value_held_by_too_few_does_not_count_towards_the_spread():
    """Seventy reports of a measure and one of its absence say how the evidence was found: with
    min_per_value 2, a single absence leaves the declared prior in place."""
    one_absence = {"AAA": True, "BBB": True, "CCC": False, "DDD": True, "EEE": True}
    assert _prior(one_absence, _estimate(min_group=9))[0] == "cohort"
    assert _prior(one_absence, _estimate(min_group=9, min_per_value=2)) == ("prior", {False: 0.5, True: 0.5})
    two_absences = one_absence | {"DDD": False}
    assert _prior(two_absences, _estimate(min_group=9, min_per_value=2)) == ("cohort", {False: 2 / 5, True: 3 / 5})


def test_a_value_held_by_too_small_a_share_of_the_cohort_does_not_count_towards_the_spread():
    """A hundred reports of a measure and three of its absence say how the evidence was found as much
    as seventy and one do: with min_value_share 0.05 the absences must be 5% of the known."""
    def prior(absences: int, known: int) -> Any:
        cohort = {f"E{i:03d}": {"observatory": i >= absences} for i in range(known)}
        estimate = _estimate(by=None, min_per_value=2, min_value_share=0.05)
        return Priors(FACTS, {"observatory": estimate}, {}, {**cohort, "ZZZ": {}}, {}).of("ZZZ", "observatory")

    assert prior(3, 61).method == "prior"  # 3 < 5% of 61 = 3.05
    assert prior(3, 61).origin == ("declared prior: uniform; not the cohort: its 61 known hold 58 / 3 per value, "
                                   "fewer than 2 values held by at least 4 (5% of 61)")
    assert prior(4, 62).method == "cohort"  # 4 >= 3.1
    assert prior(2, 40).method == "cohort"  # 5% of 40 is 2: min_per_value decides, as without the share
    assert _prior({"AAA": True, "BBB": False, "CCC": True, "DDD": True, "EEE": False},
                  _estimate(min_value_share=0.5))[0] == "prior"  # 1 of 3 in the group, 2 of 5 in the cohort


def test_never_keeps_the_group_and_refuses_the_whole_cohort_however_many_are_known():
    mixed_north = {"AAA": True, "BBB": False, "CCC": True, "DDD": True, "EEE": False}
    assert _prior(mixed_north, _estimate(min_cohort="never")) == ("group", {False: 1 / 3, True: 2 / 3})
    # the group too small: the whole cohort would speak at min_cohort 4, never does not let it
    assert _prior(mixed_north, _estimate(min_group=4)) == ("cohort", {False: 2 / 5, True: 3 / 5})
    assert _prior(mixed_north, _estimate(min_group=4, min_cohort="never")) == ("prior", {False: 0.5, True: 0.5})


def test_the_declared_prior_says_why_the_cohort_was_not_used():
    def origin(known: dict[str, bool], **overrides: Any) -> str:
        cohort = {code: {"observatory": value} for code, value in known.items()}
        estimate = _estimate(by=None, **overrides)
        return Priors(FACTS, {"observatory": estimate}, {}, {**cohort, "ZZZ": {}}, {}).of("ZZZ", "observatory").origin

    one_absence = {"AAA": True, "BBB": True, "CCC": False, "DDD": True, "EEE": True}
    assert origin(one_absence, min_per_value=2) == ("declared prior: uniform; not the cohort: its 5 known hold 4 / 1 "
                                                    "per value, fewer than 2 values held by at least 2")
    assert origin(dict.fromkeys(one_absence, True)) == "declared prior: uniform; not the cohort: its 5 known all hold one value"
    assert origin(one_absence, min_cohort=6) == "declared prior: uniform; not the cohort: 5 known, fewer than 6"
    assert origin(one_absence, min_cohort="never") == "declared prior: uniform; not the cohort: declared never (5 known)"
    # one value, but held by too few: the per-value count is the reason, not the distinct values
    assert origin(dict.fromkeys(one_absence, True), min_distinct=1, min_per_value=6) == (
        "declared prior: uniform; not the cohort: its 5 known hold 5 per value, fewer than 1 values held by at least 6")
