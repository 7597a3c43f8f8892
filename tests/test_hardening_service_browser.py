"""The pages under their Content-Security-Policy in a real browser: everything still runs, nothing is refused.

Chromium reports every CSP refusal as a console error; test_browser.py covers the
editor (a query run through YASGUI), the home, entity and saved-query pages the
same way. Set CAKG_SCREENSHOTS=DIR to keep screenshots.
"""

from __future__ import annotations

import pytest

from test_browser import Watched, browser, server  # noqa: F401  (fixtures: Chromium, a real cakg serve)


@pytest.fixture
def watched(browser, server):  # noqa: F811
    tab = Watched(browser, server)
    refused: list[str] = []
    tab.page.on("console", lambda message: refused.append(message.text)
                if "Content Security Policy" in message.text else None)
    tab.refused = refused
    yield tab
    tab.close()


def test_the_network_view_draws_under_its_policy(watched):
    page = watched.page
    response = watched.goto("/network?network=cooperation")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self' 'sha256-" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    page.wait_for_selector("canvas")
    page.wait_for_function("() => document.querySelector('canvas').width > 0")
    page.wait_for_load_state("networkidle")
    watched.screenshot("csp-network.png", full_page=False)
    assert not watched.refused
    watched.check()


@pytest.mark.parametrize("path", ["/editor", "/search?q=cable", "/queries", "/ontology",
                                  "/analyses/centrality?format=html", "/id/country/tha", "/"])
def test_pages_run_under_their_policy(watched, path):
    response = watched.goto(path)
    assert "content-security-policy" in response.headers and response.headers["x-content-type-options"] == "nosniff"
    watched.page.wait_for_load_state("networkidle")
    if path == "/editor":
        watched.page.wait_for_selector("#yasgui .yasqe .CodeMirror")
        watched.screenshot("csp-editor.png", full_page=False)
    assert not watched.refused, watched.refused
    watched.check()
