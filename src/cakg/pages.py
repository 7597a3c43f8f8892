"""The explorer's HTML: view models (from :mod:`cakg.views`, read in a query worker) rendered with the Jinja2 templates.

Every page is a template under ``templates/`` (autoescaped) on the base layout;
every asset is served from ``static/``. What a page shows is read from the store
by :mod:`cakg.views` in a worker; this module only lays it out, with the links
and forms of the page, and lists the saved queries the service holds.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from . import __version__
from .catalogue import GRAPH_FORMATS, NETWORKS, RESULT_FORMATS, THEMES, theme_title
from .presentation import VIEW_KINDS, Presentation, read_presentation
from .queries import SavedQuery
from .result_tables import result_view
from .search_index import ENTITY_LIMIT, PASSAGE_LIMIT
from .views import TableView, compact, href_for, passage_url, reading_segments, url_with
from .vocab import ID, PREFIXES

TEMPLATES = Path(__file__).parent / "templates"

_env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True,
                   default_for_string=True), trim_blocks=True, lstrip_blocks=True)
# Links from any quote to where it is read in its document: passage_url(passage_iri, quote, base).
_env.globals["passage_url"] = passage_url

# Prefixes every editor query starts with (the standard ones of the project).
EDITOR_PREFIXES = ["cakg", "rdf", "rdfs", "skos", "owl", "xsd", "prov", "qb", "dcterms", "schema", "geo"]
# The download links of a result page: the result formats for SELECT and ASK, the RDF formats for graphs.
_TABLE_LINKS = [(f.title, f.name) for f in RESULT_FORMATS]
_GRAPH_LINKS = [(f.title, f.name) for f in GRAPH_FORMATS]
_TABLE_LINK_ORDER = ("json", "csv", "tsv", "xml")


# ------------------------------------------------------------------ rendering

def base_of(request: Request) -> str:
    """The path the service is mounted at ("" at the root), which every link starts with."""
    return (request.scope.get("root_path") or "").rstrip("/")


def _render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    base = base_of(request)
    context.setdefault("title", "cakg")
    html = _env.get_template(template).render(base=base, version=__version__, path=request.url.path,
                                              compact=compact, **context)
    return HTMLResponse(html, status_code=status)


def error_page(request: Request, status: int, message: str) -> Response:
    titles = {400: "Bad request", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
              406: "Not acceptable", 413: "Too large", 415: "Unsupported media type", 500: "Server error",
              503: "Service unavailable"}
    heading = titles.get(status, "Error")
    return _render(request, "error.html", status=status, title=f"{status} {heading} — cakg", code=status,
                   heading=heading, message=message)


def _table_links(path: str, params: list[tuple[str, str]]) -> list[tuple[str, str]]:
    ordered = sorted(_TABLE_LINKS, key=lambda link: _TABLE_LINK_ORDER.index(link[1]))
    return [(name, url_with(path, params + [("format", key)])) for name, key in ordered]


def results_page(request: Request, query: str, table: TableView | None, turtle: str | None,
                 title: str | None) -> Response:
    base = base_of(request)
    if request.method == "GET":
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "format"]
        path = request.url.path
    else:
        params, path = [("query", query)], base + "/sparql"
    links = ([(name, url_with(path, params + [("format", key)])) for name, key in _GRAPH_LINKS] if table is None
             else _table_links(path, [p for p in params if p[0] != "view"]))
    presentation = read_presentation(query)
    shown = result_view(table, presentation, base) if table is not None else None
    if request.method != "GET":
        params = params + [("format", "html")]
    return _render(request, "results.html", title=(title or "Query results") + " — cakg", heading=title,
                   query=query, table=shown, turtle=turtle, links=links,
                   views=_views_config(request, presentation, params, links) if shown is not None else None,
                   editor_link=url_with(base + "/editor", [("query", query)]))


def _views_config(request: Request, presentation: Presentation, params: list[tuple[str, str]],
                  links: list[tuple[str, str]]) -> dict[str, Any]:
    """The result views a page offers (?view=table|map|chart|timeline|graph) and what its script needs to draw them."""
    wanted = request.query_params.get("view")
    view = wanted if wanted in VIEW_KINDS else presentation.view
    kept = [(k, v) for k, v in params if k != "view"]
    return {"view": view, "view_links": {kind: urlencode(kept + [("view", kind)]) for kind in VIEW_KINDS},
            "script": {"view": view, "suggested": presentation.view, "viewColumns": presentation.view_columns,
                       "titles": presentation.titles, "group": presentation.group,
                       "data": next((href for name, href in links if "format=json" in href), None),
                       "static": base_of(request) + "/static/"}}


# ------------------------------------------------------------------ saved queries

def _grouped(queries: list[SavedQuery]) -> list[tuple[str, str, list[SavedQuery]]]:
    groups: OrderedDict[str, list[SavedQuery]] = OrderedDict()
    order = list(THEMES)
    for query in sorted(queries, key=lambda q: (order.index(q.theme) if q.theme in order else len(order),
                                                q.theme, q.title or q.name)):
        groups.setdefault(query.theme, []).append(query)
    return [(theme, theme_title(theme), items) for theme, items in groups.items()]


def ready_text(query: SavedQuery) -> str:
    """The query with its parameters bound to their defaults (the text itself when one is required)."""
    try:
        return query.bind({})
    except Exception:  # a required parameter: the text as written
        return query.text


def queries_page(request: Request, queries: list[SavedQuery]) -> Response:
    base = base_of(request)
    groups = []
    for theme, heading, items in _grouped(queries):
        entries = []
        for q in items:
            page = f"{base}/queries/{quote(q.name)}"
            entries.append({"query": q, "page": page, "json": page + "?format=json", "csv": page + "?format=csv",
                            "editor": url_with(base + "/editor", [("example", q.name)])})
        groups.append({"theme": theme, "heading": heading, "entries": entries})
    return _render(request, "queries.html", title="Saved queries — cakg", groups=groups, count=len(queries))


INPUT_TYPES = {
    "integer": {"type": "number", "step": "1"},
    "year": {"type": "number", "step": "1", "min": "1900", "max": "2100"},
    "decimal": {"type": "text", "inputmode": "decimal", "pattern": r"[+\-]?(\d+(\.\d*)?|\.\d+)"},
    "lang": {"type": "text", "pattern": r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*"},
}


def query_page(request: Request, query: SavedQuery, values: dict[str, str], table: TableView | None,
               error: str | None) -> Response:
    base = base_of(request)
    page = f"{base}/queries/{quote(query.name)}"
    # What the service's parameter reading attached (cakg.service.named_parameters): choices and names read.
    state = request.scope.get("state") or {}
    choices, notes = state.get("param_choices") or {}, state.get("param_notes") or {}
    inputs = []
    for param in query.params:
        attributes = dict(INPUT_TYPES.get(param.type, {"type": "text"}))
        if param.type in choices:
            attributes.update({"data-choices": param.type, "autocomplete": "off"})
        elif param.type == "iri":
            attributes.update({"data-complete": base + "/search", "autocomplete": "off"})
        inputs.append({"param": param, "id": "param-" + param.name, "attributes": attributes,
                       "value": values.get(param.name, param.default or ""), "note": notes.get(param.name)})
    values = {k: v for k, v in values.items() if k != "view"}  # how the result is shown, not a parameter
    links = _table_links(page, [(k, v) for k, v in values.items()])
    try:
        text = query.bind(values)
    except Exception:
        text = query.text
    status = 400 if error else 200
    shown = result_view(table, query.presentation, base) if table is not None else None
    views = _views_config(request, query.presentation, list(values.items()), links) if shown is not None else None
    return _render(request, "query.html", status=status, title=f"{query.title or query.name} — cakg", saved=query,
                   theme=theme_title(query.theme), inputs=inputs, page=page, error=error, text=text,
                   table=shown, views=views, links=links, editor_link=url_with(base + "/editor", [("query", text)]),
                   param_choices=choices)


# ------------------------------------------------------------------ home, entities, search

# Questions an analyst brings, each a link to the page that answers it (parameters given by name).
HOME_QUESTIONS = (
    ("Who built the MCT submarine cable, and where does the white paper say so?", "/queries/link-builders",
     {"link": "MCT"}),
    ("What connects China with each ASEAN country, cable by cable?", "/queries/china-asean-connections", {}),
    ("Which Chinese cities does the 2019 statement name for city partnerships?", "/queries/chinese-partner-cities-2019",
     {}),
    ("What do ASEAN and China commit to in the 2019 smart city statement?", "/queries/sc2019-commitments", {}),
    ("How does Viet Nam's ICT Development Index compare with Thailand's?", "/queries/compare-indicator",
     {"indicator": "IDI", "country": "Viet Nam", "other": "Thailand"}),
    ("Which Chinese Internet companies entered which markets?", "/queries/market-entries-by-country", {}),
    ("Which cyber security mechanisms, dialogues and drills are there?", "/queries/cyber-security-mechanisms", {}),
    ("Who is most central in the cooperation network?", "/analyses/centrality", {"top": "15", "format": "html"}),
    ("Who are Singapore's partners, and on what evidence?", "/queries/cooperation-partners", {"actor": "Singapore"}),
)


def home_page(request: Request, view: dict[str, Any], saved: list[SavedQuery]) -> Response:
    """The home page: what one can ask (questions, saved queries by theme, analyses), then what the graph holds."""
    base = base_of(request)
    summary = {**view["summary"], "queries": len(saved)}
    questions = [{"question": q, "href": url_with(base + path, list(params.items()))} for q, path, params in HOME_QUESTIONS]
    themes = [{"heading": heading, "anchor": theme or "other",
               "entries": [{"title": q.title or q.name, "href": f"{base}/queries/{quote(q.name)}"} for q in items]}
              for theme, heading, items in _grouped(saved)]
    return _render(request, "home.html", title="cakg — China–ASEAN ICT cooperation knowledge graph",
                   classes=view["classes"], documents=view["documents"], summary=summary, questions=questions,
                   themes=themes, analyses=analysis_examples(base)[:4])


def entity_page(request: Request, view: dict[str, Any]) -> Response:
    return _render(request, "entity.html", **view)


def search_page(request: Request, q: str, too_long: bool, found: dict[str, Any] | None) -> Response:
    """The search's results (:meth:`cakg.search_index.SearchIndex.search`) as a page, or as JSON (``format=json``)."""
    found = found or {"entities": [], "passages": [], "more": False, "facets": {"classes": [], "documents": []},
                      "corrections": {}, "suggestions": [], "filters": {}}
    if request.query_params.get("format") == "json":
        return JSONResponse({
            "query": q,
            "entities": [{k: e[k] for k in ("iri", "label", "match", "lang", "types")} for e in found["entities"]],
            "passages": [{k: p[k] for k in ("iri", "section", "document", "snippet")} for p in found["passages"]],
            "more": found["more"], "corrections": found["corrections"],
            "suggestions": [{k: v for k, v in s.items() if k != "href"} for s in found["suggestions"]]})
    base = base_of(request)
    filters = found.get("filters") or {}

    def link(**changes: str | None) -> str:
        params = {"q": q, "class": filters.get("class"), "doc": filters.get("doc"), **changes}
        return url_with(base + "/search", [(k, v) for k, v in params.items() if v])

    for facet in found["facets"]["classes"]:
        facet["href"] = link(**{"class": None if facet["iri"] == filters.get("class") else facet["iri"]})
        facet["label"] = facet["label"] if facet["label"] != facet["iri"] else compact(facet["iri"])
    for facet in found["facets"]["documents"]:
        facet["href"] = link(doc=None if facet["code"] == filters.get("doc") else facet["code"])
    return _render(request, "search.html", title=(f"{q} — search — cakg" if q else "Search — cakg"), q=q, search_q=q,
                   found=found, too_long=too_long, filters=filters, clear_link=link(**{"class": None, "doc": None}),
                   entity_limit=ENTITY_LIMIT, passage_limit=PASSAGE_LIMIT,
                   json_link=url_with(base + "/search", [("q", q), ("format", "json")]) if q else None)


