"""The curation workbench: a local web app to read a document passage by passage and encode its facts.

It is separate from the read-only service (``cakg serve``): it listens on
127.0.0.1 only and writes ``data/`` through the same code as ``cakg
add-fact`` (:mod:`facts`), so a save is validated exactly as the build
validates and refused with the shapes' messages otherwise. Requests must
name this machine's loopback address as their Host (a rebound DNS name is
refused), and every write must carry the page's token in ``X-CSRF-Token``,
come as JSON and, when the browser says where it comes from, from this
origin: another site open in the same browser cannot write.
"""

from __future__ import annotations

import json
import secrets
import threading
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from pyoxigraph import Literal, NamedNode
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import __version__
from ..build import Layout
from ..errors import CakgError, InputError
from ..vocab import CAKG, ID, PROV, RDF, RDFS, SKOS
from .facts import Draft, create, current_node, delete, edit, is_fact_class
from .project import Project, normalise, stamps
from .resolve import resolve_property
from .schema import fields_for, resolve_values
from .transaction import Refused
from .turtle_blocks import Node

STATIC = Path(__file__).resolve().parents[1] / "static"
MAX_BODY = 256 * 1024
_LOOPBACK = {"127.0.0.1", "localhost", "[::1]"}
_SKIP_KINDS = {"heading", "line"}  # not counted in the to-do list: headings and title/contents lines


