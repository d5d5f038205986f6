"""Stage 6, report: turn results into Views that any output format can render."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..analysis.catalogue import FactList
from ..analysis.check import CheckReport
from ..analysis.diff import Diff, FactChange, Move, Scored
from ..engine.results import Adjustment, Assessment, CountryResult, FactRead, JSONObject, NodeResult, Publication, Stamp
from ..engine.values import display, shares_apart
from .formats import Remark, View

if TYPE_CHECKING:  # importing these would pull networkx, NumPy and Hypothesis into every command
    from ..analysis.coverage import StrategyCoverage
    from ..analysis.importing import ImportPlan
    from ..analysis.pinned import PinnedReport
    from ..analysis.portfolio import FundedPick, Portfolio
    from ..analysis.prioritize import Prioritization
    from ..analysis.properties import PropertyReport
    from ..analysis.scenario import Projection
    from ..analysis.sensitivity import Sensitivity


PLAIN = Publication()  # one decimal: for rule sets that declare no publication rounding


def stamp_note(stamp: Stamp) -> str:
    return (f"rule set {stamp.ruleset_id} {stamp.ruleset_version} ({stamp.ruleset_hash}), "
            f"as of {stamp.year}, engine {stamp.engine_version}")


def scores_view(assessment: Assessment) -> View:
    """One row per country, ranked by its estimate: the expected score with its credible interval,
    the score on known facts with its bounds, the tier (earned by the low bound) with the most
    likely one, coverage (low confidence below the rule set's minimum) and each goal's estimate,
    in the rule set's published units and rounding. Well-covered countries are listed first."""
    level_ids = [level.id for level in assessment.countries[0].published_levels] if assessment.countries else []
    # a rule set that declares no tiers (a published index of scores) gets no tier column
    tiered = any(assessment.ranking_node(country).tier is not None for country in assessment.countries)
    columns = ["rank", "country", "name", "estimate (90%)", "score [bounds]", *(["tier"] * tiered), "coverage", *level_ids]
    ranks = assessment.rank_intervals()
    publication = assessment.publication
    ranked = assessment.ranked()
    position = assessment.ranks()
    listed = sorted(ranked, key=lambda c: not _well_covered(assessment.ranking_node(c)))  # stable: in rank order
    tiers = list(dict.fromkeys(tier for country in ranked
                               for tier in (assessment.ranking_node(country).tier_probabilities or {})))
    rows, records = [], []
    for country in listed:
        rank, ranked_on, best_worst = position.get(country.country), assessment.ranking_node(country), ranks.get(country.country)
        rows.append([rank_text(rank, best_worst), country.country, country.name, estimate_text(ranked_on, publication),
                     interval_text(ranked_on, publication), *([tier_text(ranked_on)] * tiered), coverage_text(ranked_on),
                     *[estimate_text(level, publication, interval=False) for level in country.published_levels]])
        records.append(_score_record(country, ranked_on, rank, best_worst, tiers))
    def data() -> JSONObject:
        return {"stamp": assessment.stamp.to_json(), "countries": [c.to_json() for c in assessment.ranked()]}

    nodes = [assessment.ranking_node(c) for c in assessment.countries]
    on_priors = sum(node.rests_on_priors for node in nodes)
    notes: list[str] = [
        Remark(stamp_note(assessment.stamp)),
        Remark("estimate (a–b): the expected score under the priors of the unknown facts, with its 90% credible "
               "interval (ranks use it); score [low–high]: on the known facts only, and what it would be if every "
               "unknown fact took its worst and its best value; tiers are earned by the low bound, with the most "
               "likely tier beside it; rank a–b: the 90% interval of the rank over the joint draws"),
        Remark(f"{on_priors} of {len(nodes)} estimates rest mostly on priors (under half of the weight known); "
               "well-covered countries are listed first, low-confidence ones (coverage below the rule set's minimum) "
               "after them"),
        *(Remark(note) for note in estimate_notes(assessment))]
    ranked_by = f", ranked by {assessment.rank_by}" if assessment.rank_by else ""
    return View(columns, rows, data, title=f"Scores as of {assessment.stamp.year}{ranked_by}", notes=notes,
                records=records, keys=2)


def _well_covered(node: NodeResult) -> bool:
    return node.status != "insufficient_data"


def _score_record(country: CountryResult, ranked_on: NodeResult, rank: int | None, best_worst: tuple[int, int] | None,
                  tiers: list[str]) -> JSONObject:
    """A country's scores at full precision, and beside them, where the rule set declares a precision,
    each published level as published (``_published_rounded``)."""
    levels = country.published_levels
    record = {"rank": rank,
              "rank_best": best_worst[0] if best_worst else None, "rank_worst": best_worst[1] if best_worst else None,
              "country": country.country, "name": country.name, "expected": ranked_on.expected,
              "credible_low": ranked_on.credible[0] if ranked_on.credible else None,
              "credible_high": ranked_on.credible[1] if ranked_on.credible else None,
              "score": ranked_on.score, "low": ranked_on.low, "high": ranked_on.high, "tier": ranked_on.tier,
              "coverage": ranked_on.coverage, "confidence": "low" if not _well_covered(ranked_on) else "adequate",
              **{f"p_{tier}": (ranked_on.tier_probabilities or {}).get(tier) for tier in tiers},
              **{f"{g.id}{suffix}": value for g in levels
                 for suffix, value in (("", g.score), ("_low", g.low), ("_high", g.high), ("_expected", g.expected))}}
    record.update({f"{node.id}_published{suffix}": value for node in [country.overall, *levels]
                   if node.published_low is not None
                   for suffix, value in (("", node.published), ("_low", node.published_low),
                                         ("_high", node.published_high), ("_expected", node.published_expected))})
    publication = country.publication
    if publication.precision is not None:
        record.update({f"{node.id}_published_rounded{suffix}": publication.number(value)
                       for node in [country.overall, *levels] if node.applicable
                       for suffix, value in (("", node.published_score), ("_expected", node.published_estimate))})
    return record


def estimate_notes(assessment: Assessment) -> list[str]:
    """How the estimates were made: draws, seed, independence; the treatments no estimate uses."""
    first = next((c for c in assessment.countries if c.estimate is not None), None)
    if first is None or first.estimate is None:
        return ["no estimates: unknown facts drop out of the scores (0 draws)"]
    unestimated = sorted({prior.fact for c in assessment.countries for prior in c.priors if not prior.estimated})
    notes = [f"estimates: {first.estimate['draws']} joint draws from seed {first.estimate['seed']}; "
             f"{first.estimate['independence']}"]
    if unestimated:
        notes.append("not estimated (declared 'none': the rules reading them drop out of every estimate): "
                     + ", ".join(unestimated))
    return notes


def estimate_text(node: NodeResult, publication: Publication = PLAIN, interval: bool = True) -> str:
    """``64.2 (55.0–73.1)``: the expected score and its 90% credible interval, in published units;
    the point score where the node is not estimated."""
    if not node.applicable:
        return "n/a"
    if node.credible is None or node.expected is None:
        return score_text(node.published_score, publication)
    expected, (low, high) = ((node.published_expected, node.published_credible) if node.published_credible is not None
                             and node.published_expected is not None else (node.expected, node.credible))
    text = publication.text(expected)
    if not interval or publication.text(low) == publication.text(high):
        return text
    return f"{text} ({publication.text(low)}–{publication.text(high)})"


def tier_text(node: NodeResult) -> str:
    """``developing; 57% established``: the tier earned by the low bound, and the most likely tier
    under the priors where it is another."""
    earned = node.tier or "—"
    if not node.tier_probabilities:
        return earned
    likely, p = max(node.tier_probabilities.items(), key=lambda item: (item[1], item[0]))
    return earned if likely == earned else f"{earned}; {p:.0%} {likely}"


def coverage_text(node: NodeResult) -> str:
    return _percent(node.coverage) + ("" if _well_covered(node) else " (low confidence)")


def provenance(read: FactRead) -> str:
    """`` (source, date; settled by European Union law (grouping eu))``: where a value read comes from
    (the date alone for an unknown with no source; nothing for a fact never recorded)."""
    shown = ", ".join(part for part in (read.source, read.as_of) if part)
    shown += f"; settled by {read.settled_by}" if read.settled_by else ""
    return f" ({shown})" if shown else ""


def explain_view(result: CountryResult) -> View:
    """Every rule for one country, goal by goal: score with its bounds, its weight in the overall
    score, the points it adds, why, the facts read (value, source, date) and what it recommends;
    what moved a level off its rules' roll-up (caps, bounds), so that the points add up to the
    score; then the recommendations by kind and the unknown facts that would settle the rest."""
    sections = []
    records = []
    publication = result.publication
    shown = functools.partial(_points_text, publication=publication)
    overall = result.overall.applicable
    for goal in result.goals:
        rows = []
        # with no overall published, weights and points are read within the goal
        share_of = 1.0 if overall else goal.share or 1.0
        points = functools.partial(_points_in, publication, result.overall if overall else goal)
        for rule in (node for node in goal.walk() if node.kind == "rule"):
            facts = "; ".join(f"{f.derivation or f'{f.fact}={f.value_text()}'}{provenance(f)}" for f in rule.facts)
            rows.append([rule.id.removeprefix(f"{goal.id}."), interval_text(rule, publication),
                         estimate_text(rule, publication), _percent(rule.share / share_of, decimals=1),
                         shown(points(rule, rule.contribution)), rule.why or "—", facts,
                         "; ".join(f"{item['id']} ({item.get('kind', '?')})" for item in rule.interventions) or "—"])
            records.append({"goal": goal.id, "rule": rule.id, "status": rule.status, "score": rule.score,
                            "low": rule.low, "high": rule.high, "expected": rule.expected,
                            "credible_low": rule.credible[0] if rule.credible else None,
                            "credible_high": rule.credible[1] if rule.credible else None,
                            "weight_share": rule.share / share_of,
                            "points": points(rule, rule.contribution), "why": rule.why, "facts": facts,
                            "interventions": ";".join(str(item["id"]) for item in rule.interventions)})
        for level, adjustment in _adjustments(goal):
            label = f"{level.id.removeprefix(f'{goal.id}.')} ({adjustment.reason})"
            rows.append([label, "—", "—", "—", shown(points(None, adjustment.contribution), signed=True), adjustment.text,
                         "—", "—"])
            records.append({"goal": goal.id, "rule": f"{level.id} ({adjustment.reason})", "status": adjustment.reason,
                            "score": None, "low": None, "high": None, "expected": None, "credible_low": None,
                            "credible_high": None, "weight_share": None, "points": points(None, adjustment.contribution),
                            "why": adjustment.text, "facts": "", "interventions": ""})
        adds = (f"; adds {shown(published_points(publication, False, goal.contribution, goal.effective_weight))} "
                "points" if overall and goal.contribution is not None else "")
        heading = (f"{goal.id} {goal.title}: {interval_text(goal, publication)} ({goal.tier or '—'}, coverage "
                   f"{coverage_text(goal)}); expected {estimate_text(goal, publication)}{adds}"
                   + "".join(f"; cap {cap.id} at {cap.max_score:g}{'' if cap.binding else ' (not binding)'}: "
                             f"{cap.rationale}" for cap in goal.caps_applied))
        sections.append((heading, View(["rule", "score", "estimate", "weight", "points", "why", "facts read",
                                        "recommends"], rows)))
    scored = (f"{interval_text(result.overall, publication)} ({result.overall.tier or '—'}, coverage "
              f"{coverage_text(result.overall)}); expected {estimate_text(result.overall, publication)}" if overall else
              "no overall score (the rule set publishes its goals only)")
    title = f"{result.name} ({result.country}) as of {result.year}: {scored}"
    scope = "overall score" if overall else "goal's score"
    notes = [Remark(f"weight: the rule's share of the {scope} if every fact were known; points: what it adds to the "
                    f"{scope} now ({units_text(publication)}); the points and the adjustments listed add up to the score "
                    f"({_method_note(result)}); estimate: the expected score under the priors of the unknown facts, "
                    "with its 90% credible interval"),
             *[f"overall ({adjustment.reason}): {adjustment.text}: "
               f"{shown(published_points(publication, False, adjustment.contribution, 0.0), signed=True)} "
               "points" for adjustment in result.overall.adjustments if overall],
             *tier_notes(result), *recommendations_text(result), *gaps_text(result), *priors_text(result)]
    return View([], [], result.to_json, title=title, notes=notes, sections=sections, records=records)


def _adjustments(goal: NodeResult) -> list[tuple[NodeResult, Adjustment]]:
    """What moved the goal or a group within it off its children's roll-up, in hierarchy order."""
    return [(level, adjustment) for level in goal.walk() for adjustment in level.adjustments]


def _points_in(publication: Publication, scope: NodeResult, node: NodeResult | None,
               contribution: float | None) -> float | None:
    """What the node (None: an adjustment) adds to the scope's score, in its published units."""
    weight = 0.0 if node is None or node.score is None else node.effective_weight / (scope.effective_weight or 1.0)
    return published_points(publication, scope.id in publication.mirrored, contribution, weight)


def published_points(publication: Publication, worse: bool, points: float | None, weight: float) -> float | None:
    """Points of a 0-100 score in the rule set's published units: the score's map onto its scale is
    affine (a + b x), so a part with ``weight`` of the scope's effective weight adds a x weight +
    b x its points, and the parts (weights summing to 1, adjustments weighing 0) still add up to
    the published score; on a mirrored scale a part of high risk adds the most."""
    scale = publication.scale
    if points is None or scale is None or (scale.default and not worse):
        return points
    zero = scale.publish(0.0, worse)
    return zero * weight + (scale.publish(100.0, worse) - zero) / 100 * points


def units_text(publication: Publication) -> str:
    """The units explain's points are read in: 0-100, or the rule set's declared scale."""
    scale = publication.scale
    if scale is None or (scale.default and not publication.mirrored):
        return "0-100"
    mirrored = "; where higher is worse, in that direction" if publication.mirrored else ""
    return f"in the published units, {scale.min:g}-{scale.max:g}{mirrored}"


def _points_text(points: float | None, signed: bool = False, publication: Publication = PLAIN) -> str:
    """Points with one decimal on the 0-100 scale; on a declared scale, with its published decimals
    (a 0-1 index's parts are hundredths)."""
    if points is None:
        return "—"
    scaled = publication.scale is not None and not publication.scale.default and publication.precision is not None
    decimals = publication.precision if scaled else 1
    return f"{points:+.{decimals}f}" if signed else f"{points:.{decimals}f}"


METHOD_NOTES = {"weighted_mean": "weighted mean: each part's share of the weight times its score",
                "geometric_mean": "geometric mean: each part's share of the score's logarithm, weight x ln(score)",
                "minimum": "minimum: the lowest part carries the score"}


def _method_note(result: CountryResult) -> str:
    """How each method the country's levels use splits a score among its parts."""
    methods = dict.fromkeys(node.method for node in result.overall.walk() if node.method and node.children)
    return "; ".join(METHOD_NOTES[method] for method in methods if method in METHOD_NOTES)


KIND_LABELS = {"assistance": "offer as assistance", "diplomacy": "press through diplomacy",
               "us_internal": "US measures (not offered to the partner)"}


def recommendations(result: CountryResult) -> dict[str, list[JSONObject]]:
    """The interventions the country's short-falling rules recommend, once each, grouped by kind:
    assistance and diplomacy are offered to the partner; US-internal measures are not."""
    grouped: dict[str, dict[str, JSONObject]] = {}
    for rule in result.rules():
        for item in rule.interventions:
            grouped.setdefault(str(item.get("kind", "assistance")), {}).setdefault(str(item["id"]), item)
    return {kind: list(grouped[kind].values()) for kind in KIND_LABELS if kind in grouped}


def recommendations_text(result: CountryResult) -> list[str]:
    return [f"{KIND_LABELS[kind]}: " + "; ".join(f"{item['id']} (lead: {item.get('lead', '?')})" for item in items)
            for kind, items in recommendations(result).items()]


def gaps_text(result: CountryResult) -> list[str]:
    """The unknowns as gaps: how much of the weight is not assessed and which facts would settle it."""
    unknown = result.unknown_facts()
    if not unknown:
        return []
    settle = ", ".join(f"{fact} ({_percent(share, decimals=1)})" for fact, share in unknown)
    return [f"not assessed: {_percent(1 - result.overall.coverage)} of the weight; facts that would settle it: {settle}"]


def tier_notes(result: CountryResult) -> list[str]:
    """The tier is earned by the low bound; how likely each tier is under the priors."""
    node = result.overall
    if not node.applicable or not node.tier_probabilities:
        return []
    likely = ", ".join(f"{p:.0%} {tier}" for tier, p in node.tier_probabilities.items() if p >= 0.005)
    return [f"tier {node.tier} (earned by the low bound: what holds whatever the unknowns are); under the priors: {likely}"]


def priors_text(result: CountryResult) -> list[str]:
    """The prior each unknown fact was estimated from, the assumption behind all of them, and the
    unknowns declared not to be estimated (their rules drop out of the estimate)."""
    if result.estimate is None or not result.priors:
        return []
    estimated = [prior for prior in result.priors if prior.estimated]
    lines = []
    if estimated:
        lines.append(f"estimated from priors: {_percent(1 - result.overall.coverage)} of the weight"
                     + (" (the estimate rests mostly on priors)" if result.overall.rests_on_priors else "")
                     + f"; {result.estimate['independence']}; {result.estimate['draws']} draws, seed "
                     f"{result.estimate['seed']}")
        lines += [f"prior of {prior.text()}" for prior in estimated]
    lines += [f"{prior.text()}: the rules reading it drop out of the estimate"
              for prior in result.priors if not prior.estimated]
    return lines


def score_text(score: float | None, publication: Publication = PLAIN) -> str:
    """A score as people read it: as the rule set publishes it (one decimal unless declared), or
    'insufficient data'."""
    return "insufficient data" if score is None else publication.text(score)


def interval_text(node: NodeResult, publication: Publication = PLAIN) -> str:
    """``72.3 [41.0–88.5]``; just the score when nothing is unknown; ``n/a`` when not applicable.
    In the rule set's own units and direction where it declares them (``published``)."""
    if not node.applicable:
        return "n/a"
    score, low, high = ((node.published, node.published_low, node.published_high) if node.published_low is not None
                        else (node.score, node.low, node.high))
    if low is None or high is None:
        return score_text(score, publication)
    point = "—" if score is None else publication.text(score)
    if score is not None and publication.text(low) == publication.text(high):
        return point
    return f"{point} [{publication.text(low)}–{publication.text(high)}]"


def rank_text(rank: int | None, best_worst: tuple[int, int] | None) -> str:
    if best_worst is None or rank is None:
        return "—"
    best, worst = best_worst
    return str(rank) if best == worst else f"{rank} ({best}–{worst})"


def _percent(share: float, decimals: int = 0) -> str:
    return f"{share * 100:.{decimals}f}%"


def priorities_view(result: Prioritization) -> View:
    """The ranked assistance list: leverage range, need, ties, routes, gaps, offers, runner-up, and why."""
    columns = ["rank", "country", "priority", "leverage", "need", "feasibility", "flow after", "routes",
               "weakest criteria", "interventions", "beat", "why"]
    rows = []
    for pick in result.picks:
        rows.append([pick.rank, pick.country, f"{pick.priority:.3f}",
                     leverage_text(pick.leverage, pick.leverage_low, pick.leverage_high),
                     f"{pick.need:.2f}" + ("" if pick.capacity_high - pick.capacity_low < 5e-3 else "*"),
                     f"{pick.feasibility:.2f}", _percent(pick.flow_after, 1), "; ".join(pick.routes) or "—",
                     "; ".join(f"{w['id']} {w['score']:.0f}" for w in pick.weakest) or "no scored gaps",
                     "; ".join(i["id"] for i in pick.interventions) or "—",
                     f"{pick.runner_up['country']} ({pick.runner_up['priority']:.3f})" if pick.runner_up else "—",
                     "; ".join(pick.why)])
    title = (f"Where assistance buys the most, toward {result.destination} as of {result.year}"
             + (" (need only)" if result.need_only else "")
             + f": {_percent(result.baseline_flow, 1)} of the potential harm-weighted flow arrives"
             + ("" if result.baseline_range is None else
                f" ({_percent(result.baseline_range[0], 1)}-{_percent(result.baseline_range[1], 1)} over the calibrated "
                "effectiveness)"))
    notes: list[str] = [
        Remark(flow_unit_note(result.harm)),
        Remark("priority = leverage (against the largest of any candidate today) x {leverage} + need x {need} + "
               "feasibility x {feasibility}; "
               "countries with leverage come first{order}".format(
                   **vars(result.weights), order=" (not in need-only mode)" if result.need_only else "")),
        Remark("* capacity not fully known: ranked on its expected score under the priors of the unknown facts (see "
               "explain); leverage shows its range over what the unknown facts allow")]
    if result.not_profiled:
        notes.append(f"on routes but without a profile (no scores): {', '.join(result.not_profiled)}")
    records = [{"rank": p.rank, "country": p.country, "priority": p.priority, "leverage": p.leverage,
                "leverage_low": p.leverage_low, "leverage_high": p.leverage_high, "need": p.need,
                "feasibility": p.feasibility, "capacity": p.capacity, "capacity_low": p.capacity_low,
                "capacity_high": p.capacity_high, "flow_before": p.flow_before, "flow_after": p.flow_after,
                "routes": ";".join(p.routes), "weakest": ";".join(str(w["id"]) for w in p.weakest),
                "interventions": ";".join(str(i["id"]) for i in p.interventions),
                "runner_up": p.runner_up["country"] if p.runner_up else None} for p in result.picks]
    return View(columns, rows, result.to_json, title=title, notes=notes, records=records, keys=2)


def portfolio_view(result: Portfolio) -> View:
    """The costed portfolio: what to fund, where, through whom, at what cost, and what it buys."""
    columns = ["rank", "fund", "in", "lead (channel)", "cost committed", "flow stopped", "scores", "value per $1M", "beat",
               "why"]
    rows = []
    for pick in result.picks:
        goals = "; ".join(f"{goal} {r['before'][1]:.0f}→{r['after'][1]:.0f}" for goal, r in sorted(pick.goals.items())
                          if round(r["before"][1]) != round(r["after"][1]))
        rows.append([pick.rank, pick.package, pick.country, f"{pick.lead} ({pick.channel or '—'})",
                     _dollars(pick.cost_low_usd, pick.cost_high_usd) + ("" if pick.cost_basis == "sourced" else "†"),
                     leverage_text(pick.flow_stopped, pick.flow_stopped_low, pick.flow_stopped_high),
                     f"overall {pick.overall_before[1]:.0f}→{pick.overall_after[1]:.0f}" + (f"; {goals}" if goals else ""),
                     f"{pick.value_per_million_usd:.3f}",
                     f"{pick.runner_up['package']} in {pick.runner_up['country']}" if pick.runner_up else "—",
                     "; ".join(pick.why)])
    data = result.to_json()
    flow_after = data["flow_after"]
    cut = 1 - flow_after / result.baseline_flow if result.baseline_flow > 0 else 0.0
    title = (f"${result.budget_usd:,.0f} committed toward {result.destination} as of {result.year}: "
             f"{len(result.picks)} package(s), ${result.spent_usd:,.0f} expected "
             f"({_dollars(*data['spent_range_usd'])}); harm-weighted flow reaching {result.destination} "
             f"{_percent(cut, 1)} lower")
    notes: list[str] = [
        Remark(f"value = share of today's harm-weighted flow stopped + {result.capacity_weight:g} x overall points "
               "added / 100; chosen greedily by value per expected dollar, each pick re-scored and the flows recomputed"),
        Remark("† cost is a planner's assumption (see interventions.yaml); every effect is a planner's assumption of "
               "what the package achieves; flow stopped shows its range over the capacity's range")]
    fit = result.fit_at_high_cost
    if fit < len(result.picks):
        cut_fit = 1 - result.picks[fit - 1].flow_after / result.baseline_flow if fit and result.baseline_flow > 0 else 0.0
        notes.append(f"at the top of every cost range the picks would cost ${data['spent_range_usd'][1]:,.0f}: "
                     f"the budget then pays for the first {fit} in order, which cut the flow {_percent(cut_fit, 1)}")
    left = result.budget_usd - result.spent_usd
    if left > 0.5:
        notes.append(f"${left:,.0f} left: no {'other ' if result.picks else ''}package that fits adds value on "
                     "today's evidence")
    exact = result.exact
    if exact["greedy_value"] > exact["upper_bound"]:
        notes.append(Remark(f"greedy's {exact['greedy_value']:.4f} is above the fractional knapsack over first-round "
                            f"values ({exact['upper_bound']:.4f}), so that bound does not hold here: returns do not "
                            "diminish where one package stops flow another displaces; the exact check compares "
                            "selections instead"))
    else:
        notes.append(Remark(f"greedy gets at least {_percent(1 - exact['gap_to_bound'])} of the optimum: its "
                            f"{exact['greedy_value']:.4f} against an upper bound of {exact['upper_bound']:.4f} (the "
                            "fractional knapsack over first-round values, valid while returns diminish; loose where "
                            "options share a route)"))
    if exact["value"] is not None:
        proof = "" if exact["proven_optimal"] else f"; the best found in {exact['time_limit_s']} s, not proven optimal"
        notes.append(Remark(f"exact check ({exact['solver']}{proof}): its selection is worth {exact['value']:.4f}, "
                            f"greedy's {exact['greedy_value']:.4f} (greedy short by {_percent(exact['gap'], 1)})"))
    if result.verify_first:
        notes.append("verify first (worth nothing on today's evidence, but much if these unknown facts are bad): "
                     + "; ".join(f"{v['package']} in {v['country']} ({', '.join(v['verify'])})"
                                 for v in result.verify_first[:5]))
    if result.not_profiled:
        notes.append(f"on routes but without a profile (not considered): {', '.join(result.not_profiled)}")
    groups = result.by_effect()

    def counted(picks: list[FundedPick]) -> str:
        return f"{len(picks)} (${math.fsum(p.cost_usd for p in picks):,.0f})"

    off_route = (f"; {counted(groups['off_route'])} act through a mechanism in a country whose flow does not reach "
                 f"{result.destination} and stop none" if groups["off_route"] else "")
    notes.append(f"{counted(groups['stops'])} of {len(result.picks)} picks stop flow, each through a mechanism it "
                 f"names; {counted(groups['points_only'])} act through none{off_route}: these buy score points only, "
                 f"valued at {result.capacity_weight:g} of the flow per 100 points (a planner's assumption: it "
                 "decides where cheap diplomacy ranks)")
    resting = result.on_priors()
    if resting:
        notes.append(f"{counted(resting)} of {len(result.picks)} picks change facts not known today and are valued on "
                     "their priors: verify those facts before funding (each pick names them)")
    notes += [f"{'waived' if limit.waived else 'not offered'}: {' and '.join(limit.excludes)} in {limit.country}: "
              f"{limit.reason} ({limit.source})" for limit in result.limits]
    notes += [f"over the {driver['assumption']}: the flow cut is {driver['headline'][0]:.1%} at {driver['values'][0]} "
              f"and {driver['headline'][1]:.1%} at {driver['values'][1]}" for driver in result.drivers]
    if result.over_draws is not None:
        spread = result.over_draws
        notes.append(f"over {spread['draws']} joint draws of the unknown facts (every country's capacity drawn from "
                     f"its priors, before and after the picks): the flow cut is {spread['p10']:.1%}-{spread['p90']:.1%} "
                     f"(P10-P90), median {spread['p50']:.1%}")
    records = [{"rank": p.rank, "package": p.package, "country": p.country, "kind": p.kind, "lead": p.lead,
                "channel": p.channel, "cost_usd": p.cost_usd, "cost_low_usd": p.cost_low_usd,
                "cost_high_usd": p.cost_high_usd, "cost_basis": p.cost_basis, "flow_stopped": p.flow_stopped,
                "flow_stopped_low": p.flow_stopped_low, "flow_stopped_high": p.flow_stopped_high,
                "overall_before": p.overall_before[1], "overall_after": p.overall_after[1], "value": p.value,
                "value_per_million_usd": p.value_per_million_usd, "spent_usd": p.spent_usd, "flow_after": p.flow_after,
                "runner_up": f"{p.runner_up['package']}:{p.runner_up['country']}" if p.runner_up else None}
               for p in result.picks]
    return View(columns, rows, data, title=title, notes=notes, records=records)


def _dollars(low: float, high: float) -> str:
    return f"${low:,.0f}" if low == high else f"${low:,.0f}–${high:,.0f}"


def scenario_view(result: Projection) -> View:
    """Year by year, the countries whose scores, tiers or leverage the scenario moves, and why."""
    columns = ["year", "country", "score", "expected", "tier", "goals", "leverage", "why"]
    rows = []
    for year in result.years:
        for change in year.changes:
            rows.append([year.year, change.country, _pair_text(change.score, score_text),
                         _pair_text(change.expected, score_text),
                         _pair_text(change.tier, lambda tier: tier or "—"),
                         "; ".join(f"{goal} {_pair_text(values, score_text)}" for goal, values in change.goals.items()) or "—",
                         _leverage_pair(*change.leverage),
                         "; ".join(change.why) or "—"])
    notes = ["assumes: " + "; ".join(result.assumptions) if result.assumptions else "assumes nothing"]
    for year in result.years:
        baseline, scenario = year.flow
        if baseline is not None and scenario is not None:
            cut = 1 - scenario / baseline if baseline > 0 else 0.0
            moved = f"{_percent(cut, 1)} lower" if cut >= 0 else f"{_percent(-cut, 1)} higher"
            notes.append(f"{year.year}: harm-weighted flow reaching {result.destination} {_percent(baseline, 1)} -> "
                         f"{_percent(scenario, 1)} of its potential ({moved}); first picks "
                         f"{', '.join(year.top[0]) or '—'} -> {', '.join(year.top[1]) or '—'}")
    span = f"{result.years[0].year}-{result.years[-1].year}" if result.years else "no years"
    title = f"Scenario {result.name}: {result.title} ({span}, baseline -> scenario)"
    records = [{"year": year.year, "country": c.country, "score": c.score[0], "score_scenario": c.score[1],
                "expected": c.expected[0], "expected_scenario": c.expected[1],
                "tier": c.tier[0], "tier_scenario": c.tier[1], "leverage": c.leverage[0],
                "leverage_scenario": c.leverage[1], "capacity": c.capacity[0], "capacity_scenario": c.capacity[1],
                "why": "; ".join(c.why)} for year in result.years for c in year.changes]
    return View(columns, rows, result.to_json, title=title, notes=notes, records=records)


def _leverage_pair(old: float | None, new: float | None) -> str:
    """A leverage before and after, each to the decimals that show its move."""
    if old is not None and new is not None and old != new:
        return "{} → {}".format(*shares_apart(old, new))
    return _pair_text((old, new), lambda share: "—" if share is None else _percent(share, 1))


def _pair_text(values: tuple[Any, Any], text: Callable[[Any], str]) -> str:
    old, new = values
    return text(old) if old == new else f"{text(old)} → {text(new)}"


def coverage_view(result: StrategyCoverage) -> View:
    """Every item of the strategy: assessed by a rule, offered as an intervention, or why not."""
    rows = [[item.id, item.source, item.section, item.status, ", ".join(item.assessed_by) or "—",
             ", ".join(item.offered_by) or "—", item.reason or "—"] for item in result.items]
    covered = {"assessed and offered", "assessed", "offered"}
    assessed = {"assessed and offered", "assessed"}
    parts = []
    for source in sorted({item.source for item in result.items}):
        done, total = result.share(covered, source)
        parts.append(f"{source} {done}/{total}")
    done, total = result.share(covered)
    scored, _ = result.share(assessed)
    title = (f"Strategy coverage: {done} of {total} partner-facing items assessed or offered ({_percent(done / total)}), "
             f"{scored} assessed by a rule ({_percent(scored / total)}); " + ", ".join(parts))
    # part of the table (COVERAGE.md is generated with -q), so not a remark
    notes = ["generated from strategy.yaml and the rules (assess check --coverage); partner-facing: the item asks "
             "something of or for partner countries; a reason beside a covered item says what it leaves out"]
    notes += [f"{f.kind} {f.where}: {f.message}" for f in result.findings]
    records = [{"item": item.id, "source": item.source, "section": item.section, "quote": item.quote,
                "partner_facing": item.partner_facing, "status": item.status, "assessed_by": ";".join(item.assessed_by),
                "offered_by": ";".join(item.offered_by), "reason": item.reason} for item in result.items]
    return View(["item", "source", "section", "status", "assessed by", "offered by", "reason"], rows,
                result.to_json, title=title, notes=notes, records=records)


def leverage_text(point: float, low: float, high: float) -> str:
    """A share of the flow, with its range where unknown facts leave it open."""
    return _percent(point, 1) if high - low < 5e-4 else f"{_percent(point, 1)} ({_percent(low, 1)}–{_percent(high, 1)})"


def flow_unit_note(harm: dict[str, float]) -> str:
    weighted = ", ".join(f"{commodity} {weight:g}" for commodity, weight in sorted(harm.items()) if weight > 0)
    return ("flows are shares of the harm-weighted flow that would reach the destination if nobody interdicted; "
            f"harm weights: {weighted or 'none'} (precursors count through the product they become)")


def diff_view(result: Diff) -> View:
    """Headline first, a line per changed country, then each country's moves with their reasons."""
    moves = result.moves()
    publication = result.new.publication
    added = sum(c.status == "added" for c in result.countries)
    removed = sum(c.status == "removed" for c in result.countries)
    if result.countries:
        headline = (f"{_count(len(result.countries), 'country', 'countries')} changed, {len(result.unchanged)} unchanged"
                    f" ({added} added, {removed} removed); "
                    f"{_count(len(result.rule_changes), 'rule-set part', 'rule-set parts')} changed")
        if moves:
            top = max(moves, key=lambda m: (m.size, m.country, m.node))
            change = _delta(top, publication) if top.delta is not None else _score_pair(top, publication)
            headline += f"; largest move: {top.country} {top.node} {change} ({top.cause})"
    else:
        headline = f"No score changed ({len(result.unchanged)} countries compared)"
    rows, sections = [], []
    for country in result.countries:
        overall = next((m for m in country.moves if m.kind == "overall"), None)
        causes = sorted({cause for m in country.moves for cause in m.causes})
        rows.append([country.country, country.name, country.status, _score_pair(overall, publication),
                     _delta(overall, publication) if overall else "—", _expected_pair(overall, publication),
                     f"{_or_dash(country.old_rank)} → {_or_dash(country.new_rank)}",
                     ", ".join(causes) or "rank only"])
        sections.append((f"{country.country} {country.name}: {len(country.moves)} moves",
                         _moves_view(country.moves, publication)))
    notes = [f"old: {result.old.label} ({_side_text(result.old)}); new: {result.new.label} ({_side_text(result.new)})"]
    if result.rule_changes:
        notes.append("rule-set parts changed: " + ", ".join(result.rule_changes))
    columns = ["country", "name", "status", "overall", "change", "expected", "rank", "cause"]
    # one row per changed fact of a move (a move no fact explains: one row, its fact columns empty); scores
    # as the rule set publishes them
    records = [{"country": m.country, "level": m.node, "kind": m.kind, "old_score": m.old_shown,
                "new_score": m.new_shown, "delta": m.delta, "old_expected": m.old_expected_shown,
                "new_expected": m.new_expected_shown, "old_tier": m.old_tier, "new_tier": m.new_tier,
                "old_coverage": m.old_coverage, "new_coverage": m.new_coverage, "cause": m.cause,
                **_fact_columns(change), "rules_changed": ";".join(m.rules), "priors_changed": ";".join(m.priors)}
               for m in moves for change in _changes_or_none(m)]
    return View(columns, rows, result.to_json, title=headline, notes=notes, sections=sections, records=records)


def _changes_or_none(move: Move) -> list[FactChange | None]:
    return [*move.facts] if move.facts else [None]


def _fact_columns(change: FactChange | None) -> JSONObject:
    """A changed fact as data: its name, and each side's value and date (empty where not read)."""
    def value(reading: JSONObject | None) -> Any:
        if reading is None:
            return None
        raw = reading["value"]
        return raw if isinstance(raw, (int, float)) and not isinstance(raw, bool) else display(raw)

    old = change.old if change else None
    new = change.new if change else None
    return {"fact": change.fact if change else None, "old_value": value(old), "old_as_of": old.get("as_of") if old else None,
            "new_value": value(new), "new_as_of": new.get("as_of") if new else None}


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _moves_view(moves: list[Move], publication: Publication) -> View:
    """Each move with its causes; evidence re-dated or re-sourced with the same value is listed apart."""
    rows = [[m.node, _score_pair(m, publication), _delta(m, publication), _expected_pair(m, publication),
             f"{_or_dash(m.old_tier)} → {_or_dash(m.new_tier)}",
             f"{_percent_or_dash(m.old_coverage)} → {_percent_or_dash(m.new_coverage)}", m.cause,
             "; ".join([*(f.describe() for f in m.facts), *m.applicability, *(f"prior of {p}" for p in m.priors),
                        *(f"cohort of {c}" for c in m.cohort)])
             or "—", ", ".join(m.rules) or "—"]
            for m in moves]
    evidence = sorted({f.describe() for m in moves for f in m.evidence})
    notes = [f"evidence updated (same value, new date or source; not a cause): {'; '.join(evidence)}"] if evidence else []
    return View(["level", "score", "change", "expected", "tier", "coverage", "cause", "what changed", "rules changed"],
                rows, notes=notes)


def _side_text(scored: Scored) -> str:
    stamp = scored.stamp
    return f"{stamp.get('ruleset_id')} {stamp.get('ruleset_version')} {stamp.get('ruleset_hash')}, {stamp.get('year')}"


def move_line(move: Move, publication: Publication = PLAIN) -> str:
    """One move in one line: where, from what score to what, by how much, and why (as published)."""
    change = (_delta(move, publication) if move.delta is not None else "appeared" if move.old_score is None
              else "disappeared")
    return f"{move.country} {move.node}: {_score_pair(move, publication)} ({change}; {move.cause})"


def _score_pair(move: Move | None, publication: Publication) -> str:
    if move is None:
        return "—"
    return f"{score_text(move.old_shown, publication)} → {score_text(move.new_shown, publication)}"


def _expected_pair(move: Move | None, publication: Publication) -> str:
    if move is None or (move.old_expected is None and move.new_expected is None):
        return "—"
    return f"{score_text(move.old_expected_shown, publication)} → {score_text(move.new_expected_shown, publication)}"


def _delta(move: Move, publication: Publication) -> str:
    """``+2.5``: the move as published, signed, in the published decimals."""
    if move.delta is None:
        return "—"
    text = publication.text(move.delta)
    return text if text.startswith("-") else f"+{text}"


def _or_dash(value: object) -> str:
    return "—" if value is None else str(value)


def _percent_or_dash(share: float | None) -> str:
    return "—" if share is None else _percent(share)


def check_view(report: CheckReport) -> View:
    """Findings first; coverage per country, the data gaps and warnings as remarks (-q leaves them out)."""
    rows = [[f.kind, f.where, f.message] for f in report.findings]
    shares = ", ".join(f"{code} {share * 100:.0f}%" for code, share in report.coverage.items())
    notes: list[str] = [Remark(f"coverage as of {report.year}: {shares}")]
    if report.data_gaps:
        notes.append(Remark(f"rules no profile has facts for as of {report.year} (data gaps): "
                            + ", ".join(report.data_gaps)))
    for warnings, what in ((report.weak_sources, "weak source(s): no URL and no publisher, a homepage, a truncated "
                            "URL or a news aggregator"), (report.placeholder_dates, "placeholder date(s)"),
                           (report.dates_after_observation, "date(s) later than the day observed")):
        if warnings:
            notes.append(Remark(f"warning: {len(warnings)} {what}, e.g. "
                                + "; ".join(f"{w.where}: {w.message}" for w in warnings[:5])))
    notes += [Remark(f"warning: {f.where}: {f.message}") for f in report.idle_scenario_changes]
    status = f"{len(report.findings)} finding(s)" if report.findings else "ok: rules and profiles are valid; no findings"
    warned = len(report.warnings)
    if warned:  # -q leaves the warnings out, so the one line it prints must not read as all clear
        status += f"; {warned} warning(s)"
    records = ([{"kind": f.kind, "where": f.where, "value": None, "message": f.message} for f in report.findings]
               + [{"kind": "coverage", "where": code, "value": share, "message": f"as of {report.year}"}
                  for code, share in report.coverage.items()]
               + [{"kind": "data-gap", "where": rule, "value": None, "message": "no profile has facts for this rule"}
                  for rule in report.data_gaps]
               + [{"kind": w.kind, "where": w.where, "value": None, "message": w.message}
                  for w in report.warnings])
    return View(["finding", "where", "message"], rows, report.to_json, title=status, notes=notes, records=records)


def properties_view(report: PropertyReport) -> View:
    """Each property, held or failed, with the shrunk counter-example to save and load."""
    failed = {failure.property for failure in report.failures}
    rows = [[name, "fails" if name in failed else "holds"] for name in report.checked]
    title = (f"properties: {len(report.checked) - len(failed)} of {len(report.checked)} hold "
             f"({report.examples} examples each)")
    notes: list[str] = [Remark(f"exempt from monotonicity: {line}") for line in report.exempt]
    notes += [Remark(f"checked within a fixed cohort: {line}") for line in report.fixed_cohort]
    sections = [(f"{failure.property}: {failure.message}", View([], [], preformatted=failure.example))
                for failure in report.failures]
    data = {"examples": report.examples, "checked": report.checked, "exempt": report.exempt,
            "failures": [vars(failure) for failure in report.failures]}
    if report.fixed_cohort:
        data["fixed_cohort"] = report.fixed_cohort
    messages = {failure.property: failure.message for failure in report.failures}
    records = [{"property": name, "holds": name not in failed, "examples": report.examples,
                "message": messages.get(name)} for name in report.checked]
    return View(["property", "result"], rows, data, title=title, notes=notes, sections=sections, records=records)


def sensitivity_view(result: Sensitivity) -> View:
    """Rank stability per country under perturbed weights, declared alternative methods and
    unknown facts drawn from their priors."""
    rows = []
    for c in result.countries:
        interval = "—" if c.low_rank is None else f"{c.low_rank:.0f}–{c.high_rank:.0f}"
        drivers = "; ".join(f"{name} ({value:+.2f})" for name, value in c.drivers) or "—"
        rows.append([_or_dash(c.nominal_rank), c.country, "—" if c.median_rank is None else f"{c.median_rank:g}",
                     interval, _percent(c.known_share), drivers])
    title = (f"Rank stability over {result.samples} samples (weights ±{result.spread * 100:.0f}%, unknown facts "
             f"drawn from their priors, seed {result.seed})")
    notes: list[str] = [
        Remark("nominal: the rank of the expected score (no estimate: —); the sampled ranks take every country, "
               "its unknown rules drawn from their scores' distribution under the priors (within their bounds where "
               "an unknown is declared not to be estimated)"),
        Remark("drivers: correlation of a criterion's weight with the rank (negative: more weight, better rank)")]
    records = [{"country": c.country, "nominal_rank": c.nominal_rank, "median_rank": c.median_rank,
                "rank_5": c.low_rank, "rank_95": c.high_rank, "known_share": c.known_share,
                "drivers": ";".join(f"{name}={value}" for name, value in c.drivers)} for c in result.countries]
    return View(["nominal", "country", "median", "5–95%", "known", "drivers"], rows, result.to_json, title=title,
                notes=notes, records=records, keys=2)


def import_view(plan: ImportPlan) -> View:
    """What an import adds and where it conflicts, like a diff; unchanged values are counted."""
    rows = [["+" if change.kind == "add" else "!", o.country, o.fact, o.as_of.isoformat(), display(o.value),
             f"recorded: {display(change.recorded)}" if change.kind == "conflict" else (o.source or "—")]
            for change in plan.changes if change.kind != "same" for o in [change.observation]]
    done = "dry run: nothing written" if plan.dry_run else f"wrote {len(plan.written)} profile(s)"
    created = f", {len(plan.created)} profile(s) to create" if plan.created else ""
    title = (f"import of {plan.table} ({plan.form} form): {plan.count('add')} to add, {plan.count('same')} already "
             f"recorded, {plan.count('conflict')} conflict(s){created}; {done}")
    notes = [f"closed lists filled for every other country: {', '.join(plan.closed_lists)}"] if plan.closed_lists else []
    if plan.created:
        notes.append(f"profiles {'to be ' if plan.dry_run else ''}created as 'assess new' writes them: "
                     f"{', '.join(plan.created)}")
    if plan.count("conflict"):
        notes.append(Remark("! a different value is already recorded for that date: kept as it is; settle it by hand"))
    records = [{"change": change.kind, "country": change.observation.country, "fact": change.observation.fact,
                "as_of": change.observation.as_of.isoformat(), "value": display(change.observation.value),
                "recorded": None if change.kind != "conflict" else display(change.recorded),
                "source": change.observation.source} for change in plan.changes]
    return View(["", "country", "fact", "as_of", "value", "source"], rows, plan.to_json, title=title, notes=notes,
                records=records)


def facts_view(catalogue: FactList) -> View:
    """The fact catalogue: type, values, direction, the rules that read each fact, where it is known."""
    rows = [[f.name, f.type, f.values, f.better, ", ".join(f.read_by) or "—", f.closed_list or "—",
             f"{f.known_in}/{catalogue.profiles}", f.description] for f in catalogue.facts]
    records = [{"fact": f.name, "type": f.type, "values": f.values, "better": f.better, "read_by": ";".join(f.read_by),
                "closed_list": f.closed_list, "known_in": f.known_in, "profiles": catalogue.profiles,
                "description": f.description} for f in catalogue.facts]
    return View(["fact", "type", "values", "more capacity", "read by", "closed list", "known in", "meaning"], rows,
                catalogue.to_json, title=f"{len(catalogue.facts)} facts", records=records)


# Keyed by class name rather than class, so that building a view never imports networkx or NumPy
# for results that do not need them (the analyses that do are imported only when run).
def pinned_view(report: PinnedReport) -> View:
    """Each pinned case with what it expected and what the rule set gives now."""
    rows = [[result.where.rsplit("/", 1)[-1], result.case.entity, result.case.year, result.case.level,
             result.case.value, "—" if result.case.expect is None else f"{result.case.expect:g} ± {result.case.tolerance:g}",
             "—" if result.got is None else f"{result.got:.4g}", "ok" if result.passed else "FAILED", result.case.reason]
            for result in report.results]
    title = (f"pinned cases: {len(report.results) - len(report.failures)} of {len(report.results)} hold"
             + ("" if not report.failures else f"; {len(report.failures)} failed"))
    return View(["case", "entity", "year", "level", "value", "expected", "got", "result", "reason"], rows,
                report.to_json, title=title, records=[result.to_json() for result in report.results])


_VIEWS: dict[str, Callable[[Any], View]] = {
    "Assessment": scores_view, "CountryResult": explain_view, "Prioritization": priorities_view,
    "Portfolio": portfolio_view, "Projection": scenario_view,
    "Diff": diff_view, "CheckReport": check_view, "PropertyReport": properties_view, "Sensitivity": sensitivity_view,
    "ImportPlan": import_view, "StrategyCoverage": coverage_view, "FactList": facts_view, "PinnedReport": pinned_view,
}


def view_of(result: Any) -> View:
    """The view of any result the API returns."""
    return _VIEWS[type(result).__name__](result)
