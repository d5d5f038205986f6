"""Finding and loading a workspace: one rule set and the country profiles.

This is the entry of the pipeline (load -> validate); it gathers every error of every file
before failing, so a user sees all problems of a run at once.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import Any

import pycountry
from pydantic import ValidationError

from ..errors import InputErrors, SourceError, UsageError, did_you_mean, location_of
from .canonical import digest
from .facttypes import Estimate, FactSpecBase
from .models import (
    AGGREGATE,
    FactCatalogue,
    FactEntry,
    Goal,
    Grouping,
    GroupingsFile,
    Intervention,
    InterventionMenu,
    Membership,
    NetworkConfig,
    Partnership,
    PartnershipFile,
    Profile,
    RulesetHeader,
    Scenario,
    StrategyFile,
    TraffickingFile,
    TraffickingLink,
)
from .parallel import mapped
from .reader import Document, read_yaml
from .upgrade import declared_format, tripped
from .validate import (
    M,
    RulesetChecker,
    ScenarioContext,
    check_groupings,
    check_network_config,
    check_partnerships,
    check_profile,
    check_scenario,
    check_trafficking,
    validate_model,
)
from .values import UNKNOWN

BUNDLED = Path(__file__).parent.parent / "bundled"  # in an installed wheel
SOURCE_TREE = Path(__file__).parent.parent.parent  # an editable install reads the repository's own copy


def shipped(name: str) -> Path:
    """The copy of ``rules``, ``country_profiles`` or ``scenarios`` shipped with this installation."""
    return BUNDLED / name if (BUNDLED / name).is_dir() else SOURCE_TREE / name


def uses_shipped(rules: Path | None, profiles: Path | None) -> list[str]:
    """Which parts of the workspace would come from the shipped copy (none given, none here)."""
    return [name for name, given in (("rules", rules), ("country_profiles", profiles))
            if given is None and not Path(name).is_dir()]
RULESET_FILE = "ruleset.yaml"
NO_ESTIMATE = Estimate.model_construct(method="none", by=None, min_group=5, min_cohort=10, min_distinct=1,
                                       min_per_value=1, prior=None,
                                       rationale="no treatment declared: an unknown is not estimated")
NETWORK_DIR = "network"


@dataclass(frozen=True)
class Ruleset:
    header: RulesetHeader
    facts: dict[str, FactSpecBase]
    interventions: dict[str, Intervention]
    goals: tuple[Goal, ...]
    directory: Path
    network: NetworkConfig | None = None
    strategy: StrategyFile | None = None
    estimate: Estimate | None = None  # the catalogue's default treatment of unknowns
    groupings: dict[str, Grouping] = field(default_factory=dict)
    warnings: tuple[SourceError, ...] = ()  # what an older format is read in spite of (see ``upgrade``)

    def estimate_of(self, fact: str) -> Estimate:
        """How an unknown value of ``fact`` is estimated: its own declaration, the catalogue's, or none."""
        return self.facts[fact].estimate or self.estimate or NO_ESTIMATE

    @cached_property
    def content_hash(self) -> str:
        return digest({"header": self.header.model_dump(mode="json"), "components": self.component_hashes})

    @cached_property
    def component_hashes(self) -> dict[str, str]:
        """A hash per part, so a diff can say which rule, weight or fact definition changed."""
        hashes = {"ruleset": digest(self.header)}
        if self.network is not None:
            hashes["network"] = digest(self.network)
        if self.strategy is not None:
            hashes["strategy"] = digest(self.strategy)
        if self.estimate is not None:
            hashes["estimate"] = digest(self.estimate)
        hashes.update({f"grouping:{name}": digest(grouping) for name, grouping in self.groupings.items()})
        hashes.update({f"fact:{name}": digest(spec) for name, spec in self.facts.items()})
        hashes.update({f"intervention:{name}": digest(item) for name, item in self.interventions.items()})
        for goal in self.goals:
            hashes[goal.id] = digest(goal.model_copy(update={"criteria": [], "rules": []}))
            for path, group in goal.group_paths(goal.id):
                hashes[path] = digest(group.model_copy(update={"criteria": [], "rules": []}))
            hashes.update({path: digest(rule) for path, rule in goal.rule_paths(goal.id)})
        return dict(sorted(hashes.items()))


