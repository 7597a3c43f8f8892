"""The ``cakg`` command line. Errors become one line on stderr and an exit code here, and only here.

Exit codes: 0 ok · 1 validation failed · 2 usage or input error · 3 endpoint error ·
4 the query engine could not evaluate a query · 5 internal error (a bug: one line, and the
traceback only when ``CAKG_DEBUG=1``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from . import __version__
from .errors import CakgError, InputError, ValidationFailed

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_ENDPOINT, EXIT_QUERY, EXIT_INTERNAL = 0, 1, 2, 3, 4, 5


def _output_path(name: str | os.PathLike) -> Path:
    """A file the user asked to write: its folder must exist (nothing is created on a typo)."""
    path = Path(name)
    folder = path.parent
    if not folder.is_dir():
        raise InputError(f"{path}: cannot write here: folder {folder} does not exist")
    if path.is_dir():
        raise InputError(f"{path}: cannot write here: it is a folder")
    return path


def _write_output(name: str | os.PathLike, data: bytes) -> Path:
    path = _output_path(name)
    try:
        path.write_bytes(data)
    except OSError as error:
        raise InputError(f"{path}: cannot write ({error.strerror or error})") from None
    return path


def _progress():
    """A step hook that shows a progress bar on a terminal and nothing otherwise."""
    if not sys.stderr.isatty():
        from .build import _quiet_step

        return _quiet_step, lambda: None
    from tqdm import tqdm

    bar = tqdm(total=4, unit="step", leave=False, file=sys.stderr,
               bar_format="{desc:<10} {bar} {n_fmt}/{total_fmt} [{elapsed}]")

    @contextlib.contextmanager
    def step(name: str) -> Iterator[None]:
        bar.set_description(name)
        yield
        bar.update(1)

    return step, bar.close


def _layout(args: argparse.Namespace):
    from .build import Layout

    root = Path.cwd()
    return Layout(ontology_dir=Path(args.ontology) if args.ontology else root / "ontology",
                  data_dir=Path(args.data) if args.data else root / "data")


def cmd_build(args: argparse.Namespace) -> int:
    from .build import build

    out = Path(args.out)
    if not out.resolve().parent.is_dir():
        raise InputError(f"{out}: cannot build here: folder {out.resolve().parent} does not exist")
    step, close = _progress()
    try:
        result = build(_layout(args), out, step=step)
    except OSError as error:
        if error.filename and _within(Path(error.filename), out.resolve().parent):
            raise InputError(f"{out}: cannot write the build ({error.strerror or error})") from None
        raise
    finally:
        close()
    timings = ", ".join(f"{k} {v:.1f}s" for k, v in result.timings.items())
    edges = ", ".join(f"{k}: {v}" for k, v in result.derived.items())
    print(f"built {result.out}: {result.triples} triples in {len(result.graphs)} graphs "
          f"({result.inferred} inferred; derived {edges}); {timings}")
    return EXIT_OK


def _within(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def cmd_validate(args: argparse.Namespace) -> int:
    from .build import assemble
    from .validate import load_shapes, validate

    layout = _layout(args)
    step, close = _progress()
    try:
        store, _counts = assemble(layout, step)
        with step("validate"):
            report = validate(store, load_shapes(layout.shapes_dir))
    finally:
        close()
    rendered = {"text": report.to_text, "json": report.to_json, "turtle": report.to_turtle}[args.format]()
    print(rendered)
    return EXIT_OK if report.conforms else EXIT_INVALID


def _store(args: argparse.Namespace):
    from .sparql_client import DEFAULT_MAX_BYTES
    from .store import connect

    return connect(Path(args.store), getattr(args, "endpoint", None), getattr(args, "user", None),
                   _password(args), getattr(args, "timeout", 30.0), getattr(args, "max_bytes", DEFAULT_MAX_BYTES))


def _password(args: argparse.Namespace) -> str | None:
    import os

    if getattr(args, "user", None) is None:
        return None
    return os.environ.get("CAKG_PASSWORD", getattr(args, "password", None))


def cmd_stats(args: argparse.Namespace) -> int:
    from .stats import statistics

    graphs, classes = statistics(_store(args))
    width = max((len(k) for k in graphs), default=10)
    print("Triples per named graph")
    for name, count in graphs.items():
        print(f"  {name:<{width}}  {count:>8}")
    print(f"  {'total':<{width}}  {sum(graphs.values()):>8}")
    print("\nInstances per class (cakg: classes, asserted or inferred)")
    width = max((len(k) for k in classes), default=10)
    for name, count in classes.items():
        print(f"  {name:<{width}}  {count:>8}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from .export import export

    if args.output and args.output != "-":
        _output_path(args.output)  # before the export's work, not after
    data = export(_store(args), args.format, graph=args.graph, by_document=args.graphs == "document")
    if args.output and args.output != "-":
        _write_output(args.output, data)
    else:
        sys.stdout.buffer.write(data)
    return EXIT_OK


def cmd_coverage(args: argparse.Namespace) -> int:
    from .coverage import coverage

    sections = coverage(_store(args))
    if args.doc:
        sections = [s for s in sections if s.document == args.doc]
    print(f"{'document':<8} {'section':<20} {'facts':>5} {'cited':>9}  uncited paragraphs")
    for s in sections:
        cited = f"{s.cited}/{s.passages}"
        uncited = ", ".join(iri.rsplit("/", 1)[-1] for iri, _ in s.uncited) or "-"
        print(f"{s.document:<8} {s.number:<20} {s.facts:>5} {cited:>9}  {uncited}")
    total = sum(s.passages for s in sections)
    cited = sum(s.cited for s in sections)
    print(f"\n{cited} of {total} paragraphs and table rows cited ({100 * cited / max(total, 1):.0f}%)")
    if args.show_text:
        for s in sections:
            for iri, text in s.uncited:
                print(f"\n{iri}\n  {text}")
    return EXIT_OK


def _queries_dir(args: argparse.Namespace) -> Path:
    return Path(args.queries) if args.queries else Path.cwd() / "queries"


def cmd_queries(args: argparse.Namespace) -> int:
    from .queries import load_saved_queries

    queries = load_saved_queries(_queries_dir(args))
    if args.format == "json":
        import json

        print(json.dumps([q.summary() for q in queries.values()], indent=2, ensure_ascii=False))
        return EXIT_OK
    theme = None
    for query in sorted(queries.values(), key=lambda q: (q.theme, q.name)):
        if query.theme != theme:
            theme = query.theme
            print(f"\n[{theme or 'other'}]")
        params = " ".join(f"{p.name}={p.default if p.default is not None else '?'}" for p in query.params)
        print(f"  {query.name:<34} {query.title}" + (f"  ({params})" if params else ""))
    return EXIT_OK


def cmd_query(args: argparse.Namespace) -> int:
    from .queries import parse_saved_query, resolve, with_standard_prefixes
    from .store import query_form

    if args.expression is not None:
        if args.name:
            raise InputError("give a query name or file, or -e 'SPARQL', not both")
        query = parse_saved_query("-e", with_standard_prefixes(args.expression))
    elif args.name:
        query = resolve(args.name, _queries_dir(args))
    else:
        raise InputError("name a saved query (see `cakg queries`), a .rq file, or give -e 'SPARQL'")
    values = {}
    for item in args.param or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InputError(f"--param {item!r}: write --param NAME=VALUE")
        values[key] = value
    store = _store(args)
    values = _resolve_names(store, query, values)
    text = query.bind(values)
    form = query_form(text)
    if form in ("CONSTRUCT", "DESCRIBE"):
        from pyoxigraph import RdfFormat, serialize

        triples = _located(store.construct, text, query.name, args.expression)
        fmt = {"json": RdfFormat.JSON_LD, "xml": RdfFormat.RDF_XML, "tsv": RdfFormat.N_TRIPLES,
               "csv": RdfFormat.N_TRIPLES}.get(args.format, RdfFormat.TURTLE)
        sys.stdout.buffer.write(serialize(triples, format=fmt))
        return EXIT_OK
    table = _located(store.select, text, query.name, args.expression)
    sys.stdout.write(table.render(args.format))
    return EXIT_OK


def _located(run, text: str, name: str, typed: str | None):
    """``run(text, label)``; a syntax error in ``-e`` text is placed on the lines as typed (prefixes came before)."""
    from .sparql_errors import QuerySyntaxError

    try:
        return run(text, f"query {name}")
    except QuerySyntaxError as error:
        raise error.lines_added(text.count("\n") - typed.count("\n") if typed is not None else 0) from None


def _resolve_names(store, query, values: dict[str, str]) -> dict[str, str]:
    """Parameters naming entities by name, code or IRI read against the store (cakg.names); notes on stderr."""
    from .names import ENTITY_TYPES, Names, needs_resolving, resolve_values

    params = [(p.name, p.type) for p in query.params]
    if not any(kind in ENTITY_TYPES and name in values and needs_resolving(values[name]) for name, kind in params):
        return values
    resolved, notes = resolve_values(Names.read(store), params, values, query.name)
    for name, note in notes.items():
        print(f"{name}: {note}", file=sys.stderr)
    return resolved


def cmd_push(args: argparse.Namespace) -> int:
    from .export import select_quads
    from .push import PushTarget, push
    from .store import connect

    source = connect(Path(args.source))
    quads = select_quads(source, by_document=args.graphs == "document")
    target = PushTarget(args.store_url, args.update_url, args.user, _password(args), args.timeout, args.query_url)
    bar = None
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=len(quads), unit="triple", file=sys.stderr, leave=False)
    done: dict[str, int] = {}

    def progress(graph: str, count: int, _total: int) -> None:  # noqa: D401
        if bar is not None:
            bar.set_description(graph.rsplit("/", 1)[-1])
            bar.update(count - done.get(graph, 0))
        done[graph] = count

    try:
        pushed = push(quads, target, progress)
    finally:
        if bar is not None:
            bar.close()
    print(f"pushed {sum(pushed.values())} triples in {len(pushed)} named graphs to "
          f"{args.update_url or args.store_url}"
          + (f" (removed {len(pushed.removed)} temporary graph(s) of ended pushes)" if pushed.removed else ""))
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    import logging

    import uvicorn

    from .build import build, is_stale, recorded_layout
    from .server import ServiceConfig, create_app

    listener = _listen(args.host, args.port)  # a taken port is a one-line error before any work
    store = Path(args.store)
    explicit_inputs = args.data is not None or args.ontology is not None
    # A build is remade from the inputs it was made from (another project's, a synthetic data
    # set), never from ./data unless those are its inputs or it has none recorded.
    layout = _layout(args) if explicit_inputs else recorded_layout(store)
    if layout is None:  # no build yet (build from ./data), or one whose inputs are gone (serve it as it is)
        layout = _layout(args)
        stale = is_stale(store)
    else:
        stale = is_stale(store, layout)
    if stale:
        print(f"building {store} from {layout.data_dir} first (missing or older than its inputs)…",
              file=sys.stderr)
        step, close = _progress()
        try:
            build(layout, store, step=step)
        finally:
            close()
    config = ServiceConfig(build_dir=store, queries_dir=_queries_dir(args), timeout=args.timeout,
                           workers=args.workers, max_rows=args.max_rows, in_memory_max=args.in_memory_max,
                           max_bytes=args.max_bytes)
    app = create_app(config)
    access = logging.getLogger("cakg.access")
    access.setLevel(logging.INFO if args.access_log else logging.WARNING)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access.addHandler(handler)
    logging.getLogger("cakg.server").addHandler(handler)
    print(f"cakg serving {store} at http://{args.host}:{args.port}/ (SPARQL: /sparql; timeout {args.timeout:g} s, "
          f"{args.workers} query workers, answering from "
          f"{'memory copies of the store once made' if app.state.service.in_memory else 'the on-disk store'})",
          file=sys.stderr)
    from .http_limits import uvicorn_options

    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, **uvicorn_options()))
    try:
        server.run(sockets=[listener])
    except SystemExit:  # uvicorn's way out when the service could not start; the reason is logged in one line
        return EXIT_USAGE
    return EXIT_OK


def _listen(host: str, port: int):
    """A listening socket on ``host:port``, or an InputError naming the address."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise InputError(f"--host {host}: not an address this machine has ({error.strerror})") from None
    family, kind, proto, _name, address = infos[0]
    listener = socket.socket(family, kind, proto)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(2048)
    except OSError as error:
        listener.close()
        raise InputError(f"cannot listen on {host}:{port} ({error.strerror or error})") from None
    listener.set_inheritable(True)
    return listener


