"""Deterministic synthetic graphs shaped like the real one, for measuring at scale.

``cakg synth --triples N --out DIR`` writes ``DIR/data``: synthetic source
documents (numbered parts, chapters and paragraphs, one fact per sentence),
their ``sources.ttl``, entities (countries, organisations, companies, cities
with coordinates) and fact files (agreements with parties, infrastructure
links with builders, projects, mechanisms, observations), every fact citing
the sentence that states it. The output follows the ontology and passes the
shapes, so ``cakg build --data DIR/data --out DIR/build`` builds it like the
real data. The same seed and size always give the same bytes.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

# Triples the build ends up with per synthetic fact, measured on this generator's output (818,379 triples from 16,129 facts)
# (fact + evidence + passage + section share + inferred types + derived edges).
TRIPLES_PER_FACT = 51

PREFIXES = """@prefix cakg: <https://w3id.org/cakg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix id: <https://w3id.org/cakg/id/> .
"""

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
LINK_CLASSES = ["SubmarineCable", "TerrestrialCable", "NetworkInterconnection", "PowerLink"]
AGREEMENT_CLASSES = ["MemorandumOfUnderstanding", "JointStatement", "CooperationFramework", "Protocol", "Contract"]
PROJECT_CLASSES = ["InfrastructureProject", "SmartCityProject", "PilotProject"]
MECHANISM_CLASSES = ["DialogueMechanism", "Forum", "Council", "MinisterialMeeting"]
TOPICS = ["broadband", "submarine-cables", "cross-border-e-commerce", "smart-grid", "cybercrime", "smart-city",
          "data-centres", "e-payment", "online-games", "capacity-building"]
INDICATORS = [("internet-users", "persons-10-thousand"), ("internet-penetration-rate", "percent"),
              ("idi", "index-points"), ("gdp", "usd-100-million")]


@dataclass
class Plan:
    documents: int
    facts: int
    countries: int
    organisations: int
    cities: int


def plan(triples: int) -> Plan:
    facts = max(20, triples // TRIPLES_PER_FACT)
    return Plan(documents=max(1, math.ceil(facts / 5000)), facts=facts,
                countries=min(200, max(12, int(math.sqrt(facts) / 2))),
                organisations=max(20, facts // 20), cities=max(20, facts // 40))


def _iri(kind: str, slug: str) -> str:
    return f"<https://w3id.org/cakg/id/{kind}/{slug}>"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def synthesise(triples: int, out: Path, seed: int = 1) -> dict[str, int]:
    """Write ``out/data``; return what was generated."""
    if triples < 1000:
        raise InputError("--triples must be at least 1000")
    if out.exists() and any(out.iterdir()):
        if not (out / "data" / "sources" / "sources.ttl").exists():
            raise InputError(f"{out}: exists and is not a synthetic project; choose an empty folder")
    rng = random.Random(seed)
    p = plan(triples)
    data = out / "data"
    for sub in ("sources", "entities", "facts"):
        (data / sub).mkdir(parents=True, exist_ok=True)

    countries = [f"c{n:03d}" for n in range(p.countries)]
    organisations = [f"o{n:06d}" for n in range(p.organisations)]
    cities = [f"t{n:06d}" for n in range(p.cities)]
    org_country = {o: rng.choice(countries) for o in organisations}
    city_country = {c: rng.choice(countries) for c in cities}

    # -------------------------------------------------------------- entities
    lines = [PREFIXES]
    for n, c in enumerate(countries):
        lines.append(f'{_iri("country", c)} a cakg:Country ; rdfs:label "Country {n}"@en , "国家{n}"@zh ; '
                     f'cakg:isoAlpha3 "{_alpha3(n)}" .')
    (data / "entities" / "countries.ttl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    lines = [PREFIXES]
    for n, o in enumerate(organisations):
        kind = "Company" if n % 3 else rng.choice(["GovernmentBody", "ResearchInstitution", "BusinessAssociation"])
        lines.append(f'{_iri("org", o)} a cakg:{kind} ; rdfs:label "Organisation {n}"@en , "机构{n}"@zh ; '
                     f'skos:altLabel "ORG{n}"@en ; cakg:country {_iri("country", org_country[o])} .')
    (data / "entities" / "organisations.ttl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    lines = [PREFIXES]
    for n, c in enumerate(cities):
        lat, long = round(rng.uniform(-10, 40), 3), round(rng.uniform(90, 130), 3)
        lines.append(f'{_iri("city", c)} a cakg:City ; rdfs:label "City {n}"@en , "城市{n}"@zh ; '
                     f'cakg:locatedIn {_iri("country", city_country[c])} ; '
                     f'geo:lat "{lat}"^^xsd:decimal ; geo:long "{long}"^^xsd:decimal .')
    (data / "entities" / "cities.ttl").write_text("\n".join(lines) + "\n", encoding="utf-8")

    # -------------------------------------------------------------- documents and facts
    source_lines = [PREFIXES]
    per_document = math.ceil(p.facts / p.documents)
    made = {"agreements": 0, "links": 0, "projects": 0, "mechanisms": 0, "observations": 0}
    fact_number = 0
    for d in range(p.documents):
        code = f"syn{d:03d}"
        source_lines.append(
            f'{_iri("doc", code)} a cakg:Document ; rdfs:label "Synthetic document {d}"@en , "合成文件{d}"@zh ; '
            f'dcterms:title "Synthetic document {d}"@en ; cakg:date "2020"^^xsd:gYear ; '
            f'cakg:shortCode "{code}" ; cakg:sourceFile "{code}.txt" .')
        text = [f"Synthetic document {d}", ""]
        facts = [PREFIXES]
        count = min(per_document, p.facts - fact_number)
        parts = max(1, min(len(ROMAN), count // 2000 + 1))
        chapters_per_part = 5
        paragraphs = max(1, math.ceil(count / (parts * chapters_per_part)))
        made_here = 0
        for part in range(parts):
            text += [f"{ROMAN[part]}. Part {part + 1} of synthetic document {d}", ""]
            for chapter in range(chapters_per_part):
                number = f"{ROMAN[part]}.({ROMAN[chapter]})"
                slug = f"{ROMAN[part]}-{ROMAN[chapter]}".lower()
                text += [f"({ROMAN[chapter]}) Chapter {chapter + 1}", ""]
                for position in range(1, paragraphs + 1):
                    if made_here >= count:
                        break
                    passage = f"{code}-{slug}-p{position}"
                    sentence, turtle, kind = _fact(rng, fact_number, passage, countries, organisations, cities)
                    text += [sentence, ""]
                    facts.append(turtle)
                    made[kind] += 1
                    made_here += 1
                    fact_number += 1
                del number
        (data / "sources" / f"{code}.txt").write_text("\n".join(text), encoding="utf-8")
        (data / "facts" / f"{code}.ttl").write_text("\n".join(facts) + "\n", encoding="utf-8")
    source_lines.append('<https://w3id.org/cakg/id/dataset/synthetic> a qb:DataSet ; '
                        'rdfs:label "Synthetic statistics"@en ; qb:structure cakg:StatisticsStructure .')
    (data / "sources" / "sources.ttl").write_text("\n".join(source_lines) + "\n", encoding="utf-8")
    return {"documents": p.documents, "facts": fact_number, "countries": p.countries,
            "organisations": p.organisations, "cities": p.cities, **made}


def _alpha3(n: int) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return "X" + letters[(n // 26) % 26] + letters[n % 26]


def _evidence(sentence: str, passage: str) -> str:
    return (f'cakg:evidence [ a cakg:Evidence ; cakg:quote "{_escape(sentence)}" ; '
            f'prov:wasQuotedFrom {_iri("passage", passage)} ]')


def _fact(rng: random.Random, n: int, passage: str, countries: list[str], organisations: list[str],
          cities: list[str]) -> tuple[str, str, str]:
    """One sentence and the Turtle of the fact it states."""
    year = rng.randint(2001, 2019)
    topic = rng.choice(TOPICS)
    roll = rng.random()
    if roll < 0.35:
        a, b = rng.sample(countries, 2)
        org = rng.choice(organisations)
        cls = rng.choice(AGREEMENT_CLASSES)
        sentence = (f"In {year}, Country {int(a[1:])} and Country {int(b[1:])} signed agreement {n} "
                    f"with Organisation {int(org[1:])} on {topic.replace('-', ' ')}.")
        turtle = (f'{_iri("agreement", f"a{n:07d}")} a cakg:{cls} ; rdfs:label "Agreement {n}"@en , "协议{n}"@zh ; '
                  f'cakg:party {_iri("country", a)} , {_iri("country", b)} , {_iri("org", org)} ; '
                  f'cakg:date "{year}"^^xsd:gYear ; cakg:topic <https://w3id.org/cakg/id/topic/{topic}> ; '
                  f'{_evidence(sentence, passage)} .')
        return sentence, turtle, "agreements"
    if roll < 0.6:
        a, b = rng.sample(cities, 2)
        builder = rng.choice(organisations)
        cls = rng.choice(LINK_CLASSES)
        sentence = (f"Organisation {int(builder[1:])} built link {n} between City {int(a[1:])} "
                    f"and City {int(b[1:])} in {year}.")
        turtle = (f'{_iri("infrastructure", f"l{n:07d}")} a cakg:{cls} ; rdfs:label "Link {n}"@en ; '
                  f'cakg:connects {_iri("city", a)} , {_iri("city", b)} ; cakg:builtBy {_iri("org", builder)} ; '
                  f'cakg:date "{year}"^^xsd:gYear ; cakg:topic <https://w3id.org/cakg/id/topic/{topic}> ; '
                  f'{_evidence(sentence, passage)} .')
        return sentence, turtle, "links"
    if roll < 0.75:
        orgs = rng.sample(organisations, 2)
        city = rng.choice(cities)
        cls = rng.choice(PROJECT_CLASSES)
        amount = rng.randint(1, 900) * 1_000_000
        sentence = (f"Organisation {int(orgs[0][1:])} and Organisation {int(orgs[1][1:])} started project {n} "
                    f"in City {int(city[1:])} in {year}, worth USD {amount}.")
        turtle = (f'{_iri("project", f"p{n:07d}")} a cakg:{cls} ; rdfs:label "Project {n}"@en ; '
                  f'cakg:participant {_iri("org", orgs[0])} , {_iri("org", orgs[1])} ; '
                  f'cakg:location {_iri("city", city)} ; cakg:date "{year}"^^xsd:gYear ; '
                  f'cakg:amount [ a cakg:MonetaryAmount ; cakg:value {amount} ; cakg:currency "USD" ] ; '
                  f'cakg:topic <https://w3id.org/cakg/id/topic/{topic}> ; {_evidence(sentence, passage)} .')
        return sentence, turtle, "projects"
    if roll < 0.85:
        members = rng.sample(countries, 3)
        cls = rng.choice(MECHANISM_CLASSES)
        sessions = rng.randint(1, 20)
        sentence = (f"Mechanism {n} of Country {int(members[0][1:])}, Country {int(members[1][1:])} and "
                    f"Country {int(members[2][1:])} has held {sessions} sessions since {year}.")
        turtle = (f'{_iri("mechanism", f"m{n:07d}")} a cakg:{cls} ; rdfs:label "Mechanism {n}"@en ; '
                  f'cakg:participant {", ".join(_iri("country", m) for m in members)} ; '
                  f'cakg:sessionCount {sessions} ; cakg:startDate "{year}"^^xsd:gYear ; '
                  f'{_evidence(sentence, passage)} .')
        return sentence, turtle, "mechanisms"
    country = rng.choice(countries)
    indicator, unit = rng.choice(INDICATORS)
    value = round(rng.uniform(1, 9000), 2)
    sentence = f"In {year}, the {indicator.replace('-', ' ')} of Country {int(country[1:])} was {value}."
    turtle = (f'{_iri("observation", f"s{n:07d}")} a qb:Observation ; rdfs:label "Observation {n}"@en ; '
              f'qb:dataSet <https://w3id.org/cakg/id/dataset/synthetic> ; cakg:refArea {_iri("country", country)} ; '
              f'cakg:refPeriod "{year}"^^xsd:gYear ; cakg:indicator <https://w3id.org/cakg/id/indicator/{indicator}> ; '
              f'cakg:obsValue {value} ; cakg:unit <https://w3id.org/cakg/id/unit/{unit}> ; '
              f'{_evidence(sentence, passage)} .')
    return sentence, turtle, "observations"
