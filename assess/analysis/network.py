"""The trafficking network as flow networks toward one destination, and partnership ties.

For each commodity, trafficking links active in the as-of year form a flow network: every
country is split into an in/out chokepoint whose capacity is its potential throughput times
(1 - effectiveness x interdiction capacity), links carry their relative volume, a super-source
feeds every origin, and the destination market is the sink (networkx maximum flow, algorithm
pinned in ``network.yaml``). ``FlowState`` answers what-ifs on it: the flow lost if one
country's capacity gap were closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import networkx as nx

from ..engine.conditions import Snapshot, compile_condition
from ..engine.models import NetworkConfig, TraffickingLink
from ..engine.results import JSONObject
from ..engine.values import UNKNOWN
from ..engine.workspace import CountryProfile, Workspace

SOURCE = "<source>"
# Capacities are scaled to integers: networkx's flow algorithms are exact on integers and can
# fail on floats (preflow_push raised IndexError on float capacities in our property tests).
SCALE = 10**6


def _units(amount: float) -> int:
    return round(amount * SCALE)


class FlowModel:
    """The per-commodity flow networks toward one destination."""

    def __init__(self, links: Iterable[TraffickingLink], destination: str, config: NetworkConfig,
                 countries: set[str]) -> None:
        self.destination = destination
        self.effectiveness = config.interdiction.effectiveness
        self.flow_func = getattr(nx.algorithms.flow, config.flow_algorithm)
        self.countries = countries  # nodes that interdict; regions pass everything
        volume = {**config.volumes, "unknown": config.volumes[config.unknown_volume]}
        self.edges: dict[str, dict[tuple[str, str], float]] = {}
        for link in sorted(links, key=lambda item: (item.commodity, item.from_, item.to)):
            pairs = self.edges.setdefault(link.commodity, {})
            key = (link.from_, link.to)
            pairs[key] = max(pairs.get(key, 0.0), volume[link.volume])  # one route told twice is still one route
        self.potential = {commodity: self._potential(pairs) for commodity, pairs in self.edges.items()}

    @staticmethod
    def _potential(pairs: dict[tuple[str, str], float]) -> dict[str, float]:
        inflow: dict[str, float] = {}
        outflow: dict[str, float] = {}
        for (tail, head), volume in pairs.items():
            outflow[tail] = outflow.get(tail, 0.0) + volume
            inflow[head] = inflow.get(head, 0.0) + volume
        return {node: max(inflow.get(node, 0.0), outflow.get(node, 0.0)) for node in sorted({*inflow, *outflow})}

    def graph(self, commodity: str, capacity: Callable[[str], float]) -> nx.DiGraph:
        pairs, potential = self.edges[commodity], self.potential[commodity]
        heads = {head for _, head in pairs}
        graph = nx.DiGraph()
        for node in potential:
            if node == self.destination:
                continue
            graph.add_edge(f"{node}>in", f"{node}>out", capacity=self.units_through(commodity, node, capacity(node)))
            if node not in heads:
                graph.add_edge(SOURCE, f"{node}>in")  # no capacity: unbounded supply at origins
        for (tail, head), volume in pairs.items():
            if tail != self.destination:
                target = head if head == self.destination else f"{head}>in"
                graph.add_edge(f"{tail}>out", target, capacity=_units(volume))
        return graph

    def flow(self, capacity: Callable[[str], float]) -> tuple[float, dict[str, JSONObject]]:
        """Total flow reaching the destination, and each commodity's flow on every edge."""
        state = FlowState(self, capacity)
        return state.total, state.flows

    def units_through(self, commodity: str, node: str, capacity: float) -> int:
        """The chokepoint capacity of a node in one commodity's network."""
        share = 1.0 - self.effectiveness * capacity if node in self.countries else 1.0
        return _units(self.potential[commodity][node] * share)

    def route_nodes(self) -> set[str]:
        """Every node with a path to the destination in some commodity's network."""
        nodes: set[str] = set()
        for pairs in self.edges.values():
            graph = nx.DiGraph(list(pairs))
            if self.destination in graph:
                nodes |= nx.ancestors(graph, self.destination)
        return nodes

    def betweenness(self) -> dict[str, float]:
        """Share of origin-to-destination shortest paths through each node (second view)."""
        graph = nx.DiGraph(sorted({pair for pairs in self.edges.values() for pair in pairs}))
        if self.destination not in graph:
            return {}
        origins = sorted(node for node in graph if graph.in_degree(node) == 0)
        centrality: dict[str, float] = nx.betweenness_centrality_subset(graph, origins, [self.destination], normalized=True)
        return centrality


