"""The explorer's HTML pages in-process: home, entities, search, saved queries, results, editor and errors."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.testclient import TestClient

from cakg.server import ServiceConfig, create_app

from conftest import ROOT

HTML = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
ID = "https://w3id.org/cakg/id/"


@pytest.fixture(scope="module")
def client(real_build):
    app = create_app(ServiceConfig(build_dir=real_build, queries_dir=ROOT / "queries", timeout=20, workers=2))
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def saved(client):
    return client.app.state.service.saved


class Page(HTMLParser):
    """The parts of a page the tests look at: tags with attributes, and the visible text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.texts: list[str] = []
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.texts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.texts).split())

    def links(self) -> list[str]:
        return [a["href"] for t, a in self.tags if t == "a" and "href" in a]

    def inputs(self) -> dict[str, dict[str, str]]:
        return {a["name"]: a for t, a in self.tags if t == "input" and "name" in a}

    def assets(self) -> list[str]:
        """Every URL the browser would fetch by itself (scripts, stylesheets, images, icons, frames)."""
        found = []
        for tag, attrs in self.tags:
            if tag in ("script", "img", "iframe", "source", "audio", "video", "embed") and attrs.get("src"):
                found.append(attrs["src"])
            if tag == "link" and attrs.get("href"):
                found.append(attrs["href"])
            if tag == "object" and attrs.get("data"):
                found.append(attrs["data"])
        return found


