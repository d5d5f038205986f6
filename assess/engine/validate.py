"""Stage 2, validate: check loaded documents against the models, then against each other.

Pydantic errors are translated into ``path:line:col`` errors with the dotted field path,
what was allowed and a "did you mean"; cross-references (facts, levels, items,
interventions, citations, country codes, the network's vocabulary) are checked here so that
``compile`` only ever sees a consistent workspace. Every check appends to one list, so a run
reports all errors at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import math
import re
import typing
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pycountry
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from ..errors import SourceError, did_you_mean
from .cohort import imputation_needs_a_number
from .conditions import Condition, FactTest, iter_fact_tests
from .derived import check_derivations
from .facttypes import FACT_TYPES, Estimate, FactSpecBase, types_supporting
from .models import (
    AGGREGATE,
    Citation,
    Criterion,
    Entity,
    FactCatalogue,
    FactEntry,
    Goal,
    GroupingsFile,
    Intervention,
    NetworkConfig,
    PartnershipFile,
    Policy,
    Profile,
    Rule,
    Scenario,
    StrategyItem,
    TraffickingFile,
)
from .reader import DataPath, Document
from .upgrade import CURRENT_FORMAT, SCORING_DIRECTION, older_scorings
from .values import FIRST_YEAR, LAST_YEAR, UNKNOWN, UNKNOWN_TEXT, ValueProblem

M = TypeVar("M", bound=BaseModel)
PRIOR_TOLERANCE = 1e-6  # a prior's probabilities, written as decimals, must sum to 1 within this
# What each pattern of the models asks for, in words (pydantic would quote the regular expression)
PATTERN_WORDS = {
    r"\S": "is blank: write something a reviewer can read",
    r"^[a-z][a-z0-9_]*$": "is not an identifier: lower-case letters, digits and _, starting with a letter",
    r"^[A-Z]{3}$": "is not an ISO 3166-1 alpha-3 code (three capital letters)",
}
TypedEntry = tuple[dt.date, Any, FactEntry]  # a profile entry with its value read for its fact's type


# --- Models -----------------------------------------------------------------------------


def validate_model(doc: Document, model: type[M], errors: list[SourceError],
                   excused: Collection[tuple[DataPath, str]] = ()) -> M | None:
    """The document as a model, or None with its problems appended to ``errors`` (but those of
    ``excused``, pairs of location and error type another error already stands for)."""
    if doc.data is None or isinstance(doc.data, (str, list)):  # pydantic would say "a valid dictionary"
        what = (model.__doc__ or model.__name__).strip().splitlines()[0].rstrip(".").replace("``", "")
        found = "nothing" if doc.data is None else "a list" if isinstance(doc.data, list) else "a single value"
        hint = " (assess new <ISO3> writes one with every fact unknown)" if model is Profile else ""
        errors.append(doc.error((), f"this file holds {found}; expected {what}, as keys and values{hint}"))
        return None
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        errors.extend(_translate(doc, model, detail) for detail in exc.errors()
                      if (tuple(detail["loc"]), detail["type"]) not in excused)
        return None


def _translate(doc: Document, model: type[BaseModel], detail: ErrorDetails) -> SourceError:
    loc = tuple(detail["loc"])
    path = _data_path(doc.data, loc)
    kind = detail["type"]
    ctx = detail.get("ctx", {})
    if kind == "missing":
        return doc.error(path[:-1], f"missing required key '{loc[-1]}'", key=True)
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        return doc.error(path, f"unknown key '{loc[-1]}'", key=True, allowed=allowed,
                         suggestion=did_you_mean(str(loc[-1]), allowed))
    if kind == "union_tag_invalid":
        expected = tuple(re.findall(r"'([^']*)'", ctx.get("expected_tags", "")))
        return doc.error((*path, "type"), f"'{ctx.get('tag')}' is not a known type", allowed=expected,
                         suggestion=did_you_mean(str(ctx.get("tag")), expected))
    if kind == "literal_error":
        expected = tuple(re.findall(r"'([^']*)'", ctx.get("expected", "")))
        return doc.error(path, f"'{detail['input']}' is not allowed", allowed=expected,
                         suggestion=did_you_mean(str(detail["input"]), expected))
    if kind == "string_pattern_mismatch" and ctx.get("pattern") in PATTERN_WORDS:
        return doc.error(path, f"'{detail['input']}' {PATTERN_WORDS[ctx['pattern']]}")
    message = detail["msg"].removeprefix("Value error, ")
    return doc.error(path, message[0].lower() + message[1:] if message else kind)


def _data_path(data: Any, loc: DataPath) -> DataPath:
    """The part of a pydantic location that names real nodes (tags of unions dropped)."""
    path: list[str | int] = []
    node = data
    for part in loc:
        present = isinstance(node, dict) and part in node
        if present or (isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)):
            node = node[part]
        elif isinstance(node, (dict, list)) and part == loc[-1] and not str(part).startswith("<"):
            pass  # a missing or unknown key: still part of the path
        else:
            continue
        path.append(part)
    return tuple(path)


def _allowed_keys(model: type[BaseModel], loc: DataPath) -> tuple[str, ...]:
    """The keys the model accepts at ``loc`` (for messages about unknown keys)."""
    target = _model_at(model, loc)
    if target is None:
        return ()
    return tuple(sorted(field.alias or name for name, field in target.model_fields.items()))


def _model_at(annotation: Any, loc: DataPath) -> type[BaseModel] | None:
    for part in loc:
        annotation = _unwrap(annotation)
        if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
            field = next((f for n, f in annotation.model_fields.items() if part in (n, f.alias)), None)
            if field is None:
                return None
            annotation = field.annotation
        elif typing.get_origin(annotation) is list:
            annotation = typing.get_args(annotation)[0]
        elif typing.get_origin(annotation) is dict:
            annotation = typing.get_args(annotation)[1]
        elif typing.get_origin(annotation) is typing.Union:
            annotation = _union_member(annotation, part)
    annotation = _unwrap(annotation)
    return annotation if inspect.isclass(annotation) and issubclass(annotation, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated and Optional wrappers, keeping real unions."""
    while True:
        if typing.get_origin(annotation) is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if typing.get_origin(annotation) is typing.Union:
            members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            if len(members) == 1:
                annotation = members[0]
                continue
        return annotation


