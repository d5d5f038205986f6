"""The file formats, as pydantic models: the single source of truth.

Validation, the JSON Schema given to editors (``assess schema``) and the Hypothesis
strategies in ``assess.testing`` all derive from these classes. Loaded YAML arrives as text
(see ``load``); fields that need a number, a date or a boolean convert it here, strictly.
Fact values are typed against the fact catalogue in ``validate``, because their type is
declared in data, not in Python.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Iterator, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
GoalId = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$", max_length=32)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
Weight = Annotated[float, Field(gt=0, le=1000)]
Score = Annotated[float, Field(ge=0, le=100)]
RawScalar = Union[str, int, float, bool]
RawValue = Union[RawScalar, list[RawScalar]]


Direction = Literal["higher", "lower"]
Method = Literal["weighted_mean", "geometric_mean", "minimum"]


class Strict(BaseModel):
    """Unknown keys are errors; models are immutable once validated."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


# --- The fact catalogue ------------------------------------------------------------------


class _FactBase(Strict):
    description: Text


class BooleanFact(_FactBase):
    type: Literal["boolean"]
    better: Direction = "higher"


class LevelFact(_FactBase):
    type: Literal["level"]
    levels: Annotated[list[Identifier], Field(min_length=2, max_length=50)] = Field(
        description="From least to most capacity."
    )

    @field_validator("levels")
    @classmethod
    def _unique(cls, levels: list[str]) -> list[str]:
        duplicates = sorted({level for level in levels if levels.count(level) > 1})
        if duplicates:
            raise ValueError(f"levels must be unique; repeated: {', '.join(duplicates)}")
        return levels


class NumberFact(_FactBase):
    type: Literal["number"]
    unit: Text
    better: Direction = "higher"


class DateFact(_FactBase):
    type: Literal["date"]
    better: Direction = "higher"


class SetFact(_FactBase):
    type: Literal["set"]
    items: Annotated[list[Identifier | GoalId], Field(min_length=1, max_length=500)]
    better: Direction = "higher"


FactSpec = Annotated[
    Union[BooleanFact, LevelFact, NumberFact, DateFact, SetFact], Field(discriminator="type")
]


class FactCatalogue(Strict):
    """``facts.yaml``: every fact a profile may state and a rule may read."""

    facts: Annotated[dict[Identifier, FactSpec], Field(min_length=1)]


# --- Citations and interventions ----------------------------------------------------------


class Citation(Strict):
    seed: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+\.txt$")] = Field(
        description="A file in the rule set's seeds/ folder."
    )
    section: Text = Field(description="Heading or paragraph; must appear in the seed text.")
    quote: Text | None = Field(None, description="Optional words that must appear verbatim in the seed.")


class Intervention(Strict):
    text: Text
    cites: Annotated[list[Citation], Field(min_length=1)]


class InterventionMenu(Strict):
    """``interventions.yaml``: the strategy's opportunities for interventions."""

    interventions: Annotated[dict[Identifier, Intervention], Field(min_length=1)]


# --- Conditions ----------------------------------------------------------------------------

OPERATORS = ("is", "at_least", "at_most", "contains", "contains_any", "contains_all", "within_years")


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
    def _one_operator(self) -> "FactTest":
        given = [name for name in OPERATORS if getattr(self, "is_" if name == "is" else name) is not None]
        if len(given) != 1:
            raise ValueError(f"a fact test takes exactly one of: {', '.join(OPERATORS)} (found {len(given)})")
        return self

    @property
    def operator(self) -> str:
        return next(name for name in OPERATORS if getattr(self, "is_" if name == "is" else name) is not None)

    @property
    def operand(self) -> Any:
        return getattr(self, "is_" if self.operator == "is" else self.operator)


class AllOf(Strict):
    all: Annotated[list["Condition"], Field(min_length=1)]


class AnyOf(Strict):
    any: Annotated[list["Condition"], Field(min_length=1)]


class NotOf(Strict):
    not_: "Condition" = Field(alias="not")
    model_config = ConfigDict(populate_by_name=True)