def page(client, url: str, status: int = 200) -> Page:
    response = client.get(url, headers=HTML)
    assert response.status_code == status, (url, response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    assert "charset=utf-8" in response.headers["content-type"]
    parsed = Page(response.text)
    parsed.raw = response.text
    for asset in parsed.assets():
        # Every asset ships with the package: the pages fetch nothing from another host.
        assert asset.startswith("/") and not asset.startswith("//") or asset.startswith("data:"), (url, asset)
    return parsed


# ------------------------------------------------------------------ layout

@pytest.mark.parametrize("url", ["/", "/editor", "/queries", "/search", "/search?q=Thailand",
                                 "/id/country/tha", "/queries/country-figures"])
def test_every_page_has_the_navigation_and_the_stylesheet(client, url):
    parsed = page(client, url)
    links = parsed.links()
    for target in ("/", "/editor", "/queries", "/search", "/ontology"):
        assert target in links, (url, target)
    assert ("link", {"rel": "stylesheet", "href": "/static/cakg.css"}) in parsed.tags
    assert parsed.raw.lstrip().lower().startswith("<!doctype html>")


def test_stylesheet_and_scripts_are_served(client):
    for path, media in (("/static/cakg.css", "text/css"), ("/static/editor.js", "javascript"),
                        ("/static/cakg.js", "javascript")):
        response = client.get(path)
        assert response.status_code == 200 and media in response.headers["content-type"], path
    css = client.get("/static/cakg.css").text
    assert "@import" not in css and "url(http" not in css and "fonts.googleapis" not in css
    assert "@media" in css  # responsive


# ------------------------------------------------------------------ home

def test_home_lists_documents_counts_and_coverage(client):
    service = client.app.state.service
    parsed = page(client, "/")
    text = parsed.text
    assert "White Paper on China–ASEAN Information Technology Development and Cooperation (2016)" in text
    assert "ASEAN–China Leaders' Statement on Smart City Cooperation Initiative" in text
    assert "China Academy of Information and Communications Technology" in text  # the issuer
    assert "2016-09" in text and "2019-11-03" in text
    assert "The copyright of this white paper is owned by CAICT" in text
    assert f"{int(service.info['triples']):,}" in text and "triples" in text
    # Counts per class, each linked to its instances.
    assert re.search(r"\b21 Country\b", text) or re.search(r"\b\d+ Country\b", text)
    listing = [link for link in parsed.links() if link.startswith("/sparql?") and "Country" in link]
    assert listing
    # Coverage: sections with facts citing them and cited / total paragraphs.
    assert "II.(I).3" in text and "/id/section/wp2016-ii-i-3" in parsed.links()
    assert re.search(r"\b\d+ / \d+\b", text)
    assert re.search(r"\d+ facts cite this document; \d+ of its \d+ paragraphs", text)
    for target in ("/editor", "/queries", "/search", "/ontology", "/sparql"):
        assert target in parsed.links()
    assert ("form", {"class": "big-search", "action": "/search", "method": "get", "role": "search"}) in parsed.tags


def test_home_class_listing_link_runs(client):
    parsed = page(client, "/")
    link = next(link for link in parsed.links() if link.startswith("/sparql?") and "cakg%3ACountry" in link)
    listing = page(client, link)
    assert "Thailand" in listing.text and "/id/country/tha" in listing.links()


# ------------------------------------------------------------------ entities

def test_mct_cable_page(client):
    parsed = page(client, "/id/infrastructure/mct-cable")
    text, links = parsed.text, parsed.links()
    assert "Malaysia–Cambodia–Thailand (MCT) submarine cable system" in text
    assert "Huawei Marine" in text and "/id/org/huawei-marine" in links
    assert "Huawei Marine designed and constructed the Malaysia - Cambodia - Thailand (MCT) submarine cable system" \
        in text
    assert "II.(I).3" in text and "/id/passage/wp2016-ii-i-3-p1" in links and "/id/section/wp2016-ii-i-3" in links
    assert "White Paper on China–ASEAN Information Technology Development and Cooperation (2016)" in text
    for extension in (".ttl", ".jsonld", ".nt"):
        assert f"/id/infrastructure/mct-cable{extension}" in links
    turtle = client.get("/id/infrastructure/mct-cable.ttl")
    assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle")
    # Both directions, labels of the other end, derived edges.
    assert "built by" in text and "connects" in text and "/id/country/khm" in links
    assert "马来西亚—柬埔寨—泰国（MCT）海底光缆系统" in text and "zh" in text
    assert "Derived network edges" in text and "connected to" in text
    assert "Submarine cable" in text  # its type, labelled


def test_country_page_names_wikidata_and_edges(client):
    parsed = page(client, "/id/country/tha")
    text, links = parsed.text, parsed.links()
    assert "Thailand" in text and "泰国" in text and "ประเทศไทย" in text
    assert "https://www.wikidata.org/wiki/Q869" in links
    assert "Wikidata Q869" in text
    assert "cooperates with" in text and "/id/country/chn" in links
    assert "/id/city/bangkok" in links  # a statement pointing at it (located in)
    assert ("td", {"lang": "th"}) in parsed.tags


def test_city_page_shows_coordinates(client):
    parsed = page(client, "/id/city/bangkok")
    assert "13.756" in parsed.text and "100.502" in parsed.text
    assert "曼谷" in parsed.text and "กรุงเทพมหานคร" in parsed.text


def test_passage_page_shows_text_and_citing_facts(client):
    parsed = page(client, "/id/passage/wp2016-ii-i-3-p1")
    assert "In terms of regional cooperation" in parsed.text
    assert "Facts citing this passage" in parsed.text
    assert "/id/infrastructure/mct-cable" in parsed.links()
    assert "<mark>" in parsed.raw  # the quoted words are marked


def test_section_and_document_pages(client):
    section = page(client, "/id/section/wp2016-ii-i-3")
    assert "/id/passage/wp2016-ii-i-3-p1" in section.links()
    document = page(client, "/id/doc/caict-white-paper-2016")
    assert "/id/section/wp2016-ii-i-3" in document.links()
    assert "CAICT" in document.text


def test_fact_node_page_lists_the_edges_it_supports(client):
    parsed = page(client, "/id/infrastructure/gms-is")
    assert "Derived network edges" in parsed.text and "connected to" in parsed.text


def test_unknown_entity_is_an_html_404(client):
    parsed = page(client, "/id/country/atlantis", status=404)
    assert "404" in parsed.text and "no entity https://w3id.org/cakg/id/country/atlantis" in parsed.text
    assert "/search" in parsed.links()
    plain = client.get("/id/country/atlantis", headers={"accept": "text/turtle"})
    assert plain.status_code == 404 and plain.headers["content-type"].startswith("text/plain")


def test_unknown_saved_query_is_an_html_404(client):
    parsed = page(client, "/queries/country-figure", status=404)
    assert "country-figures" in parsed.text  # the close match


# ------------------------------------------------------------------ search

def test_search_finds_bangkok_by_its_chinese_name(client):
    parsed = page(client, "/search?q=曼谷")
    assert "Bangkok" in parsed.text and "/id/city/bangkok" in parsed.links()
    assert parsed.inputs()["q"]["value"] == "曼谷"


def test_search_is_case_insensitive_and_covers_every_language(client):
    for q in ("BANGKOK", "bangkok", "กรุงเทพ"):
        data = client.get("/search", params={"q": q, "format": "json"}).json()
        assert ID + "city/bangkok" in [e["iri"] for e in data["entities"]], q
    data = client.get("/search", params={"q": "mct", "format": "json"}).json()
    hit = next(e for e in data["entities"] if e["iri"] == ID + "infrastructure/mct-cable")
    assert hit["match"] in ("MCT", "Malaysia - Cambodia - Thailand (MCT) submarine cable system")  # skos:altLabel


def test_search_finds_passages(client):
    parsed = page(client, "/search?q=submarine")
    passages = [link for link in parsed.links() if link.startswith("/id/passage/")]
    assert passages and "/id/passage/wp2016-ii-i-3-p1" in passages
    assert "<mark>submarine</mark>" in parsed.raw


def test_search_json(client):
    response = client.get("/search?q=submarine&format=json")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    data = response.json()
    assert data["query"] == "submarine"
    assert set(data) == {"query", "entities", "passages", "more", "corrections", "suggestions"}
    entity = next(e for e in data["entities"] if e["iri"] == ID + "infrastructure/mct-cable")
    assert set(entity) == {"iri", "label", "match", "lang", "types"}
    assert "https://w3id.org/cakg/ontology#SubmarineCable" in entity["types"]
    passage = next(p for p in data["passages"] if p["iri"] == ID + "passage/wp2016-ii-i-3-p1")
    assert set(passage) == {"iri", "section", "document", "snippet"}
    assert passage["section"] == "II.(I).3" and "submarine" in passage["snippet"].lower()
    assert passage["document"].startswith("White Paper")


def test_search_without_a_query_shows_the_form(client):
    for url in ("/search", "/search?q=", "/search?q=%20%20"):
        parsed = page(client, url)
        assert "q" in parsed.inputs() and "Entities" not in parsed.text
    assert client.get("/search?format=json").json() == {"query": "", "entities": [], "passages": [], "more": False,
                                                         "corrections": {}, "suggestions": []}


@pytest.mark.parametrize("q", ['<script>alert("x")</script>', 'a"b\\c', "x' } UNION { ?s ?p ?o", "}}\n#", "\\u0022"])
def test_search_strings_are_escaped_and_bound_safely(client, q):
    response = client.get("/search", params={"q": q}, headers=HTML)
    assert response.status_code == 200
    assert "<script>alert" not in response.text
    if "<" in q:
        assert "&lt;script&gt;" in response.text
    data = client.get("/search", params={"q": q, "format": "json"}).json()
    assert data["query"] == q.strip() and data["entities"] == [] and data["passages"] == []


def test_search_string_length_is_limited(client):
    response = client.get("/search", params={"q": "a" * 5000, "format": "json"})
    assert response.status_code == 200 and len(response.json()["query"]) == 200
    assert len(response.json()["passages"]) <= 50


# ------------------------------------------------------------------ saved queries

def test_queries_page_groups_every_saved_query(client, saved):
    parsed = page(client, "/queries")
    links, text = parsed.links(), parsed.text
    for name, query in saved.items():
        assert f"/queries/{name}" in links, name
        assert query.title in text, name
    for heading in ("Information infrastructure", "Statistics", "Provenance and coverage"):
        assert heading in text
    assert "country-figures" in text and "The country (ISO alpha-3 code" in text  # a parameter and its description
    assert "/queries/country-figures?format=json" in links and "/queries/country-figures?format=csv" in links


def test_every_saved_query_page_has_a_form(client, saved):
    for name, query in saved.items():
        parsed = page(client, f"/queries/{name}")
        forms = [a for t, a in parsed.tags if t == "form" and a.get("action") == f"/queries/{name}"]
        assert forms and forms[0]["method"] == "get", name
        inputs = parsed.inputs()
        for param in query.params:
            assert param.name in inputs, (name, param.name)
            if param.default:
                assert inputs[param.name]["value"] == param.default
            assert param.description in parsed.text
        assert any(link.startswith(f"/queries/{name}?") and "format=json" in link for link in parsed.links()), name


def test_query_page_runs_with_parameters(client):
    parsed = page(client, "/queries/country-figures?country=tha")
    assert parsed.inputs()["country"]["value"] == "tha"
    assert "Thailand" in parsed.text
    rows = len(client.get("/queries/country-figures?country=tha&format=json").json()["results"]["bindings"])
    assert f"{rows} rows" in parsed.text
    # Rows that differ only in their evidence are one entry (a <tbody>) listing their quotes.
    entries = parsed.raw.count('<tbody class="entry"')
    assert 1 <= entries <= rows and f'data-entries="{entries}"' in parsed.raw
    links = parsed.links()
    for fmt in ("json", "csv", "tsv", "xml"):
        link = next(link for link in links if f"format={fmt}" in link)
        assert parse_qs(urlsplit(link).query) == {"country": ["tha"], "format": [fmt]}
        assert client.get(link).status_code == 200


def test_query_page_with_a_bad_value_shows_the_error(client):
    parsed = page(client, "/queries/country-figures?country=<b>x", status=400)
    assert "no country or country group is named '<b>x'" in parsed.text  # read as a name: none has it
    assert "<b>x" not in parsed.raw and "&lt;b&gt;x" in parsed.raw
    assert "country" in parsed.inputs()  # the form is still there to correct it


def test_query_page_types_inputs(client, saved):
    numeric = [(name, p.name) for name, q in saved.items() for p in q.params if p.type in ("integer", "year")]
    for name, param in numeric[:3]:
        assert page(client, f"/queries/{name}").inputs()[param]["type"] == "number"
    text = [(name, p.name) for name, q in saved.items() for p in q.params if p.type in ("iri", "country", "string")]
    for name, param in text[:3]:
        assert page(client, f"/queries/{name}").inputs()[param].get("type") == "text"


# ------------------------------------------------------------------ results of the endpoint

def test_select_results_as_html(client):
    query = ("PREFIX cakg: <https://w3id.org/cakg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
             "SELECT ?c ?l WHERE { ?c a cakg:Country ; rdfs:label ?l } ORDER BY ?c ?l")
    response = client.get("/sparql", params={"query": query}, headers=HTML)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    parsed = Page(response.text)
    assert "/id/country/tha" in parsed.links()  # local link for the cakg id namespace
    # The value in the cell; its language on hover, not in the text.
    assert "泰国" in parsed.text and "@zh" not in parsed.text and "@th" not in parsed.text
    assert 'title="Chinese (@zh)" lang="zh">泰国<' in response.text and 'title="Thai (@th)" lang="th">' in response.text
    assert "Thailand" in parsed.text  # the label of the IRI
    assert "SELECT ?c ?l WHERE" in parsed.text  # the query text
    formats = {fmt: link for link in parsed.links() for fmt in ("json", "csv") if f"format={fmt}" in link}
    assert set(formats) == {"json", "csv"}
    assert client.get(formats["json"]).headers["content-type"].startswith("application/sparql-results+json")
    assert client.get(formats["csv"]).headers["content-type"].startswith("text/csv")


def test_construct_results_as_html(client):
    query = ("PREFIX cakg: <https://w3id.org/cakg/ontology#> "
             "CONSTRUCT { ?c a cakg:Country } WHERE { ?c a cakg:Country }")
    response = client.get("/sparql", params={"query": query}, headers=HTML)
    parsed = Page(response.text)
    assert response.status_code == 200
    pre = [a for t, a in parsed.tags if t == "pre"]
    assert pre and "<https://w3id.org/cakg/id/country/tha>" in response.text.replace("&lt;", "<").replace("&gt;", ">")
    assert any("format=ttl" in link for link in parsed.links())


def test_ask_and_posted_queries_as_html(client):
    response = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers=HTML)
    assert response.status_code == 200 and "true" in Page(response.text).text
    posted = client.post("/sparql", data={"query": "SELECT ?x WHERE { VALUES ?x { 1 2 } }"}, headers=HTML)
    assert posted.status_code == 200 and "2 rows" in Page(posted.text).text
    link = next(link for link in Page(posted.text).links() if "format=json" in link)
    assert len(client.get(link).json()["results"]["bindings"]) == 2