class FlowState:
    """The flow networks for the current capacities, their maximum flows, and what-ifs on them.

    Graphs are built once and changed in place: a what-if sets one chokepoint, solves, and
    restores it, so only the commodities a country carries flow for are ever recomputed.
    """

    def __init__(self, model: FlowModel, capacity: Callable[[str], float]) -> None:
        self.model = model
        self.graphs = {commodity: model.graph(commodity, capacity) for commodity in sorted(model.edges)}
        self.values: dict[str, int] = {}
        self.flows: dict[str, JSONObject] = {}  # commodity -> tail -> head -> flow (in link-volume units)
        self.solve()

    def solve(self, commodities: Iterable[str] | None = None) -> None:
        """Maximum flow of the given commodities' networks (all by default)."""
        for commodity in sorted(self.graphs) if commodities is None else commodities:
            graph = self.graphs[commodity]
            if self.model.destination in graph and SOURCE in graph:
                value, flow = nx.maximum_flow(graph, SOURCE, self.model.destination, flow_func=self.model.flow_func)
                self.values[commodity] = value
                self.flows[commodity] = {tail: {head: units / SCALE for head, units in heads.items()}
                                         for tail, heads in flow.items()}

    @property
    def total(self) -> float:
        return sum(self.values.values()) / SCALE

    def _excess(self, node: str) -> dict[str, int]:
        """Per commodity, how far the flow through a node exceeds its capacity once its gap is closed."""
        excess = {}
        for commodity, flow in self.flows.items():
            carried = _units(flow.get(f"{node}>in", {}).get(f"{node}>out", 0.0))
            closed = self.model.units_through(commodity, node, 1.0) if node in self.model.potential[commodity] else carried
            if carried > closed:
                excess[commodity] = carried - closed
        return excess

    def leverage_bound(self, node: str) -> float:
        """An upper bound on leverage: the flow above the closed capacity could all be lost, no more."""
        return sum(self._excess(node).values()) / SCALE

    def leverage(self, node: str) -> float:
        """Exactly how much flow to the destination closing this node's gap removes."""
        lost = 0
        for commodity in self._excess(node):
            edge = self.graphs[commodity][f"{node}>in"][f"{node}>out"]
            kept = edge["capacity"]
            edge["capacity"] = self.model.units_through(commodity, node, 1.0)
            value = nx.maximum_flow_value(self.graphs[commodity], SOURCE, self.model.destination,
                                          flow_func=self.model.flow_func)
            edge["capacity"] = kept
            lost += self.values[commodity] - value
        return lost / SCALE

    def close(self, node: str) -> None:
        """Close a node's gap for good and re-solve the networks that changed."""
        changed = []
        for commodity, graph in self.graphs.items():
            if graph.has_edge(f"{node}>in", f"{node}>out"):
                edge = graph[f"{node}>in"][f"{node}>out"]
                closed = self.model.units_through(commodity, node, 1.0)
                if edge["capacity"] != closed:
                    edge["capacity"] = closed
                    changed.append(commodity)
        self.solve(changed)


Pair = frozenset[str]  # two countries, in no order


def partnership_ties(workspace: Workspace, year: int) -> dict[Pair, set[str]]:
    """Kinds of partnership between each pair of countries, as of ``year``."""
    config, network = workspace.require_network("partnership ties")
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    ties: dict[Pair, set[str]] = {}
    for partnership in network.partnerships:
        if partnership.since <= end and (partnership.until is None or partnership.until >= start):
            ties.setdefault(frozenset(partnership.between), set()).add(partnership.kind)
    for kind, test in config.memberships.items():
        condition = compile_condition(test, workspace.ruleset.facts)
        members = sorted(code for code, profile in workspace.profiles.items()
                         if condition.test(_snapshot(profile, test.fact, year)))
        for i, first in enumerate(members):
            for second in members[i + 1:]:
                ties.setdefault(frozenset((first, second)), set()).add(kind)
    return ties


def _snapshot(profile: CountryProfile, fact: str, year: int) -> Snapshot:
    reading = profile.reading(fact, year)
    return Snapshot({} if reading is None or reading.value is UNKNOWN else {fact: reading.value}, year)


