"""One query path: every read in the workers, answers written by pyoxigraph, bounded caches, the catalogue, conformance.

In-process against the real build (the live deadline test is in test_service_live_deadline.py).
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from urllib.parse import quote

import networkx as nx
import pyoxigraph
import pytest
from starlette.routing import Mount
from starlette.testclient import TestClient

from cakg import catalogue
from cakg.openapi import openapi_path
from cakg.results import table_from_sparql_json
from cakg.row_limit import with_limit
from cakg.server import ServiceConfig, create_app
from cakg.store import EmbeddedStore, open_store

from conftest import ROOT

THA = "https://w3id.org/cakg/id/country/tha"
MCT = "https://w3id.org/cakg/id/infrastructure/mct-cable"


@pytest.fixture(scope="module")
def client(real_build):
    app = create_app(ServiceConfig(build_dir=real_build, queries_dir=ROOT / "queries", timeout=20, workers=2))
    with TestClient(app) as test_client:
        yield test_client


def sparql(client, query: str, accept: str = "application/sparql-results+json", **params):
    return client.get("/sparql", params={"query": query, **params}, headers={"accept": accept})


# ------------------------------------------------------------------ the OpenAPI document and the catalogue

def test_openapi_lists_every_route_of_the_application(client):
    routes = {openapi_path(r.path) for r in client.app.routes if not isinstance(r, Mount)}
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) == routes
    assert {"/", "/editor", "/network", "/analyses", "/analyses/{kind}"} <= set(spec["paths"])
    kinds = next(p for p in spec["paths"]["/analyses/{kind}"]["get"]["parameters"] if p["name"] == "kind")
    assert kinds["schema"]["enum"] == list(catalogue.ANALYSES)
    network = next(p for p in spec["paths"]["/network"]["get"]["parameters"] if p["name"] == "network")
    assert set(network["schema"]["enum"]) == {"auto", *catalogue.NETWORKS} and "market" in network["schema"]["enum"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert operation["summary"], (path, method)  # from the handler's docstring


def test_the_command_line_takes_its_choices_from_the_catalogue():
    from cakg.cli import parser

    def choices(command: str, option: str) -> list[str]:
        sub = next(a for a in parser()._actions if a.dest == "command").choices[command]
        return list(next(a for a in sub._actions if a.dest == option).choices)

    assert choices("analyze", "kind") == list(catalogue.ANALYSES)
    assert choices("analyze", "network") == list(catalogue.NETWORKS)
    assert choices("export", "format") == [f.name for f in catalogue.EXPORT_FORMATS]
    assert choices("query", "format") == list(catalogue.QUERY_OUTPUT_FORMATS)


def test_the_analyses_index_is_the_catalogue(client):
    index = client.get("/analyses").json()
    assert [a["name"] for a in index["analyses"]] == list(catalogue.ANALYSES)
    assert index["networks"] == catalogue.NETWORKS
    resilience = next(a for a in index["analyses"] if a["name"] == "resilience")
    assert resilience["default_network"] == "connectivity"


# ------------------------------------------------------------------ bounded caches, canonical keys

def test_junk_parameters_make_no_cache_entries(client):
    service = client.app.state.service
    first = client.get("/analyses/components", params={"network": "city"})
    assert first.status_code == 200
    before = len(service.analyses)
    for junk in range(5):
        answer = client.get("/analyses/components", params={"network": "city", f"junk{junk}": "x", "top": "3"})
        assert answer.status_code == 200 and answer.json() == first.json()
    assert len(service.analyses) == before
    assert client.get("/health").json()["cached"]["analyses"] == before


def test_a_refused_analysis_is_not_cached(client):
    service = client.app.state.service
    before = len(service.analyses)
    assert client.get("/analyses/path", params={"a": "China"}).status_code == 400  # b is missing
    assert client.get("/analyses/ego", params={"a": "China", "depth": "two"}).status_code == 400
    assert client.get("/analyses/centrality", params={"network": "nowhere"}).status_code == 400
    assert client.get("/analyses/ego", params={"a": "no such actor at all"}).status_code == 400
    assert len(service.analyses) == before


def test_the_caches_are_bounded(client):
    service = client.app.state.service
    assert service.analyses.size == 64 and service.networks.size == len(catalogue.NETWORKS)
    for top in range(1, 70):
        service.analyses.put(("centrality", "cooperation", (("top", top),)), {"rows": []})
    assert len(service.analyses) == 64


def test_canonical_parameters():
    assert catalogue.analysis_parameters("centrality", {"top": "05", "x": "1"}) == ("cooperation", (("top", 5),))
    assert catalogue.analysis_parameters("resilience", {}) == ("connectivity", ())
    assert catalogue.analysis_parameters("ego", {"a": " China "}) == ("cooperation", (("a", "China"), ("depth", 1)))
    with pytest.raises(catalogue.ParameterError):
        catalogue.analysis_parameters("compare", {"a": "China"})


# ------------------------------------------------------------------ answers written by pyoxigraph

QUERIES = [
    f"SELECT ?p ?o WHERE {{ <{THA}> ?p ?o }} ORDER BY ?p ?o",
    "PREFIX cakg: <https://w3id.org/cakg/ontology#> SELECT ?f ?q ?missing WHERE { ?f cakg:evidence ?e . "
    "?e cakg:quote ?q OPTIONAL { ?e <http://example.org/none> ?missing } } ORDER BY ?f ?q LIMIT 50",
    "SELECT ?x (COUNT(*) AS ?n) WHERE { ?x ?p ?o } GROUP BY ?x ORDER BY DESC(?n) ?x LIMIT 10",
    'SELECT ?b ?l WHERE { BIND(BNODE() AS ?b) BIND("tab\\there\\nnew line, \\"quoted\\""@en AS ?l) }',
]


@pytest.mark.parametrize("query", QUERIES)
def test_every_result_format_carries_the_rows_the_store_gives(client, real_store, query):
    expected = real_store.select(query)
    as_json = table_from_sparql_json(sparql(client, query).json())
    assert as_json.variables == expected.variables
    plain = [{k: v for k, v in row.items() if v.kind != "bnode"} for row in expected.rows]
    assert [{k: v for k, v in row.items() if v.kind != "bnode"} for row in as_json.rows] == plain
    xml = ET.fromstring(sparql(client, query, "application/sparql-results+xml").content)
    ns = "{http://www.w3.org/2005/sparql-results#}"
    assert len(xml.findall(f"{ns}results/{ns}result")) == len(expected.rows)
    rows = list(csv.reader(io.StringIO(sparql(client, query, "text/csv").text)))
    assert rows[0] == expected.variables and len(rows) - 1 == len(expected.rows)
    parsed = list(pyoxigraph.parse_query_results(sparql(client, query, "text/tab-separated-values").content,
                                                 format=pyoxigraph.QueryResultsFormat.TSV))
    assert len(parsed) == len(expected.rows)


def test_ask_in_every_format(client):
    query = f"ASK {{ <{MCT}> ?p ?o }}"
    assert sparql(client, query).json() == {"head": {}, "boolean": True}
    assert "<boolean>true</boolean>" in sparql(client, query, "application/sparql-results+xml").text
    assert sparql(client, query, "text/csv").text == "boolean\r\ntrue\r\n"
    assert sparql(client, query, "text/tab-separated-values").text == "?boolean\ntrue\n"


def test_the_row_limit_holds_with_the_engine_stopped_early(real_build):
    app = create_app(ServiceConfig(build_dir=real_build, queries_dir=ROOT / "queries", workers=1, max_rows=10))
    with TestClient(app) as small:
        for fmt in ("json", "xml", "csv", "tsv"):
            over = small.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }", "format": fmt})
            assert over.status_code == 400 and "more than 10 rows" in over.text, fmt
            exact = small.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 10", "format": fmt})
            assert exact.status_code == 200, fmt
        # A trailing VALUES is not rewritten; its rows are counted all the same.
        values = ("SELECT ?s WHERE { ?s ?p ?o } VALUES ?p { <http://www.w3.org/2000/01/rdf-schema#label> }")
        assert small.get("/sparql", params={"query": values}).status_code == 400


def test_with_limit_appends_only_where_the_grammar_puts_the_outer_limit():
    assert with_limit("SELECT * WHERE { ?s ?p ?o } # comment", 11) == "SELECT * WHERE { ?s ?p ?o } # comment\nLIMIT 11\n"
    assert with_limit("PREFIX a: <x:> SELECT * { { SELECT * { ?s ?p ?o } LIMIT 3 } } ORDER BY ?s", 5).endswith("LIMIT 5\n")
    for query in ("ASK { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }", "SELECT * { ?s ?p ?o } LIMIT 3",
                  "SELECT * { ?s ?p ?o } OFFSET 2 LIMIT 3", "SELECT * { ?s ?p ?o } VALUES ?s { <x:a> }"):
        assert with_limit(query, 5) is None, query


def test_rewritten_queries_answer_as_sent(real_store):
    """Every saved query, with the LIMIT a worker adds, gives the same ordered rows as the query as sent."""
    from cakg.queries import load_saved_queries

    checked = 0
    for name, saved in load_saved_queries(ROOT / "queries").items():
        text = saved.bind({}) if all(p.default is not None for p in saved.params) else None
        limited = with_limit(text, 100_001) if text else None
        if limited is None:
            continue
        assert real_store.select(limited).rows == real_store.select(text).rows, name
        checked += 1
    assert checked >= 30


# ------------------------------------------------------------------ conformance

def test_relative_iris_resolve_against_the_endpoint(client):
    response = client.get("/sparql", params={"query": "SELECT ?x WHERE { BIND(<a> AS ?x) }"},
                          headers={"host": "example.org:8000", "accept": "application/sparql-results+json"})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"][0]["x"]["value"] == "http://example.org:8000/a"
    based = sparql(client, "BASE <https://w3id.org/cakg/id/> ASK { <country/tha> ?p ?o }")
    assert based.json()["boolean"] is True


def test_an_unsupported_function_is_a_400_naming_it(client):
    response = sparql(client, "SELECT * WHERE { BIND(<http://example.org/name>(1) AS ?x) }")
    assert response.status_code == 400 and "<http://example.org/name>" in response.text
    assert len(response.text.strip().splitlines()) == 1


# ------------------------------------------------------------------ pages and analyses through the workers

def test_pages_and_analyses_are_read_by_the_workers(client):
    """Every route that reads the store sends a job to the worker pool; the server process has no store of its own."""
    from cakg.workers import Job, Task

    service = client.app.state.service
    assert not hasattr(service, "table") and not hasattr(client.app.state, "analyses")
    seen: list = []
    run = service.pool.run

    async def recording(job, timeout=None):
        seen.append(job.name if isinstance(job, Task) else type(job).__name__)
        return await run(job, timeout)

    service.pool.run = recording
    try:
        expected = {"/": ["home"], "/search?q=Thailand": ["search"], "/editor": ["editor_terms"],
                    "/id/country/tha": ["entity"], "/id/country/tha.ttl": ["entity_rdf"],
                    "/queries/country-figures": ["results"], "/analyses/centrality?network=market": ["analysis"],
                    "/network?network=market": ["network"],
                    "/sparql?query=" + quote("ASK {}"): ["Job"]}
        for url, jobs in expected.items():
            seen.clear()
            service.pages._entries.clear()
            service.networks._entries.clear()
            response = client.get(url, headers={"accept": "text/html" if "sparql" not in url else "*/*"})
            assert response.status_code == 200, (url, response.text[:300])
            assert seen and set(jobs) <= set(seen), (url, seen)  # a page may need more than one read
    finally:
        service.pool.run = run


# ------------------------------------------------------------------ networks for Gephi from the browser

@pytest.mark.parametrize("fmt, media_type", [("graphml", "application/graphml+xml"), ("gexf", "application/gexf+xml")])
def test_a_network_downloads_for_gephi_as_the_export_writes_it(client, real_store, fmt, media_type):
    from cakg.export import export

    response = client.get("/network", params={"network": "connectivity", "format": fmt})
    assert response.status_code == 200 and response.headers["content-type"].startswith(media_type)
    assert response.headers["content-disposition"] == f'attachment; filename="connectivity.{fmt}"'
    assert response.content == export(real_store, fmt, "connectivity")
    read = (nx.read_graphml if fmt == "graphml" else nx.read_gexf)(io.BytesIO(response.content))
    assert read.number_of_nodes() > 10 and read.number_of_edges() > 10
    # Without a network, the cooperation network; the page and the analyses page link both files.
    assert client.get("/network", params={"format": fmt}).content == export(real_store, fmt, "cooperation")
    page = client.get("/network", params={"network": "market"}, headers={"accept": "text/html"}).text
    assert f'href="/network?network=market&amp;format={fmt}" download' in page
    assert f'href="/network?network=city&amp;format={fmt}" download' in client.get(
        "/analyses", headers={"accept": "text/html"}).text


def test_an_unknown_network_file_format_is_a_400(client):
    response = client.get("/network", params={"network": "market", "format": "png"})
    assert response.status_code == 400 and response.text.strip() == "unknown format 'png'; choose from graphml, gexf"
