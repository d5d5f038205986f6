"""The file formats, as pydantic models: the single source of truth.

Validation, the JSON Schema given to editors (``assess schema``) and the Hypothesis
strategies in ``assess.testing`` all derive from these classes. Loaded YAML arrives as text
(see ``reader``); fields that need a number, a date or a boolean convert it here, strictly.
Fact values are typed against the fact catalogue in ``validate``, because their type is
declared in data, not in Python. The fact types live in ``facttypes``, conditions in
``conditions`` and the scoring kinds in ``scorings``: each is the single home of its kind.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import re
from collections.abc import Iterator
from typing import Annotated, Literal, Union

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from .conditions import Condition, FactTest
from .facttypes import Estimate, FactSpec
from .modelbase import GoalId, Identifier, RawValue, Score, Strict, Text, Weight
from .scorings import Scoring
from .upgrade import CURRENT_FORMAT, FIRST_FORMAT

Method = Literal["weighted_mean", "geometric_mean", "minimum"]
# how a capacity acts on drug flows (a rule's ``mechanism``; weighted in network.yaml's ``interdiction``)
Mechanism = Literal["border_interdiction", "mail_interdiction", "diversion_control", "laboratory_dismantling",
                    "financial_disruption"]


class FactCatalogue(Strict):
    """``facts.yaml``: every fact a profile may state and a rule may read."""

    facts: Annotated[dict[Identifier, FactSpec], Field(min_length=1)]
    estimate: Estimate | None = Field(
        None, description="How an unknown value of a fact is estimated unless the fact declares its own "
                          "(none declared: unknowns are not estimated and drop out).")


class Membership(Strict):
    """A state's dated membership of a grouping (the EU's members joined, and one left, on known days)."""

    model_config = ConfigDict(populate_by_name=True)

    from_: dt.date | None = Field(None, alias="from", description="Its first day as a member (none: always was).")
    until: dt.date | None = Field(None, description="Its last day as a member (none: still is).")

    @model_validator(mode="after")
    def _ordered(self) -> Membership:
        if self.from_ and self.until and self.until < self.from_:
            raise ValueError(f"until ({self.until}) is before from ({self.from_})")
        return self

    def holds(self, day: dt.date) -> bool:
        return (self.from_ is None or self.from_ <= day) and (self.until is None or day <= self.until)


def _member_kind(value: object) -> str:
    return "<dated>" if isinstance(value, (dict, Membership)) else "<group>"


# a member's group (a partition such as a region), or its dated membership (a grouping with law)
Member = Annotated[Union[Annotated[Text, Tag("<group>")], Annotated[Membership, Tag("<dated>")]],  # noqa: UP007
                   Discriminator(_member_kind)]


class Law(Strict):
    """A grouping's law: from its date, it settles a fact at a value for every state that is a member."""

    model_config = ConfigDict(populate_by_name=True)

    fact: Identifier = Field(description="A fact of the catalogue.")
    value: RawValue = Field(description="The value it settles, typed by the catalogue (never 'unknown').")
    from_: dt.date = Field(alias="from", description="The day it enters into force (YYYY-MM-DD).")
    source: Text = Field(description="The law: publisher, document, URL.")
    note: Text | None = Field(None, description="What it does and how its date was read (shown with the value).")


class Grouping(Strict):
    """A declared grouping of the entities: a partition (a region, an income group) for cohort
    estimates, or a union of states whose law binds its members (the EU)."""

    title: Text
    source: Text = Field(description="Who publishes the grouping: publisher, document, URL.")
    members: Annotated[dict[Annotated[str, Field(pattern=r"^[A-Z]{3}$")], Member], Field(min_length=1)] = Field(
        description="ISO 3166-1 alpha-3 code -> group, or -> its dated membership ({from, until}; its group is the "
                    "grouping's title); an entity takes its parent country's group.")
    law: list[Law] = Field(
        [], description="Dated law that settles a fact for every state on each day it is a member and the law is in "
                        "force (a profile's own entry of the fact wins when dated later, or on the same day).")

    def groups(self, day: dt.date) -> dict[str, str]:
        """ISO3 -> group of the states that are members on ``day``."""
        return {code: member for code, member in self.members.items() if isinstance(member, str)} | {
            code: self.title for code, member in self.members.items()
            if isinstance(member, Membership) and member.holds(day)}


