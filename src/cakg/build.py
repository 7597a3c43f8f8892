"""The build pipeline: load → segment → reason → derive → validate → write.

Building is deterministic (same inputs, same output bytes) and atomic: the
new build is written beside the old one and swapped in only when every step
succeeded, so a failed build never replaces the last good output.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Store

from . import __version__
from .canonical import graph_lines, write_graphs, write_union
from .background_validation import BackgroundValidation
from .derive import derive
from .errors import InputError, ValidationFailed
from .loader import SourceFile, data_files, ontology_files, parse_file
from .reason import materialise
from .sources import corpus_quads, documents_in
from .validate import Report, load_shapes
from .vocab import GRAPH

INFERRED = NamedNode(GRAPH + "inferred")
DERIVED = NamedNode(GRAPH + "derived")
BUILD_INFO = "build-info.json"

StepHook = Callable[[str], contextlib.AbstractContextManager]


@contextlib.contextmanager
def _quiet_step(_name: str) -> Iterator[None]:
    yield


@dataclass
class Layout:
    """Where a build reads from."""

    ontology_dir: Path
    data_dir: Path

    @property
    def shapes_dir(self) -> Path:
        return self.ontology_dir / "shapes"

    @property
    def sources_dir(self) -> Path:
        return self.data_dir / "sources"

    def inputs(self) -> list[Path]:
        files = sorted(self.ontology_dir.glob("*.ttl")) + sorted(self.shapes_dir.glob("*.ttl"))
        files += sorted(p for p in self.data_dir.rglob("*") if p.is_file() and p.suffix in {".ttl", ".txt", ".md"})
        return files

    def stamps(self) -> dict[str, list[int]]:
        """Size and modification time of every input: a cheap first check before hashing."""
        return {str(p): [p.stat().st_size, p.stat().st_mtime_ns] for p in self.inputs()}

    def fingerprint(self) -> str:
        """A hash of every input file's path and bytes: equal fingerprints, equal builds."""
        digest = hashlib.sha256(__version__.encode())
        for path in self.inputs():
            digest.update(path.as_posix().encode())
            digest.update(path.read_bytes())
        for rule in sorted((Path(__file__).parent / "rules").glob("*.rq")):
            digest.update(rule.read_bytes())
        return digest.hexdigest()


@dataclass
class BuildResult:
    out: Path
    triples: int
    graphs: dict[str, int]
    timings: dict[str, float] = field(default_factory=dict)
    report: Report | None = None
    derived: dict[str, int] = field(default_factory=dict)
    inferred: int = 0


def default_layout(root: Path | None = None) -> Layout:
    root = root or Path.cwd()
    return Layout(ontology_dir=root / "ontology", data_dir=root / "data")


def _require_folders(layout: Layout) -> None:
    if not layout.ontology_dir.is_dir():
        raise InputError(f"{layout.ontology_dir}: ontology folder not found")
    if not layout.data_dir.is_dir():
        raise InputError(f"{layout.data_dir}: data folder not found")


def assemble(layout: Layout, step: StepHook = _quiet_step,
             timings: dict[str, float] | None = None) -> tuple[Store, dict[str, int]]:
    """Load, segment, reason and derive into an in-memory store (no validation)."""
    timings = timings if timings is not None else {}
    _require_folders(layout)
    store = Store()
    files: list[SourceFile] = ontology_files(layout.ontology_dir) + data_files(layout.data_dir)
    started = time.perf_counter()
    with step("parse"):
        for source in files:
            store.extend(parse_file(source))
        for document in documents_in(store, layout.sources_dir):
            store.extend(corpus_quads(document, NamedNode(f"{GRAPH}corpus/{document.short_code}")))
    timings["parse"] = time.perf_counter() - started
    started = time.perf_counter()
    with step("reason"):
        inferred = materialise(store, INFERRED)
        derived = derive(store, DERIVED)
        # Derived edges are symmetric sub-properties too: reason once more over them.
        inferred += materialise(store, INFERRED)
    timings["reason"] = time.perf_counter() - started
    return store, {"inferred": inferred, **{f"rule:{k}": v for k, v in derived.items()}}