@dataclass(frozen=True, slots=True)
class Reading:
    """The value of one fact for one country as of a year, with its provenance."""

    fact: str
    value: Any
    as_of: dt.date
    source: str | None = None
    note: str | None = None
    settled_by: str | None = None  # the grouping whose law settles it ("European Union law (grouping eu)")
    until: dt.date | None = None  # a law's reading: the member's last day in the grouping

    def __reduce__(self) -> tuple[type[Reading], tuple[Any, ...]]:
        # as its fields, in order: a slotted dataclass's own state is a Python call per object,
        # twice as slow to pickle, and profiles cross between processes in hundreds of thousands
        return Reading, _reading_fields(self)


_reading_fields = operator.attrgetter(*Reading.__slots__)  # the fields, in order (one C call)


UNKNOWN_SINCE = dt.date(1900, 1, 1)  # before any value a profile could record, so every later entry supersedes it


def blank_history(facts: Mapping[str, FactSpecBase]) -> dict[str, tuple[Reading, ...]]:
    """What a new profile records (``assess new``, ``assess import --create``): every fact of the
    catalogue unknown since ``UNKNOWN_SINCE``."""
    return {name: (Reading(name, UNKNOWN, UNKNOWN_SINCE),) for name in sorted(facts)}


@dataclass(frozen=True)
class CountryProfile:
    country: str  # an ISO 3166-1 alpha-3 code, or a declared entity's id (MEX-SON)
    name: str
    file: str
    content_hash: str
    history: dict[str, tuple[Reading, ...]] = field(default_factory=dict)  # the profile's own entries
    kind: str = "country"  # or the entity's kind: state, province, port, scenario, ..., aggregate
    parent: str | None = None  # an entity's country (an aggregate has none)
    law: dict[str, tuple[Reading, ...]] = field(default_factory=dict)  # what its groupings' law settles

    def reading(self, fact: str, year: int) -> Reading | None:
        """The value as of the end of ``year`` (None if nothing settles it); see ``reading_on``."""
        return self.reading_on(fact, dt.date(year, 12, 31))

    def reading_on(self, fact: str, day: dt.date) -> Reading | None:
        """The latest value dated on or before ``day``: the profile's own entry, or its groupings'
        law where the law is dated later and binds the country that day. The profile's entry wins
        on the same day, and an unknown never outweighs the law (it says the profile does not know)."""
        own = _latest(self.history.get(fact, ()), day)
        law = self.law_on(fact, day)
        if law is not None and (own is None or own.value is UNKNOWN or own.as_of < law.as_of):
            return law
        return own

    def law_on(self, fact: str, day: dt.date) -> Reading | None:
        """What a grouping's law settles for ``fact`` on ``day`` (None where no law binds the country)."""
        law = _latest(self.law.get(fact, ()), day)
        return law if law is not None and (law.until is None or day <= law.until) else None

    def facts(self) -> list[str]:
        """The facts the profile records or a law settles for it."""
        return sorted({*self.history, *self.law})

    def years(self) -> set[int]:
        """The years of the known values (an unknown is no evidence of anything)."""
        return {entry.as_of.year for entries in (*self.history.values(), *self.law.values()) for entry in entries
                if entry.value is not UNKNOWN}


def _latest(entries: tuple[Reading, ...], day: dt.date) -> Reading | None:
    index = bisect.bisect_right(entries, day, key=lambda entry: entry.as_of)
    return entries[index - 1] if index else None


@dataclass(frozen=True)
class Network:
    """The trafficking links (with region nodes) and the bilateral partnerships of a workspace."""

    regions: dict[str, str]  # region id -> name
    links: tuple[TraffickingLink, ...]
    partnerships: tuple[Partnership, ...]

    def active_links(self, year: int, commodity: str | None = None) -> list[TraffickingLink]:
        """Links documented as active at some point in ``year``."""
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        return [link for link in self.links
                if link.since <= end and (link.until is None or link.until >= start)
                and (commodity is None or link.commodity == commodity)]