class GroupingsFile(Strict):
    """``groupings.yaml``: groupings a rule set's estimates may name in ``by``, and the law of unions of states."""

    groupings: dict[Identifier, Grouping]


# --- Citations and interventions ----------------------------------------------------------


class Citation(Strict):
    seed: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+\.txt$")] = Field(
        description="A file in the rule set's seeds/ folder."
    )
    section: Text = Field(description="Heading or paragraph; must appear in the seed text.")
    quote: Text | None = Field(None, description="Optional words that must appear verbatim in the seed.")


InterventionKind = Literal["assistance", "diplomacy", "us_internal"]
Channel = Literal["bilateral_inl", "unodc", "incb", "wco", "other_donor", "diplomatic", "us_agencies"]


class Cost(Strict):
    """What a package costs in one country, per year, in US dollars: a range, sourced or assumed."""

    low_usd: Annotated[float, Field(ge=0, le=1e10, allow_inf_nan=False)]
    high_usd: Annotated[float, Field(ge=0, le=1e10, allow_inf_nan=False)]
    basis: Literal["sourced", "assumption"] = Field(
        description="sourced: a public document gives the cost of a comparable programme; assumption: a planner's estimate.")
    source: Text | None = Field(None, description="The document, for a sourced cost.")
    note: Text | None = Field(None, description="How the range was reached (for an assumption, what it was reasoned from).")

    @model_validator(mode="after")
    def _ordered_and_sourced(self) -> Cost:
        if self.high_usd < self.low_usd:
            raise ValueError(f"high_usd ({self.high_usd:g}) is below low_usd ({self.low_usd:g})")
        if self.basis == "sourced" and not self.source:
            raise ValueError("a sourced cost needs its source")
        return self

    @property
    def expected_usd(self) -> float:
        return (self.low_usd + self.high_usd) / 2


class Intervention(Strict):
    text: Text
    cites: Annotated[list[Citation], Field(min_length=1)]
    kind: InterventionKind = Field(description="assistance or diplomacy is offered to a partner; us_internal is not.")
    lead: Text = Field(description="The agency that leads it (INL, DEA, DHS/CBP, Treasury, State, UNODC, INCB, WCO ...).")
    channel: Channel | None = Field(None, description="How it is delivered.")
    cost: Cost | None = Field(None, description="Per country and year; a package without a cost cannot be funded.")
    duration_years: Annotated[float, Field(gt=0, le=20)] | None = None
    effects: dict[Identifier, RawValue] = Field(
        {}, description="The facts a funded package changes, and to what (a planner's assumption of its result).")

    def commitment_usd(self) -> tuple[float, float, float]:
        """What funding the package commits (low, expected, high): its yearly cost for every year it
        runs (a year where no duration is declared), undiscounted, since the effect it buys lasts
        as long as it runs."""
        assert self.cost is not None, "only costed packages are funded"
        years = self.duration_years or 1.0
        return self.cost.low_usd * years, self.cost.expected_usd * years, self.cost.high_usd * years


class InterventionMenu(Strict):
    """``interventions.yaml``: the strategy's opportunities for interventions."""

    interventions: dict[Identifier, Intervention]


# --- The hierarchy: rule -> criterion -> goal -> overall -------------------------------------