class Workbench:
    """The workbench's state: the project as last assembled, refreshed when its files change."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.token = secrets.token_urlsafe(32)
        self._lock = threading.Lock()
        self._project = Project(layout)

    def project(self) -> Project:
        with self._lock:
            if stamps(self.layout) != self._project.stamps:
                self._project = Project(self.layout)
            return self._project


def create_workbench(layout: Layout) -> Starlette:
    bench = Workbench(layout)
    env = Environment(loader=PackageLoader("cakg", "templates/curate"), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["short"] = _short
    env.filters["slug"] = lambda iri: iri.rsplit("/", 1)[-1]

    def page(name: str, request: Request, **context) -> HTMLResponse:
        html = env.get_template(name).render(token=bench.token, version=__version__, path=request.url.path,
                                             **context)
        return HTMLResponse(html, headers=_SECURITY_HEADERS)

    async def index(request: Request) -> Response:
        project = bench.project()
        documents = []
        for code in sorted(project.documents):
            passages = project.passages(code)
            cited = project.citations(code)
            countable = [p for p in passages if p.kind not in _SKIP_KINDS]
            documents.append({"code": code, "title": project.title(code), "passages": len(countable),
                              "cited": sum(1 for p in countable if p.iri in cited),
                              "facts": len({c.fact for cs in cited.values() for c in cs})})
        return page("index.html", request, title="Curation workbench", documents=documents)

    async def document(request: Request) -> Response:
        project = bench.project()
        code = request.path_params["code"]
        if code not in project.documents:
            return page("error.html", request, title="Not found", message=f"No document {code!r}.")
        passages = project.passages(code)
        citations = project.citations(code)
        todo = [p for p in passages if p.kind not in _SKIP_KINDS and p.iri not in citations]
        return page("document.html", request, title=f"{code}: {project.title(code)}", code=code,
                    doc_title=project.title(code), passages=passages, citations=citations, todo=todo,
                    classes=_class_options(project), marked=_marked)

    async def passage_fragment(request: Request) -> Response:
        project = bench.project()
        code, iri = request.path_params["code"], request.query_params.get("iri", "")
        found = [p for p in project.passages(code)] if code in project.documents else []
        passage = next((p for p in found if p.iri == iri), None)
        if passage is None:
            return JSONResponse({"ok": False, "error": f"no passage {iri!r}"}, status_code=404)
        template = env.get_template("_passage.html")
        return HTMLResponse(template.render(p=passage, citations=project.citations(code), marked=_marked),
                            headers=_SECURITY_HEADERS)

    async def api_form(request: Request) -> Response:
        project = bench.project()
        class_iri = request.query_params.get("class", "")
        term = project.ontology.get(class_iri)
        if term is None or term.kind != "class":
            return JSONResponse({"ok": False, "error": f"no class {class_iri!r}"}, status_code=400)
        return JSONResponse({"ok": True, "class": {"iri": class_iri, "label": term.label,
                                                   "definition": term.definition,
                                                   "fact": is_fact_class(project, class_iri)},
                             "fields": [f.as_json() for f in fields_for(project, class_iri)]})

    async def api_entities(request: Request) -> Response:
        project = bench.project()
        query = normalise(request.query_params.get("q", ""))[:100]
        allowed = [a for a in request.query_params.get("allowed", "").split(",") if a]
        return JSONResponse({"ok": True, "results": _search(project, query, allowed)})

    async def api_fact(request: Request) -> Response:
        project = bench.project()
        iri = request.query_params.get("iri", "")
        try:
            relative, node = current_node(project, iri)
        except InputError as error:
            return JSONResponse({"ok": False, "error": str(error)}, status_code=400)
        types = [v.value for v in node.values(RDF + "type") if isinstance(v, NamedNode)]
        class_iri = types[0] if types else ""
        fields = fields_for(project, class_iri) if class_iri else []
        known = {(f.iri, f.language) for f in fields}
        values, kept = [], []
        for predicate, items in node.statements:
            for item in items:
                language = item.language if isinstance(item, Literal) and item.language else None
                if predicate == RDF + "type" or predicate == CAKG + "evidence":
                    continue
                if (predicate, language) in known or (predicate, None) in known and language is None:
                    key = next(f.key for f in fields if f.iri == predicate and f.language in (language, None))
                    label = project.entries[item.value].label if isinstance(item, NamedNode) and \
                        item.value in project.entries else item.value
                    values.append({"key": key, "value": item.value, "label": label,
                                   "entity": isinstance(item, NamedNode)})
                else:
                    kept.append({"property": _short(predicate), "value": _shown(item)})
        quotes = [{"quote": e.values(CAKG + "quote")[0].value, "passage": e.values(PROV + "wasQuotedFrom")[0].value}
                  for e in node.values(CAKG + "evidence") if isinstance(e, Node)
                  and e.values(CAKG + "quote") and e.values(PROV + "wasQuotedFrom")]
        return JSONResponse({"ok": True, "iri": iri, "file": f"data/{relative}", "class": class_iri,
                             "values": values, "kept": kept, "evidence": quotes})

    async def api_create(request: Request) -> Response:
        body = await _json_body(request)
        project = bench.project()
        try:
            class_iri = _class_of(project, body.get("class"))
            companions, refs = _new_entities(project, body, class_iri)
            values = resolve_values(project, class_iri, _pairs(body.get("values"), refs), frozenset(refs.values()))
            draft = Draft(doc=str(body.get("doc", "")), class_iri=class_iri, values=values,
                          quote=str(body.get("quote") or "") or None, passage=str(body.get("passage") or "") or None)
            for companion in companions:
                companion.quote, companion.passage = draft.quote, draft.passage
            # Validation takes about a second: off the event loop, so pages keep answering.
            saved = await run_in_threadpool(create, project, draft, companions)
        except Refused as error:
            return _refusal(error, refs if "refs" in locals() else {})
        except CakgError as error:
            return JSONResponse({"ok": False, "error": str(error)}, status_code=400)
        return JSONResponse({"ok": True, "iri": saved.iri, "file": f"data/{saved.file}", "passage": saved.passage,
                             "quote": saved.quote, "block": saved.block,
                             "created": [{"iri": i, "file": f"data/{f}"} for i, f in saved.companions]})

    async def api_edit(request: Request) -> Response:
        body = await _json_body(request)
        project = bench.project()
        iri = str(body.get("iri", ""))
        try:
            relative, old = current_node(project, iri)
            types = [v for v in old.values(RDF + "type")]
            class_iri = types[0].value if types else _class_of(project, body.get("class"))
            shown = {(f.iri, f.language) for f in fields_for(project, class_iri)}
            values = resolve_values(project, class_iri, _pairs(body.get("values"), {}))
            node = Node()
            for value in types:
                node.add(RDF + "type", value)
            new_by_key: dict[tuple, list] = {}
            for key, value in values:
                new_by_key.setdefault((key.iri, key.language), []).append(value)
            for predicate, items in old.statements:
                if predicate == RDF + "type":
                    continue
                for item in items:
                    language = item.language if isinstance(item, Literal) and item.language else None
                    if (predicate, language) in shown or (predicate, None) in shown and language is None:
                        continue  # the form says what this property holds now
                    node.add(predicate, item)
            evidence_items = old.values(CAKG + "evidence")
            node.statements = [(p, v) for p, v in node.statements if p != CAKG + "evidence"]
            for (predicate, _language), items in new_by_key.items():
                for item in items:
                    node.add(predicate, item)
            for item in evidence_items:
                node.add(CAKG + "evidence", item)
            saved = await run_in_threadpool(edit, project, iri, _ordered(node))
        except Refused as error:
            return _refusal(error, {})
        except CakgError as error:
            return JSONResponse({"ok": False, "error": str(error)}, status_code=400)
        return JSONResponse({"ok": True, "iri": iri, "file": f"data/{saved.file}", "block": saved.block})

    async def api_delete(request: Request) -> Response:
        await _json_body(request)
        project = bench.project()
        iri = request.query_params.get("iri", "")
        try:
            saved = await run_in_threadpool(delete, project, iri)
        except Refused as error:
            return _refusal(error, {})
        except CakgError as error:
            return JSONResponse({"ok": False, "error": str(error)}, status_code=400)
        return JSONResponse({"ok": True, "iri": iri, "file": f"data/{saved.file}"})

    routes = [
        Route("/", index, methods=["GET"]),
        Route("/doc/{code}", document, methods=["GET"]),
        Route("/doc/{code}/passage", passage_fragment, methods=["GET"]),
        Route("/api/form", api_form, methods=["GET"]),
        Route("/api/entities", api_entities, methods=["GET"]),
        Route("/api/fact", api_fact, methods=["GET"]),
        Route("/api/facts", api_create, methods=["POST"]),
        Route("/api/facts", api_edit, methods=["PUT"]),
        Route("/api/facts", api_delete, methods=["DELETE"]),
        Mount("/static", app=StaticFiles(directory=STATIC, check_dir=False), name="static"),
    ]
    async def cakg_error(_request: Request, error: CakgError) -> Response:
        return JSONResponse({"ok": False, "error": str(error)}, status_code=400)

    app = Starlette(routes=routes, exception_handlers={CakgError: cakg_error})
    app.state.layout = layout
    app.state.workbench = bench
    return _Guard(app, bench)


class _Guard:
    """Loopback Host only; writes need the page's token, JSON, and (if sent) this origin."""

    def __init__(self, app: Starlette, bench: Workbench) -> None:
        self.app, self.bench, self.state = app, bench, app.state

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        host = request.headers.get("host", "")
        name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
        if name not in _LOOPBACK:
            return await _deny(403, f"Host {host!r} refused: the workbench answers on 127.0.0.1 only")(scope, receive, send)
        if request.method not in ("GET", "HEAD"):
            origin = request.headers.get("origin")
            if origin is not None and origin != f"{scope.get('scheme', 'http')}://{host}":
                return await _deny(403, f"origin {origin!r} may not write here")(scope, receive, send)
            if not secrets.compare_digest(request.headers.get("x-csrf-token", ""), self.bench.token):
                return await _deny(403, "missing or wrong X-CSRF-Token: reload the page")(scope, receive, send)
            if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
                return await _deny(415, "send JSON (Content-Type: application/json)")(scope, receive, send)
        return await self.app(scope, receive, send)


