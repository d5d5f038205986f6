"""``assess diff``: what moved between two scored outputs, and why.

Both sides are read into one shape (the stamp and each country's trace, exactly as written to
``outputs/``), whether they come from disk, from two years of one workspace, or from two rule
sets on the same profiles. Every move of an overall, goal or criterion score (or of its expected
score under the priors) is attributed to the facts its rules read that changed (evidence: old and
new value, source, date), to the rule-set parts whose content hash changed (rules, weights, fact
definitions, tiers, estimate declarations), to the priors of its unknown facts that changed (the
cohort learnt something about other countries), to the cohort a rule is set against or an unknown
is imputed from where the country's own facts read the same ("cohort changed"), to several, or to
none ("unexplained", e.g. a new engine version). Scores are compared at full precision with a
1e-9 tolerance, so rounding alone never shows as a change.

Moves read as the rule set publishes: where it declares a ``scale`` or a ``higher: worse`` goal,
a move is the change of the published score (criminality 7.68 -> 7.20 is -0.48, though the
capacity inside rose), and the capacity scores stay beside it in the data.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from ..engine.aggregate import EPSILON
from ..engine.results import Assessment, JSONObject, Publication
from ..engine.values import display

AGGREGATES = ("overall", "goal", "criterion")


@dataclass
class Scored:
    """One scored output: its stamp and each country's trace."""

    label: str
    stamp: JSONObject
    countries: Mapping[str, JSONObject]
    scores: dict[str, float | None]  # each country's overall estimate, what the ranks are read from
    publication: Publication = field(default_factory=Publication)  # the decimals it is shown with


class _Traces(Mapping[str, JSONObject]):
    """Each country's trace as written to ``outputs/``, made when asked: a diff reads each once, so
    two years of thousands of countries are never held as JSON at once."""

    def __init__(self, assessment: Assessment) -> None:
        self.results = {c.country: c for c in assessment.countries}

    def __getitem__(self, code: str) -> JSONObject:
        # a trace's JSON is plain JSON data (dicts, lists, str, int, float, bool, None: a test holds it
        # for every shipped trace), so an in-memory run compares exactly like the same run read from
        # outputs/ without a round trip through text (1.5-3.5 s at 5,000 entities)
        return self.results[code].to_json()

    def __iter__(self) -> Iterator[str]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)


def from_assessment(assessment: Assessment, label: str) -> Scored:
    return Scored(label, orjson.loads(orjson.dumps(assessment.stamp.to_json())), _Traces(assessment),
                  {c.country: assessment.ranking_node(c).published_estimate for c in assessment.countries},
                  assessment.publication)


def from_traces(label: str, stamp: JSONObject, countries: dict[str, JSONObject]) -> Scored:
    """Scored outputs read back from files."""
    return Scored(label, stamp, countries, {code: _estimate(c["result"]) for code, c in countries.items()})


def _estimate(node: JSONObject) -> float | None:
    """What a country is ranked on, as ``run`` ranks it: its published estimate (rounded where the rule
    set declares a precision, in the level's own direction), else its expected score, else its score."""
    for key in ("published_expected_rounded", "published_rounded", "published_expected", "published", "expected"):
        if isinstance(node.get(key), float | int):
            return float(node[key])
    return node.get("score")


@dataclass
class FactChange:
    fact: str
    old: JSONObject | None  # value, as_of, source
    new: JSONObject | None

    def describe(self) -> str:
        def side(reading: JSONObject | None) -> str:
            if reading is None:
                return "not read"
            return display(reading["value"]) + (f" ({reading['as_of']})" if reading.get("as_of") else "")
        return f"{self.fact}: {side(self.old)} → {side(self.new)}"


