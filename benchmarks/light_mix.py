"""Service throughput of cakg serve beside Oxigraph server on the same data: light queries and the saved-query mix.

    python benchmarks/light_mix.py --build build --seconds 20 --rounds 3
    python benchmarks/light_mix.py --synth 1000000 --work /tmp/bench-1m --seconds 20 --rounds 3

Both servers are started in one run on the same build: `cakg serve` on the build
folder and Oxigraph server (`oxigraph serve-read-only --union-default-graph`, the
binary the `oxigraph` package installs) on a RocksDB store loaded from the build's
quads. Once both are idle (cakg's workers have finished copying the store into
memory), they are measured in turns, alternating which goes first each round, with
the same load: ``wrk`` (Debian package ``wrk``, a compiled load generator that
needs a fraction of a core) pinned to one CPU, 8 connections, each sending the mix
round-robin as SPARQL Protocol POSTs asking for SPARQL JSON results.

Mixes:

- ``light``: a label lookup, an evidence join with LIMIT 20, a small GROUP BY (the
  languages of the countries' labels) and an ASK; the entity they name is the
  first country of the data, looked up before the measurement.
- ``saved``: every saved query of ``queries/`` with its defaults, plus the three
  small queries of ``benchmarks/load.py`` (the mix ``benchmarks/run.py`` sends).

Prints requests/s, p50 and p99 latency per server and round, and the ratios of
the medians; ``--json FILE`` writes them. Figures to read, not pass/fail checks.
"""

from __future__ import annotations

import argparse
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

PY = sys.executable
CAKG = "https://w3id.org/cakg/ontology#"

LIGHT = {
    "label lookup": "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                    "SELECT ?label WHERE { <%(entity)s> rdfs:label ?label }",
    "evidence join": f"PREFIX cakg: <{CAKG}>\nPREFIX prov: <http://www.w3.org/ns/prov#>\n"
                     "SELECT ?fact ?quote ?passage WHERE { ?fact cakg:evidence ?e . "
                     "?e cakg:quote ?quote ; prov:wasQuotedFrom ?passage } LIMIT 20",
    "group by": f"PREFIX cakg: <{CAKG}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                "SELECT ?lang (COUNT(*) AS ?n) WHERE { ?c a cakg:Country ; rdfs:label ?l BIND (LANG(?l) AS ?lang) } "
                "GROUP BY ?lang ORDER BY ?lang",
    "ask": f"PREFIX cakg: <{CAKG}>\nASK {{ <%(entity)s> a cakg:Country }}",
}


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _binary(name: str) -> str:
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.is_file() else shutil.which(name)
    if not found:
        sys.exit(f"{name} is not installed ({'pip install -e .[bench]' if name == 'oxigraph' else 'apt-get install wrk'})")
    return found


def _cpu_ticks(pid: int) -> int:
    """CPU time (clock ticks) used by a process and its living descendants."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pending += [int(c) for c in children]
        except (OSError, IndexError, ValueError):
            continue
    return total


def wait_idle(pid: int, seconds: float = 600, quiet_share: float = 0.05) -> float:
    """Wait until a server's process tree uses under ``quiet_share`` of one CPU for a second."""
    started = time.monotonic()
    ticks_per_s = os.sysconf("SC_CLK_TCK")
    before = _cpu_ticks(pid)
    while time.monotonic() - started < seconds:
        time.sleep(1.0)
        now = _cpu_ticks(pid)
        if (now - before) / ticks_per_s < quiet_share:
            return round(time.monotonic() - started, 1)
        before = now
    raise RuntimeError(f"process {pid} did not become idle within {seconds} s")