def cmd_analyze(args: argparse.Namespace) -> int:
    from datetime import datetime, timezone

    from . import analyses, catalogue

    kind, names = args.kind, args.names
    spec = catalogue.ANALYSES[kind]
    expected = len(spec.actors)
    if len(names) != expected:
        raise InputError(f"analyze {kind} takes {expected} actor name(s), got {len(names)}")
    saved = _analysis_output(args) if args.save is not None else None  # refused before any work, not after
    store = _store(args)
    source = _analysis_source(args) if saved is not None else None
    started = datetime.now(timezone.utc)
    network = args.network if args.network_given else spec.default_network
    result = analyses.run_named(store, kind, network, args.top, tuple(names), args.depth)
    if args.top and kind not in ("centrality",):
        result.rows = result.rows[: args.top]
    if saved is not None:
        from .analysis_output import render

        path, fmt = saved
        _write_output(path, render(result, source, started, datetime.now(timezone.utc), fmt))
        print(f"saved {result.name} of the {result.network} network to {path}", file=sys.stderr)
    _print_analysis(result, args.format)
    return EXIT_OK


def _analysis_output(args: argparse.Namespace):
    """The file ``--save`` names and its RDF format; never a file inside the build folder."""
    from .analysis_output import output_format, refuse_inside_build

    if not args.save:
        raise InputError("--save FILE: name the .ttl or .trig file to write (a build is never changed after it "
                         "is written)")
    path = _output_path(args.save)
    fmt = output_format(path)
    refuse_inside_build(path, None if args.endpoint else Path(args.store))
    return path, fmt


