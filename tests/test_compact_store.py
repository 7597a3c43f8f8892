"""The compact validation store answers every triple pattern as rdflib's Memory store does."""

from __future__ import annotations

import itertools
import random

import rdflib
from rdflib import Literal, URIRef

from cakg.compact_store import CompactStore

EX = "http://example.org/"


def random_triples(count: int, seed: int = 7) -> list[tuple]:
    rng = random.Random(seed)
    subjects = [URIRef(f"{EX}s{i}") for i in range(40)]
    predicates = [URIRef(f"{EX}p{i}") for i in range(6)]
    objects = subjects[:10] + [Literal(i) for i in range(5)] + [Literal("x", lang="en"), Literal("x")]
    triples = [(rng.choice(subjects), rng.choice(predicates), rng.choice(objects)) for _ in range(count)]
    # One subject with many objects and one object with many subjects: leaves past the list limit.
    triples += [(subjects[0], predicates[0], Literal(i)) for i in range(100)]
    triples += [(subjects[i], predicates[1], subjects[1]) for i in range(40)]
    return triples + triples[:50]  # and duplicates


def both(triples: list[tuple]) -> tuple[rdflib.Graph, rdflib.Graph]:
    compact, memory = rdflib.Graph(store=CompactStore()), rdflib.Graph()
    for triple in triples:
        compact.add(triple)
        memory.add(triple)
    return compact, memory


def patterns(triples: list[tuple]):
    terms = [sorted({t[i] for t in triples}, key=str)[:8] + [URIRef(EX + "absent")] for i in range(3)]
    for s, p, o in itertools.product(*[[None, *column] for column in terms]):
        yield s, p, o


def test_every_pattern_matches_what_memory_returns():
    triples = random_triples(600)
    compact, memory = both(triples)
    assert len(compact) == len(memory) == len(set(triples))
    for pattern in patterns(triples):
        assert set(compact.triples(pattern)) == set(memory.triples(pattern)), pattern
        assert (pattern in compact) == (pattern in memory)


def test_removal_leaves_the_same_graph():
    triples = random_triples(300)
    compact, memory = both(triples)
    for pattern in [(URIRef(EX + "s0"), URIRef(EX + "p0"), None), (None, URIRef(EX + "p1"), URIRef(EX + "s1")),
                    (None, None, Literal(3)), (URIRef(EX + "s5"), None, None)]:
        compact.remove(pattern)
        memory.remove(pattern)
        assert len(compact) == len(memory)
        assert set(compact) == set(memory)


def test_sparql_and_paths_give_the_same_answers():
    compact, memory = both(random_triples(400))
    query = f"""SELECT ?s ?o (COUNT(*) AS ?n) WHERE {{ ?s <{EX}p1>/<{EX}p2>* ?o . ?o ?p ?x }}
                GROUP BY ?s ?o ORDER BY ?s ?o"""
    assert list(compact.query(query)) == list(memory.query(query))


def test_prefixes_bind_as_in_memory():
    compact, memory = both([])
    for graph in (compact, memory):
        graph.bind("ex", EX)
        graph.add((URIRef(EX + "a"), URIRef(EX + "b"), Literal(1)))
    assert compact.serialize(format="turtle") == memory.serialize(format="turtle")