# ------------------------------------------------------------------ reading view

def documents_page(request: Request, documents: list[dict]) -> Response:
    return _render(request, "documents.html", title="Documents — cakg", documents=documents)


def reading_page(request: Request, view: dict[str, Any], focus: str | None) -> Response:
    """A document to read, with ``focus`` (a quote from a link) highlighted where it occurs."""
    sections = []
    for section in view["sections"]:
        passages = [{**p, "segments": reading_segments(p["text"], p["quotes"], focus if focus and focus in p["text"]
                                                       else None),
                     "focused": bool(focus) and focus in p["text"]} for p in section["passages"]]
        sections.append({**section, "passages": passages})
    return _render(request, "read.html", title=f"{view['label']} — read — cakg", doc=view, sections=sections,
                   focus=focus, focus_found=bool(focus) and any(p["focused"] for s in sections for p in s["passages"]))


# ------------------------------------------------------------------ editor

def _default_query() -> str:
    head = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in EDITOR_PREFIXES)
    return (head + "\n# Countries and their English and Chinese names\n"
            "SELECT ?country ?name ?chinese WHERE {\n"
            "  ?country a cakg:Country ;\n"
            "           rdfs:label ?name , ?chinese .\n"
            "  FILTER(LANG(?name) = \"en\" && LANG(?chinese) = \"zh\")\n"
            "}\nORDER BY ?name\n")


