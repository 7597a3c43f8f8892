"""Network visualisations: the data behind them, the self-contained page in a real browser, the static figures.

The page is written to a file and opened from disk (file://) in Debian's Chromium driven by
Playwright; every request it makes is recorded and must be the file itself. Set
CAKG_VIZ_SCREENSHOTS=DIR to keep screenshots of the pages and copies of the figures.
"""

from __future__ import annotations

import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from cakg.errors import InputError
from cakg.network import NETWORKS, project
from cakg.store import EmbeddedStore, open_store
from cakg.viz import SOURCE_LINE, network_data, network_page_html, render_html

CHROMIUM = Path("/usr/bin/chromium")
ID = "https://w3id.org/cakg/id/"
HUAWEI_MARINE = ID + "org/huawei-marine"
MCT = ID + "infrastructure/mct-cable"
MCT_QUOTE = "Huawei Marine designed and constructed"
SCREENSHOTS = os.environ.get("CAKG_VIZ_SCREENSHOTS")


@pytest.fixture(scope="module")
def store(real_build):
    return EmbeddedStore(open_store(real_build))


@pytest.fixture(scope="module")
def data(store):
    cache: dict[str, dict] = {}

    def get(network: str) -> dict:
        if network not in cache:
            cache[network] = network_data(store, network)
        return cache[network]

    return get


def _node(data: dict, iri: str) -> dict:
    return next(n for n in data["nodes"] if n["id"] == iri)


# ------------------------------------------------------------------ data

def test_network_data_matches_the_projection(store, data):
    for network in ("cooperation", "connectivity"):
        graph = project(store, network)
        d = data(network)
        assert d["counts"]["nodes"] == graph.number_of_nodes() == len(d["nodes"])
        assert d["counts"]["edges"] == graph.number_of_edges() == len(d["edges"])
        ids = {n["id"] for n in d["nodes"]}
        for edge in d["edges"]:
            assert edge["source"] in ids and edge["target"] in ids
            assert edge["facts"], edge
            assert all(f["iri"] in d["facts"] for f in edge["facts"])
        for node in d["nodes"]:
            assert node["class"] in d["styles"]["classes"]
            assert {"degree", "weighted_degree", "betweenness", "eigenvector", "community"} <= set(node)


def test_network_data_has_labels_evidence_topics_and_places(data):
    actor_fact = data("actor-fact")
    huawei = _node(actor_fact, HUAWEI_MARINE)
    assert {"value": "华为海洋", "lang": "zh", "property": "label"} in huawei["labels"]
    assert MCT in huawei["facts"]
    mct = actor_fact["facts"][MCT]
    assert mct["kind"] == "SubmarineCable" and mct["years"] == ["2015"]
    assert any(MCT_QUOTE in e["quote"] and e["document"] == "wp2016" and e["section"] == "II.(I).3"
               for e in mct["evidence"])
    assert ID + "topic/submarine-cables" in mct["topics"]
    assert ID + "topic/information-infrastructure" in mct["topics"]  # the broader topic comes along

    connectivity = data("connectivity")
    thailand = _node(connectivity, ID + "country/tha")
    assert "ประเทศไทย" in {label["value"] for label in thailand["labels"]}
    assert thailand["geo"]["basis"] == "cities" and "Bangkok" in thailand["geo"]["note"]
    assert _node(connectivity, ID + "region/guangxi")["geo"]["basis"] == "country"
    assert _node(connectivity, ID + "country/khm")["geo"] is None  # no city of Cambodia has coordinates
    assert "2015" in connectivity["years"]
    assert data("city")["nodes"] and _node(data("city"), ID + "city/bangkok")["geo"]["basis"] == "coordinates"


