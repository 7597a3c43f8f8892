"""cakg benchmarks: every figure beside a baseline measured in the same run.

    python benchmarks/run.py --scales 10000 100000 1000000 --out benchmarks/results.json

At each scale (synthetic data from `cakg synth`): build time split into parse,
reason, validate and write with peak memory; load rate into the embedded store
against rdflib's memory graph; each saved query's median latency on the
embedded store against rdflib's memory graph; cakg's overhead over calling
pyoxigraph directly; `cakg serve` start-up from an existing build; analysis and
export times; service throughput against Oxigraph server (read-only) and
rdflib-endpoint on the same data and query mix. Prints a table, writes JSON.
Timings are figures to read, never pass/fail checks.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx  # noqa: E402
import pyoxigraph  # noqa: E402

from cakg.queries import load_saved_queries  # noqa: E402
from cakg.store import EmbeddedStore  # noqa: E402

PY = sys.executable


def _oxigraph_binary() -> str:
    """The Oxigraph server of this Python's environment (its bin/ need not be on PATH)."""
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if not found:
        sys.exit("the oxigraph server is not installed: pip install -e '.[bench]'")
    return found


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, seconds: float = 120) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            httpx.get(url, timeout=1)
            return time.monotonic() - started
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def paired_median_ms(first, second, repeat: int, min_seconds: float = 0.5, max_pairs: int = 500) -> tuple[float, float]:
    """Medians of two functions run in alternation: at least ``repeat`` pairs, and more
    (up to ``max_pairs``) until ``min_seconds`` have passed, so sub-millisecond queries
    get enough samples and drift between the two sets cancels out."""
    times: tuple[list[float], list[float]] = ([], [])
    started_all = time.perf_counter()
    while len(times[0]) < repeat or (time.perf_counter() - started_all < min_seconds and len(times[0]) < max_pairs):
        for function, samples in ((first, times[0]), (second, times[1])):
            started = time.perf_counter()
            function()
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