def _union_member(union: Any, tag: Any) -> Any:
    """The member of a tagged union that a pydantic location's tag names."""
    for member in typing.get_args(union):
        meta = typing.get_args(member)[1:] if typing.get_origin(member) is typing.Annotated else ()
        if any(getattr(m, "tag", None) == tag for m in meta):
            return member
        cls = _unwrap(member)
        if inspect.isclass(cls) and issubclass(cls, BaseModel):
            literal = cls.model_fields.get("type")
            if cls.__name__ == tag or (literal and tag in typing.get_args(literal.annotation)):
                return member
    return None


# --- Cross-references inside a rule set ---------------------------------------------------


class RulesetChecker:
    """Checks goals against the fact catalogue, the intervention menu and the seeds.

    A part that failed validation itself is given as None (``catalogue``, ``interventions``,
    ``policy``) and the checks that need it are skipped: its own errors are the ones to read, and
    names checked against a part that could not be read would only give follow-on errors.
    ``goals_complete`` is False when a goal file failed validation: a reference to a goal that
    did not validate, or to anything in it, is then not reported as unknown. ``format`` is the
    format the rule set is written for: a check added since is a warning in an older one.
    """

    def __init__(self, catalogue: FactCatalogue | None, interventions: set[str] | None, seeds_dir: Path,
                 errors: list[SourceError], policy: Policy | None = None, goals_complete: bool = True,
                 format: int = CURRENT_FORMAT, warnings: list[SourceError] | None = None) -> None:
        self.facts = catalogue.facts if catalogue is not None else None
        self.interventions = interventions
        # without a valid header the policy is unknown: require nothing rather than guess
        self.policy = policy or Policy(require_citations=False, require_interventions=False)
        self.goals_complete = goals_complete
        self.seeds_dir = seeds_dir
        self.errors = errors
        self.format = format
        self.warnings = warnings if warnings is not None else []
        self._scored_as_written: list[tuple[DataPath, str]] = []  # an older goal file's reversed scorings
        self._seed_text: dict[str, str | None] = {}
        self.groupings: Collection[str] | None = ()  # groupings.yaml's (None: it did not validate)

    def error(self, doc: Document, path: DataPath, message: str, **extra: Any) -> None:
        """Record one problem (``extra``: key, allowed, suggestion, as ``Document.error`` takes them)."""
        self.errors.append(doc.error(path, message, **extra))

    def check_catalogue(self, doc: Document, default: Estimate | None = None, groupings: Collection[str] = ()) -> None:
        """A closed list's value for absent countries must be a value of its fact; every estimate
        must be one the engine can draw from (see ``check_estimate``)."""
        if default is not None:
            self.check_estimate(doc, ("estimate",), default, None, groupings)
        check_derivations(self.facts or {}, lambda name, message, col, suggestion: self.errors.append(
            _in_expression(doc, ("facts", name, "derived"), col, message, suggestion)))
        for name, spec in (self.facts or {}).items():
            if spec.estimate is not None:
                self.check_estimate(doc, ("facts", name, "estimate"), spec.estimate, spec, groupings)
            elif default is not None and default.method != "none" and default.prior == "uniform":
                try:
                    spec.uniform()
                except ValueProblem as problem:
                    self.error(doc, ("facts", name), f"the catalogue's default estimate falls back to a uniform prior, "
                               f"but {problem}", key=True)
            if spec.impute is not None:
                self.check_estimate(doc, ("facts", name, "impute"), spec.impute, spec, groupings)
                imputation_needs_a_number(self, doc, name, spec)
            if spec.closed_list is not None:
                try:
                    spec.read(spec.closed_list.absent, allow_unknown=False)
                except ValueProblem as problem:
                    self.error(doc, ("facts", name, "closed_list", "absent"), str(problem), allowed=problem.allowed,
                               suggestion=did_you_mean(str(spec.closed_list.absent), problem.allowed))

    def check_estimate(self, doc: Document, where: DataPath, estimate: Estimate, spec: FactSpecBase | None,
                       groupings: Collection[str]) -> None:
        """A prior's values are values of the fact, listed once, with probabilities summing to 1; a
        cohort names a grouping or a boolean or level fact, and has a prior to fall back on."""
        if estimate.method != "none" and estimate.prior is None:
            self.error(doc, where, f"an estimate by {estimate.method} needs a prior"
                       + (" to fall back on when too few entities are known" if estimate.method == "cohort" else ""),
                       allowed=("prior",))
        if estimate.by is not None:
            by = (self.facts or {}).get(estimate.by)
            if estimate.method != "cohort":
                self.error(doc, (*where, "by"), "only a cohort estimate is grouped ('by')")
            elif estimate.by not in groupings and (by is None or not by.categorical):
                known = [*groupings, *(n for n, f in (self.facts or {}).items() if f.categorical)]
                kinds = " or ".join(name for name, kind in FACT_TYPES.items() if kind.categorical)
                self.error(doc, (*where, "by"), f"'{estimate.by}' is neither a grouping of groupings.yaml nor a {kinds} "
                           "fact", suggestion=did_you_mean(estimate.by, known))
        if spec is None or estimate.prior is None:
            return
        if estimate.prior == "uniform":
            try:
                spec.uniform()
            except ValueProblem as problem:
                self.error(doc, (*where, "prior"), str(problem))
            return
        seen: list[Any] = []
        for i, point in enumerate(estimate.prior):
            try:
                value = spec.read(point.value, allow_unknown=False)
            except ValueProblem as problem:
                self.error(doc, (*where, "prior", i, "value"), str(problem), allowed=problem.allowed,
                           suggestion=did_you_mean(str(point.value), problem.allowed))
                continue
            if value in seen:
                self.error(doc, (*where, "prior", i, "value"), f"the value '{point.value}' is listed twice in the prior")
            seen.append(value)
        total = math.fsum(point.p for point in estimate.prior)
        if abs(total - 1) > PRIOR_TOLERANCE:
            self.error(doc, (*where, "prior"), f"the probabilities of a prior must sum to 1 (they sum to {total:g})")

    def check_effects(self, doc: Document, name: str, intervention: Intervention) -> None:
        """A package's effects name declared facts and values of their types."""
        if self.facts is None:
            return
        for fact, raw in intervention.effects.items():
            spec = self.facts.get(fact)
            if spec is None:
                self.error(doc, ("interventions", name, "effects", fact), f"undeclared fact '{fact}'", key=True,
                           suggestion=did_you_mean(fact, self.facts))
                continue
            if refused_derived(spec):
                self.error(doc, ("interventions", name, "effects", fact), f"'{fact}': {refused_derived(spec)}",
                           key=True)
                continue
            try:
                spec.read(raw, allow_unknown=False)
            except ValueProblem as problem:
                self.error(doc, ("interventions", name, "effects", fact), str(problem), allowed=problem.allowed,
                           suggestion=did_you_mean(str(raw), problem.allowed))

    def check_goal(self, doc: Document, goal: Goal) -> None:
        if self.policy.require_citations and not goal.cites:
            self.error(doc, ("cites",), "a goal needs at least one citation (this rule set's policy requires them)")
        self.check_citations(doc, (), goal.cites)
        for i, cap in enumerate(goal.caps):
            self.check_condition(doc, ("caps", i, "when"), cap.when)
        self._check_group(doc, (), goal)
        if self._scored_as_written:
            self.warnings.append(older_scorings(doc, self.format, self._scored_as_written))
            self._scored_as_written = []

    def _check_group(self, doc: Document, base: DataPath, group: Goal | Criterion) -> None:
        """A group's members, to any depth: unique ids, and every rule checked."""
        self._unique(doc, base, "criteria", [c.id for c in group.criteria])
        self._unique(doc, base, "rules", [r.id for r in group.rules])
        for c, criterion in enumerate(group.criteria):
            self._check_group(doc, (*base, "criteria", c), criterion)
        for r, rule in enumerate(group.rules):
            self._check_rule(doc, (*base, "rules", r), rule)

    def _check_rule(self, doc: Document, where: DataPath, rule: Rule) -> None:
        if self.policy.require_citations and not rule.cites:
            self.error(doc, (*where, "cites"), "a rule needs at least one citation (this rule set's policy requires them)",
                       key=True)
        if self.policy.require_interventions and not rule.interventions:
            self.error(doc, (*where, "interventions"), "a rule needs the interventions it recommends (this rule "
                       "set's policy requires them)", key=True)
        self.check_citations(doc, where, rule.cites)
        rule.score.check(self, doc, (*where, "score"))
        reversed_ = rule.score.reversed_against(self.facts or {}) if rule.non_monotone is None else None
        if reversed_ is not None and self.format < SCORING_DIRECTION.version:
            self._scored_as_written.append(((*where, "score", *reversed_[0]), f"{rule.id}: {reversed_[1]}"))
        elif reversed_ is not None:
            part, problem = reversed_
            self.error(doc, (*where, "score", *part), f"{problem}: more capacity would score less; "
                       f"{SCORING_DIRECTION.how}")
        for i, name in enumerate(rule.interventions):
            if self.interventions is not None and name not in self.interventions:
                self.error(doc, (*where, "interventions", i), f"unknown intervention '{name}'",
                           suggestion=did_you_mean(name, self.interventions))

    def _unique(self, doc: Document, base: DataPath, key: str, ids: list[str]) -> None:
        seen: set[str] = set()
        for i, ident in enumerate(ids):
            if ident in seen:
                self.error(doc, (*base, key, i, "id"), f"duplicate id '{ident}'")
            seen.add(ident)

    def check_condition(self, doc: Document, path: DataPath, condition: Condition) -> None:
        for where, test in iter_fact_tests(condition, path):
            spec = self.fact(doc, where, test.fact)
            if spec is not None:
                self._check_test(doc, where, spec, test)

    def fact(self, doc: Document, where: DataPath, name: str) -> FactSpecBase | None:
        """The declared fact, or None with an "undeclared fact" error at ``where.fact`` (None without
        one when the catalogue itself failed validation)."""
        if self.facts is None:
            return None
        if name in self.facts:
            return self.facts[name]
        self.error(doc, (*where, "fact"), f"undeclared fact '{name}'", suggestion=did_you_mean(name, self.facts))
        return None

    def _check_test(self, doc: Document, where: DataPath, spec: FactSpecBase, test: FactTest) -> None:
        op, at = test.operator, (*where, test.operator)
        if op not in spec.operators:
            self.error(doc, at, f"'{op}' cannot test '{test.fact}', a {spec.type} fact", allowed=types_supporting(op))
            return
        try:
            spec.predicate(op, test.operand)
        except ValueProblem as problem:
            self.error(doc, at, str(problem), allowed=problem.allowed,
                       suggestion=did_you_mean(str(test.operand), problem.allowed))

    def check_citations(self, doc: Document, base: DataPath, cites: list[Citation]) -> None:
        for i, cite in enumerate(cites):
            self._check_words(doc, (*base, "cites", i), cite.seed, {"section": cite.section, "quote": cite.quote})

    def check_item(self, doc: Document, name: str, item: StrategyItem, rules: set[str]) -> None:
        """A strategy item quotes its seed, and names rules and interventions that exist."""
        self._check_words(doc, ("items", name), item.seed, {"section": item.section, "quote": item.quote})
        for i, implementer in enumerate(item.implemented_by):
            interventions = self.interventions or set()
            if implementer in rules or implementer in interventions or self._unverifiable(implementer, rules):
                continue
            self.error(doc, ("items", name, "implemented_by", i), f"'{implementer}' is neither a goal, criterion or "
                       "rule (G1, G1.criterion, G1.criterion.rule) nor an intervention",
                       suggestion=did_you_mean(implementer, rules | interventions))

    def _unverifiable(self, implementer: str, rules: set[str]) -> bool:
        """A name that may belong to a part that failed validation (its own error says what is wrong):
        an intervention when the menu failed, a goal (or a part of one) when a goal file failed."""
        if self.interventions is None and "." not in implementer:
            return True
        return not self.goals_complete and implementer.split(".")[0] not in rules

    def _check_words(self, doc: Document, where: DataPath, seed: str, words: dict[str, str | None]) -> None:
        """The seed exists and every given text appears in it (case, spacing and typographic quotes aside)."""
        text = self._seed(seed)
        if text is None:
            known = [p.name for p in self.seeds_dir.glob("*.txt")] if self.seeds_dir.is_dir() else []
            self.error(doc, (*where, "seed"), f"no seed file '{seed}' in {self.seeds_dir.name}/",
                       suggestion=did_you_mean(seed, known))
            return
        for key, value in words.items():
            if value and _normalise(value) not in text:
                self.error(doc, (*where, key), f"'{value}' does not appear in {seed}")

    def _seed(self, name: str) -> str | None:
        if name not in self._seed_text:
            path = self.seeds_dir / name
            self._seed_text[name] = _normalise(path.read_text("utf-8", errors="replace")) if path.is_file() else None
        return self._seed_text[name]


