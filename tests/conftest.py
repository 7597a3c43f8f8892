"""Shared fixtures: small projects built from the real ontology and sources plus fixture data."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PREFIXES = textwrap.dedent("""\
    @prefix cakg: <https://w3id.org/cakg/ontology#> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    @prefix prov: <http://www.w3.org/ns/prov#> .
    @prefix qb: <http://purl.org/linked-data/cube#> .
    @prefix country: <https://w3id.org/cakg/id/country/> .
    @prefix org: <https://w3id.org/cakg/id/org/> .
    @prefix passage: <https://w3id.org/cakg/id/passage/> .
    @prefix indicator: <https://w3id.org/cakg/id/indicator/> .
    @prefix unit: <https://w3id.org/cakg/id/unit/> .
    """)

# Two countries and a company every fixture can refer to.
ACTORS = PREFIXES + textwrap.dedent("""\
    country:khm a cakg:Country ; rdfs:label "Cambodia"@en , "柬埔寨"@zh .
    country:mys a cakg:Country ; rdfs:label "Malaysia"@en , "马来西亚"@zh .
    country:tha a cakg:Country ; rdfs:label "Thailand"@en , "泰国"@zh .
    org:huawei-marine a cakg:Company ; rdfs:label "Huawei Marine"@en , "华为海洋"@zh .
    """)

# A correct fact: the MCT cable as the white paper states it.
MCT = PREFIXES + textwrap.dedent("""\
    id:infrastructure/mct-cable a cakg:SubmarineCable ;
        rdfs:label "MCT submarine cable system"@en ;
        cakg:connects country:mys , country:khm , country:tha ;
        cakg:builtBy org:huawei-marine ;
        cakg:date "2015"^^xsd:gYear ;
        cakg:evidence [ a cakg:Evidence ;
            cakg:quote "Huawei Marine designed and constructed the Malaysia - Cambodia - Thailand (MCT) submarine cable system" ;
            prov:wasQuotedFrom passage:wp2016-ii-i-3-p1 ] .
    """)


def expand(text: str) -> str:
    """Fixtures write ``id:kind/slug``; Turtle needs the full IRI for a slash in a name."""
    return re.sub(r"\bid:([\w/.-]+[\w-])", r"<https://w3id.org/cakg/id/\1>", text)


def make_project(base: Path, files: dict[str, str]) -> Path:
    """A project folder: the real ontology and sources, and the given data files."""
    shutil.copytree(ROOT / "ontology", base / "ontology")
    shutil.copytree(ROOT / "data" / "sources", base / "data" / "sources")
    for name, text in files.items():
        path = base / "data" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(expand(text), encoding="utf-8")
    return base


def pytest_addoption(parser):
    parser.addoption("--regen-golden", action="store_true", default=False,
                     help="rewrite tests/golden/*.json from the current data (review the diff before committing)")


@pytest.fixture(scope="session")
def real_build(tmp_path_factory) -> Path:
    """The project's own ontology and data, built once per test session."""
    from cakg.build import build, default_layout

    out = tmp_path_factory.mktemp("real") / "build"
    build(default_layout(ROOT), out)
    return out


@pytest.fixture(scope="session")
def real_store(real_build):
    from cakg.store import EmbeddedStore, open_store

    return EmbeddedStore(open_store(real_build))


@pytest.fixture
def project(tmp_path: Path):
    def factory(files: dict[str, str] | None = None) -> Path:
        return make_project(tmp_path / "project", {"entities/actors.ttl": ACTORS, **(files or {})})
    return factory