def _deny(status: int, message: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error": message}, status_code=status)


_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


async def _json_body(request: Request) -> dict:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise InputError(f"request over {MAX_BODY // 1024} KiB")
    if not body:
        return {}
    try:
        value = json.loads(body)
    except ValueError:
        raise InputError("the request body is not JSON") from None
    if not isinstance(value, dict):
        raise InputError("the request body must be a JSON object")
    return value


def _class_of(project: Project, value) -> str:
    term = project.ontology.get(str(value or ""))
    if term is None or term.kind != "class":
        raise InputError(f"choose a class (got {value!r})")
    return term.iri


def _pairs(values, refs: dict[str, str]) -> list[tuple[str, str]]:
    """The form's ``[{"key", "value"}]`` as (property, value) pairs; empty values are dropped."""
    pairs = []
    for item in values or []:
        if not isinstance(item, dict):
            raise InputError("values must be objects with key and value")
        key, value = str(item.get("key", "")).strip(), str(item.get("value", "")).strip()
        if key and value:
            pairs.append((key, refs.get(value, value)))
    return pairs


def _new_entities(project: Project, body: dict, fact_class: str) -> tuple[list[Draft], dict[str, str]]:
    """Entities the form creates inline, and their placeholders (``new:1``) → the IRIs they will have."""
    from .facts import node_iri

    drafts, refs = [], {}
    for item in body.get("new_entities") or []:
        if not isinstance(item, dict):
            raise InputError("new_entities must be objects")
        class_iri = _class_of(project, item.get("class"))
        values = [(resolve_property(project, "label"), Literal(str(item.get("label", "")).strip(), language="en"))]
        if str(item.get("label_zh", "")).strip():
            values.append((resolve_property(project, "label@zh"),
                           Literal(str(item["label_zh"]).strip(), language="zh")))
        if not values[0][1].value:
            raise InputError("a new entity needs an English label")
        draft = Draft(doc=str(body.get("doc", "")), class_iri=class_iri, values=values)
        refs[str(item.get("ref", ""))] = node_iri(project, draft).value
        drafts.append(draft)
    return drafts, refs


def _refusal(error: Refused, refs: dict[str, str]) -> JSONResponse:
    by_iri = {iri: ref for ref, iri in refs.items()}
    violations = []
    for v in error.violations:
        field = _field_of(v)
        violations.append({"field": field, "focus": v.focus, "entity": by_iri.get(v.focus),
                           "message": v.message, "path": v.path, "shape": v.shape})
    return JSONResponse({"ok": False, "error": str(error), "violations": violations}, status_code=422)


def _field_of(violation) -> str | None:
    path = violation.path or ""
    if path == "rdfs:label":
        return "label@zh" if "Chinese" in violation.message else "label"
    if path.startswith("cakg:") and path != "cakg:evidence":
        return path[5:]
    if path in ("cakg:evidence",) or violation.focus.startswith(ID + "evidence/"):
        return "quote"
    return path or None


def _ordered(node: Node) -> Node:
    first = [RDF + "type", RDFS + "label", SKOS + "altLabel"]
    last = [CAKG + "note", CAKG + "evidence"]

    def rank(item):
        predicate = item[0]
        if predicate in first:
            return first.index(predicate) - 10
        if predicate in last:
            return 100 + last.index(predicate)
        return 0
    return Node(sorted(node.statements, key=rank))


def _search(project: Project, query: str, allowed: list[str], limit: int = 20) -> list[dict]:
    results = []
    for entry in project.entries.values():
        if allowed and not any(a in entry.types for a in allowed):
            continue
        names = entry.names() + entry.codes
        hits = [n for n in names if query in normalise(n)] if query else names[:1]
        if not hits:
            continue
        exact = any(normalise(n) == query for n in names)
        starts = any(normalise(n).startswith(query) for n in names)
        labels = {lang: texts[0] for lang, texts in entry.labels.items() if texts}
        results.append(((0 if exact else 1 if starts else 2, entry.label.lower()),
                        {"iri": entry.iri, "label": entry.label, "match": hits[0], "labels": labels,
                         "types": sorted(_short(t) for t in entry.types if t.startswith(CAKG))}))
    results.sort(key=lambda item: item[0])
    return [r for _, r in results[:limit]]


def _class_options(project: Project) -> list[dict]:
    classes = [t for t in project.ontology.values() if t.kind == "class" and t.iri.startswith(CAKG)]
    hidden = {CAKG + c for c in ("Document", "Section", "Passage", "Evidence", "Heading", "TableRow", "Footnote",
                                 "Caption", "DerivedEdge", "AnalysisRun", "AnalysisScore", "MonetaryAmount")}
    options = []
    for term in sorted(classes, key=lambda t: t.label.lower()):
        if term.iri in hidden:
            continue
        options.append({"iri": term.iri, "label": term.label, "definition": term.definition,
                        "fact": is_fact_class(project, term.iri)})
    qb = "http://purl.org/linked-data/cube#Observation"
    if qb in project.ontology:
        options.append({"iri": qb, "label": "Statistical observation", "definition": "", "fact": True})
    return options


def _marked(text: str, quotes: list[str]):
    """The passage text as HTML with each cited quote marked."""
    from markupsafe import Markup, escape

    spans = []
    for quote in quotes:
        start = text.find(quote)
        while start >= 0:
            spans.append((start, start + len(quote)))
            start = text.find(quote, start + 1)
    if not spans:
        return escape(text)
    spans.sort()
    merged = [list(spans[0])]
    for start, end in spans[1:]:
        if start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, at = [], 0
    for start, end in merged:
        out.append(escape(text[at:start]))
        out.append(Markup("<mark>") + escape(text[start:end]) + Markup("</mark>"))
        at = end
    out.append(escape(text[at:]))
    return Markup("").join(out)


def _short(iri: str) -> str:
    from .resolve import ALL_PREFIXES

    for prefix, ns in ALL_PREFIXES.items():
        if iri.startswith(ns) and ns != ID:
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _shown(value) -> str:
    if isinstance(value, Node):
        return "[ " + " ; ".join(f"{_short(p)} {', '.join(_shown(v) for v in vs)}" for p, vs in value.statements) + " ]"
    if isinstance(value, NamedNode):
        return _short(value.value)
    return value.value