def _in_expression(doc: Document, path: DataPath, col: int, message: str, suggestion: str | None) -> SourceError:
    """An error at column ``col`` of the expression written at ``path`` (at the value itself where the
    expression does not stand on its line as written: a block scalar, an escape)."""
    text = doc.text  # dropped once positions are found: then read again (only to place an error)
    error = doc.error(path, message, suggestion=suggestion)
    if text is None:
        try:
            text = Path(doc.file).read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            return error
    lines = text.splitlines()
    written = lines[error.line - 1][error.col - 1:] if 0 < error.line <= len(lines) else ""
    expression = str(_at(doc.data, path)).strip()
    opening = 1 if written[:1] in ("'", '"') else 0
    if expression and written[opening:].startswith(expression):
        return dataclasses.replace(error, col=error.col + opening + col)
    return error


def _at(data: Any, path: DataPath) -> Any:
    for part in path:
        data = data.get(part) if isinstance(data, dict) else None
    return data


def refused_derived(spec: FactSpecBase) -> str | None:
    """Why no file may write a value of the fact (None: it may): a derived fact is computed."""
    derived = getattr(spec, "derived", None)
    return f"a derived fact is computed ({derived}), never recorded" if derived else None


def _normalise(text: str) -> str:
    """Compare citations ignoring case, whitespace and typographic quotes."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.lower().split())


# --- Groupings ------------------------------------------------------------------------------


def check_groupings(doc: Document, groupings: GroupingsFile, checker: RulesetChecker) -> None:
    """Members are countries; a law settles a declared fact at a value of its type, once a day; and no
    fact is settled by the law of two groupings that share a member (neither could say which holds)."""
    settled: dict[str, tuple[str, set[str]]] = {}  # fact -> the first grouping whose law settles it, its members
    for name, grouping in groupings.groupings.items():
        for code in grouping.members:
            if not is_country(code):
                checker.error(doc, ("groupings", name, "members", code), f"'{code}' is not an ISO 3166-1 alpha-3 "
                              "country code", key=True, suggestion=did_you_mean(code, _country_codes()))
        seen: set[tuple[str, dt.date]] = set()
        for i, law in enumerate(grouping.law):
            where = ("groupings", name, "law", i)
            if (law.fact, law.from_) in seen:
                checker.error(doc, where, f"the law settling '{law.fact}' from {law.from_} is declared twice")
            seen.add((law.fact, law.from_))
            spec = checker.fact(doc, where, law.fact)
            if spec is None:
                continue
            if refused_derived(spec):
                checker.error(doc, (*where, "fact"), f"'{law.fact}': {refused_derived(spec)}")
                continue
            _check_law_value(doc, (*where, "value"), spec, law.value, checker)
            other, members = settled.setdefault(law.fact, (name, set(grouping.members)))
            shared = sorted(members & set(grouping.members)) if other != name else []
            if shared:
                more = f" and {len(shared) - 3} more" if len(shared) > 3 else ""
                checker.error(doc, (*where, "fact"), f"'{law.fact}' is also settled by the law of grouping '{other}', "
                              f"and both bind {', '.join(shared[:3])}{more}: settle a fact in one grouping")


def _check_law_value(doc: Document, where: DataPath, spec: FactSpecBase, value: Any, checker: RulesetChecker) -> None:
    """A law settles a known value of its fact's type ('unknown' would settle nothing)."""
    if value == UNKNOWN_TEXT:
        checker.error(doc, where, f"a law settles a value, and '{UNKNOWN_TEXT}' settles nothing: leave the fact out")
        return
    try:
        spec.read(value, allow_unknown=False)
    except ValueProblem as problem:
        allowed = tuple(item for item in problem.allowed if item != UNKNOWN_TEXT)
        checker.error(doc, where, str(problem), allowed=allowed, suggestion=did_you_mean(str(value), allowed))