def _process_tree(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return [pid]
    return [pid, *(p for child in children for p in _process_tree(int(child)))]


def _pss_kb(pid: int) -> int:
    """Proportional set size: shared pages (the forked validator shares the store) count once in a sum."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    return int(text.split("\nPss:")[1].split()[0]) if "\nPss:" in text else 0


def run_build(data: Path, out: Path) -> dict:
    """`cakg build` in a child process, twice: timed alone, then again for its peak memory.

    The build validates in a forked process beside the write, so peak memory is
    the largest sum of PSS over the build's process tree, sampled every 200 ms.
    Reading PSS walks the page tables of every process, which slowed the build
    sampled every 50 ms by about 15 s at 10^6, hence the separate timed run.
    """
    code = ("import json,sys,resource,time; from pathlib import Path; from cakg.build import build, Layout; "
            f"t=time.perf_counter(); r=build(Layout(Path({str(ROOT / 'ontology')!r}), Path({str(data)!r})), "
            f"Path({str(out)!r})); print(json.dumps({{'timings': r.timings, 'triples': r.triples, "
            "'wall': time.perf_counter()-t, 'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024, "
            "'validator_peak_rss_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024}))")
    result = subprocess.run([PY, "-c", code], capture_output=True, text=True, cwd=ROOT)
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    process = subprocess.Popen([PY, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    peak_kb = 0
    while process.poll() is None:
        peak_kb = max(peak_kb, sum(_pss_kb(pid) for pid in _process_tree(process.pid)))
        time.sleep(0.2)
    _stdout, stderr = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(stderr[-2000:])
    figures["peak_mb"] = peak_kb / 1024
    return figures


LOAD_RUNS = 3  # one load is at the mercy of the allocator and the other core; the median of three is steadier


def _memory_load_rate(data: bytes, lenient: bool) -> tuple[list[float], pyoxigraph.Store]:
    """Triples per second of LOAD_RUNS bulk loads into fresh memory stores, and the last store."""
    rates = []
    for _ in range(LOAD_RUNS):
        store = pyoxigraph.Store()
        started = time.perf_counter()
        store.bulk_load(data, format=pyoxigraph.RdfFormat.N_QUADS, lenient=lenient)
        rates.append(len(store) / (time.perf_counter() - started))
    return rates, store


def load_rates(nquads: Path) -> dict:
    """Triples per second into pyoxigraph (memory and on-disk bulk load) and into rdflib's memory graph.

    Strict is pyoxigraph's full syntax and IRI check, what loading a user's file costs. Lenient
    skips the IRI check: that is how `cakg serve` workers copy a build's own store into memory
    (its terms were checked when the build stored them).
    """
    import rdflib

    data = nquads.read_bytes()
    lenient_rates, _ = _memory_load_rate(data, lenient=True)
    strict_rates, store = _memory_load_rate(data, lenient=False)
    count = len(store)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        disk = pyoxigraph.Store(tmp)
        disk.bulk_load(data, format=pyoxigraph.RdfFormat.N_QUADS)
        disk.flush()
        disk_s = time.perf_counter() - started
        del disk
    started = time.perf_counter()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        graph = rdflib.ConjunctiveGraph()  # its default graph is the union, as the saved queries expect
    graph.parse(data=data, format="nquads")
    rdflib_s = time.perf_counter() - started
    strict = statistics.median(strict_rates)
    return {"quads": count, "runs": LOAD_RUNS,
            "oxigraph_memory_tps": round(strict),
            "oxigraph_memory_tps_range": [round(min(strict_rates)), round(max(strict_rates))],
            "oxigraph_memory_lenient_tps": round(statistics.median(lenient_rates)),
            "oxigraph_memory_lenient_tps_range": [round(min(lenient_rates)), round(max(lenient_rates))],
            "oxigraph_disk_tps": round(count / disk_s),
            "rdflib_tps": round(count / rdflib_s), "speedup": round(strict * rdflib_s / count, 1),
            "_rdflib_graph": graph, "_store": store}


def _rdflib_once(graph, text: str, seconds: float) -> tuple[float | None, bool]:
    """rdflib's time for one query in a forked child (it cannot be interrupted otherwise).

    Returns (milliseconds, finished); when the budget runs out the child is killed and
    the budget is reported as a lower bound.
    """
    import multiprocessing

    context = multiprocessing.get_context("fork")
    queue = context.Queue()

    def child() -> None:
        started = time.perf_counter()
        try:
            list(graph.query(text))
            queue.put((time.perf_counter() - started) * 1000)
        except Exception:  # noqa: BLE001 - reported as "could not run"
            queue.put(None)

    process = context.Process(target=child)
    process.start()
    process.join(seconds)
    if process.is_alive():
        process.kill()
        process.join()
        return seconds * 1000, False
    return (queue.get() if not queue.empty() else None), True


# Join and aggregate queries for the baseline comparison (the shapes the targets name).
BENCH_QUERIES = {
    "two-hop-join": """PREFIX cakg: <https://w3id.org/cakg/ontology#>
        SELECT ?a ?link ?b WHERE { ?link cakg:builtBy ?a ; cakg:connects ?place . ?place cakg:locatedIn ?b }""",
    "group-by-class": "SELECT ?c (COUNT(?x) AS ?n) WHERE { ?x a ?c } GROUP BY ?c ORDER BY DESC(?n)",
    "join-aggregate": """PREFIX cakg: <https://w3id.org/cakg/ontology#>
        SELECT ?country (COUNT(DISTINCT ?agreement) AS ?n) WHERE {
          ?agreement a cakg:Agreement ; cakg:party ?country . ?country a cakg:Country
        } GROUP BY ?country ORDER BY DESC(?n) LIMIT 10""",
    "evidence-join": """PREFIX cakg: <https://w3id.org/cakg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?fact ?quote ?number WHERE {
          ?fact cakg:evidence ?e . ?e cakg:quote ?quote ; prov:wasQuotedFrom ?p .
          ?p cakg:section ?s . ?s cakg:sectionNumber ?number } LIMIT 1000""",
}


def bench_latencies(store: pyoxigraph.Store, rdflib_graph, repeat: int, budget_s: float) -> list[dict]:
    embedded = EmbeddedStore(store)
    rows = []
    for name, text in BENCH_QUERIES.items():
        cakg_ms, raw_ms = paired_median_ms(
            lambda: embedded.select(text, name),
            lambda: [list(s) for s in store.query(text, use_default_graph_as_union=True)], repeat)
        rdflib_ms, finished = _rdflib_once(rdflib_graph, text, budget_s) if rdflib_graph is not None else (None, True)
        rows.append({"query": name, "cakg_ms": round(cakg_ms, 3), "pyoxigraph_ms": round(raw_ms, 3),
                     "overhead_pct": round(100 * (cakg_ms - raw_ms) / raw_ms, 1) if raw_ms > 0 else None,
                     "rdflib_ms": round(rdflib_ms, 1) if rdflib_ms else None, "rdflib_finished": finished,
                     "speedup_vs_rdflib": round(rdflib_ms / cakg_ms, 1) if rdflib_ms and cakg_ms else None})
    return rows


def query_latencies(store: pyoxigraph.Store, rdflib_graph, repeat: int, rdflib_budget_s: float) -> list[dict]:
    """Median latency of every saved query: cakg's EmbeddedStore, raw pyoxigraph, rdflib (once, budgeted)."""
    embedded = EmbeddedStore(store)
    rows = []
    for name, query in sorted(load_saved_queries(ROOT / "queries").items()):
        text = query.bind({})
        cakg_ms, raw_ms = paired_median_ms(
            lambda: embedded.select(text, name),
            lambda: [list(s) for s in store.query(text, use_default_graph_as_union=True)], repeat)
        rdflib_ms, finished = _rdflib_once(rdflib_graph, text, rdflib_budget_s) if rdflib_graph is not None \
            else (None, True)
        rows.append({"query": name, "cakg_ms": round(cakg_ms, 3), "pyoxigraph_ms": round(raw_ms, 3),
                     "overhead_pct": round(100 * (cakg_ms - raw_ms) / raw_ms, 1) if raw_ms > 0 else None,
                     "rdflib_ms": round(rdflib_ms, 1) if rdflib_ms else None, "rdflib_finished": finished,
                     "speedup_vs_rdflib": round(rdflib_ms / cakg_ms, 1) if rdflib_ms and cakg_ms else None})
    return rows