@dataclass
class Move:
    country: str
    node: str
    kind: str
    title: str
    old_score: float | None
    new_score: float | None
    old_tier: str | None
    new_tier: str | None
    old_coverage: float | None
    new_coverage: float | None
    facts: list[FactChange] = field(default_factory=list)  # facts whose value changed: real causes
    rules: list[str] = field(default_factory=list)
    applicability: list[str] = field(default_factory=list)  # "G5.x.y became applicable", "... no longer applicable"
    evidence: list[FactChange] = field(default_factory=list)  # same value, re-dated or re-sourced: not a cause
    years_differ: bool = False
    old_expected: float | None = None  # the estimate under the priors (None: not estimated)
    new_expected: float | None = None
    priors: list[str] = field(default_factory=list)  # unknown facts under the node whose prior changed (the cohort)
    # rules under the node whose own facts read the same but whose cohort statistics or imputed values changed
    cohort: list[str] = field(default_factory=list)
    # in the rule set's declared units and direction (None: it publishes the 0-100 capacity score itself)
    old_published: float | None = None
    new_published: float | None = None
    old_published_expected: float | None = None
    new_published_expected: float | None = None

    @property
    def old_shown(self) -> float | None:
        """The old score as the rule set publishes it."""
        return self.old_score if self.old_published is None else self.old_published

    @property
    def new_shown(self) -> float | None:
        return self.new_score if self.new_published is None else self.new_published

    @property
    def old_expected_shown(self) -> float | None:
        return self.old_expected if self.old_published_expected is None else self.old_published_expected

    @property
    def new_expected_shown(self) -> float | None:
        return self.new_expected if self.new_published_expected is None else self.new_published_expected

    @property
    def delta(self) -> float | None:
        """The move as published: in the declared units, positive where the published score rose."""
        if self.old_shown is None or self.new_shown is None:
            return None
        return self.new_shown - self.old_shown

    @property
    def size(self) -> float:
        """How far it moved, as published; a score appearing or disappearing counts as 100."""
        return abs(self.delta) if self.delta is not None else (0.0 if self.old_score == self.new_score else 100.0)

    @property
    def causes(self) -> list[str]:
        causes = [name for name, found in (("facts", self.facts), ("rules", self.rules), ("priors", self.priors),
                                           ("cohort changed", self.cohort)) if found]
        causes += sorted({change.split(" ", 1)[1] for change in self.applicability})
        if causes:
            return causes
        # rules that read dates relative to the as-of year (within_years) move with time alone
        return ["as-of year" if self.years_differ else "unexplained"]

    @property
    def cause(self) -> str:
        return " and ".join(self.causes)

    def to_json(self) -> JSONObject:
        published = ("old_published", "new_published", "old_published_expected", "new_published_expected")
        # the published scores only where the rule set declares units or a direction of its own
        left_out = ("facts", "evidence", "years_differ", *(published if self.old_published is None and
                                                          self.new_published is None else ()),
                    *(() if self.cohort else ("cohort",)))  # only rule sets with cohort methods have the key
        data = {key: value for key, value in vars(self).items() if key not in left_out}
        data.update(delta=self.delta, cause=self.cause, facts=[vars(f) for f in self.facts],
                    evidence=[vars(f) for f in self.evidence])
        return data


@dataclass
class CountryDiff:
    country: str
    name: str
    status: str  # changed | added | removed
    old_rank: int | None
    new_rank: int | None
    moves: list[Move]

    def to_json(self) -> JSONObject:
        return {"country": self.country, "name": self.name, "status": self.status, "old_rank": self.old_rank,
                "new_rank": self.new_rank, "moves": [m.to_json() for m in self.moves]}


@dataclass
class Diff:
    old: Scored
    new: Scored
    countries: list[CountryDiff]
    unchanged: list[str]
    rule_changes: list[str]

    def moves(self, only_unexplained: bool = False) -> list[Move]:
        """Every move; with only_unexplained, those no fact change explains."""
        return [m for c in self.countries for m in c.moves if not (only_unexplained and m.facts)]

    def to_json(self) -> JSONObject:
        return {"old": _side(self.old), "new": _side(self.new), "rule_changes": self.rule_changes,
                "countries": [c.to_json() for c in self.countries], "unchanged": self.unchanged}


def _side(scored: Scored) -> JSONObject:
    keys = ("ruleset_id", "ruleset_version", "ruleset_hash", "year", "engine_version")
    return {"label": scored.label, **{key: scored.stamp.get(key) for key in keys}}


def diff(old: Scored, new: Scored) -> Diff:
    changed_parts = _changed_components(old.stamp.get("component_hashes", {}), new.stamp.get("component_hashes", {}))
    old_ranks, new_ranks = _ranks(old), _ranks(new)
    countries, unchanged = [], []
    for code in sorted(set(old.countries) | set(new.countries)):
        before, after = old.countries.get(code), new.countries.get(code)
        status = "added" if before is None else "removed" if after is None else "changed"
        moves = _moves(code, before, after, changed_parts, old.stamp.get("year") != new.stamp.get("year"))
        if status == "changed" and not moves and old_ranks.get(code) == new_ranks.get(code):
            unchanged.append(code)
            continue
        name = after["name"] if after is not None else before["name"] if before is not None else code
        countries.append(CountryDiff(code, name, status, old_ranks.get(code), new_ranks.get(code), moves))
    return Diff(old, new, countries, unchanged, sorted(changed_parts))


def _changed_components(old: dict[str, str], new: dict[str, str]) -> set[str]:
    return {key for key in set(old) | set(new) if old.get(key) != new.get(key)}


def _ranks(scored: Scored) -> dict[str, int]:
    """Places as ``run`` gives them: the highest published estimate first, in the level's direction,
    equal published values sharing a place."""
    return scored.publication.ranks({code: score for code, score in scored.scores.items() if score is not None})


