"""The build pipeline: load → segment → reason → derive → validate → write.

Building is deterministic (same inputs, same output bytes) and atomic: the
new build is written beside the old one and swapped in only when every step
succeeded, so a failed build never replaces the last good output.
"""

from __future__ import annotations

import contextlib
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from pyoxigraph import DefaultGraph, RdfFormat, Store

from . import __version__
from . import graph_names
from .background_validation import BackgroundValidation
from .build_folder import BuildFolder
from .canonical import graph_lines, write_graphs, write_union
from .derive import derive
from .errors import InputError, ValidationFailed
from .inputs import Folder, InputFile, current_stamps, fingerprint, read_inputs, recorded_stamps
from .loader import SourceFile, parse_file
from .reason import materialise
from .sources import corpus_quads, documents_in
from .staging import Held, remove_debris, scratch_path, staging_path, swap
from .validate import Report, shapes_graph

INFERRED = graph_names.INFERRED
DERIVED = graph_names.DERIVED

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

    def folders(self) -> list[Folder]:
        """The input folders: ``ontology/*.ttl``, ``ontology/shapes/*.ttl`` and ``data/**`` (Turtle and texts)."""
        return [Folder("ontology", self.ontology_dir, recursive=False, kinds=("turtle",)),
                Folder("ontology/shapes", self.shapes_dir, recursive=False, kinds=("turtle",)),
                Folder("data", self.data_dir, recursive=True, kinds=("turtle", "text"))]

    def read(self) -> Inputs:
        """Every input file, read once and confined to its folder (see :mod:`cakg.inputs`)."""
        return Inputs(read_inputs(self.folders()))

    def stamps(self) -> dict[str, list[int]]:
        """Size and modification time of every input now: a cheap first check before hashing."""
        return current_stamps(self.folders())

    def fingerprint(self) -> str:
        """The fingerprint of the inputs as they are now (reads them all)."""
        return self.read().fingerprint


def _code_identity() -> list[bytes]:
    """What besides the inputs decides a build's output: cakg's version and its derivation rules."""
    rules = [rule.read_bytes() for rule in sorted((Path(__file__).parent / "rules").glob("*.rq"))]
    return [__version__.encode(), *rules]


@dataclass
class Inputs:
    """A build's input files as read, once, before parsing: what is parsed is what is fingerprinted."""

    files: list[InputFile]
    fingerprint: str = field(init=False)
    stamps: dict[str, list[int]] = field(init=False)

    def __post_init__(self) -> None:
        self.fingerprint = fingerprint(self.files, _code_identity())
        self.stamps = recorded_stamps(self.files)

    def turtle(self) -> list[SourceFile]:
        """The files loaded into the build's store, each into its own named graph."""
        return [SourceFile(Path(f.display), graph_names.for_input(f.folder, f.relative), f.content)
                for f in self.files if f.kind == "turtle" and f.folder in ("ontology", "data")]

    def shapes(self) -> list[SourceFile]:
        return [SourceFile(Path(f.display), graph_names.SHAPES, f.content)
                for f in self.files if f.folder == "ontology/shapes"]

    def source_texts(self) -> dict[str, bytes]:
        """The texts under ``data/sources/`` by their path inside it."""
        return {f.relative.removeprefix("sources/"): f.content for f in self.files
                if f.folder == "data" and f.kind == "text" and f.relative.startswith("sources/")}


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


def load_shapes_read(inputs: Inputs, shapes_dir: Path) -> rdflib.Graph:
    """The shapes graph from the bytes the build read (as :func:`cakg.validate.load_shapes` parses them)."""
    files = inputs.shapes()
    if not files:
        raise InputError(f"{shapes_dir}: no SHACL shapes (*.ttl) found")
    quads = []
    for source in files:
        # Shapes keep their blank nodes: a property shape is named by the node shape holding it.
        quads.extend(parse_file(source, skolemise_blank_nodes=False))
    return shapes_graph(quads, shapes_dir)


def assemble(layout: Layout, step: StepHook = _quiet_step,
             timings: dict[str, float] | None = None,
             inputs: Inputs | None = None) -> tuple[Store, dict[str, int]]:
    """Load, segment, reason and derive into an in-memory store (no validation).

    ``inputs`` are the files as the caller read them; without, they are read here.
    """
    timings = timings if timings is not None else {}
    _require_folders(layout)
    started = time.perf_counter()
    if inputs is None:
        inputs = layout.read()
    store = Store()
    with step("parse"):
        for source in inputs.turtle():
            store.extend(parse_file(source))
        for document in documents_in(store, layout.sources_dir, inputs.source_texts()):
            store.extend(corpus_quads(document, graph_names.for_corpus(document.short_code)))
    timings["parse"] = time.perf_counter() - started
    started = time.perf_counter()
    with step("reason"):
        inferred = materialise(store, INFERRED)
        derived = derive(store, DERIVED)
        # Derived edges are symmetric sub-properties too: reason once more over them.
        inferred += materialise(store, INFERRED)
    timings["reason"] = time.perf_counter() - started
    return store, {"inferred": inferred, **{f"rule:{k}": v for k, v in derived.items()}}


