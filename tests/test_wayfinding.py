"""Finding one's way: the menu, a home page that leads with what one can ask, the analyses page, the ontology in the frame."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from cakg.server import ServiceConfig, create_app

from conftest import ROOT
from navigation_browser import Tab
from test_browser import browser, server  # noqa: F401  (fixtures: Chromium, a real cakg serve)

HTML = {"accept": "text/html"}
MENU = ("/", "/queries", "/search", "/read", "/network", "/analyses", "/editor", "/ontology")


@pytest.fixture(scope="module")
def client(real_build):
    app = create_app(ServiceConfig(build_dir=real_build, queries_dir=ROOT / "queries", timeout=20, workers=2))
    with TestClient(app) as test_client:
        yield test_client


def _menu(html: str) -> list[str]:
    nav = html.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'href="([^"]+)"', nav)


@pytest.mark.parametrize("path", ["/", "/search?q=cable", "/read/sc2019", "/analyses", "/ontology",
                                  "/queries/country-figures", "/id/country/tha"])
def test_every_page_has_the_whole_menu(client, path):
    response = client.get(path, headers=HTML)
    assert response.status_code == 200
    assert _menu(response.text) == list(MENU)


def test_home_leads_with_what_one_can_ask(client):
    html = client.get("/", headers=HTML).text
    ask, figures, documents = html.index("What you can ask"), html.index('class="figures"'), html.index("<h2>Documents")
    assert ask < figures < documents
    questions = re.findall(r'<ol class="question-links">(.*?)</ol>', html, re.S)[0]
    links = re.findall(r'href="([^"]+)"', questions)
    assert len(links) >= 8
    for theme in ("Information infrastructure", "Smart cities", "Cyber security", "Statistics"):
        assert theme in html
    assert "/analyses/centrality?" in html and 'href="/read/wp2016"' in html


def test_every_example_question_answers(client):
    html = client.get("/", headers=HTML).text + client.get("/analyses", headers=HTML).text
    links = set(re.findall(r'<li><a href="(/(?:queries|analyses)/[^"]+)"', html))
    assert len(links) >= 12
    for link in sorted(links):
        link = link.replace("&amp;", "&")
        response = client.get(link, headers=HTML)
        assert response.status_code == 200, (link, response.text[:300])
        assert "could not run" not in response.text, link
        assert re.search(r"<tbody( class=\"entry\"[^>]*)?>\s*<tr", response.text), f"{link} answers no rows"


def test_analyses_page_and_json(client):
    page = client.get("/analyses", headers=HTML)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for kind in ("centrality", "communities", "components", "resilience", "path", "ego", "compare"):
        assert f'action="/analyses/{kind}"' in page.text
    data = client.get("/analyses").json()  # no Accept: JSON, as before
    assert {a["name"] for a in data["analyses"]} >= {"centrality", "path"}
    assert client.get("/analyses", params={"format": "json"}, headers=HTML).json() == data


def test_ontology_is_inside_the_frame_with_its_metadata_once(client):
    html = client.get("/ontology", headers=HTML).text
    assert _menu(html) == list(MENU) and 'href="/static/cakg.css"' in html
    assert html.count("<h1>") == 1 and html.count("<h2>Metadata</h2>") == 1
    h1 = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    assert h1.strip() == "cakg: China–ASEAN ICT cooperation knowledge graph ontology"
    assert "cakg 合作主题" not in html and "https://w3id.org/cakg/id/topic/scheme</code>" not in html
    assert 'class="ontology-toc"' in html and 'href="#classes"' in html
    assert 'id="InfrastructureLink"' in html  # where the explorer's links to terms point
    assert "<style>" not in html  # pyLODE's stylesheet would restyle the site
    turtle = client.get("/ontology.ttl")
    assert turtle.status_code == 200 and "cakg：中国—东盟信息通信技术合作知识图谱本体" in turtle.text


# ------------------------------------------------------------------ in Chromium

@pytest.fixture
def tab(browser, server):  # noqa: F811
    opened = Tab(browser, server)
    yield opened
    opened.close()


def test_home_at_1366(tab):
    page = tab.page
    tab.goto("/")
    assert tab.on_screen("section.ask ol.question-links")  # what one can ask, in the first screen
    tab.screenshot("home.png")
    for details in page.locator("details.coverage").all():
        details.evaluate("d => d.open = true")
    widths = page.evaluate("""() => [...document.querySelectorAll('table.coverage')].map(t =>
        [t.getBoundingClientRect().right, t.closest('.table-wrap').scrollWidth - t.closest('.table-wrap').clientWidth])""")
    assert widths and all(right <= 1366 and hidden <= 0 for right, hidden in widths), widths
    tab.check()
    page.click("nav[aria-label=Main] a[href='/analyses']")
    page.wait_for_url("**/analyses")
    page.wait_for_load_state("networkidle")
    tab.screenshot("analyses.png")
    tab.check()
    page.click("text=Who are Singapore's direct partners?")
    page.wait_for_url("**/analyses/ego?*")
    page.wait_for_load_state("networkidle")
    assert "China" in page.inner_text("table.results")
    tab.check()


def test_ontology_in_the_frame_at_1366(tab):
    page = tab.page
    tab.goto("/ontology")
    assert tab.on_screen("header.site nav") and tab.on_screen(".ontology-toc")
    page.click(".ontology-toc a[href='#classes']")
    assert tab.on_screen("#classes")
    tab.screenshot("ontology.png")
    tab.check()
    tab.goto("/id/infrastructure/mct-cable")
    tab.screenshot("entity.png")
    page.click(".types a[href='/ontology#SubmarineCable']")
    page.wait_for_url("**/ontology#SubmarineCable")
    page.wait_for_load_state("networkidle")
    assert tab.on_screen("#SubmarineCable")
    tab.check()


def test_the_new_pages_read_the_store_through_the_workers(client):
    """The reading view, the documents, a passage's redirect, names and choices are tasks of the worker pool."""
    from cakg.workers import Task

    service = client.app.state.service
    seen: list = []
    run = service.pool.run

    async def recording(job, timeout=None):
        seen.append(job.name if isinstance(job, Task) else type(job).__name__)
        return await run(job, timeout)

    service.pool.run = recording
    try:
        expected = {"/read": ["documents"], "/read/sc2019": ["reading"],
                    "/read/passage/sc2019-6-p1": ["passage_document"],
                    "/queries/country-figures?country=Viet%20Nam": ["param_choices", "resolve_params", "results"],
                    "/search?q=Viet+Nam": ["search"]}
        for url, jobs in expected.items():
            seen.clear()
            service.pages._entries.clear()
            response = client.get(url, headers=HTML, follow_redirects=False)
            assert response.status_code in (200, 303), (url, response.status_code)
            assert set(jobs) <= set(seen), (url, seen)
    finally:
        service.pool.run = run
