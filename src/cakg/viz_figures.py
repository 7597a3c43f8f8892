"""Static figures of the network projections with matplotlib (Agg): a force-directed drawing and a map.

Both take the data of :func:`cakg.viz.network_data`, so they share the page's
colours (by class), sizes (by degree centrality) and edge styles (by
relation). The map places a node by the coordinates the data gives it, a
country by the mean of its cities' coordinates in the data, a node without
coordinates beside its country (dashed outline), and lists the rest in a side
band: no position on the map is invented.
"""

from __future__ import annotations

import math
import textwrap
from collections import defaultdict
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import networkx as nx  # noqa: E402
from matplotlib import patheffects  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402
from matplotlib.patches import ConnectionPatch, Patch, Rectangle  # noqa: E402

from .errors import InputError  # noqa: E402
from .viz import SOURCE_LINE, graph_from_data  # noqa: E402

FIGSIZE = (17, 10.5)
DPI = 110
LABEL_STROKE = [patheffects.withStroke(linewidth=3, foreground="white")]
MAX_LABELS = 40


def write_figure(data: dict[str, Any], path: Path | str, *, geo: bool = False, title: str | None = None,
                 fmt: str | None = None) -> Path:
    """Draw ``data`` and write it as PNG or SVG (``fmt``, else the file's suffix)."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in ("png", "svg"):
        raise InputError(f"{path}: write a .png or .svg file")
    figure = map_figure(data, title) if geo else network_figure(data, title)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Keep text as text in SVG: searchable, selectable and readable by tests and screen readers.
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        figure.savefig(path, format=fmt, dpi=DPI, metadata=_metadata(fmt, figure))
    return path


def _metadata(fmt: str, figure: Figure) -> dict:
    title = getattr(figure, "_cakg_title", "")
    if fmt == "png":
        return {"Title": title, "Source": SOURCE_LINE}
    return {"Title": title, "Description": SOURCE_LINE}


# ------------------------------------------------------------------ shared drawing

def _frame(data: dict[str, Any], title: str | None, subtitle: str) -> tuple[Figure, str]:
    figure = Figure(figsize=FIGSIZE, dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    title = title or f"cakg — {data['network']} network"
    figure._cakg_title = title  # type: ignore[attr-defined]
    figure.text(0.012, 0.975, title, fontsize=19, fontweight="bold", va="top")
    figure.text(0.012, 0.938, textwrap.fill(subtitle, 205), fontsize=11, color="#444444", va="top", linespacing=1.4)
    figure.text(0.012, 0.012, SOURCE_LINE, fontsize=10, color="#555555", va="bottom")
    return figure, title


def _sizes(data: dict[str, Any], lo: float = 40, hi: float = 520) -> dict[str, float]:
    values = {n["id"]: float(n.get("degree_centrality") or 0) for n in data["nodes"]}
    top = max(values.values(), default=0) or 1
    return {k: lo + (hi - lo) * math.sqrt(v / top) for k, v in values.items()}


def _edge_style(data: dict[str, Any], edge: dict) -> dict:
    style = data["styles"]["relations"].get((edge.get("relations") or [""])[0], {"colour": "#888888",
                                                                                   "dashes": False})
    return {"color": style["colour"], "linestyle": (0, (5, 3)) if style["dashes"] else "solid",
            # Weights below 1 (a share of a multilateral fact) draw thin, each whole fact thicker.
            "linewidth": min(6.0, 0.5 + 1.3 * math.log2(1 + max(0.0, edge.get("weight", 1))))}


def _legend(axes, data: dict[str, Any], present: set[str] | None = None, extra: list | None = None) -> None:
    handles = []
    for c in data["classes"]:
        if present is not None and c["name"] not in present:
            continue
        colour = data["styles"]["classes"].get(c["name"], "#8c8c8c")
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=9, markerfacecolor=colour,
                              markeredgecolor="#333333", markeredgewidth=0.6, label=f"{c['name']} ({c['count']})"))
    relations = [Line2D([], [], color=s["colour"], linestyle=(0, (5, 3)) if s["dashes"] else "solid", linewidth=2,
                        label=name) for name, s in data["styles"]["relations"].items()]
    crowded = _crowded(data)
    legend = axes.legend(handles=handles + relations + (extra or []), loc="upper left", bbox_to_anchor=(1.01, 1.0),
                         frameon=False, fontsize=8 if crowded else 10, title="Classes (nodes) and relations (edges)",
                         title_fontsize=11, ncol=2 if crowded else 1, borderaxespad=0.0, handlelength=2.2,
                         columnspacing=1.0)
    legend._legend_box.align = "left"


def _crowded(data: dict[str, Any]) -> bool:
    """Too many classes and relations for a one-column legend: two narrower columns, and less room for the drawing."""
    return len(data["classes"]) + len(data["styles"]["relations"]) > 26


def _place_labels(figure: Figure, axes, items: list[tuple[float, float, str, float, float]]) -> int:
    """Greedy labels: most important first, each beside its point where it overlaps no earlier one.

    ``items`` are (x, y, text, fontsize, point radius in points); returns the number placed.
    """
    renderer = figure.canvas.get_renderer()
    frame = axes.get_window_extent(renderer)
    pixels = figure.dpi / 72.0
    taken = []
    for x, y, _text, _size, radius in items:  # the markers themselves are obstacles too
        cx, cy = axes.transData.transform((x, y))
        r = radius * pixels * 0.9
        taken.append(Bbox.from_extents(cx - r, cy - r, cx + r, cy + r))
    markers = len(taken)
    placed = 0
    offsets = [(0, -1, "center", "top"), (0, 1, "center", "bottom"), (1, 0, "left", "center"),
               (-1, 0, "right", "center"), (1, -1, "left", "top"), (-1, 1, "right", "bottom"),
               (1, 1, "left", "bottom"), (-1, -1, "right", "top")]
    for index, (x, y, text, size, radius) in enumerate(items):
        for dx, dy, ha, va in offsets:
            gap = radius + 2
            artist = axes.annotate(text, (x, y), xytext=(dx * gap, dy * gap), textcoords="offset points",
                                   ha=ha, va=va, fontsize=size, color="#1d2430", zorder=5,
                                   path_effects=LABEL_STROKE, annotation_clip=True)
            box = artist.get_window_extent(renderer).expanded(1.04, 1.1)
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
            if not inside or any(box.overlaps(other) for i, other in enumerate(taken) if i != index or i >= markers):
                artist.remove()
                continue
            taken.append(box)
            placed += 1
            break
    return placed


def _short(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# ------------------------------------------------------------------ force-directed figure

def _layout_component(graph: nx.Graph) -> dict[str, tuple[float, float]]:
    if graph.number_of_nodes() == 1:
        return {next(iter(graph.nodes)): (0.0, 0.0)}
    if graph.number_of_nodes() == 2:
        a, b = sorted(graph.nodes)
        return {a: (-1.0, 0.0), b: (1.0, 0.0)}
    start = nx.circular_layout(sorted(graph.nodes))
    pos = nx.kamada_kawai_layout(graph, pos=start, weight=None)  # scipy.optimize, a declared dependency
    # A short spring relaxation from there pushes apart the members of dense cliques.
    pos = nx.spring_layout(graph, pos=pos, seed=42, iterations=60, weight=None,
                           k=3.6 / math.sqrt(graph.number_of_nodes()))
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    half = max(max(xs) - min(xs), max(ys) - min(ys)) / 2 or 1.0
    return {n: ((x - cx) / half, (y - cy) / half) for n, (x, y) in pos.items()}


def _component_layout(graph: nx.Graph) -> dict[str, tuple[float, float]]:
    """The largest component fills the drawing; smaller ones stack on its right; lone nodes in rows below."""
    parts = sorted((sorted(c) for c in nx.connected_components(graph) if len(c) > 1), key=lambda c: (-len(c), c))
    isolated = sorted((n for n in graph.nodes if graph.degree(n) == 0),
                      key=lambda n: graph.nodes[n].get("label", n).casefold())
    pos: dict[str, tuple[float, float]] = {}
    if parts:
        pos.update(_layout_component(graph.subgraph(parts[0])))
    # Smaller components in a grid of cells on the right, one per cell, scaled by their size.
    rows = 4
    cell = 2.0 / rows
    for index, part in enumerate(parts[1:]):
        column, row = divmod(index, rows)
        centre = (1.45 + column * cell * 1.2, 1.0 - cell / 2 - row * cell)
        scale = cell * min(0.42, 0.16 + 0.04 * len(part))
        for node, (x0, y0) in _layout_component(graph.subgraph(part)).items():
            pos[node] = (centre[0] + x0 * scale, centre[1] + y0 * scale)
    bottom = min([p[1] for p in pos.values()], default=0.0) - 0.35
    per_row = 7
    for i, node in enumerate(isolated):
        pos[node] = (-1.0 + 2.2 * (i % per_row) / max(1, per_row - 1), bottom - 0.22 * (i // per_row))
    return pos


def network_figure(data: dict[str, Any], title: str | None = None) -> Figure:
    graph = graph_from_data(data)
    counts = data["counts"]
    subtitle = (f"{data['description'][0].upper()}{data['description'][1:]} — {counts['nodes']} nodes, "
                f"{counts['edges']} edges, {counts['facts']} supporting facts. Node size: degree centrality; "
                + ("edge width: weight, Σ 1/(n−1) over the facts relating n actors."
                   if data.get("network") == "cooperation" else "edge width: weight (number of facts)."))
    figure, title = _frame(data, title, subtitle)
    axes = figure.add_axes((0.01, 0.05, 0.64 if _crowded(data) else 0.74, 0.86))
    axes.set_axis_off()

    pos = _component_layout(graph)
    isolated = [n for n in graph.nodes if graph.degree(n) == 0]
    if isolated:
        ys = [pos[n][1] for n in isolated]
        axes.text(-1.05, max(ys) + 0.1, "Not linked in this network:", fontsize=10, color="#666666")

    sizes = _sizes(data)
    for edge in data["edges"]:
        (x1, y1), (x2, y2) = pos[edge["source"]], pos[edge["target"]]
        style = _edge_style(data, edge)
        axes.plot([x1, x2], [y1, y2], zorder=1, alpha=0.55, solid_capstyle="round", **style)
    colours = data["styles"]["classes"]
    nodes = data["nodes"]
    axes.scatter([pos[n["id"]][0] for n in nodes], [pos[n["id"]][1] for n in nodes],
                 s=[sizes[n["id"]] for n in nodes], c=[colours.get(n["class"], "#8c8c8c") for n in nodes],
                 edgecolors="#333333", linewidths=0.6, zorder=3,
                 marker="o")
    facts = [n for n in nodes if n.get("role") == "fact"]
    if facts:  # fact nodes of the bipartite graph as diamonds on top
        axes.scatter([pos[n["id"]][0] for n in facts], [pos[n["id"]][1] for n in facts],
                     s=[sizes[n["id"]] * 1.1 for n in facts], c=[colours.get(n["class"], "#8c8c8c") for n in facts],
                     edgecolors="#333333", linewidths=0.6, zorder=4, marker="D")
    xs = [p[0] for p in pos.values()] or [0]
    ys = [p[1] for p in pos.values()] or [0]
    axes.set_xlim(min(xs) - 0.3, max(xs) + 0.3)
    axes.set_ylim(min(ys) - 0.12, max(ys) + 0.1)

    order = sorted(nodes, key=lambda n: (-(n.get("degree_centrality") or 0), n["label"]))
    limit = MAX_LABELS if len(nodes) > 60 else len(nodes)
    items = []
    for rank, n in enumerate(order[:limit]):
        size = 12 if rank < 5 else 10 if rank < 15 else 8.5
        radius = math.sqrt(sizes[n["id"]]) / 2
        items.append((pos[n["id"]][0], pos[n["id"]][1], _short(n["label"]), size, radius))
    placed = _place_labels(figure, axes, items)
    note = (f"{placed} of {len(nodes)} nodes labelled: the most central ones whose label fits without overlap "
            "(the interactive page names every node)." if placed < len(nodes) else "")
    extra = [Line2D([], [], marker="D", linestyle="", markersize=8, markerfacecolor="#dddddd",
                    markeredgecolor="#333333", label="fact node (diamond)")] if facts else None
    _legend(axes, data, extra=extra)
    if note:
        figure.text(0.012, 0.035, note, fontsize=9.5, color="#666666", va="bottom")
    return figure


# ------------------------------------------------------------------ map figure

def map_figure(data: dict[str, Any], title: str | None = None) -> Figure:
    """Nodes by their coordinates in the data; the rest beside their country or in a side band."""
    nodes = {n["id"]: n for n in data["nodes"]}
    located = {k: n for k, n in nodes.items() if n.get("geo")}
    band = sorted((n for n in nodes.values() if not n.get("geo")),
                  key=lambda n: (-n["degree"], n["label"].casefold()))
    subtitle = ("Map-like layout, no basemap. ● at the coordinates in the data (countries: the mean of their "
                "cities' coordinates in the data); dashed outline: no coordinates, drawn beside its country; "
                "right: nodes with no coordinates at all.")
    figure, title = _frame(data, title or f"cakg — {data['network']} network: map of links", subtitle)
    crowded = _crowded(data)
    axes = figure.add_axes((0.05, 0.10, 0.37 if crowded else 0.45, 0.79))
    band_axes = figure.add_axes((0.46 if crowded else 0.545, 0.10, 0.2 if crowded else 0.225, 0.79))
    band_axes.set_axis_off()
    band_axes.set_xlim(0, 1)
    band_axes.set_ylim(0, 1)

    pos: dict[str, tuple[float, float]] = {}
    rings: dict[str, list[dict]] = defaultdict(list)
    for key, n in located.items():
        if n["geo"]["basis"] == "country":
            rings[n["geo"]["anchor"]].append(n)
        else:
            pos[key] = (n["geo"]["long"], n["geo"]["lat"])
    lats = [n["geo"]["lat"] for n in located.values()] or [10.0]
    lat0 = (min(lats) + max(lats)) / 2
    kx = math.cos(math.radians(lat0))
    for members in rings.values():
        members.sort(key=lambda n: n["label"].casefold())
        centre_long, centre_lat = members[0]["geo"]["long"], members[0]["geo"]["lat"]
        radius = 2.2 + 0.2 * len(members)
        for i, n in enumerate(members):
            angle = -math.pi / 2 + 2 * math.pi * i / len(members) + (math.pi / 4 if len(members) == 1 else 0)
            pos[n["id"]] = (centre_long + radius * math.cos(angle) / kx, centre_lat + radius * math.sin(angle))

    sizes = _sizes(data, 30, 600)
    colours = data["styles"]["classes"]
    band_pos: dict[str, tuple[float, float]] = {}
    rows_per_column, max_columns = 26, 3
    shown = band[: rows_per_column * max_columns]
    columns = max(1, math.ceil(len(shown) / rows_per_column))
    band_font = 9.5 if columns == 1 else 8 if columns == 2 else 7
    band_chars = 44 if columns == 1 else 26 if columns == 2 else 17
    if band:
        rows = min(len(shown), rows_per_column)
        step = min(0.06, 0.92 / rows)
        for i, n in enumerate(shown):
            column, row = divmod(i, rows_per_column)
            band_pos[n["id"]] = (0.05 + column / columns, 0.925 - step * row)
        band_axes.text(0.0, 1.0, "No coordinates in the data", fontsize=12, fontweight="bold", va="bottom")
        band_axes.text(0.0, 0.972, "most linked first; position carries no meaning", fontsize=9,
                       color="#666666", va="bottom")
        band_axes.add_patch(Rectangle((-0.02, 0.0), 1.04, 0.965, facecolor="#f1f3f6", edgecolor="none", zorder=0))
        if len(band) > len(shown):
            band_axes.text(0.02, 0.01, f"… and {len(band) - len(shown)} more", fontsize=9, color="#555555")

    drawn_links = 0
    for edge in data["edges"]:
        a, b = edge["source"], edge["target"]
        style = _edge_style(data, edge)
        if a in pos and b in pos:
            axes.plot([pos[a][0], pos[b][0]], [pos[a][1], pos[b][1]], zorder=1, alpha=0.7, **style)
            drawn_links += 1
        elif (a in pos) != (b in pos):
            inside, outside = (a, b) if a in pos else (b, a)
            if outside not in band_pos:
                continue
            line = ConnectionPatch(xyA=pos[inside], coordsA=axes.transData, xyB=band_pos[outside],
                                   coordsB=band_axes.transData, color=style["color"], linestyle=style["linestyle"],
                                   linewidth=max(0.8, style["linewidth"] * 0.7), alpha=0.3, zorder=3)
            figure.add_artist(line)
        elif a in band_pos and b in band_pos:
            (x1, y1), (x2, y2) = band_pos[a], band_pos[b]
            band_axes.plot([x1 - 0.03, x1 - 0.05, x2 - 0.05, x2 - 0.03], [y1, y1, y2, y2], zorder=1, alpha=0.35,
                           **dict(style, linewidth=max(0.8, style["linewidth"] * 0.7)))

    for key, (x, y) in pos.items():
        n = nodes[key]
        dashed = n["geo"]["basis"] == "country"
        axes.scatter([x], [y], s=sizes[key], c=[colours.get(n["class"], "#8c8c8c")], zorder=3,
                     marker="D" if n.get("role") == "fact" else "o",
                     edgecolors="#222222", linewidths=1.4 if dashed else 0.7,
                     linestyle="--" if dashed else "solid")
    for key, (x, y) in band_pos.items():
        n = nodes[key]
        band_axes.scatter([x], [y], s=min(sizes[key], 160), c=[colours.get(n["class"], "#8c8c8c")], zorder=3,
                          marker="D" if n.get("role") == "fact" else "o", edgecolors="#222222", linewidths=0.6)
        band_axes.text(x + 0.03, y, _short(n["label"], band_chars), fontsize=band_font, va="center", zorder=4)

    if pos:
        xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
        # Invisible corners a little beyond the nodes: room for labels; the aspect then widens the box.
        axes.plot([min(xs) - 3, max(xs) + 3], [min(ys) - 2.5, max(ys) + 2.5], alpha=0)
    axes.set_aspect(1 / kx, adjustable="datalim")
    axes.grid(True, color="#e3e7ec", linewidth=0.8)
    axes.set_axisbelow(True)
    axes.set_xlabel("longitude (°E)", fontsize=10)
    axes.set_ylabel("latitude (°N)", fontsize=10)
    axes.tick_params(labelsize=9)
    for spine in axes.spines.values():
        spine.set_color("#bbbbbb")

    order = sorted(pos, key=lambda k: (-(nodes[k].get("degree_centrality") or 0), nodes[k]["label"]))
    items = [(pos[k][0], pos[k][1], _short(nodes[k]["label"], 30), 11 if i < 8 else 9,
              math.sqrt(sizes[k]) / 2) for i, k in enumerate(order)]
    _place_labels(figure, axes, items)

    extra = [Patch(facecolor="white", edgecolor="#222222", linewidth=0.8,
                   label="solid outline: at its\ncoordinates in the data"),
             Patch(facecolor="white", edgecolor="#222222", linewidth=1.4, linestyle="--",
                   label="dashed outline: no coordinates,\nbeside its country")]
    _legend(band_axes, data, present={n["class"] for n in data["nodes"]}, extra=extra)
    figure.text(0.012, 0.035, f"{len(pos)} nodes on the map, {len(band)} in the side band; {drawn_links} links "
                "between nodes on the map; links to side-band nodes drawn faintly across.", fontsize=9.5,
                color="#666666")
    return figure
