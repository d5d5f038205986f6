"""Exports re-read by networkx (and igraph, when installed) with the same nodes, edges and attributes."""

import json
from pathlib import Path
from xml.etree import ElementTree

import networkx as nx
import pydot
import pytest

import assess
from assess.render.export import network_graph, render_graph
from helpers import MINI


@pytest.fixture(scope="module")
def graph() -> nx.MultiDiGraph:
    workspace = assess.load_workspace(MINI / "rules", MINI / "profiles")
    return network_graph(workspace.network, assess.score(workspace, 2024))


def same_graph(original: nx.MultiDiGraph, reread: nx.Graph) -> None:
    assert sorted(map(str, reread.nodes)) == sorted(original.nodes)
    assert reread.number_of_edges() == original.number_of_edges()
    assert dict(reread.nodes["NOR"])["tier"] == "mid"
    assert float(dict(reread.nodes["NOR"])["score"]) == pytest.approx(original.nodes["NOR"]["score"])
    assert dict(reread.nodes["north_sea"])["label"] == 'North Sea <ports> & "friends"'
    references = sorted(str(data["reference"]) for *_, data in reread.edges(data=True))
    assert references == sorted(data["reference"] for *_, data in original.edges(data=True))


def test_nodes_carry_scores_and_edges_carry_dates_and_sources(graph):
    assert graph.nodes["NOR"]["tier"] == "mid" and graph.nodes["north_sea"]["kind"] == "region"
    kinds = sorted(data["kind"] for *_, data in graph.edges(data=True))
    assert kinds == ["partnership", "trafficking", "trafficking", "trafficking", "trafficking"]


def test_graphml_round_trip(graph, tmp_path: Path):
    path = tmp_path / "g.graphml"
    path.write_text(render_graph(graph, "graphml"))
    same_graph(graph, nx.read_graphml(path))


def test_gexf_round_trip_and_reproducible(graph, tmp_path: Path):
    text = render_graph(graph, "gexf")
    assert 'lastmodifieddate="2024-12-31"' in text
    path = tmp_path / "g.gexf"
    path.write_text(text)
    reread = nx.read_gexf(path)
    assert sorted(reread.nodes) == sorted(graph.nodes) and reread.number_of_edges() == graph.number_of_edges()
    assert reread.nodes["NOR"]["tier"] == "mid"


def test_node_link_json_for_d3(graph):
    data = json.loads(render_graph(graph, "json"))
    assert "links" in data and len(data["links"]) == graph.number_of_edges()
    same_graph(graph, nx.node_link_graph(data, edges="links"))


def test_dot_round_trip(graph, tmp_path: Path):
    pydot = pytest.importorskip("pydot")
    (dot,) = pydot.graph_from_dot_data(render_graph(graph, "dot"))
    assert sorted(node.get_name().strip('"') for node in dot.get_nodes()) == sorted(graph.nodes)
    assert len(dot.get_edges()) == graph.number_of_edges()


def test_igraph_reads_graphml(graph, tmp_path: Path):
    igraph = pytest.importorskip("igraph", reason="python-igraph is not installed")
    path = tmp_path / "g.graphml"
    path.write_text(render_graph(graph, "graphml"))
    reread = igraph.Graph.Read_GraphML(str(path))
    assert sorted(reread.vs["id"]) == sorted(graph.nodes)
    assert reread.ecount() == graph.number_of_edges()
    assert reread.vs.find(id="NOR")["tier"] == "mid"


@pytest.fixture
def hostile_network(mini: Path) -> nx.MultiDiGraph:
    links = mini / "profiles/network/trafficking.yaml"
    links.write_text(links.read_text().replace('name: North Sea <ports> & "friends"',
                                               "name: '<<table><tr><td href=\"javascript:alert(1)\">x</td></tr></table>>'"))
    workspace = assess.load_workspace(mini / "rules", mini / "profiles")
    return network_graph(workspace.network, assess.score(workspace, 2024))


def test_dot_quotes_a_label_that_looks_like_html(hostile_network: nx.MultiDiGraph):
    text = render_graph(hostile_network, "dot")
    assert 'label="<<table><tr><td href=\\"javascript:alert(1)\\">x</td></tr></table>>"' in text
    (dot,) = pydot.graph_from_dot_data(text)
    label = dot.get_node('"north_sea"')[0].get("label")
    assert label.startswith('"') and "javascript" in label  # a quoted string, never an HTML label


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_xml_exports_stay_well_formed_with_hostile_text(hostile_network: nx.MultiDiGraph, fmt: str):
    root = ElementTree.fromstring(render_graph(hostile_network, fmt).encode())
    assert "<<table>" in "".join(root.itertext()) + "".join(v for e in root.iter() for v in e.attrib.values())
