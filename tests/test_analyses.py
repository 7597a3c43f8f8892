"""Network analyses on small hand-checked graphs and on the real graph."""

from __future__ import annotations

import json
import subprocess
import sys

import networkx as nx
import pytest

from cakg import analyses
from cakg.errors import InputError
from cakg.network import project


ID = "https://w3id.org/cakg/id/"


def fixture_graph() -> nx.Graph:
    """Two triangles joined by one bridge c–d:  a-b-c-a  and  d-e-f-d,  plus a pendant g on f."""
    g = nx.Graph(name="fixture")
    for a, b, w in [("a", "b", 1), ("b", "c", 1), ("a", "c", 1), ("c", "d", 2), ("d", "e", 1), ("e", "f", 1),
                    ("d", "f", 1), ("f", "g", 1)]:
        g.add_edge(a, b, weight=w, relation="cooperatesWith", facts=f"fact-{a}{b}")
    for n in g.nodes:
        g.nodes[n].update(label=n.upper(), kind="Country")
    return g


def test_centrality_hand_checked():
    result = analyses.centrality(fixture_graph(), network="fixture")
    rows = {r["label"]: r for r in result.rows}
    assert rows["C"]["degree"] == 3 and rows["D"]["degree"] == 3 and rows["G"]["degree"] == 1
    assert rows["C"]["weighted_degree"] == 4 and rows["D"]["weighted_degree"] == 4
    # Betweenness (normalised by (n-1)(n-2)/2 = 15): C lies on a/b→d,e,f,g paths = 8 pairs → 8/15.
    assert rows["C"]["betweenness"] == pytest.approx(8 / 15, abs=1e-6)
    assert rows["D"]["betweenness"] == pytest.approx(9 / 15, abs=1e-6)
    assert rows["A"]["betweenness"] == 0 and rows["G"]["betweenness"] == 0
    assert rows["D"]["eigenvector"] > rows["G"]["eigenvector"] > 0
    assert result.parameters["betweenness"] == "exact"


def test_communities_hand_checked():
    graph = fixture_graph()
    graph.edges["c", "d"]["weight"] = 1  # with every weight 1 the two triangles are the best split:
    # modularity of {abc},{defg}: 3/8 - (7/16)^2 + 4/8 - (9/16)^2 = 0.3672 (m = 8 edges)
    result = analyses.communities(graph, network="fixture")
    groups: dict[int, set[str]] = {}
    for row in result.rows:
        groups.setdefault(row["community"], set()).add(row["label"])
    assert sorted(map(sorted, groups.values())) == [["A", "B", "C"], ["D", "E", "F", "G"]]
    assert result.summary["communities"] == 2
    assert result.summary["modularity"] == pytest.approx(3 / 8 - (7 / 16) ** 2 + 4 / 8 - (9 / 16) ** 2, abs=1e-6)
    again = analyses.communities(graph, network="fixture")
    assert again.rows == result.rows  # fixed seed: the same partition every time


def test_components_hand_checked():
    g = fixture_graph()
    g.add_edge("x", "y", weight=1)
    g.nodes["x"]["label"], g.nodes["y"]["label"] = "X", "Y"
    result = analyses.components(g, "fixture")
    assert result.summary["components"] == 2
    assert {r["size"] for r in result.rows} == {7, 2}


def test_resilience_hand_checked():
    g = nx.Graph(name="connectivity")
    for a, b, facts in [("chn", "vnm", "cable1"), ("chn", "lao", "cable2 cable3"), ("vnm", "lao", "cable2"),
                        ("chn", "sgp", "interconnect")]:
        g.add_edge(a, b, relation="connectedTo", weight=len(facts.split()), facts=facts)
    g.add_node("brn")
    for n in g.nodes:
        g.nodes[n].update(label=n.upper(), kind="Country")
    result = analyses.resilience(g)
    rows = {r["label"]: r for r in result.rows}
    assert rows["SGP"]["links"] == 1 and rows["SGP"]["single_link"] and rows["SGP"]["bridges"] == 1
    assert rows["LAO"]["links"] == 2 and rows["LAO"]["neighbours"] == 2 and not rows["LAO"]["single_link"]
    assert rows["CHN"]["links"] == 4 and rows["CHN"]["articulation_point"]
    assert rows["BRN"]["links"] == 0
    assert result.summary["bridges"] == [["CHN", "SGP"]]
    assert result.summary["single_link_countries"] == ["SGP"]


