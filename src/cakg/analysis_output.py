"""An analysis saved to a file of its own, described (what, from which source, when, how); never into a build.

``cakg analyze … --save FILE.ttl`` (Turtle) or ``FILE.trig`` (TriG, in the named
graph ``graph/analyses``) writes the scores as :func:`cakg.analyses.to_rdf` makes
them, and describes the run with PROV-O: ``prov:startedAtTime`` and
``prov:endedAtTime``, ``prov:used`` the source (a build, with the fingerprint and
cakg version its ``build-info.json`` records, or a SPARQL endpoint) and
``prov:wasAssociatedWith`` the cakg that computed it, beside the run's
``cakg:algorithm``, ``cakg:parameters``, ``cakg:network`` and ``cakg:summary``.
The same description opens the file as comments. A build is validated and
fingerprinted as a whole, so nothing is ever added to one after it was written:
a file inside the build folder is refused.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, serialize

from . import __version__
from .analyses import Analysis, to_rdf
from .errors import InputError
from .vocab import DCTERMS, PREFIXES, PROV, RDF, RDFS, XSD

FORMATS = {".ttl": RdfFormat.TURTLE, ".trig": RdfFormat.TRIG}
VOID = "http://rdfs.org/ns/void#"


@dataclass(frozen=True)
class Source:
    """What an analysis read: a build folder (its fingerprint and the cakg version that built it) or an endpoint."""

    build: Path | None = None
    fingerprint: str | None = None
    built_by: str | None = None
    endpoint: str | None = None

    def describe(self) -> str:
        if self.endpoint:
            return f"the SPARQL endpoint {self.endpoint}"
        return f"the build {self.build} (inputs fingerprint {self.fingerprint}, built by cakg {self.built_by})"


def output_format(path: Path) -> RdfFormat:
    """The RDF format a ``--save`` file is written in, by its extension."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"--save {path}: name a .ttl (Turtle) or .trig (TriG) file")
    return fmt


def refuse_inside_build(path: Path, build: Path | None) -> None:
    """An InputError if ``path`` lies inside the build folder ``build``: a finished build is never changed."""
    if build is None:
        return
    try:
        path.resolve().relative_to(build.resolve())
    except ValueError:
        return
    raise InputError(f"--save {path}: inside the build folder {build}; a build is never changed after it is "
                     "written, save the analysis elsewhere")


def described(result: Analysis, source: Source, started: datetime, ended: datetime) -> list[Quad]:
    """The analysis's quads, its run named for this execution and described with PROV-O."""
    quads = to_rdf(result)
    old_run = next(q.subject for q in quads if q.predicate.value == RDF + "type")
    key = "\n".join([old_run.value, source.endpoint or source.fingerprint or "", started.isoformat()])
    run = NamedNode(f"{old_run.value}-{hashlib.sha1(key.encode()).hexdigest()[:10]}")
    quads = [_renamed(q, old_run.value, run.value) for q in quads]
    graph = quads[0].graph_name
    used, agent = NamedNode(run.value + "/source"), NamedNode(run.value + "/agent")

    def add(subject: NamedNode, predicate: str, value: NamedNode | Literal) -> None:
        quads.append(Quad(subject, NamedNode(predicate), value, graph))

    add(run, PROV + "startedAtTime", _time(started))
    add(run, PROV + "endedAtTime", _time(ended))
    add(run, PROV + "used", used)
    add(run, PROV + "wasAssociatedWith", agent)
    add(run, RDFS + "comment", Literal(f"{result.name} of the {result.network} network, computed with "
                                       f"{result.algorithm} from {source.describe()}", language="en"))
    add(agent, RDF + "type", NamedNode(PROV + "SoftwareAgent"))
    add(agent, RDFS + "label", Literal(f"cakg {__version__}"))
    add(used, RDF + "type", NamedNode(PROV + "Entity"))
    add(used, RDFS + "label", Literal(source.describe(), language="en"))
    if source.endpoint:
        try:
            add(used, VOID + "sparqlEndpoint", NamedNode(source.endpoint))
        except ValueError:  # not an IRI (a space, say); the label above still names it
            pass
    else:
        if source.fingerprint:
            add(used, DCTERMS + "identifier", Literal(f"sha256:{source.fingerprint}"))
        if source.built_by:
            add(used, DCTERMS + "hasVersion", Literal(f"cakg {source.built_by}"))
    return quads


def _renamed(quad: Quad, old: str, new: str) -> Quad:
    def rename(term):
        if isinstance(term, NamedNode) and (term.value == old or term.value.startswith(old + "/")):
            return NamedNode(new + term.value[len(old):])
        return term

    return Quad(rename(quad.subject), quad.predicate, rename(quad.object), quad.graph_name)


def _time(moment: datetime) -> Literal:
    return Literal(moment.isoformat(timespec="seconds"), datatype=NamedNode(XSD + "dateTime"))


def render(result: Analysis, source: Source, started: datetime, ended: datetime, fmt: RdfFormat) -> bytes:
    """The file's bytes: a comment saying what it holds, then the quads (Turtle: their triples)."""
    quads = described(result, source, started, ended)
    data = [q.triple for q in quads] if fmt == RdfFormat.TURTLE else quads
    parameters = json.dumps(result.parameters, sort_keys=True, ensure_ascii=False)
    header = [f"# cakg analyze {result.name}: the {result.network} network, {len(result.rows)} row(s)",
              f"# from {source.describe()}",
              f"# algorithm {result.algorithm}; parameters {parameters}",
              f"# computed by cakg {__version__} from {started.isoformat(timespec='seconds')} "
              f"to {ended.isoformat(timespec='seconds')}"]
    body = serialize(data, format=fmt, prefixes=dict(PREFIXES))
    return ("\n".join(" ".join(line.split()) for line in header) + "\n\n").encode("utf-8") + body
