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
from ``f`` and ``y`` alone: ``-(k-1)T1 - (k^2-1)T2``. Countries on a cycle are re-solved exactly.

Maximum flow, which an earlier version used, answers a different question (how much *could*
pass through links of fixed capacity); relative volumes from public sources are not
capacities, so it is not used. Betweenness (shortest paths from origins to the destination)
is kept as a second view.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
from scipy.sparse import coo_matrix, csc_matrix
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import splu, spsolve_triangular

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
                 countries: set[str], reference: Mapping[str, float] | None = None) -> None:
        """``reference``: the potential flows to measure against (another network's, so that a
        scenario that opens or closes routes is measured in the baseline's unit)."""
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
        self.alive = self._alive()
        self._structure()
        # every entry present (conversions at 1): the structure the order and the cycles depend on
        structure = self.matrix(self._entries(np.ones(len(self.nodes)), dict.fromkeys(self.conversions, 1.0)))
        self.order, self.acyclic = _feed_order(structure)
        self.on_cycle = _on_cycles(structure, len(self.nodes))
        inverse = np.empty_like(self.order)
        inverse[self.order] = np.arange(len(self.order))
        size = len(self.order)  # (I - A^T) in that order: A's entry (r, c) at (c, r), and the diagonal
        self.solver_rows = np.concatenate([inverse[self.cols], np.arange(size)])
        self.solver_cols = np.concatenate([inverse[self.rows], np.arange(size)])
        self.kappa, self.potential = self._potential()
        if reference is not None:
            self.potential = {c: reference.get(c, self.potential[c]) for c in self.commodities}
        self.reward = np.zeros(len(self.supply))  # harm per unit of potential, where flow arrives
        for commodity in self.commodities:
            if self.potential[commodity] > 0:
                self.reward[self._position(commodity, destination)] = self.harm[commodity] / self.potential[commodity]
        self.kappas = np.asarray([self.kappa.get(key, 0.0) for key in self.conversions])

    # --- structure ------------------------------------------------------------------------------

    def _producers(self, config: NetworkConfig) -> dict[tuple[str, str], str]:
        """(product, node) -> precursor, for every node a chain makes a producer."""
        found = {}
        for chain in config.chains:
            inbound = {head for (_, head) in self.weights.get(chain.precursor, {})}
            forwards = {tail for (tail, _) in self.weights.get(chain.precursor, {})}
            ships = {tail for (tail, _) in self.weights.get(chain.product, {})}
            # a producer may also pass on product made elsewhere: that flow adds to what it makes
            for node in sorted((inbound & ships) - forwards - {self.destination}):
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
        self.supply = np.zeros(len(self.commodities) * len(self.nodes))
        for commodity in self.commodities:
            pairs = self.weights[commodity]
            outgoing: dict[str, float] = {}
            for (tail, _), weight in pairs.items():
                outgoing[tail] = outgoing.get(tail, 0.0) + weight
            arriving = {head for (_, head) in pairs}
            for (tail, head), weight in pairs.items():
                if tail == self.destination or self._position(commodity, head) not in self.alive:
                    continue  # what reaches the destination stays there; what leaves its reach is lost to it
                rows.append(self._position(commodity, tail))
                cols.append(self._position(commodity, head))
                shares.append(weight / outgoing[tail])
                tails.append(self.index[tail])
            for tail, total in outgoing.items():
                if tail not in arriving and (commodity, tail) not in self.producers and tail != self.destination:
                    self.supply[self._position(commodity, tail)] = total
        self.conversions = [key for key in self.producers if self._position(*key) in self.alive]
        self.interdicts = np.asarray([node in self.countries and node != self.destination for node in self.nodes])
        for product, node in self.conversions:
            rows.append(self._position(self.producers[(product, node)], node))
            cols.append(self._position(product, node))
            tails.append(self.index[node])
        self.link_entries = len(shares)  # entries after these are the producers' conversions
        self.rows, self.cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        self.shares, self.tails = np.asarray(shares, dtype=float), np.asarray(tails, dtype=np.int64)

    def _entries(self, passes: np.ndarray, kappa: Mapping[tuple[str, str], float]) -> np.ndarray:
        """The entries of the coefficient matrix A (flow from one (commodity, node) to another), in
        the order of ``rows`` and ``cols``."""
        factors = np.concatenate([self.shares, [kappa.get(key, 0.0) for key in self.conversions]])
        entries: np.ndarray = passes[self.tails] * factors
        return entries

    def matrix(self, entries: np.ndarray) -> csc_matrix:
        size = len(self.supply)
        return coo_matrix((entries, (self.rows, self.cols)), shape=(size, size)).tocsc()

    def _potential(self) -> tuple[dict[tuple[str, str], float], dict[str, float]]:
        """With no interdiction anywhere: what each producer makes per unit of precursor reaching it
        (its product links' volume over its potential precursor supply), and what could arrive."""
        ones = np.ones(len(self.nodes))
        inflow = _Solver(self, self._entries(ones, {})).solve(self.supply)
        kappa = {}
        for (product, node), precursor in self.producers.items():
            reaching = inflow[self._position(precursor, node)]
            if reaching > 0:
                kappa[(product, node)] = self._product_potential(product, node) / reaching
        arrived = _Solver(self, self._entries(ones, kappa)).solve(self.supply)
        return kappa, {c: float(arrived[self._position(c, self.destination)]) for c in self.commodities}

    def _product_potential(self, product: str, node: str) -> float:
        return sum(weight for (tail, _), weight in self.weights[product].items() if tail == node)

    # --- the public questions ---------------------------------------------------------------------

    def state(self, capacity: Mapping[str, float]) -> FlowState:
        """The flows for the given capacities (0-1 by country; missing countries interdict nothing)."""
        return self.state_of(np.fromiter((capacity.get(node, 0.0) for node in self.nodes), float, len(self.nodes)))

    def state_of(self, capacity: np.ndarray) -> FlowState:
        """The same for capacities given in the order of ``nodes``."""
        return FlowState(self, np.where(self.interdicts, 1.0 - self.effectiveness * np.clip(capacity, 0.0, 1.0), 1.0))

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


