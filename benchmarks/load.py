"""Bounded load on a running SPARQL service: requests/s, p50/p99 latency and errors.

    python benchmarks/load.py --url http://127.0.0.1:8000/sparql --seconds 30 --clients 32

The query mix is every saved query of ``queries/`` (with its defaults) plus a
few small ad-hoc queries, sent round-robin by each client. Only loopback
addresses are accepted: this is a measuring tool, not a traffic generator.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cakg.queries import load_saved_queries  # noqa: E402

EXTRA = [
    "ASK { ?s ?p ?o }",
    "SELECT ?s WHERE { ?s a <https://w3id.org/cakg/ontology#Country> }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
]


def query_mix(queries_dir: Path) -> list[str]:
    saved = load_saved_queries(queries_dir) if queries_dir.is_dir() else {}
    return [q.bind({}) for q in saved.values()] + EXTRA


async def run(url: str, seconds: float, clients: int, mix: list[str]) -> dict:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(offset: int, http: httpx.AsyncClient) -> None:
        for query in itertools.islice(itertools.cycle(mix), offset, None):
            if time.monotonic() >= deadline:
                return
            started = time.perf_counter()
            try:
                response = await http.post(url, content=query.encode(), headers={
                    "content-type": "application/sparql-query", "accept": "application/sparql-results+json"})
                await response.aread()
                if response.status_code != 200:
                    errors[str(response.status_code)] = errors.get(str(response.status_code), 0) + 1
                    continue
            except httpx.HTTPError as error:
                errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1
                continue
            latencies.append(time.perf_counter() - started)

    began = time.monotonic()
    async with httpx.AsyncClient(limits=limits, timeout=60) as http:
        await asyncio.gather(*(client(i, http) for i in range(clients)))
    elapsed = time.monotonic() - began
    latencies.sort()

    def percentile(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")

    return {"url": url, "clients": clients, "seconds": round(elapsed, 2), "requests": len(latencies),
            "requests_per_s": round(len(latencies) / elapsed, 1), "p50_ms": round(percentile(0.50), 2),
            "p99_ms": round(percentile(0.99), 2), "mean_ms": round(statistics.fmean(latencies) * 1000, 2)
            if latencies else None, "errors": errors, "queries_in_mix": len(mix)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000/sparql")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--queries", default=str(ROOT / "queries"))
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args()
    host = urlparse(args.url).hostname or ""
    if not (host == "localhost" or host.startswith("127.") or host == "::1"):
        parser.error("only loopback URLs (127.0.0.0/8, localhost, ::1) are measured")
    if not 0 < args.seconds <= 600:
        parser.error("--seconds must be within (0, 600]")
    figures = asyncio.run(run(args.url, args.seconds, args.clients, query_mix(Path(args.queries))))
    print(f"{figures['requests']} requests in {figures['seconds']} s with {figures['clients']} clients: "
          f"{figures['requests_per_s']} req/s, p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms, "
          f"errors {figures['errors'] or 'none'}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