class Applicability(Strict):
    """A window in which a rule or criterion applies; outside it, it neither scores nor counts
    against coverage (e.g. a pledge cannot be signed before the coalition that asks for it exists)."""

    applies_from: dt.date | None = Field(None, description="First date on which it applies (YYYY-MM-DD).")
    applies_until: dt.date | None = Field(None, description="Last date on which it applies (YYYY-MM-DD).")
    applicability: Text | None = Field(None, description="Why it applies only in that window (required with a window).")

    @model_validator(mode="after")
    def _window_has_a_reason(self) -> Applicability:
        if (self.applies_from or self.applies_until) and not self.applicability:
            raise ValueError("applies_from/applies_until need an 'applicability' saying why")
        if self.applies_from and self.applies_until and self.applies_until < self.applies_from:
            raise ValueError(f"applies_until ({self.applies_until}) is before applies_from ({self.applies_from})")
        return self

    def applies(self, year: int) -> bool:
        """Whether it applies as of the end of ``year`` (the date every fact is read at)."""
        as_of = dt.date(year, 12, 31)
        return (self.applies_from is None or self.applies_from <= as_of) and \
            (self.applies_until is None or as_of <= self.applies_until)

    def window_text(self) -> str:
        parts = ([f"from {self.applies_from}"] if self.applies_from else []) + \
            ([f"until {self.applies_until}"] if self.applies_until else [])
        return " ".join(parts)


class RuleEstimate(Strict):
    """A rule's own treatment of its unknown facts: ``none`` leaves them unestimated in this rule (it
    drops out of every estimate where one is unknown), whatever their estimates elsewhere."""

    method: Literal["none"]
    rationale: Text


class Rule(Applicability):
    id: Identifier
    title: Text
    weight: Weight = 1
    rationale: Text | None = Field(None, description="Why this weight, in one line.")
    cites: list[Citation] = Field([], description="Required unless the rule set's policy says otherwise.")
    score: Scoring
    target: Score = Field(100, description="A score below this falls short and recommends the interventions.")
    interventions: list[Identifier] = Field([], description="Required unless the rule set's policy says otherwise.")
    non_monotone: Text | None = Field(
        None, description="Why this rule may score lower when a fact it reads improves: exempts it from the "
                          "monotonicity property (and is listed by check --properties)."
    )
    estimate: RuleEstimate | None = Field(
        None, description="Overrides the estimates of the facts this rule reads, for this rule only.")
    mechanism: Mechanism | None = Field(
        None, description="How the capacity the rule measures stops drugs on their way (interdiction at borders or in "
                          "the mail, control of precursor diversion, dismantling laboratories, disrupting finance); "
                          "only such rules count in a country's interdiction capacity. None: the rule scores "
                          "capacity but stops no flow itself (laws, memberships, pledges, information sharing).")


class Cap(Strict):
    when: Condition
    max_score: Score
    rationale: Text


class _Aggregate(Applicability):
    """A level that rolls up its children: its weight in its parent and how it combines them."""

    title: Text
    weight: Weight = 1
    rationale: Text | None = Field(None, description="Why this weight, in one line.")
    method: Method = "weighted_mean"
    alternative_methods: list[Method] = Field(
        [], description="Other defensible methods; assess sensitivity samples among them and the method."
    )


class Tier(Strict):
    name: Identifier
    min: Score
    description: Text | None = None


class _Group(_Aggregate):
    """A level that holds either rules or groups of its own (``criteria``), to any depth."""

    rules: list[Rule] = []
    criteria: list[Criterion] = Field([], description="Groups within this one (each holds rules or groups).")

    @model_validator(mode="after")
    def _rules_or_groups(self) -> _Group:
        if bool(self.rules) == bool(self.criteria):
            raise ValueError("give either rules or criteria (groups of rules), not both and not neither")
        return self

    @property
    def members(self) -> list[Criterion] | list[Rule]:
        return self.criteria or self.rules

    def rule_paths(self, prefix: str) -> Iterator[tuple[str, Rule]]:
        """Every rule under this level with its dotted path, in order."""
        for group in self.criteria:
            yield from group.rule_paths(f"{prefix}.{group.id}")
        for rule in self.rules:
            yield f"{prefix}.{rule.id}", rule

    def group_paths(self, prefix: str) -> Iterator[tuple[str, Criterion]]:
        """Every group under this level with its dotted path, parents first."""
        for group in self.criteria:
            yield f"{prefix}.{group.id}", group
            yield from group.group_paths(f"{prefix}.{group.id}")


class Criterion(_Group):
    id: Identifier
    higher: Literal["better", "worse"] | None = Field(
        None, description="What a higher published score of this group means (default: as its goal or group).")
    headline: bool = Field(
        False, description="Published beside the goals: a column of assess run in every format, and a level "
                           "run --rank-by can rank on (a published sub-index such as 'criminal markets').")