class FakeStore:
    """Answers only the label lookup (``resolve_node``) and evidence queries of the analyses."""

    def select(self, query, label="query"):
        from cakg.results import ResultTable, Term

        if label == "name lookup":
            rows = [{"x": Term("uri", n), "l": Term("literal", n.upper())} for n in "abcdefg"]
            rows.append({"x": Term("uri", "d"), "l": Term("literal", "Delta", lang="en")})
            return ResultTable(["x", "l"], rows)
        return ResultTable(["fact"], [])


def test_path_ego_and_compare_hand_checked():
    g, store = fixture_graph(), FakeStore()
    path = analyses.path(store, g, "A", "g", "fixture")
    assert path.summary["nodes"] == ["A", "C", "D", "F", "G"]
    assert [r["step"] for r in path.rows] == [1, 2, 3, 4]
    ego = analyses.ego(store, g, "delta", depth=1, network="fixture")
    assert {r["label"] for r in ego.rows} == {"C", "E", "F"}
    ego2 = analyses.ego(store, g, "D", depth=2, network="fixture")
    assert {r["label"] for r in ego2.rows} == {"A", "B", "C", "E", "F", "G"}
    comparison = analyses.compare(store, g, "C", "D", "fixture")
    assert comparison.summary["common"] == 0 and comparison.summary["only_first"] == 3


def test_unknown_name_gets_close_matches():
    with pytest.raises(InputError, match="close matches: delta"):
        analyses.resolve_node(FakeStore(), fixture_graph(), "Deltaa")


# ------------------------------------------------------------------ on the real graph

def test_path_from_huawei_marine_to_cambodia_runs_through_the_mct_cable(real_store):
    graph = project(real_store, "cooperation")
    result = analyses.path(real_store, graph, "Huawei Marine", "Cambodia")
    assert result.summary["nodes"] == ["Huawei Marine", "Cambodia"]
    step = next(r for r in result.rows if r["fact_iri"].endswith("infrastructure/mct-cable"))
    assert "Huawei Marine designed and constructed" in step["quote"] and step["section"] == "II.(I).3"


def test_names_in_any_language_and_acronyms(real_store):
    graph = project(real_store, "cooperation")
    assert analyses.resolve_node(real_store, graph, "柬埔寨").endswith("country/khm")
    assert analyses.resolve_node(real_store, graph, "country/tha").endswith("country/tha")
    assert analyses.resolve_node(real_store, graph, "ASEAN").endswith("org/asean")


def test_china_is_the_most_central_actor(real_store):
    result = analyses.centrality(project(real_store, "cooperation"), top=3)
    assert result.rows[0]["label"] == "China"


def test_centrality_follows_what_the_documents_relate(real_store):
    """ASEAN is second on its own facts with China; the countries ASEAN only invited to the 16th SOMTC
    are no longer ranked by that invitation (each holds one edge of weight 1/11)."""
    graph = project(real_store, "cooperation")
    rows = analyses.centrality(graph).rows
    ranking = [r["label"] for r in rows]
    assert ranking[:2] == ["China", "Association of Southeast Asian Nations"]
    for invited in ("Russia", "Canada", "India", "New Zealand", "Australia", "Republic of Korea"):
        row = next(r for r in rows if r["label"] == invited)
        assert row["degree"] == 1 and row["weighted_degree"] == pytest.approx(1 / 11, abs=1e-6)
        assert ranking.index(invited) > 15
    asean = next(r for r in rows if r["label"] == "Association of Southeast Asian Nations")
    assert asean["weighted_degree"] == pytest.approx(22.0, abs=1e-6)  # 19 1/11 with China, the rest shares


@pytest.mark.parametrize("name", ["cooperation", "connectivity", "city", "actor-fact", "market"])
def test_asean_is_one_node_in_every_network(real_store, name):
    asean_nodes = {ID + "org/asean", ID + "group/asean-member-states", ID + "region/asean-region"}
    graph = project(real_store, name)
    assert len(asean_nodes & set(graph.nodes)) <= 1, sorted(asean_nodes & set(graph.nodes))
    assert ID + "group/asean-member-states" not in graph


def test_market_presence_is_its_own_network(real_store):
    market, cooperation = project(real_store, "market"), project(real_store, "cooperation")
    assert market.has_edge(ID + "org/baidu", ID + "country/tha")
    assert market.has_edge(ID + "org/alibaba", ID + "org/asean")  # the ASEAN market, drawn as ASEAN
    assert not cooperation.has_edge(ID + "org/baidu", ID + "country/tha")
    for a, b, d in market.edges(data=True):  # China–ASEAN cooperate, but not by China's games entering ASEAN
        if cooperation.has_edge(a, b):
            assert not set(d["facts"].split()) & set(cooperation.edges[a, b]["facts"].split()), (a, b)
    assert all(d["relation"] == "activeInMarket" for _a, _b, d in market.edges(data=True))


