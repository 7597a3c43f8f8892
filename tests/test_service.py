"""The SPARQL 1.1 service in-process: every route, status code and content type."""

from __future__ import annotations

import re

from urllib.parse import quote

import pyoxigraph
import pytest
from starlette.testclient import TestClient

from cakg.server import ServiceConfig, create_app

from conftest import ROOT

SELECT = "PREFIX cakg: <https://w3id.org/cakg/ontology#> SELECT ?c WHERE { ?c a cakg:Country } ORDER BY ?c"
CONSTRUCT = ("PREFIX cakg: <https://w3id.org/cakg/ontology#> CONSTRUCT { ?c a cakg:Country } "
             "WHERE { ?c a cakg:Country }")
MCT = "https://w3id.org/cakg/id/infrastructure/mct-cable"


@pytest.fixture(scope="module")
def client(real_build):
    app = create_app(ServiceConfig(build_dir=real_build, queries_dir=ROOT / "queries", timeout=10, workers=2,
                                   max_request_bytes=20_000))
    with TestClient(app) as test_client:
        yield test_client


def get(client, query: str, **headers):
    return client.get("/sparql?query=" + quote(query), headers=headers)


# ------------------------------------------------------------------ results and formats

def test_select_defaults_to_sparql_json(client):
    response = get(client, SELECT)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    data = response.json()
    countries = [b["c"]["value"] for b in data["results"]["bindings"]]
    assert "https://w3id.org/cakg/id/country/tha" in countries and len(countries) >= 11


@pytest.mark.parametrize("accept,media,marker", [
    ("application/sparql-results+xml", "application/sparql-results+xml", "<sparql"),
    ("text/csv", "text/csv", "c\r\nhttps://"),
    ("text/tab-separated-values", "text/tab-separated-values", "?c\n<https://"),
    ("application/json", "application/sparql-results+json", '"bindings"'),
])
def test_select_formats_by_accept(client, accept, media, marker):
    response = get(client, SELECT, accept=accept)
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    assert marker in response.text


def test_format_parameter_overrides_accept(client):
    response = client.get("/sparql", params={"query": SELECT, "format": "csv"}, headers={"accept": "text/html"})
    assert response.headers["content-type"].startswith("text/csv")


def test_ask_as_json_and_xml(client):
    query = f"ASK {{ <{MCT}> ?p ?o }}"
    assert get(client, query).json() == {"head": {}, "boolean": True}
    assert "<boolean>true</boolean>" in get(client, query, accept="application/sparql-results+xml").text


@pytest.mark.parametrize("accept,fmt", [
    ("text/turtle", pyoxigraph.RdfFormat.TURTLE),
    ("application/n-triples", pyoxigraph.RdfFormat.N_TRIPLES),
    ("application/ld+json", pyoxigraph.RdfFormat.JSON_LD),
    ("application/rdf+xml", pyoxigraph.RdfFormat.RDF_XML),
])
def test_construct_formats(client, accept, fmt):
    response = get(client, CONSTRUCT, accept=accept)
    assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
    triples = list(pyoxigraph.parse(response.content, format=fmt))
    assert len(triples) >= 11


def test_describe_is_served_as_rdf(client):
    response = get(client, f"DESCRIBE <{MCT}>", accept="text/turtle")
    assert response.status_code == 200 and "huawei-marine" in response.text


def test_post_form_and_post_body(client):
    form = client.post("/sparql", data={"query": SELECT})
    body = client.post("/sparql", content=SELECT.encode(), headers={"content-type": "application/sparql-query"})
    assert form.status_code == body.status_code == 200
    assert form.json() == body.json()


def test_dataset_parameters_restrict_the_graphs(client):
    graph = "https://w3id.org/cakg/graph/data/entities/countries"
    response = client.get("/sparql", params={"query": SELECT, "default-graph-uri": graph})
    assert response.status_code == 200
    unknown = client.get("/sparql", params={"query": SELECT, "default-graph-uri": "http://example.org/g"})
    assert unknown.status_code == 400


