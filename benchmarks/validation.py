"""Validation with plain pySHACL against validation with cakg's speed-ups, at several sizes.

    python benchmarks/validation.py --scales 10000 100000 [--repeat 3] [--out FILE.json]

For each data set — a small project (the ontology, the source texts and one fact),
the real data, and `cakg synth --triples N` for each scale — the graph is assembled
once (load, segment, reason, derive) and validated as `cakg build` validates it: the
triples the shapes read handed to a forked process that runs pySHACL, once plain and
once with the speed-ups of `cakg.validation_speedups`, alternately, `--repeat` times.
Prints the median seconds of each (hand-over included) and checks that both reports
are the same. Figures to read, never pass/fail checks: docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cakg.background_validation import BackgroundValidation  # noqa: E402
from cakg.build import Layout, assemble, load_shapes_read  # noqa: E402

SMALL_FACT = textwrap.dedent("""\
    @prefix cakg: <https://w3id.org/cakg/ontology#> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    @prefix prov: <http://www.w3.org/ns/prov#> .
    <https://w3id.org/cakg/id/country/mys> a cakg:Country ; rdfs:label "Malaysia"@en , "马来西亚"@zh .
    <https://w3id.org/cakg/id/country/khm> a cakg:Country ; rdfs:label "Cambodia"@en , "柬埔寨"@zh .
    <https://w3id.org/cakg/id/infrastructure/mct-cable> a cakg:SubmarineCable ;
        rdfs:label "MCT submarine cable system"@en ;
        cakg:connects <https://w3id.org/cakg/id/country/mys> , <https://w3id.org/cakg/id/country/khm> ;
        cakg:date "2015"^^xsd:gYear ;
        cakg:evidence [ a cakg:Evidence ;
            cakg:quote "Huawei Marine designed and constructed the Malaysia - Cambodia - Thailand (MCT) submarine cable system" ;
            prov:wasQuotedFrom <https://w3id.org/cakg/id/passage/wp2016-ii-i-3-p1> ] .
    """)


def datasets(scales: list[int], work: Path) -> list[tuple[str, Layout]]:
    small = work / "small" / "data"
    (small / "facts").mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "sources", small / "sources")
    (small / "facts" / "mct.ttl").write_text(SMALL_FACT, encoding="utf-8")
    found = [("small project", Layout(ROOT / "ontology", small)),
             ("real data", Layout(ROOT / "ontology", ROOT / "data"))]
    for scale in scales:
        out = work / f"synth-{scale}"
        subprocess.run([sys.executable, "-m", "cakg.cli", "synth", "--triples", str(scale), "--out", str(out)],
                       check=True, capture_output=True, cwd=ROOT)
        found.append((f"synthetic {scale:,}", Layout(ROOT / "ontology", out / "data")))
    return found


def validate_once(store, shapes, speedups: bool, scratch: Path):
    validation = BackgroundValidation(shapes, speedups=speedups)
    try:
        started = time.perf_counter()
        validation.start(store, scratch)
        report, _inside = validation.wait(store)
        return time.perf_counter() - started, report
    finally:
        validation.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="cakg-bench-validation-") as tmp:
        work = Path(tmp)
        for name, layout in datasets(args.scales, work):
            inputs = layout.read()
            shapes = load_shapes_read(inputs, layout.shapes_dir)
            store, _counts = assemble(layout, inputs=inputs)
            times: dict[bool, list[float]] = {False: [], True: []}
            reports = {}
            for _ in range(args.repeat):
                for speedups in (False, True):
                    seconds, report = validate_once(store, shapes, speedups, work / "scratch.nq")
                    times[speedups].append(seconds)
                    reports[speedups] = [(v.shape, v.focus, v.message, v.path, v.value) for v in report.violations]
            row = {"data": name, "triples": len(store), "plain_s": round(statistics.median(times[False]), 3),
                   "speedups_s": round(statistics.median(times[True]), 3),
                   "plain_all_s": [round(t, 3) for t in times[False]],
                   "speedups_all_s": [round(t, 3) for t in times[True]],
                   "same_report": reports[False] == reports[True], "results": len(reports[False])}
            rows.append(row)
            print(f"{name:<20} {row['triples']:>9,} triples   plain {row['plain_s']:>8.2f} s   "
                  f"sped up {row['speedups_s']:>7.2f} s   (x{row['plain_s'] / row['speedups_s']:.1f}; "
                  f"same report: {row['same_report']}, {row['results']} results)", flush=True)
    if args.out:
        args.out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
