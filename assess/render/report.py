"""``assess report``: one self-contained HTML file for briefing leadership.

Charts are drawn by matplotlib (and networkx's matplotlib drawing) as SVG and inlined, so the
file opens with no network access. Every text that comes from a profile or rule is escaped.
SVG output is made reproducible: a fixed hash salt, no date, text kept as text.
"""

from __future__ import annotations

import html
import io
from collections.abc import Iterable

import matplotlib

matplotlib.use("Agg")  # no display; must precede pyplot
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
from matplotlib.figure import Figure

from ..analysis.diff import Diff
from ..analysis.prioritize import Prioritization
from ..engine.results import Assessment, CountryResult, NodeResult
from ..engine.values import display
from ..engine.workspace import Network, Workspace
from ..version import __version__
from .views import KIND_LABELS, flow_unit_note, gaps_text, interval_text, leverage_text, recommendations, score_text

plt.rcParams.update({"svg.hashsalt": "assess", "svg.fonttype": "none", "font.size": 8})
TIER_COLOURS = ["#d73027", "#fc8d59", "#91bfdb", "#4575b4"]  # lowest tier first
INSUFFICIENT_COLOUR = "#bdbdbd"


def build_report(workspace: Workspace, assessment: Assessment, priorities: Prioritization | None = None,
                 changes: Diff | None = None) -> str:
    """The whole HTML document: scores, routes and priorities (when the workspace has a network),
    changes (when given a diff against an earlier year) and every country's strengths and gaps."""
    parts = [_header(assessment), _section("Scores by strategic goal", _heatmap(assessment))]
    if workspace.network is not None:
        parts.append(_section("Trafficking routes", _network(workspace, workspace.network, assessment)))
    if priorities is not None:
        parts.append(_section(f"Where assistance buys the most (toward {html.escape(priorities.destination)})",
                              _priorities(priorities)))
    if changes is not None:
        parts.append(_section(f"Changes since {changes.old.label}", _changes(changes)))
    parts.append(_section("Countries: strengths, gaps and the facts behind them",
                          "".join(country_section(result) for result in assessment.ranked())))
    return _page(f"Synthetic-drug capacity assessment, {assessment.stamp.year}", "".join(parts))


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


def _heatmap(assessment: Assessment) -> str:
    countries = assessment.ranked()
    goals = [goal.id for goal in countries[0].goals] if countries else []
    values = np.array([[np.nan if node.score is None else node.score for node in [*c.goals, c.overall]] for c in countries],
                      dtype=float)
    figure, axes = plt.subplots(figsize=(1.0 * (len(goals) + 1) + 2.5, 0.22 * len(countries) + 1.2))
    cmap = matplotlib.colormaps["RdYlBu"].with_extremes(bad=INSUFFICIENT_COLOUR)
    axes.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=0, vmax=100, aspect="auto")
    axes.set_xticks(range(len(goals) + 1), [*goals, "overall"])
    axes.set_yticks(range(len(countries)),
                    [f"{c.country} ({c.overall.coverage * 100:.0f}% known)" for c in countries])
    axes.xaxis.tick_top()
    for row, row_values in enumerate(values):
        for col, value in enumerate(row_values):
            dark = not np.isnan(value) and (value >= 85 or value <= 12)  # the colour map's dark ends
            axes.text(col, row, "n/a" if np.isnan(value) else f"{value:.0f}", ha="center", va="center", fontsize=7,
                      color="white" if dark else "black")
    axes.set_title("0-100 on fixed goalposts; n/a = insufficient data", fontsize=8, pad=24)
    return _svg(figure)


def _network(workspace: Workspace, network: Network, assessment: Assessment) -> str:
    links = network.active_links(assessment.stamp.year)
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(sorted({node for link in links for node in (link.from_, link.to)}))
    commodities = sorted({link.commodity for link in links})
    palette = matplotlib.colormaps["tab10"]
    colour_of = {commodity: palette(i % 10) for i, commodity in enumerate(commodities)}
    for link in sorted(links, key=lambda item: (item.from_, item.to, item.commodity)):
        graph.add_edge(link.from_, link.to, commodity=link.commodity)
    tiers = [tier.name for tier in workspace.ruleset.header.tiers]
    results = {c.country: c for c in assessment.countries}
    figure, axes = plt.subplots(figsize=(11, 8))
    # ForceAtlas2 with strong gravity keeps the many small route components near the centre (numpy only; seeded)
    position = nx.forceatlas2_layout(nx.Graph(graph), seed=7, max_iter=300, gravity=5.0, scaling_ratio=2.0)
    nx.draw_networkx_nodes(graph, position, ax=axes, node_size=260,
                           node_color=[_tier_colour(results[n].overall.tier if n in results else None, tiers) for n in graph])
    nx.draw_networkx_labels(graph, position, ax=axes, font_size=6)
    nx.draw_networkx_edges(graph, position, ax=axes, edge_color=[colour_of[d["commodity"]] for *_, d in graph.edges(data=True)],
                           arrows=True, arrowsize=8, width=1.2, connectionstyle="arc3,rad=0.08", node_size=260)
    handles = [matplotlib.lines.Line2D([], [], color=colour_of[c], label=c) for c in commodities]
    handles += [matplotlib.lines.Line2D([], [], marker="o", linestyle="", color=_tier_colour(t, tiers), label=f"tier: {t}")
                for t in tiers]
    handles.append(matplotlib.lines.Line2D([], [], marker="o", linestyle="", color=INSUFFICIENT_COLOUR,
                                           label="insufficient data / region"))
    axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)
    axes.set_axis_off()
    return _svg(figure)