Criterion.model_rebuild()  # it holds groups of its own kind


class Goal(_Group):
    """One strategic goal: a file in the rule set's ``goals/`` folder."""

    id: GoalId
    cites: list[Citation] = []
    caps: list[Cap] = []
    tiers: list[Tier] | None = Field(None, description="This goal's own tiers (default: the rule set's; []: none).")
    higher: Literal["better", "worse"] = Field(
        "better", description="What a higher published score means: more capacity, or more risk (shown mirrored).")

    @field_validator("tiers")
    @classmethod
    def _ascending(cls, tiers: list[Tier] | None) -> list[Tier] | None:
        return None if tiers is None else ascending_tiers(tiers)


def ascending_tiers(tiers: list[Tier]) -> list[Tier]:
    if tiers and tiers[0].min != 0:
        raise ValueError("the first tier must start at 0")
    if any(later.min <= earlier.min for earlier, later in itertools.pairwise(tiers)):
        raise ValueError("tiers must be listed in strictly ascending order of min")
    return tiers


class Scale(Strict):
    """The published units: 0-100 maps onto min-max (``higher: worse`` mirrors a goal within it)."""

    min: Annotated[float, Field(allow_inf_nan=False)]
    max: Annotated[float, Field(allow_inf_nan=False)]

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if self.max <= self.min:
            raise ValueError(f"scale max ({self.max:g}) must be above min ({self.min:g})")
        return self

    def publish(self, score: float, worse: bool = False) -> float:
        """A 0-100 capacity score in the declared units (mirrored where higher means worse)."""
        share = (100 - score if worse else score) / 100
        return self.min + share * (self.max - self.min)

    def capacity(self, published: float, worse: bool = False) -> float:
        """The 0-100 capacity score a published value stands for (``publish`` undone)."""
        score = (published - self.min) / (self.max - self.min) * 100
        return 100 - score if worse else score

    @property
    def default(self) -> bool:
        return (self.min, self.max) == (0, 100)


class Policy(Strict):
    """What this rule set requires of its rules (a strategy wants citations and interventions; a
    published index may not)."""

    require_citations: bool = True
    require_interventions: bool = True