def test_results_page_escapes_values(client):
    query = 'SELECT ?x WHERE { BIND("<script>alert(1)</script>" AS ?x) }'
    response = client.get("/sparql", params={"query": query}, headers=HTML)
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text and "&lt;script&gt;alert(1)" in response.text


def test_an_empty_parameter_value_is_reported_on_the_form(client):
    parsed = page(client, "/queries/country-figures?country=", status=400)
    assert "The query could not run" in parsed.text and "country" in parsed.inputs()


# ------------------------------------------------------------------ editor

def test_editor_page_configures_yasgui_locally(client, saved):
    parsed = page(client, "/editor")
    assets = parsed.assets()
    assert "/static/vendor/yasgui/yasgui.min.js" in assets and "/static/vendor/yasgui/yasgui.min.css" in assets
    assert "/static/editor.js" in assets
    config_text = parsed.raw.split('id="cakg-editor-config">', 1)[1].split("</script>", 1)[0]
    config = json.loads(config_text)
    assert config["endpoint"] == "/sparql"
    for prefix in ("cakg", "rdfs", "skos", "owl", "prov", "qb", "dcterms", "schema", "geo"):
        assert prefix in config["prefixes"] and prefix in config["editorPrefixes"]
        assert f"PREFIX {prefix}: <" in config["defaultQuery"]
    assert {e["name"] for e in config["examples"]} == set(saved)
    assert all(e["query"].strip() for e in config["examples"])
    assert "https://w3id.org/cakg/ontology#builtBy" in config["properties"]
    assert "https://w3id.org/cakg/ontology#Country" in config["classes"]
    buttons = {a["data-name"] for t, a in parsed.tags if t == "button" and "data-name" in a}
    assert buttons == set(saved)