def build(layout: Layout, out: Path, step: StepHook = _quiet_step, validate_graph: bool = True) -> BuildResult:
    """Build into ``out``; on any error ``out`` is left exactly as it was.

    Validation runs in a second process while this one writes the output
    aside: the two are independent until the swap, which happens only once
    the report says the graph conforms. On a 2-core machine this hides the
    write step inside the validation step, or the other way round.
    """
    timings: dict[str, float] = {}
    out = out.resolve()
    _require_folders(layout)
    validation = BackgroundValidation(load_shapes(layout.shapes_dir)) if validate_graph else None
    staging = out.with_name(f".{out.name}.staging-{os.getpid()}")
    report = None
    try:
        store, counts = assemble(layout, step, timings)
        if validation is not None:
            validation.start(store, out.with_name(f".{out.name}.validation-{os.getpid()}.nq"))

        from .void import describe

        store.extend(describe(store))
        started = time.perf_counter()
        shutil.rmtree(staging, ignore_errors=True)
        with step("write"):
            _write(store, staging, layout, previous=out)
        timings["write"] = time.perf_counter() - started
        if validation is not None:
            with step("validate"):
                report, timings["validate"] = validation.wait(store)
            if not report.conforms:
                raise ValidationFailed(
                    f"validation failed: {len(report.violations)} problem(s); build not written", report)
            _write_report(staging, report)
        _swap(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if validation is not None:
            validation.close()
    graphs = graph_sizes(store)
    triples = sum(graphs.values())
    info = {"version": __version__, "fingerprint": layout.fingerprint(), "triples": triples,
            "inputs": {"data": str(layout.data_dir.resolve()), "ontology": str(layout.ontology_dir.resolve())},
            "stamps": layout.stamps(),
            "graphs": graphs, "inferred": counts["inferred"],
            "rules": {k[5:]: v for k, v in counts.items() if k.startswith("rule:")}}
    (out / BUILD_INFO).write_text(json.dumps(info, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return BuildResult(out=out, triples=triples, graphs=graphs, timings=timings, report=report,
                       derived=info["rules"], inferred=counts["inferred"])


def is_stale(out: Path, layout: Layout | None = None) -> bool:
    """True if ``out`` holds no build, or one made from inputs that have changed since.

    The inputs are those recorded in the build (or ``layout``); a build whose recorded
    inputs no longer exist (a copied or synthetic store) is served as it is.
    """
    info_path = out / BUILD_INFO
    if not (out / "store").is_dir() or not info_path.is_file():
        return True
    info = json.loads(info_path.read_text(encoding="utf-8"))
    if layout is None:
        inputs = info.get("inputs", {})
        data, ontology = Path(inputs.get("data", "")), Path(inputs.get("ontology", ""))
        if not (data.is_dir() and ontology.is_dir()):
            return False
        layout = Layout(ontology_dir=ontology, data_dir=data)
    if info.get("stamps") == layout.stamps():
        return False  # same files, same sizes, same times: no need to read them
    return info.get("fingerprint") != layout.fingerprint()


def graph_sizes(store: Store) -> dict[str, int]:
    """Quads per graph ("" for the default graph), counted inside Oxigraph rather than by
    iterating every quad in Python (about 1 s at 10^6 triples)."""
    from .stats import named_graph_sizes
    from .store import EmbeddedStore

    sizes = named_graph_sizes(EmbeddedStore(store))
    default = int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)
    if default:
        sizes[""] = default
    return dict(sorted(sizes.items()))


def write_graph_files(store: Store, trig: Path, turtle: Path) -> None:
    """Every graph as TriG, and their union (each triple once) as Turtle, in a fixed order."""
    groups = {graph: graph_lines(store, graph)
              for graph in [DefaultGraph(), *store.named_graphs()]}
    groups = {graph: lines for graph, lines in groups.items() if lines}
    with trig.open("wb") as handle:
        write_graphs(groups, handle, RdfFormat.TRIG)
    union = [line for lines in groups.values() for line in lines]
    groups.clear()
    with turtle.open("wb") as handle:
        write_union(union, handle, RdfFormat.TURTLE, scratch_dir=turtle.parent)


def _write(store: Store, folder: Path, layout: Layout, previous: Path | None = None) -> None:
    folder.mkdir(parents=True)
    write_graph_files(store, folder / "graph.trig", folder / "graph.ttl")
    disk = Store(str(folder / "store"))
    # In chunks: one bulk load of 10^6 quads buffered about 850 MB, 250k-quad chunks
    # about 230 MB, for some 25% more time (the write runs beside validation anyway).
    quads = iter(store)
    while chunk := list(itertools.islice(quads, 250_000)):
        disk.bulk_extend(chunk)
    disk.flush()
    disk.optimize()
    del disk
    ontology = folder / "ontology"
    ontology.mkdir()
    from .ontology_docs import write_ontology_docs

    write_ontology_docs(layout.ontology_dir, ontology, previous / "ontology" if previous else None)


def _write_report(folder: Path, report: Report) -> None:
    (folder / "validation-report.txt").write_text(report.to_text() + "\n", encoding="utf-8")
    (folder / "validation-report.json").write_text(report.to_json() + "\n", encoding="utf-8")


def _swap(staging: Path, out: Path) -> None:
    """Replace ``out`` by ``staging`` with two renames; the old build is removed last."""
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    if out.exists():
        out.rename(old)
    try:
        staging.rename(out)
    except OSError:
        if old.exists():
            old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)