class RulesetHeader(Strict):
    """``ruleset.yaml``: identity, tiers, coverage threshold and the overall aggregation."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=64)]
    version: Annotated[str, Field(min_length=1, max_length=32)]
    format: Annotated[int, Field(ge=FIRST_FORMAT, le=CURRENT_FORMAT)] = Field(
        FIRST_FORMAT, description="The format version the rule set's files are written for (none declared: the first "
                                  "release's, with a warning); see 'Format versions' in the file-format reference.")
    title: Text
    method: Method = "weighted_mean"
    alternative_methods: list[Method] = Field(
        [], description="Other defensible methods for the overall score; assess sensitivity samples among them."
    )
    min_coverage: Annotated[float, Field(ge=0, le=1)] = 0.5
    tiers: list[Tier] = Field(
        [], description="Fixed goalposts on the 0-100 capacity scale, ascending by min; the first starts at 0 "
                        "(none: the rule set publishes scores, not tiers). A score reaches a tier's min as "
                        "published: rounded at the declared precision."
    )
    caps: list[Cap] = []
    overall: bool = Field(True, description="Whether the method publishes an overall score (false: goals only).")
    scale: Scale = Field(default_factory=lambda: Scale(min=0, max=100),
                         description="The units scores are published in (computed on 0-100, shown in these).")
    precision: Annotated[int, Field(ge=0, le=6)] | None = Field(
        None, description="Decimals of published scores at every level, in every format (JSON and CSV carry "
                          "full precision beside them); ranks and tiers read the rounded value.")
    rounding: Literal["half_up", "half_even", "r"] = Field(
        "half_up", description="How a published value is rounded to its precision: half_up or half_even on the "
                               "decimal the float stands for, or r, as R (4.0 and later) rounds a double: the "
                               "nearer of the two candidates as doubles, the even one on a tie.")
    # None (not False) when undeclared: a rule set that does not declare it keeps its content hash
    aggregate_published: bool | None = Field(
        None, description="Each level rolled up by weighted_mean publishes the weighted mean of its children's "
                           "published (rounded) values, as indices that round every level before averaging do; "
                           "its 0-100 score stays the mean at full precision. Needs a precision.")
    ranking: Literal["competition", "dense"] = Field(
        "competition", description="How equal published scores share a place: competition (1, 2, 2, 4) or "
                                   "dense (1, 2, 2, 3). Rank 1 is the highest published score, in the level's "
                                   "own direction (with higher: worse, the most risk).")
    policy: Policy = Field(default_factory=lambda: Policy())

    @field_validator("tiers")
    @classmethod
    def _ascending(cls, tiers: list[Tier]) -> list[Tier]:
        return ascending_tiers(tiers)

    @model_validator(mode="after")
    def _rounded_to_aggregate(self) -> RulesetHeader:
        if self.aggregate_published and self.precision is None:
            raise ValueError("aggregate_published averages published values: declare the precision they are rounded to")
        return self




# --- Country profiles -------------------------------------------------------------------------


_YEAR, _MONTH = re.compile(r"\d{4}"), re.compile(r"\d{4}-\d{2}")


def period_end(value: object) -> object:
    """A year (``2021``) or a month (``2021-06``) stands for its last day: an annual edition's value
    is read by ``--year 2021`` and later years, never by 2020."""
    text = str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
    if len(text) > 7:  # a whole date (most of them), or something the date type will refuse
        return value
    if _YEAR.fullmatch(text):
        return dt.date(int(text), 12, 31)
    if _MONTH.fullmatch(text) and 1 <= int(text[5:]) <= 12:
        year, month = int(text[:4]), int(text[5:])
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    return value


AsOf = Annotated[dt.date, BeforeValidator(period_end), WithJsonSchema({"anyOf": [
    {"type": "string", "format": "date"}, {"type": "string", "pattern": r"^\d{4}(-\d{2})?$"},
    {"type": "integer", "minimum": 1000, "maximum": 9999}]})]


class FactEntry(Strict):
    value: RawValue = Field(description="The value, typed by the catalogue, or 'unknown'.")
    as_of: AsOf = Field(description="The date from which this value holds: YYYY-MM-DD, or YYYY-MM or YYYY "
                                    "for the end of that month or year.")
    source: Text | None = Field(None, description="Required unless the value is 'unknown'.")
    note: Text | None = None


AGGREGATE = "aggregate"  # the kind of an entity that sums countries up (the world, a region, an income group)


class Entity(Strict):
    """A unit assessed like a country that is not one: a state, a province, a port, a scenario variant
    (inside a country, its ``parent``), or an aggregate of countries (``kind: aggregate``, no parent)."""

    kind: Identifier = Field(description="What it is: state, province, port, scenario, ...; 'aggregate' for the world, "
                                         "a region or an income group (no parent).")
    parent: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] | None = Field(None, description=(
        "The country it belongs to (ISO 3166-1 alpha-3); its id starts with this code and a hyphen. "
        "Required for every kind but 'aggregate', which has none."))
    name: Text


class Profile(Strict):
    """``country_profiles/<ISO3>.yaml``: dated, sourced facts about one country (or a declared entity)."""

    country: Annotated[str, Field(pattern=r"^[A-Z]{3}(-[A-Z0-9]{1,24})?$", description=(
        "An ISO 3166-1 alpha-3 country code (MEX); an entity's id: its parent's code, a hyphen and a "
        "local code (MEX-SON), with an entity block; or an aggregate's id: three letters that are no "
        "country's code (WLD, LCN, HIC; or XAA-XZZ), with entity: {kind: aggregate, name: ...}."))]
    entity: Entity | None = Field(None, description="Required for an id that is not a country code.")
    facts: dict[Identifier, Annotated[list[FactEntry], Field(min_length=1)]] = {}




# --- The network: trafficking and partnership links, and prioritization parameters ----------

CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
NodeId = Annotated[str, Field(pattern=r"^([A-Z]{3}|[a-z][a-z0-9_]*)$", description="ISO3 code or a declared region id.")]
Share = Annotated[float, Field(ge=0, le=1)]
Confidence = Literal["low", "medium", "high"]


class Region(Strict):
    name: Text
    note: Text | None = None


class RouteEnds(Strict):
    """Where a route runs, for one commodity: what every link, opened or closed route names."""

    model_config = ConfigDict(populate_by_name=True)

    from_: NodeId = Field(alias="from")
    to: NodeId
    commodity: Identifier


class Route(RouteEnds):
    """A directed route for one commodity: what a trafficking link and a route a scenario opens share."""

    modalities: list[Identifier] = []
    volume: Identifier = "unknown"
    confidence: Confidence
    since: dt.date


class TraffickingLink(Route):
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


class Calibration(Strict):
    """How the effectiveness of full capacity was set: the effectiveness at which the model, as of a
    reference year, removes the share of the flow that published interception rates report."""

    year: Annotated[int, Field(ge=1900, le=2100)] = Field(description="The reference year it was solved for.")
    destination: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    removal_low: Share = Field(description="The lowest published share of the flow removed before it arrives.")
    removal_central: Share
    removal_high: Share
    effectiveness_low: Share = Field(description="The effectiveness that removes removal_low (solved).")
    effectiveness_high: Share = Field(description="The effectiveness that removes removal_high (solved).")
    source: Text = Field(description="The published interception rates: publishers, documents, URLs.")
    rationale: Text

    @model_validator(mode="after")
    def _ordered(self) -> Calibration:
        if not self.removal_low <= self.removal_central <= self.removal_high or \
                self.effectiveness_low > self.effectiveness_high:
            raise ValueError("a calibration's low, central and high values must be in order")
        return self


class Displacement(Strict):
    """The market's answer to interdiction (the balloon effect): the share of the flow a country newly
    stops that traffickers move to the alternatives around it, with its range."""

    share: Share = Field(description="Central share of the newly stopped flow that is displaced.")
    low: Share
    high: Share
    basis: Literal["sourced", "assumption"]
    rationale: Text
    source: Text | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Displacement:
        if not self.low <= self.share <= self.high:
            raise ValueError("a displacement's low, share and high must be in order")
        return self


class Interdiction(Strict):
    """How a country's scores become the share of a flow it stops: from the rules that declare a
    mechanism that acts on flows (``mechanisms``), or, in a rule set that declares none, from
    whole goals (``goals``, a proxy that counts laws, memberships and pledges as seizures)."""

    mechanisms: Annotated[dict[Mechanism, Weight], Field(min_length=1)] | None = Field(
        None, description="Mechanism -> weight: capacity is the weighted mean, over mechanisms, of the scores of the "
                          "rules declaring each (rules with no mechanism stop no flow).")
    goals: Annotated[dict[GoalId, Weight], Field(min_length=1)] | None = Field(
        None, description="Goal -> weight: capacity is the weighted mean of these goals' scores (the older proxy).")
    effectiveness: Share
    calibration: Calibration | None = Field(
        None, description="How effectiveness was solved from published interception rates, with its range.")
    displacement: Displacement | None = Field(
        None, description="Share of newly stopped flow moved to the routes around a country (none if absent).")

    @model_validator(mode="after")
    def _one_basis(self) -> Interdiction:
        if (self.mechanisms is None) == (self.goals is None):
            raise ValueError("interdiction takes exactly one of 'mechanisms' (rules that act on flows) or 'goals'")
        return self


class Harm(Strict):
    """How much one commodity's flow reaching the destination matters, in one declared unit."""

    weight: Annotated[float, Field(ge=0, le=1)]
    basis: Literal["sourced", "assumption", "via_chain"]
    rationale: Text
    source: Text | None = None