def _nodes(country: JSONObject | None) -> dict[str, JSONObject]:
    """Every node of a country's trace by id, the overall node as 'overall'."""
    if country is None:
        return {}
    found, stack = {}, [country["result"]]
    while stack:
        node = stack.pop()
        found["overall" if node["kind"] == "overall" else node["id"]] = node
        stack.extend(node.get("goals", []) + node.get("criteria", []) + node.get("rules", []))
    return found


def _moves(code: str, before: JSONObject | None, after: JSONObject | None, changed_parts: set[str],
           years_differ: bool) -> list[Move]:
    old_nodes, new_nodes = _nodes(before), _nodes(after)
    scopes = _scopes(set(old_nodes) | set(new_nodes))
    old_rules, new_rules = _rules_under(old_nodes, scopes), _rules_under(new_nodes, scopes)
    outside = {nid for nodes in (old_nodes, new_nodes) for nid, node in nodes.items()
               if node.get("status") == "not_applicable"}
    flips = _window_flips(old_nodes, new_nodes)
    moves = []
    for node_id in sorted(scopes, key=_hierarchy_order):
        old, new = old_nodes.get(node_id), new_nodes.get(node_id)
        either = new if new is not None else old_nodes[node_id]
        if either["kind"] not in AGGREGATES or not _moved(old, new):
            continue
        move = Move(code, node_id, either["kind"], either["title"], *_pair(old, new, "score"), *_pair(old, new, "tier"),
                    *_pair(old, new, "coverage"))
        move.old_expected, move.new_expected = _pair(old, new, "expected")
        move.old_published, move.new_published = _pair(old, new, "published")
        move.old_published_expected, move.new_published_expected = _pair(old, new, "published_expected")
        scope, rules = scopes[node_id], (old_rules.get(node_id, []), new_rules.get(node_id, []))
        read = {fact["fact"] for side in rules for _, rule in side for fact in rule["facts"]}
        move.facts, move.evidence = _fact_changes(rules, outside)
        move.priors = _prior_changes(read, before, after)
        move.cohort = _cohort_changes(rules[0], new_nodes)
        move.applicability = _applicability_changes(scope, flips)
        move.rules = _rule_changes(scope, read, changed_parts)
        move.years_differ = years_differ
        moves.append(move)
    return moves


def _hierarchy_order(node_id: str) -> tuple[bool, int, str]:
    return (node_id != "overall", node_id.count("."), node_id)


def _pair(old: JSONObject | None, new: JSONObject | None, key: str) -> tuple[Any, Any]:
    return (old or {}).get(key), (new or {}).get(key)


def _moved(old: JSONObject | None, new: JSONObject | None) -> bool:
    if old is None or new is None:
        return True
    if (old["score"] is None) != (new["score"] is None) or old.get("tier") != new.get("tier") \
            or old.get("status") != new.get("status"):
        return True
    if old["score"] is not None and abs(old["score"] - new["score"]) > EPSILON:
        return True
    if (old.get("expected") is None) != (new.get("expected") is None) or (
            old.get("expected") is not None and abs(old["expected"] - new["expected"]) > EPSILON):
        return True
    return bool(abs(old["coverage"] - new["coverage"]) > EPSILON)


def _scopes(ids: set[str]) -> dict[str, frozenset[str]]:
    """Each node's id with its descendants' (the overall's: every node): what a move of the node is
    read from, found once per country rather than by testing every pair of nodes."""
    within: dict[str, set[str]] = {node_id: set() for node_id in ids}
    for node_id in ids:
        for level in _levels_over(node_id, ids):
            within[level].add(node_id)
    return {node_id: frozenset(members) for node_id, members in within.items()}


def _levels_over(node_id: str, ids: Collection[str]) -> list[str]:
    """The node and the levels above it among ``ids``, the overall first: the scopes it lies in."""
    levels = ["overall"] if node_id != "overall" and "overall" in ids else []
    parts = node_id.split(".")
    for end in range(1, len(parts) + 1):
        level = ".".join(parts[:end])
        if level in ids:
            levels.append(level)
    return levels


Rules = list[tuple[str, JSONObject]]  # rule nodes (id, node) of one side, in that side's order


def _rules_under(nodes: dict[str, JSONObject], scopes: dict[str, frozenset[str]]) -> dict[str, Rules]:
    """Each node's rules within its scope, in the side's order, found in one pass over the side
    (rather than each moved level testing every node of the country again)."""
    under: dict[str, Rules] = {}
    for nid, node in nodes.items():
        if node["kind"] == "rule":
            for level in _levels_over(nid, scopes):
                under.setdefault(level, []).append((nid, node))
    return under


