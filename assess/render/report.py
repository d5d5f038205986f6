"""``assess report``: one self-contained HTML file a planner can brief leadership from.

The page opens on an executive summary (how many countries are assessed and how well they are
known, what to fund and what it buys, what moved and why, where evidence is missing), then
charts a reader understands without help (goal names, legends, units, score intervals, route
maps centred on the destination with flow encoded as width), the ranking and the portfolio,
the changes, and a section per country with an anchor, its sources as links.

The page is a Jinja2 template with autoescape: every text from a profile or rule is escaped by
the template engine, never by hand. Charts are matplotlib SVG, inlined, with a fixed hash salt
and no date, so the same inputs give the same bytes; the page loads nothing and runs no script.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote

import jinja2
import matplotlib
import numpy as np

matplotlib.use("Agg")  # no display; must precede pyplot
import matplotlib.pyplot as plt
import networkx as nx
from markupsafe import Markup
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..analysis.diff import Diff, FactChange
from ..analysis.network import Route
from ..analysis.portfolio import Portfolio
from ..analysis.prioritize import Prioritization
from ..engine.results import Assessment, CountryResult, JSONObject, NodeResult, Publication
from ..engine.values import display
from ..engine.workspace import Workspace
from ..version import __version__
from .views import KIND_LABELS, estimate_notes, estimate_text, flow_unit_note, interval_text, leverage_text, recommendations

# every text reaching a chart is plain: a title with "$\\foo$" is dollars and a backslash, never mathtext
plt.rcParams.update({"svg.hashsalt": "assess", "svg.fonttype": "none", "font.size": 8, "text.parse_math": False,
                     "text.usetex": False})
TIER_COLOURS = ["#d73027", "#fc8d59", "#91bfdb", "#4575b4"]  # lowest tier first
INSUFFICIENT_COLOUR = "#bdbdbd"
# Beyond this many countries (states, provinces, scenario variants) the page summarises, so that it
# stays readable and small at any size: the charts show distributions instead of a row per country,
# tables show their largest rows, and details are written for the best-ranked and every country
# the page names. The bundled world (193 profiles) is below it and shows everything.
AT_SCALE = 200
MAIN_ROWS, MAIN_PICKS, MAIN_MOVES, MAIN_GAPS = 25, 10, 10, 10  # the briefing's tables; the annex has them whole
PLACEHOLDER_YEARS = ("0", "1900-")  # the date an unknown value is recorded with where none was given
IDENTIFIER = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:[._][A-Za-z0-9]+)*_[A-Za-z0-9]+\b")
URL = re.compile(r"https?://[^\s;,)\]]+")
BRACKETED = re.compile(r"\S*[)\]][(\[]\S*")  # 3(1)(11), s.22(1)(a): one word to a reader
FAMILIES = {  # route maps: one panel per family of commodities (a precursor shows with its product)
    "Fentanyl and its precursors": ("fentanyl", "fentanyl_precursors", "pill_presses"),
    "Methamphetamine and its precursors": ("methamphetamine", "methamphetamine_precursors"),
    "Cocaine": ("cocaine",),
    "Other synthetic drugs": ("nps", "nps_precursors", "tramadol", "captagon"),
}
TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True,
    undefined=jinja2.StrictUndefined, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)


class ReportPages(NamedTuple):
    """The briefing (``main``, at most 8 A4 pages) and its annex (complete tables, charts, a section
    per country), written beside it; the briefing links into the annex by ``annex_href``."""

    main: str
    annex: str


def build_report(workspace: Workspace, assessment: Assessment, priorities: Prioritization | None = None,
                 portfolio: Portfolio | None = None, changes: Diff | None = None,
                 annex_href: str = "report-annex.html") -> ReportPages:
    """The briefing and its annex, two HTML documents."""
    tiers = [tier.name for tier in workspace.ruleset.header.tiers]
    facts = workspace.ruleset.facts
    ranked = assessment.ranked()
    change_rows = _change_rows(changes) if changes else None
    ranking = _ranking_rows(assessment, ranked)
    gaps = _gap_rows(assessment, facts)  # every country's trace walked once, for the three tables that show it
    named = _named(priorities, portfolio, change_rows)
    detailed = {c.country for c in ranked[:AT_SCALE]} | named
    common = {
        "title": f"Synthetic-drug capacity assessment, {assessment.stamp.year}",
        "destination": priorities.destination if priorities else (portfolio.destination if portfolio else None),
        "stamp": assessment.stamp, "engine": __version__, "annex": quote(annex_href),
        "tiers": [(name, _tier_colour(name, tiers)) for name in tiers],
        "compare_label": changes.old.label if changes else None,
        "flow_note": flow_unit_note(priorities.harm) if priorities else None,
        "estimates": estimate_notes(assessment),
    }
    priority_rows = _priority_rows(priorities) if priorities else None
    portfolio_rows = _portfolio_rows(portfolio) if portfolio else None
    main = {
        **common, "link": _linker(quote(annex_href), detailed),
        "with_goals": False,
        "summary": _summary(assessment, ranking, portfolio, change_rows, gaps, tiers),
        "ranking": ranking[:MAIN_ROWS], "ranked_count": len(ranking),
        "priorities": priority_rows[:MAIN_PICKS] if priority_rows is not None else None,
        "priority_count": len(priority_rows or []),
        "portfolio": portfolio.to_json() if portfolio else None,
        "picks": portfolio_rows[:MAIN_PICKS] if portfolio_rows is not None else None,
        "changes": change_rows[:MAIN_MOVES] if change_rows is not None else None,
        "change_count": len(change_rows or []),
        "gaps": gaps[:MAIN_GAPS],
    }
    annex = {
        **common, "link": _linker("", detailed),
        "main": quote(_main_href(annex_href)),
        "goals": [(goal.id, goal.title) for goal in workspace.ruleset.goals],
        "ranking": ranking[:AT_SCALE], "with_goals": True, "more_ranked": max(0, len(ranking) - AT_SCALE),
        "score_chart": Markup(_score_chart(ranked, tiers)),
        "route_maps": _route_maps(workspace, assessment, priorities),
        "priorities": priority_rows,
        "portfolio": portfolio.to_json() if portfolio else None,
        "picks": portfolio_rows,
        "changes": change_rows[:AT_SCALE] if change_rows is not None else None,
        "more_changes": len(change_rows) - AT_SCALE if change_rows is not None and len(change_rows) > AT_SCALE else 0,
        "gaps": gaps,
        "countries": [_country(result, row) if result.country in detailed else _listed(result, row)
                      for result, row in zip(ranked, ranking, strict=True)],
        "at_scale": AT_SCALE if len(ranked) > len(detailed) else None,
    }
    return ReportPages(TEMPLATES.get_template("report.html.j2").render(**main),
                       TEMPLATES.get_template("report-annex.html.j2").render(**annex))


def _linker(page: str, detailed: set[str]) -> Callable[[str, str], Markup]:
    """A country's name, linked to its details where the annex has them (no dead link at scale)."""
    def link(code: str, name: str) -> Markup:
        if code in detailed:
            return Markup('<a href="{}#country-{}">{}</a>').format(page, code, name)
        return Markup("{}").format(name)
    return link


