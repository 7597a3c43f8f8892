/* The interactive network page (templates/network.html), drawn with vis-network.
 *
 * Reads the data and options that viz.render_html inlined, draws the network with a force layout
 * or a geographic one, and wires the filters, the search, the details panel and the ego-network
 * highlight. window.cakgNetwork is a small API for scripts and tests. Requests nothing.
 */
(function () {
  "use strict";

  var root = document.getElementById("cakg-network");
  var data = JSON.parse(document.getElementById("cakg-network-data").textContent);
  var options = JSON.parse(document.getElementById("cakg-network-options").textContent);
  var container = document.getElementById("cakg-graph");
  var counter = document.getElementById("cakg-counter");
  var details = document.getElementById("cakg-details");
  var styles = data.styles || { classes: {}, relations: {} };

  var byId = new Map();
  data.nodes.forEach(function (n) { byId.set(n.id, n); });
  var incident = new Map();
  data.nodes.forEach(function (n) { incident.set(n.id, []); });
  data.edges.forEach(function (e) {
    incident.get(e.source).push(e);
    incident.get(e.target).push(e);
  });
  var allClasses = data.classes.map(function (c) { return c.name; });
  var allRelations = data.relations.map(function (r) { return r.name; });

  var state = {
    sizeBy: "degree_centrality",
    communityColours: false,
    classes: new Set(allClasses),
    relations: new Set(allRelations),
    topic: "",
    country: "",
    year: "",
    selected: null,
    layout: "force",
    visibleNodes: new Set(),
    visibleEdges: new Set(),
    forcePositions: null,
    geo: null,
    ready: false,
    drawn: 0
  };

  // ------------------------------------------------------------------ helpers

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function shorten(text, max) {
    return text.length > max ? text.slice(0, max - 1).trimEnd() + "…" : text;
  }

  function normalise(text) {
    return String(text).normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
  }

  function mix(hex, other, amount) {
    var a = parseInt(hex.slice(1), 16), b = parseInt(other.slice(1), 16);
    var channels = [16, 8, 0].map(function (shift) {
      var x = (a >> shift) & 255, y = (b >> shift) & 255;
      return Math.round(x + (y - x) * amount);
    });
    return "#" + channels.map(function (c) { return c.toString(16).padStart(2, "0"); }).join("");
  }

  var COMMUNITY = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                   "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173"];

  function baseColour(n) {
    if (state.communityColours) {
      return n.community ? COMMUNITY[(n.community - 1) % COMMUNITY.length] : "#8c8c8c";
    }
    return styles.classes[n.class] || "#8c8c8c";
  }

  function entityHref(iri) {
    if (options.entityBase && iri.indexOf(options.idBase) === 0) {
      return options.entityBase.replace(/\/$/, "") + "/id/" + iri.slice(options.idBase.length);
    }
    return iri;
  }

  function topicLabel(iri) {
    return (data.topics[iri] && data.topics[iri].label) || iri.split("/").pop();
  }

  // A weight as people read it: 0.091, 1, 19.091.
  function weightText(w) {
    return String(Math.round(Number(w) * 1000) / 1000);
  }

  function factsText(e) {
    return e.facts.length + (e.facts.length === 1 ? " fact" : " facts");
  }

  // ------------------------------------------------------------------ filters

  function edgeFilterActive() {
    return Boolean(state.topic || state.year || state.relations.size < allRelations.length);
  }

  function computeVisibility() {
    var members = null;
    if (state.country) {
      members = new Set(data.nodes.filter(function (n) {
        return n.country === state.country || n.id === state.country;
      }).map(function (n) { return n.id; }));
    }
    var classOk = function (id) { return state.classes.has(byId.get(id).class); };
    var edges = new Set(), touched = new Set();
    data.edges.forEach(function (e) {
      if (!classOk(e.source) || !classOk(e.target)) return;
      if (e.relations.length && !e.relations.some(function (r) { return state.relations.has(r); })) return;
      if (state.topic && e.topics.indexOf(state.topic) < 0) return;
      if (state.year && e.years.indexOf(state.year) < 0) return;
      if (members && !members.has(e.source) && !members.has(e.target)) return;
      edges.add(e.id);
      touched.add(e.source);
      touched.add(e.target);
    });
    var nodes = new Set();
    var active = edgeFilterActive();
    data.nodes.forEach(function (n) {
      if (!state.classes.has(n.class)) return;
      if (members && !members.has(n.id) && !touched.has(n.id)) return;
      if (active && !touched.has(n.id)) {
        var own = data.facts[n.id];
        var ownOk = own && state.relations.size === allRelations.length &&
          (!state.topic || own.topics.indexOf(state.topic) >= 0) &&
          (!state.year || own.years.indexOf(state.year) >= 0);
        if (!ownOk) return;
      }
      nodes.add(n.id);
    });
    state.visibleNodes = nodes;
    state.visibleEdges = edges;
  }

  // ------------------------------------------------------------------ styles

  function egoSet() {
    if (!state.selected) return null;
    var ego = new Set([state.selected]);
    incident.get(state.selected).forEach(function (e) {
      if (state.visibleEdges.has(e.id)) { ego.add(e.source); ego.add(e.target); }
    });
    return ego;
  }

  function nodeItem(n, ego) {
    var colour = baseColour(n);
    var dim = ego && !ego.has(n.id);
    var geo = state.layout === "geo";
    var approx = geo && n.geo && n.geo.basis === "country";
    var border = n.id === state.selected ? "#111111" : mix(colour, "#000000", 0.35);
    var background = dim ? mix(colour, "#ffffff", 0.8) : colour;
    return {
      id: n.id,
      label: shorten(n.label, n.role === "fact" ? 28 : 34),
      title: n.label + " (" + n.kind.replace(/,/g, ", ") + ")" + (n.country_label ? " · " + n.country_label : ""),
      shape: n.role === "fact" ? "diamond" : "dot",
      value: Math.max(0, Number(n[state.sizeBy]) || 0),
      hidden: !state.visibleNodes.has(n.id),
      borderWidth: n.id === state.selected ? 4 : (approx ? 2 : 1.2),
      shapeProperties: { borderDashes: approx ? [4, 3] : false },
      color: {
        background: background, border: dim ? mix(border, "#ffffff", 0.7) : border,
        highlight: { background: colour, border: "#111111" },
        hover: { background: colour, border: "#111111" }
      },
      font: { color: dim ? "#b9c0c9" : "#1d2430" }
    };
  }

  function edgeItem(e, ego) {
    var style = styles.relations[e.relations[0]] || { colour: "#888888", dashes: false };
    var inEgo = !ego || e.source === state.selected || e.target === state.selected;
    var labels = e.facts.map(function (f) { return f.label; });
    var title = byId.get(e.source).label + " — " + e.relation.replace(/,/g, ", ") + " — " + byId.get(e.target).label +
      " (weight " + weightText(e.weight) + ", " + factsText(e) + ")" +
      (labels.length ? "\n" + labels.slice(0, 6).join("\n") + (labels.length > 6 ? "\n… " + (labels.length - 6) + " more" : "") : "") +
      (e.explanation ? "\nClick the edge to see why it exists." : "");
    return {
      id: e.id, from: e.source, to: e.target,
      hidden: !state.visibleEdges.has(e.id),
      // Weights below 1 (one share of a multilateral fact) draw thin, whole facts thicker.
      width: Math.min(8, 0.8 + Math.log2(1 + Math.max(0, e.weight)) * 1.5) * (ego && inEgo ? 1.6 : 1),
      dashes: style.dashes ? [6, 4] : false,
      color: { color: style.colour, highlight: style.colour, hover: style.colour, opacity: inEgo ? 0.75 : 0.07 },
      title: title
    };
  }

  var nodesDS = new vis.DataSet();
  var edgesDS = new vis.DataSet();

  function applyStyles() {
    var ego = egoSet();
    nodesDS.update(data.nodes.map(function (n) { return nodeItem(n, ego); }));
    edgesDS.update(data.edges.map(function (e) { return edgeItem(e, ego); }));
    var visibleEdges = state.visibleEdges.size;
    document.getElementById("cakg-visible-nodes").textContent = state.visibleNodes.size;
    document.getElementById("cakg-visible-edges").textContent = visibleEdges;
    counter.dataset.visibleNodes = state.visibleNodes.size;
    counter.dataset.visibleEdges = visibleEdges;
  }

  function refresh() {
    computeVisibility();
    if (state.selected && !state.visibleNodes.has(state.selected)) {
      state.selected = null;
      showDetails(null);
      if (network) network.unselectAll();
    }
    applyStyles();
  }

  // ------------------------------------------------------------------ geographic layout

  function geoLayout() {
    var located = data.nodes.filter(function (n) { return n.geo; });
    var positions = {};
    var lats = located.map(function (n) { return n.geo.lat; });
    var longs = located.map(function (n) { return n.geo.long; });
    var result = { positions: positions, placed: located.length > 0 };
    var minX = 0, maxX = 0, minY = 0, maxY = 0;
    if (located.length) {
      var minLat = Math.min.apply(null, lats), maxLat = Math.max.apply(null, lats);
      var minLong = Math.min.apply(null, longs), maxLong = Math.max.apply(null, longs);
      var lat0 = (minLat + maxLat) / 2, long0 = (minLong + maxLong) / 2;
      var kx = Math.cos(lat0 * Math.PI / 180);
      var spanX = Math.max((maxLong - minLong) * kx, 0.5), spanY = Math.max(maxLat - minLat, 0.5);
      var scale = Math.min(1100 / spanX, 850 / spanY, 120);
      var project = function (lat, long) { return { x: (long - long0) * kx * scale, y: -(lat - lat0) * scale }; };
      result.project = project;
      result.bounds = { minLat: minLat, maxLat: maxLat, minLong: minLong, maxLong: maxLong };
      var groups = new Map();
      located.forEach(function (n) {
        if (n.geo.basis === "country") {
          if (!groups.has(n.geo.anchor)) groups.set(n.geo.anchor, []);
          groups.get(n.geo.anchor).push(n);
        } else {
          positions[n.id] = project(n.geo.lat, n.geo.long);
        }
      });
      groups.forEach(function (members) {
        members.sort(function (a, b) { return a.label.localeCompare(b.label); });
        var centre = project(members[0].geo.lat, members[0].geo.long);
        var radius = 60 + 7 * members.length;
        members.forEach(function (n, i) {
          var angle = -Math.PI / 2 + (2 * Math.PI * i) / members.length + (members.length === 1 ? Math.PI / 4 : 0);
          positions[n.id] = { x: centre.x + radius * Math.cos(angle), y: centre.y + radius * Math.sin(angle) };
        });
      });
      Object.keys(positions).forEach(function (id) {
        var p = positions[id];
        minX = Math.min(minX, p.x); maxX = Math.max(maxX, p.x);
        minY = Math.min(minY, p.y); maxY = Math.max(maxY, p.y);
      });
    }
    var band = data.nodes.filter(function (n) { return !n.geo; });
    band.sort(function (a, b) { return (b.degree - a.degree) || a.label.localeCompare(b.label); });
    var rowStep = 64, colStep = 250;
    var height = Math.max(maxY - minY, 600);
    var perColumn = Math.max(8, Math.floor(height / rowStep) + 1);
    var x0 = (located.length ? maxX : 0) + 320, y0 = (located.length ? minY : 0) + 80;
    band.forEach(function (n, i) {
      positions[n.id] = { x: x0 + colStep * Math.floor(i / perColumn), y: y0 + rowStep * (i % perColumn) };
    });
    if (result.project) {
      // Graticule labels just outside the nodes' extent (the view is fitted to include them).
      var kxs = Math.cos(((result.bounds.minLat + result.bounds.maxLat) / 2) * Math.PI / 180);
      var probe = result.project(result.bounds.maxLat, result.bounds.minLong);
      result.labelLong = result.bounds.minLong - (probe.x - (minX - 50)) / (kxs * scale);
      result.labelLat = result.bounds.maxLat + (probe.y - (minY - 45)) / scale;
    }
    result.extent = { minX: minX - 60, minY: minY - 60, maxX: maxX + 40, maxY: maxY + 60 };
    result.band = band.length ? { x: x0 - 90, y: y0 - 100, columns: Math.ceil(band.length / perColumn),
                                  rows: Math.min(band.length, perColumn), colStep: colStep, rowStep: rowStep } : null;
    return result;
  }

  function drawGeoBackground(ctx) {
    var geo = state.geo;
    if (!geo) return;
    ctx.save();
    if (geo.project) {
      var b = geo.bounds, step = 5;
      var lo0 = Math.floor(b.minLong / step) * step - step, lo1 = Math.ceil(b.maxLong / step) * step + step;
      var la0 = Math.floor(b.minLat / step) * step - step, la1 = Math.ceil(b.maxLat / step) * step + step;
      ctx.strokeStyle = "#e1e6ec";
      ctx.lineWidth = 1;
      ctx.fillStyle = "#9aa4b1";
      ctx.font = "12px system-ui, sans-serif";
      // Labels sit just inside the nodes' extent, where the fitted view shows them.
      var labelLat = geo.labelLat, labelLong = geo.labelLong;
      for (var lo = lo0; lo <= lo1; lo += step) {
        var top = geo.project(la1, lo), bottom = geo.project(la0, lo), mark = geo.project(labelLat, lo);
        ctx.beginPath(); ctx.moveTo(top.x, top.y); ctx.lineTo(bottom.x, bottom.y); ctx.stroke();
        if (lo >= b.minLong - 1) ctx.fillText(Math.abs(lo) + "°" + (lo >= 0 ? "E" : "W"), mark.x + 3, mark.y);
      }
      for (var la = la0; la <= la1; la += step) {
        var left = geo.project(la, lo0), right = geo.project(la, lo1), tick = geo.project(la, labelLong);
        ctx.beginPath(); ctx.moveTo(left.x, left.y); ctx.lineTo(right.x, right.y); ctx.stroke();
        if (la <= b.maxLat + 1) ctx.fillText(Math.abs(la) + "°" + (la >= 0 ? "N" : "S"), tick.x, tick.y - 4);
      }
    }
    if (geo.band) {
      var band = geo.band;
      var w = band.columns * band.colStep + 40, h = band.rows * band.rowStep + 110;
      ctx.fillStyle = "rgba(236, 239, 243, 0.8)";
      ctx.fillRect(band.x, band.y, w, h);
      ctx.fillStyle = "#5b6470";
      ctx.font = "bold 16px system-ui, sans-serif";
      ctx.fillText("No coordinates in the data", band.x + 12, band.y + 26);
      ctx.font = "13px system-ui, sans-serif";
      ctx.fillText("(side band: position carries no meaning)", band.x + 12, band.y + 46);
    }
    ctx.restore();
  }

  function fitView() {
    if (state.layout !== "geo" || !state.geo) { network.fit({ animation: false }); return; }
    var e = state.geo.extent, band = state.geo.band;
    var minX = e.minX, minY = e.minY, maxX = e.maxX, maxY = e.maxY;
    if (!state.geo.placed) { minX = Infinity; minY = Infinity; maxX = -Infinity; maxY = -Infinity; }
    if (band) {
      minX = Math.min(minX, band.x); minY = Math.min(minY, band.y);
      maxX = Math.max(maxX, band.x + band.columns * band.colStep + 40);
      maxY = Math.max(maxY, band.y + band.rows * band.rowStep + 110);
    }
    var width = container.clientWidth || 800, height = container.clientHeight || 600;
    var scale = Math.min(width / (maxX - minX), height / (maxY - minY)) * 0.97;
    network.moveTo({ position: { x: (minX + maxX) / 2, y: (minY + maxY) / 2 }, scale: scale, animation: false });
  }

  function setLayout(name) {
    if (name !== "geo") name = "force";
    if (!network) { state.layout = name; return; }
    if (name === state.layout && state.ready) return;
    if (name === "geo") {
      if (state.layout === "force") state.forcePositions = network.getPositions();
      state.geo = geoLayout();
      nodesDS.update(Object.keys(state.geo.positions).map(function (id) {
        var p = state.geo.positions[id];
        return { id: id, x: p.x, y: p.y };
      }));
      network.setOptions({ nodes: { scaling: { max: 18, label: { max: 15 } } } });
    } else {
      state.geo = null;
      var saved = state.forcePositions || {};
      nodesDS.update(Object.keys(saved).map(function (id) { return { id: id, x: saved[id].x, y: saved[id].y }; }));
      network.setOptions({ nodes: { scaling: { max: 40, label: { max: 22 } } } });
    }
    state.layout = name;
    container.dataset.layout = name;
    document.getElementById("cakg-layout-" + name).checked = true;
    document.getElementById("cakg-geo-note").hidden = name !== "geo";
    applyStyles();
    fitView();
    if (state.selected) network.selectNodes([state.selected]);
  }

  // ------------------------------------------------------------------ details panel

  function citation(item) {
    var title = data.documents[item.document] || item.document;
    var cite = el("span", { className: "cakg-nw-cite", title: title,
                            text: item.document + " § " + item.section + " — " + shorten(title, 70) });
    // In the explorer a quote links to its passage in the document's reading view, highlighted there.
    var passageBase = options.idBase + "passage/";
    var quote = options.entityBase && item.passage && item.passage.indexOf(passageBase) === 0
      ? el("a", { className: "cakg-nw-quote", target: "_blank", rel: "noopener", title: "read it in the document",
                  href: options.entityBase.replace(/\/$/, "") + "/read/passage/" +
                        encodeURIComponent(item.passage.slice(passageBase.length)) + "?quote=" + encodeURIComponent(item.quote),
                  text: item.quote })
      : el("span", { className: "cakg-nw-quote", text: item.quote });
    return el("blockquote", { className: "cakg-nw-evidence", "data-document": item.document, "data-section": item.section },
              [quote, cite]);
  }

  function factBlock(iri) {
    var fact = data.facts[iri];
    if (!fact) return null;
    var block = el("div", { className: "cakg-nw-fact", "data-fact": iri }, [
      el("a", { className: "cakg-nw-fact-label", href: entityHref(iri), target: "_blank", rel: "noopener", text: fact.label }),
      fact.kind ? el("span", { className: "cakg-nw-fact-kind", text: " · " + fact.kind.replace(/,/g, ", ") }) : null,
      fact.years.length ? el("span", { className: "cakg-nw-fact-kind", text: " · " + fact.years.join(", ") }) : null
    ]);
    if (fact.evidence.length) {
      fact.evidence.forEach(function (item) { block.appendChild(citation(item)); });
    } else {
      block.appendChild(el("p", { className: "cakg-nw-cite", text: "No evidence quote recorded for this fact." }));
    }
    return block;
  }

  // Why the build derived an edge: per fact, both ends as the fact names them with their roles,
  // the rule that paired them and the weight the fact gives (1/(n−1) for n actors).
  function endText(end) {
    var names = end.named.map(function (x) { return x.label; }).join(", ");
    var roles = end.roles.map(function (r) { return r.label; }).join(", ");
    return names + (roles ? " (" + roles + ")" : "");
  }

  function whyList(e, from) {
    if (!e.explanation || !e.explanation.length) return null;
    var flip = from && from !== e.source;
    return el("ul", { className: "cakg-nw-why" }, e.explanation.map(function (item) {
      var fact = data.facts[item.fact];
      var first = flip ? item.target : item.source, second = flip ? item.source : item.target;
      var share = item.actors ? "1/(" + item.actors + "−1) = " + weightText(item.weight) : weightText(item.weight);
      return el("li", { "data-fact": item.fact }, [
        el("a", { href: entityHref(item.fact), target: "_blank", rel: "noopener", text: fact ? fact.label : item.fact }),
        el("span", { className: "cakg-nw-pair", text: ": " + endText(first) + " with " + endText(second) }),
        el("span", { className: "cakg-nw-rule", text: " — rule: " + item.rules.map(function (r) { return r.label; }).join("; ") }),
        el("span", { className: "cakg-nw-share", text: " · weight " + share })
      ]);
    }));
  }

  function showEdge(e) {
    details.textContent = "";
    details.dataset.node = "";
    details.dataset.edge = e.id;
    var a = byId.get(e.source), b = byId.get(e.target);
    details.appendChild(el("h2", { text: a.label + " — " + b.label }));
    details.appendChild(el("p", { className: "cakg-nw-kind",
      text: e.relation.replace(/,/g, ", ") + " · weight " + weightText(e.weight) + " from " + factsText(e) }));
    [a, b].forEach(function (n) {
      var button = el("button", { type: "button", className: "cakg-nw-neighbour", "data-node": n.id, text: n.label });
      button.addEventListener("click", function () { select(n.id, true); });
      details.appendChild(button);
      details.appendChild(document.createTextNode(" "));
    });
    var why = whyList(e);
    if (why) {
      details.appendChild(el("h3", { text: "Why this edge" }));
      details.appendChild(why);
    }
    details.appendChild(el("h3", { text: "Evidence (" + factsText(e) + ")" }));
    e.facts.forEach(function (f) { var block = factBlock(f.iri); if (block) details.appendChild(block); });
  }

  function selectEdge(id) {
    var e = data.edges.filter(function (x) { return x.id === id; })[0];
    if (!e) return false;
    state.selected = null;
    applyStyles();
    showEdge(e);
    if (network) network.setSelection({ nodes: [], edges: [id] });
    return true;
  }

  function showDetails(id) {
    details.dataset.edge = "";
    details.textContent = "";
    if (!id) {
      details.appendChild(el("p", { className: "cakg-nw-placeholder",
        text: "Select a node to see its type, labels, relations and the evidence quotes behind them." }));
      details.dataset.node = "";
      return;
    }
    var n = byId.get(id);
    details.dataset.node = id;
    details.appendChild(el("h2", { text: n.label }));
    details.appendChild(el("p", { className: "cakg-nw-kind",
      text: n.kind.replace(/,/g, ", ") + (n.country_label && n.country !== n.id ? " · " + n.country_label : "") }));
    details.appendChild(el("a", { className: "cakg-nw-iri", href: entityHref(id), target: "_blank", rel: "noopener", text: id }));

    if (n.labels.length) {
      details.appendChild(el("h3", { text: "Labels" }));
      details.appendChild(el("ul", { className: "cakg-nw-labels" }, n.labels.map(function (l) {
        return el("li", { lang: l.lang || "und" }, [
          el("span", { className: "cakg-nw-lang", text: l.lang || "–" }), l.value,
          l.property === "altLabel" ? el("small", { text: " (alternative)" }) : null
        ]);
      })));
    }

    details.appendChild(el("h3", { text: "Measures" }));
    var measures = [["degree", n.degree], ["weighted degree", n.weighted_degree],
                    ["degree centrality", n.degree_centrality], ["betweenness", n.betweenness],
                    ["eigenvector", n.eigenvector], ["community", n.community === null ? "–" : n.community]];
    var dl = el("dl");
    measures.forEach(function (m) {
      dl.appendChild(el("dt", { text: m[0] }));
      dl.appendChild(el("dd", { text: String(m[1]) }));
    });
    if (state.layout === "geo" || n.geo) {
      dl.appendChild(el("dt", { text: "map position" }));
      dl.appendChild(el("dd", { text: n.geo ? n.geo.note : "no coordinates in the data (side band)" }));
    }
    if (n.topics.length) {
      dl.appendChild(el("dt", { text: "topics" }));
      dl.appendChild(el("dd", { text: n.topics.map(topicLabel).join(", ") }));
    }
    if (n.years.length) {
      dl.appendChild(el("dt", { text: "years" }));
      dl.appendChild(el("dd", { text: n.years.join(", ") }));
    }
    details.appendChild(dl);

    var edges = incident.get(id);
    details.appendChild(el("h3", { text: "Relations (" + edges.length + ")" }));
    var grouped = new Map();
    edges.forEach(function (e) {
      if (!grouped.has(e.relation)) grouped.set(e.relation, []);
      grouped.get(e.relation).push(e);
    });
    grouped.forEach(function (list, relation) {
      list.sort(function (a, b) { return b.weight - a.weight; });
      details.appendChild(el("p", { className: "cakg-nw-kind", text: relation.replace(/,/g, ", ") }));
      details.appendChild(el("ul", {}, list.map(function (e) {
        var other = e.source === id ? e.target : e.source;
        var button = el("button", { type: "button", className: "cakg-nw-neighbour", "data-node": other,
                                    text: byId.get(other).label });
        button.addEventListener("click", function () { select(other, true); });
        var hidden = state.visibleEdges.has(e.id) ? null : el("small", { text: " (hidden by filters)" });
        var why = whyList(e, id), more = null;
        if (why && e.explanation.length > 2) {
          more = el("details", { className: "cakg-nw-why-more" }, [el("summary", { text: "why" }), why]);
          why = null;
        }
        return el("li", { "data-edge": e.id }, [button, " — weight " + weightText(e.weight) + ", " + factsText(e), hidden,
                                               why, more]);
      })));
    });

    var facts = n.facts.slice();
    details.appendChild(el("h3", { text: "Evidence (" + facts.length + (facts.length === 1 ? " fact)" : " facts)") }));
    facts.sort(function (a, b) {
      return (a === id ? -1 : b === id ? 1 : 0) || data.facts[a].label.localeCompare(data.facts[b].label);
    });
    var shown = facts.slice(0, 12), rest = facts.slice(12);
    shown.forEach(function (f) { var b = factBlock(f); if (b) details.appendChild(b); });
    if (rest.length) {
      var more = el("details", {}, [el("summary", { text: rest.length + " more facts" })]);
      rest.forEach(function (f) { var b = factBlock(f); if (b) more.appendChild(b); });
      details.appendChild(more);
    }
  }

  function select(id, centre) {
    if (id && !byId.has(id)) return false;
    if (id && !state.visibleNodes.has(id)) resetFilters();
    state.selected = id || null;
    applyStyles();
    showDetails(state.selected);
    if (!network) return true;
    if (state.selected) {
      network.selectNodes([state.selected]);
      if (centre) network.focus(state.selected, { scale: Math.max(network.getScale(), 1.0), animation: false });
    } else {
      network.unselectAll();
    }
    return true;
  }

  // ------------------------------------------------------------------ search

  var searchIndex = data.nodes.map(function (n) {
    var names = [{ value: n.label, lang: "en" }].concat(n.labels);
    return { id: n.id, names: names.map(function (l) { return { value: l.value, lang: l.lang, key: normalise(l.value) }; }) };
  });

  function search(query) {
    var q = normalise(query || "");
    if (!q) return [];
    var hits = [];
    searchIndex.forEach(function (entry) {
      var best = null;
      entry.names.forEach(function (name) {
        var pos = name.key.indexOf(q);
        if (pos < 0) return;
        var rank = name.key === q ? 0 : pos === 0 ? 1 : 2;
        if (!best || rank < best.rank) best = { rank: rank, name: name };
      });
      if (best) hits.push({ id: entry.id, rank: best.rank, matched: best.name.value, lang: best.name.lang });
    });
    hits.sort(function (a, b) {
      return a.rank - b.rank || byId.get(b.id).degree - byId.get(a.id).degree ||
        byId.get(a.id).label.localeCompare(byId.get(b.id).label);
    });
    return hits;
  }

  var searchBox = document.getElementById("cakg-search");
  var results = document.getElementById("cakg-search-results");

  function showResults() {
    results.textContent = "";
    var hits = search(searchBox.value);
    if (!searchBox.value.trim()) return;
    if (!hits.length) {
      results.appendChild(el("li", { className: "cakg-nw-none", text: "no node with that name" }));
      return;
    }
    hits.slice(0, 15).forEach(function (hit, i) {
      var n = byId.get(hit.id);
      var item = el("li", { role: "option", "data-node": hit.id, className: i === 0 ? "active" : "" }, [
        n.label,
        el("small", { text: (hit.matched !== n.label ? hit.matched + (hit.lang ? " [" + hit.lang + "]" : "") + " · " : "") +
                            n.class + (state.visibleNodes.has(n.id) ? "" : " · hidden by filters") })
      ]);
      item.addEventListener("click", function () { select(hit.id, true); });
      results.appendChild(item);
    });
  }

  searchBox.addEventListener("input", showResults);
  searchBox.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      var hits = search(searchBox.value);
      if (hits.length) select(hits[0].id, true);
      event.preventDefault();
    } else if (event.key === "Escape") {
      searchBox.value = "";
      showResults();
    }
  });

  // ------------------------------------------------------------------ controls

  function checkboxes(id) {
    return Array.prototype.slice.call(document.querySelectorAll("#" + id + " input[type=checkbox]"));
  }

  function readFilters() {
    state.classes = new Set(checkboxes("cakg-filter-class").filter(function (c) { return c.checked; })
      .map(function (c) { return c.value; }));
    state.relations = new Set(checkboxes("cakg-filter-relation").filter(function (c) { return c.checked; })
      .map(function (c) { return c.value; }));
    state.topic = document.getElementById("cakg-filter-topic").value;
    state.country = document.getElementById("cakg-filter-country").value;
    state.year = document.getElementById("cakg-filter-year").value;
    refresh();
  }

  function resetFilters() {
    checkboxes("cakg-filter-class").concat(checkboxes("cakg-filter-relation"))
      .forEach(function (c) { c.checked = true; });
    ["cakg-filter-topic", "cakg-filter-country", "cakg-filter-year"].forEach(function (id) {
      document.getElementById(id).value = "";
    });
    readFilters();
  }

  root.querySelectorAll(".cakg-nw-legend input, .cakg-nw-selects select").forEach(function (input) {
    input.addEventListener("change", readFilters);
  });
  root.querySelectorAll("button[data-all], button[data-none]").forEach(function (button) {
    button.addEventListener("click", function () {
      var on = button.hasAttribute("data-all");
      checkboxes("cakg-filter-" + (button.dataset.all || button.dataset.none)).forEach(function (c) { c.checked = on; });
      readFilters();
    });
  });
  document.getElementById("cakg-reset").addEventListener("click", resetFilters);
  document.getElementById("cakg-size-by").addEventListener("change", function (event) {
    state.sizeBy = event.target.value;
    applyStyles();
  });
  document.getElementById("cakg-colour-community").addEventListener("change", function (event) {
    state.communityColours = event.target.checked;
    applyStyles();
  });
  root.querySelectorAll("input[name=cakg-layout]").forEach(function (radio) {
    radio.addEventListener("change", function () { if (radio.checked) setLayout(radio.value); });
  });

  // ------------------------------------------------------------------ the network

  computeVisibility();
  var ego0 = null;
  nodesDS.add(data.nodes.map(function (n) { return nodeItem(n, ego0); }));
  edgesDS.add(data.edges.map(function (e) { return edgeItem(e, ego0); }));

  var network = new vis.Network(container, { nodes: nodesDS, edges: edgesDS }, {
    autoResize: true,
    layout: { randomSeed: 7, improvedLayout: data.nodes.length <= 150 },
    physics: {
      solver: "forceAtlas2Based",
      forceAtlas2Based: { gravitationalConstant: -110, centralGravity: 0.012, springLength: 140,
                          springConstant: 0.05, avoidOverlap: 0.6 },
      stabilization: { enabled: true, iterations: 700, updateInterval: 100, fit: true },
      minVelocity: 0.8
    },
    interaction: { hover: true, tooltipDelay: 150, keyboard: false, multiselect: false },
    nodes: {
      shape: "dot",
      scaling: { min: 7, max: 40, label: { enabled: true, min: 12, max: 22, drawThreshold: 5, maxVisible: 30 } },
      font: { size: 13, face: "system-ui, sans-serif", strokeWidth: 3, strokeColor: "#ffffff" }
    },
    edges: { smooth: false, selectionWidth: 1.5, hoverWidth: 0.8 }
  });

  network.on("beforeDrawing", function (ctx) { if (state.layout === "geo") drawGeoBackground(ctx); });
  network.on("afterDrawing", function () {
    var drawn = network.body && network.body.nodeIndices ? network.body.nodeIndices.length : state.visibleNodes.size;
    state.drawn = drawn;
    container.dataset.drawnNodes = drawn;
    counter.dataset.drawnNodes = drawn;
  });
  network.on("click", function (params) {
    if (params.nodes.length) select(params.nodes[0], false);
    else if (params.edges.length === 1) selectEdge(params.edges[0]);
    else select(null, false);
  });
  network.on("doubleClick", function (params) {
    if (params.nodes.length) select(params.nodes[0], true);
  });

  var finished = false;
  function finish() {
    if (finished) return;
    finished = true;
    network.setOptions({ physics: { enabled: false } });
    state.forcePositions = network.getPositions();
    state.layout = "force";
    if (options.layout === "geo") setLayout("geo");
    else network.fit({ animation: false });
    if (options.focus && byId.has(options.focus)) select(options.focus, true);
    state.ready = true;
    root.dataset.ready = "true";
    network.redraw();
  }
  network.once("stabilizationIterationsDone", finish);
  setTimeout(finish, 15000);
  if (!data.nodes.length) finish();

  // ------------------------------------------------------------------ API for scripts and tests

  window.cakgNetwork = {
    network: network,
    data: data,
    isReady: function () { return state.ready; },
    nodeCount: function () { return data.nodes.length; },
    edgeCount: function () { return data.edges.length; },
    visibleNodeCount: function () { return state.visibleNodes.size; },
    visibleEdgeCount: function () { return state.visibleEdges.size; },
    drawnNodeCount: function () { return state.drawn; },
    search: function (query) { return search(query).map(function (h) { return h.id; }); },
    select: function (id) { return select(id, true); },
    selectEdge: function (source, target) {
      var e = data.edges.filter(function (x) {
        return (x.source === source && x.target === target) || (x.source === target && x.target === source);
      })[0];
      return e ? selectEdge(e.id) : false;
    },
    edgePosition: function (source, target) {
      var p = network.getPositions([source, target]);
      if (!p[source] || !p[target]) return null;
      var d = network.canvasToDOM({ x: (p[source].x + p[target].x) / 2, y: (p[source].y + p[target].y) / 2 });
      var rect = container.getBoundingClientRect();
      return { x: rect.left + d.x, y: rect.top + d.y };
    },
    selected: function () { return state.selected; },
    egoNodes: function () { var ego = egoSet(); return ego ? Array.from(ego) : []; },
    layout: function () { return state.layout; },
    setLayout: setLayout,
    nodePosition: function (id) { return network.getPositions([id])[id] || null; },
    domPosition: function (id) {
      var p = network.getPositions([id])[id];
      if (!p) return null;
      var d = network.canvasToDOM(p), rect = container.getBoundingClientRect();
      return { x: rect.left + d.x, y: rect.top + d.y };
    },
    setFilter: function (name, value) {
      if (name === "class" || name === "relation") {
        var wanted = new Set(Array.isArray(value) ? value : [value]);
        checkboxes("cakg-filter-" + name).forEach(function (c) { c.checked = wanted.has(c.value); });
      } else {
        document.getElementById("cakg-filter-" + name).value = value || "";
      }
      readFilters();
      return state.visibleNodes.size;
    },
    resetFilters: resetFilters
  };
})();
