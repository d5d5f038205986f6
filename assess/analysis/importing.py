"""``assess import``, the reading half: what a table of dated, sourced facts would change in the profiles.

A table is read (``tables``, strictly), each row checked against the fact catalogue with the same
readers profiles use (a country named by its code or exactly by a known name, ``countrynames``;
did-you-mean for facts and countries), and compared with
what the profiles already record:

- a value already recorded for the same country, fact and date is left alone (importing twice
  changes nothing); a different value for the same date is a conflict, reported and never
  overwritten;
- a new value is inserted among the fact's entries in date order;
- a country with no profile is an error, or with ``--create`` gets the profile ``assess new`` would
  write (every fact unknown since 1900), created in the same transaction as the values.

Forms, told apart by the header: long (``country, fact, value, as_of, source[, note]``), wide by
fact (``country, as_of, source[, note]`` and one column per fact) and wide by year (``country,
fact, source[, note]`` and one column per year, read as that year's end). With
``--closed-list`` a fact the catalogue declares ``closed_list`` is read as a complete list: every
edition (rows sharing a date) gives every other country in the workspace the list's value for
absence, with the same date and source.

Writing the plan into the profiles is ``assess.edit.importer``'s job.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..engine.facttypes import FactSpecBase
from ..engine.results import JSONObject
from ..engine.values import UNKNOWN, ValueProblem, to_json
from ..engine.workspace import Reading, Workspace, blank_history
from ..errors import InputErrors, SourceError, UsageError, did_you_mean, location_of
from .countrynames import ambiguous, country_names, resolve_country
from .tables import Row, read_table

Form = Literal["long", "facts", "years"]
LONG = ("country", "fact", "value", "as_of")
TEXT_COLUMNS = ("source", "note")
YEAR = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class Observation:
    """One dated, sourced value of one fact for one country, from one row of a table."""

    country: str
    fact: str
    value: Any
    as_of: dt.date
    source: str | None
    note: str | None
    where: str  # file:line, or the closed list it was filled in from


@dataclass(frozen=True)
class Change:
    kind: Literal["add", "same", "conflict"]
    observation: Observation
    recorded: Any = None  # the value already recorded for that date (conflicts)

    def to_json(self) -> JSONObject:
        o = self.observation
        data = {"change": self.kind, "country": o.country, "fact": o.fact, "as_of": o.as_of.isoformat(),
                "value": to_json(o.value), "source": o.source, "note": o.note, "from": o.where}
        if self.kind == "conflict":
            data["recorded"] = to_json(self.recorded)
        return data


@dataclass
class ImportPlan:
    table: str
    form: Form
    changes: list[Change] = field(default_factory=list)
    closed_lists: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)  # countries whose profile the import creates
    written: list[str] = field(default_factory=list)
    dry_run: bool = True

    def count(self, kind: str) -> int:
        return sum(change.kind == kind for change in self.changes)

    def to_json(self) -> JSONObject:
        return {"table": self.table, "form": self.form, "dry_run": self.dry_run, "closed_lists": self.closed_lists,
                "added": self.count("add"), "unchanged": self.count("same"), "conflicts": self.count("conflict"),
                "created": self.created, "written": self.written,
                "changes": [c.to_json() for c in self.changes if c.kind != "same"]}


def plan_import(workspace: Workspace, table: Path, closed_list: bool = False, create: bool = False) -> ImportPlan:
    """What importing ``table`` would change; raises InputErrors (every bad row at once). With
    ``create``, a country with no profile is to be created (``plan.created``) rather than an error."""
    header, rows = read_table(table)
    form = _form(header, location_of(table), workspace)
    errors: list[SourceError] = []
    country = _country_reader(workspace)
    observations = [o for row in rows for o in _observations(row, form, header, workspace, country, errors)]
    if errors:
        raise InputErrors(errors)
    plan = ImportPlan(location_of(table), form)
    if closed_list:
        observations += _closed_lists(observations, workspace, plan)
    plan.created = _missing(observations, workspace, allowed=None if create else [])
    plan.changes = _compared(observations, workspace)
    return plan


def replan(plan: ImportPlan, workspace: Workspace) -> ImportPlan:
    """The same observations compared again with the profiles as they are now (another import may
    have written, or created a profile, since the plan was made)."""
    observations = [change.observation for change in plan.changes]
    created = _missing(observations, workspace, allowed=plan.created)
    return ImportPlan(plan.table, plan.form, _compared(observations, workspace), plan.closed_lists, created,
                      plan.written, plan.dry_run)


def _missing(observations: list[Observation], workspace: Workspace, allowed: list[str] | None) -> list[str]:
    """The countries named that have no profile; a usage error for any not ``allowed`` (None: any)."""
    missing = sorted({o.country for o in observations} - set(workspace.profiles))
    refused = [code for code in missing if allowed is not None and code not in allowed]
    if refused:
        raise UsageError(f"no profile for {', '.join(refused)}: import with --create to create them in the same "
                         "import, or create them first with 'assess new CODE'")
    return missing


# --- Reading rows ------------------------------------------------------------------------------


def _form(header: list[str], name: str, workspace: Workspace) -> Form:
    columns = set(header) - {""}
    if set(LONG) <= columns:
        return "long"
    if {"country", "fact"} <= columns and any(YEAR.match(column) for column in columns):
        return "years"
    if {"country", "as_of"} <= columns and columns & set(workspace.ruleset.facts):
        return "facts"
    raise InputErrors([SourceError(name, 1, 1, "cannot tell the table's form from its header: expected long "
                                   "(country, fact, value, as_of, source[, note]), one column per fact (country, "
                                   "as_of, source, <fact>...) or one column per year (country, fact, source, <YYYY>...)")])


def _observations(row: Row, form: Form, header: list[str], workspace: Workspace,
                  country_of: Callable[[str], tuple[str | None, str]], errors: list[SourceError]) -> list[Observation]:
    if form == "long":
        cells = [(row.cells.get("fact", ""), row.cells.get("value", ""), row.cells.get("as_of", ""))]
    elif form == "facts":
        known = set(TEXT_COLUMNS) | {"country", "as_of"}
        cells = [(column, row.cells.get(column, ""), row.cells.get("as_of", "")) for column in header
                 if column and column not in known]
    else:
        cells = [(row.cells.get("fact", ""), row.cells.get(column, ""), column) for column in header if YEAR.match(column)]
    country = _country(row, country_of, errors)
    found = []
    for fact, raw, as_of in cells:
        if form != "long" and not raw:
            continue  # an empty cell of a wide table says nothing
        observation = _observation(row, country, fact, raw, as_of, workspace, errors)
        if observation is not None:
            found.append(observation)
    return found


def _observation(row: Row, country: str | None, fact: str, raw: str, as_of: str, workspace: Workspace,
                 errors: list[SourceError]) -> Observation | None:
    spec = workspace.ruleset.facts.get(fact)
    if spec is None:
        errors.append(row.error(f"unknown fact '{fact}'" + _suggest(fact, workspace.ruleset.facts), "fact"))
        return None
    value = _value(row, spec, raw, errors)
    date = _date(row, as_of, errors)
    source, note = row.cells.get("source") or None, row.cells.get("note") or None
    if value is not None and value is not UNKNOWN and not source:
        errors.append(row.error(f"a known value of '{fact}' needs a source", "source"))
        return None
    if country is None or value is None or date is None:
        return None
    return Observation(country, fact, value, date, source, note, f"{row.file}:{row.line}")


def _country(row: Row, country_of: Callable[[str], tuple[str | None, str]], errors: list[SourceError]) -> str | None:
    code, problem = country_of(row.cells.get("country", ""))
    if code is None:
        errors.append(row.error(problem, "country"))
    return code


def _country_reader(workspace: Workspace) -> Callable[[str], tuple[str | None, str]]:
    """A country cell's code, or why it names none; each distinct cell is resolved once per import (a
    table names the same few hundred countries on thousands of rows)."""

    @functools.cache
    def country_of(text: str) -> tuple[str | None, str]:
        # a declared entity (MEX-SON) is named by its id: its profile must exist to say what it is
        code = text.strip() if text.strip() in workspace.profiles else resolve_country(text)
        if code is not None:
            return code, ""
        several = ambiguous(text)
        if several:
            return None, f"'{text}' could name {' or '.join(several)}: write the code"
        names = sorted({*country_names(), *workspace.profiles})
        return None, f"'{text}' is not a country code or name" + _suggest(text, names)

    return country_of


def _value(row: Row, spec: FactSpecBase, raw: str, errors: list[SourceError]) -> Any:
    """A cell as the fact's type: a set's items are joined by ';', and '[]' is the empty set."""
    if not raw:
        empty = f", or [] for an empty {spec.type}" if spec.listed else ""
        errors.append(row.error(f"no value (write 'unknown' for an unknown value{empty})", "value"))
        return None
    try:
        return spec.read([item.strip() for item in raw.split(";") if item.strip() and item.strip() != "[]"]
                         if spec.listed and raw != "unknown" else raw)
    except ValueProblem as problem:
        allowed = f"; allowed: {', '.join(problem.allowed)}" if problem.allowed else ""
        errors.append(row.error(f"{problem}{allowed}{_suggest(raw, problem.allowed)}", "value"))
        return None


def _date(row: Row, text: str, errors: list[SourceError]) -> dt.date | None:
    """``YYYY-MM-DD``; ``YYYY-MM`` and ``YYYY`` stand for the end of that month or year."""
    try:
        if re.fullmatch(r"\d{4}", text):
            return dt.date(int(text), 12, 31)
        if re.fullmatch(r"\d{4}-\d{2}", text):
            year, month = map(int, text.split("-"))
            return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        return dt.date.fromisoformat(text)
    except ValueError:
        errors.append(row.error(f"'{text}' is not a date (YYYY-MM-DD, YYYY-MM or YYYY)", "as_of"))
        return None


def _suggest(word: str, candidates: Any) -> str:
    suggestion = did_you_mean(word, candidates)
    return f"; did you mean '{suggestion}'?" if suggestion else ""


# --- Closed lists ---------------------------------------------------------------------------------


def _closed_lists(observations: list[Observation], workspace: Workspace, plan: ImportPlan) -> list[Observation]:
    """For each edition of a closed list (rows of one fact sharing a date), the countries it does not
    name get the declared value for absence, dated and sourced like the edition."""
    filled, errors = [], []
    editions = defaultdict(list)
    for o in observations:
        editions[(o.fact, o.as_of)].append(o)
    for (fact, as_of), listed in sorted(editions.items()):
        closed = workspace.ruleset.facts[fact].closed_list
        if closed is None:
            errors.append(SourceError(plan.table, 1, 1, f"'{fact}' is not declared a closed list in the fact catalogue "
                                      "(add closed_list: {list: ..., absent: ...}) so absence from the table means nothing"))
            continue
        sources = sorted({o.source or "" for o in listed})
        if len(sources) != 1:
            errors.append(SourceError(plan.table, 1, 1, f"the {fact} list of {as_of} has {len(sources)} sources: one "
                                      "edition of a list needs one source"))
            continue
        named = {o.country for o in listed}
        absent = workspace.ruleset.facts[fact].read(closed.absent)
        filled += [Observation(code, fact, absent, as_of, sources[0], f"not on the list ({closed.list})",
                               f"{plan.table} (closed list)") for code in sorted(set(workspace.profiles) - named)]
        plan.closed_lists.append(f"{fact} {as_of}")
    if errors:
        raise InputErrors(errors)
    return filled


# --- Comparing with what is recorded ------------------------------------------------------------------


def _order(o: Observation) -> tuple[str, str, dt.date]:
    return o.country, o.fact, o.as_of


def _compared(observations: list[Observation], workspace: Workspace) -> list[Change]:
    """Each observation against what its country's profile records (a profile to be created: what a
    new one records)."""
    blank = blank_history(workspace.ruleset.facts)
    return [_compare(o, workspace.profiles[o.country].history if o.country in workspace.profiles else blank)
            for o in sorted(observations, key=_order)]


def _compare(o: Observation, history: dict[str, tuple[Reading, ...]]) -> Change:
    entries = history.get(o.fact, ())
    recorded = next((entry for entry in entries if entry.as_of == o.as_of), None)
    if recorded is None:
        return Change("add", o)
    return Change("same", o) if recorded.value == o.value else Change("conflict", o, recorded.value)