def _main_href(annex_href: str) -> str:
    """The briefing's file name, from the annex's (its links back): ``brief-annex.htm`` -> ``brief.htm``."""
    stem, found, suffix = annex_href.rpartition("-annex.")
    return f"{stem}.{suffix}" if found and stem else "report.html"


# --- the executive summary --------------------------------------------------------------------------

def _named(priorities: Prioritization | None, portfolio: Portfolio | None,
           change_rows: list[dict[str, Any]] | None) -> set[str]:
    """Countries the page names outside the country section (their details are always written)."""
    named = {p.country for p in priorities.picks} if priorities else set()
    named |= {p.country for p in portfolio.picks} if portfolio else set()
    return named | {row["country"] for row in (change_rows or [])[:AT_SCALE]}


def _summary(assessment: Assessment, ranking: list[dict[str, Any]], portfolio: Portfolio | None,
             change_rows: list[dict[str, Any]] | None, gaps: list[dict[str, Any]], order: list[str]) -> dict[str, Any]:
    countries = assessment.countries
    nodes = [assessment.ranking_node(c) for c in countries]
    estimated = [node for node in nodes if node.estimate is not None]
    tiers: dict[str, int] = {}
    for node in nodes:
        if node.applicable:
            tiers[tier_label(node.tier)] = tiers.get(tier_label(node.tier), 0) + 1
    # the most likely tier says something about a country only where its own facts carry most of the
    # weight; for the others it is the priors' (a coin toss per unknown fact lands near the middle tier)
    likely: dict[str, int] = {}
    for row in ranking:
        if row["likely"] and not row["on_priors"]:
            likely[row["likely"]] = likely.get(row["likely"], 0) + 1
    coverage = sorted(node.coverage for node in nodes)
    return {
        "assessed": len(countries), "estimated": len(estimated),
        "on_priors": sum(node.rests_on_priors for node in nodes),
        "well_known": sum(node.coverage >= 0.5 for node in nodes),
        "low_confidence": sum(node.status == "insufficient_data" for node in nodes),
        "median_coverage": coverage[len(coverage) // 2] if coverage else 0.0,
        "tiers": _in_tier_order(tiers, order), "likely": _in_tier_order(likely, order),
        "likely_of": sum(likely.values()),
        "top": ranking[:5],
        "funding": _funding(portfolio, {c.country: c.name for c in countries}),
        "moves": (change_rows or [])[:5],
        "gaps": gaps[:6],
    }


def _in_tier_order(counts: dict[str, int], tiers: list[str]) -> list[tuple[str, int]]:
    """Highest tier first, insufficient data last."""
    order = {tier: -i for i, tier in enumerate(tiers)}
    return sorted(counts.items(), key=lambda item: (order.get(item[0], len(order)), item[0] == "insufficient data",
                                                    item[0]))


def _funding(portfolio: Portfolio | None, names: dict[str, str]) -> dict[str, Any] | None:
    """What the budget buys: spend and its range, the flow cut and its range over the capacities'
    ranges (each pick stops a share of what reaches the destination before it), the first picks,
    what to verify first, and why budget is left."""
    if portfolio is None:
        return None
    data = portfolio.to_json()
    flow_after = data["flow_after"]
    cut = 1 - flow_after / portfolio.baseline_flow if portfolio.baseline_flow > 0 else 0.0
    cut_low = 1 - math.prod(1 - pick.flow_stopped_low for pick in portfolio.picks)
    cut_high = 1 - math.prod(1 - pick.flow_stopped_high for pick in portfolio.picks)
    left = portfolio.budget_usd - portfolio.spent_usd
    names = {**names, **{pick.country: pick.name for pick in portfolio.picks}}
    why_left = []
    if left > 0.5:
        why_left.append(f"${left:,.0f} is left: no {'other ' if portfolio.picks else ''}package that fits in it "
                        "adds value on today's evidence.")
    held: dict[tuple[str, bool, str], list[str]] = {}  # one sentence per limit, naming every country it holds in
    for limit in portfolio.limits:
        held.setdefault((" and ".join(limit.excludes), limit.waived, limit.reason), []).append(
            names.get(limit.country, limit.country))
    for (excluded, waived, reason), where in held.items():
        listed = ", ".join(where[:-1]) + " and " + where[-1] if len(where) > 1 else where[0]
        why_left.append(f"{excluded.capitalize()} is {'offered (the limit waived)' if waived else 'not offered'} in "
                        f"{listed}: {reason}.")
    if portfolio.not_profiled:
        why_left.append(f"{len(portfolio.not_profiled)} countries on the routes have no profile and were not "
                        "considered.")
    drawn, resting = portfolio.over_draws, portfolio.on_priors()
    calibrated = next((sorted(driver["headline"]) for driver in portfolio.drivers
                       if driver["assumption"].startswith("effectiveness")), None)
    return {"budget": portfolio.budget_usd, "spent": portfolio.spent_usd, "spent_range": data["spent_range_usd"],
            "left": left, "packages": len(portfolio.picks), "cut": cut, "cut_range": (min(cut_low, cut), max(cut_high, cut)),
            "cut_drawn": None if drawn is None else (drawn["p10"], drawn["p90"], drawn["draws"]),
            "cut_calibrated": calibrated,
            "destination": portfolio.destination, "baseline": portfolio.baseline_flow,
            "top": _largest_flow_first(_portfolio_rows(portfolio))[:5],
            "stopping_none": {group: (len(picks), math.fsum(pick.cost_usd for pick in picks))
                              for group, picks in portfolio.by_effect().items() if group != "stops"},
            "unverified": (len(resting), math.fsum(pick.cost_usd for pick in resting)),
            "verify": [{"package": humane(v["package"]), "country": v["country"], "cost": v["cost_usd"],
                        "name": names.get(v["country"], v["country"]),
                        "facts": [humane(f) for f in v["verify"]], "value": v["value_high"]}
                       for v in portfolio.verify_first[:5]],
            "why_left": why_left}


def _ranking_rows(assessment: Assessment, ranked: list[CountryResult]) -> list[dict[str, Any]]:
    """Each country by expected score: its 90% credible interval, its 90% rank interval over the
    joint draws, the tier earned by the low bound and the most likely tier under the priors."""
    intervals = assessment.rank_intervals()
    ranks = assessment.ranks()
    publication = assessment.publication
    rows = []
    for country in ranked:
        node = assessment.ranking_node(country)
        likely, p = _most_likely(node)
        best_worst = intervals.get(country.country)
        rows.append({"rank": ranks.get(country.country), "code": country.country, "name": country.name,
                     "rank_interval": f"{best_worst[0]}–{best_worst[1]}" if best_worst else "",
                     "expected": estimate_text(node, publication, interval=False),
                     "credible": _credible(node, publication), "bounds": interval_text(node, publication),
                     "tier": tier_label(node.tier) if node.applicable else "not applicable",
                     "likely": likely, "p_likely": p, "coverage": node.coverage, "on_priors": node.rests_on_priors,
                     "low_confidence": node.status == "insufficient_data",
                     "goals": [(level.id, estimate_text(level, publication, interval=False))
                               for level in country.published_levels]})
    return rows


def _credible(node: NodeResult, publication: Publication) -> str:
    if node.credible is None or not node.applicable:
        return ""
    low, high = node.published_credible if node.published_credible is not None else node.credible
    return f"{publication.text(low)}–{publication.text(high)}"


def _most_likely(node: NodeResult) -> tuple[str | None, float]:
    if not node.tier_probabilities:
        return None, 0.0
    tier, p = max(node.tier_probabilities.items(), key=lambda item: item[1])
    return tier_label(tier), p


def _gap_rows(assessment: Assessment, facts: dict[str, Any]) -> list[dict[str, Any]]:
    """Facts by how much of the weight their being unknown leaves open, summed over countries."""
    countries = assessment.countries
    gaps: dict[str, tuple[float, int]] = {}
    for country in countries:
        for fact, share in country.unknown_facts():
            total, count = gaps.get(fact, (0.0, 0))
            gaps[fact] = (total + share, count + 1)
    return [{"fact": humane(fact), "description": getattr(facts.get(fact), "description", "") or "",
             "countries": count, "share": total / len(countries)}
            for fact, (total, count) in sorted(gaps.items(), key=lambda item: (-item[1][0], item[0]))]


# --- charts --------------------------------------------------------------------------------------------

def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def _tier_colour(tier: str | None, tiers: list[str]) -> str:
    if tier not in tiers:
        return INSUFFICIENT_COLOUR
    return TIER_COLOURS[min(tiers.index(tier), len(TIER_COLOURS) - 1) + max(0, len(TIER_COLOURS) - len(tiers))]


def _score_chart(ranked: list[CountryResult], tiers: list[str]) -> str:
    """Small multiples, one panel per goal and one for the overall score: each scored country's
    score (dot) with the range its unknown facts leave (bar), coloured by its tier."""
    scored = [c for c in ranked if c.score is not None]
    if not scored:
        return "<p>No country has enough sourced facts for a score.</p>"
    panels = [("Overall", [c.overall for c in scored])]
    panels += [(f"{goal.id} " + textwrap.fill(goal.title, 26), [c.goals[i] for c in scored])
               for i, goal in enumerate(scored[0].goals)]
    if len(scored) > AT_SCALE:
        return _score_distribution(scored, panels, tiers)
    # The panels' rows line up by their limits, not by a shared axis: a shared one draws every
    # country's tick in every panel, which took most of the chart's time.
    figure, axes = plt.subplots(1, len(panels), figsize=(2.3 * len(panels), 0.19 * len(scored) + 1.4))
    rows = range(len(scored))
    for ax, (title, nodes) in zip(axes, panels, strict=True):
        # One collection of bars and one of dots a panel: an artist per country made the chart the
        # slowest part of the briefing.
        bars = [(row, node.low, node.high) for row, node in zip(rows, nodes, strict=True)
                if node.low is not None and node.high is not None and node.applicable]
        if bars:
            ax.hlines(*zip(*bars, strict=True), color="#999999", linewidth=1.4, capstyle="butt")
        dots = [(node.score, row, _tier_colour(node.tier or scored[row].overall.tier, tiers))
                for row, node in zip(rows, nodes, strict=True) if node.score is not None]
        if dots:
            xs, ys, colours = zip(*dots, strict=True)
            ax.scatter(xs, ys, s=16, c=list(colours), marker="o", linewidths=0, zorder=3)
        ax.set_title(title, fontsize=7, loc="left")
        ax.set_xlim(-4, 104)  # a dot at 0 or 100 is drawn whole
        ax.set_xticks([0, 50, 100])
        ax.grid(axis="x", color="#eeeeee")
        ax.set_ylim(len(scored) - 0.5, -0.5)  # best-ranked at the top of every panel
        ax.set_yticks([])
    axes[0].set_yticks(list(rows), [f"{c.name[:22]} ({c.country})" for c in scored], fontsize=7)
    handles = [Line2D([], [], marker="o", linestyle="", color=_tier_colour(t, tiers), label=f"tier: {t}") for t in tiers]
    handles.append(Line2D([], [], color="#999999", linewidth=1.4, label="range if unknown facts were at worst / best"))
    figure.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=7, frameon=False,
                  bbox_to_anchor=(0.5, -0.02))
    figure.supxlabel("score, 0-100 on fixed goalposts (dot: the score on known facts; no dot: insufficient data)",
                     fontsize=7.5, y=0.02)
    return _svg(figure)