def test_derived_edges_carry_their_explanation(data):
    cooperation = data("cooperation")
    for edge in cooperation["edges"]:
        explanation = edge["explanation"]
        assert {item["fact"] for item in explanation} == {f["iri"] for f in edge["facts"]}
        assert sum(item["weight"] for item in explanation) == pytest.approx(edge["weight"])
        for item in explanation:
            assert item["rules"] and item["source"]["roles"] and item["target"]["roles"], item
            assert item["weight"] == pytest.approx(1 / (item["actors"] - 1))
    usa = next(e for e in cooperation["edges"] if {e["source"], e["target"]} == {ID + "country/usa", ID + "org/asean"})
    by_fact = {item["fact"]: item for item in usa["explanation"]}
    somtc = by_fact[ID + "event/somtc-16-2016"]
    usa_side = somtc["source"] if usa["source"] == ID + "country/usa" else somtc["target"]
    asean_side = somtc["target"] if usa["source"] == ID + "country/usa" else somtc["source"]
    assert [r["label"] for r in usa_side["roles"]] == ["invitee"]
    assert "host" in [r["label"] for r in asean_side["roles"]]
    assert somtc["actors"] == 12 and [r["name"] for r in somtc["rules"]] == ["rule-cooperates-host-counterpart"]
    # A group the network draws as ASEAN keeps its own name in the explanation.
    china = next(e for e in cooperation["edges"] if {e["source"], e["target"]} == {ID + "country/chn", ID + "org/asean"})
    statement = next(i for i in china["explanation"] if i["fact"] == ID + "agreement/asean-china-smart-city-statement-2019")
    assert ID + "group/asean-member-states" in {x["iri"] for side in ("source", "target") for x in statement[side]["named"]}
    market = data("market")
    assert market["edges"] and all(e["relations"] == ["activeInMarket"] for e in market["edges"])
    assert all(item["rules"][0]["name"] == "rule-market-presence" for e in market["edges"] for item in e["explanation"])


def test_unknown_network_is_an_input_error_listing_the_networks(store, real_build, capsys):
    from cakg.cli import main

    with pytest.raises(InputError) as raised:
        network_data(store, "trade")
    for name in NETWORKS:
        assert name in str(raised.value)
    assert main(["viz", "--store", str(real_build), "--network", "trade"]) == 2
    assert "choose from cooperation, connectivity, city, actor-fact" in capsys.readouterr().err


def test_page_is_self_contained(data):
    html = render_html(data("connectivity"))
    assert html.lstrip().startswith("<!DOCTYPE html>")
    assert not re.search(r"<(script|link|img|iframe|source|embed)\b[^>]*\b(src|href)\s*=", html, re.IGNORECASE)
    assert "@import" not in html and "url(http" not in html
    assert html.count("</script>") == 4  # data, options, vis-network, the page's script
    assert SOURCE_LINE in html
    fragment = network_page_html(data("connectivity"))
    assert "<html" not in fragment and "<body" not in fragment and 'id="cakg-network"' in fragment
    with pytest.raises(InputError):
        render_html(data("connectivity"), focus=ID + "org/no-such-thing")


# ------------------------------------------------------------------ the page in a browser

def needs_chromium(test):
    """Marks the tests that drive Debian's chromium; they fail, not skip, when it is missing."""
    return test


@pytest.fixture(scope="module")
def browser():
    import playwright.sync_api as playwright_api

    assert CHROMIUM.exists(), "install Debian's chromium (apt-get install chromium): the browser tests drive it"
    with playwright_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync"])
        yield instance
        instance.close()


class OpenedPage:
    """The page opened from a file, with every request, console error and page error recorded."""

    def __init__(self, browser, html: str, path: Path) -> None:
        path.write_text(html, encoding="utf-8")
        self.url = path.resolve().as_uri()
        self.context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="en-GB")
        self.requests: list[str] = []
        self.errors: list[str] = []
        # Anything but the file itself is recorded, then refused: nothing may leave the machine.
        self.context.route("**/*", lambda route: route.continue_() if route.request.url == self.url
                           else route.abort())
        self.page = self.context.new_page()
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(self.url)
        self.page.wait_for_function("window.cakgNetwork && window.cakgNetwork.isReady()", timeout=60_000)
        self.page.wait_for_function("cakgNetwork.drawnNodeCount() === cakgNetwork.visibleNodeCount()")

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def screenshot(self, name: str) -> None:
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(SCREENSHOTS) / name))

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def opened(browser, tmp_path):
    pages: list[OpenedPage] = []

    def open_page(html: str, name: str = "page.html") -> OpenedPage:
        page = OpenedPage(browser, html, tmp_path / name)
        pages.append(page)
        return page

    yield open_page
    for page in pages:
        page.close()