def _priorities(result: Prioritization) -> str:
    destination = result.destination
    rows = [[str(p.rank), f"{p.name} ({p.country})", f"{p.priority:.3f}", leverage_text(p.leverage, p.leverage_low, p.leverage_high),
             f"{p.need:.2f}", f"{p.feasibility:.2f}", "; ".join(p.routes) or "—",
             "; ".join(f"{w['title']} ({w['score']:.0f})" for w in p.weakest) or "—",
             "; ".join(i["text"] for i in p.interventions) or "—",
             p.runner_up["country"] if p.runner_up else "—", "; ".join(p.why)] for p in result.picks]
    note = (f"<p>{html.escape(flow_unit_note(result.harm))}. Of that potential flow, {result.baseline_flow:.1%} reaches "
            f"{html.escape(destination)}; each pick closes that country's capacity gap and recomputes.</p>")
    return note + _table(["#", "country", "priority", "leverage", "need", "feasibility", "routes",
                          "weakest criteria", "interventions", "beat", "why"], rows)


def _changes(result: Diff) -> str:
    """Largest overall moves first; only facts whose value changed are named as causes."""
    rows = []
    for country in result.countries:
        overall = next((m for m in country.moves if m.kind == "overall"), None)
        facts = sorted({f.describe() for m in country.moves for f in m.facts}
                       | {change for m in country.moves for change in m.applicability})
        causes = sorted({cause for m in country.moves for cause in m.causes})
        rows.append((overall.size if overall else 0.0, country.country, [country.country, country.status,
                     "—" if overall is None else f"{score_text(overall.old_score)} → {score_text(overall.new_score)}",
                     ", ".join(causes) or "rank only", "; ".join(facts) or "—"]))
    rows.sort(key=lambda row: (-row[0], row[1]))
    summary = f"<p>{len(result.countries)} countries changed, {len(result.unchanged)} unchanged.</p>"
    return summary + _table(["country", "status", "overall", "cause", "what changed"], [row for *_, row in rows])


def country_section(result: CountryResult) -> str:
    """One country: its score and bounds, strengths, and gaps (unknown facts first), with sources."""
    rules = result.rules()
    strengths = [r for r in rules if r.score is not None and not r.falls_short]
    gaps = [r for r in rules if r.falls_short]

    def listing(items: list[NodeResult], empty: str) -> str:
        if not items:
            return f"<p>{empty}</p>" if empty else ""
        return "<ul>" + "".join(
            f"<li>{html.escape(r.title)} ({score_text(r.score)}): "
            + "; ".join(f"{html.escape(f.fact)} = {html.escape(display(f.value))}"
                        + (f" <span class=src>({html.escape(f.source)}, {html.escape(f.as_of or '')})</span>" if f.source else "")
                        for f in r.facts)
            + "</li>" for r in items) + "</ul>"

    heading = (f"{html.escape(result.name)} ({html.escape(result.country)}): {interval_text(result.overall)}, "
               f"{html.escape(result.overall.tier or '')}, {result.overall.coverage * 100:.0f}% of weight known")
    unknown = "".join(f"<p><em>{html.escape(line)}</em></p>" for line in gaps_text(result))
    offers = "".join(f"<h5>{html.escape(KIND_LABELS[kind].capitalize())}</h5><ul>"
                     + "".join(f"<li>{html.escape(str(item['text']))} <span class=src>(lead: "
                               f"{html.escape(str(item.get('lead', '')))})</span></li>" for item in items) + "</ul>"
                     for kind, items in recommendations(result).items())
    return (f"<details><summary>{heading}</summary><h4>Strengths</h4>{listing(strengths, 'None recorded.')}"
            f"<h4>Gaps</h4>{unknown}{listing(gaps, '' if unknown else 'None recorded.')}"
            + (f"<h4>Recommended</h4>{offers}" if offers else "") + "</details>")


def _table(columns: list[str], rows: Iterable[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _section(title: str, body: str) -> str:
    return f"<section><h2>{title}</h2>{body}</section>"


def _header(assessment: Assessment) -> str:
    stamp = assessment.stamp
    scored = sum(c.score is not None for c in assessment.countries)
    return (f"<header><h1>Capacity to counter synthetic-drug threats, as of {stamp.year}</h1>"
            f"<p>{scored} of {len(assessment.countries)} countries scored; the rest have too few sourced facts "
            f"(insufficient data). Rule set {html.escape(stamp.ruleset_id)} {html.escape(stamp.ruleset_version)} "
            f"({html.escape(stamp.ruleset_hash)}), engine {__version__}. Profiles are a starting point for "
            f"planners' own assessments.</p></header>")


STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2rem auto;max-width:1200px;color:#222}
h1{font-size:1.6rem}h2{border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2.2rem}
table{border-collapse:collapse;font-size:.8rem;width:100%}th,td{border:1px solid #ddd;padding:.3rem;vertical-align:top;text-align:left}
th{background:#f3f3f3}details{margin:.3rem 0;padding:.3rem .6rem;border:1px solid #e3e3e3;border-radius:4px}
summary{cursor:pointer;font-weight:600}.src{color:#666;font-size:.85em}svg{max-width:100%;height:auto}
"""


def _page(title: str, body: str) -> str:
    return (f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{html.escape(title)}</title>"
            f"<meta name=viewport content='width=device-width, initial-scale=1'><style>{STYLE}</style></head>"
            f"<body>{body}</body></html>\n")