def _score_distribution(scored: list[CountryResult], panels: list[tuple[str, list[NodeResult]]],
                        tiers: list[str]) -> str:
    """The score chart at scale: per panel, how many countries score in each band of 5 points,
    stacked by tier (a row per country would be thousands of rows no one can read)."""
    bands = np.arange(0, 105, 5)
    figure, axes = plt.subplots(1, len(panels), figsize=(2.3 * len(panels), 2.6), sharey=True)
    for ax, (title, nodes) in zip(axes, panels, strict=True):
        # one filled step outline a tier (its band counts stacked on the tiers below), not a
        # rectangle a band: laying out thousands of rectangles was most of the chart's time
        below = np.zeros(len(bands) - 1)
        for tier in tiers:
            scores = [node.score for row, node in enumerate(nodes) if node.score is not None
                      and (node.tier or scored[row].overall.tier) == tier]
            top = below + _band_counts(scores, bands)
            ax.stairs(top, bands, baseline=below, fill=True, color=_tier_colour(tier, tiers))
            below = top
        unscored = sum(node.score is None for node in nodes)
        ax.set_title(title + (f"\n({unscored} insufficient data)" if unscored else ""), fontsize=7, loc="left")
        ax.set_xlim(0, 100)
        ax.set_xticks([0, 50, 100])
        ax.grid(axis="y", color="#eeeeee")
    axes[0].set_ylabel("countries", fontsize=7.5)
    figure.supxlabel(f"score, 0-100 on fixed goalposts, in bands of 5 points: {len(scored):,} scored countries "
                     "(coloured by tier; the ranges unknown facts leave are in each country's details)",
                     fontsize=7.5, y=-0.04)
    return _svg(figure)