@needs_chromium
@pytest.mark.parametrize("network", ["cooperation", "connectivity"])
def test_page_opens_offline_and_draws_every_node(opened, data, network):
    d = data(network)
    page = opened(render_html(d), f"network-{network}.html")
    assert page.errors == []
    assert page.requests == [page.url]
    assert page.js("cakgNetwork.nodeCount()") == d["counts"]["nodes"]
    assert page.js("cakgNetwork.drawnNodeCount()") == d["counts"]["nodes"]
    assert page.js("cakgNetwork.visibleEdgeCount()") == d["counts"]["edges"]
    drawn = page.page.get_attribute("#cakg-graph", "data-drawn-nodes")
    assert int(drawn) == d["counts"]["nodes"]
    assert page.page.inner_text("#cakg-visible-nodes") == str(d["counts"]["nodes"])
    if network == "cooperation" and SCREENSHOTS:  # the documented view: a node selected, its details shown
        page.js("id => { cakgNetwork.select(id); cakgNetwork.network.fit({animation: false}); }", ID + "country/tha")
        page.screenshot("network-cooperation.png")


@needs_chromium
def test_filters_change_what_is_drawn(opened, data):
    d = data("connectivity")
    total = d["counts"]["nodes"]
    countries = sum(1 for n in d["nodes"] if n["class"] == "Country")
    page = opened(render_html(d))
    page.page.uncheck("#cakg-filter-class input[value=Country]")
    page.page.wait_for_function(f"cakgNetwork.drawnNodeCount() === {total - countries}")
    assert page.js("cakgNetwork.visibleNodeCount()") == total - countries
    assert page.page.get_attribute("#cakg-counter", "data-visible-nodes") == str(total - countries)

    page.page.check("#cakg-filter-class input[value=Country]")
    page.page.wait_for_function(f"cakgNetwork.drawnNodeCount() === {total}")

    # Only what the submarine-cable facts link: the MCT cable's countries stay, Laos (land links) goes.
    page.page.select_option("#cakg-filter-topic", ID + "topic/submarine-cables")
    page.page.wait_for_function(f"cakgNetwork.drawnNodeCount() < {total}")
    shown = set(page.js("cakgNetwork.network.body.nodeIndices"))
    assert {ID + f"country/{c}" for c in ("khm", "mys", "tha")} <= shown
    assert ID + "country/lao" not in shown and ID + "country/jpn" not in shown
    page.page.click("#cakg-reset")
    page.page.wait_for_function(f"cakgNetwork.drawnNodeCount() === {total}")

    page.page.select_option("#cakg-filter-country", ID + "country/khm")  # Cambodia and what links to it
    page.page.wait_for_function(f"cakgNetwork.drawnNodeCount() < {total}")
    assert ID + "country/chn" in page.js("cakgNetwork.network.body.nodeIndices")
    assert ID + "country/jpn" not in page.js("cakgNetwork.network.body.nodeIndices")
    assert page.errors == []


@needs_chromium
def test_search_finds_nodes_by_chinese_and_thai_labels(opened, data):
    page = opened(render_html(data("actor-fact")))
    page.page.fill("#cakg-search", "华为海洋")
    first = page.page.locator("#cakg-search-results li").first
    assert first.get_attribute("data-node") == HUAWEI_MARINE
    page.page.press("#cakg-search", "Enter")
    assert page.js("cakgNetwork.selected()") == HUAWEI_MARINE
    assert "Huawei Marine" in page.page.inner_text("#cakg-details h2")
    assert page.js("cakgNetwork.search('ประเทศไทย')")[0] == ID + "country/tha"
    assert page.js("cakgNetwork.search('泰国')")[0] == ID + "country/tha"
    assert page.errors == []


@needs_chromium
def test_clicking_a_node_shows_its_evidence_and_ego_network(opened, data):
    page = opened(render_html(data("actor-fact")))
    page.js("id => cakgNetwork.network.focus(id, {scale: 2.5, animation: false})", HUAWEI_MARINE)
    point = page.js("id => cakgNetwork.domPosition(id)", HUAWEI_MARINE)
    page.page.mouse.click(point["x"], point["y"])
    page.page.wait_for_function("cakgNetwork.selected() !== null")
    assert page.js("cakgNetwork.selected()") == HUAWEI_MARINE
    details = page.page.inner_text("#cakg-details")
    assert MCT_QUOTE in details
    assert "wp2016 § II.(I).3" in details
    assert "华为海洋" in details
    assert sorted(page.js("cakgNetwork.egoNodes()")) == sorted([HUAWEI_MARINE, MCT])
    # A neighbour in the relations list moves the selection there.
    page.page.click(f"#cakg-details button[data-node='{MCT}']")
    assert page.js("cakgNetwork.selected()") == MCT
    assert page.page.locator("#cakg-details .cakg-nw-quote").first.inner_text().startswith("in 2015, Huawei Marine")
    page.page.mouse.click(5, 5)  # outside the drawing: the selection stays
    assert page.errors == []