def _keyed_union(default: str, members: dict[str, type[BaseModel]]) -> Any:
    """A union whose member is named by the first of its keys a mapping has.

    Tags are bracketed (``<all>``) so that in error locations they never look like data keys.
    """
    by_type = {model: key for key, model in members.items()}

    def kind(value: Any) -> str:
        if isinstance(value, BaseModel):
            return f"<{by_type.get(type(value), default)}>"
        keys = value.keys() if isinstance(value, dict) else ()
        return f"<{next((key for key in members if key in keys), default)}>"

    tagged = tuple(Annotated[model, Tag(f"<{key}>")] for key, model in members.items())
    return Annotated[Union[tagged], Discriminator(kind)]


Condition = _keyed_union("fact", {"all": AllOf, "any": AnyOf, "not": NotOf, "fact": FactTest})


def iter_fact_tests(condition: Any, path: tuple) -> Iterator[tuple[tuple, FactTest]]:
    """Every fact test inside a condition, with its data path."""
    if isinstance(condition, FactTest):
        yield path, condition
    elif isinstance(condition, (AllOf, AnyOf)):
        key = "all" if isinstance(condition, AllOf) else "any"
        for i, child in enumerate(getattr(condition, key)):
            yield from iter_fact_tests(child, (*path, key, i))
    elif isinstance(condition, NotOf):
        yield from iter_fact_tests(condition.not_, (*path, "not"))


# --- Scoring of one rule -------------------------------------------------------------------


class WhenScoring(Strict):
    """100 when the condition holds, 0 when it does not."""

    when: Condition


class LevelRubric(Strict):
    fact: Identifier
    scores: dict[Identifier, Score] = Field(description="A score for every level of the fact.")


class LevelScoring(Strict):
    levels: LevelRubric


class Goalposts(Strict):
    """Linear between fixed goalposts, clamped; for sets, on the number of items."""

    fact: Identifier
    worst: Annotated[float, Field(allow_inf_nan=False)]
    best: Annotated[float, Field(allow_inf_nan=False)]

    @model_validator(mode="after")
    def _distinct(self) -> "Goalposts":
        if self.worst == self.best:
            raise ValueError("worst and best goalposts must differ")
        return self


class GoalpostScoring(Strict):
    goalposts: Goalposts


class Case(Strict):
    when: Condition
    score: Score


class CaseScoring(Strict):
    """The first case whose condition holds gives the score; otherwise ``otherwise``."""

    cases: Annotated[list[Case], Field(min_length=1)]
    otherwise: Score = 0


Scoring = _keyed_union("when", {"when": WhenScoring, "levels": LevelScoring, "goalposts": GoalpostScoring,
                                "cases": CaseScoring})


# --- The hierarchy: rule -> criterion -> goal -> overall -------------------------------------


class Rule(Strict):
    id: Identifier
    title: Text
    weight: Weight = 1
    rationale: Text | None = Field(None, description="Why this weight, in one line.")
    cites: Annotated[list[Citation], Field(min_length=1)]
    score: Scoring
    target: Score = Field(100, description="A score below this falls short and recommends the interventions.")
    interventions: Annotated[list[Identifier], Field(min_length=1)]
    non_monotone: Text | None = Field(
        None, description="Why this rule may score lower when a fact it reads improves: exempts it from the "
                          "monotonicity property (and is listed by check --properties)."
    )


class Cap(Strict):
    when: Condition
    max_score: Score
    rationale: Text


class _Aggregate(Strict):
    """A level that rolls up its children: its weight in its parent and how it combines them."""

    title: Text
    weight: Weight = 1
    rationale: Text | None = Field(None, description="Why this weight, in one line.")
    method: Method = "weighted_mean"
    alternative_methods: list[Method] = Field(
        [], description="Other defensible methods; assess sensitivity samples among them and the method."
    )


class Criterion(_Aggregate):
    id: Identifier
    rules: Annotated[list[Rule], Field(min_length=1)]


class Goal(_Aggregate):
    """One strategic goal: a file in the rule set's ``goals/`` folder."""

    id: GoalId
    cites: Annotated[list[Citation], Field(min_length=1)]
    caps: list[Cap] = []
    criteria: Annotated[list[Criterion], Field(min_length=1)]


class Tier(Strict):
    name: Identifier
    min: Score
    description: Text | None = None