# --- Profiles -------------------------------------------------------------------------------


def check_profile(doc: Document, profile: Profile, facts: Mapping[str, FactSpecBase], stem: str,
                  errors: list[SourceError], undeclared_ok: bool = False) -> dict[str, list[TypedEntry]]:
    """Check a profile against the catalogue; returns typed entries per fact. With ``undeclared_ok``
    facts the catalogue does not declare are left out instead of refused (an older rule set
    reading today's profiles: no rule of it can read them)."""
    _check_country(doc, profile, stem, errors)
    typed: dict[str, list[TypedEntry]] = {}
    latest = dt.date.today() + dt.timedelta(days=366)  # the furthest day a value may be dated
    for name, entries in profile.facts.items():
        spec = facts.get(name)
        if spec is None and undeclared_ok:
            continue
        if spec is None:
            errors.append(doc.error(("facts", name), f"undeclared fact '{name}'", key=True,
                                    suggestion=did_you_mean(name, facts)))
            continue
        refused = refused_derived(spec)
        if refused:
            errors.append(doc.error(("facts", name), f"'{name}': {refused}; record its inputs instead", key=True))
            continue
        typed[name] = _typed_entries(doc, name, spec, entries, latest, errors)
    return typed


def _typed_entries(doc: Document, name: str, spec: FactSpecBase, entries: list[FactEntry], latest: dt.date,
                   errors: list[SourceError]) -> list[TypedEntry]:
    typed = []
    for i, entry in enumerate(entries):
        where = ("facts", name, i)
        try:
            value = spec.read(entry.value)
        except ValueProblem as problem:
            errors.append(doc.error((*where, "value"), str(problem), allowed=problem.allowed,
                                    suggestion=did_you_mean(str(entry.value), problem.allowed)))
            continue
        if value is not UNKNOWN and not entry.source:
            errors.append(doc.error(where, f"a known value needs a source (or write value: {UNKNOWN_TEXT})"))
        if entry.as_of.year < FIRST_YEAR:
            errors.append(doc.error((*where, "as_of"), f"{entry.as_of} is before {FIRST_YEAR}, the first year the "
                                    "engine assesses"))
        if entry.as_of > latest:
            errors.append(doc.error((*where, "as_of"), f"{entry.as_of} is more than a year in the future: date a "
                                    "value from when it holds"))
        if i and entry.as_of <= entries[i - 1].as_of:
            errors.append(doc.error((*where, "as_of"), f"entries must be in ascending date order with distinct dates "
                                    f"({entry.as_of} follows {entries[i - 1].as_of})"))
        typed.append((entry.as_of, value, entry))
    return typed