@needs_chromium
def test_clicking_an_edge_shows_why_it_exists(opened, data):
    d = data("cooperation")
    page = opened(render_html(d), "network-cooperation.html")
    khm = ID + "country/khm"
    page.js("ids => cakgNetwork.network.fit({nodes: ids, animation: false})", [HUAWEI_MARINE, khm])
    point = page.js("ids => cakgNetwork.edgePosition(ids[0], ids[1])", [HUAWEI_MARINE, khm])
    page.page.mouse.click(point["x"], point["y"])
    page.page.wait_for_function("document.getElementById('cakg-details').dataset.edge !== ''")
    details = page.page.inner_text("#cakg-details")
    assert "why this edge" in details.lower()  # the heading is upper-cased by CSS
    assert "Huawei Marine (builder, designer) with Cambodia (place connected)" in details \
        or "Cambodia (place connected) with Huawei Marine (builder, designer)" in details
    assert "the builder of a link with each country it connects" in details
    assert "1/(4−1) = 0.333" in details and MCT_QUOTE in details
    if SCREENSHOTS:  # the documented view: the ASEAN–United States edge explained
        page.js("() => document.querySelectorAll('div.vis-tooltip').forEach(t => t.style.visibility = 'hidden')")
        page.js("ids => { cakgNetwork.network.fit({animation: false}); cakgNetwork.selectEdge(ids[0], ids[1]); }",
                [ID + "country/usa", ID + "org/asean"])
        page.page.wait_for_timeout(300)
        page.screenshot("network-cooperation-edge.png")
    # A node's relations say why too.
    page.js("id => cakgNetwork.select(id)", ID + "country/usa")
    details = page.page.inner_text("#cakg-details")
    assert "United States (invitee) with Association of Southeast Asian Nations (host, participant)" in details
    assert "1/(12−1) = 0.091" in details
    assert page.errors == []


@needs_chromium
def test_geographic_layout_places_nodes_by_coordinates(opened, data):
    page = opened(render_html(data("connectivity")))
    page.page.check("#cakg-layout-geo")
    page.page.wait_for_function("cakgNetwork.layout() === 'geo'")

    def at(code: str) -> dict:
        return page.js("id => cakgNetwork.nodePosition(id)", ID + code)

    assert at("country/mmr")["x"] < at("country/tha")["x"] < at("country/vnm")["x"] < at("country/chn")["x"]
    assert at("country/chn")["y"] < at("country/tha")["y"] < at("country/mys")["y"] < at("country/idn")["y"]
    placed_x = max(at(f"country/{c}")["x"] for c in ("chn", "idn", "mmr", "mys", "sgp", "tha", "vnm"))
    assert at("country/khm")["x"] > placed_x  # no coordinates: the side band on the right
    assert page.page.get_attribute("#cakg-graph", "data-layout") == "geo"
    assert page.js("cakgNetwork.drawnNodeCount()") == data("connectivity")["counts"]["nodes"]
    page.screenshot("network-connectivity-map.png")
    page.page.check("#cakg-layout-force")
    page.page.wait_for_function("cakgNetwork.layout() === 'force'")
    assert page.errors == []

    city = opened(render_html(data("city"), layout="geo"), "city.html")
    assert city.js("cakgNetwork.layout()") == "geo"
    bangkok = city.js("id => cakgNetwork.nodePosition(id)", ID + "city/bangkok")
    da_nang = city.js("id => cakgNetwork.nodePosition(id)", ID + "city/da-nang")
    beijing = city.js("id => cakgNetwork.nodePosition(id)", ID + "city/beijing")
    assert bangkok["x"] < da_nang["x"] and beijing["y"] < bangkok["y"]
    assert city.errors == []


