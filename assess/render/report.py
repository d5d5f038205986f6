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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import matplotlib

matplotlib.use("Agg")  # no display; must precede pyplot
import matplotlib.pyplot as plt
import networkx as nx
from markupsafe import Markup
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..analysis.diff import Diff
from ..analysis.network import Route
from ..analysis.portfolio import Portfolio
from ..analysis.prioritize import Prioritization
from ..engine.results import Assessment, CountryResult, NodeResult
from ..engine.values import display
from ..engine.workspace import Workspace
from ..version import __version__
from .views import KIND_LABELS, flow_unit_note, interval_text, leverage_text, recommendations

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
URL = re.compile(r"https?://[^\s;,)\]]+")
FAMILIES = {  # route maps: one panel per family of commodities (a precursor shows with its product)
    "Fentanyl and its precursors": ("fentanyl", "fentanyl_precursors", "pill_presses"),
    "Methamphetamine and its precursors": ("methamphetamine", "methamphetamine_precursors"),
    "Cocaine": ("cocaine",),
    "Other synthetic drugs": ("nps", "nps_precursors", "tramadol", "captagon"),
}
TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True,
    undefined=jinja2.StrictUndefined, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)


def build_report(workspace: Workspace, assessment: Assessment, priorities: Prioritization | None = None,
                 portfolio: Portfolio | None = None, changes: Diff | None = None) -> str:
    """The whole HTML document."""
    tiers = [tier.name for tier in workspace.ruleset.header.tiers]
    ranked = assessment.ranked()
    change_rows = _change_rows(changes) if changes else None
    named = _named(priorities, portfolio, change_rows)
    detailed = {c.country for c in ranked[:AT_SCALE]} | named
    context = {
        "title": f"Synthetic-drug capacity assessment, {assessment.stamp.year}",
        "destination": priorities.destination if priorities else None,
        "stamp": assessment.stamp, "engine": __version__,
        "summary": _summary(assessment, priorities, portfolio, changes),
        "goals": [(goal.id, goal.title) for goal in workspace.ruleset.goals],
        "score_chart": Markup(_score_chart(ranked, tiers)),
        "tiers": [(name, _tier_colour(name, tiers)) for name in tiers],
        "route_maps": _route_maps(workspace, assessment, priorities),
        "priorities": _priority_rows(priorities) if priorities else None,
        "flow_note": flow_unit_note(priorities.harm) if priorities else None,
        "portfolio": portfolio.to_json() if portfolio else None,
        "changes": change_rows[:AT_SCALE] if change_rows is not None else None,
        "more_changes": len(change_rows) - AT_SCALE if change_rows is not None and len(change_rows) > AT_SCALE else 0,
        "compare_label": changes.old.label if changes else None,
        "countries": [_country(result) if result.country in detailed else _listed(result) for result in ranked],
        "at_scale": AT_SCALE if len(ranked) > len(detailed) else None,
    }
    return TEMPLATES.get_template("report.html.j2").render(**context)


# --- the executive summary --------------------------------------------------------------------------

def _named(priorities: Prioritization | None, portfolio: Portfolio | None,
           change_rows: list[dict[str, Any]] | None) -> set[str]:
    """Countries the page names outside the country section (their details are always written)."""
    named = {p.country for p in priorities.picks} if priorities else set()
    named |= {p.country for p in portfolio.picks} if portfolio else set()
    return named | {row["country"] for row in (change_rows or [])[:AT_SCALE]}