@dataclass(frozen=True)
class Workspace:
    ruleset: Ruleset
    profiles: dict[str, CountryProfile]
    network: Network | None = None
    profiles_dir: Path = Path("country_profiles")  # where the profiles were read (the import command writes there)

    def profile(self, country: str) -> CountryProfile:
        code = country.upper()
        if code not in self.profiles:
            raise UsageError(f"no profile for '{country}'; known: {', '.join(self.profiles)}")
        return self.profiles[code]

    def summary(self) -> str:
        """What was loaded, in one line (for --verbose)."""
        ruleset = self.ruleset
        rules = sum(1 for g in ruleset.goals for _ in g.rule_paths(g.id))
        links = len(self.network.links) if self.network else 0
        return (f"rule set {ruleset.header.id} {ruleset.header.version} from {ruleset.directory} ({rules} rules), "
                f"{len(self.profiles)} profiles, {links} trafficking links")

    def require_network(self, purpose: str) -> tuple[NetworkConfig, Network]:
        """The network's configuration and links, for the analyses that need them."""
        if self.ruleset.network is None or self.network is None:
            raise UsageError(f"{purpose} needs network.yaml in the rule set and country_profiles/network/trafficking.yaml")
        return self.ruleset.network, self.network

    def latest_year(self) -> int:
        """The most recent year any fact is dated in, up to this year: the default as-of year."""
        this_year = dt.date.today().year
        years = [year for profile in self.profiles.values() for year in profile.years() if year <= this_year]
        return max(years) if years else this_year

    def as_of(self, year: int | None) -> int:
        """The year asked for, or by default the latest one any fact is dated in."""
        return self.latest_year() if year is None else year

    def evidence_years(self) -> tuple[int, int] | None:
        """The first and last year any fact is dated in (None for a workspace with no facts)."""
        years = [year for profile in self.profiles.values() for year in profile.years()]
        return (min(years), max(years)) if years else None


def resolve_rules(path: Path | None) -> Path:
    """The rule-set folder: given, or the workspace's, or the bundled one."""
    base = path or (Path("rules") if Path("rules").is_dir() else shipped("rules"))
    if (base / RULESET_FILE).is_file():
        return base
    candidates = sorted(p.parent for p in base.glob(f"*/{RULESET_FILE}"))
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise UsageError(f"no rule set in '{base}': expected {RULESET_FILE} there or in one subfolder")
    names = ", ".join(str(p) for p in candidates)
    raise UsageError(f"'{base}' holds several rule sets ({names}); choose one with --rules")


def resolve_scenarios(path: Path | None) -> Path:
    """The scenarios folder: given, or the workspace's ``scenarios/``, or the bundled one."""
    base = path or (Path("scenarios") if Path("scenarios").is_dir() else shipped("scenarios"))
    if not base.is_dir():
        raise UsageError(f"scenarios folder '{base}' does not exist")
    return base


def load_scenario(workspace: Workspace, name: str, directory: Path | None = None) -> Scenario:
    """``scenarios/<name>.yaml``, validated against the workspace; raises InputErrors listing every problem."""
    folder = resolve_scenarios(directory)
    names = sorted(path.stem for path in folder.glob("*.yaml"))
    if name not in names:
        suggestion = did_you_mean(name, names)
        hint = f"did you mean '{suggestion}'?" if suggestion else f"scenarios in {folder}: {', '.join(names) or 'none'}"
        raise UsageError(f"no scenario '{name}' in {folder}; {hint}")
    return load_scenarios(workspace, folder, [name])[name]


def load_scenarios(workspace: Workspace, folder: Path, names: list[str] | None = None) -> dict[str, Scenario]:
    """Every scenario of ``folder`` (or the ones named), validated; raises InputErrors listing every
    problem of every file."""
    errors: list[SourceError] = []
    network = workspace.network
    context = _scenario_context(workspace.ruleset.facts, workspace.ruleset.interventions, set(workspace.profiles),
                                workspace.ruleset.network.commodities if workspace.ruleset.network else [],
                                network.links if network else (),
                                set(network.regions) if network else set())
    scenarios = _checked_scenarios(folder, names, context, errors)
    if errors:
        raise InputErrors(errors)
    return scenarios


def _checked_scenarios(folder: Path, names: list[str] | None, context: ScenarioContext,
                       errors: list[SourceError]) -> dict[str, Scenario]:
    scenarios = {}
    for name in names if names is not None else sorted(path.stem for path in folder.glob("*.yaml")):
        loaded = _model_file(folder / f"{name}.yaml", Scenario, errors)
        if loaded is not None:
            check_scenario(*loaded, context, errors)
            scenarios[name] = loaded[1]
    return scenarios


