"""What cakg offers, listed once: networks, analyses and their parameters, formats with media types and extensions, query themes.

The command line takes its choices from here (:mod:`cakg.cli`), the service its
route checks and its OpenAPI document (:mod:`cakg.openapi`), the network
projections their names and descriptions (:mod:`cakg.network`), the pages their
theme headings. Nothing here imports more than the standard library, so reading
the catalogue costs nothing at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# ------------------------------------------------------------------ networks

NETWORKS: dict[str, str] = {
    "cooperation": "actors a fact relates by their roles: parties to one agreement, a host with its invitees, "
                   "joint builders, a builder with the countries its link connects, an investor with its investee",
    "connectivity": "countries, cities and facilities linked by infrastructure links",
    "city": "cities linked by partnerships, shared facts and the links that connect them",
    "actor-fact": "the bipartite graph of actors and the fact nodes they take part in",
    "market": "actors and the markets they entered or explored: presence in a market, not cooperation",
}
DEFAULT_NETWORK = "cooperation"
# Where GET /network?focus=IRI (without network=) looks for the node, in this order.
FOCUS_SEARCH_ORDER = ("cooperation", "connectivity", "actor-fact", "city")

# ------------------------------------------------------------------ analyses


@dataclass(frozen=True)
class Option:
    """A parameter of an analysis: its name, type (``int`` or ``str``), default and meaning."""

    name: str
    type: str
    default: int | str | None
    description: str
    minimum: int | None = None


@dataclass(frozen=True)
class AnalysisKind:
    """One network analysis: the function of :mod:`cakg.analyses` that computes it and what it takes."""

    name: str
    function: str  # a function of cakg.analyses
    summary: str
    default_network: str = DEFAULT_NETWORK
    actors: tuple[str, ...] = ()  # the parameters naming actors (label in any language, acronym or IRI)
    options: tuple[Option, ...] = field(default_factory=tuple)


_TOP = Option("top", "int", None, "only the first N rows", minimum=1)
ANALYSES: dict[str, AnalysisKind] = {kind.name: kind for kind in (
    AnalysisKind("centrality", "centrality", "degree, weighted degree, betweenness and eigenvector centrality",
                 options=(_TOP,)),
    AnalysisKind("communities", "communities", "Louvain communities and the partition's modularity"),
    AnalysisKind("components", "components", "connected components"),
    AnalysisKind("resilience", "resilience", "bridges, articulation points and single-link countries",
                 default_network="connectivity"),
    AnalysisKind("path", "path", "the shortest path between two actors, each step with its evidence",
                 actors=("a", "b")),
    AnalysisKind("ego", "ego", "the actors within a number of steps of one actor", actors=("a",),
                 options=(Option("depth", "int", 1, "how many steps from the actor", minimum=1),)),
    AnalysisKind("compare", "compare", "the partners two actors share and those they do not", actors=("a", "b")),
)}
ACTOR_DESCRIPTIONS = {"a": "actor (label in any language, acronym or IRI)", "b": "second actor"}
# What the command line prints an analysis as.
ANALYSIS_OUTPUT_FORMATS = ("table", "csv", "json", "tsv", "md")


class ParameterError(ValueError):
    """A parameter of a request or command does not fit the catalogue; the message says which and why."""


def analysis_parameters(kind: str, given: dict[str, str]) -> tuple[str, tuple[tuple[str, object], ...]]:
    """The network and the canonical parameters of an analysis from a request's values.

    Only the parameters ``kind`` takes are read (others are ignored); integers are
    parsed, actor names stripped, defaults filled in. The result is a key for a
    cache: two requests asking the same thing give the same tuple. Raises
    :class:`ParameterError` for an unknown network, a missing actor or a bad number.
    """
    spec = ANALYSES[kind]
    network = given.get("network") or spec.default_network
    if network not in NETWORKS:
        raise ParameterError(f"unknown network {network!r}; choose from {', '.join(NETWORKS)}")
    values: list[tuple[str, object]] = []
    for name in spec.actors:
        value = (given.get(name) or "").strip()
        if not value:
            wanted = " and ".join(spec.actors)
            raise ParameterError(f"{kind} needs the actor parameter(s) {wanted} (label, acronym or IRI)")
        values.append((name, value))
    for option in spec.options:
        raw = given.get(option.name)
        if option.type == "int":
            if raw is None or raw == "":
                value = option.default
            elif raw.isdigit() and int(raw) >= (option.minimum or 0):
                value = int(raw)
            elif option.name == "top":  # a page's empty or odd "top" shows every row, as it always has
                value = option.default
            else:
                raise ParameterError(f"{option.name}={raw!r} is not a positive integer")
        else:
            value = raw if raw is not None else option.default
        values.append((option.name, value))
    return network, tuple(values)


# ------------------------------------------------------------------ formats


@dataclass(frozen=True)
class Format:
    """A serialisation: the short names a request or command may use, its media type and file extension."""

    names: tuple[str, ...]
    media_type: str
    extension: str | None = None
    title: str = ""

    @property
    def name(self) -> str:
        return self.names[0]


# SELECT and ASK answers of the service, by `format=` name (first: the default).
RESULT_FORMATS: tuple[Format, ...] = (
    Format(("json",), "application/sparql-results+json", ".srj", "JSON"),
    Format(("xml",), "application/sparql-results+xml", ".srx", "XML"),
    Format(("csv",), "text/csv", ".csv", "CSV"),
    Format(("tsv",), "text/tab-separated-values", ".tsv", "TSV"),
)
# CONSTRUCT and DESCRIBE answers, and entities (by extension, e.g. /id/country/tha.ttl).
GRAPH_FORMATS: tuple[Format, ...] = (
    Format(("ttl", "turtle"), "text/turtle", ".ttl", "Turtle"),
    Format(("nt",), "application/n-triples", ".nt", "N-Triples"),
    Format(("jsonld",), "application/ld+json", ".jsonld", "JSON-LD"),
    Format(("rdfxml", "xml"), "application/rdf+xml", ".rdf", "RDF/XML"),
)
HTML = Format(("html",), "text/html", ".html", "HTML")
# Media types clients send for these (Accept headers), read as the one the service offers.
RESULT_ALIASES = {"application/json": "application/sparql-results+json",
                  "application/xml": "application/sparql-results+xml", "text/xml": "application/sparql-results+xml"}
GRAPH_ALIASES = {"application/x-turtle": "text/turtle", "text/plain": "application/n-triples",
                 "application/json": "application/ld+json", "application/xml": "application/rdf+xml",
                 "text/xml": "application/rdf+xml"}
# What `cakg query` prints a SELECT or ASK as (media types: how results.MEDIA_TYPES labels them).
QUERY_OUTPUT_FORMATS = ("table", "csv", "tsv", "json", "xml", "md")
# What `cakg export` writes.
EXPORT_FORMATS: tuple[Format, ...] = (
    Format(("turtle",), "text/turtle", ".ttl", "Turtle"),
    Format(("nt",), "application/n-triples", ".nt", "N-Triples"),
    Format(("nq",), "application/n-quads", ".nq", "N-Quads"),
    Format(("trig",), "application/trig", ".trig", "TriG"),
    Format(("jsonld",), "application/ld+json", ".jsonld", "JSON-LD"),
    Format(("xml",), "application/rdf+xml", ".rdf", "RDF/XML"),
    Format(("graphml",), "application/graphml+xml", ".graphml", "GraphML (a network, for Gephi)"),
    Format(("gexf",), "application/gexf+xml", ".gexf", "GEXF (a network, for Gephi)"),
    Format(("csv",), "text/csv", ".csv", "CSV (entities)"),
)


def by_name(formats: tuple[Format, ...]) -> dict[str, str]:
    """Every short name of ``formats`` → its media type."""
    return {name: f.media_type for f in formats for name in f.names}


def by_extension(formats: tuple[Format, ...]) -> dict[str, str]:
    """Every extension of ``formats`` → its media type."""
    return {f.extension: f.media_type for f in formats if f.extension}


def media_types(formats: tuple[Format, ...]) -> list[str]:
    return [f.media_type for f in formats]


# ------------------------------------------------------------------ saved-query themes

THEMES: dict[str, str] = {
    "infrastructure": "Information infrastructure",
    "actors-agreements": "Actors and agreements",
    "statistics": "Statistics",
    "e-commerce-internet": "E-commerce and Internet applications",
    "cyber-security": "Cyber security",
    "smart-cities": "Smart cities",
    "provenance": "Provenance and coverage",
}


def theme_title(theme: str) -> str:
    """The heading of a theme ("Other queries" for none; an unlisted theme from its name)."""
    if not theme:
        return "Other queries"
    return THEMES.get(theme, theme.replace("-", " ").capitalize())


__all__ = ["NETWORKS", "DEFAULT_NETWORK", "FOCUS_SEARCH_ORDER", "ANALYSES", "AnalysisKind", "Option",
           "analysis_parameters", "ParameterError", "Format", "RESULT_FORMATS", "GRAPH_FORMATS", "HTML",
           "EXPORT_FORMATS", "QUERY_OUTPUT_FORMATS", "ANALYSIS_OUTPUT_FORMATS", "THEMES", "theme_title",
           "by_name", "by_extension", "media_types"]