class Chain(Strict):
    """A precursor that becomes a product in the country it reaches (fentanyl precursors -> fentanyl)."""

    precursor: Identifier
    product: Identifier
    rationale: Text
    source: Text


class Portfolio(Strict):
    capacity_weight: Annotated[float, Field(ge=0, le=10)] = Field(
        description="Value of 100 points of a country's overall score, in shares of the harm-weighted flow averted.")
    rationale: Text


class PriorityWeights(Strict):
    leverage: Share
    need: Share
    feasibility: Share


class Priority(Strict):
    weights: PriorityWeights
    partnership_weights: dict[Identifier, Share]


class Constraint(Strict):
    """A legal or policy limit on assistance to a government, by its facts as of the year: packages of
    the kinds it names are not offered there unless a planner waives it (the output says why)."""

    when: Condition = Field(description="Holds for a country whose facts as of the year meet it (unknown: not held).")
    excludes: Annotated[list[Literal["assistance", "diplomacy"]], Field(min_length=1)] = Field(
        description="The kinds of package it rules out (diplomacy usually remains).")
    reason: Text = Field(description="What the limit is, in one line a planner can quote; a policy limit says it is an "
                                     "assumption.")
    source: Text = Field(description="The law or determination (for an assumption, the law it is read beside): "
                                     "publisher, document, URL.")