def _scenario_context(facts: Mapping[str, FactSpecBase] | None, packages: Mapping[str, Intervention] | None,
                      profiled: set[str], commodities: list[str] | None,
                      links: tuple[TraffickingLink, ...] | None, regions: set[str] | None) -> ScenarioContext:
    """What a scenario may name; None for a part that failed validation (links and regions when the
    trafficking file did, commodities when network.yaml did)."""
    ends = {(link.from_, link.to, link.commodity) for link in links} if links is not None else None
    nodes = {node for end in ends for node in end[:2]} | regions if ends is not None and regions is not None else None
    return ScenarioContext(facts, packages, profiled, nodes, commodities, ends)


def resolve_profiles(path: Path | None) -> Path:
    base = path or (Path("country_profiles") if Path("country_profiles").is_dir() else shipped("country_profiles"))
    if not base.is_dir():
        raise UsageError(f"profiles folder '{base}' does not exist")
    return base


def load_workspace(rules: Path | str | None = None, profiles: Path | str | None = None, *,
                   undeclared_ok: bool = False, scenarios: Path | None = None) -> Workspace:
    """Load and validate a rule set and its profiles (and the scenarios of the folder ``scenarios``);
    raises InputErrors listing every problem. A file that fails validation is reported once: the
    others are still checked against every part that validated, never against the part that did
    not. ``undeclared_ok``: profile facts the rule set does not declare are left out (for an older
    rule set scored on today's profiles), not refused."""
    errors: list[SourceError] = []
    directory = resolve_rules(Path(rules) if rules else None)
    ruleset, parts = _read_ruleset(directory, errors)
    profiles_dir = resolve_profiles(Path(profiles) if profiles else None)
    loaded = _load_profiles(profiles_dir, parts.facts, errors, undeclared_ok)
    network_declared = (directory / "network.yaml").is_file()
    network, links_valid = _load_network(profiles_dir, parts.network, network_declared, set(loaded), errors)
    if scenarios is not None:
        # a profile that failed validation still exists: a scenario naming it is not wrong
        profiled = set(loaded) | {path.stem for path in profiles_dir.glob("*.yaml")}
        commodities = parts.network.commodities if parts.network is not None else None if network_declared else []
        context = _scenario_context(parts.facts, parts.interventions, profiled, commodities,
                                    (network.links if network else ()) if links_valid else None,
                                    (set(network.regions) if network else set()) if links_valid else None)
        _checked_scenarios(scenarios, None, context, errors)
    if errors or ruleset is None:
        raise InputErrors(errors)
    return Workspace(ruleset, settle(loaded, ruleset), network, profiles_dir)


def settle(profiles: dict[str, CountryProfile], ruleset: Ruleset) -> dict[str, CountryProfile]:
    """The profiles with what their groupings' law settles for each (an entity is bound as its country is;
    an aggregate of countries by no law)."""
    law = _law_readings(ruleset)
    return {code: dataclasses.replace(profile, law={} if profile.kind == AGGREGATE else law.get(profile.parent or code, {}))
            for code, profile in profiles.items()}


def _law_readings(ruleset: Ruleset) -> dict[str, dict[str, tuple[Reading, ...]]]:
    """ISO3 -> fact -> the readings a grouping's law settles for that member, by date: each from the
    day both the law is in force and the state is a member, until the state's last day as one."""
    settled: dict[str, dict[str, list[Reading]]] = {}
    for name, grouping in sorted(ruleset.groupings.items()):
        settled_by = f"{grouping.title} law (grouping {name})"
        # by date, so that of two laws in force before a state joined, the later is read
        for law in sorted(grouping.law, key=lambda law: law.from_):
            value = ruleset.facts[law.fact].read(law.value, allow_unknown=False)
            for code, member in grouping.members.items():
                spell = member if isinstance(member, Membership) else Membership()
                if spell.until is not None and spell.until < law.from_:
                    continue  # it had left before the law was made
                start = max(law.from_, spell.from_ or law.from_)
                settled.setdefault(code, {}).setdefault(law.fact, []).append(
                    Reading(law.fact, value, start, law.source, law.note, settled_by, spell.until))
    return {code: {fact: tuple(readings) for fact, readings in sorted(facts.items())}
            for code, facts in settled.items()}


@dataclass(frozen=True)
class _Parts:
    """The parts of a rule set that validated (None for one that did not), so that the rest of a
    workspace is checked against them even when the rule set as a whole failed."""

    facts: dict[str, FactSpecBase] | None
    interventions: dict[str, Intervention] | None
    network: NetworkConfig | None


