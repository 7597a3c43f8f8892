"""Fuzz /sparql with random and mutated queries, headers and bodies: never a 5xx."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from cakg.server import ServiceConfig, create_app

from conftest import ROOT

SEEDS = [
    "SELECT * WHERE { ?s ?p ?o } LIMIT 3",
    "PREFIX cakg: <https://w3id.org/cakg/ontology#> SELECT ?c (COUNT(?x) AS ?n) WHERE { ?x a ?c } GROUP BY ?c LIMIT 5",
    "ASK { <https://w3id.org/cakg/id/country/tha> ?p ?o }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 2",
    "DESCRIBE <https://w3id.org/cakg/id/country/khm>",
    'SELECT ?l WHERE { ?x <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(CONTAINS(?l, "ASEAN")) } LIMIT 4',
]
TOKENS = ["SELECT", "ASK", "CONSTRUCT", "WHERE", "{", "}", "?x", "?y", "<http://a/b>", '"x"', "FILTER", "(", ")",
          "OPTIONAL", "UNION", "LIMIT", "10", "SERVICE", "FROM", "GRAPH", "INSERT", "DATA", ".", ";", ",", "a",
          "VALUES", "BIND", "AS", "#", "\n", "'''", "\\", "@en", "^^", "PREFIX", "p:", "COUNT(*)", "ORDER BY"]
MEDIA = ["application/sparql-query", "application/x-www-form-urlencoded", "application/sparql-update",
         "text/plain", "", "multipart/form-data", "application/sparql-query; charset=latin-1"]
ACCEPT = ["*/*", "text/csv", "application/sparql-results+xml", "text/turtle", "image/png", "", ";;;q=x",
          "text/html", "application/ld+json;q=0.5, text/*"]


@pytest.fixture(scope="module")
def client(real_build):
    app = create_app(ServiceConfig(build_dir=real_build, queries_dir=ROOT / "queries", timeout=5, workers=2,
                                   max_rows=5000))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def mutate(seed: str, edits: list[tuple[int, str]]) -> str:
    text = seed
    for position, token in edits:
        index = position % (len(text) + 1)
        text = text[:index] + token + text[index:]
    return text


queries = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(TOKENS), max_size=30).map(" ".join),
    st.builds(mutate, st.sampled_from(SEEDS),
              st.lists(st.tuples(st.integers(0, 500), st.sampled_from(TOKENS + ["", "\x00", "é", "\ud7ff"])),
                       max_size=4)),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries, accept=st.sampled_from(ACCEPT), fmt=st.sampled_from([None, "json", "csv", "ttl", "zzz"]))
def test_get_never_fails_with_5xx(client, query, accept, fmt):
    params = {"query": query}
    if fmt:
        params["format"] = fmt
    response = client.get("/sparql", params=params, headers={"accept": accept} if accept else {})
    assert response.status_code < 500 or response.status_code == 503, (response.status_code, response.text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(st.binary(max_size=300), queries.map(lambda q: q.encode("utf-8", "surrogatepass"))),
       media=st.sampled_from(MEDIA), accept=st.sampled_from(ACCEPT),
       method=st.sampled_from(["POST", "POST", "PUT", "GET"]))
def test_post_never_fails_with_5xx(client, body, media, accept, method):
    headers = {"accept": accept} if accept else {}
    if media:
        headers["content-type"] = media
    response = client.request(method, "/sparql", content=body, headers=headers)
    assert response.status_code < 500 or response.status_code == 503, (response.status_code, response.text)