def test_editor_query_parameter_prefills(client):
    parsed = page(client, "/editor?query=" + "SELECT%20%3Fx%20WHERE%20%7B%7D%20%3C%2Fscript%3E")
    config_text = parsed.raw.split('id="cakg-editor-config">', 1)[1].split("</script>", 1)[0]
    assert json.loads(config_text)["query"] == "SELECT ?x WHERE {} </script>"  # and it cannot close the script
    example = page(client, "/editor?example=country-figures")
    config = json.loads(example.raw.split('id="cakg-editor-config">', 1)[1].split("</script>", 1)[0])
    assert "VALUES" in config["query"] and "country/khm" in config["query"]


def test_vendored_yasgui_is_served_with_its_licence(client):
    script = client.get("/static/vendor/yasgui/yasgui.min.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert len(script.content) > 500_000 and "sourceMappingURL" not in script.text[-300:]
    assert client.get("/static/vendor/yasgui/yasgui.min.css").status_code == 200
    licence = client.get("/static/vendor/yasgui/LICENSE.txt")
    assert licence.status_code == 200 and "MIT" in licence.text
    readme = (ROOT / "src/cakg/static/vendor/yasgui/README.md").read_text(encoding="utf-8")
    assert "@triply/yasgui" in readme and "4.2.28" in readme and "MIT" in readme


def test_editor_script_keeps_yasgui_off_other_hosts():
    script = (ROOT / "src/cakg/static/editor.js").read_text(encoding="utf-8")
    # The autocompleters that call prefix.cc and the LOV API are replaced by ones with local data.
    for name in ("prefixes", "property", '["class"]'):
        assert f"Yasqe.Autocompleters.{name}" in script or f"Yasqe.Autocompleters{name}" in script
    assert "getData: catalogue" in script and "populateFromUrl: false" in script
    assert not re.search(r"https?://(?!w3id\.org/cakg/)", script)
