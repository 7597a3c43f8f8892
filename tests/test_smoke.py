"""The whole surface once, as a fresh install runs it: every command and explorer route, declared imports only.

Each command runs as the installed ``cakg`` console script in its own process
on a build this module makes, and must exit 0 without a traceback. Every
process (workers too) runs with a ``sitecustomize`` on ``PYTHONPATH`` that makes
any module refuse to import unless it comes from the standard library or from
a distribution that ``pip install .`` pulls in (cakg's requirements, with the
extras they ask for, and theirs). So the test extra's packages (pytest,
playwright, pandas…) are as absent as on a user's machine: a module imported
lazily by a dependency, such as scipy by networkx, fails here rather than there.
Optional imports that dependencies try and do without (httpx tries rich and
click for its own command line) are refused and must be survived.
"""

from __future__ import annotations

import importlib.metadata as metadata
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest
from packaging.requirements import Requirement

from conftest import ROOT
from servers import free_port, oxigraph_server

CAKG = Path(sys.executable).with_name("cakg")  # the script `pip install` wrote for [project.scripts]

BLOCKER = textwrap.dedent("""\
    # Refuses the modules listed in $CAKG_SMOKE_BLOCKED, as if not installed (test_smoke.py).
    import os, sys

    class _NotInstalled:
        blocked = frozenset(open(os.environ["CAKG_SMOKE_BLOCKED"], encoding="utf-8").read().split())

        @classmethod
        def find_spec(cls, name, path=None, target=None):
            top = name.partition(".")[0]
            if top in cls.blocked:
                with open(os.environ["CAKG_SMOKE_REFUSED"], "a", encoding="utf-8") as log:
                    log.write(top + "\\n")
                raise ModuleNotFoundError(f"No module named {name!r} (not installed by `pip install .`)", name=name)
            return None

    sys.meta_path.insert(0, _NotInstalled)
    """)


def runtime_distributions() -> set[str]:
    """cakg and every distribution its runtime requirements pull in, transitively, with the extras they ask for."""
    seen: set[tuple[str, frozenset[str]]] = set()
    names: set[str] = set()
    pending = [("cakg", frozenset())]
    while pending:
        name, extras = pending.pop()
        key = name.lower().replace("_", "-")
        if (key, extras) in seen:
            continue
        seen.add((key, extras))
        names.add(key)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue  # a requirement for another platform or Python, never installed here
        for text in requires:
            requirement = Requirement(text)
            if requirement.marker is None or any(
                    requirement.marker.evaluate({"extra": extra}) for extra in (extras or {""})):
                pending.append((requirement.name, frozenset(requirement.extras)))
    return names


def not_installed_by_pip_install() -> set[str]:
    """Top-level modules present in this environment only because of the test extra or other installs."""
    allowed = runtime_distributions()
    blocked = set()
    for module, distributions in metadata.packages_distributions().items():
        if module in sys.stdlib_module_names:
            continue
        if not {d.lower().replace("_", "-") for d in distributions} & allowed:
            blocked.add(module)
    return blocked


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("smoke-site")
    (folder / "sitecustomize.py").write_text(BLOCKER, encoding="utf-8")
    blocked = not_installed_by_pip_install()
    assert {"pytest", "playwright", "pandas"} <= blocked  # the test extra is really hidden
    assert not blocked & {"scipy", "numpy", "networkx", "pyoxigraph", "rdflib", "matplotlib"}
    (folder / "blocked.txt").write_text("\n".join(sorted(blocked)), encoding="utf-8")
    variables = dict(os.environ)
    variables["PYTHONPATH"] = os.pathsep.join(filter(None, [str(folder), variables.get("PYTHONPATH")]))
    variables["CAKG_SMOKE_BLOCKED"] = str(folder / "blocked.txt")
    variables["CAKG_SMOKE_REFUSED"] = str(folder / "refused.txt")
    variables.pop("CAKG_DEBUG", None)
    return variables


