"""The trafficking network as harm-weighted flows toward one destination, and partnership ties.

The model a counter-narcotics analyst would draw on a whiteboard, written as one linear system:

- **Origins.** A commodity starts where no link of it arrives: its supply there is what its
  links carry away (relative volume x the weight of the evidence for each link).
- **Conversion.** A declared chain (fentanyl precursors -> fentanyl) makes a country that
  receives the precursor and ships the product (and does not pass the precursor on) a
  *producer*: its output is its product links' volume, scaled by the share of its precursor
  supply that gets through; product arriving from elsewhere passes through on top.
  Interdicting precursors in China or India therefore lowers the fentanyl Mexico ships.
- **Interdiction compounds along a route.** Every country removes the share of each flow
  passing through it that its capacity allows (effectiveness x capacity), precursors it
  consumes included; what is left splits over its outgoing links in proportion to their
  volumes. Regions are places, not governments: they remove nothing.
- **Harm.** What reaches the destination is counted per commodity as a share of what would
  reach it if nobody interdicted anything, times the commodity's declared harm weight, so flows
  of cocaine, methamphetamine and fentanyl add up in one unit: the share of the destination's
  drug harm (e.g. overdose deaths) that arrives.

For capacities ``c`` the flows solve ``(I - A^T) f = s``; the value of a unit of flow at each node
solves the adjoint ``(I - A) y = r``. A country's **leverage** is the harm-weighted flow its
own stronger interdiction would avert. Raising its pass-through factor ``p`` to ``p'`` scales every
path through it by ``k = p'/p`` once per time the path crosses it (twice for a producer that
also seizes the precursors it receives), so on an acyclic network the averted flow is exact
from ``f`` and ``y`` alone: ``-(k-1)T1 - (k^2-1)T2``, less what the country newly displaces
(``(p - p')`` times the value of its alternatives, declared share included). A country a path can
cross twice otherwise (on a cycle of the network of countries), or whose displaced flow can come
back through it, is solved again exactly, as a low-rank update of the state's factors.

**Displacement.** Of the flow a country stops beyond the market as it stands, a declared share
goes to the routes around it (its senders' other links, the commodity's other sources), weighed
by the flows with no interdiction; an alternative that leads back into the country takes nothing.
A scenario's routes are measured against the baseline network: a route opened carries new flow
on top of the old, a route closed takes its flow with it but for the displaced share.

Maximum flow, which an earlier version used, answers a different question (how much *could*
pass through links of fixed capacity); relative volumes from public sources are not
capacities, so it is not used. Betweenness (shortest paths from origins to the destination)
is kept as a second view.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
from scipy.sparse import coo_matrix, csc_matrix
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import splu

from ..engine.conditions import Snapshot, compile_condition
from ..engine.models import NetworkConfig, TraffickingLink
from ..engine.values import UNKNOWN
from ..engine.workspace import CountryProfile, Workspace


@dataclass(frozen=True)
class Route:
    """One link carrying flow that reaches the destination, with its harm-weighted share."""

    tail: str
    head: str
    commodity: str
    harm: float  # share of the destination's harm-weighted flow that passes along this link

    def text(self) -> str:
        return f"{self.tail} -> {self.head} ({self.commodity}, {self.harm:.1%})"


CALIBRATION_STEPS = 40  # bisection steps: the effectiveness to 1e-12


class FlowModel:
    """The commodities' links toward one destination, as one sparse linear system."""

    def __init__(self, links: Iterable[TraffickingLink], destination: str, config: NetworkConfig,
                 countries: set[str], reference: FlowModel | None = None) -> None:
        """``reference``: the network a scenario changes (its routes opened or closed). Flows are then
        measured in its unit, and a country's links keep the shares they had there: a route closed
        takes its flow with it (but for the share displaced to the country's other links), and a
        route opened carries new flow on top of the old (a supply response: as much as a link of its
        volume carried from there with no interdiction), so opening a route never lowers what
        arrives and closing one never raises it but through displacement."""
        self.destination = destination
        self.links, self.config, self.reference = list(links), config, reference
        self.effectiveness = config.interdiction.effectiveness
        self.countries = countries  # nodes that interdict; regions pass everything
        volume = {**config.volumes, "unknown": config.volumes[config.unknown_volume]}
        weights: dict[str, dict[tuple[str, str], float]] = {}
        for link in sorted(links, key=lambda item: (item.commodity, item.from_, item.to)):
            pairs = weights.setdefault(link.commodity, {})
            key = (link.from_, link.to)
            # one route told by several sources is still one route: the best-evidenced telling counts
            pairs[key] = max(pairs.get(key, 0.0), volume[link.volume] * config.confidence[link.confidence])
        self.weights = weights
        self.commodities = sorted(weights)
        self.nodes = sorted({node for pairs in weights.values() for pair in pairs for node in pair} | {destination})
        self.index = {node: i for i, node in enumerate(self.nodes)}
        self.harm = {c: config.harm[c].weight for c in self.commodities}
        self.commodity_index = {c: i for i, c in enumerate(self.commodities)}
        self.producers = self._producers(config)
        if reference is not None:  # closing a route never turns a trafficker into a producer
            self.producers = {key: precursor for key, precursor in self.producers.items()
                              if key in reference.producers or key[1] not in reference.index}
        self.alive = self._alive()
        self._structure()
        self._no_alternatives()
        self.base = self.layout = _Layout.of(self.rows, self.cols, len(self.supply))
        self.on_cycle = _revisited(self.rows, self.cols, len(self.nodes))
        self.kappa, self.potential, self.potential_inflow = self._potential()
        displacement = config.interdiction.displacement
        self.displacement = displacement.share if displacement is not None else 0.0
        # nodes with no closed form: displaced flow comes back through them, or a producer displaces
        self.returns: set[int] = set()
        if displacement is not None:  # the routes around each node, weighted by the flows with no interdiction
            self._alternatives(self.potential_inflow)
            self.layout = _Layout.of(np.concatenate([self.rows, self.moved_rows]),
                                     np.concatenate([self.cols, self.moved_cols]), len(self.supply))
            self.returns = self._returning() | self._displacing_producers()
        if reference is not None:
            self.potential = {c: reference.potential.get(c, self.potential[c]) for c in self.commodities}
        self.reward = np.zeros(len(self.supply))  # harm per unit of potential, where flow arrives
        for commodity in self.commodities:
            if self.potential[commodity] > 0:
                self.reward[self._position(commodity, destination)] = self.harm[commodity] / self.potential[commodity]
        self.kappas = np.asarray([self.kappa.get(key, 0.0) for key in self.conversions])

    # --- structure ------------------------------------------------------------------------------

    def _producers(self, config: NetworkConfig) -> dict[tuple[str, str], str]:
        """(product, node) -> precursor, for every node a chain makes a producer."""
        found = {}
        kept = self.reference.producers if self.reference is not None else {}
        for chain in config.chains:
            inbound = {head for (_, head) in self.weights.get(chain.precursor, {})}
            forwards = {tail for (tail, _) in self.weights.get(chain.precursor, {})}
            ships = {tail for (tail, _) in self.weights.get(chain.product, {})}
            # a producer may also pass on product made elsewhere: that flow adds to what it makes; one
            # that forwards the precursor is a transit country, unless it made the product in the
            # reference network (a route a scenario opens from it does not stop its laboratories)
            for node in sorted((inbound & ships) - {self.destination}):
                if node not in forwards or (chain.product, node) in kept:
                    found[(chain.product, node)] = chain.precursor
        return found

    def _alive(self) -> set[int]:
        """Positions (commodity, node) from which flow can still reach the destination. Flow sent
        anywhere else is lost to it, and leaving it out keeps the system solvable (a cycle with no
        way out would hold its flow forever)."""
        graph = nx.DiGraph()
        for commodity, pairs in self.weights.items():
            graph.add_edges_from((self._position(commodity, tail), self._position(commodity, head)) for tail, head in pairs)
        graph.add_edges_from((self._position(precursor, node), self._position(product, node))
                             for (product, node), precursor in self.producers.items())
        targets = {self._position(c, self.destination) for c in self.commodities} & set(graph)
        return set().union(*(nx.ancestors(graph, target) | {target} for target in targets)) if targets else set()

    def _position(self, commodity: str, node: str) -> int:
        return self.commodity_index[commodity] * len(self.nodes) + self.index[node]

    def _structure(self) -> None:
        """The system's fixed parts, built once: each link's entry (its share of its tail's outgoing
        flow, scaled per solve by the tail's pass-through factor), each producer's conversion entry,
        and the supply at the origins."""
        rows, cols, shares, tails = [], [], [], []
        injected: list[tuple[int, int, float]] = []  # routes opened from a country: (tail, head position, amount)
        self.supply = np.zeros(len(self.commodities) * len(self.nodes))
        for commodity in self.commodities:
            pairs = self.weights[commodity]
            outgoing: dict[str, float] = {}
            for (tail, _), weight in pairs.items():
                outgoing[tail] = outgoing.get(tail, 0.0) + weight
            arriving = {head for (_, head) in pairs}
            before = self._before(commodity)
            for (tail, head), weight in pairs.items():
                if tail == self.destination or self._position(commodity, head) not in self.alive:
                    continue  # what reaches the destination stays there; what leaves its reach is lost to it
                if (tail, head) not in before.pairs and (tail in before.totals or tail in before.receivers):
                    # opened: on top of the old, from what reached the country; a country that sent
                    # none of the commodity before (a producer, say) sends it on all its new routes
                    injected.append((self.index[tail], self._position(commodity, head),
                                     before.inflow[tail] * weight / before.totals.get(tail, outgoing[tail])))
                    continue
                rows.append(self._position(commodity, tail))
                cols.append(self._position(commodity, head))
                shares.append(self._share(before, tail, weight, outgoing[tail]))
                tails.append(self.index[tail])
            for tail, total in outgoing.items():
                # against a reference, an origin stays one (a route opened into it adds to its supply) and
                # no route closed into a country, or to a producer, makes a new origin of it
                starts = tail not in arriving and (commodity, tail) not in self.producers and tail != self.destination
                if tail in before.origins or (starts and tail not in before.present):
                    self.supply[self._position(commodity, tail)] = before.totals.get(tail, total)
        columns = list(zip(*injected, strict=True)) or [(), (), ()]
        self.injected_tails, self.injected_cols = (np.asarray(column, dtype=np.int64) for column in columns[:2])
        self.injected_amount = np.asarray(columns[2], dtype=float)
        self.conversions = [key for key in self.producers if self._position(*key) in self.alive]
        self.interdicts = np.asarray([node in self.countries and node != self.destination for node in self.nodes])
        for product, node in self.conversions:
            rows.append(self._position(self.producers[(product, node)], node))
            cols.append(self._position(product, node))
            tails.append(self.index[node])
        self.link_entries = len(shares)  # entries after these are the producers' conversions
        self.rows, self.cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        self.shares, self.tails = np.asarray(shares, dtype=float), np.asarray(tails, dtype=np.int64)

    def _before(self, commodity: str) -> _Before:
        """The commodity's links in the reference network, by tail (empty with no reference)."""
        reference = self.reference
        if reference is None or commodity not in reference.weights:
            return _Before({}, {}, {}, {}, set(), set(), set())
        pairs = reference.weights[commodity]
        totals: dict[str, float] = {}
        for (tail, _), weight in pairs.items():
            # a country none of whose routes reached the destination splits its flow afresh (nothing
            # of it arrived, and kept shares could make a cycle that nothing leaves)
            if reference._position(commodity, tail) in reference.alive:
                totals[tail] = totals.get(tail, 0.0) + weight
        kept: dict[str, float] = {}
        for (tail, head), weight in self.weights[commodity].items():
            if (tail, head) in pairs:
                kept[tail] = kept.get(tail, 0.0) + weight
        present = {node for pair in pairs for node in pair}
        receivers = {node for node in present - {tail for tail, _ in pairs} - {reference.destination}
                     if reference.potential_inflow[reference._position(commodity, node)] > 0}
        inflow = {node: float(reference.potential_inflow[reference._position(commodity, node)])
                  for node in set(totals) | receivers}
        origins = {node for node in present if reference.supply[reference._position(commodity, node)] > 0}
        return _Before(pairs, totals, inflow, kept, present, origins, receivers)

    def _share(self, before: _Before, tail: str, weight: float, total: float) -> float:
        """A link's share of what its tail sends on: of the tail's links in the reference where it had
        some (what a closed route carried is stopped, but for the displaced share spread over the
        routes kept), else of its links now."""
        if tail not in before.totals:
            return weight / total
        closed = before.totals[tail] - before.kept[tail]
        displacement = self.config.interdiction.displacement
        moved = (displacement.share if displacement is not None else 0.0) * closed * weight / before.kept[tail]
        return (weight + moved) / before.totals[tail]

    def _returning(self) -> set[int]:
        """Nodes with a displacement target from which a path leads back to the node: there the closed
        form of ``averted`` would miss the returning flow. Within a commodity no target leads back
        (``_alternatives`` keeps none that does), so only through a conversion: precursors displaced
        to where they reach a producer whose product then reaches the node."""
        nodes = len(self.nodes)
        found = set()
        for v, target in zip(self.moved_node.tolist(), self.moved_cols.tolist(), strict=True):
            precursor, x = self.commodities[target // nodes], target % nodes
            for (product, producer), source in self.producers.items():
                w = self.index[producer]
                if source == precursor and (w == x or self.ancestry[precursor][w] >> x & 1) \
                        and (w == v or self.ancestry.get(product, [0] * nodes)[v] >> w & 1):
                    found.add(v)
        return found

    def _displacing_producers(self) -> set[int]:
        """Producers that displace flow: what they displace of their product is what they stop of it
        times what they let through of their precursors, a product of two pass-throughs that the
        closed form's split into flow through the node once and twice does not hold."""
        makers = {self.index[node] for (_, node) in self.conversions}
        return makers & set(self.moved_node.tolist())

    def _no_alternatives(self) -> None:
        empty = np.zeros(0, dtype=np.int64)
        self.moved_rows, self.moved_cols, self.moved_via, self.moved_node = empty, empty, empty, empty
        self.moved_share = np.zeros(0)

    def _alternatives(self, inflow: np.ndarray) -> None:
        """Where flow newly stopped at a (commodity, node) goes when traffickers route around it: each
        sender's share of what arrives there (with no interdiction) to that sender's other links, and
        the node's own supply or production to the commodity's other sources, each in proportion to
        its volume. An alternative that leads back to the node is no way around it and takes nothing;
        a sender with no other link displaces nothing (that flow is stopped)."""
        nodes = len(self.nodes)
        self.ancestry: dict[str, list[int]] = {}  # by commodity: each node's ancestors along its links (bit sets)
        moved: list[tuple[int, int, int, int, float]] = []  # (position, target, via node or -1, node, share)
        for commodity in self.commodities:
            offset = self.commodity_index[commodity] * nodes
            sources = {v: amount for v, node in enumerate(self.nodes) if (amount := self._own(inflow, commodity, node)) > 0}
            supplied = math.fsum(sources.values())
            mine = [e for e in range(self.link_entries) if offset <= self.rows[e] < offset + nodes]
            ancestors = self.ancestry[commodity] = _ancestors(
                [int(self.rows[e]) - offset for e in mine], [int(self.cols[e]) - offset for e in mine], nodes)
            outgoing: dict[int, list[int]] = {}
            incoming: dict[int, list[int]] = {}
            for entry in mine:
                outgoing.setdefault(int(self.rows[entry]) - offset, []).append(entry)
                incoming.setdefault(int(self.cols[entry]) - offset, []).append(entry)
            for v in range(nodes):
                arriving = inflow[offset + v]
                if not self.interdicts[v] or arriving <= 0:
                    continue
                for entry in incoming.get(v, []):  # each sender's part goes to its other links
                    u = int(self.rows[entry]) - offset
                    others = [e for e in outgoing[u] if e != entry]
                    spread = math.fsum(self.shares[e] for e in others)
                    sent = inflow[offset + u] * self.shares[entry] / arriving
                    moved += [(offset + v, int(self.cols[e]), u, v, sent * self.shares[e] / spread) for e in others
                              if not ancestors[v] >> (int(self.cols[e]) - offset) & 1]
                own, rivals = sources.get(v, 0.0), supplied - sources.get(v, 0.0)
                if own > 0 and rivals > 0:  # its own supply or production goes to the commodity's other sources
                    moved += [(offset + v, offset + x, -1, v, own / arriving * amount / rivals)
                              for x, amount in sources.items() if x != v and not ancestors[v] >> x & 1]
        moved = [item for item in moved if item[1] in self.alive]  # displaced out of the destination's reach: lost to it
        if moved:
            columns = list(zip(*moved, strict=True))
            self.moved_rows, self.moved_cols, self.moved_via, self.moved_node = (
                np.asarray(column, dtype=np.int64) for column in columns[:4])
            self.moved_share = np.asarray(columns[4], dtype=float)

    def _own(self, inflow: np.ndarray, commodity: str, node: str) -> float:
        """What starts at the node with no interdiction: its supply, or what it makes of its precursors."""
        position = self._position(commodity, node)
        if (commodity, node) in self.kappa:
            return self.kappa[(commodity, node)] * float(inflow[self._position(self.producers[(commodity, node)], node)])
        return float(self.supply[position])

    def _entries(self, passes: np.ndarray, kappa: Mapping[tuple[str, str], float],
                 base: np.ndarray | None = None) -> np.ndarray:
        """The entries of the coefficient matrix A (flow from one (commodity, node) to another), in
        the order of ``rows`` and ``cols``, then the displacements: what each node stops beyond its
        pass-through factors ``base`` (the market as it stands), moved around it at the declared share."""
        factors = np.concatenate([self.shares, [kappa.get(key, 0.0) for key in self.conversions]])
        entries: np.ndarray = passes[self.tails] * factors
        if not self.moved_share.size:
            return entries
        stopped = np.maximum(0.0, (passes if base is None else base) - passes)
        return np.concatenate([entries, self.displacement * stopped[self.moved_node] * self.moved_share])

    def _potential(self) -> tuple[dict[tuple[str, str], float], dict[str, float], np.ndarray]:
        """With no interdiction anywhere: what each producer makes per unit of precursor reaching it
        (its product links' volume over its potential precursor supply), what could arrive, and the
        inflow of every (commodity, node)."""
        ones = np.ones(len(self.nodes))
        inflow = _Solver(self, self._entries(ones, {})).solve(self.supply)
        kappa = {}
        for (product, node), precursor in self.producers.items():
            reaching = inflow[self._position(precursor, node)]
            if self.reference is not None and (product, node) in self.reference.kappa:
                kappa[(product, node)] = self.reference.kappa[(product, node)]  # more precursors make more
            elif reaching > 0:
                kappa[(product, node)] = self._product_potential(product, node) / reaching
        arrived = _Solver(self, self._entries(ones, kappa)).solve(self.supply)
        return kappa, {c: float(arrived[self._position(c, self.destination)]) for c in self.commodities}, arrived

    def _product_potential(self, product: str, node: str) -> float:
        return sum(weight for (tail, _), weight in self.weights[product].items() if tail == node)

    # --- the public questions ---------------------------------------------------------------------

    def state(self, capacity: Mapping[str, float]) -> FlowState:
        """The flows for the given capacities (0-1 by country; missing countries interdict nothing)."""
        return self.state_of(np.fromiter((capacity.get(node, 0.0) for node in self.nodes), float, len(self.nodes)))

    def state_of(self, capacity: np.ndarray, market: np.ndarray | None = None) -> FlowState:
        """The same for capacities given in the order of ``nodes``; flow stopped beyond the capacities
        ``market`` (the market as it stands, by default these capacities) is partly displaced."""
        return FlowState(self, self.passes_at(capacity), None if market is None else self.passes_at(market))

    def supply_at(self, passes: np.ndarray) -> np.ndarray:
        """What enters the system at these pass-through factors: the origins' supply, and what each
        route a scenario opened carries from its country (after the country's interdiction)."""
        supply = self.supply.copy()
        np.add.at(supply, self.injected_cols, self.injected_amount * passes[self.injected_tails])
        return supply

    def passes_at(self, capacity: np.ndarray) -> np.ndarray:
        """Each node's pass-through factor at these capacities (1 where it interdicts nothing)."""
        passes: np.ndarray = np.where(self.interdicts, 1.0 - self.effectiveness * np.clip(capacity, 0.0, 1.0), 1.0)
        return passes

    def with_displacement(self, share: float) -> FlowModel:
        """The same model with another displaced share (a view, as ``at_effectiveness``)."""
        other = copy.copy(self)
        other.displacement = share
        return other

    def at_effectiveness(self, effectiveness: float) -> FlowModel:
        """The same model with full capacity stopping ``effectiveness`` of what passes (a view: the
        structure is shared, never changed)."""
        other = copy.copy(self)
        other.effectiveness = effectiveness
        return other

    def with_config(self, config: NetworkConfig) -> FlowModel:
        """The same links, destination and interdicting countries under another configuration (an
        assumption varied); its nodes are in the same order as long as the links are the same."""
        return FlowModel(self.links, self.destination, config, self.countries, self.reference)

    def calibrate(self, capacity: np.ndarray, removal: float) -> float:
        """The effectiveness at which the flows remove ``removal`` of the harm-weighted potential
        before it reaches the destination, with the nodes at ``capacity`` (bisection: removal only
        grows with effectiveness); the nearest end of [0, 1] where none does."""
        low, high = 0.0, 1.0
        for _ in range(CALIBRATION_STEPS):
            middle = (low + high) / 2
            if 1 - self.at_effectiveness(middle).state_of(capacity).total < removal:
                low = middle
            else:
                high = middle
        return (low + high) / 2

    def interdicting(self, nodes: Sequence[str]) -> np.ndarray:
        """Each node's position, or -1 for one that interdicts nothing (off the network, a region, the destination)."""
        return np.array([self.index[node] if node in self.index and node != self.destination and
                         node in self.countries else -1 for node in nodes], dtype=np.int64)

    def pass_factor(self, capacity: float) -> float:
        return 1.0 - self.effectiveness * min(1.0, max(0.0, capacity))

    def route_nodes(self) -> set[str]:
        """Every node with a path to the destination in some commodity's network (chains included)."""
        graph = nx.DiGraph([pair for pairs in self.weights.values() for pair in pairs])
        graph.add_edges_from((node, node) for (_, node) in self.producers)
        return set(nx.ancestors(graph, self.destination)) if self.destination in graph else set()

    def betweenness(self) -> dict[str, float]:
        """Share of origin-to-destination shortest paths through each node (a second view)."""
        graph = nx.DiGraph(sorted({pair for pairs in self.weights.values() for pair in pairs}))
        if self.destination not in graph:
            return {}
        origins = sorted(node for node in graph if graph.in_degree(node) == 0)
        centrality: dict[str, float] = nx.betweenness_centrality_subset(graph, origins, [self.destination], normalized=True)
        return centrality


@dataclass(frozen=True)
class _Before:
    """One commodity's links in a reference network: weights by (tail, head), totals by tail, the
    potential inflow of each tail and receiver, the weight of each tail's links that are still
    there, its nodes, its origins, and the nodes it reached that sent none of it on (receivers)."""

    pairs: Mapping[tuple[str, str], float]
    totals: Mapping[str, float]
    inflow: Mapping[str, float]
    kept: Mapping[str, float]
    present: set[str]
    origins: set[str]
    receivers: set[str]


class FlowState:
    """The flows and node values for one set of capacities, and what-ifs on one country."""

    def __init__(self, model: FlowModel, passes: np.ndarray, market: np.ndarray | None = None) -> None:
        """``market``: the pass-through factors beyond which stopped flow is displaced (default ``passes``)."""
        self.model, self.passes = model, passes
        self.market = passes if market is None else market
        self.entries = model._entries(passes, model.kappa, self.market)
        self.system = system = _Solver(model, self.entries)
        self.inflow = system.solve(model.supply_at(passes))
        self.value = system.solve(model.reward, transposed=True)  # the adjoint: (I - A) y = r
        self.total = float(model.reward @ self.inflow)  # harm-weighted share of the potential that arrives

    def through(self, node: str) -> tuple[float, float]:
        """(T1, T2): harm-weighted flow reaching the destination through the node once, and twice
        (a producer's seized precursors, then its product)."""
        i = self.model.index[node]
        return float(self._through[0][i]), float(self._through[1][i])

    @functools.cached_property
    def _through(self) -> tuple[np.ndarray, np.ndarray]:
        """T1 and T2 of every node at once (one pass over the arrays, not one per question)."""
        model, nodes = self.model, len(self.model.nodes)
        once_or_twice = (self.inflow * self.value).reshape(len(model.commodities), nodes).sum(axis=0)
        twice = np.zeros(nodes)
        rows, cols = model.rows[model.link_entries:], model.cols[model.link_entries:]
        producers = model.tails[model.link_entries:]
        np.add.at(twice, producers, self.inflow[rows] * self.passes[producers] * model.kappas * self.value[cols])
        # a route opened from a node carries what the node lets through it
        np.add.at(once_or_twice, model.injected_tails, model.injected_amount * self.passes[model.injected_tails]
                  * self.value[model.injected_cols])
        moved = self.entries[len(model.rows):]  # what a node displaces does not pass through it
        np.add.at(once_or_twice, model.moved_node, -self.inflow[model.moved_rows] * moved * self.value[model.moved_cols])
        return once_or_twice - 2 * twice, twice

    @functools.cached_property
    def _around(self) -> np.ndarray:
        """Per node: the harm-weighted flow that reaches the destination per unit of pass-through it
        newly stops, once displaced around it at the declared share."""
        model = self.model
        around = np.zeros(len(model.nodes))
        np.add.at(around, model.moved_node, model.displacement * model.moved_share * self.inflow[model.moved_rows]
                  * self.value[model.moved_cols])
        return around

    def _displaced(self, index: np.ndarray, now: np.ndarray, then: np.ndarray) -> np.ndarray:
        """The harm-weighted flow newly displaced around nodes whose pass-through goes from ``now`` to ``then``."""
        market = self.market[index]
        displaced: np.ndarray = (np.maximum(0.0, market - then) - np.maximum(0.0, market - now)) * self._around[index]
        return displaced

    def averted(self, node: str, capacity: float) -> float:
        """Harm-weighted flow no longer reaching the destination if the node's capacity became ``capacity``."""
        model = self.model
        if node not in model.index or node == model.destination or node not in model.countries:
            return 0.0
        now = float(self.passes[model.index[node]])
        if now <= 0:
            return 0.0
        factor = model.pass_factor(capacity) / now
        if model.index[node] in model.on_cycle | model.returns:  # no closed form: solve again
            return self.total - self._total_with(model.index[node], model.pass_factor(capacity))
        once, twice = self.through(node)
        index = np.asarray([model.index[node]])
        moved = float(self._displaced(index, np.asarray([now]), np.asarray([model.pass_factor(capacity)]))[0])
        return -((factor - 1) * once + (factor * factor - 1) * twice) - moved

    def _total_with(self, node: int, then: float) -> float:
        """The total with one node's pass-through at ``then``, solved exactly from this state's
        factors: the node's entries are the only ones that change, a low-rank update (Woodbury)
        that costs one solve per (commodity, node) it sends from, not a new factorization."""
        model = self.model
        passes = self.passes.copy()
        passes[node] = then
        delta = model._entries(passes, model.kappa, self.market) - self.entries
        changed = np.flatnonzero(delta)
        rows = np.concatenate([model.rows, model.moved_rows])[changed]
        cols = np.concatenate([model.cols, model.moved_cols])[changed]
        positions, column = np.unique(rows, return_inverse=True)
        # the new supply, then the changed columns of A^T: one solve for them all
        rhs = np.zeros((len(model.supply), 1 + len(positions)))
        rhs[:, 0] = model.supply_at(passes)
        np.add.at(rhs, (cols, 1 + column), delta[changed])
        solved = self.system.solve(rhs)
        base, solved = solved[:, 0], solved[:, 1:]
        inflow = base + solved @ np.linalg.solve(np.eye(len(positions)) - solved[positions], base[positions])
        return float(model.reward @ inflow)

    def averted_at(self, index: np.ndarray, capacities: np.ndarray) -> np.ndarray:
        """``averted`` for many nodes at once (their positions from ``FlowModel.interdicting``, found once
        and asked after every pick), each at its capacity: the same numbers, as arrays."""
        model = self.model
        now = np.where(index >= 0, self.passes[np.maximum(index, 0)], 0.0)
        active = now > 0
        then = 1.0 - model.effectiveness * np.minimum(1.0, np.maximum(0.0, capacities))
        factor = then / np.where(active, now, 1.0)
        at = np.maximum(index, 0)
        once, twice = self._through[0][at], self._through[1][at]
        moved = self._displaced(at, now, then)
        averted = np.where(active, -((factor - 1) * once + (factor * factor - 1) * twice) - moved, 0.0)
        for k in np.flatnonzero(active & np.isin(index, sorted(model.on_cycle | model.returns))).tolist():  # no closed form
            averted[k] = self.averted(model.nodes[index[k]], float(capacities[k]))
        return averted

    def routes(self, node: str, count: int = 5) -> list[Route]:
        """The links into and out of the node that carry the most harm-weighted flow to the destination."""
        model = self.model
        if node not in model.index:
            return []
        i = model.index[node]
        nodes = len(model.nodes)
        touching = (model.rows % nodes == i) | (model.cols % nodes == i)
        return self._routes(np.flatnonzero(touching & self._carrying))[:count]

    def links(self) -> list[Route]:
        """Every link that carries harm-weighted flow to the destination, largest share first."""
        return self._routes(np.flatnonzero(self._carrying))

    @functools.cached_property
    def _harm(self) -> np.ndarray:
        """Each entry's harm-weighted flow reaching the destination."""
        rows = self.model.rows  # links and conversions: what a node displaces travels no link of its own
        harm: np.ndarray = self.inflow[rows] * self.entries[:len(rows)] * self.value[self.model.cols]
        return harm

    @functools.cached_property
    def _carrying(self) -> np.ndarray:
        """Entries between two different nodes that carry flow to the destination (not a conversion)."""
        nodes = len(self.model.nodes)
        carrying: np.ndarray = (self.model.rows % nodes != self.model.cols % nodes) & (self._harm > 1e-12)
        return carrying

    def _routes(self, entries: np.ndarray) -> list[Route]:
        model, nodes = self.model, len(self.model.nodes)
        found = [Route(model.nodes[i % nodes], model.nodes[j % nodes], model.commodities[i // nodes],
                       float(harm) / self.total if self.total > 0 else 0.0)
                 for i, j, harm in zip(model.rows[entries].tolist(), model.cols[entries].tolist(),
                                       self._harm[entries].tolist(), strict=True)]
        return sorted(found, key=lambda route: (-route.harm, route.tail, route.head, route.commodity))


@dataclass(frozen=True)
class _Layout:
    """One structure of the system (which entries exist): the order that makes it triangular (cycles
    kept together), and where each entry of ``(I - A^T)`` goes in that order."""

    order: np.ndarray
    rows: np.ndarray
    cols: np.ndarray

    @classmethod
    def of(cls, rows: np.ndarray, cols: np.ndarray, size: int) -> _Layout:
        structure = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(size, size)).tocsc()
        order = _feed_order(structure)
        inverse = np.empty_like(order)
        inverse[order] = np.arange(len(order))  # A's entry (r, c) at (c, r), then the diagonal
        return cls(order, np.concatenate([inverse[cols], np.arange(size)]),
                   np.concatenate([inverse[rows], np.arange(size)]))


class _Solver:
    """``(I - A^T)`` factored once, for the flows and for their adjoint. Rows and columns are taken
    in an order where every (commodity, node) comes after those that feed it, so the factors are
    triangular but for the cycles' blocks, with no fill-in: factoring costs little more than
    reading the matrix. Where no country displaces anything, the displacements' entries are left
    out, so that the cycles they could close do not join the factors."""

    def __init__(self, model: FlowModel, entries: np.ndarray) -> None:
        links = len(model.rows)
        layout = model.layout if entries[links:].any() else model.base
        entries = entries if layout is model.layout else entries[:links]
        size = len(layout.order)
        self.order = layout.order
        permuted = coo_matrix((np.concatenate([-entries, np.ones(size)]), (layout.rows, layout.cols)),
                              shape=(size, size))
        # in the feed order the matrix is triangular but for the cycles' blocks: SuperLU with the
        # natural order and no pivoting factors it with no fill-in, and solves without the
        # per-call copies of a triangular solve (several solves share each factorization)
        self.factors = splu(permuted.tocsc(), permc_spec="NATURAL", diag_pivot_thresh=0.0)

    def solve(self, rhs: np.ndarray, transposed: bool = False) -> np.ndarray:
        """``x`` with ``(I - A^T) x = rhs``, or with ``(I - A) x = rhs`` when ``transposed`` (``rhs``
        a vector, or a matrix of them as columns)."""
        permuted = self.factors.solve(rhs[self.order], trans="T" if transposed else "N")
        solution: np.ndarray = np.empty_like(permuted)
        solution[self.order] = permuted
        return solution


def _feed_order(matrix: csc_matrix) -> np.ndarray:
    """Positions ordered so that every one comes after the positions that send it flow (cycles
    kept together), ties by position: the order that makes the system triangular but for the
    cycles' blocks."""
    count, labels = connected_components(matrix, directed=True, connection="strong")
    entries = matrix.tocoo()
    condensed = nx.DiGraph()
    condensed.add_nodes_from(range(count))
    condensed.add_edges_from((int(a), int(b)) for a, b in zip(labels[entries.row], labels[entries.col], strict=True)
                             if a != b)
    rank = {label: i for i, label in enumerate(nx.lexicographical_topological_sort(condensed))}
    order = np.asarray(sorted(range(matrix.shape[0]), key=lambda position: (rank[labels[position]], position)),
                       dtype=np.int64)  # typed, so that an empty network still indexes
    return order


def _ancestors(tails: Sequence[int], heads: Sequence[int], nodes: int) -> list[int]:
    """Each node's ancestors along the links (tail -> head) as a bit set (bit i: node i reaches it);
    a node on a cycle is its own ancestor."""
    graph = nx.DiGraph()
    graph.add_nodes_from(range(nodes))
    graph.add_edges_from(zip(tails, heads, strict=True))
    condensed = nx.condensation(graph)
    members = {v: c for c, data in condensed.nodes(data=True) for v in data["members"]}
    bits = {c: sum(1 << v for v in data["members"]) for c, data in condensed.nodes(data=True)}
    reach: dict[int, int] = {}
    for component in nx.topological_sort(condensed):
        found = 0
        for parent in condensed.predecessors(component):
            found |= reach[parent] | bits[parent]
        inside = condensed.nodes[component]["members"]
        if len(inside) > 1 or any(graph.has_edge(v, v) for v in inside):
            found |= bits[component]
        reach[component] = found
    return [reach[members[v]] for v in range(nodes)]


def _revisited(rows: np.ndarray, cols: np.ndarray, nodes: int) -> set[int]:
    """Nodes a path can cross more than once but for a producer's own conversion (which ``averted``'s
    closed form counts): nodes on a cycle of the network of nodes, whatever the commodities."""
    graph = nx.DiGraph()
    graph.add_edges_from((a, b) for a, b in zip((rows % nodes).tolist(), (cols % nodes).tolist(), strict=True) if a != b)
    return {node for component in nx.strongly_connected_components(graph) if len(component) > 1 for node in component}


def ties_with(workspace: Workspace, country: str, year: int) -> dict[str, set[str]]:
    """The kinds of partnership each other country has with ``country`` as of ``year``: dated
    bilateral ties, and memberships both hold (members of one network are partners of that kind)."""
    config, network = workspace.require_network("partnership ties")
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    ties: dict[str, set[str]] = {}
    for partnership in network.partnerships:
        if country in partnership.between and partnership.since <= end and (
                partnership.until is None or partnership.until >= start):
            for partner in partnership.between:
                if partner != country:
                    ties.setdefault(partner, set()).add(partnership.kind)
    own = workspace.profiles.get(country)
    for kind, test in config.memberships.items():
        condition = compile_condition(test, workspace.ruleset.facts)
        if own is None or not condition.test(_snapshot(own, test.fact, year)):
            continue
        for code, profile in workspace.profiles.items():
            if code != country and condition.test(_snapshot(profile, test.fact, year)):
                ties.setdefault(code, set()).add(kind)
    return ties


def _snapshot(profile: CountryProfile, fact: str, year: int) -> Snapshot:
    reading = profile.reading(fact, year)
    return Snapshot({} if reading is None or reading.value is UNKNOWN else {fact: reading.value}, year)