def editor_page(request: Request, saved: dict[str, SavedQuery], terms: dict[str, list[str]]) -> Response:
    base = base_of(request)
    examples = []
    groups = []
    for _theme, heading, items in _grouped(list(saved.values())):
        entries = []
        for q in items:
            examples.append({"name": q.name, "title": q.title or q.name, "query": ready_text(q)})
            entries.append({"name": q.name, "title": q.title or q.name, "description": q.description,
                            "page": f"{base}/queries/{quote(q.name)}"})
        groups.append({"heading": heading, "entries": entries})
    initial = request.query_params.get("query")
    example = request.query_params.get("example")
    if initial is None and example in saved:
        initial = ready_text(saved[example])
    config = {
        "endpoint": base + "/sparql",
        "prefixes": {p: PREFIXES[p] for p in PREFIXES},
        "editorPrefixes": EDITOR_PREFIXES,
        "defaultQuery": _default_query(),
        "query": initial,
        "examples": examples,
        "properties": terms["properties"],
        "classes": terms["classes"],
        "idNamespace": ID,
        "localEntityPath": base + "/id/",
        "ontologyPath": base + "/ontology",
    }
    return _render(request, "editor.html", title="SPARQL editor — cakg", config=config, groups=groups)


# ------------------------------------------------------------------ analyses and networks

