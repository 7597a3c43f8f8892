"""The search forgives: case, diacritics, spacing, spelling; words matched independently; facets; did you mean."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from cakg.folding import fold, key
from cakg.search_index import SearchIndex, highlight
from cakg.server import ServiceConfig, create_app

from conftest import ROOT
from navigation_browser import Tab
from test_browser import browser, server  # noqa: F401  (fixtures: Chromium, a real cakg serve)

ID = "https://w3id.org/cakg/id/"
CAKG = "https://w3id.org/cakg/ontology#"


@pytest.fixture(scope="module")
def index(real_store):
    return SearchIndex.read(real_store)


@pytest.fixture(scope="module")
def client(real_build):
    app = create_app(ServiceConfig(build_dir=real_build, queries_dir=ROOT / "queries", timeout=20, workers=2))
    with TestClient(app) as test_client:
        yield test_client


def _passages(answer):
    return [p["iri"] for p in answer["passages"]]


def _entities(answer):
    return [e["iri"] for e in answer["entities"]]


def test_folding():
    assert key("Việt Nam") == key("Viet Nam") == key("VIETNAM") == key("viet-nam") == "vietnam"
    assert fold("Đà Nẵng").words == ("da", "nang")
    assert fold("曼谷市").words == ("曼", "谷", "市")  # each character a word: found anywhere in a text
    assert fold("กรุงเทพ").squashed == "กรุงเทพ"  # Thai vowel signs are kept
    text = "the China - ASEAN “Cyber–Security” week"
    assert [text[a:b] for a, b in fold(text).spans] == ["the", "China", "ASEAN", "Cyber", "Security", "week"]


def test_viet_nam_finds_the_sources_vietnam(index):
    answer = index.search("Viet Nam")
    assert answer["entities"][0]["iri"] == ID + "country/vnm"
    texts = [p["snippet"] for p in answer["passages"]]
    assert texts and all("Vietnam" in t or "Viet Nam" in t for t in texts)
    assert ID + "passage/wp2016-ii-i-2-p1" in _passages(answer)
    assert _passages(answer) == _passages(index.search("việt   NAM"))


def test_cybersecurity_finds_cyber_security(index):
    answer = index.search("cybersecurity")
    assert answer["passage_total"] > 5 and answer["entity_total"] > 5
    assert ID + "topic/cyber-security" in _entities(answer)
    assert all("cyber security" in p["snippet"].lower() or "cybersecurity" in p["snippet"].lower()
               for p in answer["passages"])
    assert _passages(answer) == _passages(index.search("Cyber Security"))


def test_words_are_matched_independently(index):
    answer = index.search("huawei cambodia")
    assert answer["passages"], "a passage names both"
    for passage in answer["passages"]:
        text = passage["snippet"].lower()
        assert "huawei" in text or "cambodia" in text
    assert ID + "passage/wp2016-ii-i-3-p1" in _passages(answer)  # "Huawei Marine … Malaysia - Cambodia - Thailand"
    # The MCT cable: "Cambodia" in its name, "Huawei" in the quote behind it.
    mct = next(e for e in answer["entities"] if e["iri"] == ID + "infrastructure/mct-cable")
    assert mct["in_quote"] and any(marked for _, marked in mct["in_quote"])
    assert _passages(answer) == _passages(index.search("cambodia HUAWEI"))


def test_an_entity_is_found_by_the_name_of_its_class(index):
    answer = index.search("terrestrial cable")
    assert ID + "infrastructure/gms-is" in _entities(answer)  # a terrestrial cable not named so
    assert ID + "infrastructure/mct-cable" in _entities(index.search("海底光缆"))  # its class's Chinese name
    both = index.search("huawei submarine cable")  # name and class, and "Huawei" from its quote
    assert _entities(both) == [ID + "infrastructure/mct-cable"]


def test_names_in_any_language(index):
    assert ID + "city/bangkok" in _entities(index.search("曼谷"))
    assert ID + "city/bangkok" in _entities(index.search("กรุงเทพ"))
    assert ID + "country/vnm" in _entities(index.search("越南"))


def test_misspellings_and_spelling_variants(index):
    answer = index.search("telecomunication")
    assert answer["corrections"] == {"telecomunication": ["telecommunication", "telecommunications"]}
    assert ID + "org/itu" in _entities(answer) or answer["entity_total"] > 0
    variant = index.search("organization")
    assert "organisation" in variant["corrections"]["organization"]
    assert any("rganisation" in e["label"] for e in variant["entities"])


def test_did_you_mean_on_no_hits(index):
    answer = index.search("huawei antarctica")
    assert answer["entity_total"] == 0 and answer["passage_total"] == 0
    assert answer["suggestions"][0] == {"kind": "query", "text": "huawei", "href": "/search?q=huawei"}
    close = index.search("Bangkokk Thailandd xx")  # two misspelt words and one the graph does not have
    assert close["entity_total"] == 0 and close["passage_total"] == 0
    assert [s["text"] for s in close["suggestions"]][:3] == ["bangkok thailand", "bangkok", "thailand"]


def test_filters_by_class_and_document(index):
    answer = index.search("Bangkok")
    classes = {f["iri"]: f["count"] for f in answer["facets"]["classes"]}
    assert CAKG + "City" in classes
    documents = {f["code"] for f in answer["facets"]["documents"]}
    assert {"sc2019"} <= documents
    cities = index.search("Bangkok", class_filter=CAKG + "City")
    assert _entities(cities) == [ID + "city/bangkok"] and cities["passages"] == []
    statement = index.search("Bangkok", doc_filter="sc2019")
    assert statement["passages"] and all(p["code"] == "sc2019" for p in statement["passages"])
    actors = index.search("china", class_filter=CAKG + "Actor")  # inferred classes filter too
    assert ID + "country/chn" in _entities(actors)


def test_highlight_marks_the_words_of_the_text():
    pieces = highlight("Huawei Marine built the Malaysia - Cambodia - Thailand cable", ["huawei", "cambodia"])
    assert [p for p, marked in pieces if marked] == ["Huawei", "Cambodia"]


def test_search_page_and_json(client):
    page = client.get("/search", params={"q": "Viet Nam"}, headers={"accept": "text/html"}).text
    assert "<mark>Vietnam</mark>" in page and "/read/wp2016#passage-" in page and 'class="facet' in page
    data = client.get("/search", params={"q": "huawei cambodia", "format": "json"}).json()
    assert ID + "passage/wp2016-ii-i-3-p1" in [p["iri"] for p in data["passages"]]
    filtered = client.get("/search", params={"q": "Bangkok", "class": "cakg:City", "format": "json"}).json()
    assert [e["iri"] for e in filtered["entities"]] == [ID + "city/bangkok"]
    none = client.get("/search", params={"q": "huawei antarctica"}, headers={"accept": "text/html"}).text
    assert "Did you mean" in none and 'href="/search?q=huawei"' in none


# ------------------------------------------------------------------ in Chromium

@pytest.fixture
def tab(browser, server):  # noqa: F811
    opened = Tab(browser, server)
    yield opened
    opened.close()


def test_search_in_the_browser(tab):
    page = tab.page
    tab.goto("/")
    page.fill("#home-q", "huawei cambodia")
    page.press("#home-q", "Enter")
    page.wait_for_url("**/search?q=*")
    page.wait_for_load_state("networkidle")
    assert tab.on_screen(".search-passages .snippet mark")
    assert "Huawei" in page.inner_text(".search-passages") and "Cambodia" in page.inner_text(".search-passages")
    tab.screenshot("search.png")
    tab.check()
    page.click("nav.facets a.facet:has-text('sc2019'), nav.facets a.facet:has-text('wp2016') >> nth=0")
    page.wait_for_load_state("networkidle")
    assert "doc=" in page.url
    tab.check()
    tab.goto("/search?q=huawei+antarctica")
    page.click(".did-you-mean a:has-text('huawei')")
    page.wait_for_url("**/search?q=huawei")
    page.wait_for_load_state("networkidle")
    assert page.locator(".search-entities .hit-label").count() > 0
    tab.check()