def _analysis_source(args: argparse.Namespace):
    """What the analysis reads, for the saved file's description: the endpoint, or the build and its fingerprint."""
    from .analysis_output import Source
    from .build_folder import BuildFolder

    if args.endpoint:
        return Source(endpoint=args.endpoint)
    info = BuildFolder(Path(args.store)).info()
    return Source(build=Path(args.store).resolve(), fingerprint=info.get("fingerprint"), built_by=info.get("version"))


def _print_analysis(result, fmt: str) -> None:
    import json

    from .results import ResultTable, Term

    if fmt == "json":
        print(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
        return
    columns = [c for c in result.columns if fmt != "table" or c not in ("node", "fact_iri")]
    table = ResultTable(columns, [{c: Term("literal", str(row[c])) for c in columns if c in row}
                                  for row in result.rows])
    if fmt == "table" and result.summary:
        for key, value in result.summary.items():
            print(f"{key}: {value}")
        print()
    sys.stdout.write(table.render(fmt))


def cmd_synth(args: argparse.Namespace) -> int:
    from .synth import synthesise

    made = synthesise(args.triples, Path(args.out), args.seed)
    listed = ", ".join(f"{v} {k}" for k, v in made.items())
    print(f"wrote {Path(args.out) / 'data'}: {listed}; build it with "
          f"`cakg build --data {Path(args.out) / 'data'} --out {Path(args.out) / 'build'}`")
    return EXIT_OK


def cmd_viz(args: argparse.Namespace) -> int:
    from .network import NETWORKS
    from .viz import graph_from_data, network_data, render_html

    if args.network not in NETWORKS:
        raise InputError(f"unknown network {args.network!r}; choose from {', '.join(NETWORKS)}")
    outputs = [p for p in (args.out, args.png, args.svg) if p]
    for path in outputs:
        _output_path(path)  # before drawing, not after
    store = _store(args)
    data = network_data(store, args.network)
    focus = None
    if args.focus:
        from .analyses import resolve_node

        focus = resolve_node(store, graph_from_data(data), args.focus)
    written = []
    if args.out or not (args.png or args.svg):
        out = Path(args.out or f"network-{args.network}.html")
        page = render_html(data, focus=focus, layout="geo" if args.map else "force")
        written.append(_write_output(out, page.encode("utf-8")))
    if args.png or args.svg:
        from .viz_figures import write_figure

        for path, fmt in ((args.png, "png"), (args.svg, "svg")):
            if path:
                try:
                    written.append(write_figure(data, _output_path(path), geo=args.map, fmt=fmt))
                except OSError as error:
                    raise InputError(f"{path}: cannot write ({error.strerror or error})") from None
    counts = data["counts"]
    for path in written:
        print(f"wrote {path} ({args.network} network: {counts['nodes']} nodes, {counts['edges']} edges)")
    return EXIT_OK


def cmd_passages(args: argparse.Namespace) -> int:
    from .sources import load_documents

    layout = _layout(args)
    for document in load_documents(layout.sources_dir):
        if args.doc and document.short_code != args.doc:
            continue
        for section in document.sections():
            if args.section and section.number != args.section:
                continue
            print(f"# {document.short_code} {section.number} {section.heading}".rstrip())
            for passage in section.passages:
                iri = document.passage_iri(section.number, passage.position).value
                print(f"{iri}\t{passage.kind}\t{passage.text}")
    return EXIT_OK


def cmd_add_source(args: argparse.Namespace) -> int:
    from .curation.add_source import SourceRequest, add_source
    from .curation.project import Project

    request = SourceRequest(file=Path(args.file), code=args.code, title=args.title, issuers=args.issuer or [],
                            date=args.date, title_zh=args.title_zh, rights=args.rights, language=args.language,
                            headings=tuple(args.heading or ()))
    added = add_source(Project(_layout(args)), request)
    passages = sum(len(s.passages) for s in added.sections)
    print(f"added {added.iri}: data/{added.text_file}, data/{added.description_file}; "
          f"{len(added.sections)} sections, {passages} passages")
    for name in added.issuers_as_text:
        print(f"note: no entity is named {name!r}; the issuer is kept as text", file=sys.stderr)
    for section in added.sections:
        print(f"# {args.code} {section.number} {section.heading}".rstrip())
        for passage in section.passages:
            slug = f"{args.code}-{section.slug}-p{passage.position}"
            text = passage.text if len(passage.text) <= 110 else passage.text[:109] + "…"
            print(f"https://w3id.org/cakg/id/passage/{slug}\t{passage.kind}\t{text}")
    return EXIT_OK


def cmd_add_fact(args: argparse.Namespace) -> int:
    from .curation.facts import Draft, create
    from .curation.project import Project
    from .curation.schema import resolve_values
    from .curation.resolve import resolve_class

    project = Project(_layout(args))
    class_iri = resolve_class(project, args.class_name)
    pairs = []
    for item in args.set or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InputError(f"--set {item!r}: write --set PROPERTY=VALUE")
        pairs.append((key.strip(), value.strip()))
    draft = Draft(doc=args.doc, class_iri=class_iri, values=resolve_values(project, class_iri, pairs),
                  quote=args.quote, passage=args.passage, slug=args.id)
    saved = create(project, draft)
    cited = f", quoting {saved.passage}" if saved.passage else ""
    print(f"wrote <{saved.iri}> into data/{saved.file}{cited}")
    print(saved.block, end="")
    return EXIT_OK


def cmd_curate(args: argparse.Namespace) -> int:
    import uvicorn

    from .curation.workbench import create_workbench

    listener = _listen("127.0.0.1", args.port)  # loopback only: the workbench writes data/
    app = create_workbench(_layout(args))
    print(f"cakg curation workbench for {app.state.layout.data_dir} at http://127.0.0.1:{args.port}/ "
          "(writes data/; loopback only)", file=sys.stderr)
    uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False)).run(sockets=[listener])
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    from . import catalogue  # the choices below are the catalogue's

    top = argparse.ArgumentParser(prog="cakg", description="China–ASEAN ICT cooperation knowledge graph")
    top.add_argument("--version", action="version", version=f"cakg {__version__}")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_inputs(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--data", metavar="DIR", help="data folder (default: ./data)")
        p.add_argument("--ontology", metavar="DIR", help="ontology folder with shapes/ (default: ./ontology)")
        return p

    p = with_inputs(commands.add_parser("build", help="load, reason, validate and write build/"))
    p.add_argument("--out", default="build", metavar="DIR", help="output folder (default: build)")
    p.set_defaults(func=cmd_build)

    p = with_inputs(commands.add_parser("validate", help="run the SHACL shapes on the data, write nothing"))
    p.add_argument("--format", choices=["text", "json", "turtle"], default="text")
    p.set_defaults(func=cmd_validate)

    def with_store(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--store", default="build", metavar="DIR", help="build folder (default: build)")
        p.add_argument("--endpoint", metavar="QUERY_URL", help="a remote SPARQL 1.1 query endpoint instead")
        p.add_argument("--user", metavar="NAME", help="HTTP basic auth user for --endpoint "
                       "(password from $CAKG_PASSWORD or --password)")
        p.add_argument("--password", metavar="SECRET", help=argparse.SUPPRESS)
        p.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                       help="give up on the endpoint after this long, answer included (default 30)")
        p.add_argument("--max-bytes", type=int, default=128 * 2**20, metavar="N",
                       help="read at most this much of an endpoint's answer (default 134217728, 128 MiB)")
        return p

    p = with_store(commands.add_parser("stats", help="triples per named graph and instances per class"))
    p.set_defaults(func=cmd_stats)

    p = commands.add_parser("queries", help="list the saved queries with their titles and parameters")
    p.add_argument("--queries", metavar="DIR", help="saved-query folder (default: ./queries)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_queries)

    p = with_store(commands.add_parser("query", help="run a saved query, a .rq file or -e 'SPARQL'"))
    p.add_argument("name", nargs="?", metavar="NAME|FILE.rq")
    p.add_argument("-e", dest="expression", metavar="SPARQL", help="run this query text")
    p.add_argument("--param", action="append", metavar="NAME=VALUE", help="bind a parameter (repeatable)")
    p.add_argument("--format", choices=catalogue.QUERY_OUTPUT_FORMATS, default="table")
    p.add_argument("--queries", metavar="DIR", help="saved-query folder (default: ./queries)")
    p.set_defaults(func=cmd_query)

    p = with_store(commands.add_parser("export", help="write the built graph in an RDF format"))
    p.add_argument("--format", choices=[f.name for f in catalogue.EXPORT_FORMATS],
                   default="turtle")
    p.add_argument("--graph", metavar="NAME", help="only this named graph (IRI or name under graph/, e.g. wp2016); "
                   f"for graphml/gexf the network: {', '.join(catalogue.NETWORKS)} (default {catalogue.DEFAULT_NETWORK})")
    p.add_argument("--graphs", choices=["document", "file"], default="document",
                   help="TriG/N-Quads: one named graph per source document (default) or per input file")
    p.add_argument("-o", "--output", metavar="FILE", help="output file (default: standard output)")
    p.set_defaults(func=cmd_export)

    p = with_store(commands.add_parser("coverage", help="facts per section and the paragraphs no fact cites"))
    p.add_argument("--doc", metavar="CODE", help="only this document (wp2016, sc2019)")
    p.add_argument("--show-text", action="store_true", help="print the text of every uncited paragraph")
    p.set_defaults(func=cmd_coverage)

    p = commands.add_parser("push", help="replace the named graphs of a remote store with the build's")
    p.add_argument("--from", dest="source", default="build", metavar="DIR", help="build folder (default: build)")
    p.add_argument("--store", dest="store_url", metavar="GSP_URL", help="SPARQL 1.1 Graph Store Protocol URL")
    p.add_argument("--update", dest="update_url", metavar="UPDATE_URL", help="SPARQL 1.1 Update URL")
    p.add_argument("--endpoint", dest="query_url", metavar="QUERY_URL",
                   help="the store's SPARQL query URL, to find temporary graphs killed pushes left "
                        "(default: the update URL)")
    p.add_argument("--graphs", choices=["file", "document"], default="file",
                   help="push one named graph per input file (default) or per source document")
    p.add_argument("--user", metavar="NAME", help="HTTP basic auth user (password from $CAKG_PASSWORD)")
    p.add_argument("--password", metavar="SECRET", help=argparse.SUPPRESS)
    p.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS")
    p.set_defaults(func=cmd_push)

    p = with_inputs(commands.add_parser("serve", help="serve the graph: SPARQL endpoint, saved queries, explorer"))
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--store", default="build", metavar="DIR", help="build folder (default: build; built if "
                   "missing or stale)")
    p.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS", help="query deadline (default 10)")
    p.add_argument("--workers", type=int, default=2, metavar="N", help="query worker processes (default 2)")
    p.add_argument("--max-rows", type=int, default=100_000, metavar="N", help="largest result served (default 100000)")
    p.add_argument("--max-bytes", type=int, default=50_000_000, metavar="N",
                   help="largest answer served, in bytes as serialised (default 50000000)")
    p.add_argument("--in-memory-max", type=int, default=2_000_000, metavar="TRIPLES",
                   help="each worker answers from a memory copy of the store when the build holds at most this "
                        "many triples (default 2000000, about 0.4 GB per worker per million; 0: never)")
    p.add_argument("--queries", metavar="DIR", help="saved-query folder (default: ./queries)")
    p.add_argument("--access-log", action=argparse.BooleanOptionalAction, default=True,
                   help="JSON access log on standard error (default on)")
    p.set_defaults(func=cmd_serve)

    p = with_store(commands.add_parser("analyze", help="network analyses: centrality, communities, resilience, "
                                        "components, path A B, ego A, compare A B"))
    p.add_argument("kind", choices=list(catalogue.ANALYSES))
    p.add_argument("names", nargs="*", metavar="ACTOR", help="actors by label (any language), acronym or IRI")
    p.add_argument("--network", default=catalogue.DEFAULT_NETWORK, choices=list(catalogue.NETWORKS))
    p.add_argument("--depth", type=int, default=1, help="ego network depth (default 1)")
    p.add_argument("--top", type=int, metavar="N", help="only the first N rows")
    p.add_argument("--format", choices=catalogue.ANALYSIS_OUTPUT_FORMATS, default="table")
    p.add_argument("--save", nargs="?", const="", metavar="FILE",
                   help="also write the result with a description of the run (source, fingerprint, time, algorithm, "
                        "parameters) to FILE.ttl or FILE.trig; the build is never changed")
    p.set_defaults(func=cmd_analyze)

    p = commands.add_parser("synth", help="write a deterministic synthetic data set of about N triples")
    p.add_argument("--triples", type=int, required=True, metavar="N", help="about how many triples the build holds")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for DIR/data (and later DIR/build)")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (default 1)")
    p.set_defaults(func=cmd_synth)

    p = with_store(commands.add_parser("viz", help="draw a network: interactive HTML page, PNG/SVG figures, map"))
    p.add_argument("--network", default="cooperation", metavar="NAME",
                   help=f"{', '.join(catalogue.NETWORKS)} (default {catalogue.DEFAULT_NETWORK})")
    p.add_argument("--out", metavar="FILE.html", help="the interactive page (default: network-NAME.html; "
                   "written unless only --png/--svg are given)")
    p.add_argument("--png", metavar="FILE", help="also write a static figure as PNG")
    p.add_argument("--svg", metavar="FILE", help="also write a static figure as SVG")
    p.add_argument("--map", action="store_true", help="geographic layout: the figure is a map of the links and "
                   "the page opens in its geographic layout")
    p.add_argument("--focus", metavar="NODE", help="open the page on this node (IRI or label in any language)")
    p.set_defaults(func=cmd_viz)

    p = with_inputs(commands.add_parser("passages", help="list the passages of the sources with their IRIs"))
    p.add_argument("--doc", metavar="CODE", help="only this document (wp2016, sc2019)")
    p.add_argument("--section", metavar="NUMBER", help="only this section (e.g. II.(I).3)")
    p.set_defaults(func=cmd_passages)

    p = with_inputs(commands.add_parser("add-source", help="add a source document (text or PDF) and print its "
                                        "segmentation"))
    p.add_argument("file", metavar="FILE", help="a UTF-8 text file or a PDF")
    p.add_argument("--code", required=True, help="short code for passage IRIs and data/CODE/ (e.g. mou2021)")
    p.add_argument("--title", required=True, help="the document's English title")
    p.add_argument("--title-zh", metavar="TITLE", help="its Chinese title, if it has one")
    p.add_argument("--issuer", action="append", metavar="NAME", help="who issued it: an entity's name, code or "
                   "IRI, kept as text if none matches (repeatable)")
    p.add_argument("--date", required=True, help="issue date as precise as the document: YYYY, YYYY-MM or YYYY-MM-DD")
    p.add_argument("--rights", help="licence or attribution statement")
    p.add_argument("--language", default="en", help="language of the text (default en)")
    p.add_argument("--heading", action="append", metavar="TEXT", help="an unnumbered heading to open a section at "
                   "(repeatable)")
    p.set_defaults(func=cmd_add_source)

    p = with_inputs(commands.add_parser("add-fact", help="encode a fact (or entity) citing a quote, validated "
                                        "before it is written into data/CODE/"))
    p.add_argument("--doc", required=True, metavar="CODE", help="the document the quote comes from")
    p.add_argument("--class", dest="class_name", required=True, metavar="CLASS",
                   help="ontology class: name, label in any language or IRI (e.g. SubmarineCable, Company)")
    p.add_argument("--quote", help="the source's exact words (spacing aside); required for facts")
    p.add_argument("--set", action="append", metavar="PROPERTY=VALUE",
                   help="a value: label=…, label@zh=…, builtBy=Huawei Marine, date=2015, party=THA (repeatable)")
    p.add_argument("--passage", metavar="IRI", help="the passage, when the quote occurs in several")
    p.add_argument("--id", metavar="SLUG", help="the IRI's last segment (default: from the English label)")
    p.set_defaults(func=cmd_add_fact)

    p = with_inputs(commands.add_parser("curate", help="the curation workbench in the browser (127.0.0.1 only)"))
    p.add_argument("--port", type=int, default=8001, help="port (default 8001)")
    p.set_defaults(func=cmd_curate)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; every error ends here as one line on stderr and an exit code."""
    raw = list(sys.argv[1:] if argv is None else argv)
    args = parser().parse_args(raw)
    args.network_given = any(a == "--network" or a.startswith("--network=") for a in raw)
    try:
        return args.func(args)
    except ValidationFailed as error:
        report = error.report
        if report is not None:
            print(report.to_text(), file=sys.stderr)
        print(f"cakg: {error}", file=sys.stderr)
        return EXIT_INVALID
    except CakgError as error:
        print(f"cakg: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("cakg: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as error:
        if error.filename is None:
            return _internal_error(error)
        # A file or folder the command was pointed at cannot be read or written.
        print(f"cakg: {error.filename}: {error.strerror or error}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:  # noqa: BLE001 - the one place a bug becomes an exit code, not a traceback
        return _internal_error(error)


def _internal_error(error: BaseException) -> int:
    if os.environ.get("CAKG_DEBUG"):
        import traceback

        traceback.print_exception(error)
    detail = " ".join(str(error).split())[:300]
    print(f"cakg: internal error: {type(error).__name__}: {detail} (CAKG_DEBUG=1 shows the traceback)",
          file=sys.stderr)
    return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