def load_ruleset(directory: Path, errors: list[SourceError]) -> Ruleset | None:
    """Load ``ruleset.yaml``, ``facts.yaml``, ``interventions.yaml`` and ``goals/*.yaml``."""
    return _read_ruleset(directory, errors)[0]


def _read_ruleset(directory: Path, errors: list[SourceError]) -> tuple[Ruleset | None, _Parts]:
    """The rule set (None if any file failed) and the parts of it that validated. Every file is
    checked against the parts that validated; a reference into a part that did not is not
    checked (that part's own errors say what is wrong with it). Files are read as the format
    ruleset.yaml declares; one of a format newer than the engine's is not read at all."""
    warnings: list[SourceError] = []
    header_docs = _documents([directory / RULESET_FILE] if (directory / RULESET_FILE).is_file() else [], errors)
    version = declared_format(header_docs[0] if header_docs else None, errors, warnings)
    if version is None:
        return None, _Parts(None, None, None)
    header_file = _model_file(directory / RULESET_FILE, RulesetHeader, errors, docs=header_docs)
    catalogue_file = _model_file(directory / "facts.yaml", FactCatalogue, errors, version)
    # a rule set that recommends nothing (a published index) needs no intervention menu
    menu_file = (_model_file(directory / "interventions.yaml", InterventionMenu, errors, version)
                 if (directory / "interventions.yaml").exists() else (None, InterventionMenu(interventions={})))
    goal_files = sorted((directory / "goals").glob("*.yaml"))
    if not goal_files:
        errors.append(SourceError(location_of(directory / "goals"), 1, 1, "no goal files (goals/*.yaml) in the rule set"))
    goal_docs = _documents(goal_files, errors)
    goals = [(doc, validate_model(doc, Goal, errors, tripped(doc, f"goals/{Path(doc.file).name}", version, errors)))
             for doc in goal_docs]
    header = header_file[1] if header_file is not None else None
    catalogue = catalogue_file[1] if catalogue_file is not None else None
    menu = menu_file[1] if menu_file is not None else None
    checker = RulesetChecker(catalogue, set(menu.interventions) if menu is not None else None, directory / "seeds",
                             errors, header.policy if header is not None else None,
                             goals_complete=len(goal_docs) == len(goal_files) and all(goal for _, goal in goals),
                             format=version, warnings=warnings)
    groupings_file = _optional_model_file(directory / "groupings.yaml", GroupingsFile, errors, version)
    groupings = dict(groupings_file[1].groupings) if groupings_file else {}
    checker.groupings = None if groupings_file is None and (directory / "groupings.yaml").is_file() else set(groupings)
    if groupings_file is not None:
        check_groupings(*groupings_file, checker)
    if catalogue_file is not None:
        checker.check_catalogue(catalogue_file[0], catalogue_file[1].estimate, groupings)
    if header_file is not None:
        for i, cap in enumerate(header_file[1].caps):
            checker.check_condition(header_file[0], ("caps", i, "when"), cap.when)
    if menu_file is not None and menu_file[0] is not None:
        for name, intervention in menu_file[1].interventions.items():
            checker.check_citations(menu_file[0], ("interventions", name), intervention.cites)
            checker.check_effects(menu_file[0], name, intervention)
    valid_goals = _checked_goals(goals, checker, errors)
    # a goal file that could not even be read has an id nobody knows: checking network.yaml's goal
    # references against the rest would report a second, spurious error
    network = _network_config(directory, goals if len(goal_docs) == len(goal_files) else None, checker, errors, version)
    strategy = _strategy(directory, valid_goals, checker, errors, version)
    parts = _Parts(dict(catalogue.facts) if catalogue is not None else None,
                   dict(menu.interventions) if menu is not None else None, network)
    if header is None or catalogue is None or menu is None:
        return None, parts
    return Ruleset(header, dict(catalogue.facts), dict(menu.interventions), valid_goals, directory, network,
                   strategy, catalogue.estimate, groupings, tuple(warnings)), parts