def test_service_description_without_query(client):
    response = client.get("/sparql", headers={"accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    triples = list(pyoxigraph.parse(response.content, format=pyoxigraph.RdfFormat.TURTLE))
    names = {t.object.value for t in triples if t.predicate.value.endswith("#name")}
    assert "https://w3id.org/cakg/graph/data/wp2016/ii-i-3" in names
    assert any(t.object.value.endswith("#SPARQL11Query") for t in triples)


def test_cors(client):
    response = get(client, SELECT, origin="https://example.org")
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = client.options("/sparql", headers={"origin": "https://example.org",
                                                   "access-control-request-method": "POST"})
    assert preflight.status_code == 200


# ------------------------------------------------------------------ protocol errors

def test_two_queries_is_400(client):
    response = client.get(f"/sparql?query={quote(SELECT)}&query={quote(SELECT)}")
    assert response.status_code == 400 and "exactly one" in response.text


def test_query_in_body_and_url_is_400(client):
    response = client.post(f"/sparql?query={quote(SELECT)}", content=SELECT.encode(),
                           headers={"content-type": "application/sparql-query"})
    assert response.status_code == 400


def test_syntax_error_is_400(client):
    response = get(client, "SELECT ?x WHERE { ?x ")
    assert response.status_code == 400 and "syntax" in response.text.lower()
    assert "Traceback" not in response.text


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", None])
def test_wrong_or_missing_media_type_is_415(client, content_type):
    headers = {"content-type": content_type} if content_type else {}
    response = client.post("/sparql", content=SELECT.encode(), headers=headers)
    assert response.status_code == 415


def test_non_utf8_body_is_400(client):
    response = client.post("/sparql", content="SELECT * WHERE { ?s ?p \"é\" }".encode("latin-1"),
                           headers={"content-type": "application/sparql-query"})
    assert response.status_code == 400 and "UTF-8" in response.text
    form = client.post("/sparql", content=b"query=SELECT%20*%20WHERE%20%7B%7D\xff\xfe",
                       headers={"content-type": "application/x-www-form-urlencoded"})
    assert form.status_code == 400


def test_missing_query_in_post_is_400(client):
    response = client.post("/sparql", data={"other": "x"})
    assert response.status_code == 400


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405(client, method):
    response = client.request(method, "/sparql", content=SELECT.encode())
    assert response.status_code == 405


def test_unacceptable_accept_is_406(client):
    assert get(client, SELECT, accept="image/png").status_code == 406
    assert get(client, CONSTRUCT, accept="text/csv").status_code == 406


def test_unknown_format_parameter_is_400(client):
    assert client.get("/sparql", params={"query": SELECT, "format": "pdf"}).status_code == 400


def test_large_body_is_413(client):
    big = SELECT + " #" + "x" * 30_000
    response = client.post("/sparql", content=big.encode(), headers={"content-type": "application/sparql-query"})
    assert response.status_code == 413


# ------------------------------------------------------------------ read-only and never reaching out

@pytest.mark.parametrize("request_kwargs", [
    {"method": "GET", "url": "/sparql?update=" + quote("INSERT DATA { <a:b> <a:c> <a:d> }")},
    {"method": "POST", "url": "/sparql", "data": {"update": "INSERT DATA { <a:b> <a:c> <a:d> }"}},
    {"method": "POST", "url": "/sparql", "content": b"DROP ALL",
     "headers": {"content-type": "application/sparql-update"}},
    {"method": "POST", "url": "/sparql", "content": b"INSERT DATA { <a:b> <a:c> <a:d> }",
     "headers": {"content-type": "application/sparql-query"}},
    {"method": "GET", "url": "/sparql?query=" + quote("LOAD <http://127.0.0.1:9/x.ttl>")},
])
def test_updates_are_refused_and_nothing_is_written(client, request_kwargs):
    before = get(client, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").json()
    response = client.request(**request_kwargs)
    assert response.status_code == 403
    after = get(client, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").json()
    assert before == after


def test_service_clause_is_refused(client):
    for _ in range(2):  # the guard's verdicts are cached; a refusal must stay one
        response = get(client, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
        assert response.status_code == 400 and "SERVICE" in response.text


def test_service_word_inside_a_string_is_fine(client):
    response = get(client, 'SELECT ("SERVICE and LOAD" AS ?x) WHERE {}')
    assert response.status_code == 200


def test_from_must_name_a_graph_of_the_store(client):
    outside = get(client, "SELECT * FROM <http://example.org/data.ttl> WHERE { ?s ?p ?o } LIMIT 1")
    assert outside.status_code == 400
    inside = get(client, "SELECT * FROM <https://w3id.org/cakg/graph/data/entities/countries> "
                         "WHERE { ?s ?p ?o } LIMIT 1")
    assert inside.status_code == 200 and len(inside.json()["results"]["bindings"]) == 1


def test_result_row_limit(real_build):
    app = create_app(ServiceConfig(build_dir=real_build, queries_dir=ROOT / "queries", workers=1, max_rows=10))
    with TestClient(app) as small:
        assert small.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"}).status_code == 200
        response = small.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert response.status_code == 400 and "more than 10 rows" in response.text


# ------------------------------------------------------------------ saved queries, Linked Data, operations

def test_saved_query_list(client):
    response = client.get("/queries", headers={"accept": "application/json"})
    assert response.status_code == 200
    names = {q["name"] for q in response.json()}
    assert len(names) >= 30


def test_saved_query_in_every_format(client):
    name = client.get("/queries", headers={"accept": "application/json"}).json()[0]["name"]
    for fmt, media in [("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml"),
                       ("csv", "text/csv"), ("tsv", "text/tab-separated-values")]:
        response = client.get(f"/queries/{name}", params={"format": fmt})
        assert response.status_code == 200 and response.headers["content-type"].startswith(media), fmt


def test_unknown_saved_query_is_404_with_suggestions(client):
    name = client.get("/queries", headers={"accept": "application/json"}).json()[0]["name"]
    response = client.get(f"/queries/{name}x", params={"format": "json"})
    assert response.status_code == 404 and name in response.text


def test_bad_saved_query_parameter_is_400(client):
    queries = client.get("/queries", headers={"accept": "application/json"}).json()
    with_param = next(q for q in queries if any(p["type"] in ("integer", "year", "country") for p in q["params"]))
    param = next(p for p in with_param["params"] if p["type"] in ("integer", "year", "country"))
    response = client.get(f"/queries/{with_param['name']}", params={param["name"]: "12 not valid!", "format": "json"})
    assert response.status_code == 400 and param["name"] in response.text
    response = client.get(f"/queries/{with_param['name']}", params={"nosuchparam": "1", "format": "json"})
    assert response.status_code == 400


@pytest.mark.parametrize("suffix,accept,fmt", [
    ("", "text/turtle", pyoxigraph.RdfFormat.TURTLE),
    ("", "application/ld+json", pyoxigraph.RdfFormat.JSON_LD),
    ("", "application/n-triples", pyoxigraph.RdfFormat.N_TRIPLES),
    (".ttl", "*/*", pyoxigraph.RdfFormat.TURTLE),
    (".jsonld", "*/*", pyoxigraph.RdfFormat.JSON_LD),
    (".nt", "*/*", pyoxigraph.RdfFormat.N_TRIPLES),
])
def test_entity_as_rdf(client, suffix, accept, fmt):
    response = client.get(f"/id/infrastructure/mct-cable{suffix}", headers={"accept": accept})
    assert response.status_code == 200
    triples = list(pyoxigraph.parse(response.content, format=fmt))
    predicates = {t.predicate.value for t in triples}
    assert "https://w3id.org/cakg/ontology#builtBy" in predicates
    assert "https://w3id.org/cakg/ontology#quote" in predicates  # its evidence comes along


def test_unknown_entity_is_404(client):
    assert client.get("/id/country/xyz", headers={"accept": "text/turtle"}).status_code == 404


def test_ontology_as_turtle_and_html(client):
    turtle = client.get("/ontology", headers={"accept": "text/turtle"})
    assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle")
    assert "cakg:Agreement" in turtle.text or "ontology#Agreement" in turtle.text
    assert client.get("/ontology.ttl").headers["content-type"].startswith("text/turtle")
    html = client.get("/ontology", headers={"accept": "text/html"})
    assert html.status_code == 200 and "<html" in html.text.lower()


def test_health_and_openapi(client):
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["triples"] > 10_000 and len(health["worker_pids"]) == 2
    assert health["store"] == "memory copy"  # the real build is far below --in-memory-max
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.") and "/sparql" in spec["paths"] and "/id/{path}" in spec["paths"]


def test_errors_never_show_a_stack_trace(client):
    for response in [get(client, "SELECT ?x WHERE {"), client.get("/queries/nope?format=json"),
                     client.put("/sparql"), get(client, SELECT, accept="image/png")]:
        assert "Traceback" not in response.text and "File \"" not in response.text
    # A syntax error's first line is the whole message; the lines after it show where (the text with a caret)
    # and the parser's own words. Every other error is one line.
    syntax = get(client, "SELECT ?x WHERE {")
    assert syntax.status_code == 400
    assert re.fullmatch(r"SPARQL syntax error at line 1, column 18: .+ a \} is missing", syntax.text.splitlines()[0])
    assert "  |                  ^" in syntax.text.splitlines()
    for response in [client.get("/queries/nope?format=json"), client.put("/sparql"), get(client, SELECT, accept="image/png")]:
        assert len(response.text.strip().splitlines()) == 1, response.text