def _fact_changes(rules: tuple[Rules, Rules], outside: set[str]) -> tuple[list[FactChange], list[FactChange]]:
    """Facts read by the node's rules (old side's, new side's) whose value changed (causes), and those
    whose value stayed the same but whose date or source changed (evidence updated, never a cause). A
    rule ``outside`` its window on either side moved because of that (see ``_applicability_changes``),
    not its facts."""
    def readings(side: Rules) -> dict[str, JSONObject]:
        return {read["fact"]: read for nid, node in side if nid not in outside for read in node["facts"]}

    old, new = readings(rules[0]), readings(rules[1])
    changed = [FactChange(fact, old.get(fact), new.get(fact)) for fact in sorted(set(old) | set(new))
               if old.get(fact) != new.get(fact)]
    causes = [change for change in changed if (change.old or {}).get("value") != (change.new or {}).get("value")
              or change.old is None or change.new is None]
    return causes, [change for change in changed if change not in causes]


def _prior_changes(read: set[str], before: JSONObject | None, after: JSONObject | None) -> list[str]:
    """Facts unknown on both sides, among those ``read`` under the node, whose prior changed (its
    cohort, group or declaration): what moves an estimate when no evidence about the country did."""
    def priors(country: JSONObject | None) -> dict[str, JSONObject]:
        return {prior["fact"]: prior for prior in ((country or {}).get("estimate") or {}).get("priors", [])}

    old, new = priors(before), priors(after)
    return [f"{fact}: {old[fact]['origin']} → {new[fact]['origin']}" for fact in sorted(read & set(old) & set(new))
            if (old[fact]["distribution"], old[fact]["origin"]) != (new[fact]["distribution"], new[fact]["origin"])]


def _cohort_changes(old_rules: Rules, new_nodes: JSONObject) -> list[str]:
    """Rules under the node whose own facts read the same values on both sides but whose cohort
    statistics, or an unknown's imputed value (a cohort's mean), changed: the cohort moved them."""
    changes = []
    for nid, old in sorted(old_rules, key=lambda pair: pair[0]):
        new = new_nodes.get(nid)
        if new is None or [f["value"] for f in old["facts"]] != [f["value"] for f in new["facts"]]:
            continue
        if _without_year(old.get("cohort")) != _without_year(new.get("cohort")):
            changes.append(f"{nid}: {_cohort_text(old.get('cohort'))} → {_cohort_text(new.get('cohort'))}")
        for before, after in zip(old["facts"], new["facts"], strict=True):
            if before.get("imputed") != after.get("imputed"):
                changes.append(f"{nid}: {before['fact']} {_imputed_text(before)} → {_imputed_text(after)}")
    return changes


def _without_year(cohort: JSONObject | None) -> JSONObject | None:
    return None if cohort is None else {key: value for key, value in cohort.items() if key != "year"}


def _cohort_text(cohort: JSONObject | None) -> str:
    if cohort is None:
        return "no cohort"
    if "reason" in cohort:
        return str(cohort["reason"])
    return f"{cohort['name']}, {cohort['size']} known, min {cohort['min']:g}, max {cohort['max']:g}, mean {cohort['mean']:g}"


def _imputed_text(read: JSONObject) -> str:
    imputed = read.get("imputed")
    return "not imputed" if imputed is None else f"imputed {imputed['value']:g} ({imputed['origin']})"


def _window_flips(old_nodes: JSONObject, new_nodes: JSONObject) -> dict[str, str]:
    """The country's rules and levels that came into (or went out of) their declared window, by id in
    order, each only where nothing below it flipped too (a level that only followed its rules is not
    listed again)."""
    flipped = {}
    for nid in sorted(set(old_nodes) & set(new_nodes)):
        was = old_nodes[nid].get("status") == "not_applicable"
        now = new_nodes[nid].get("status") == "not_applicable"
        if was != now and nid != "overall":
            flipped[nid] = "rule became applicable" if was else "rule no longer applicable"
    return {nid: text for nid, text in flipped.items() if not any(other.startswith(nid + ".") for other in flipped)}


def _applicability_changes(scope: frozenset[str], flips: dict[str, str]) -> list[str]:
    """The window flips under the node (its scope holds every descendant, so the deepest flips of the
    country within it are the deepest within it)."""
    return [f"{nid} {text}" for nid, text in flips.items() if nid in scope]


def _rule_changes(scope: frozenset[str], read: set[str], changed: set[str]) -> list[str]:
    """Changed rule-set parts that bear on the node: itself and its descendants (their weights,
    methods, caps and scoring), the definitions of the facts they ``read``, and the header (tiers,
    coverage minimum, overall method)."""
    bearing = {nid for nid in scope if nid != "overall"}
    bearing |= {f"fact:{fact}" for fact in read} | {"ruleset"}
    return sorted(part for part in changed if part in bearing)
