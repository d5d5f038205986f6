"""Conditions: the models of ``{fact: F, is: V}``, ``all``, ``any`` and ``not``, and their compilation.

A compiled condition maps a fact snapshot to True, False or None (unknown, by Kleene's
three-valued logic). What an operator means for a fact is the fact type's business
(``FactSpecBase.predicate``); this module only combines the answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

from pydantic import ConfigDict, Field, model_validator

from .facttypes import FactSpecBase
from .modelbase import Identifier, RawScalar, Strict, keyed_union
from .values import UNKNOWN

if TYPE_CHECKING:
    from .reader import DataPath

OPERATORS = ("is", "at_least", "at_most", "contains", "contains_any", "contains_all", "within_years")
_WORDS = {"is": "is", "at_least": "is at least", "at_most": "is at most", "contains": "contains",
          "contains_any": "contains any of", "contains_all": "contains all of", "within_years": "is within the last"}


class FactTest(Strict):
    """One test of one fact; exactly one operator."""

    model_config = ConfigDict(populate_by_name=True)

    fact: Identifier
    is_: RawScalar | None = Field(None, alias="is")
    at_least: RawScalar | None = None
    at_most: RawScalar | None = None
    contains: RawScalar | None = None
    contains_any: list[RawScalar] | None = None
    contains_all: list[RawScalar] | None = None
    within_years: Annotated[int, Field(ge=0, le=200)] | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> FactTest:
        given = [name for name in OPERATORS if self._operand_of(name) is not None]
        if len(given) != 1:
            raise ValueError(f"a fact test takes exactly one of: {', '.join(OPERATORS)} (found {len(given)})")
        return self

    def _operand_of(self, name: str) -> Any:
        return getattr(self, "is_" if name == "is" else name)

    @property
    def operator(self) -> str:
        return next(name for name in OPERATORS if self._operand_of(name) is not None)

    @property
    def operand(self) -> Any:
        return self._operand_of(self.operator)


class AllOf(Strict):
    all: Annotated[list[Condition], Field(min_length=1)]


class AnyOf(Strict):
    any: Annotated[list[Condition], Field(min_length=1)]


class NotOf(Strict):
    not_: Condition = Field(alias="not")
    model_config = ConfigDict(populate_by_name=True)


if TYPE_CHECKING:
    Condition: TypeAlias = FactTest | AllOf | AnyOf | NotOf  # what a validated condition is
else:  # for pydantic: the member is chosen by the mapping's key (all, any, not, fact)
    Condition = keyed_union("fact", {"all": AllOf, "any": AnyOf, "not": NotOf, "fact": FactTest})


def iter_fact_tests(condition: Condition, path: DataPath = ()) -> Iterator[tuple[DataPath, FactTest]]:
    """Every fact test inside a condition, with its data path."""
    if isinstance(condition, FactTest):
        yield path, condition
    elif isinstance(condition, AllOf):
        for i, child in enumerate(condition.all):
            yield from iter_fact_tests(child, (*path, "all", i))
    elif isinstance(condition, AnyOf):
        for i, child in enumerate(condition.any):
            yield from iter_fact_tests(child, (*path, "any", i))
    else:
        yield from iter_fact_tests(condition.not_, (*path, "not"))


def facts_of(conditions: list[Condition]) -> tuple[str, ...]:
    """The facts some conditions read, in first-mention order."""
    return tuple(dict.fromkeys(test.fact for condition in conditions for _, test in iter_fact_tests(condition)))


# --- Compiled -----------------------------------------------------------------------------------


class Snapshot(dict[str, Any]):
    """Typed fact values of one country as of one year; absent facts are unknown."""

    __slots__ = ("year",)

    def __init__(self, values: Mapping[str, Any], year: int) -> None:
        super().__init__(values)
        self.year = year


Test = Callable[[Snapshot], "bool | None"]


@dataclass(frozen=True)
class CompiledCondition:
    test: Test
    text: str  # the condition in words, for traces


def compile_condition(condition: Condition, facts: Mapping[str, FactSpecBase]) -> CompiledCondition:
    if isinstance(condition, FactTest):
        return CompiledCondition(_fact_test(condition, facts[condition.fact]), describe(condition))
    if isinstance(condition, NotOf):
        return _negation(compile_condition(condition.not_, facts))
    children = condition.all if isinstance(condition, AllOf) else condition.any
    return _junction([compile_condition(child, facts) for child in children], isinstance(condition, AnyOf))


def describe(test: FactTest) -> str:
    operand = test.operand
    if isinstance(operand, list):
        operand = "[" + ", ".join(map(str, operand)) + "]"
    suffix = " years" if test.operator == "within_years" else ""
    return f"{test.fact} {_WORDS[test.operator]} {operand}{suffix}"


def _fact_test(test: FactTest, spec: FactSpecBase) -> Test:
    key, holds = test.fact, spec.predicate(test.operator, test.operand)

    def run(s: Snapshot) -> bool | None:
        value = s.get(key, UNKNOWN)
        return None if value is UNKNOWN else holds(value, s.year)

    return run


def _negation(inner: CompiledCondition) -> CompiledCondition:
    test = inner.test

    def negate(snapshot: Snapshot) -> bool | None:
        result = test(snapshot)
        return None if result is None else not result

    return CompiledCondition(negate, f"not ({inner.text})")


def _junction(parts: list[CompiledCondition], decisive: bool) -> CompiledCondition:
    """``any`` (decisive = True settles it at once) or ``all`` (decisive = False)."""
    tests = tuple(part.test for part in parts)

    def combine(snapshot: Snapshot) -> bool | None:
        unknown = False
        for child in tests:
            result = child(snapshot)
            if result is decisive:
                return decisive
            unknown = unknown or result is None
        return None if unknown else not decisive

    joiner = " or " if decisive else " and "
    return CompiledCondition(combine, "(" + joiner.join(part.text for part in parts) + ")")