def _check_country(doc: Document, profile: Profile, stem: str, errors: list[SourceError]) -> None:
    code = profile.country
    if profile.entity is not None or "-" in code:
        _check_entity(doc, code, profile.entity, errors)
    elif pycountry.countries.get(alpha_3=code) is None:
        # The file's own name is the likeliest intended code; otherwise the closest real one.
        suggestion = stem if pycountry.countries.get(alpha_3=stem) else did_you_mean(code, _country_codes())
        errors.append(doc.error(("country",), f"'{code}' is not an ISO 3166-1 alpha-3 country code (an aggregate "
                                "of countries, such as WLD for the world, is declared with entity: {kind: aggregate, "
                                "name: ...})", suggestion=suggestion))
        return
    if stem != code:
        errors.append(doc.error(("country",), f"file name '{stem}' does not match country '{code}'; name it {code}.yaml"))


def _check_entity(doc: Document, code: str, entity: Entity | None, errors: list[SourceError]) -> None:
    """An entity's id is its parent country's code, a hyphen and a local code; the parent is a country.
    An aggregate has no parent."""
    if entity is None:
        errors.append(doc.error(("country",), f"'{code}' is not a country code: declare the entity it names with "
                                "entity: {kind: state, parent: ..., name: ...}"))
    elif entity.kind == AGGREGATE:
        _check_aggregate(doc, code, entity, errors)
    elif entity.kind == COUNTRY and entity.parent is None:
        if not re.fullmatch(r"X[A-Z]{2}", code) or is_country(code):
            errors.append(doc.error(("country",), "a country ISO 3166-1 does not list takes a user-assigned code, "
                                    f"XAA-XZZ (XKK for Kosovo, as the World Bank and the EU write it), not '{code}'"))
    elif entity.parent is None:
        errors.append(doc.error(("entity",), f"an entity of kind '{entity.kind}' names the country it is in (parent: "
                                "...); the world, a region or an income group is kind: aggregate; a country ISO "
                                "3166-1 does not list is kind: country, under a code XAA-XZZ", key=True))
    elif "-" not in code:
        errors.append(doc.error(("entity",), f"'{code}' is a country code: a country needs no entity block (an "
                                f"entity's id is its parent's code, a hyphen and a local code: {code}-ABC)", key=True))
    elif not is_country(entity.parent):
        errors.append(doc.error(("entity", "parent"), f"'{entity.parent}' is not an ISO 3166-1 alpha-3 country code",
                                suggestion=did_you_mean(entity.parent, _country_codes())))
    elif not code.startswith(f"{entity.parent}-"):
        errors.append(doc.error(("country",), f"an entity's id starts with its parent's code: "
                                f"'{entity.parent}-{code.partition('-')[2]}', not '{code}'"))


