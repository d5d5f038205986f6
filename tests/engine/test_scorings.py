"""Each scoring kind is registered under its key and gives an example of itself: the example of
every kind over every fact type it can score gives the most capable sample 100 and an unknown
value no score (``tests/test_kinds.py`` runs every command over them)."""

import pytest

from assess.engine.conditions import Snapshot
from assess.engine.facttypes import FACT_TYPES
from assess.engine.models import Rule
from assess.engine.scorings import SCORING_KINDS
from helpers import by_capacity

EXAMPLES = [(key, name) for key in SCORING_KINDS for name in FACT_TYPES]


def test_each_kind_is_registered_under_its_first_field():
    assert list(SCORING_KINDS)[:4] == ["when", "levels", "goalposts", "cases"]  # then any kind added since
    assert all(next(iter(kind.model_fields)) == key for key, kind in SCORING_KINDS.items())


@pytest.mark.parametrize("key,type_name", EXAMPLES)
def test_an_example_gives_the_most_capable_sample_100_and_unknown_no_score(key: str, type_name: str):
    spec = FACT_TYPES[type_name].model_validate(FACT_TYPES[type_name].example())
    example = SCORING_KINDS[key].example("x", spec)
    if example is None:
        return  # this kind cannot score this type
    rule = Rule.model_validate({"id": "r", "title": "r", "score": example})
    assert isinstance(rule.score, SCORING_KINDS[key])
    compiled = rule.score.compile({"x": spec})
    best = spec.read(by_capacity(spec)[-1], allow_unknown=False)
    assert compiled.score(Snapshot({"x": best}, 2024)) == 100
    assert compiled.score(Snapshot({}, 2024)) is None


NUMBER = FACT_TYPES["number"].model_validate({"type": "number", "description": "A count.", "unit": "items"})


@pytest.mark.parametrize("worst,best,value,why", [
    (0, 5, 7, "x = 7, at or above the best goalpost 5: capped at 100 points"),
    (0, 5, 5, "x = 5, at or above the best goalpost 5: capped at 100 points"),
    (0, 5, 2.5, "x = 2.5, between goalposts 0 and 5: 50.0 points"),
    (2, 5, 2, "x = 2, between goalposts 2 and 5: 0.0 points"),
    (2, 5, 1, "x = 1, below the worst goalpost 2: 0 points"),
    # goalposts that run downwards (less is better): beyond the best is below it
    (10, 0, -1, "x = -1, at or below the best goalpost 0: capped at 100 points"),
    (10, 0, 12, "x = 12, above the worst goalpost 10: 0 points"),
])
def test_goalposts_name_the_clamping(worst: float, best: float, value: float, why: str):
    rule = Rule.model_validate({"id": "r", "title": "r", "score": {"goalposts": {"fact": "x", "worst": worst, "best": best}}})
    compiled = rule.score.compile({"x": NUMBER})
    facts = Snapshot({"x": value}, 2024)
    assert compiled.explain(facts, compiled.score(facts)) == why