def cakg(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    result = subprocess.run([str(CAKG), *args], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=timeout)
    shown = " ".join(args)
    assert "Traceback" not in result.stderr, f"cakg {shown}: {result.stderr}"
    assert result.returncode == 0, f"cakg {shown} exited {result.returncode}: {result.stderr}"
    return result


@pytest.fixture(scope="module")
def built(env, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("smoke") / "build"
    result = cakg(env, "build", "--out", str(out))
    assert "built" in result.stdout and (out / "store").is_dir()
    return out


def test_the_console_script_is_installed(env):
    assert CAKG.is_file(), f"{CAKG}: the install did not write the cakg script"
    assert cakg(env, "--version").stdout.startswith("cakg ")
    assert "COMMAND" in cakg(env, "--help").stdout


def test_reading_commands(env, built):
    store = ("--store", str(built))
    assert "Triples per named graph" in cakg(env, "stats", *store).stdout
    assert "conforms" in cakg(env, "validate").stdout.lower()
    assert "link-builders" in cakg(env, "queries").stdout
    assert "Huawei Marine" in cakg(env, "query", "link-builders", *store, "--format", "csv").stdout
    assert cakg(env, "query", "-e", "ASK { ?s ?p ?o }", *store, "--format", "json").stdout.strip()
    assert "cited" in cakg(env, "coverage", *store).stdout
    assert "https://w3id.org/cakg/id/passage/" in cakg(env, "passages", "--doc", "sc2019").stdout


@pytest.mark.parametrize("fmt", ["turtle", "nt", "nq", "trig", "jsonld", "xml", "graphml", "gexf", "csv"])
def test_export_every_format(env, built, tmp_path, fmt):
    out = tmp_path / f"graph.{fmt}"
    cakg(env, "export", "--store", str(built), "--format", fmt, "-o", str(out))
    assert out.stat().st_size > 1000


@pytest.mark.parametrize("args", [
    ["centrality", "--top", "5"],
    ["communities"],
    ["components"],
    ["resilience"],
    ["path", "Thailand", "China"],
    ["ego", "China"],
    ["compare", "Thailand", "China"],
    ["centrality", "--network", "connectivity", "--format", "json"],
    ["centrality", "--network", "city", "--format", "csv"],
    ["centrality", "--network", "actor-fact", "--top", "3"],
])
def test_analyze_every_kind(env, built, args):
    assert cakg(env, "analyze", *args, "--store", str(built)).stdout.strip()


def test_viz_page_figures_and_map(env, built, tmp_path):
    page, png, svg = tmp_path / "net.html", tmp_path / "net.png", tmp_path / "map.svg"
    cakg(env, "viz", "--store", str(built), "--out", str(page), "--png", str(png))
    cakg(env, "viz", "--store", str(built), "--network", "connectivity", "--map", "--svg", str(svg))
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in svg.read_bytes()[:2000]


def test_synth(env, tmp_path):
    cakg(env, "synth", "--triples", "3000", "--out", str(tmp_path / "synthetic"))
    assert any((tmp_path / "synthetic" / "data").rglob("*.ttl"))


def test_push_to_a_real_oxigraph_server(env, built, tmp_path):
    with oxigraph_server(tmp_path / "oxigraph") as urls:
        result = cakg(env, "push", "--from", str(built), "--store", urls["store"], "--update", urls["update"],
                      "--endpoint", urls["query"])
        assert result.stdout.startswith("pushed ")
        assert "Triples per named graph" in cakg(env, "stats", "--endpoint", urls["query"]).stdout


def explorer_routes(base: str) -> list[str]:
    """Every page of the explorer and the service's operational routes, with real arguments."""
    from cakg.analyses import KINDS
    from cakg.network import NETWORKS

    routes = ["/", "/editor", "/queries", "/queries/link-builders", "/search?q=Huawei",
              "/id/org/huawei-marine", "/network", "/analyses", "/ontology", "/health", "/openapi.json",
              "/sparql?query=ASK%20%7B%7D"]
    routes += [f"/network?network={name}" for name in NETWORKS]
    routes += [f"/analyses/{kind}" for kind in KINDS]
    routes += ["/analyses/path?a=Thailand&b=China", "/analyses/ego?a=China", "/analyses/compare?a=Thailand&b=China"]
    return [base + route for route in routes]


def test_serve_answers_every_route(env, built):
    port = free_port()
    process = subprocess.Popen([str(CAKG), "serve", "--store", str(built), "--port", str(port), "--workers", "1",
                                "--no-access-log"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, process.stderr.read()
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "cakg serve did not answer within 90 s"
                time.sleep(0.2)
        failures = []
        with httpx.Client(timeout=60, headers={"Accept": "text/html,*/*;q=0.8"}) as client:
            for url in explorer_routes(base):
                response = client.get(url)
                if response.status_code != 200:
                    failures.append(f"{url}: {response.status_code} {response.text[:200]}")
        assert not failures, "\n".join(failures)
    finally:
        process.send_signal(signal.SIGINT)  # a clean shutdown, so the import record is written
        try:
            _out, err = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            _out, err = process.communicate()
    assert "Traceback" not in err, err
