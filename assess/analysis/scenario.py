"""What-ifs: a scenario's dated fact changes, funded packages and route changes, projected year by
year against the baseline.

A scenario is applied as evidence would be: its facts become dated readings in the profiles
(source "scenario: ..."), a funded package's effects become readings dated when it has run its
duration (never lowering a fact, as in the portfolio), and route changes open links or end them.
Everything downstream (scores, tiers, flows, priorities, diffs) then runs unchanged on the
scenario's workspace, so the usual attribution explains every move.

When funding raises a country's capacity its leverage falls: less of its flow is left to stop.
The projection says so beside the number, so the output never claims a funded country matters
less without the reason.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..engine.canonical import digest
from ..engine.evaluate import assess
from ..engine.models import Scenario, TraffickingLink
from ..engine.results import Assessment, CountryResult, JSONObject
from ..engine.values import UNKNOWN, display, shares_apart
from ..engine.workspace import CountryProfile, Network, Reading, Workspace
from .prioritize import Routes, leverages, prioritize, routes_toward

DAYS_PER_YEAR = 365.25
CHANGE_FLOOR = 1e-9
LEVERAGE_SHOWN = 5e-4  # leverage moves smaller than 0.05 points of the flow are not worth a line


def apply_scenario(workspace: Workspace, scenario: Scenario) -> Workspace:
    """The workspace as the scenario would have it: its facts, package effects and routes added."""
    return _applied(workspace, scenario)[0]


def idle_changes(workspace: Workspace, scenario: Scenario) -> list[tuple[tuple[str, int], str]]:
    """The fact changes and funded packages of a scenario that change nothing on the date they take
    effect (the fact already has that value, or a package's every effect already holds), as
    (where in the file, why): a planner's assumption that cannot move anything is likely a mistake."""
    idle: list[tuple[tuple[str, int], str]] = []
    for i, change in enumerate(scenario.facts):
        spec = workspace.ruleset.facts[change.fact]
        value = spec.read(change.value, allow_unknown=False)
        # the baseline, and the scenario's own earlier changes of the same fact
        earlier = [(c.as_of, j, spec.read(c.value, allow_unknown=False)) for j, c in enumerate(scenario.facts)
                   if (c.country, c.fact) == (change.country, change.fact) and (c.as_of, j) < (change.as_of, i)]
        baseline = workspace.profiles[change.country].reading_on(change.fact, change.as_of)
        readings = [(baseline.as_of, -1, baseline.value)] if baseline is not None else []
        before = max([*readings, *earlier], key=lambda item: (item[0], item[1]), default=None)
        if before is not None and before[2] is not UNKNOWN and before[2] == value:
            idle.append((("facts", i), f"{change.country} {change.fact} is already {display(change.value)} on "
                         f"{change.as_of}: the change changes nothing"))
    for i, when, befores in _applied(workspace, scenario)[1]:
        funded = scenario.packages[i]
        held = "; ".join(f"{fact} is already {display(before)}" for fact, before in befores)
        idle.append((("packages", i), f"{funded.package} in {funded.country}, funded from {funded.start}, changes "
                     f"nothing when its effects hold on {when}: {held}"))
    return idle


def _applied(workspace: Workspace, scenario: Scenario) -> tuple[Workspace, list[tuple[int, dt.date, list[tuple[str, Any]]]]]:
    """The scenario's workspace, and the funded packages that change nothing there (index, date
    their effects hold, each effect's fact and the value it already has)."""
    added: dict[str, list[Reading]] = {}
    for change in scenario.facts:
        spec = workspace.ruleset.facts[change.fact]
        added.setdefault(change.country, []).append(
            Reading(change.fact, spec.read(change.value, allow_unknown=False), change.as_of,
                    f"scenario: {scenario.title}", change.note))
    profiles = {code: _with_readings(profile, added.get(code, [])) for code, profile in workspace.profiles.items()}
    idle = []
    for index, funded in sorted(enumerate(scenario.packages),
                                key=lambda item: (effective_date(workspace, item[1].package, item[1].start),
                                                  item[1].country)):
        package = workspace.ruleset.interventions[funded.package]
        when = effective_date(workspace, funded.package, funded.start)
        profile = profiles[funded.country]
        readings = []
        befores = []
        for fact, raw in package.effects.items():
            spec = workspace.ruleset.facts[fact]
            before = _value_on(profile, fact, when)
            after = spec.raise_to(before, spec.read(raw, allow_unknown=False))
            befores.append((fact, before))
            if after != before:
                readings.append(Reading(fact, after, when, f"scenario: {funded.package} funded from {funded.start}",
                                        funded.note or package.text))
        if not readings:
            idle.append((index, when, befores))
        profiles[funded.country] = _with_readings(profile, readings)
    network = _with_routes(workspace.network, scenario) if workspace.network is not None else None
    return dataclasses.replace(workspace, profiles=profiles, network=network), sorted(idle, key=lambda item: item[0])


def effective_date(workspace: Workspace, package: str, start: dt.date) -> dt.date:
    """When a package funded from ``start`` has run its duration, and its effects hold."""
    years = workspace.ruleset.interventions[package].duration_years or 0.0
    whole = int(years)
    try:
        anniversary = start.replace(year=start.year + whole)
    except ValueError:  # 29 February in a year that has none
        anniversary = start.replace(year=start.year + whole, day=28)
    return anniversary + dt.timedelta(days=round((years - whole) * DAYS_PER_YEAR))


def _value_on(profile: CountryProfile, fact: str, day: dt.date) -> Any:
    reading = profile.reading_on(fact, day)
    return reading.value if reading is not None else UNKNOWN


def _with_readings(profile: CountryProfile, readings: list[Reading]) -> CountryProfile:
    if not readings:
        return profile
    history = dict(profile.history)
    for reading in readings:
        # sorted by date, stably: on the same date the scenario's reading comes last, so it holds
        history[reading.fact] = tuple(sorted((*history.get(reading.fact, ()), reading), key=lambda r: r.as_of))
    content = digest({"profile": profile.content_hash,
                      "scenario": [[r.fact, display(r.value), r.as_of.isoformat(), r.source] for r in readings]})
    return dataclasses.replace(profile, history=dict(sorted(history.items())), content_hash=content)


def _with_routes(network: Network, scenario: Scenario) -> Network:
    closing = {(c.from_, c.to, c.commodity): c.on for c in scenario.routes.closed}
    links = []
    for link in network.links:
        on = closing.get((link.from_, link.to, link.commodity))
        if on is not None:
            until = min(link.until or on, on - dt.timedelta(days=1))
            if until < link.since:
                continue  # closed before it began
            link = link.model_copy(update={"until": until})
        links.append(link)
    for opened in scenario.routes.opened:
        links.append(TraffickingLink.model_validate({
            "from": opened.from_, "to": opened.to, "commodity": opened.commodity, "modalities": opened.modalities,
            "volume": opened.volume, "confidence": opened.confidence, "since": opened.since,
            "source": f"scenario: {scenario.title}", "note": opened.note}))
    return dataclasses.replace(network, links=tuple(links))


@dataclass
class CountryChange:
    country: str
    name: str
    score: tuple[float | None, float | None]  # baseline, scenario
    tier: tuple[str | None, str | None]
    goals: dict[str, tuple[float | None, float | None]]  # goals whose score moves
    leverage: tuple[float | None, float | None]  # None: not on a route to the destination
    capacity: tuple[float | None, float | None]
    why: list[str] = field(default_factory=list)
    expected: tuple[float | None, float | None] = (None, None)  # the overall estimate under the priors


@dataclass
class YearProjection:
    year: int
    flow: tuple[float | None, float | None]  # harm-weighted share of the potential flow that arrives
    top: tuple[list[str], list[str]]  # the first picks of the ranking, baseline and scenario
    changes: list[CountryChange]


@dataclass
class Projection:
    name: str
    title: str
    destination: str
    years: list[YearProjection]
    assumptions: list[str]  # the scenario's facts, packages and routes, as a planner reads them

    def to_json(self) -> JSONObject:
        return {"scenario": self.name, "title": self.title, "destination": self.destination,
                "assumptions": self.assumptions,
                "years": [{"year": y.year, "flow": {"baseline": y.flow[0], "scenario": y.flow[1]},
                           "top": {"baseline": y.top[0], "scenario": y.top[1]},
                           "changes": [_change_json(c) for c in y.changes]} for y in self.years]}


def project(workspace: Workspace, scenario: Scenario, name: str, start: int, until: int) -> Projection:
    """Scores, tiers, flows and priorities of every year from ``start`` to ``until``, baseline and scenario."""
    changed = apply_scenario(workspace, scenario)
    years = [_year(workspace, changed, scenario, year) for year in range(start, until + 1)]
    return Projection(name, scenario.title, scenario.destination, years, assumptions(workspace, scenario))


def assumptions(workspace: Workspace, scenario: Scenario) -> list[str]:
    lines = [f"{c.country}: {c.fact} = {display(c.value)} from {c.as_of}" + (f" ({c.note})" if c.note else "")
             for c in scenario.facts]
    for funded in scenario.packages:
        package = workspace.ruleset.interventions[funded.package]
        effects = ", ".join(f"{fact} {display(raw)}" for fact, raw in package.effects.items())
        lines.append(f"{funded.country}: {funded.package} funded from {funded.start}, effects ({effects}) from "
                     f"{effective_date(workspace, funded.package, funded.start)}")
    lines += [f"route opened: {r.from_} -> {r.to} ({r.commodity}) from {r.since}" for r in scenario.routes.opened]
    lines += [f"route closed: {r.from_} -> {r.to} ({r.commodity}) from {r.on}" for r in scenario.routes.closed]
    return lines


def _year(baseline: Workspace, changed: Workspace, scenario: Scenario, year: int) -> YearProjection:
    before, after = assess(baseline, year), assess(changed, year)
    base_routes = _routes(baseline, before, scenario.destination)
    routes = [base_routes, _routes(changed, after, scenario.destination, base_routes)]
    flows = tuple(r.state().total if r is not None else None for r in routes)
    levers = [leverages(r) if r is not None else {} for r in routes]
    top = tuple([pick.country for pick in prioritize(workspace, assessment, scenario.destination, budget=5).picks]
                if r is not None else [] for r, workspace, assessment in zip(routes, (baseline, changed), (before, after),
                                                                             strict=True))
    scenario_results = {c.country: c for c in after.countries}
    changes = []
    for old in before.countries:
        new = scenario_results[old.country]
        capacity = tuple(r.candidates[old.country].capacity.point if r and old.country in r.candidates else None
                         for r in routes)
        change = CountryChange(old.country, old.name, (old.score, new.score), (old.overall.tier, new.overall.tier),
                               _goals_moved(old, new), (levers[0].get(old.country), levers[1].get(old.country)),
                               (capacity[0], capacity[1]))
        change.expected = (old.overall.expected, new.overall.expected)
        if _moved(change):
            change.why = _why(change, changed.profiles[old.country], year)
            changes.append(change)
    return YearProjection(year, (flows[0], flows[1]), (top[0], top[1]), changes)


def _routes(workspace: Workspace, assessment: Assessment, destination: str, reference: Routes | None = None
            ) -> Routes | None:
    if workspace.network is None or workspace.ruleset.network is None:
        return None
    return routes_toward(workspace, assessment, destination, reference=reference)


def _goals_moved(old: CountryResult, new: CountryResult) -> dict[str, tuple[float | None, float | None]]:
    scenario_goals = {goal.id: goal for goal in new.goals}
    return {goal.id: (goal.score, scenario_goals[goal.id].score) for goal in old.goals
            if _differs(goal.score, scenario_goals[goal.id].score)}


def _differs(a: float | None, b: float | None) -> bool:
    return (a is None) != (b is None) or (a is not None and b is not None and abs(a - b) > CHANGE_FLOOR)


def _moved(change: CountryChange) -> bool:
    old, new = change.leverage
    leverage_moved = (old is None) != (new is None) or (old is not None and new is not None
                                                         and abs(old - new) >= LEVERAGE_SHOWN)
    return _differs(*change.score) or change.tier[0] != change.tier[1] or bool(change.goals) or leverage_moved


def _why(change: CountryChange, profile: CountryProfile, year: int) -> list[str]:
    """The scenario's readings in force, and the reason a leverage moved, in words."""
    end = dt.date(year, 12, 31)
    reasons = sorted({f"{reading.fact} {display(reading.value)} from {reading.as_of} ({reading.source})"
                      for entries in profile.history.values() for reading in entries
                      if reading.source and reading.source.startswith("scenario:") and reading.as_of <= end})
    old, new = change.leverage
    shown = "leverage {} -> {}".format(*shares_apart(old, new)) if old is not None and new is not None else ""
    if old is not None and new is not None and new < old - CHANGE_FLOOR:
        cap_old, cap_new = change.capacity
        if cap_old is not None and cap_new is not None and cap_new > cap_old + CHANGE_FLOOR:
            reasons.append(f"{shown}: its capacity rose {cap_old:.2f} -> {cap_new:.2f}, so "
                           "less of its flow is left to stop (the funding works; it matters less only for that reason)")
        else:
            reasons.append(f"{shown}: flows changed elsewhere on its routes "
                           "(capacities or routes of other countries)")
    elif old is not None and new is not None and new > old + CHANGE_FLOOR:
        reasons.append(f"{shown}: more flow now passes it (routes or capacities elsewhere)")
    elif (old is None) != (new is None):
        reasons.append("now on a route to the destination" if old is None else "no longer on a route to the destination")
    return reasons


def _change_json(change: CountryChange) -> JSONObject:
    def pair(values: tuple[Any, Any]) -> JSONObject:
        return {"baseline": values[0], "scenario": values[1]}

    return {"country": change.country, "name": change.name, "score": pair(change.score),
            "expected": pair(change.expected), "tier": pair(change.tier),
            "goals": {goal: pair(values) for goal, values in change.goals.items()},
            "leverage": pair(change.leverage), "capacity": pair(change.capacity), "why": change.why}
