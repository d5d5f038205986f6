"""A kind that lacks a method is refused where it is defined, naming what it lacks; an abstract
one (``ABC`` among its bases) is not registered; two kinds cannot share a name."""

from abc import ABC
from typing import Any, Literal

import pytest

from assess.engine.facttypes import FACT_TYPES, BooleanFact, FactSpecBase
from assess.engine.scorings import SCORING_KINDS, ScoringBase, WhenScoring


def test_an_incomplete_fact_type_is_refused_at_definition_naming_what_it_lacks():
    with pytest.raises(TypeError, match=r"test_kinds\..*HalfFact is not a complete fact type: it does not define "
                                        r"best, better_text, example, example_condition, samples, step_up, strategy, "
                                        r"value_schema, values_hint, values_text, worst \(see CONTRIBUTING.md\)"):
        class HalfFact(FactSpecBase):
            type: Literal["half"]

            def read_known(self, raw: Any) -> float:
                return float(raw)
    assert "half" not in FACT_TYPES


def test_an_incomplete_scoring_kind_is_refused_at_definition_naming_what_it_lacks():
    with pytest.raises(TypeError, match=r"HalfScoring is not a complete scoring kind: it does not define "
                                        r"check, compile, example, reversed_against, score_range"):
        class HalfScoring(ScoringBase):
            half: str

            def facts_read(self) -> tuple[str, ...]:
                return ()
    assert "half" not in SCORING_KINDS


def test_an_abstract_kind_is_neither_checked_nor_registered():
    class OrderedFact(FactSpecBase, ABC):
        pass

    assert OrderedFact not in FACT_TYPES.values()


def test_two_kinds_cannot_share_a_name():
    with pytest.raises(TypeError, match=r"the fact type 'boolean' is assess.engine.facttypes.BooleanFact already"):
        class AnotherBoolean(BooleanFact):
            pass
    with pytest.raises(TypeError, match=r"the scoring kind 'when' is assess.engine.scorings.WhenScoring already"):
        class AnotherWhen(WhenScoring):
            pass


def test_a_fact_type_must_name_its_type():
    with pytest.raises(TypeError, match=r"Unnamed must name its type"):
        class Unnamed(BooleanFact):
            type: str  # type: ignore[assignment]