def _strategy(directory: Path, goals: tuple[Goal, ...], checker: RulesetChecker, errors: list[SourceError],
              version: int) -> StrategyFile | None:
    """``strategy.yaml``, when the rule set has one: the seed items it answers for."""
    loaded = _optional_model_file(directory / "strategy.yaml", StrategyFile, errors, version)
    if loaded is None:
        return None
    doc, strategy = loaded
    # a whole goal, a criterion or a rule may implement an item
    rules = {goal.id for goal in goals} | {path for goal in goals for path, _ in goal.group_paths(goal.id)}
    rules |= {path for goal in goals for path, _ in goal.rule_paths(goal.id)}
    for name, item in strategy.items.items():
        checker.check_item(doc, name, item, rules)
    return strategy


def _checked_goals(goals: list[tuple[Document, Goal | None]], checker: RulesetChecker,
                   errors: list[SourceError]) -> tuple[Goal, ...]:
    """The goals that validated, cross-checked; goal ids must be unique across files."""
    seen: dict[str, str] = {}
    for doc, goal in goals:
        if goal is None:
            continue
        if goal.id in seen:
            errors.append(doc.error(("id",), f"goal id '{goal.id}' is also used in {seen[goal.id]}"))
        seen.setdefault(goal.id, doc.file)
        checker.check_goal(doc, goal)
    return tuple(goal for _, goal in goals if goal is not None)


def _network_config(directory: Path, goals: list[tuple[Document, Goal | None]] | None, checker: RulesetChecker,
                    errors: list[SourceError], version: int) -> NetworkConfig | None:
    """``network.yaml``, when the rule set has one (prioritization needs it; scoring does not)."""
    loaded = _optional_model_file(directory / "network.yaml", NetworkConfig, errors, version)
    if loaded is None:
        return None
    doc, network = loaded
    # ids of goal files that failed validation count too, so one error does not cascade
    goal_ids = None if goals is None else {str(d.data.get("id")) for d, _ in goals if isinstance(d.data, dict)}
    check_network_config(doc, network, goal_ids, checker)
    return network


def _documents(paths: list[Path], errors: list[SourceError]) -> list[Document]:
    docs = []
    for path in paths:
        try:
            docs.append(read_yaml(path))
        except InputErrors as exc:
            errors.extend(exc.errors)
    return docs


def _model_file(path: Path, model: type[M], errors: list[SourceError], version: int | None = None,
                docs: list[Document] | None = None) -> tuple[Document, M] | None:
    """A file read (unless ``docs`` holds it read) and validated as one model, or None with its
    problems appended to ``errors``; a rule-set file of an older ``version`` gets one error per
    format change it trips on instead of the model's error per entry."""
    if not path.is_file():
        errors.append(SourceError(location_of(path), 1, 1, f"missing file: a rule set needs {path.name}"))
        return None
    docs = _documents([path], errors) if docs is None else docs
    if not docs:
        return None
    excused = tripped(docs[0], path.name, version, errors) if version is not None else frozenset()
    validated = validate_model(docs[0], model, errors, excused)
    return (docs[0], validated) if validated is not None else None


def _optional_model_file(path: Path, model: type[M], errors: list[SourceError],
                         version: int | None = None) -> tuple[Document, M] | None:
    """``_model_file`` for a file the rule set may leave out (None when it does)."""
    return _model_file(path, model, errors, version) if path.is_file() else None


def _load_network(profiles_dir: Path, config: NetworkConfig | None, declared: bool, profiled: set[str],
                  errors: list[SourceError]) -> tuple[Network | None, bool]:
    """The trafficking and partnership links, when the workspace has them and the rule set can read
    them; and whether the links are known (False when a file of them could not be read or checked)."""
    trafficking_path = profiles_dir / NETWORK_DIR / "trafficking.yaml"
    partnerships_path = profiles_dir / NETWORK_DIR / "partnerships.yaml"
    if not trafficking_path.is_file():
        return None, True
    if config is None:
        if not declared:
            errors.append(SourceError(location_of(trafficking_path), 1, 1,
                                      "the rule set has no network.yaml declaring commodities and modalities"))
        return None, False  # with a network.yaml that failed validation, its own errors say why
    trafficking_file = _model_file(trafficking_path, TraffickingFile, errors)
    if trafficking_file is not None:
        check_trafficking(*trafficking_file, config, profiled, errors)
    partnerships: tuple[Partnership, ...] = ()
    partnership_file = _model_file(partnerships_path, PartnershipFile, errors) if partnerships_path.is_file() else None
    if partnership_file is not None:
        check_partnerships(*partnership_file, config, errors)
        partnerships = tuple(partnership_file[1].partnerships)
    if trafficking_file is None:
        return None, False
    trafficking = trafficking_file[1]
    regions = {key: region.name for key, region in trafficking.regions.items()}
    return Network(regions, tuple(trafficking.links), partnerships), True


