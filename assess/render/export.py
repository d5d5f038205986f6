"""``assess graph``: the network for Gephi (GraphML, GEXF), D3 (node-link JSON) and Graphviz (DOT).

One MultiDiGraph holds every country and region (with scores, tiers and coverage as of the
year) and every trafficking and partnership link (with dates and sources). Attribute values
are flattened to text or numbers so GraphML and GEXF load in Gephi; missing values are left
out rather than written as empty strings. A link's citation is its ``reference`` attribute:
node-link JSON reserves ``source`` and ``target`` for the link's ends.
"""

from __future__ import annotations

import re
from typing import Any

import networkx as nx

from ..engine.canonical import dumps
from ..engine.results import Assessment, CountryResult
from ..engine.workspace import Network
from ..errors import visible

FORMATS = ("graphml", "gexf", "json", "dot")


def network_graph(network: Network, assessment: Assessment) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(year=assessment.stamp.year, ruleset=assessment.stamp.ruleset_id)
    results = {result.country: result for result in assessment.countries}
    nodes = set(results) | {node for link in network.links for node in (link.from_, link.to)}
    nodes |= {code for p in network.partnerships for code in p.between}
    for node in sorted(nodes):
        graph.add_node(node, **_node_attributes(node, results.get(node), network.regions))
    for i, link in enumerate(sorted(network.links, key=lambda item: (item.from_, item.to, item.commodity, item.since))):
        graph.add_edge(link.from_, link.to, key=f"trafficking-{i}", **_clean({
            "kind": "trafficking", "commodity": link.commodity, "modalities": "; ".join(link.modalities),
            "volume": link.volume, "confidence": link.confidence, "since": link.since.isoformat(),
            "until": link.until.isoformat() if link.until else None, "reference": link.source}))
    for i, partnership in enumerate(sorted(network.partnerships, key=lambda p: (p.between, p.kind))):
        first, second = sorted(partnership.between)
        graph.add_edge(first, second, key=f"partnership-{i}", **_clean({
            "kind": "partnership", "partnership": partnership.kind, "since": partnership.since.isoformat(),
            "reference": partnership.source}))
    return graph


def _node_attributes(node: str, result: CountryResult | None, regions: dict[str, str]) -> dict[str, Any]:
    if node in regions:
        return {"kind": "region", "label": regions[node]}
    attributes: dict[str, Any] = {"kind": "country", "label": result.name if result else node}
    if result is not None:
        attributes.update(score=result.score, tier=result.overall.tier, coverage=result.overall.coverage)
        attributes.update({f"score_{goal.id}": goal.score for goal in result.goals})
    return _clean(attributes)


def _clean(attributes: dict[str, Any]) -> dict[str, Any]:
    """Drop missing values; make text safe for every format (XML 1.0 cannot hold control characters)."""
    return {key: visible(value) if isinstance(value, str) else value for key, value in attributes.items()
            if value not in (None, "")}


def render_graph(graph: nx.MultiDiGraph, fmt: str) -> str:
    if fmt == "graphml":
        return "\n".join(nx.generate_graphml(graph)) + "\n"
    if fmt == "gexf":
        text = "\n".join(nx.generate_gexf(graph)) + "\n"
        # networkx stamps today's date; the as-of year end keeps the file reproducible
        return re.sub(r'lastmodifieddate="[^"]*"', f'lastmodifieddate="{graph.graph["year"]}-12-31"', text)
    if fmt == "json":
        return dumps(nx.node_link_data(graph, edges="links"))
    return _dot(graph)


def _dot(graph: nx.MultiDiGraph) -> str:
    """Graphviz DOT with every name and value a quoted string. Written here rather than by pydot,
    which passes a value shaped like ``<...>`` through unquoted as an HTML label, so profile text
    could become live markup (a ``javascript:`` link) in the rendered graph."""
    lines = ["digraph network {", *(f"{name}={_quoted(str(value))};" for name, value in sorted(graph.graph.items()))]
    lines += [f"{_quoted(str(node))}{_attributes(data)};" for node, data in graph.nodes(data=True)]
    lines += [f"{_quoted(str(tail))} -> {_quoted(str(head))}{_attributes({'key': key, **data})};"
              for tail, head, key, data in graph.edges(keys=True, data=True)]
    return "\n".join([*lines, "}"]) + "\n"


def _attributes(data: dict[str, Any]) -> str:
    return " [" + ", ".join(f"{name}={_quoted(str(value))}" for name, value in sorted(data.items())) + "]" if data else ""


def _quoted(text: str) -> str:
    """A DOT double-quoted string: quotes and backslashes escaped, no line breaks."""
    return '"' + visible(text, newlines=False).replace("\\", "\\\\").replace('"', '\\"') + '"'