def test_singapore_depends_on_a_single_link(real_store):
    # II.(I).2: China has "network interconnection with Singapore"; no other link touches Singapore.
    result = analyses.resilience(project(real_store, "connectivity"))
    rows = {r["label"]: r for r in result.rows}
    assert rows["Singapore"]["single_link"] and rows["Singapore"]["links"] == 1
    assert rows["Cambodia"]["links"] >= 2  # MCT cable and GMS IS at least
    assert rows["Brunei Darussalam"]["links"] == 0


def test_analyses_are_written_back_as_rdf(real_store):
    from pyoxigraph import Store

    from cakg.store import EmbeddedStore

    result = analyses.centrality(project(real_store, "cooperation"), top=5)
    store = Store()
    store.extend(analyses.to_rdf(result))
    table = EmbeddedStore(store).select(
        "PREFIX cakg: <https://w3id.org/cakg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#> "
        "SELECT ?node ?value ?algorithm WHERE { ?s a cakg:AnalysisScore ; cakg:scoreOf ?node ; "
        "cakg:measure 'weighted_degree' ; cakg:scoreValue ?value ; prov:wasGeneratedBy ?run . "
        "?run cakg:algorithm ?algorithm } ORDER BY DESC(?value)")
    assert len(table.rows) == 5 and table.rows[0]["node"].value.endswith("country/chn")
    assert "networkx" in table.rows[0]["algorithm"].value