def _well_formed_part(doc: Document) -> Profile | None:
    """The profile without the entries that failed validation (their errors are already reported)."""
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("country"), str):
        return None
    facts = data.get("facts")
    kept: dict[str, list[FactEntry]] = {}
    for name, entries in (facts.items() if isinstance(facts, dict) else ()):
        for entry in entries if isinstance(entries, list) else ():
            try:
                kept.setdefault(str(name), []).append(FactEntry.model_validate(entry))
            except ValidationError:
                continue
    try:
        return Profile(country=data["country"], entity=data.get("entity"),
                       facts={name: entries for name, entries in kept.items() if entries})
    except ValidationError:
        return None


def reload_profiles(workspace: Workspace, codes: list[str]) -> Workspace:
    """The workspace with the profiles of ``codes`` read again from disk (another process may have
    changed them since it was loaded); raises InputErrors if one no longer loads."""
    errors: list[SourceError] = []
    paths = [workspace.profiles_dir / f"{code}.yaml" for code in sorted(set(codes))]
    fresh = settle(_load_profiles(workspace.profiles_dir, workspace.ruleset.facts, errors, paths=paths),
                   workspace.ruleset)
    if errors:
        raise InputErrors(errors)
    return dataclasses.replace(workspace, profiles=dict(sorted({**workspace.profiles, **fresh}.items())))


def _load_profiles(directory: Path, facts: Mapping[str, FactSpecBase] | None, errors: list[SourceError],
                   undeclared_ok: bool = False, paths: list[Path] | None = None) -> dict[str, CountryProfile]:
    """The profiles (all of the folder, or those of ``paths``), checked against the fact catalogue
    (only read, not checked, when the catalogue failed validation: its own errors come first).
    Each file is read on its own, so thousands are read over the machine's cores."""
    profiles: dict[str, CountryProfile] = {}
    for misnamed in sorted(directory.glob("*.yml")) if paths is None else []:  # would otherwise be ignored
        errors.append(SourceError(location_of(misnamed), 1, 1, f"profiles end in .yaml: rename it {misnamed.stem}.yaml"))
    files = sorted(directory.glob("*.yaml")) if paths is None else paths
    for profile, problems in mapped(partial(_read_profile, facts=facts, undeclared_ok=undeclared_ok), files):
        errors.extend(problems)
        if profile is not None:
            profiles[profile.country] = profile
    return dict(sorted(profiles.items()))


def _read_profile(path: Path, facts: Mapping[str, FactSpecBase] | None,
                  undeclared_ok: bool) -> tuple[CountryProfile | None, list[SourceError]]:
    """One profile file read and checked: the profile (None when it fails validation or the catalogue
    did) and its problems."""
    errors: list[SourceError] = []
    docs = _documents([path], errors)
    if not docs:
        return None, errors
    doc = docs[0]
    profile = validate_model(doc, Profile, errors)
    if profile is None and facts is not None:
        # the entries that are well formed still get every other check: one bad date must not
        # hide the undeclared fact or the misspelt level three lines further down
        well_formed = _well_formed_part(doc)
        if well_formed is not None:
            check_profile(doc, well_formed, facts, Path(doc.file).stem, errors, undeclared_ok)
    if profile is None or facts is None:
        return None, errors
    typed = check_profile(doc, profile, facts, Path(doc.file).stem, errors, undeclared_ok)
    history = {
        name: tuple(Reading(name, value, as_of, entry.source, entry.note) for as_of, value, entry in entries)
        for name, entries in sorted(typed.items())
    }
    return CountryProfile(profile.country, _name(profile), doc.file, digest(profile), history,
                          profile.entity.kind if profile.entity else "country",
                          profile.entity.parent if profile.entity else None), errors


def _name(profile: Profile) -> str:
    """A country's common name (pycountry), or the name an entity declares."""
    if profile.entity is not None:
        return profile.entity.name
    country = pycountry.countries.get(alpha_3=profile.country)
    return str(getattr(country, "common_name", None) or getattr(country, "name", profile.country))