def _band_counts(scores: list[float], bands: np.ndarray) -> np.ndarray:
    """How many scores fall in each band (the last band holds its upper end: a score of 100)."""
    return np.histogram(scores, bins=bands)[0].astype(float)


@dataclass(frozen=True)
class RouteMap:
    title: str
    svg: Markup
    links: int


def _route_maps(workspace: Workspace, assessment: Assessment, priorities: Prioritization | None) -> list[RouteMap]:
    """One map per family of commodities: the links that carry harm-weighted flow to the destination,
    their width its share; the destination at the centre, countries on rings by how many hops away."""
    if priorities is None or workspace.network is None:
        return []
    from ..analysis.prioritize import routes_toward

    routes = routes_toward(workspace, assessment, priorities.destination)
    flows = routes.state().links()
    names = {**workspace.network.regions, **{c.country: c.name for c in assessment.countries}}
    tiers = [tier.name for tier in workspace.ruleset.header.tiers]
    results = {c.country: c for c in assessment.countries}
    maps = []
    for title, family in FAMILIES.items():
        links = [route for route in flows if route.commodity in family]
        if links:
            maps.append(RouteMap(title, Markup(_route_map(links, priorities.destination, names, results, tiers)),
                                 len(links)))
    return maps


def _route_map(links: list[Route], destination: str, names: dict[str, str], results: dict[str, CountryResult],
               tiers: list[str]) -> str:
    graph = nx.DiGraph()
    for route in links:  # a link told for two commodities of a family is drawn once, with their shares summed
        share = graph.edges[route.tail, route.head]["share"] if graph.has_edge(route.tail, route.head) else 0.0
        graph.add_edge(route.tail, route.head, share=share + route.harm)
    hops = nx.single_target_shortest_path_length(graph, destination) if destination in graph else {}
    rings: dict[int, list[str]] = {}
    for node in sorted(graph):
        rings.setdefault(int(dict(hops).get(node, 0)), []).append(node)
    position = {}
    for ring, nodes in rings.items():
        for i, node in enumerate(nodes):
            angle = 2 * math.pi * i / len(nodes) + ring * 0.35
            position[node] = (ring * math.cos(angle), ring * math.sin(angle))
    figure, axes = plt.subplots(figsize=(5.6, 4.6))
    widest = max(data["share"] for *_, data in graph.edges(data=True))
    nx.draw_networkx_edges(graph, position, ax=axes, width=[0.6 + 5.0 * data["share"] / widest
                                                             for *_, data in graph.edges(data=True)],
                           edge_color="#5b6f8a", arrows=True, arrowsize=9, connectionstyle="arc3,rad=0.06", node_size=140)
    colours = [_tier_colour(results[n].overall.tier if n in results else None, tiers) for n in graph]
    nx.draw_networkx_nodes(graph, position, ax=axes, node_size=140, node_color=colours, edgecolors="#333333",
                           linewidths=0.4)
    for node, (x, y) in position.items():  # the destination's name below it, every other above
        below = node == destination
        axes.annotate(_short(names.get(node, node), 22), (x, y), xytext=(0, -11 if below else 7), textcoords="offset points",
                      ha="center", fontsize=7, fontweight="bold" if below else "normal")
    axes.set_axis_off()
    axes.margins(0.12)
    return _svg(figure)