@needs_chromium
def test_focus_opens_on_the_node_with_its_ego_network(opened, data):
    d = data("connectivity")
    cambodia = ID + "country/khm"
    page = opened(render_html(d, focus=cambodia))
    assert page.js("cakgNetwork.selected()") == cambodia
    assert "Malaysia–Cambodia–Thailand (MCT) submarine cable system" in page.page.inner_text("#cakg-details")
    ego = set(page.js("cakgNetwork.egoNodes()"))
    assert {cambodia, ID + "country/mys", ID + "country/tha", ID + "country/chn"} <= ego
    assert ID + "country/jpn" not in ego

    # The body-only variant for the service works inside another page too.
    wrapper = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>host</title></head><body>"
               + network_page_html(d, focus=cambodia) + "</body></html>")
    embedded = opened(wrapper, "embedded.html")
    assert embedded.js("cakgNetwork.selected()") == cambodia
    assert embedded.js("cakgNetwork.drawnNodeCount()") == d["counts"]["nodes"]
    assert embedded.errors == [] and embedded.requests == [embedded.url]


# ------------------------------------------------------------------ static figures and the command

def _check_png(path: Path) -> None:
    from matplotlib import image

    assert path.stat().st_size > 20_000
    pixels = image.imread(str(path))
    assert pixels.shape[1] >= 1000 and pixels.shape[0] >= 700


def _check_svg(path: Path, title: str) -> None:
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    text = " ".join(t for t in root.itertext())
    assert title in text
    assert SOURCE_LINE in text


@pytest.mark.parametrize("network, geo", [("cooperation", False), ("connectivity", False), ("connectivity", True),
                                          ("city", True), ("actor-fact", False)])
def test_figures_are_written_as_png_and_svg(data, tmp_path, network, geo):
    from cakg.viz_figures import write_figure

    d = data(network)
    suffix = "-map" if geo else ""
    png = write_figure(d, tmp_path / f"figure-{network}{suffix}.png", geo=geo)
    svg = write_figure(d, tmp_path / f"figure-{network}{suffix}.svg", geo=geo)
    _check_png(png)
    _check_svg(svg, f"cakg — {network} network")
    if SCREENSHOTS and (network, geo) in (("cooperation", False), ("connectivity", True)):
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        shutil.copy(png, Path(SCREENSHOTS) / png.name)


def test_viz_command_writes_page_and_figures(real_build, data, tmp_path, capsys, monkeypatch):
    from cakg.cli import main

    out, png, svg = tmp_path / "c.html", tmp_path / "c.png", tmp_path / "c.svg"
    assert main(["viz", "--store", str(real_build), "--network", "connectivity", "--map", "--out", str(out),
                 "--png", str(png), "--svg", str(svg), "--focus", "柬埔寨"]) == 0
    printed = capsys.readouterr().out
    assert printed.count("wrote ") == 3 and f"{data('connectivity')['counts']['nodes']} nodes" in printed
    html = out.read_text(encoding="utf-8")
    assert '"layout":"geo"' in html and '"focus":"https://w3id.org/cakg/id/country/khm"' in html
    _check_png(png)
    _check_svg(svg, "cakg — connectivity network")

    monkeypatch.chdir(tmp_path)
    assert main(["viz", "--store", str(real_build), "--svg", "only.svg"]) == 0  # a figure only: no page
    assert (tmp_path / "only.svg").exists() and not (tmp_path / "network-cooperation.html").exists()
    assert main(["viz", "--store", str(real_build), "--network", "city"]) == 0  # the page, named by default
    assert (tmp_path / "network-city.html").read_text(encoding="utf-8").count("</script>") == 4


def test_service_network_page_centred_on_an_entity(real_build):
    from starlette.testclient import TestClient

    from cakg.server import ServiceConfig, create_app

    from conftest import ROOT

    app = create_app(ServiceConfig(build_dir=real_build, queries_dir=ROOT / "queries", workers=1))
    with TestClient(app) as client:
        entity = client.get("/id/org/huawei-marine", headers={"accept": "text/html"})
        assert "/network?focus=https%3A//w3id.org/cakg/id/org/huawei-marine" in entity.text or \
               "/network?focus=https%3A%2F%2Fw3id.org%2Fcakg%2Fid%2Forg%2Fhuawei-marine" in entity.text
        page = client.get("/network", params={"focus": ID + "org/huawei-marine"}, headers={"accept": "text/html"})
        assert page.status_code == 200 and 'id="cakg-network"' in page.text and "huawei-marine" in page.text
        assert "<script src=\"http" not in page.text
        assert client.get("/network", params={"network": "connectivity"}).status_code == 200
        assert client.get("/network", params={"network": "nope"}).status_code == 400
        assert client.get("/network", params={"focus": ID + "org/nobody"}).status_code == 404
