/* Result views: any SELECT result (SPARQL JSON) drawn as a map, a bar chart, a timeline or a graph.
 *
 * Used by the saved-query and result pages (results.js) and by the editor (editor.js, as YASR
 * plugins). Which columns a view uses: the query's "# view: KIND COLUMN…" line if it names them,
 * else found in the result (coordinates by name, numbers and dates by datatype, entities by IRI).
 * The libraries (d3, topojson-client, vis-timeline, vis-network) and the country outlines
 * (Natural Earth via world-atlas) ship in static/vendor/ and are loaded from this site when a
 * view is first drawn; nothing is fetched from anywhere else.
 */
(function () {
  "use strict";

  var KINDS = ["table", "map", "chart", "timeline", "graph"];
  var LABELS = { table: "Table", map: "Map", chart: "Bar chart", timeline: "Timeline", graph: "Graph" };
  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var NUMERIC = ["integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger",
                 "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong"]
    .map(function (t) { return XSD + t; });
  var DATES = { gYear: 1, gYearMonth: 2, date: 3, dateTime: 3 };
  var WKT = "http://www.opengis.net/ont/geosparql#wktLiteral";
  var EVIDENCE = ["quote", "passage", "section", "doc"];
  var DATE_TEXT = /^(-?\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:T.*)?$/;

  var scriptBase = (function () {
    var current = document.currentScript && document.currentScript.src;
    return current ? current.replace(/views\.js(\?.*)?$/, "") : "/static/";
  })();

  // ---------------------------------------------------------------- the result, column by column

  function numberOf(term) {
    if (!term || term.type === "uri" || term.type === "bnode") return null;
    var value = Number(term.value);
    return term.value.trim() !== "" && isFinite(value) ? value : null;
  }

  function dateOf(term) {
    if (!term || term.type !== "literal") return null;
    var typed = term.datatype && term.datatype.indexOf(XSD) === 0 ? DATES[term.datatype.substring(XSD.length)] : 0;
    if (term.datatype && !typed && term.datatype !== XSD + "string") return null;
    var found = DATE_TEXT.exec(term.value.trim());
    if (!found) return null;
    var year = Number(found[1]), month = found[2] ? Number(found[2]) : null, day = found[3] ? Number(found[3]) : null;
    if ((month !== null && (month < 1 || month > 12)) || (day !== null && (day < 1 || day > 31))) return null;
    var precision = day !== null ? 3 : month !== null ? 2 : 1;
    var start = new Date(Date.UTC(year, (month || 1) - 1, day || 1));
    start.setUTCFullYear(year);
    var end = new Date(start.getTime());
    if (precision === 1) end.setUTCFullYear(year + 1);
    else if (precision === 2) end.setUTCMonth(end.getUTCMonth() + 1);
    return { start: start, end: end, precision: precision, text: term.value.trim() };
  }

  function localName(iri) {
    var cut = Math.max(iri.lastIndexOf("#"), iri.lastIndexOf("/"));
    return decodeURIComponent(iri.substring(cut + 1)) || iri;
  }

  /* Columns with what they hold; rows as SPARQL JSON bindings. */
  function model(variables, bindings, hints) {
    hints = hints || {};
    var names = variables.slice();
    var columns = names.map(function (name) {
      var bound = bindings.map(function (b) { return b[name]; }).filter(Boolean);
      var column = { name: name, count: bound.length, pair: names.indexOf(name + "Label") >= 0 ? name + "Label" : null,
                     evidence: EVIDENCE.indexOf(name) >= 0 && names.indexOf("quote") >= 0 };
      column.uri = bound.length > 0 && bound.every(function (t) { return t.type === "uri"; });
      column.numeric = bound.length > 0 && bound.every(function (t) {
        return t.type === "literal" && NUMERIC.indexOf(t.datatype) >= 0;
      });
      var dates = bound.map(dateOf);
      column.date = bound.length > 0 && dates.every(Boolean);
      column.precision = column.date ? dates.reduce(function (s, d) { return s + d.precision; }, 0) / dates.length : 0;
      column.labelOnly = /Label$/.test(name) && names.indexOf(name.replace(/Label$/, "")) < 0;
      column.folded = /Label$/.test(name) && names.indexOf(name.replace(/Label$/, "")) >= 0;
      return column;
    });
    return { variables: names, bindings: bindings, columns: columns, hints: hints,
             titles: hints.titles || {}, byName: columns.reduce(function (m, c) { m[c.name] = c; return m; }, {}) };
  }

  function title(data, name) {
    if (data.titles[name]) return data.titles[name];
    var words = name.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g) || [name];
    if (words.length > 1 && words[words.length - 1].toLowerCase() === "label") words.pop();
    var text = words.join(" ").toLowerCase();
    return text.charAt(0).toUpperCase() + text.substring(1);
  }

  /* What a row shows for a column: the paired label for an IRI, else the value. */
  function shown(data, row, name) {
    var term = row[name];
    if (!term) return "";
    var column = data.byName[name];
    if (column && column.pair && row[column.pair]) return row[column.pair].value;
    if (term.type === "uri") return localName(term.value);
    return term.value;
  }

  function hrefOf(term, options) {
    if (!term || term.type !== "uri") return null;
    return options && options.href ? options.href(term.value) : term.value;
  }

  function hinted(data, index, test) {
    var name = (data.hints.viewColumns || [])[index];
    var column = name && data.byName[name];
    return column && (!test || test(column)) ? column : null;
  }

  function usable(column) { return !column.evidence && !column.folded && column.count > 0; }

  function firstLabelColumn(data, skip) {
    skip = skip || [];
    var pick = function (test) {
      return data.columns.filter(function (c) { return usable(c) && skip.indexOf(c.name) < 0 && test(c); })[0];
    };
    return pick(function (c) { return c.uri && c.pair; }) || pick(function (c) { return c.labelOnly; }) ||
      pick(function (c) { return c.uri; }) || pick(function (c) { return !c.numeric && !c.date; }) || null;
  }

  // ---------------------------------------------------------------- which columns each view uses

  function plan(kind, data) {
    var explicit = data.hints.view === kind;
    if (kind === "table") return { ok: true };
    if (kind === "map") return planMap(data, explicit);
    if (kind === "chart") return planChart(data, explicit);
    if (kind === "timeline") return planTimeline(data, explicit);
    if (kind === "graph") return planGraph(data, explicit);
    return { ok: false, reason: "unknown view " + kind };
  }

  function planMap(data, explicit) {
    var lat = (explicit && hinted(data, 0)) || data.columns.filter(function (c) {
      return /^(lat|latitude)$|(Lat|Latitude)$/.test(c.name);
    })[0];
    var lon = (explicit && hinted(data, 1)) || data.columns.filter(function (c) {
      return /^(long|lon|lng|longitude)$|(Long|Lon|Lng|Longitude)$/.test(c.name);
    })[0];
    var wkt = data.columns.filter(function (c) {
      return data.bindings.some(function (b) { return b[c.name] && b[c.name].datatype === WKT; });
    })[0];
    if (!(lat && lon) && !wkt) return { ok: false, reason: "no coordinates in this result (columns lat and long)" };
    var label = (explicit && hinted(data, 2)) || firstLabelColumn(data, [lat && lat.name, lon && lon.name]);
    var seen = {}, points = [], skipped = 0;
    data.bindings.forEach(function (row) {
      var y, x;
      if (lat && lon) { y = numberOf(row[lat.name]); x = numberOf(row[lon.name]); }
      else {
        var found = row[wkt.name] && /POINT\s*\(\s*([-\d.eE+]+)\s+([-\d.eE+]+)\s*\)/i.exec(row[wkt.name].value);
        if (found) { x = Number(found[1]); y = Number(found[2]); }
      }
      if (y === null || x === null || y === undefined || x === undefined || Math.abs(y) > 90 || Math.abs(x) > 180) {
        skipped += 1;
        return;
      }
      var text = label ? shown(data, row, label.name) : "";
      var key = y + "," + x + "," + text;
      if (seen[key]) return;
      seen[key] = true;
      points.push({ lat: y, lon: x, label: text, term: label ? row[label.name] : null });
    });
    if (!points.length) return { ok: false, reason: "no row has coordinates" };
    return { ok: true, points: points, skipped: skipped, label: label };
  }

  function planChart(data, explicit) {
    var hintedColumns = explicit ? (data.hints.viewColumns || []).map(function (n) { return data.byName[n]; })
      .filter(Boolean) : [];
    var values = hintedColumns.filter(function (c) { return c.numeric; });
    var labels = hintedColumns.filter(function (c) { return !c.numeric; });
    if (!values.length) {
      values = data.columns.filter(function (c) { return usable(c) && c.numeric && !/^(lat|long)$/i.test(c.name); })
        .slice(0, 1);
    }
    if (!labels.length) {
      var label = firstLabelColumn(data, values.map(function (c) { return c.name; }));
      labels = label ? [label] : [];
    }
    if (!values.length) return { ok: false, reason: "no column of numbers in this result" };
    if (!labels.length) return { ok: false, reason: "no column to label the bars" };
    var seen = {}, bars = [];
    data.bindings.forEach(function (row) {
      var text = labels.map(function (c) { return shown(data, row, c.name); }).filter(Boolean).join(" ");
      var numbers = values.map(function (c) { return numberOf(row[c.name]); });
      if (numbers.every(function (n) { return n === null; })) return;
      var key = text + "|" + numbers.join(",");
      if (seen[key]) return;
      seen[key] = true;
      bars.push({ label: text || "(no label)", values: numbers, term: labels[0] ? row[labels[0].name] : null });
    });
    if (!bars.length) return { ok: false, reason: "no row has a number" };
    return { ok: true, bars: bars, values: values, labels: labels };
  }

  function planTimeline(data, explicit) {
    var when = (explicit && hinted(data, 0, function (c) { return c.date; })) || data.columns
      .filter(function (c) { return usable(c) && c.date; })
      .sort(function (a, b) { return b.precision - a.precision; })[0];
    if (!when) return { ok: false, reason: "no column of dates in this result (xsd:date, gYearMonth or gYear)" };
    var label = (explicit && hinted(data, 1)) || firstLabelColumn(data, [when.name]);
    var seen = {}, items = [];
    data.bindings.forEach(function (row) {
      var date = dateOf(row[when.name]);
      if (!date) return;
      var text = label ? shown(data, row, label.name) : date.text;
      var key = date.text + "|" + text;
      if (seen[key]) return;
      seen[key] = true;
      items.push({ date: date, label: text, term: label ? row[label.name] : null });
    });
    if (!items.length) return { ok: false, reason: "no row has a date" };
    return { ok: true, items: items, when: when, label: label };
  }

  function planGraph(data, explicit) {
    var source = explicit && hinted(data, 0), target = explicit && hinted(data, 1);
    if (!source || !target) {
      var ends = data.columns.filter(function (c) { return usable(c) && (c.uri || c.labelOnly); });
      source = ends[0];
      target = ends[1];
    }
    if (!source || !target) return { ok: false, reason: "no two columns of entities to link" };
    var third = explicit ? hinted(data, 2) : null;
    var nodes = {}, edges = {}, order = [];
    function node(row, column) {
      var term = row[column.name];
      if (!term) return null;
      var id = term.type === "uri" ? term.value : "label:" + term.value;
      if (!nodes[id]) {
        nodes[id] = { id: id, label: shown(data, row, column.name), term: term.type === "uri" ? term : null,
                      group: column.name };
        order.push(id);
      }
      return id;
    }
    data.bindings.forEach(function (row) {
      var a = node(row, source), b = node(row, target);
      if (!a || !b || a === b) return;
      var key = a < b ? a + "\u0000" + b : b + "\u0000" + a;
      var edge = edges[key] || (edges[key] = { from: a, to: b, labels: [] });
      if (third && row[third.name]) {
        var text = third.numeric ? row[third.name].value : shown(data, row, third.name);
        if (edge.labels.indexOf(text) < 0) edge.labels.push(text);
      }
    });
    var list = Object.keys(edges).map(function (k) { return edges[k]; });
    if (!list.length) return { ok: false, reason: "no row links two entities" };
    return { ok: true, nodes: order.map(function (id) { return nodes[id]; }), edges: list, source: source,
             target: target, third: third };
  }

  // ---------------------------------------------------------------- libraries, one script at a time

  var chain = Promise.resolve();
  var libraries = {};
  function library(name, path, global) {
    if (!libraries[name]) {
      libraries[name] = chain = chain.then(function () {
        return new Promise(function (resolve, reject) {
          var script = document.createElement("script");
          script.src = scriptBase + path;
          script.onload = function () { resolve(window[global]); };
          script.onerror = function () { reject(new Error("could not load " + path)); };
          document.head.appendChild(script);
        });
      });
    }
    return libraries[name];
  }
  var d3 = function () { return library("d3", "vendor/d3/d3.min.js", "d3"); };
  var topojson = function () { return library("topojson", "vendor/topojson-client/topojson-client.min.js", "topojson"); };
  var visTimeline = function () { return library("vis-timeline", "vendor/vis-timeline/vis-timeline-graph2d.min.js", "vis"); };
  var visNetwork = function () { return library("vis-network", "vendor/vis-network/vis-network.min.js", "vis"); };
  var outlines = null;
  function countries() {
    outlines = outlines || fetch(scriptBase + "vendor/world-atlas/countries-50m.json").then(function (r) {
      if (!r.ok) throw new Error("country outlines: HTTP " + r.status);
      return r.json();
    });
    return outlines;
  }

  // ---------------------------------------------------------------- drawing

  function caption(element, text) {
    var p = document.createElement("p");
    p.className = "view-caption muted";
    p.textContent = text;
    element.appendChild(p);
  }

  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  function drawMap(element, spec, options) {
    return Promise.all([d3(), topojson(), countries()]).then(function (loaded) {
      var d3 = loaded[0], topo = loaded[1], world = loaded[2];
      var width = Math.max(320, element.clientWidth || 800), height = Math.round(Math.min(560, width * 0.6));
      var land = topo.feature(world, world.objects.countries);
      var lons = spec.points.map(function (p) { return p.lon; }), lats = spec.points.map(function (p) { return p.lat; });
      var pad = Math.max(4, 0.25 * Math.max(d3.max(lons) - d3.min(lons), d3.max(lats) - d3.min(lats)));
      var west = Math.max(-180, d3.min(lons) - pad), east = Math.min(180, d3.max(lons) + pad);
      var south = Math.max(-80, d3.min(lats) - pad), north = Math.min(84, d3.max(lats) + pad);
      var frame = { type: "Feature", geometry: { type: "MultiPoint",
                    coordinates: [[west, south], [east, north], [west, north], [east, south]] } };
      var projection = d3.geoMercator().fitExtent([[10, 10], [width - 10, height - 10]], frame);
      var path = d3.geoPath(projection);
      var svg = d3.select(element).append("svg").attr("class", "view-map").attr("viewBox", [0, 0, width, height])
        .attr("width", width).attr("height", height).attr("role", "img")
        .attr("aria-label", "map of " + plural(spec.points.length, "place", "places"));
      svg.append("rect").attr("class", "sea").attr("width", width).attr("height", height);
      var layer = svg.append("g");
      layer.append("g").attr("class", "countries").selectAll("path").data(land.features).join("path")
        .attr("class", "country").attr("d", path).append("title").text(function (f) { return f.properties.name; });
      var marks = layer.append("g").attr("class", "marks").selectAll("a").data(spec.points).join("a")
        .attr("href", function (p) { return hrefOf(p.term, options) || null; });
      marks.append("circle").attr("class", "mark").attr("r", 5)
        .attr("cx", function (p) { return projection([p.lon, p.lat])[0]; })
        .attr("cy", function (p) { return projection([p.lon, p.lat])[1]; });
      marks.append("title").text(function (p) { return (p.label ? p.label + " — " : "") + p.lat + ", " + p.lon; });
      if (spec.points.length <= 40) {
        marks.append("text").attr("class", "mark-label")
          .attr("x", function (p) { return projection([p.lon, p.lat])[0] + 7; })
          .attr("y", function (p) { return projection([p.lon, p.lat])[1] + 4; })
          .text(function (p) { return p.label; });
      }
      svg.call(d3.zoom().scaleExtent([1, 16]).on("zoom", function (event) {
        layer.attr("transform", event.transform);
        layer.selectAll("circle.mark").attr("r", 5 / event.transform.k);
        layer.selectAll("text.mark-label").attr("font-size", 12 / event.transform.k + "px");
      }));
      caption(element, plural(spec.points.length, "place", "places") + " from their coordinates" +
        (spec.skipped ? "; " + plural(spec.skipped, "row", "rows") + " without coordinates left out" : "") +
        ". Country outlines: Natural Earth (public domain). Scroll to zoom, drag to pan.");
      return { marks: spec.points.length };
    });
  }

  function drawChart(element, spec, options) {
    return d3().then(function (d3) {
      var width = Math.max(320, element.clientWidth || 800);
      var series = spec.values.length, band = 14 * series + 8;
      var longest = d3.max(spec.bars, function (b) { return b.label.length; });
      var left = Math.min(Math.round(width * 0.38), Math.max(80, longest * 7 + 12));
      var margin = { top: 28, right: 56, bottom: 28, left: left };
      var height = margin.top + margin.bottom + band * spec.bars.length;
      var all = [];
      spec.bars.forEach(function (b) { b.values.forEach(function (v) { if (v !== null) all.push(v); }); });
      var x = d3.scaleLinear().domain([Math.min(0, d3.min(all)), Math.max(0, d3.max(all))]).nice()
        .range([margin.left, width - margin.right]);
      var y = d3.scaleBand().domain(d3.range(spec.bars.length)).range([margin.top, height - margin.bottom])
        .paddingInner(0.2);
      var inner = d3.scaleBand().domain(d3.range(series)).range([0, y.bandwidth()]).padding(0.05);
      var color = d3.scaleOrdinal().domain(d3.range(series)).range(["#0b5cad", "#e07b16", "#2f7d4f", "#9b3fb5", "#a3361b"]);
      var svg = d3.select(element).append("svg").attr("class", "view-chart").attr("viewBox", [0, 0, width, height])
        .attr("width", width).attr("height", height).attr("role", "img")
        .attr("aria-label", "bar chart of " + spec.values.map(function (c) { return title({ titles: options.titles || {} }, c.name); }).join(", "));
      svg.append("g").attr("class", "axis").attr("transform", "translate(0," + margin.top + ")").call(d3.axisTop(x).ticks(6));
      var rows = svg.append("g").selectAll("g").data(spec.bars).join("g")
        .attr("transform", function (b, i) { return "translate(0," + y(i) + ")"; });
      rows.append("text").attr("class", "bar-label").attr("x", margin.left - 6).attr("y", y.bandwidth() / 2).attr("dy", "0.35em")
        .attr("text-anchor", "end")
        .text(function (b) { var max = Math.floor((margin.left - 10) / 6.5); return b.label.length > max ? b.label.substring(0, max - 1) + "…" : b.label; })
        .append("title").text(function (b) { return b.label; });
      spec.values.forEach(function (column, k) {
        var present = rows.filter(function (b) { return b.values[k] !== null; });
        present.append("rect").attr("class", "mark")  // not "bar": cakg.css sizes .bar (a CSS width applies to SVG rects)
          .attr("fill", color(k))
          .attr("x", function (b) { return x(Math.min(0, b.values[k])); })
          .attr("y", inner(k)).attr("height", inner.bandwidth())
          .attr("width", function (b) { return Math.max(1, Math.abs(x(b.values[k]) - x(0))); })
          .append("title").text(function (b) { return b.label + " — " + title({ titles: options.titles || {} }, column.name) + ": " + b.values[k]; });
        present.append("text").attr("class", "bar-value").attr("x", function (b) { return x(Math.max(0, b.values[k])) + 4; })
          .attr("y", inner(k) + inner.bandwidth() / 2).attr("dy", "0.35em").text(function (b) { return b.values[k]; });
      });
      var marks = element.querySelectorAll("rect.mark").length;
      var legend = document.createElement("p");
      legend.className = "view-legend";
      spec.values.forEach(function (column, k) {
        var item = document.createElement("span");
        var swatch = document.createElement("span");
        swatch.className = "swatch";
        swatch.style.background = color(k);
        item.appendChild(swatch);
        item.appendChild(document.createTextNode(title({ titles: options.titles || {} }, column.name)));
        legend.appendChild(item);
      });
      element.insertBefore(legend, element.firstChild);
      caption(element, plural(spec.bars.length, "bar", "bars") + " labelled by " + spec.labels.map(function (c) {
        return title({ titles: options.titles || {} }, c.name); }).join(" and ") + ".");
      return { marks: marks };
    });
  }

  function drawTimeline(element, spec, options) {
    return visTimeline().then(function (vis) {
      var box = document.createElement("div");
      box.className = "view-timeline";
      element.appendChild(box);
      var items = spec.items.map(function (item, i) {
        // Every item a point with its whole label, led by its date as precise as the source gives it
        // ("2015", "2019-11", "2019-11-03"): a year drawn as a span of a few pixels hid its label.
        var content = document.createElement("span");
        var when = document.createElement("b");
        when.textContent = item.date.text;
        content.appendChild(when);
        content.appendChild(document.createTextNode(" " + item.label));
        return { id: i, content: content, start: item.date.start, type: "point",
                 title: item.date.text + " — " + item.label, className: "mark precision-" + item.date.precision };
      });
      var timeline = new vis.Timeline(box, new vis.DataSet(items), {
        stack: true, zoomMin: 1000 * 60 * 60 * 24 * 20, margin: { item: 4 }, maxHeight: 620,
        tooltip: { followMouse: true }, showCurrentTime: false, orientation: "top"
      });
      timeline.on("doubleClick", function (props) {
        var item = props.item !== null && props.item !== undefined ? spec.items[props.item] : null;
        var href = item && hrefOf(item.term, options);
        if (href) window.location.href = href;
      });
      element.cakgTimeline = timeline;
      timeline.fit({ animation: false });
      caption(element, plural(items.length, "dated item", "dated items") + " by " + title({ titles: options.titles || {} }, spec.when.name) +
        ", each led by its date as precise as the source gives it (a year, a month or a day; a year or a month is placed at its start, a hollow dot). Scroll to zoom, drag to pan; double-click an item to open it.");
      return { marks: items.length };
    });
  }

  function drawGraph(element, spec, options) {
    return visNetwork().then(function (vis) {
      var box = document.createElement("div");
      box.className = "view-graph";
      element.appendChild(box);
      var nodes = spec.nodes.map(function (n, i) {
        return { id: i, label: n.label.length > 40 ? n.label.substring(0, 39) + "…" : n.label, title: n.label,
                 group: n.group === spec.source.name ? "source" : "target" };
      });
      var index = {};
      spec.nodes.forEach(function (n, i) { index[n.id] = i; });
      var edges = spec.edges.map(function (e) {
        var weight = spec.third && spec.third.numeric ? Number(e.labels[0]) : null;
        var text = e.labels.join(", ") || undefined;
        // Labels on every edge bury the drawing past a dozen edges: then they show on hover.
        return { from: index[e.from], to: index[e.to], label: spec.edges.length <= 12 ? text : undefined, title: text,
                 width: weight ? Math.max(1, Math.min(8, weight * 2)) : 1 };
      });
      var network = new vis.Network(box, { nodes: new vis.DataSet(nodes), edges: new vis.DataSet(edges) }, {
        nodes: { shape: "dot", size: 12, font: { size: 14, face: "system-ui, sans-serif" } },
        groups: { source: { color: { background: "#0b5cad", border: "#083f78" } },
                  target: { color: { background: "#e07b16", border: "#a3561b" } } },
        edges: { color: { color: "#8a97a8" }, font: { size: 11, align: "middle" }, smooth: false },
        physics: { stabilization: { iterations: 300 }, barnesHut: { gravitationalConstant: -6000, springLength: 140 } },
        interaction: { hover: true, tooltipDelay: 150 }
      });
      network.once("stabilizationIterationsDone", function () { network.setOptions({ physics: false }); network.fit(); });
      network.on("doubleClick", function (params) {
        var node = params.nodes.length ? spec.nodes[params.nodes[0]] : null;
        var href = node && hrefOf(node.term, options);
        if (href) window.location.href = href;
      });
      box.setAttribute("data-nodes", String(nodes.length));
      box.setAttribute("data-edges", String(edges.length));
      element.cakgNetwork = network;
      var t = function (c) { return title({ titles: options.titles || {} }, c.name); };
      caption(element, plural(nodes.length, "node", "nodes") + " and " + plural(edges.length, "link", "links") + ": " +
        t(spec.source) + " (blue) to " + t(spec.target) + " (orange)" + (spec.third ? (edges.length <= 12 ? ", labelled with " : ", with ") + t(spec.third) + (edges.length <= 12 ? "" : " on hover") : "") +
        ". Drag to move, scroll to zoom; double-click a node to open its page.");
      return { marks: nodes.length };
    });
  }

  var DRAW = { map: drawMap, chart: drawChart, timeline: drawTimeline, graph: drawGraph };

  /* Draw ``kind`` into ``element`` (emptied first); resolves to {marks}, rejects with the reason it cannot. */
  function draw(kind, element, data, options) {
    options = options || {};
    options.titles = data.titles;
    while (element.firstChild) element.removeChild(element.firstChild);
    var spec = plan(kind, data);
    if (!spec.ok) return Promise.reject(new Error(spec.reason));
    element.setAttribute("data-view", kind);
    return DRAW[kind](element, spec, options).then(function (result) {
      element.setAttribute("data-marks", String(result.marks));
      return result;
    });
  }

  /* The # view:, # column: and # group: lines of a query text (as cakg.presentation reads them). */
  function readHints(text) {
    var hints = { view: "table", viewColumns: [], titles: {}, group: [] };
    (text || "").split(/\r?\n/).forEach(function (line) {
      var found = /^\s*#\s*(view|column|group)\s*:\s*(.*?)\s*$/i.exec(line);
      if (!found) return;
      var key = found[1].toLowerCase(), value = found[2];
      if (key === "view") {
        var words = value.replace(/,/g, " ").split(/\s+/).filter(Boolean);
        if (words.length && KINDS.indexOf(words[0].toLowerCase()) >= 0) {
          hints.view = words[0].toLowerCase();
          hints.viewColumns = words.slice(1).map(function (w) { return w.replace(/^\?/, ""); });
        }
      } else if (key === "column") {
        var cut = value.indexOf("|");
        if (cut > 0 && value.substring(cut + 1).trim()) {
          hints.titles[value.substring(0, cut).trim().replace(/^\?/, "")] = value.substring(cut + 1).trim();
        }
      } else {
        hints.group = value.replace(/,/g, " ").split(/\s+/).filter(Boolean).map(function (w) { return w.replace(/^\?/, ""); });
      }
    });
    return hints;
  }

  window.CakgViews = { KINDS: KINDS, LABELS: LABELS, model: model, plan: plan, draw: draw, title: title,
                       shown: shown, readHints: readHints, localName: localName, dateOf: dateOf };
})();