def _summary(assessment: Assessment, priorities: Prioritization | None, portfolio: Portfolio | None,
             changes: Diff | None) -> dict[str, Any]:
    countries = assessment.countries
    scored = [c for c in countries if c.score is not None]
    tiers: dict[str, int] = {}
    for country in scored:
        tiers[tier_label(country.overall.tier)] = tiers.get(tier_label(country.overall.tier), 0) + 1
    coverage = sorted(c.overall.coverage for c in countries)
    gaps: dict[str, tuple[float, int]] = {}
    for country in countries:
        for fact, share in country.unknown_facts():
            total, count = gaps.get(fact, (0.0, 0))
            gaps[fact] = (total + share, count + 1)
    return {
        "assessed": len(countries), "scored": len(scored), "insufficient": len(countries) - len(scored),
        "tiers": sorted(tiers.items()), "median_coverage": coverage[len(coverage) // 2] if coverage else 0.0,
        "well_known": sum(c.overall.coverage >= 0.5 for c in countries),
        "funding": _funding(portfolio),
        "ranking": [(p.country, p.name, leverage_text(p.leverage, p.leverage_low, p.leverage_high), p.why[0])
                    for p in (priorities.picks[:5] if priorities else [])],
        "moves": _change_rows(changes)[:5] if changes else [],
        "gaps": [(humane(fact), count, total / len(countries))
                 for fact, (total, count) in sorted(gaps.items(), key=lambda item: (-item[1][0], item[0]))[:6]],
    }


def _funding(portfolio: Portfolio | None) -> dict[str, Any] | None:
    if portfolio is None:
        return None
    data = portfolio.to_json()
    flow_after = data["flow_after"]
    cut = 1 - flow_after / portfolio.baseline_flow if portfolio.baseline_flow > 0 else 0.0
    return {"budget": portfolio.budget_usd, "spent": portfolio.spent_usd, "spent_range": data["spent_range_usd"],
            "packages": len(portfolio.picks), "cut": cut, "destination": portfolio.destination,
            "top": [(humane(p.package), p.country, p.name, p.lead, p.cost_low_usd, p.cost_high_usd, p.flow_stopped,
                 p.overall_after[1] - p.overall_before[1], p.cost_basis) for p in portfolio.picks[:5]]}


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
    figure, axes = plt.subplots(1, len(panels), figsize=(2.3 * len(panels), 0.19 * len(scored) + 1.4), sharey=True)
    rows = range(len(scored))
    for ax, (title, nodes) in zip(axes, panels, strict=True):
        for row, node in zip(rows, nodes, strict=True):
            if node.low is not None and node.high is not None and node.applicable:
                ax.plot([node.low, node.high], [row, row], color="#999999", linewidth=1.4, solid_capstyle="butt")
            if node.score is not None:
                ax.plot(node.score, row, "o", markersize=4, color=_tier_colour(node.tier or scored[row].overall.tier, tiers))
        ax.set_title(title, fontsize=7, loc="left")
        ax.set_xlim(-4, 104)  # a dot at 0 or 100 is drawn whole
        ax.set_xticks([0, 50, 100])
        ax.grid(axis="x", color="#eeeeee")
    axes[0].invert_yaxis()  # the panels share it: best-ranked at the top of every panel
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
    bands = list(range(0, 105, 5))
    figure, axes = plt.subplots(1, len(panels), figsize=(2.3 * len(panels), 2.6), sharey=True)
    for ax, (title, nodes) in zip(axes, panels, strict=True):
        stacks = [[node.score for row, node in enumerate(nodes) if node.score is not None
                   and (node.tier or scored[row].overall.tier) == tier] for tier in tiers]
        ax.hist(stacks, bins=bands, stacked=True, color=[_tier_colour(tier, tiers) for tier in tiers])
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
             "routes": p.routes[:3], "weakest": [f"{w['title']} ({w['score']:.0f})" for w in p.weakest],
             "offers": [f"{i['text']} ({KIND_LABELS.get(str(i.get('kind')), '')})" for i in p.interventions],
             "why": p.why, "runner_up": p.runner_up["country"] if p.runner_up else None}
            for p in result.picks if p.leverage > 0]


def _change_rows(result: Diff) -> list[dict[str, Any]]:
    """Countries whose overall score moved, largest first; only facts whose value changed are causes."""
    rows = []
    for country in result.countries:
        overall = next((m for m in country.moves if m.kind == "overall"), None)
        if overall is None:
            continue
        facts = sorted({f.describe() for m in country.moves for f in m.facts})
        windows = sorted({change for m in country.moves for change in m.applicability})
        rows.append({"size": overall.size, "country": country.country, "name": country.name,
                     "old": interval_or_none(overall.old_score), "new": interval_or_none(overall.new_score),
                     "delta": overall.delta, "cause": overall.cause, "facts": facts, "windows": windows})
    return sorted(rows, key=lambda row: (-row["size"], row["country"]))


def interval_or_none(score: float | None) -> str:
    return "insufficient data" if score is None else f"{score:.1f}"


def tier_label(tier: str | None) -> str:
    return "insufficient data" if tier in (None, "insufficient_data") else str(tier)


def _country(result: CountryResult) -> dict[str, Any]:
    rules = result.rules()
    return {
        "code": result.country, "name": result.name, "score": interval_text(result.overall),
        "tier": tier_label(result.overall.tier), "coverage": result.overall.coverage,
        "goals": [(goal.id, goal.title, interval_text(goal), tier_label(goal.tier)) for goal in result.goals],
        "strengths": [_rule(r) for r in rules if r.score is not None and not r.falls_short],
        "gaps": [_rule(r) for r in rules if r.falls_short],
        "unknown": [(fact, share) for fact, share in result.unknown_facts()][:8],
        "offers": [(KIND_LABELS[kind], [(str(i["text"]), str(i.get("lead", ""))) for i in items])
                   for kind, items in recommendations(result).items()],
        "detailed": True,
    }


def _listed(result: CountryResult) -> dict[str, Any]:
    """A country the page lists with its score but writes no details for (at scale)."""
    return {"code": result.country, "name": result.name, "score": interval_text(result.overall), "detailed": False}


def _rule(rule: NodeResult) -> dict[str, Any]:
    return {"title": rule.title, "score": rule.score,
            "facts": [(f.fact, display(f.value), list(_linked(f.source)) if f.source else [], f.as_of or "")
                      for f in rule.facts]}


def _linked(text: str) -> Iterator[tuple[str, bool]]:
    """A source as pieces of text and web addresses (the template makes the addresses links)."""
    at = 0
    for match in URL.finditer(text):
        if match.start() > at:
            yield text[at:match.start()], False
        yield match.group(), True
        at = match.end()
    if at < len(text):
        yield text[at:], False