class FlowState:
    """The flows and node values for one set of capacities, and what-ifs on one country."""

    def __init__(self, model: FlowModel, passes: np.ndarray) -> None:
        self.model, self.passes = model, passes
        self.entries = model._entries(passes, model.kappa)
        system = _Solver(model, self.entries)
        self.inflow = system.solve(model.supply)
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
        return once_or_twice - 2 * twice, twice

    def averted(self, node: str, capacity: float) -> float:
        """Harm-weighted flow no longer reaching the destination if the node's capacity became ``capacity``."""
        model = self.model
        if node not in model.index or node == model.destination or node not in model.countries:
            return 0.0
        now = float(self.passes[model.index[node]])
        if now <= 0:
            return 0.0
        factor = model.pass_factor(capacity) / now
        if model.index[node] in model.on_cycle:  # no closed form on a cycle: solve again
            passes = self.passes.copy()
            passes[model.index[node]] = model.pass_factor(capacity)
            return self.total - FlowState(model, passes).total
        once, twice = self.through(node)
        return -((factor - 1) * once + (factor * factor - 1) * twice)

    def averted_at(self, index: np.ndarray, capacities: np.ndarray) -> np.ndarray:
        """``averted`` for many nodes at once (their positions from ``FlowModel.interdicting``, found once
        and asked after every pick), each at its capacity: the same numbers, as arrays."""
        model = self.model
        now = np.where(index >= 0, self.passes[np.maximum(index, 0)], 0.0)
        active = now > 0
        factor = (1.0 - model.effectiveness * np.minimum(1.0, np.maximum(0.0, capacities))) / np.where(active, now, 1.0)
        once, twice = self._through[0][np.maximum(index, 0)], self._through[1][np.maximum(index, 0)]
        averted = np.where(active, -((factor - 1) * once + (factor * factor - 1) * twice), 0.0)
        for k in np.flatnonzero(active & np.isin(index, sorted(model.on_cycle))).tolist():  # no closed form on a cycle
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
        harm: np.ndarray = self.inflow[self.model.rows] * self.entries * self.value[self.model.cols]
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


class _Solver:
    """``(I - A^T)`` factored once, for the flows and for their adjoint. Rows and columns are taken
    in an order where every (commodity, node) comes after those that feed it, so the factors are
    triangular but for the cycles' blocks, with no fill-in: factoring costs little more than
    reading the matrix."""

    def __init__(self, model: FlowModel, entries: np.ndarray) -> None:
        size = len(model.order)
        self.order = model.order
        permuted = coo_matrix((np.concatenate([-entries, np.ones(size)]), (model.solver_rows, model.solver_cols)),
                              shape=(size, size))
        if model.acyclic:  # triangular with a unit diagonal: solved by substitution, no factoring at all
            self.lower, self.upper = permuted.tocsr(), permuted.T.tocsr()
        else:
            self.factors = splu(permuted.tocsc(), permc_spec="NATURAL", diag_pivot_thresh=0.0)
        self.acyclic = model.acyclic

    def solve(self, rhs: np.ndarray, transposed: bool = False) -> np.ndarray:
        """``x`` with ``(I - A^T) x = rhs``, or with ``(I - A) x = rhs`` when ``transposed``."""
        if self.acyclic:
            permuted = spsolve_triangular(self.upper if transposed else self.lower, rhs[self.order],
                                          lower=not transposed, unit_diagonal=True)
        else:
            permuted = self.factors.solve(rhs[self.order], trans="T" if transposed else "N")
        solution: np.ndarray = np.empty_like(permuted)
        solution[self.order] = permuted
        return solution


def _feed_order(matrix: csc_matrix) -> tuple[np.ndarray, bool]:
    """Positions ordered so that every one comes after the positions that send it flow (cycles
    kept together), ties by position: the order that makes the system triangular; and whether
    it is triangular (no cycle at all)."""
    count, labels = connected_components(matrix, directed=True, connection="strong")
    entries = matrix.tocoo()
    condensed = nx.DiGraph()
    condensed.add_nodes_from(range(count))
    condensed.add_edges_from((int(a), int(b)) for a, b in zip(labels[entries.row], labels[entries.col], strict=True)
                             if a != b)
    rank = {label: i for i, label in enumerate(nx.lexicographical_topological_sort(condensed))}
    order = np.asarray(sorted(range(matrix.shape[0]), key=lambda position: (rank[labels[position]], position)),
                       dtype=np.int64)  # typed, so that an empty network still indexes
    return order, count == matrix.shape[0] and not matrix.diagonal().any()


def _on_cycles(matrix: csc_matrix, nodes: int) -> set[int]:
    """Node indices whose (commodity, node) unknowns lie on a cycle of the system."""
    count, labels = connected_components(matrix, directed=True, connection="strong")
    sizes = np.bincount(labels, minlength=count)
    cyclic = {int(i) % nodes for i in np.flatnonzero(sizes[labels] > 1)}
    cyclic |= {int(i) % nodes for i in np.flatnonzero(matrix.diagonal())}
    return cyclic


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