# What an analyst asks of the networks, each a link to its answer (the analyses page and the home page show them).
ANALYSIS_EXAMPLES = (
    ("Which actors are the most central in the cooperation network?", "centrality", {"top": "15"}),
    ("Who are Singapore's direct partners?", "ego", {"a": "Singapore"}),
    ("How are China and Singapore connected, step by step with the evidence?", "path", {"a": "China", "b": "Singapore"}),
    ("Which partners do China and Japan share?", "compare", {"a": "China", "b": "Japan"}),
    ("Which links would cut a country off if they failed?", "resilience", {}),
    ("Which groups of actors cooperate most among themselves?", "communities", {}),
)


def analysis_examples(base: str) -> list[dict]:
    return [{"question": question, "kind": kind,
             "href": url_with(f"{base}/analyses/{kind}", [*params.items(), ("format", "html")])}
            for question, kind, params in ANALYSIS_EXAMPLES]


def analyses_page(request: Request) -> Response:
    """The network analyses: what each computes, a form for its parameters, and example questions."""
    from .catalogue import ACTOR_DESCRIPTIONS, ANALYSES

    base = base_of(request)
    kinds = [{"name": name, "summary": spec.summary, "network": spec.default_network, "actors": spec.actors,
              "options": spec.options, "action": f"{base}/analyses/{name}"} for name, spec in ANALYSES.items()]
    return _render(request, "analyses.html", title="Network analyses — cakg", kinds=kinds, networks=NETWORKS,
                   actor_descriptions=ACTOR_DESCRIPTIONS, examples=analysis_examples(base))


def analysis_page(request: Request, answer: dict) -> Response:
    """A network analysis (centrality, communities, resilience, path…) as an HTML table."""
    base = base_of(request)
    columns = [c for c in answer["columns"] if c not in ("node", "fact_iri", "passage_iri")]
    rows = []
    for row in answer["rows"]:
        links = {}
        node = row.get("node")
        if node and href_for(node, base):
            links["label"] = links["partner"] = href_for(node, base)
        if row.get("fact_iri") and href_for(row["fact_iri"], base):
            links["fact"] = href_for(row["fact_iri"], base)
        if row.get("passage_iri") and row.get("quote"):
            links["quote"] = passage_url(row["passage_iri"], row["quote"], base)
        rows.append({"cells": {c: row.get(c, "") for c in columns}, "links": links})
    params = dict(request.query_params)
    json_query = urlencode({**{k: v for k, v in params.items() if k != "format"}, "format": "json"})
    focus = answer.get("parameters", {}).get("centre") or answer.get("parameters", {}).get("source")
    network_link = f"{base}/network?" + urlencode({"network": answer["network"], **({"focus": focus} if focus else {})})
    return _render(request, "analysis.html", title=f"{answer['analysis']} — cakg", answer=answer, columns=columns,
                   rows=rows, params=params, networks=list(NETWORKS), json_query=json_query,
                   network_link=network_link)


def ontology_page(request: Request, parts: Any) -> Response:
    """The ontology's pyLODE documentation (:class:`cakg.ontology_page.OntologyDoc`) inside the site layout."""
    return _render(request, "ontology.html", title="Ontology — cakg", doc=parts)


def network_page(request: Request, body: str, network: str, focus: str | None) -> Response:
    """The interactive network (a self-contained fragment from cakg.viz) inside the site layout."""
    return _render(request, "network_page.html", title=f"{network} network — cakg", body=body, network=network,
                   networks=list(NETWORKS), focus=focus)


__all__ = ["error_page", "results_page", "queries_page", "query_page", "home_page", "entity_page", "search_page",
           "documents_page", "reading_page",
           "editor_page", "ontology_page", "analyses_page", "analysis_page", "network_page", "base_of", "ready_text"]