class NetworkConfig(Strict):
    """``network.yaml`` in a rule set: the network's vocabulary and prioritization parameters."""

    commodities: Annotated[list[Identifier], Field(min_length=1)]
    modalities: Annotated[list[Identifier], Field(min_length=1)]
    volumes: Annotated[dict[Identifier, Annotated[float, Field(gt=0, le=1e6)]], Field(min_length=1)]
    unknown_volume: Identifier
    confidence: dict[Confidence, Share] = Field(
        description="How much a link counts by the evidence for it: its volume is multiplied by this.")
    harm: dict[Identifier, Harm] = Field(description="Every commodity's harm weight at the destination.")
    chains: list[Chain] = []
    interdiction: Interdiction
    priority: Priority
    portfolio: Portfolio
    memberships: dict[Identifier, FactTest] = {}
    constraints: list[Constraint] = Field([], description="Limits on assistance the portfolio honours.")


# --- Scenarios: what-ifs projected against the baseline (assess scenario) -----------------------


class ScenarioFact(Strict):
    """A fact the scenario assumes will hold from a date (a planner's assumption, not evidence)."""

    country: CountryCode
    fact: Identifier
    value: RawValue
    as_of: dt.date
    note: Text | None = None


class FundedPackage(Strict):
    """A package of the intervention catalogue funded in one country: its effects hold once it has run."""

    country: CountryCode
    package: Identifier
    start: dt.date = Field(description="When funding starts; the effects hold from start + the package's duration.")
    note: Text | None = None


class OpenedRoute(Route):
    """A trafficking route the scenario opens (displacement: traffickers move to it)."""

    confidence: Confidence = "low"
    note: Text | None = None


class ClosedRoute(RouteEnds):
    """A documented route the scenario closes from a date (every link from, to, commodity)."""

    on: dt.date
    note: Text | None = None


class RouteChanges(Strict):
    opened: list[OpenedRoute] = []
    closed: list[ClosedRoute] = []


class Scenario(Strict):
    """``scenarios/<name>.yaml``: dated fact changes, funded packages and route changes."""

    title: Text
    description: Text | None = None
    destination: CountryCode = "USA"
    facts: list[ScenarioFact] = []
    packages: list[FundedPackage] = []
    routes: RouteChanges = RouteChanges()


# --- The strategy's items: what the rule set must cover (assess check --coverage) ---------------

ItemId = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")]


class StrategyItem(Strict):
    """One intervention bullet or recommendation of a seed, and what in the rule set implements it."""

    seed: Text
    section: Text
    quote: Text = Field(description="Words of the item that must appear verbatim in the seed.")
    partner_facing: bool = Field(description="Asks something of or for partner countries (else US-internal or multilateral).")
    implemented_by: list[Text] = Field(
        [], description="Rules (goal.criterion.rule) that assess it and interventions that offer it.")
    reason: Text | None = Field(
        None, description="Why nothing implements it, or what a partial implementation leaves out.")


class StrategyFile(Strict):
    """``strategy.yaml`` in a rule set: every item of the seeds the rule set answers for."""

    items: Annotated[dict[ItemId, StrategyItem], Field(min_length=1)]