class RulesetHeader(Strict):
    """``ruleset.yaml``: identity, tiers, coverage threshold and the overall aggregation."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=64)]
    version: Annotated[str, Field(min_length=1, max_length=32)]
    title: Text
    method: Method = "weighted_mean"
    alternative_methods: list[Method] = Field(
        [], description="Other defensible methods for the overall score; assess sensitivity samples among them."
    )
    min_coverage: Annotated[float, Field(ge=0, le=1)] = 0.5
    tiers: Annotated[list[Tier], Field(min_length=1)] = Field(
        description="Fixed goalposts, ascending by min; the first starts at 0."
    )
    caps: list[Cap] = []

    @field_validator("tiers")
    @classmethod
    def _ascending(cls, tiers: list[Tier]) -> list[Tier]:
        if tiers[0].min != 0:
            raise ValueError("the first tier must start at 0")
        if any(later.min <= earlier.min for earlier, later in zip(tiers, tiers[1:])):
            raise ValueError("tiers must be listed in strictly ascending order of min")
        return tiers


# --- Country profiles -------------------------------------------------------------------------


class FactEntry(Strict):
    value: RawValue = Field(description="The value, typed by the catalogue, or 'unknown'.")
    as_of: dt.date = Field(description="The date from which this value holds (YYYY-MM-DD).")
    source: Text | None = Field(None, description="Required unless the value is 'unknown'.")
    note: Text | None = None


class Profile(Strict):
    """``country_profiles/<ISO3>.yaml``: dated, sourced facts about one country."""

    country: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    facts: dict[Identifier, Annotated[list[FactEntry], Field(min_length=1)]] = {}




# --- The network: trafficking and partnership links, and prioritization parameters ----------

CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
NodeId = Annotated[str, Field(pattern=r"^([A-Z]{3}|[a-z][a-z0-9_]*)$", description="ISO3 code or a declared region id.")]
Share = Annotated[float, Field(ge=0, le=1)]
Confidence = Literal["low", "medium", "high"]


class Region(Strict):
    name: Text
    note: Text | None = None


class TraffickingLink(Strict):
    model_config = ConfigDict(populate_by_name=True)

    from_: NodeId = Field(alias="from")
    to: NodeId
    commodity: Identifier
    modalities: list[Identifier] = []
    volume: Identifier = "unknown"
    confidence: Confidence
    since: dt.date
    until: dt.date | None = None
    source: Text
    note: Text | None = None


class TraffickingFile(Strict):
    """``country_profiles/network/trafficking.yaml``: directed, dated, sourced trafficking links."""

    regions: dict[Identifier, Region] = {}
    links: list[TraffickingLink]


class Partnership(Strict):
    kind: Identifier
    between: Annotated[list[CountryCode], Field(min_length=2, max_length=2)]
    since: dt.date
    until: dt.date | None = None
    source: Text
    note: Text | None = None


class PartnershipFile(Strict):
    """``country_profiles/network/partnerships.yaml``: bilateral ties, dated and sourced."""

    partnerships: list[Partnership]


class Interdiction(Strict):
    goals: Annotated[dict[GoalId, Weight], Field(min_length=1)]
    effectiveness: Share
    unknown_capacity: Share


class PriorityWeights(Strict):
    leverage: Share
    need: Share
    feasibility: Share


class Priority(Strict):
    weights: PriorityWeights
    unknown_need: Share
    partnership_weights: dict[Identifier, Share]


class NetworkConfig(Strict):
    """``network.yaml`` in a rule set: the network's vocabulary and prioritization parameters."""

    commodities: Annotated[list[Identifier], Field(min_length=1)]
    modalities: Annotated[list[Identifier], Field(min_length=1)]
    volumes: Annotated[dict[Identifier, Annotated[float, Field(gt=0, le=1e6)]], Field(min_length=1)]
    unknown_volume: Identifier
    interdiction: Interdiction
    priority: Priority
    memberships: dict[Identifier, FactTest] = {}
    flow_algorithm: Literal["preflow_push", "edmonds_karp", "shortest_augmenting_path", "dinitz", "boykov_kolmogorov"] = "boykov_kolmogorov"