def build(layout: Layout, out: Path, step: StepHook = _quiet_step, validate_graph: bool = True,
          validation_speedups: bool | None = None) -> BuildResult:
    """Build into ``out``; on any error ``out`` is left exactly as it was.

    The inputs are read once, first: the fingerprint and stamps recorded are those of
    the bytes parsed, so a file edited during the build leaves the build stale.
    Validation runs in a second process while this one writes the output
    aside: the two are independent until the swap, which happens only once
    the report says the graph conforms. On a 2-core machine this hides the
    write step inside the validation step, or the other way round.
    Everything, ``build-info.json`` included, is written into the staging folder
    before the swap, so the swap is the only step that changes ``out``; what goes
    where is :mod:`cakg.build_folder`'s. ``validation_speedups`` forces pySHACL's
    speed-ups on or off (None: by the graph's size).
    """
    timings: dict[str, float] = {}
    out = out.resolve()
    _require_folders(layout)
    remove_debris(out)
    started = time.perf_counter()
    inputs = layout.read()
    read_seconds = time.perf_counter() - started
    validation = BackgroundValidation(load_shapes_read(inputs, layout.shapes_dir), validation_speedups) \
        if validate_graph else None
    staging: Held | None = None
    scratch: Held | None = None
    report = None
    try:
        store, counts = assemble(layout, step, timings, inputs)
        timings["parse"] += read_seconds
        inputs.files = []  # the bytes were parsed; only the fingerprint and stamps are kept
        if validation is not None:
            scratch = Held(scratch_path(out), folder=False)
            validation.start(store, scratch.path)

        from .void import describe

        store.extend(describe(store))
        started = time.perf_counter()
        staging = Held(staging_path(out), folder=True)
        with step("write"):
            _write(store, staging.path, layout, previous=out)
        timings["write"] = time.perf_counter() - started
        if validation is not None:
            with step("validate"):
                report, timings["validate"] = validation.wait(store)
            if not report.conforms:
                raise ValidationFailed(
                    f"validation failed: {len(report.violations)} problem(s); build not written", report)
            BuildFolder(staging.path).write_validation_report(report.to_text(), report.to_json())
        graphs = graph_sizes(store)
        triples = sum(graphs.values())
        info = {"version": __version__, "fingerprint": inputs.fingerprint, "triples": triples,
                "inputs": {"data": str(layout.data_dir.resolve()), "ontology": str(layout.ontology_dir.resolve())},
                "stamps": inputs.stamps,
                "graphs": graphs, "inferred": counts["inferred"],
                "rules": {k[5:]: v for k, v in counts.items() if k.startswith("rule:")}}
        BuildFolder(staging.path).write_info(info)
        swap(staging.path, out)
    finally:
        if staging is not None:
            staging.release()
        if validation is not None:
            validation.close()
        if scratch is not None:
            scratch.release()
    return BuildResult(out=out, triples=triples, graphs=graphs, timings=timings, report=report,
                       derived=info["rules"], inferred=counts["inferred"])


def recorded_layout(out: Path) -> Layout | None:
    """The inputs a build in ``out`` was made from, if its build-info names folders that still exist."""
    folder = BuildFolder(out)
    if not folder.is_built():
        return None
    try:
        inputs = folder.info().get("inputs", {})
    except InputError:
        return None
    data, ontology = Path(inputs.get("data", "")), Path(inputs.get("ontology", ""))
    if not (inputs.get("data") and inputs.get("ontology") and data.is_dir() and ontology.is_dir()):
        return None
    return Layout(ontology_dir=ontology, data_dir=data)


def is_stale(out: Path, layout: Layout | None = None) -> bool:
    """True if ``out`` holds no build, or one made from inputs that have changed since.

    The inputs are those recorded in the build (or ``layout``); a build whose recorded
    inputs no longer exist (a copied or synthetic store) is served as it is. Inputs are
    named relative to their folders, so the same folders reached by another path
    (``--data data``, an absolute path, a link to the project) are the same inputs.
    """
    folder = BuildFolder(out)
    if not folder.is_built():
        return True
    try:
        info = folder.info()
    except InputError:  # an unreadable or damaged build-info.json: build again
        return True
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
    """The build's files into ``folder`` (the staging folder, created and locked by the caller)."""
    target = BuildFolder(folder)
    write_graph_files(store, target.graph_trig, target.graph_ttl)
    disk = Store(str(target.store_dir))
    # In chunks: one bulk load of 10^6 quads buffered about 850 MB, 250k-quad chunks
    # about 230 MB, for some 25% more time (the write runs beside validation anyway).
    quads = iter(store)
    while chunk := list(itertools.islice(quads, 250_000)):
        disk.bulk_extend(chunk)
    disk.flush()
    disk.optimize()
    del disk
    target.ontology_dir.mkdir()
    from .ontology_docs import write_ontology_docs

    write_ontology_docs(layout.ontology_dir, target.ontology_dir,
                        BuildFolder(previous).ontology_dir if previous else None)