COUNTRY = "country"  # an entity of this kind with no parent: a country ISO 3166-1 does not list (Kosovo, XKK)


def _check_aggregate(doc: Document, code: str, entity: Entity, errors: list[SourceError]) -> None:
    """An aggregate's id is three letters that are no country's code; it is in no country."""
    if entity.parent is not None:
        errors.append(doc.error(("entity", "parent"), "an aggregate has no parent: it sums countries up, it is not "
                                "inside one", key=True))
    elif "-" in code or is_country(code):
        errors.append(doc.error(("country",), "an aggregate's id is three letters that are no country's code (WLD, "
                                f"LCN, HIC, or XAA-XZZ), not '{code}'"))


def is_country(code: str) -> bool:
    """An ISO 3166-1 alpha-3 code of a country pycountry knows."""
    return len(code) == 3 and code.isupper() and pycountry.countries.get(alpha_3=code) is not None


def _country_codes() -> set[str]:
    return {country.alpha_3 for country in pycountry.countries}


# --- The network -----------------------------------------------------------------------------


def check_network_config(doc: Document, config: NetworkConfig, goal_ids: set[str] | None, checker: RulesetChecker) -> None:
    """Cross-references inside ``network.yaml``: volumes, goals, membership facts."""
    if config.unknown_volume not in config.volumes:
        checker.error(doc, ("unknown_volume",), f"'{config.unknown_volume}' is not a declared volume",
                      allowed=tuple(config.volumes), suggestion=did_you_mean(config.unknown_volume, config.volumes))
    for i, constraint in enumerate(config.constraints):
        checker.check_condition(doc, ("constraints", i, "when"), constraint.when)
    for goal in config.interdiction.goals or {}:
        if goal_ids is not None and goal not in goal_ids:
            checker.error(doc, ("interdiction", "goals", goal), f"unknown goal '{goal}'", key=True,
                          allowed=tuple(sorted(goal_ids)), suggestion=did_you_mean(goal, goal_ids))
    for commodity in config.commodities:
        if commodity not in config.harm:
            checker.error(doc, ("harm",), f"no harm weight for commodity '{commodity}': every commodity needs one "
                          "(0 with basis via_chain for a precursor)", key=True)
    for commodity in config.harm:
        if commodity not in config.commodities:
            checker.error(doc, ("harm", commodity), f"'{commodity}' is not a declared commodity", key=True,
                          allowed=tuple(config.commodities), suggestion=did_you_mean(commodity, config.commodities))
    for i, chain in enumerate(config.chains):
        for key in ("precursor", "product"):
            name = getattr(chain, key)
            if name not in config.commodities:
                checker.error(doc, ("chains", i, key), f"'{name}' is not a declared commodity",
                              allowed=tuple(config.commodities), suggestion=did_you_mean(name, config.commodities))
    missing = [level for level in ("low", "medium", "high") if level not in config.confidence]
    if missing:
        checker.error(doc, ("confidence",), f"no weight for confidence {', '.join(missing)}")
    for kind, test in config.memberships.items():
        checker.check_condition(doc, ("memberships", kind), test)
        if kind not in config.priority.partnership_weights:
            checker.error(doc, ("memberships", kind), f"membership '{kind}' has no weight in priority.partnership_weights",
                          key=True)


