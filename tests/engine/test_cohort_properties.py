"""Properties of the cohort kinds within a fixed cohort: scores in range, min-max maps the cohort's
least to 0 and its most to 100, more capacity never scores less, and the order of the entities does
not matter."""

from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from assess.engine.cohort import CohortGoalpostScoring, ZScoreScoring
from assess.engine.conditions import Snapshot
from assess.engine.facttypes import FACT_TYPES
from assess.engine.scorings import CompiledScoring

NUMBER = FACT_TYPES["number"].model_validate({"type": "number", "description": "A count.", "unit": "items"})
FEWER = FACT_TYPES["number"].model_validate({"type": "number", "description": "A count.", "unit": "items",
                                             "better": "lower"})
YEAR = 2024

values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
cohorts = st.lists(values, min_size=2, max_size=30).filter(lambda found: len(set(found)) >= 2)
winsorisation = st.one_of(st.none(), st.tuples(st.floats(0, 40), st.floats(60, 100)).map(
    lambda bounds: {"low": bounds[0], "high": bounds[1]}))
anchors = st.sampled_from(["min", "p5", "p25", "p50"]), st.sampled_from(["p75", "p95", "max"])


class Fixed:
    """A cohort given as it is, in the order given."""

    def __init__(self, known: list[float]) -> None:
        self.known = known

    def measures(self, fact: str, grouping: str | None, year: int) -> tuple[tuple[float, ...], str]:
        return tuple(self.known), "fixed"


def compiled(kind: str, known: list[float], winsorise: dict[str, float] | None, spec: Any = NUMBER,
             worst: str = "min", best: str = "max") -> CompiledScoring:
    cohort = {"winsorise": winsorise} if winsorise else {}
    if kind == "zscore":
        scoring: Any = ZScoreScoring.model_validate({"zscore": {"fact": "x", "cohort": cohort}})
    else:
        scoring = CohortGoalpostScoring.model_validate(
            {"cohort_goalposts": {"fact": "x", "worst": worst, "best": best, "cohort": cohort}})
    return scoring.compile_against({"x": spec}, Fixed(known))


def score(scoring: CompiledScoring, value: float) -> float | None:
    return scoring.score(Snapshot({"x": value}, YEAR))


kinds = st.sampled_from(["cohort_goalposts", "zscore"])


def test_scores_lie_in_0_to_100(hypothesis_examples: int):
    @settings(max_examples=hypothesis_examples, deadline=None)
    @given(kinds, cohorts, winsorisation, values, *anchors)
    def check(kind, known, winsorise, value, worst, best):
        result = score(compiled(kind, known, winsorise, worst=worst, best=best), value)
        assert result is None or 0 <= result <= 100

    check()


def test_min_max_maps_the_cohort_min_to_worst_and_max_to_best(hypothesis_examples: int):
    @settings(max_examples=hypothesis_examples, deadline=None)
    @given(cohorts)
    def check(known):
        scoring = compiled("cohort_goalposts", known, None)
        assume(score(scoring, min(known)) is not None)  # values too close to spread give no score at all
        assert score(scoring, min(known)) == 0 and score(scoring, max(known)) == 100
        lower = compiled("cohort_goalposts", known, None, FEWER, worst="max", best="min")
        assert score(lower, max(known)) == 0 and score(lower, min(known)) == 100

    check()


def test_more_capacity_never_scores_less_within_a_fixed_cohort(hypothesis_examples: int):
    @settings(max_examples=hypothesis_examples, deadline=None)
    @given(kinds, cohorts, winsorisation, values, values, st.sampled_from([NUMBER, FEWER]))
    def check(kind, known, winsorise, one, other, spec):
        low, high = sorted((one, other))
        if not spec.higher_is_better:
            low, high = high, low  # fewer is more capacity
        worst, best = ("min", "max") if spec.higher_is_better else ("max", "min")
        scoring = compiled(kind, known, winsorise, spec, worst, best)
        less, more = score(scoring, low), score(scoring, high)
        # a cohort too close to spread scores nobody; any other scores everybody
        assert (less is None) == (more is None) and (less is None or more >= less)

    check()


def test_the_order_of_the_entities_leaves_scores_unchanged(hypothesis_examples: int):
    @settings(max_examples=hypothesis_examples, deadline=None)
    @given(kinds, cohorts, winsorisation, values, st.randoms(use_true_random=False))
    def check(kind, known, winsorise, value, random):
        shuffled = list(known)
        random.shuffle(shuffled)
        assert score(compiled(kind, known, winsorise), value) == score(compiled(kind, shuffled, winsorise), value)

    check()
