"""Stage 6, report: turn results into Views that any output format can render."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..analysis.check import CheckReport
from ..analysis.diff import Diff, Move, Scored
from ..engine.results import Assessment, CountryResult, Stamp
from ..engine.values import display
from .formats import View

if TYPE_CHECKING:  # importing these would pull networkx, NumPy and Hypothesis into every command
    from ..analysis.prioritize import Prioritization
    from ..analysis.properties import PropertyReport
    from ..analysis.sensitivity import Sensitivity


def stamp_note(stamp: Stamp) -> str:
    return (f"rule set {stamp.ruleset_id} {stamp.ruleset_version} ({stamp.ruleset_hash}), "
            f"as of {stamp.year}, engine {stamp.engine_version}")


def scores_view(assessment: Assessment) -> View:
    """One row per country: overall, tier, coverage and each goal."""
    goal_ids = [goal.id for goal in assessment.countries[0].goals] if assessment.countries else []
    columns = ["rank", "country", "name", "score", "tier", "coverage", *goal_ids]
    rows = []
    for rank, country in enumerate(assessment.ranked(), start=1):
        rows.append([rank if country.score is not None else None, country.country, country.name, country.score,
                     country.overall.tier, _percent(country.overall.coverage), *[g.score for g in country.goals]])
    data = {"stamp": assessment.stamp.to_json(), "countries": [c.to_json() for c in assessment.ranked()]}
    return View(columns, rows, data, title=f"Scores as of {assessment.stamp.year}",
                notes=[stamp_note(assessment.stamp)])


def explain_view(result: CountryResult) -> View:
    """Every rule for one country: facts read, points, why, and what to offer if it falls short."""
    columns = ["rule", "score", "weight", "contribution", "facts read", "why", "interventions"]
    rows = []
    for rule in result.rules():
        facts = "; ".join(
            f"{f.fact}={display(f.value)}" + (f" ({f.source}, {f.as_of})" if f.source else (f" ({f.as_of})" if f.as_of else ""))
            for f in rule.facts)
        rows.append([rule.id, rule.score, rule.effective_weight, rule.contribution, facts, rule.why,
                     "; ".join(item["id"] for item in rule.interventions)])
    summary = [f"{goal.id} {goal.title}: {score_text(goal.score)} ({goal.tier}, coverage {_percent(goal.coverage)})"
               + "".join(f"; cap {cap.id} at {cap.max_score:g}{'' if cap.binding else ' (not binding)'}: {cap.rationale}"
                         for cap in goal.caps_applied)
               for goal in result.goals]
    title = (f"{result.name} ({result.country}) as of {result.year}: {score_text(result.score)} "
             f"({result.overall.tier}, coverage {_percent(result.overall.coverage)})")
    return View(columns, rows, result.to_json(), title=title, notes=summary)


def score_text(score: float | None) -> str:
    """A score as people read it: one decimal, or 'insufficient data'."""
    return "insufficient data" if score is None else f"{score:.1f}"


def _percent(share: float) -> str:
    return f"{share * 100:.0f}%"


def priorities_view(result: Prioritization) -> View:
    """The ranked assistance list: numbers behind each rank, routes, gaps, interventions, runner-up."""
    columns = ["rank", "country", "priority", "leverage", "need", "feasibility", "flow after", "routes",
               "weakest criteria", "interventions", "beat"]
    rows = []
    for pick in result.picks:
        rows.append([pick.rank, pick.country, f"{pick.priority:.3f}", f"{pick.leverage:.4g} ({pick.leverage_share * 100:.0f}%)",
                     f"{pick.need:.2f}" + ("" if pick.capacity_known else "*"), f"{pick.feasibility:.2f}",
                     f"{pick.flow_after:.4g}", "; ".join(pick.routes) or "—",
                     "; ".join(f"{w['id']} {w['score']:.0f}" for w in pick.weakest) or "no scored gaps",
                     "; ".join(i["id"] for i in pick.interventions) or "—",
                     f"{pick.runner_up['country']} ({pick.runner_up['priority']:.3f})" if pick.runner_up else "—"])
    title = (f"Where assistance buys the most, toward {result.destination} as of {result.year} "
             f"({', '.join(result.commodities) or 'no routes'}): flow {result.baseline_flow:g}")
    notes = ["priority = leverage share x {leverage} + need x {need} + feasibility x {feasibility}; "
             "* capacity unknown, the declared default was assumed".format(**vars(result.weights))]
    if result.not_profiled:
        notes.append(f"on routes but without a profile (no scores): {', '.join(result.not_profiled)}")
    return View(columns, rows, result.to_json(), title=title, notes=notes)


def diff_view(result: Diff) -> View:
    """Headline first, a line per changed country, then each country's moves with their reasons."""
    moves = result.moves()
    added = sum(c.status == "added" for c in result.countries)
    removed = sum(c.status == "removed" for c in result.countries)
    if result.countries:
        headline = (f"{_count(len(result.countries), 'country', 'countries')} changed, {len(result.unchanged)} unchanged"
                    f" ({added} added, {removed} removed); "
                    f"{_count(len(result.rule_changes), 'rule-set part', 'rule-set parts')} changed")
        if moves:
            top = max(moves, key=lambda m: (m.size, m.country, m.node))
            change = _delta(top) if top.delta is not None else _score_pair(top)
            headline += f"; largest move: {top.country} {top.node} {change} ({top.cause})"
    else:
        headline = f"No score changed ({len(result.unchanged)} countries compared)"
    rows, sections = [], []
    for country in result.countries:
        overall = next((m for m in country.moves if m.kind == "overall"), None)
        causes = sorted({m.cause for m in country.moves})
        rows.append([country.country, country.name, country.status, _score_pair(overall), _delta(overall) if overall else "—",
                     f"{_or_dash(country.old_rank)} → {_or_dash(country.new_rank)}", ", ".join(causes) or "rank only"])
        sections.append((f"{country.country} {country.name}: {len(country.moves)} moves", _moves_view(country.moves)))
    notes = [f"old: {result.old.label} ({_side_text(result.old)}); new: {result.new.label} ({_side_text(result.new)})"]
    if result.rule_changes:
        notes.append("rule-set parts changed: " + ", ".join(result.rule_changes))
    columns = ["country", "name", "status", "overall", "change", "rank", "cause"]
    return View(columns, rows, result.to_json(), title=headline, notes=notes, sections=sections)


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _moves_view(moves: list[Move]) -> View:
    rows = [[m.node, _score_pair(m), _delta(m), f"{_or_dash(m.old_tier)} → {_or_dash(m.new_tier)}",
             f"{_percent_or_dash(m.old_coverage)} → {_percent_or_dash(m.new_coverage)}", m.cause,
             "; ".join(f.describe() for f in m.facts) or "—", ", ".join(m.rules) or "—"] for m in moves]
    return View(["level", "score", "change", "tier", "coverage", "cause", "facts changed", "rules changed"], rows)