def check_trafficking(doc: Document, data: TraffickingFile, config: NetworkConfig, profiled: set[str],
                      errors: list[SourceError]) -> None:
    nodes = set(data.regions)
    for i, link in enumerate(data.links):
        where = ("links", i)
        for key, node in (("from", link.from_), ("to", link.to)):
            if node not in nodes and not is_country(node):
                # the workspace's own regions and countries are the likeliest intended names
                suggestion = did_you_mean(node, nodes | profiled) or did_you_mean(node, _country_codes())
                errors.append(doc.error((*where, key), f"'{node}' is neither an ISO 3166-1 alpha-3 code nor a declared region",
                                        suggestion=suggestion))
        if link.from_ == link.to:
            errors.append(doc.error((*where, "to"), "a link cannot lead from a node to itself"))
        _in_vocabulary(doc, (*where, "commodity"), link.commodity, config.commodities, "commodity", errors)
        for j, modality in enumerate(link.modalities):
            _in_vocabulary(doc, (*where, "modalities", j), modality, config.modalities, "modality", errors)
        if link.volume != "unknown":
            _in_vocabulary(doc, (*where, "volume"), link.volume, [*config.volumes, "unknown"], "volume", errors)
        if link.until is not None and link.until < link.since:
            errors.append(doc.error((*where, "until"), f"until ({link.until}) is before since ({link.since})"))


def check_partnerships(doc: Document, data: PartnershipFile, config: NetworkConfig, errors: list[SourceError]) -> None:
    kinds = [kind for kind in config.priority.partnership_weights if kind not in config.memberships]
    for i, partnership in enumerate(data.partnerships):
        where = ("partnerships", i)
        _in_vocabulary(doc, (*where, "kind"), partnership.kind, kinds, "partnership kind", errors)
        for j, code in enumerate(partnership.between):
            if not is_country(code):
                errors.append(doc.error((*where, "between", j), f"'{code}' is not an ISO 3166-1 alpha-3 country code",
                                        suggestion=did_you_mean(code, _country_codes())))
        if partnership.between[0] == partnership.between[1]:
            errors.append(doc.error((*where, "between"), "a partnership needs two different countries"))
        if partnership.until is not None and partnership.until < partnership.since:
            errors.append(doc.error((*where, "until"), f"until ({partnership.until}) is before since ({partnership.since})"))


def _in_vocabulary(doc: Document, where: DataPath, value: str, allowed: list[str], what: str, errors: list[SourceError]) -> None:
    if value not in allowed:
        errors.append(doc.error(where, f"unknown {what} '{value}'", allowed=tuple(allowed),
                                suggestion=did_you_mean(value, allowed)))