def wait_http(url: str, process: subprocess.Popen, seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def oxigraph_store(build: Path, work: Path) -> Path:
    """A RocksDB folder for Oxigraph server holding the build's quads (made once per build fingerprint)."""
    info = json.loads((build / "build-info.json").read_text())
    folder = work / f"oxigraph-{info.get('fingerprint', 'x')[:16]}"
    if (folder / "CURRENT").is_file():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    nquads = work / "graph.nq"
    store = pyoxigraph.Store.read_only(str(build / "store"))
    with nquads.open("wb") as handle:
        store.dump(handle, format=pyoxigraph.RdfFormat.N_QUADS)
    del store
    subprocess.run([_binary("oxigraph"), "load", "--location", str(folder), "--file", str(nquads)], check=True,
                   capture_output=True)
    nquads.unlink()
    return folder


def start_servers(build: Path, oxigraph_folder: Path, workers: int, queries_dir: Path) -> dict[str, dict]:
    servers = {}
    port = free_port()
    # The build's own inputs, named: without them a build whose inputs changed is rebuilt from ./data.
    inputs = json.loads((build / "build-info.json").read_text()).get("inputs", {})
    named = [arg for key in ("data", "ontology") if inputs.get(key) for arg in (f"--{key}", inputs[key])]
    cakg = subprocess.Popen([PY, "-m", "cakg.cli", "serve", "--store", str(build), "--port", str(port), *named,
                             "--no-access-log", "--workers", str(workers), "--timeout", "30",
                             "--queries", str(queries_dir)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    servers["cakg"] = {"process": cakg, "url": f"http://127.0.0.1:{port}/sparql",
                       "ready": f"http://127.0.0.1:{port}/health"}
    port = free_port()
    oxigraph = subprocess.Popen([_binary("oxigraph"), "serve-read-only", "--location", str(oxigraph_folder),
                                 "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    servers["oxigraph"] = {"process": oxigraph, "url": f"http://127.0.0.1:{port}/query",
                           "ready": f"http://127.0.0.1:{port}/query?query=ASK%7B%7D"}
    for server in servers.values():
        wait_http(server["ready"], server["process"])
    for name, server in servers.items():
        server["idle_after_s"] = wait_idle(server["process"].pid)
    return servers


def sample_entity(url: str) -> str:
    response = httpx.post(url, content=f"SELECT ?c WHERE {{ ?c a <{CAKG}Country> }} ORDER BY ?c LIMIT 1".encode(),
                          headers={"content-type": "application/sparql-query",
                                   "accept": "application/sparql-results+json"}, timeout=60)
    response.raise_for_status()
    return response.json()["results"]["bindings"][0]["c"]["value"]


def _lua_string(text: str) -> str:
    """A Lua long string holding ``text`` byte for byte (its level chosen so that the text cannot close it)."""
    level = 0
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[\n{text}]{'=' * level}]"  # a line break right after the opening bracket is dropped


def wrk_script(queries: list[str], folder: Path) -> Path:
    """A wrk script sending ``queries`` round-robin and printing its figures as JSON when done."""
    bodies = ",\n".join(_lua_string(q) for q in queries)
    script = folder / "mix.lua"
    script.write_text(f"""
local bodies = {{ {bodies} }}
local counter = 0
local headers = {{ ["Content-Type"] = "application/sparql-query", ["Accept"] = "application/sparql-results+json" }}
request = function()
  counter = counter + 1
  return wrk.format("POST", nil, headers, bodies[(counter % #bodies) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
    .. '"mean_us": %.1f, "status_errors": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, '
    .. '"timeouts": %d}}\\n', summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.mean, e.status, e.connect, e.read, e.write, e.timeout))
end
""")
    return script


def run_wrk(url: str, script: Path, seconds: float, connections: int, cpu: int | None) -> dict:
    command = [_binary("wrk"), "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "60s", "-s", str(script),
               url]
    if cpu is not None and shutil.which("taskset"):
        command = ["taskset", "-c", str(cpu)] + command
    finished = subprocess.run(command, capture_output=True, text=True, check=True)
    line = next((l for l in finished.stdout.splitlines() if l.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no figures: {finished.stdout[-500:]} {finished.stderr[-500:]}")
    raw = json.loads(line[len("RESULT "):])
    seconds_run = raw["duration_us"] / 1e6
    errors = raw["status_errors"] + raw["connect_errors"] + raw["read_errors"] + raw["write_errors"] + raw["timeouts"]
    ok = raw["requests"] - raw["status_errors"]
    return {"requests": raw["requests"], "seconds": round(seconds_run, 2),
            "requests_per_s": round(ok / seconds_run, 1), "p50_ms": round(raw["p50_us"] / 1000, 2),
            "p99_ms": round(raw["p99_us"] / 1000, 2), "mean_ms": round(raw["mean_us"] / 1000, 2), "errors": errors,
            "non_2xx": raw["status_errors"]}


def check_answers(servers: dict[str, dict], queries: list[str]) -> list[str]:
    """Each query once on each server: both answer 200 with the same number of rows (or the same boolean)."""
    problems = []
    for query in queries:
        answers = {}
        for name, server in servers.items():
            response = httpx.post(server["url"], content=query.encode(), timeout=120, headers={
                "content-type": "application/sparql-query", "accept": "application/sparql-results+json"})
            if response.status_code != 200:
                problems.append(f"{name}: {response.status_code} on {query[:80]!r}: {response.text[:200]}")
                continue
            data = response.json()
            answers[name] = data.get("boolean", len(data.get("results", {}).get("bindings", [])))
        if len(set(answers.values())) > 1:
            problems.append(f"different answers {answers} on {query[:80]!r}")
    return problems


def measure(build: Path, work: Path, seconds: float, rounds: int, connections: int, cpu: int | None,
            workers: int, mixes: list[str], queries_dir: Path = ROOT / "queries") -> dict:
    from load import query_mix

    servers = start_servers(build, oxigraph_store(build, work), workers, queries_dir)
    try:
        entity = sample_entity(servers["oxigraph"]["url"])
        queries = {"light": [q % {"entity": entity} for q in LIGHT.values()],
                   "saved": query_mix(queries_dir)}
        info = json.loads((build / "build-info.json").read_text())
        figures: dict = {"build": str(build), "triples": info.get("triples"), "entity": entity,
                         "connections": connections, "seconds": seconds, "rounds": rounds, "client_cpu": cpu,
                         "cakg_workers": workers,
                         "idle_after_s": {n: s["idle_after_s"] for n, s in servers.items()}, "mixes": {}}
        for mix in mixes:
            folder = Path(tempfile.mkdtemp(prefix="cakg-wrk-"))
            script = wrk_script(queries[mix], folder)
            problems = check_answers(servers, queries[mix])
            runs: dict[str, list[dict]] = {name: [] for name in servers}
            for name, server in servers.items():  # warm-up: caches, connections, the engine's first plans
                run_wrk(server["url"], script, 3, connections, cpu)
            for round_ in range(rounds):
                order = list(servers) if round_ % 2 == 0 else list(reversed(servers))
                for name in order:
                    result = run_wrk(servers[name]["url"], script, seconds, connections, cpu)
                    runs[name].append(result)
                    print(f"  {mix} round {round_ + 1} {name}: {result['requests_per_s']} req/s, p50 "
                          f"{result['p50_ms']} ms, p99 {result['p99_ms']} ms, errors {result['errors']}",
                          file=sys.stderr, flush=True)
            shutil.rmtree(folder, ignore_errors=True)
            summary = {name: {"requests_per_s": statistics.median(r["requests_per_s"] for r in rs),
                              "p50_ms": statistics.median(r["p50_ms"] for r in rs),
                              "p99_ms": statistics.median(r["p99_ms"] for r in rs),
                              "errors": sum(r["errors"] for r in rs)} for name, rs in runs.items()}
            summary["throughput_ratio"] = round(summary["cakg"]["requests_per_s"]
                                                / summary["oxigraph"]["requests_per_s"], 2)
            summary["p50_ratio"] = round(summary["cakg"]["p50_ms"] / summary["oxigraph"]["p50_ms"], 2)
            figures["mixes"][mix] = {"queries": len(queries[mix]), "answer_problems": problems, "runs": runs,
                                     "median": summary}
        return figures
    finally:
        for server in servers.values():
            server["process"].terminate()
            try:
                server["process"].wait(timeout=30)
            except subprocess.TimeoutExpired:
                server["process"].kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--build", help="an existing build folder (e.g. build for the real graph)")
    source.add_argument("--synth", type=int, metavar="TRIPLES", help="synthesise and build this scale in --work")
    parser.add_argument("--work", help="folder for the synthetic data and Oxigraph server's store "
                                       "(default: a temporary one)")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--client-cpu", type=int, default=1, help="CPU the load generator is pinned to (-1: none)")
    parser.add_argument("--workers", type=int, default=2, help="cakg serve --workers")
    parser.add_argument("--mix", nargs="+", choices=["light", "saved"], default=["light", "saved"])
    parser.add_argument("--queries", default=str(ROOT / "queries"), metavar="DIR",
                        help="saved-query folder, served and sent as the saved mix (default: queries/)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args()
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="cakg-light-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.synth:
        build = work / "build"
        if not (build / "build-info.json").is_file():
            subprocess.run([PY, "-m", "cakg.cli", "synth", "--triples", str(args.synth), "--out", str(work)],
                           check=True, cwd=ROOT)
            subprocess.run([PY, "-m", "cakg.cli", "build", "--data", str(work / "data"), "--out", str(build)],
                           check=True, cwd=ROOT)
    else:
        build = Path(args.build)
    cpu = None if args.client_cpu < 0 else args.client_cpu
    figures = measure(build.resolve(), work, args.seconds, args.rounds, args.connections, cpu, args.workers, args.mix,
                      Path(args.queries))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    figures["machine"] = {"platform": platform.platform(), "python": platform.python_version(),
                          "cpus": os.cpu_count(), "pyoxigraph": pyoxigraph.__version__,
                          "commit": commit.stdout.strip()}
    for mix, result in figures["mixes"].items():
        m = result["median"]
        print(f"{mix} mix, {figures['triples']:,} triples, {args.connections} connections "
              f"(medians of {args.rounds} runs of {args.seconds:g} s):")
        for name in ("cakg", "oxigraph"):
            print(f"  {name:<9} {m[name]['requests_per_s']:>8} req/s  p50 {m[name]['p50_ms']:>7} ms  "
                  f"p99 {m[name]['p99_ms']:>8} ms  errors {m[name]['errors']}")
        print(f"  cakg / oxigraph: throughput x{m['throughput_ratio']}, p50 x{m['p50_ratio']}")
        for problem in result["answer_problems"]:
            print(f"  answer check: {problem}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