def analysis_times(build: Path) -> dict:
    from cakg import analyses
    from cakg.export import export
    from cakg.network import project
    from cakg.store import open_store

    store = EmbeddedStore(open_store(build))
    times = {}
    started = time.perf_counter()
    graph = project(store, "cooperation")
    times["project_cooperation_s"] = time.perf_counter() - started
    times["cooperation_nodes"], times["cooperation_edges"] = graph.number_of_nodes(), graph.number_of_edges()
    for name, function in [("centrality", lambda: analyses.centrality(graph)),
                           ("communities", lambda: analyses.communities(graph)),
                           ("resilience", lambda: analyses.resilience(project(store, "connectivity")))]:
        started = time.perf_counter()
        function()
        times[f"{name}_s"] = time.perf_counter() - started
    for fmt in ("nt", "trig", "graphml"):
        started = time.perf_counter()
        export(store, fmt)
        times[f"export_{fmt}_s"] = time.perf_counter() - started
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in times.items()}


def serve_startup(build: Path) -> float:
    port = free_port()
    started = time.monotonic()
    process = subprocess.Popen([PY, "-m", "cakg.cli", "serve", "--store", str(build), "--port", str(port),
                                "--no-access-log", "--queries", str(ROOT / "queries")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    try:
        while time.monotonic() - started < 120:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    return round(time.monotonic() - started, 3)
            except httpx.HTTPError:
                time.sleep(0.02)
        raise RuntimeError("cakg serve did not start")
    finally:
        process.terminate()
        process.wait(timeout=30)


def _servers(build: Path, nquads: Path) -> dict:
    """name -> a function that starts that server and returns (process, query URL, readiness URL)."""
    def cakg():
        port = free_port()
        process = subprocess.Popen([PY, "-m", "cakg.cli", "serve", "--store", str(build), "--port", str(port),
                                    "--no-access-log", "--workers", "2", "--timeout", "30",
                                    "--queries", str(ROOT / "queries")], cwd=ROOT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return process, f"http://127.0.0.1:{port}/sparql", f"http://127.0.0.1:{port}/health"

    def oxigraph():
        folder = Path(tempfile.mkdtemp(prefix="oxbench-"))
        atexit.register(shutil.rmtree, folder, True)
        subprocess.run([_oxigraph_binary(), "load", "--location", str(folder), "--file", str(nquads)],
                       check=True, capture_output=True)
        port = free_port()
        process = subprocess.Popen([_oxigraph_binary(), "serve-read-only", "--location", str(folder),
                                    "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return process, f"http://127.0.0.1:{port}/query", f"http://127.0.0.1:{port}/query?query=ASK%7B%7D"

    def rdflib_endpoint():
        port = free_port()
        process = subprocess.Popen(["rdflib-endpoint", "serve", "--host", "127.0.0.1", "--port", str(port),
                                    str(nquads)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return process, f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{port}/?query=ASK%7B%7D"

    servers = {"cakg": cakg}
    if _oxigraph_binary():
        servers["oxigraph"] = oxigraph
    if shutil.which("rdflib-endpoint"):
        servers["rdflib-endpoint"] = rdflib_endpoint
    return servers


def throughput(build: Path, nquads: Path, seconds: float, clients: int) -> dict:
    """The same query mix against cakg serve, Oxigraph server (read-only) and rdflib-endpoint.

    Each server is started only for its own turn and stopped before the next one starts, so none
    of them shares the 2 cores with another one still loading its data (rdflib-endpoint parses
    the whole file at start-up, about a minute at 10^6 triples).
    """
    from load import query_mix, run
    import asyncio

    mix = query_mix(ROOT / "queries")
    results = {}
    for name, start in _servers(build, nquads).items():
        process, url, ready = start()
        try:
            wait_http(ready, 600)
            results[name] = asyncio.run(run(url, seconds, clients, mix))
        except RuntimeError as error:
            results[name] = {"error": str(error)}
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    cakg_rps = results.get("cakg", {}).get("requests_per_s")
    for name in ("oxigraph", "rdflib-endpoint"):
        other = results.get(name, {}).get("requests_per_s")
        if cakg_rps and other:
            results[f"cakg_vs_{name}"] = round(cakg_rps / other, 2)
    return results


def run_scale(triples: int, work: Path, args: argparse.Namespace) -> dict:
    folder = work / f"synth-{triples}"
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([PY, "-m", "cakg.cli", "synth", "--triples", str(triples), "--out", str(folder)], check=True,
                   capture_output=True, cwd=ROOT)
    figures: dict = {"target_triples": triples}
    build = run_build(folder / "data", folder / "build")
    figures["build"] = {k: (round(v, 2) if isinstance(v, float) else v) for k, v in build.items() if k != "timings"}
    figures["build"].update({f"{k}_s": round(v, 2) for k, v in build["timings"].items()})
    nquads = folder / "graph.nq"
    store = pyoxigraph.Store.read_only(str(folder / "build" / "store"))
    with nquads.open("wb") as handle:
        pyoxigraph.serialize(store, handle, format=pyoxigraph.RdfFormat.N_QUADS)
    del store
    rates = load_rates(nquads)
    figures["load"] = {k: v for k, v in rates.items() if not k.startswith("_")}
    rdflib_graph = rates["_rdflib_graph"] if triples <= args.rdflib_max else None
    figures["baseline_queries"] = bench_latencies(rates["_store"], rdflib_graph, args.repeat, args.rdflib_budget)
    saved_baseline = rdflib_graph if triples <= args.rdflib_saved_max else None
    figures["queries"] = query_latencies(rates["_store"], saved_baseline, args.repeat, args.rdflib_saved_budget)
    figures["analyses"] = analysis_times(folder / "build")
    figures["serve_startup_s"] = serve_startup(folder / "build")
    if args.service_seconds > 0:
        figures["service"] = throughput(folder / "build", nquads, args.service_seconds, args.clients)
    return figures


def summary_table(results: list[dict]) -> str:
    lines = []
    for r in results:
        b, load = r["build"], r["load"]
        queries = r["queries"]
        medians = [q["cakg_ms"] for q in queries]
        speedups = [q["speedup_vs_rdflib"] for q in queries if q["speedup_vs_rdflib"]]
        overheads = [q["overhead_pct"] for q in queries if q["overhead_pct"] is not None]
        lines.append(f"== {b['triples']:,} triples (target {r['target_triples']:,})")
        lines.append(f"  build {b['wall']:.1f} s (parse {b.get('parse_s', 0)} s, reason {b.get('reason_s', 0)} s, "
                     f"validate {b.get('validate_s', 0)} s, write {b.get('write_s', 0)} s), peak {b['peak_mb']:.0f} MB")
        lines.append(f"  load: pyoxigraph {load['oxigraph_memory_tps']:,} triples/s in memory "
                     f"(lenient, as serve workers copy a build: {load.get('oxigraph_memory_lenient_tps', 0):,}), "
                     f"{load['oxigraph_disk_tps']:,} on disk; rdflib {load['rdflib_tps']:,} triples/s "
                     f"(x{load['speedup']})")
        lines.append(f"  saved queries ({len(queries)}): median of medians {statistics.median(medians):.2f} ms, "
                     f"max {max(medians):.1f} ms ({max(queries, key=lambda q: q['cakg_ms'])['query']})")
        for q in r.get("baseline_queries", []):
            rd = f"rdflib {q['rdflib_ms']} ms{'' if q['rdflib_finished'] else '+ (killed)'}, x{q['speedup_vs_rdflib']}" \
                if q["rdflib_ms"] else "rdflib not run"
            lines.append(f"  {q['query']}: cakg {q['cakg_ms']} ms, pyoxigraph {q['pyoxigraph_ms']} ms, {rd}")
        if speedups:
            unfinished = sum(1 for q in queries if not q.get("rdflib_finished", True))
            lines.append(f"  vs rdflib memory graph: x{min(speedups)} .. x{max(speedups)} "
                         f"(median x{statistics.median(speedups)}) on {len(speedups)} queries"
                         + (f"; {unfinished} did not finish within the budget (lower bounds)" if unfinished else ""))
        if overheads:
            lines.append(f"  cakg overhead over pyoxigraph: median {statistics.median(overheads):.1f}%, "
                         f"max {max(overheads):.1f}%")
        a = r["analyses"]
        lines.append(f"  analyses: project {a['project_cooperation_s']} s ({a['cooperation_nodes']} nodes, "
                     f"{a['cooperation_edges']} edges), centrality {a['centrality_s']} s, communities "
                     f"{a['communities_s']} s, resilience {a['resilience_s']} s; export nt {a['export_nt_s']} s, "
                     f"trig {a['export_trig_s']} s, graphml {a['export_graphml_s']} s")
        lines.append(f"  cakg serve ready in {r['serve_startup_s']} s")
        for name, s in (r.get("service") or {}).items():
            if isinstance(s, dict) and "requests_per_s" in s:
                lines.append(f"  service {name}: {s['requests_per_s']} req/s, p50 {s['p50_ms']} ms, "
                             f"p99 {s['p99_ms']} ms, errors {s['errors'] or 'none'}")
            elif isinstance(s, (int, float)):
                lines.append(f"  {name}: x{s}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description="cakg benchmarks")
    parser.add_argument("--scales", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--work", default=None, help="folder for synthetic data (default: a temporary one)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results.json"))
    parser.add_argument("--repeat", type=int, default=5, help="runs per query for the median (at least; sub-second queries run for 0.5 s)")
    parser.add_argument("--rdflib-max", type=int, default=1_000_000, help="largest scale with rdflib baselines")
    parser.add_argument("--rdflib-budget", type=float, default=30.0,
                        help="longest rdflib may take on one query; beyond, the budget is a lower bound (s)")
    parser.add_argument("--rdflib-saved-max", type=int, default=100_000,
                        help="largest scale at which every saved query is also timed on rdflib")
    parser.add_argument("--rdflib-saved-budget", type=float, default=10.0)
    parser.add_argument("--service-seconds", type=float, default=20, help="load per server (0: skip)")
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="cakg-bench-"))
    results = []
    for triples in args.scales:
        print(f"scale {triples:,} …", file=sys.stderr, flush=True)
        results.append(run_scale(triples, work, args))
        document = {"machine": {"platform": platform.platform(), "python": platform.python_version(),
                                "cpus": os.cpu_count(), "pyoxigraph": pyoxigraph.__version__},
                    "results": results}
        Path(args.out).write_text(json.dumps(document, indent=1) + "\n")
    print(summary_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