def humane(name: str) -> str:
    """An identifier as words (``early_warning_participation`` -> ``early warning participation``)."""
    return name.replace("_", " ")


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- tables and country pages --------------------------------------------------------------------------

def _priority_rows(result: Prioritization) -> list[dict[str, Any]]:
    """The ranked countries that have leverage (the rest are counted, not listed)."""
    return [{"rank": p.rank, "country": p.country, "name": p.name,
             "leverage": leverage_text(p.leverage, p.leverage_low, p.leverage_high), "need": p.need,
             "routes": [humane(route) for route in p.routes[:3]],
             "weakest": [f"{w['title']} ({w['score']:.0f})" for w in p.weakest],
             "offers": [f"{i['text']!s} ({KIND_LABELS.get(str(i.get('kind')), '')})" for i in p.interventions],
             "why": [humane_text(why) for why in p.why], "runner_up": p.runner_up["country"] if p.runner_up else None}
            for p in result.picks if p.leverage > 0]


def _largest_flow_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The picks that stop flow, most first (in buying order where equal): what a planner reads the
    budget for; picks that buy score points only are counted beside them, not listed first."""
    return sorted((row for row in rows if row["stops"]), key=lambda row: (-row["flow"], row["rank"]))


def _portfolio_rows(portfolio: Portfolio) -> list[dict[str, Any]]:
    return [{"rank": p.rank, "package": humane(p.package), "text": p.text, "country": p.country, "name": p.name,
             "lead": p.lead, "channel": humane(p.channel) if p.channel else "", "low": p.cost_low_usd,
             "high": p.cost_high_usd, "assumed": p.cost_basis != "sourced",
             "stopped": leverage_text(p.flow_stopped, p.flow_stopped_low, p.flow_stopped_high),
             "stops": p.flow_stopped > 0, "flow": p.flow_stopped, "before": p.overall_before[1], "after": p.overall_after[1],
             "points": p.overall_after[1] - p.overall_before[1], "why": [humane_text(why) for why in p.why]}
            for p in portfolio.picks]


def _change_rows(result: Diff) -> list[dict[str, Any]]:
    """Countries whose overall estimate moved, largest first; only facts whose value changed are causes."""
    rows = []
    for country in result.countries:
        overall = next((m for m in country.moves if m.kind == "overall"), None)
        if overall is None:
            continue
        facts = sorted({_fact_change(f) for m in country.moves for f in m.facts})
        windows = sorted({humane_text(change) for m in country.moves for change in m.applicability})
        old: float | None
        new: float | None
        delta: float | None
        # as the rule set publishes them (its units and direction)
        if overall.old_expected_shown is not None and overall.new_expected_shown is not None:  # the estimates moved
            old, new = overall.old_expected_shown, overall.new_expected_shown
            delta = new - old
            size = abs(delta)
        else:
            old, new, delta, size = overall.old_shown, overall.new_shown, overall.delta, overall.size
        rows.append({"size": size, "country": country.country, "name": country.name,
                     "old": interval_or_none(old), "new": interval_or_none(new),
                     "delta": delta, "cause": _causes(overall.causes), "facts": facts, "windows": windows})
    return sorted(rows, key=lambda row: (-row["size"], row["country"]))


CAUSES = {"facts": "evidence (facts changed)", "rules": "the rules", "priors": "the priors",
          "rule became applicable": "a rule came into force", "rule no longer applicable": "a rule lapsed",
          "as-of year": "the passing of time (a rule reads a date)"}


def _causes(causes: list[str]) -> str:
    words = [CAUSES.get(cause, cause) for cause in causes]
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


def _fact_change(change: FactChange) -> str:
    """``drug observatory: unknown -> true (2024-07-02)``: the fact by name, a date only where one was recorded."""
    def side(reading: JSONObject | None) -> str:
        if reading is None:
            return "not recorded"
        when = _date(reading.get("as_of"))
        return humane_text(display(reading["value"])) + (f" ({when})" if when else "")
    return f"{humane(change.fact)}: {side(change.old)} → {side(change.new)}"


def _date(as_of: Any) -> str:
    """A recorded date; none for the placeholder an unknown value carries (``1900-01-01``)."""
    text = "" if as_of is None else str(as_of)
    return "" if not text or text.startswith(PLACEHOLDER_YEARS) else text


def humane_text(text: str) -> str:
    """A sentence from an analysis with the identifiers in it as words (``G5.multilateral.coalition_pledge``
    stays a path of words: ``G5 multilateral coalition pledge``)."""
    return IDENTIFIER.sub(lambda match: match.group().replace(".", " ").replace("_", " "), text)


def interval_or_none(score: float | None) -> str:
    return "insufficient data" if score is None else f"{score:.1f}"


def tier_label(tier: str | None) -> str:
    return "insufficient data" if tier in (None, "insufficient_data") else str(tier)


def _country(result: CountryResult, ranking: dict[str, Any]) -> dict[str, Any]:
    rules = result.rules()
    return {
        **ranking, "score": interval_text(result.overall), "detailed": True,
        "goals": [(goal.id, goal.title, estimate_text(goal), interval_text(goal), tier_label(goal.tier) if goal.applicable else "not applicable")
                  for goal in result.goals],
        "strengths": [_rule(r) for r in rules if r.score is not None and not r.falls_short],
        "gaps": [_rule(r) for r in rules if r.falls_short],
        "unknown": [(humane(fact), share) for fact, share in result.unknown_facts()][:8],
        "offers": [(KIND_LABELS[kind], [(str(i["text"]), str(i.get("lead", ""))) for i in items])
                   for kind, items in recommendations(result).items()],
        "priors": [_prior(prior) for prior in result.priors if prior.estimated][:8],
        "priors_more": max(0, sum(prior.estimated for prior in result.priors) - 8),
    }


def _prior(prior: Any) -> str:
    """``npp anpp controlled: P(true) = 0.62 (cohort: ...)``: the prior one unknown fact was drawn from."""
    return humane_text(prior.text())


def _listed(result: CountryResult, ranking: dict[str, Any]) -> dict[str, Any]:
    """A country the page lists with its score but writes no details for (at scale)."""
    return {**ranking, "score": interval_text(result.overall), "detailed": False}


def _rule(rule: NodeResult) -> dict[str, Any]:
    return {"title": rule.title, "score": rule.score,
            "facts": [(humane(f.fact), humane_text(f.value_text()), list(_linked(f.source)) if f.source else [],
                       _date(f.as_of), f.settled_by)
                      for f in rule.facts]}


def _linked(text: str) -> Iterator[tuple[str, str]]:
    """A source as pieces, each with its kind: ``url`` (the template makes it a link, which may break
    anywhere), ``keep`` (a token such as ``3(1)(11)``, kept on one line: browsers may break between
    a closing and an opening bracket, inside what a reader takes for one word) or ``text``."""
    for piece, is_url in _split(text, URL):
        if is_url:
            yield piece, "url"
        else:
            yield from ((part, "keep" if kept else "text") for part, kept in _split(piece, BRACKETED))


def _split(text: str, pattern: re.Pattern[str]) -> Iterator[tuple[str, bool]]:
    """The text in pieces, each with whether ``pattern`` matched it."""
    at = 0
    for match in pattern.finditer(text):
        if match.start() > at:
            yield text[at:match.start()], False
        yield match.group(), True
        at = match.end()
    if at < len(text):
        yield text[at:], False