# --- Scenarios ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioContext:
    """What a scenario may name: the workspace's facts, packages, countries and network. A part
    that failed validation is None, and the scenario is not checked against it (no follow-on errors)."""

    facts: Mapping[str, FactSpecBase] | None
    packages: Mapping[str, Intervention] | None
    profiled: set[str]
    nodes: set[str] | None  # countries and regions of the trafficking network
    commodities: list[str] | None
    links: set[tuple[str, str, str]] | None  # (from, to, commodity) of the documented links


def check_scenario(doc: Document, scenario: Scenario, context: ScenarioContext, errors: list[SourceError]) -> None:
    """Every name a scenario uses exists, every value has its fact's type, every package can be funded,
    every date (and every package's end) lies in the years the engine assesses."""
    _scenario_dates(doc, scenario, context, errors)
    for i, change in enumerate(scenario.facts):
        _profiled(doc, ("facts", i, "country"), change.country, context.profiled, errors)
        if context.facts is None:
            continue
        spec = context.facts.get(change.fact)
        if spec is None:
            errors.append(doc.error(("facts", i, "fact"), f"undeclared fact '{change.fact}'",
                                    suggestion=did_you_mean(change.fact, context.facts)))
            continue
        if refused_derived(spec):
            errors.append(doc.error(("facts", i, "fact"), f"'{change.fact}': {refused_derived(spec)}"))
            continue
        try:
            spec.read(change.value, allow_unknown=False)
        except ValueProblem as problem:
            errors.append(doc.error(("facts", i, "value"), str(problem), allowed=problem.allowed,
                                    suggestion=did_you_mean(str(change.value), problem.allowed)))
    for i, funded in enumerate(scenario.packages):
        _profiled(doc, ("packages", i, "country"), funded.country, context.profiled, errors)
        if context.packages is None:
            continue
        package = context.packages.get(funded.package)
        if package is None:
            errors.append(doc.error(("packages", i, "package"), f"unknown package '{funded.package}'",
                                    suggestion=did_you_mean(funded.package, context.packages)))
        elif package.kind == "us_internal" or not package.effects:
            why = "is a US-internal measure" if package.kind == "us_internal" else "declares no effects"
            errors.append(doc.error(("packages", i, "package"), f"package '{funded.package}' cannot be funded in a "
                                    f"partner country: it {why}"))
    for i, opened in enumerate(scenario.routes.opened):
        where = ("routes", "opened", i)
        for key, node in (("from", opened.from_), ("to", opened.to)):
            if context.nodes is not None and node not in context.nodes and not is_country(node):
                errors.append(doc.error((*where, key), f"'{node}' is neither a country code nor a region of the network",
                                        suggestion=did_you_mean(node, context.nodes)))
        if context.commodities is not None:
            _in_vocabulary(doc, (*where, "commodity"), opened.commodity, context.commodities, "commodity", errors)
    for i, closed in enumerate(scenario.routes.closed):
        if context.links is not None and (closed.from_, closed.to, closed.commodity) not in context.links:
            documented = sorted(f"{a}->{b} {c}" for a, b, c in context.links if a == closed.from_)
            errors.append(doc.error(("routes", "closed", i), f"no documented {closed.commodity} link from "
                                    f"{closed.from_} to {closed.to} to close",
                                    allowed=tuple(documented[:20])))


def _scenario_dates(doc: Document, scenario: Scenario, context: ScenarioContext, errors: list[SourceError]) -> None:
    """A scenario's dates bounded like a profile's: from FIRST_YEAR, and to LAST_YEAR (a projection's
    last year), so that projecting it ends and its packages' ends are dates."""
    dated: list[tuple[DataPath, dt.date]] = [(("facts", i, "as_of"), c.as_of) for i, c in enumerate(scenario.facts)]
    dated += [(("packages", i, "start"), p.start) for i, p in enumerate(scenario.packages)]
    dated += [(("routes", "opened", i, "since"), route.since) for i, route in enumerate(scenario.routes.opened)]
    dated += [(("routes", "closed", i, "on"), c.on) for i, c in enumerate(scenario.routes.closed)]
    for where, day in dated:
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            errors.append(doc.error(where, f"{day} is outside the years the engine assesses ({FIRST_YEAR}-{LAST_YEAR})"))
    for i, funded in enumerate(scenario.packages):
        package = (context.packages or {}).get(funded.package)
        years = math.ceil(package.duration_years or 0) if package is not None else 0
        if FIRST_YEAR <= funded.start.year <= LAST_YEAR < funded.start.year + years:
            errors.append(doc.error(("packages", i, "start"), f"funded from {funded.start}, '{funded.package}' runs "
                                    f"{package.duration_years if package else 0:g} years, past {LAST_YEAR}, the last "
                                    "year the engine assesses"))


def _profiled(doc: Document, where: DataPath, code: str, profiled: set[str], errors: list[SourceError]) -> None:
    if code not in profiled:
        errors.append(doc.error(where, f"no profile for '{code}'", suggestion=did_you_mean(code, profiled)))
