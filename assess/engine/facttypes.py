"""The fact types, one class each: the single home of everything that depends on a fact's type.

A fact's declaration in ``facts.yaml`` is validated by one of these pydantic models, and the
same class knows how to read a value written in YAML, which condition operators can test it
and how, what "one step more capacity" is, which values represent it in property checks and
how Hypothesis generates it, how ``assess facts`` and ``assess new`` describe its values, and an
example declaration that the tests run every command over. Adding a fact type means adding one
class here: defining it registers it in ``FACT_TYPES`` (its ``type`` names it), and a class that
lacks one of ``FactSpecBase``'s abstract methods is refused at import (CONTRIBUTING.md walks
through an example).
"""

from __future__ import annotations

import datetime as dt
import math
import operator
import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Union, get_args

from pydantic import Field, field_validator, model_validator

from .kinds import OneOf, concrete, register
from .modelbase import Direction, GoalId, Identifier, RawScalar, RawValue, Strict, Text
from .values import UNKNOWN, UNKNOWN_TEXT, ValueProblem

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

Predicate = Callable[[Any, int], bool]  # (a known value, the as-of year) -> does the test hold
EARLIEST, LATEST = dt.date(1990, 1, 1), dt.date(2030, 12, 31)  # the dates property checks explore

_ORDERED = {"is": operator.eq, "at_least": operator.ge, "at_most": operator.le}
UNIFORM_SET_ITEMS = 12  # 4,096 subsets: beyond this a uniform prior over a set's values is not tabulated
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")  # a decimal literal, as people write numbers


class ClosedList(Strict):
    """The fact is published as an authoritative, complete list: a country absent from one edition of
    it has a known value (not on the FATF lists: not_listed), not an unknown one."""

    list: Text = Field(description="The list that settles the fact, and who publishes it.")
    absent: RawScalar = Field(description="The value of a country the list does not name.")


class PriorPoint(Strict):
    """One value of a declared prior and its probability."""

    value: RawValue = Field(description="A value of the fact, written as in a profile.")
    p: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = Field(description="Its probability.")


class Estimate(Strict):
    """How an unknown value of a fact is estimated: the distribution it is drawn from.

    ``cohort``: the fact's distribution among the assessed entities where it is known that year,
    within the entity's group of ``by`` when at least ``min_group`` of its members are known,
    else among all entities when at least ``min_cohort`` are (never where it is ``never``), else the
    declared ``prior``; a cohort showing fewer than ``min_distinct`` distinct values, each held by at
    least ``min_per_value`` entities and by at least ``min_value_share`` of its known entities, is not
    used.
    ``prior``: the declared ``prior`` only. ``none``: the unknown is not estimated; the rules
    that read it drop out of every estimate (and the output says so)."""

    method: Literal["cohort", "prior", "none"]
    by: Identifier | None = Field(
        None, description="A grouping of groupings.yaml (region) or a boolean or level fact of the catalogue whose "
                          "value groups the entities (cohort only).")
    min_group: Annotated[int, Field(ge=1, le=100_000)] = Field(
        5, description="The least entities of a group whose value is known for the group's distribution to be used.")
    min_cohort: Annotated[int, Field(ge=1, le=100_000)] | Literal["never"] = Field(
        10, description="The least entities whose value is known for the whole cohort's distribution to be used; "
                        "'never' uses the group's or the declared prior only, however many are known (for a fact "
                        "whose known values are those research reached, where the world's share would stand in "
                        "for evidence nobody has).")
    min_distinct: Annotated[int, Field(ge=1, le=100)] = Field(
        1, description="The least distinct values a cohort (or group) must show to be used: 2 refuses a cohort in which "
                       "every known entity has the same value, which in evidence gathered as reports of what exists "
                       "says how the evidence was found rather than how common the value is.")
    min_per_value: Annotated[int, Field(ge=1, le=100_000)] = Field(
        1, description="The least known entities a value needs to count towards min_distinct: 2 refuses a cohort of "
                       "seventy reports of a measure and one of its absence, which also says how the evidence was "
                       "found (one row would otherwise move every unknown from the declared prior to 99%).")
    min_value_share: Annotated[float, Field(ge=0, le=0.5)] = Field(
        0.0, description="The least share of a cohort's (or group's) known entities a value needs to count towards "
                         "min_distinct, besides min_per_value: 0.05 refuses a cohort of a hundred reports of a measure "
                         "and two or three of its absence, which says how the evidence was found as much as one "
                         "absence among seventy does (the cohort would put every unknown at 97% or more).")
    prior: Annotated[list[PriorPoint], Field(min_length=1, max_length=500)] | Literal["uniform"] | None = Field(
        None, description="The declared distribution (the fallback of a cohort): values with probabilities summing to "
                          "1, or 'uniform' (every value of a boolean or level fact equally likely; every item of a set "
                          "independently with probability one half).")
    rationale: Text = Field(description="Why this treatment: what is known about the fact's distribution.")


