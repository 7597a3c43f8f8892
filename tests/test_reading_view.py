"""The reading view: a document section by section, passages beside the facts citing them, reached from every quote."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.testclient import TestClient

from cakg.server import ServiceConfig, create_app
from cakg.views import passage_url, reading, reading_segments

from conftest import ROOT
from navigation_browser import Tab
from test_browser import browser, server  # noqa: F401  (fixtures: Chromium, a real cakg serve)

HTML = {"accept": "text/html"}
ID = "https://w3id.org/cakg/id/"
MCT_QUOTE = ("in 2015, Huawei Marine designed and constructed the Malaysia - Cambodia - Thailand (MCT) submarine cable "
             "system, and Cambodia will possess its first international submarine cable landing directly on the locality")


@pytest.fixture(scope="module")
def client(real_build):
    app = create_app(ServiceConfig(build_dir=real_build, queries_dir=ROOT / "queries", timeout=20, workers=2))
    with TestClient(app) as test_client:
        yield test_client


def test_reading_view_model(real_store):
    view = reading(real_store, "wp2016", "")
    numbers = [s["number"] for s in view["sections"]]
    assert numbers.index("II.(I).3") < numbers.index("III.(VI)")  # in document order
    section = next(s for s in view["sections"] if s["number"] == "II.(I).3")
    passage = next(p for p in section["passages"] if p["iri"] == ID + "passage/wp2016-ii-i-3-p1")
    assert passage["anchor"] == "passage-wp2016-ii-i-3-p1"
    facts = {f["iri"]: f for f in passage["facts"]}
    assert MCT_QUOTE in facts[ID + "infrastructure/mct-cable"]["quotes"]
    assert view["passages"] == sum(len(s["passages"]) for s in view["sections"]) and view["facts"] > 300
    assert reading(real_store, "nosuchdoc", "") is None and reading(real_store, "../x", "") is None


def test_segments_mark_quotes_and_the_focus():
    pieces = reading_segments("one two three four", ["two three"], "three four")
    assert pieces == [("one ", ""), ("two ", "quoted"), ("three four", "focus")]


def test_passage_url():
    assert passage_url(ID + "passage/wp2016-ii-i-3-p1", "a b", "/x") == "/x/read/passage/wp2016-ii-i-3-p1?quote=a+b"
    assert passage_url(ID + "country/tha", "q") is None


def test_read_pages(client):
    index = client.get("/read", headers=HTML)
    assert index.status_code == 200 and "/read/wp2016" in index.text and "/read/sc2019" in index.text
    page = client.get("/read/sc2019", headers=HTML)
    assert page.status_code == 200
    assert 'id="passage-sc2019-6-p1"' in page.text and "Nanning, Xiamen, Hangzhou" in page.text
    assert 'href="/id/commitment/sc2019-6"' in page.text  # the fact citing the passage, linked
    assert client.get("/read/nosuchdoc", headers=HTML).status_code == 404
    assert client.get("/read/passage/nosuch-p9", headers=HTML).status_code == 404


def test_a_quote_link_leads_to_its_passage_highlighted(client):
    link = passage_url(ID + "passage/wp2016-ii-i-3-p1", MCT_QUOTE)
    hop = client.get(link, headers=HTML, follow_redirects=False)
    assert hop.status_code == 303
    target = urlsplit(hop.headers["location"])
    assert target.path == "/read/wp2016" and target.fragment == "passage-wp2016-ii-i-3-p1"
    assert parse_qs(target.query) == {"quote": [MCT_QUOTE]}
    page = client.get(f"{target.path}?{target.query}", headers=HTML).text
    assert f'<mark class="focus">{MCT_QUOTE}</mark>' in page.replace("&#39;", "'")


def test_quotes_everywhere_link_to_the_reading_view(client):
    entity = client.get("/id/infrastructure/mct-cable", headers=HTML).text
    assert "/read/passage/wp2016-ii-i-3-p1?quote=in+2015%2C+Huawei+Marine+designed" in entity
    passage = client.get("/id/passage/wp2016-ii-i-3-p1", headers=HTML).text
    assert "/read/passage/wp2016-ii-i-3-p1" in passage
    path = client.get("/analyses/path", params={"a": "China", "b": "Singapore", "format": "html"}, headers=HTML).text
    assert 'class="quote-link" href="/read/passage/' in path
    data = client.get("/network", params={"network": "cooperation"}, headers=HTML).text
    assert '"passage":"https://w3id.org/cakg/id/passage/' in data  # the network view's evidence carries it


# ------------------------------------------------------------------ in Chromium

@pytest.fixture
def tab(browser, server):  # noqa: F811
    opened = Tab(browser, server)
    yield opened
    opened.close()


def test_from_an_entitys_quote_to_the_passage_and_back(tab, server):
    page = tab.page
    tab.goto("/id/infrastructure/mct-cable")
    page.click("section.evidence a.read-link >> nth=0")
    page.wait_for_url("**/read/wp2016?quote=*#passage-*")
    page.wait_for_load_state("networkidle")
    assert tab.on_screen("mark.focus") and MCT_QUOTE in page.inner_text("mark.focus")
    assert tab.on_screen(".reading-row:target .reading-facts")
    tab.screenshot("reading.png")
    tab.check()
    # Back from the passage to the fact.
    page.click(".reading-row:target a.fact-link[href='/id/infrastructure/mct-cable']")
    page.wait_for_url("**/id/infrastructure/mct-cable")
    tab.check()


def test_reading_view_from_home_and_from_search(tab):
    page = tab.page
    tab.goto("/")
    page.click("a.read-button >> nth=0")
    page.wait_for_url("**/read/*")
    page.wait_for_load_state("networkidle")
    assert page.locator(".reading-row").count() > 10
    tab.check()
    tab.goto("/search?q=submarine+cable")
    href = page.get_attribute(".search-passages a.hit-label >> nth=0", "href")
    assert href.startswith("/read/wp2016#passage-")
    page.click(".search-passages a.hit-label >> nth=0")
    page.wait_for_load_state("networkidle")
    assert tab.on_screen(".reading-row:target")
    tab.check()


def test_network_evidence_links_to_the_passage(tab, server):
    page = tab.page
    tab.goto("/network?network=cooperation&focus=" + ID + "country/sgp")
    page.wait_for_selector("canvas")
    page.wait_for_selector("a.cakg-nw-quote", state="attached")
    href = page.get_attribute("a.cakg-nw-quote >> nth=0", "href")
    assert href.startswith("/read/passage/") and "quote=" in href
    assert httpx.get(server + href, follow_redirects=True).status_code == 200
    assert not tab.foreign and not tab.errors