def _side_text(scored: Scored) -> str:
    stamp = scored.stamp
    return f"{stamp.get('ruleset_id')} {stamp.get('ruleset_version')} {stamp.get('ruleset_hash')}, {stamp.get('year')}"


def _score_pair(move: Move | None) -> str:
    if move is None:
        return "—"
    return f"{score_text(move.old_score)} → {score_text(move.new_score)}"


def _delta(move: Move) -> str:
    return "—" if move.delta is None else f"{move.delta:+.1f}"


def _or_dash(value: object) -> str:
    return "—" if value is None else str(value)


def _percent_or_dash(share: float | None) -> str:
    return "—" if share is None else _percent(share)


def check_view(report: CheckReport) -> View:
    """Findings first; coverage per country and the data gaps as notes."""
    rows = [[f.kind, f.where, f.message] for f in report.findings]
    shares = ", ".join(f"{code} {share * 100:.0f}%" for code, share in report.coverage.items())
    notes = [f"coverage as of {report.year}: {shares}"]
    if report.data_gaps:
        notes.append(f"rules no profile has facts for as of {report.year} (data gaps): " + ", ".join(report.data_gaps))
    status = f"{len(report.findings)} finding(s)" if report.findings else "ok: rules and profiles are valid; no findings"
    return View(["finding", "where", "message"], rows, report.to_json(), title=status, notes=notes)


def properties_view(report: PropertyReport) -> View:
    """Each property, held or failed, with the shrunk counter-example to save and load."""
    failed = {failure.property for failure in report.failures}
    rows = [[name, "fails" if name in failed else "holds"] for name in report.checked]
    title = (f"properties: {len(report.checked) - len(failed)} of {len(report.checked)} hold "
             f"({report.examples} examples each)")
    notes = [f"exempt from monotonicity: {line}" for line in report.exempt]
    sections = [(f"{failure.property}: {failure.message}", View([], [], preformatted=failure.example))
                for failure in report.failures]
    data = {"examples": report.examples, "checked": report.checked, "exempt": report.exempt,
            "failures": [vars(failure) for failure in report.failures]}
    return View(["property", "result"], rows, data, title=title, notes=notes, sections=sections)


def sensitivity_view(result: Sensitivity) -> View:
    """Rank stability per country under perturbed weights (and declared alternative methods)."""
    rows = []
    for c in result.countries:
        interval = "—" if c.low_rank is None else f"{c.low_rank:.0f}–{c.high_rank:.0f}"
        drivers = "; ".join(f"{name} ({value:+.2f})" for name, value in c.drivers) or "—"
        rows.append([_or_dash(c.nominal_rank), c.country, "—" if c.median_rank is None else f"{c.median_rank:g}",
                     interval, f"{c.scored_share * 100:.0f}%", drivers])
    title = (f"Rank stability over {result.samples} samples (weights ±{result.spread * 100:.0f}%, seed {result.seed})")
    notes = ["drivers: correlation of a criterion's weight with the rank (negative: more weight, better rank)"]
    return View(["nominal", "country", "median", "5–95%", "scored", "drivers"], rows, result.to_json(), title=title,
                notes=notes)


# Keyed by class name rather than class, so that building a view never imports networkx or NumPy
# for results that do not need them (the analyses that do are imported only when run).
_VIEWS: dict[str, Callable[[Any], View]] = {
    "Assessment": scores_view, "CountryResult": explain_view, "Prioritization": priorities_view,
    "Diff": diff_view, "CheckReport": check_view, "PropertyReport": properties_view, "Sensitivity": sensitivity_view,
}


def view_of(result: Any) -> View:
    """The view of any result the API returns."""
    return _VIEWS[type(result).__name__](result)