FACT_TYPES: dict[str, type[FactSpecBase]] = {}  # every fact type by its name, in the order defined


class FactSpecBase(Strict, ABC):
    """What every fact declaration has, and the behaviour each type provides: the abstract methods
    are what a type must define (``uniform`` and ``measure`` are capabilities a type may lack)."""

    description: Text
    type: str
    closed_list: ClosedList | None = Field(
        None, description="Declare when an authoritative list settles the fact for every country (assess import "
                          "--closed-list fills in the countries it does not name).")
    context: Text | None = Field(
        None, description="Why the fact is recorded although no rule scores it (context for reviewers and reports); "
                          "such a fact is not reported as unused.")
    estimate: Estimate | None = Field(
        None, description="How an unknown value is estimated (default: the catalogue's estimate).")
    impute: Estimate | None = Field(
        None, description="Numbers only: an unknown value is imputed as the mean of this distribution (its group's, "
                          "else the cohort's, else the declared prior's), used in the score and reported as imputed.")
    operators: ClassVar[tuple[str, ...]] = ()
    listed: ClassVar[bool] = False  # a value is written as a list (of items), not as one scalar
    categorical: ClassVar[bool] = False  # a few named values, all in samples(): they can group a cohort

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if concrete(cls, "fact type"):
            register(FACT_TYPES, cls.type_name(), cls, "fact type")

    @classmethod
    def type_name(cls) -> str:
        """The name a declaration's ``type`` gives (``boolean``): the class's ``type: Literal[...]``."""
        names = get_args(cls.model_fields["type"].annotation)
        if len(names) != 1:
            raise TypeError(f"{cls.__module__}.{cls.__qualname__} must name its type: type: Literal[\"...\"]")
        return str(names[0])

    @classmethod
    @abstractmethod
    def example(cls) -> dict[str, Any]:
        """A declaration of a fact of this type, as written in facts.yaml (``tests/test_kinds.py``
        runs every command over a rule set that reads it)."""

    @abstractmethod
    def example_condition(self, fact: str) -> dict[str, Any]:
        """A condition on ``fact``, as written in a rule, that the most capable of ``samples()`` meets,
        that more capacity never stops meeting, and that some generated values meet (the scoring
        kinds' examples test it)."""

    def read(self, raw: Any, *, allow_unknown: bool = True) -> Any:
        """The typed value of ``raw`` (or UNKNOWN); raises ValueProblem."""
        if allow_unknown and raw == UNKNOWN_TEXT:
            return UNKNOWN
        if isinstance(raw, list) and not self.listed:
            raise ValueProblem(f"expected a single {self.type} value, not a list")
        return self.read_known(raw)

    @abstractmethod
    def read_known(self, raw: Any) -> Any:
        """The typed value of ``raw``, a value written in YAML that is not ``unknown``; raises ValueProblem."""

    def invalid(self, value: Any) -> str | None:
        """Why a known value scores nothing (it lies outside the fact's declared valid range), or None."""
        return None

    def predicate(self, op: str, operand: Any) -> Predicate:
        """A compiled test of a known value; ``op`` is one of this type's ``operators``."""
        compare = _ORDERED[op]
        wanted = self.read(operand, allow_unknown=False)
        return lambda value, year: compare(value, wanted)

    @abstractmethod
    def step_up(self, value: Any) -> Any:
        """The value one step further in the "more capacity" direction, or None at the end."""

    @abstractmethod
    def samples(self) -> list[Any]:
        """Known values spanning the type, for checks that compare a fact's unknown with them."""

    def raise_to(self, value: Any, target: Any) -> Any:
        """What a package that brings the fact to ``target`` leaves: never less capacity than ``value``
        had (an unknown value becomes ``target``)."""
        if value is UNKNOWN:
            return target
        better = max if self.higher_is_better else min
        return better(value, target, key=self.rank)

    def rank(self, value: Any) -> Any:
        """A key that orders known values (the type's own order unless overridden)."""
        return value

    @abstractmethod
    def value_schema(self) -> dict[str, Any]:
        """JSON Schema of a known value, for editors (``assess schema`` with a rule set)."""

    def uniform(self) -> list[tuple[Any, float]]:
        """The uniform prior over the fact's values (types with finitely many values only)."""
        raise ValueProblem(f"a {self.type} fact has no uniform prior: declare its values and their probabilities")

    def order_key(self, value: Any) -> Any:
        """A key that orders known values deterministically (for the value tables of estimates)."""
        return self.rank(value)

    @abstractmethod
    def best(self) -> Any:
        """The admissible value with the most capacity."""

    @abstractmethod
    def worst(self) -> Any:
        """The admissible value with the least capacity."""

    @abstractmethod
    def strategy(self) -> SearchStrategy[Any]:
        """Hypothesis: any known value of this fact."""

    def measure(self, value: Any) -> float:
        """The number goalposts are set on; only for types that can be scored on goalposts."""
        raise ValueProblem(f"a {self.type} fact cannot be scored on goalposts")

    @classmethod
    def on_goalposts(cls) -> bool:
        """Whether goalposts can score a fact of this type (it defines ``measure``)."""
        return cls.measure is not FactSpecBase.measure

    @abstractmethod
    def values_text(self) -> str:
        """The values in order of capacity, as ``assess facts`` lists them (``low < mid < high``)."""

    @abstractmethod
    def better_text(self) -> str:
        """Which way counts as more capacity, as ``assess facts`` says it (``more``, ``later level``)."""

    @abstractmethod
    def values_hint(self) -> str:
        """What a value is, in the comment ``assess new`` writes above the fact (``[true | false]``)."""

    @property
    def higher_is_better(self) -> bool:
        return getattr(self, "better", "higher") == "higher"


