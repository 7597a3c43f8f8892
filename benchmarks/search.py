"""The explorer's search and name reading: how long the index takes to build and a search to answer, by graph size.

    python benchmarks/search.py --build build
    python benchmarks/search.py --build /tmp/bench-300k/build --rounds 5

For each build: the time to read the names of the entities (``cakg.names.Names.read``,
what the first parameter given by name costs a worker) and to build the search index
(``cakg.search_index.SearchIndex.read``, what the first search costs a worker), then
the median time of each search of a fixed list over ``--rounds`` rounds, with the
number of entities and passages it finds. Figures to read, not pass/fail checks.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from cakg.names import Names
from cakg.search_index import SearchIndex
from cakg.store import connect

SEARCHES = ("Viet Nam", "cybersecurity", "huawei cambodia", "曼谷", "submarine cable", "telecomunication",
            "organization", "huawei antarctica", "smart city partnership")


def measure(build: Path, rounds: int) -> None:
    store = connect(build)
    triples = len(store.store) if hasattr(store, "store") else "?"
    started = time.perf_counter()
    names = Names.read(store)
    names_s = time.perf_counter() - started
    started = time.perf_counter()
    index = SearchIndex.read(store)
    index_s = time.perf_counter() - started
    print(f"{build}: {triples} quads; names of {len(names.entities)} entities read in {names_s:.2f} s; "
          f"index of {len(index.entities)} named things and {len(index.passages)} passages built in {index_s:.2f} s")
    for text in SEARCHES:
        times, answer = [], {}
        for _ in range(rounds):
            started = time.perf_counter()
            answer = index.search(text)
            times.append(time.perf_counter() - started)
        print(f"  {text!r:28} median {statistics.median(times) * 1000:7.1f} ms  "
              f"{answer['entity_total']:5} entities {answer['passage_total']:5} passages"
              + (f"  suggestions: {', '.join(s['text'] for s in answer['suggestions'][:3])}" if answer["suggestions"] else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="append", required=True, type=Path, help="a build folder (repeatable)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    for build in args.build:
        measure(build, args.rounds)


if __name__ == "__main__":
    main()