def test_cli_analyze(real_build):
    base = [sys.executable, "-m", "cakg.cli", "analyze"]
    result = subprocess.run(base + ["path", "huawei marine", "Cambodia", "--store", str(real_build),
                                    "--format", "json"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["summary"]["length"] == 1
    result = subprocess.run(base + ["ego", "Nowhere Land", "--store", str(real_build)], capture_output=True, text=True)
    assert result.returncode == 2 and "no actor named" in result.stderr and "Traceback" not in result.stderr
    result = subprocess.run(base + ["communities", "--store", str(real_build), "--format", "csv"],
                            capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("community,size,label,kind")


def _build_bytes(folder) -> dict[str, bytes]:
    """Every file of a build folder, the store's included, by its path inside it."""
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_analyze_save_writes_a_described_file_and_leaves_the_build_as_it_was(real_build, tmp_path):
    import rdflib

    from cakg.build_folder import BuildFolder

    before = _build_bytes(real_build)
    fingerprint = BuildFolder(real_build).fingerprint
    base = [sys.executable, "-m", "cakg.cli", "analyze"]
    turtle, trig = tmp_path / "centrality.ttl", tmp_path / "path.trig"
    result = subprocess.run(base + ["centrality", "--top", "5", "--store", str(real_build), "--save", str(turtle)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    result = subprocess.run(base + ["communities", "--store", str(real_build), "--save", str(trig)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert _build_bytes(real_build) == before  # store, graph.trig, build-info.json: byte for byte
    assert BuildFolder(real_build).fingerprint == fingerprint

    text = turtle.read_text(encoding="utf-8")
    assert text.startswith("# cakg analyze centrality: the cooperation network, 5 row(s)\n")
    assert f"inputs fingerprint {fingerprint}" in text.splitlines()[1]
    graph = rdflib.Graph().parse(data=text, format="turtle")
    prov, cakg = rdflib.Namespace("http://www.w3.org/ns/prov#"), rdflib.Namespace("https://w3id.org/cakg/ontology#")
    run = graph.value(None, rdflib.RDF.type, cakg.AnalysisRun)
    assert "networkx" in str(graph.value(run, cakg.algorithm))
    assert json.loads(str(graph.value(run, cakg.parameters))) is not None
    assert str(graph.value(run, cakg.network)) == "cooperation"
    started, ended = graph.value(run, prov.startedAtTime), graph.value(run, prov.endedAtTime)
    assert started.datatype == rdflib.XSD.dateTime and started.toPython() <= ended.toPython()
    source = graph.value(run, prov.used)
    assert str(graph.value(source, rdflib.URIRef("http://purl.org/dc/terms/identifier"))) == f"sha256:{fingerprint}"
    scores = set(graph.subjects(prov.wasGeneratedBy, run))
    assert len({graph.value(s, cakg.scoreOf) for s in scores}) == 5

    dataset = rdflib.Dataset()
    dataset.parse(data=trig.read_text(encoding="utf-8"), format="trig")
    analyses_graph = dataset.graph(rdflib.URIRef("https://w3id.org/cakg/graph/analyses"))
    assert (None, cakg.measure, rdflib.Literal("community")) in analyses_graph


def test_analyze_save_refuses_the_build_folder_and_unknown_formats_before_any_work(real_build, tmp_path):
    base = [sys.executable, "-m", "cakg.cli", "analyze", "centrality", "--store", str(real_build)]
    before = _build_bytes(real_build)
    for save, expected in [(str(real_build / "scores.ttl"), "inside the build folder"),
                           (str(real_build / "ontology" / "scores.trig"), "inside the build folder"),
                           (str(tmp_path / "scores.csv"), "name a .ttl (Turtle) or .trig (TriG) file"),
                           (str(tmp_path / "missing" / "scores.ttl"), "does not exist")]:
        result = subprocess.run(base + ["--save", save], capture_output=True, text=True)
        assert result.returncode == 2 and expected in result.stderr, result.stderr
        assert result.stdout == "" and "Traceback" not in result.stderr
    result = subprocess.run(base + ["--save"], capture_output=True, text=True)
    assert result.returncode == 2 and "--save FILE" in result.stderr
    (tmp_path / "link").symlink_to(real_build)
    result = subprocess.run(base + ["--save", str(tmp_path / "link" / "scores.ttl")], capture_output=True, text=True)
    assert result.returncode == 2 and "inside the build folder" in result.stderr
    assert _build_bytes(real_build) == before


def test_analyze_save_with_an_endpoint_writes_only_the_file(real_build, tmp_path):
    from cakg.export import select_quads
    from cakg.push import PushTarget, push
    from cakg.store import EmbeddedStore, open_store

    from servers import oxigraph_server

    local = tmp_path / "build"
    local.mkdir()  # a --store folder the command must not touch (with --endpoint it is not read)
    with oxigraph_server(tmp_path / "oxigraph") as urls:
        push(select_quads(EmbeddedStore(open_store(real_build)), by_document=False),
             PushTarget(update_url=urls["update"], query_url=urls["query"]))
        out = tmp_path / "resilience.ttl"
        result = subprocess.run([sys.executable, "-m", "cakg.cli", "analyze", "resilience", "--endpoint",
                                 urls["query"], "--store", str(local), "--save", str(out)],
                                capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert list(local.iterdir()) == []
    text = out.read_text(encoding="utf-8")
    assert f"# from the SPARQL endpoint {urls['query']}" in text
    assert f"<{urls['query']}>" in text and "sha256:" not in text


def test_service_exposes_analyses_as_json(real_build):
    from starlette.testclient import TestClient

    from cakg.server import ServiceConfig, create_app

    from conftest import ROOT

    app = create_app(ServiceConfig(build_dir=real_build, queries_dir=ROOT / "queries", workers=1))
    with TestClient(app) as client:
        index = client.get("/analyses").json()
        assert {a["name"] for a in index["analyses"]} >= {"centrality", "communities", "resilience", "path"}
        centrality = client.get("/analyses/centrality", params={"top": "3", "format": "json"}).json()
        assert centrality["rows"][0]["label"] == "China" and len(centrality["rows"]) == 3
        path = client.get("/analyses/path", params={"a": "Huawei Marine", "b": "柬埔寨", "format": "json"}).json()
        assert path["summary"]["nodes"] == ["Huawei Marine", "Cambodia"]
        assert any("Huawei Marine designed and constructed" in r["quote"] for r in path["rows"])
        resilience = client.get("/analyses/resilience", params={"format": "json"}).json()
        assert "Singapore" in resilience["summary"]["single_link_countries"]
        assert client.get("/analyses/nothing").status_code == 404
        assert client.get("/analyses/path", params={"a": "Huawei Marine", "format": "json"}).status_code == 400
        missing = client.get("/analyses/ego", params={"a": "Atlantis", "format": "json"})
        assert missing.status_code == 400 and "no actor named" in missing.text
        assert client.get("/analyses/centrality", params={"network": "x", "format": "json"}).status_code == 400
        page = client.get("/analyses/path", params={"a": "Huawei Marine", "b": "Cambodia"},
                          headers={"accept": "text/html"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "Huawei Marine designed and constructed" in page.text and "/id/country/khm" in page.text