class BooleanFact(FactSpecBase):
    type: Literal["boolean"]
    better: Direction = "higher"
    operators: ClassVar[tuple[str, ...]] = ("is",)
    categorical: ClassVar[bool] = True

    @classmethod
    def example(cls) -> dict[str, Any]:
        return {"type": "boolean", "description": "Whether the country has a precursor control law."}

    def example_condition(self, fact: str) -> dict[str, Any]:
        return {"fact": fact, "is": self.higher_is_better}

    def read_known(self, raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        if raw in ("true", "false"):  # YAML text stays text (see reader); only these spellings are booleans
            return bool(raw == "true")
        raise ValueProblem(f"'{raw}' is not a boolean", ("true", "false", UNKNOWN_TEXT))

    def step_up(self, value: bool) -> bool | None:
        if self.higher_is_better:
            return True if not value else None
        return False if value else None

    def samples(self) -> list[Any]:
        return [False, True]

    def uniform(self) -> list[tuple[Any, float]]:
        return [(False, 0.5), (True, 0.5)]

    def best(self) -> bool:
        return self.higher_is_better

    def worst(self) -> bool:
        return not self.higher_is_better

    def value_schema(self) -> dict[str, Any]:
        return {"type": "boolean"}

    def strategy(self) -> SearchStrategy[Any]:
        from hypothesis import strategies as st

        return st.booleans()

    def values_text(self) -> str:
        return "true, false"

    def better_text(self) -> str:
        return "true" if self.higher_is_better else "false"

    def values_hint(self) -> str:
        return "[true | false]"


class LevelFact(FactSpecBase):
    type: Literal["level"]
    levels: Annotated[list[Identifier], Field(min_length=2, max_length=50)] = Field(
        description="From least to most capacity."
    )
    operators: ClassVar[tuple[str, ...]] = ("is", "at_least", "at_most")
    categorical: ClassVar[bool] = True

    @classmethod
    def example(cls) -> dict[str, Any]:
        return {"type": "level", "description": "How far the country's controls reach.", "levels": ["none", "partial", "full"]}

    def example_condition(self, fact: str) -> dict[str, Any]:
        return {"fact": fact, "at_least": self.levels[len(self.levels) // 2]}

    @field_validator("levels")
    @classmethod
    def _unique(cls, levels: list[str]) -> list[str]:
        duplicates = sorted({level for level in levels if levels.count(level) > 1})
        if duplicates:
            raise ValueError(f"levels must be unique; repeated: {', '.join(duplicates)}")
        return levels

    def read_known(self, raw: Any) -> str:
        if str(raw) not in self.levels:
            raise ValueProblem(f"'{raw}' is not a level of this fact", (*self.levels, UNKNOWN_TEXT))
        return str(raw)

    def predicate(self, op: str, operand: Any) -> Predicate:
        rank = {level: i for i, level in enumerate(self.levels)}  # compare ranks, not names
        compare, wanted = _ORDERED[op], rank[self.read(operand, allow_unknown=False)]
        return lambda value, year: compare(rank[value], wanted)

    def rank(self, value: str) -> int:
        return self.levels.index(value)

    def step_up(self, value: str) -> str | None:
        index = self.levels.index(value) + 1
        return self.levels[index] if index < len(self.levels) else None

    def samples(self) -> list[Any]:
        return list(self.levels)

    def uniform(self) -> list[tuple[Any, float]]:
        return [(level, 1 / len(self.levels)) for level in self.levels]

    def best(self) -> str:
        return self.levels[-1]

    def worst(self) -> str:
        return self.levels[0]

    def value_schema(self) -> dict[str, Any]:
        return {"enum": list(self.levels)}

    def strategy(self) -> SearchStrategy[Any]:
        from hypothesis import strategies as st

        return st.sampled_from(self.levels)

    def values_text(self) -> str:
        return " < ".join(self.levels)

    def better_text(self) -> str:
        return "later level"

    def values_hint(self) -> str:
        return f"[{' < '.join(self.levels)}]"


class ValidRange(Strict):
    """The values of a number a rule can score (either end may be left open): ``min`` and ``max``
    include their end, ``above`` and ``below`` exclude it (a ratio of zero arrears is no ratio)."""

    min: Annotated[float, Field(allow_inf_nan=False)] | None = None
    max: Annotated[float, Field(allow_inf_nan=False)] | None = None
    above: Annotated[float, Field(allow_inf_nan=False)] | None = Field(
        None, description="The values must be greater than this (the end itself is not valid); instead of min.")
    below: Annotated[float, Field(allow_inf_nan=False)] | None = Field(
        None, description="The values must be less than this (the end itself is not valid); instead of max.")

    @model_validator(mode="after")
    def _ordered(self) -> ValidRange:
        if self.min is not None and self.above is not None:
            raise ValueError("a valid range declares min or above, not both")
        if self.max is not None and self.below is not None:
            raise ValueError("a valid range declares max or below, not both")
        low, high = self.low, self.high
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError(f"valid_range max ({self.max:g}) is below its min ({self.min:g})")
        if low is None and high is None:
            raise ValueError("a valid range declares min, max or both")
        if low is not None and high is not None and (high < low or (high == low and (self.above, self.below) != (None, None))):
            raise ValueError(f"valid_range {self.text()} holds no value")
        return self

    @property
    def low(self) -> float | None:
        return self.min if self.above is None else self.above

    @property
    def high(self) -> float | None:
        return self.max if self.below is None else self.below

    def holds(self, value: float) -> bool:
        return ((self.min is None or value >= self.min) and (self.max is None or value <= self.max)
                and (self.above is None or value > self.above) and (self.below is None or value < self.below))

    def text(self) -> str:
        """``1 to 10`` (ends included), or ``above 0, below 3`` where an end is excluded."""
        if self.above is None and self.below is None:
            return f"{'-inf' if self.min is None else f'{self.min:g}'} to {'inf' if self.max is None else f'{self.max:g}'}"
        low = "" if self.low is None else (f"above {self.above:g}" if self.above is not None else f"from {self.low:g}")
        high = "" if self.high is None else (f"below {self.below:g}" if self.below is not None else f"to {self.high:g}")
        return ", ".join(part for part in (low, high) if part)


class NumberFact(FactSpecBase):
    type: Literal["number"]
    unit: Text
    better: Direction = "higher"
    min: Annotated[float, Field(allow_inf_nan=False)] | None = Field(
        None, description="The least admissible value: anything lower is an error (a typo, not a fact).")
    max: Annotated[float, Field(allow_inf_nan=False)] | None = Field(
        None, description="The greatest admissible value (e.g. 10 on a 1-10 scale).")
    valid_range: ValidRange | None = Field(
        None, description="The values a rule can score: one outside is recorded and shown but scores nothing, as "
                          "if unknown (a 0 a source writes for 'not assessed' on a 1-10 scale), unlike min and max, "
                          "which refuse the file.")
    derived: Text | None = Field(
        None, description="An expression that computes the fact from other number facts (gdp / population): "
                          "numbers, fact names, + - * /, ratio, log, log10, min, max, clamp, coalesce (the first argument "
                          "with a value). A profile cannot record it; its unit must follow from its inputs' units; "
                          "a valid_range it may declare (a value outside it has none).")
    operators: ClassVar[tuple[str, ...]] = ("is", "at_least", "at_most")

    @classmethod
    def example(cls) -> dict[str, Any]:
        return {"type": "number", "description": "Mail screening sites.", "unit": "sites", "min": 0}

    def invalid(self, value: float) -> str | None:
        valid = self.valid_range
        if valid is None or valid.holds(value):
            return None
        return f"{value:g} is outside the valid range {valid.text()} {self.unit}: no score"

    def example_condition(self, fact: str) -> dict[str, Any]:
        middle = self.samples()[len(self.samples()) // 2]
        return {"fact": fact, "at_least" if self.higher_is_better else "at_most": middle}

    @model_validator(mode="after")
    def _ordered(self) -> NumberFact:
        if self.min is not None and self.max is not None and self.max <= self.min:
            raise ValueError(f"max ({self.max:g}) must be above min ({self.min:g})")
        declared = [key for key in ("min", "max", "closed_list", "estimate", "impute") if getattr(self, key) is not None]
        if self.derived and declared:  # its values, range and estimate all follow from its inputs'
            raise ValueError(f"a derived fact cannot declare {', '.join(declared)}: its values follow from its inputs")
        return self

    def read_known(self, raw: Any) -> float:
        if isinstance(raw, bool):
            raise ValueProblem(f"'{raw}' is not a number")
        if not isinstance(raw, (int, float)) and not NUMBER.fullmatch(str(raw)):
            raise ValueProblem(f"'{raw}' is not a number (unit: {self.unit})")  # no 1_000, 0x10 or ' 5'
        number = float(raw)
        if not math.isfinite(number):
            raise ValueProblem(f"'{raw}' is not a finite number")
        if (self.min is not None and number < self.min) or (self.max is not None and number > self.max):
            raise ValueProblem(f"{number:g} is outside the declared range {self._range_text()}")
        return number

    def _range_text(self) -> str:
        low = "-inf" if self.min is None else f"{self.min:g}"
        high = "inf" if self.max is None else f"{self.max:g}"
        return f"{low} to {high} {self.unit}"

    def step_up(self, value: float) -> float | None:
        """One unit more capacity, within the declared range (None at its end)."""
        if self.higher_is_better:
            if self.max is None:
                return value + 1
            return None if value >= self.max else min(value + 1, self.max)
        if self.min is None:
            return value - 1 if value >= 1 else None
        return None if value <= self.min else max(value - 1, self.min)

    def samples(self) -> list[Any]:
        if self.min is None and self.max is None:
            return [0.0, 1.0, 10.0, 1e6]
        low, high = self._bounds()
        return sorted({low, (low + high) / 2, high})

    def _bounds(self) -> tuple[float, float]:
        return (0.0 if self.min is None else self.min), (1e6 if self.max is None else self.max)

    def best(self) -> float:  # unbounded numbers pass any goalpost or threshold
        if self.higher_is_better:
            return math.inf if self.max is None else self.max
        return -math.inf if self.min is None else self.min

    def worst(self) -> float:
        if self.higher_is_better:
            return -math.inf if self.min is None else self.min
        return math.inf if self.max is None else self.max

    def value_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "number", "description": f"in {self.unit}"}
        schema.update({key: value for key, value in (("minimum", self.min), ("maximum", self.max)) if value is not None})
        return schema

    def strategy(self) -> SearchStrategy[Any]:
        from hypothesis import strategies as st

        low, high = self._bounds()
        return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)

    def measure(self, value: float) -> float:
        return float(value)

    def values_text(self) -> str:
        return f"number ({self.unit})" + (f" = {self.derived}" if self.derived else "")

    def better_text(self) -> str:
        return "more" if self.higher_is_better else "fewer"

    def values_hint(self) -> str:
        return f"[a number of {self.unit}]"


class DateFact(FactSpecBase):
    type: Literal["date"]
    better: Direction = "higher"
    operators: ClassVar[tuple[str, ...]] = ("is", "at_least", "at_most", "within_years")

    @classmethod
    def example(cls) -> dict[str, Any]:
        return {"type": "date", "description": "When the last drug-use survey was published."}

    def example_condition(self, fact: str) -> dict[str, Any]:
        return {"fact": fact, "at_least" if self.higher_is_better else "at_most": "2019-01-01"}

    def read_known(self, raw: Any) -> dt.date:
        if isinstance(raw, dt.date):
            return raw
        try:
            return dt.date.fromisoformat(str(raw))
        except ValueError:
            raise ValueProblem(f"'{raw}' is not a date in the form YYYY-MM-DD") from None

    def predicate(self, op: str, operand: Any) -> Predicate:
        if op == "within_years":
            years = int(operand)
            return lambda value, year: value.year >= year - years
        return super().predicate(op, operand)

    def step_up(self, value: dt.date) -> dt.date:
        return value + dt.timedelta(days=365) if self.higher_is_better else value - dt.timedelta(days=365)

    def samples(self) -> list[Any]:
        return [EARLIEST, dt.date(2019, 1, 1), LATEST]

    def best(self) -> dt.date:
        return dt.date.max if self.higher_is_better else dt.date.min

    def worst(self) -> dt.date:
        return dt.date.min if self.higher_is_better else dt.date.max

    def value_schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date"}

    def strategy(self) -> SearchStrategy[Any]:
        from hypothesis import strategies as st

        return st.dates(min_value=EARLIEST, max_value=LATEST)

    def values_text(self) -> str:
        return "YYYY-MM-DD"

    def better_text(self) -> str:
        return "later" if self.higher_is_better else "earlier"

    def values_hint(self) -> str:
        return "[a date, YYYY-MM-DD]"


class SetFact(FactSpecBase):
    type: Literal["set"]
    items: Annotated[list[Identifier | GoalId], Field(min_length=1, max_length=500)]
    better: Direction = "higher"
    operators: ClassVar[tuple[str, ...]] = ("contains", "contains_any", "contains_all")
    listed: ClassVar[bool] = True

    @classmethod
    def example(cls) -> dict[str, Any]:
        return {"type": "set", "description": "The early-warning systems the country reports to.",
                "items": ["ews_a", "ews_b", "ews_c"]}

    def example_condition(self, fact: str) -> dict[str, Any]:
        contains = {"fact": fact, "contains": self.items[0]}
        return contains if self.higher_is_better else {"not": contains}

    def read_known(self, raw: Any) -> frozenset[str]:
        if not isinstance(raw, list):
            raise ValueProblem(f"expected a list of items, not '{raw}'", tuple(self.items))
        repeated = sorted({str(item) for item in raw if raw.count(item) > 1})
        if repeated:
            raise ValueProblem(f"an item is listed twice: {', '.join(repeated)}")
        return frozenset(self.read_item(item) for item in raw)

    def read_item(self, raw: Any) -> str:
        item = str(raw)
        if item not in self.items:
            raise ValueProblem(f"'{item}' is not an item of this set", tuple(self.items))
        return item

    def predicate(self, op: str, operand: Any) -> Predicate:
        wanted = frozenset(self.read_item(item) for item in (operand if isinstance(operand, list) else [operand]))
        if op == "contains_any":
            return lambda value, year: not wanted.isdisjoint(value)
        return lambda value, year: wanted <= value

    def raise_to(self, value: Any, target: frozenset[str]) -> frozenset[str]:
        if value is UNKNOWN:
            return target
        return frozenset(value | target) if self.higher_is_better else frozenset(value & target)

    def step_up(self, value: frozenset[str]) -> frozenset[str] | None:
        if self.higher_is_better:
            missing = [item for item in self.items if item not in value]
            return value | {missing[0]} if missing else None
        return value - {sorted(value)[0]} if value else None

    def samples(self) -> list[Any]:
        return [frozenset(), frozenset(self.items)]

    def uniform(self) -> list[tuple[Any, float]]:
        """Every item independently with probability one half: every subset equally likely."""
        if len(self.items) > UNIFORM_SET_ITEMS:
            raise ValueProblem(f"a set of {len(self.items)} items has too many subsets for a uniform prior "
                               f"(at most {UNIFORM_SET_ITEMS} items): declare its values and their probabilities")
        subsets = [frozenset(item for bit, item in enumerate(self.items) if mask >> bit & 1)
                   for mask in range(2 ** len(self.items))]
        return [(subset, 0.5 ** len(self.items)) for subset in subsets]

    def order_key(self, value: frozenset[str]) -> Any:
        return len(value), sorted(value)

    def best(self) -> frozenset[str]:
        return frozenset(self.items) if self.higher_is_better else frozenset()

    def worst(self) -> frozenset[str]:
        return frozenset() if self.higher_is_better else frozenset(self.items)

    def value_schema(self) -> dict[str, Any]:
        return {"type": "array", "items": {"enum": list(self.items)}, "uniqueItems": True}

    def strategy(self) -> SearchStrategy[Any]:
        from hypothesis import strategies as st

        return st.frozensets(st.sampled_from(self.items))

    def measure(self, value: frozenset[str]) -> float:
        return len(value)

    def values_text(self) -> str:
        return "any of " + ", ".join(self.items)

    def better_text(self) -> str:
        return "more items" if self.higher_is_better else "fewer items"

    def values_hint(self) -> str:
        return f"[a list of: {', '.join(self.items)}]"


def _union() -> Any:
    return Annotated[Union[tuple(FACT_TYPES.values())], Field(discriminator="type")]  # noqa: UP007 (built at run time)


FactSpec = Annotated[FactSpecBase, OneOf(_union)]  # a declaration, validated as the fact type its ``type`` names


def types_supporting(op: str) -> tuple[str, ...]:
    """The fact types a condition operator can test (for error messages)."""
    return tuple(name for name, kind in FACT_TYPES.items() if op in kind.operators)
