/* The SPARQL editor page: YASGUI on the local endpoint, with nothing fetched from other hosts.
 *
 * - the endpoint and the endpoint catalogue are this site's /sparql;
 * - the prefix autocompleter reads the project's prefix table (not prefix.cc);
 * - the property and class autocompleters read the terms used in this graph (not the LOV API);
 * - results: the table for people (as on saved-query pages: titled columns, entities once as linked
 *   labels, quotes gathered per fact, sorting and paging) and the map, bar chart, timeline and graph
 *   views of views.js, as YASR plugins; YASR's own table and the raw response stay available. The
 *   chosen view is in the page's URL (?view=table|map|chart|timeline|graph); a query's "# view:" line
 *   suggests one. Links to entities stay on this site.
 */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("cakg-editor-config").textContent);
  var endpoint = new URL(config.endpoint, window.location.href).href;
  var Yasqe = Yasgui.Yasqe;

  // ---------------------------------------------------------------- autocompleters with local data
  var prefixList = Object.keys(config.prefixes).sort().map(function (p) {
    return p + ": <" + config.prefixes[p] + ">";
  });

  function localName(iri) {
    var cut = Math.max(iri.lastIndexOf("#"), iri.lastIndexOf("/"));
    return iri.substring(cut + 1);
  }

  function termsFrom(list) {
    return function (yasqe, token) {
      var wanted = ((token && token.autocompletionString) || "").trim();
      if (!wanted) return Promise.resolve([]);
      var low = wanted.toLowerCase();
      var bare = wanted.indexOf(":") < 0;
      var hits = list.filter(function (iri) {
        return iri.toLowerCase().indexOf(low) === 0 || (bare && localName(iri).toLowerCase().indexOf(low) === 0);
      });
      return Promise.resolve(hits.slice(0, 100));
    };
  }

  Yasqe.registerAutocompleter(Object.assign({}, Yasqe.Autocompleters.prefixes, {
    get: function () { return Promise.resolve(prefixList); }
  }));
  Yasqe.registerAutocompleter(Object.assign({}, Yasqe.Autocompleters.property, { get: termsFrom(config.properties) }));
  Yasqe.registerAutocompleter(Object.assign({}, Yasqe.Autocompleters["class"], { get: termsFrom(config.classes) }));
  // prefix.cc is never asked: the prefix autocompleter above has its own data.
  Yasqe.defaults.prefixCcApi = "";

  // ---------------------------------------------------------------- result views as YASR plugins
  // The plugin names YASR knows them by, and the ?view= names of the pages (the same for the views).
  var VIEW_OF_PLUGIN = { people: "table", map: "map", chart: "chart", timeline: "timeline", graph: "graph" };
  var PLUGIN_OF_VIEW = { table: "people", map: "map", chart: "chart", timeline: "timeline", graph: "graph" };

  function currentQuery() {
    var editor = window.cakgEditor;
    try { return editor ? editor.yasgui.getTab().getQuery() : ""; } catch (error) { return ""; }
  }

  function resultModel(yasr) {
    var results = yasr.results;
    if (!results || results.getType() !== "json") return null;
    var variables = results.getVariables() || [], bindings = results.getBindings();
    if (!variables.length || !bindings) return null;
    return window.CakgViews.model(variables, bindings, window.CakgViews.readHints(currentQuery()));
  }

  function entityHref(iri) {
    if (iri.indexOf(config.idNamespace) === 0) return config.localEntityPath + iri.substring(config.idNamespace.length);
    return iri;
  }

  function icon(text) {
    var span = document.createElement("span");
    span.className = "cakg-plugin-icon";
    span.setAttribute("aria-hidden", "true");
    span.textContent = text;
    return span;
  }

  /* The table for people: the server's rendering of the same query (templates/_macros.html), so the
     editor and the saved-query pages show one table; it asks /sparql once more, for format=html. */
  function PeopleTable(yasr) { this.yasr = yasr; this.priority = 20; this.label = "Table"; }
  PeopleTable.prototype.canHandleResults = function () { return resultModel(this.yasr) !== null; };
  PeopleTable.prototype.getIcon = function () { return icon("☰"); };
  PeopleTable.prototype.draw = function () {
    var target = document.createElement("div");
    target.className = "cakg-table";
    target.setAttribute("aria-busy", "true");
    target.textContent = "Reading the table…";
    this.yasr.resultsEl.appendChild(target);
    var body = new URLSearchParams();
    body.set("query", currentQuery());
    body.set("format", "html");
    return fetch(endpoint, { method: "POST", body: body, headers: { accept: "text/html" } }).then(function (r) {
      return r.text().then(function (text) {
        if (!r.ok) throw new Error(text.split("\n")[0] || "HTTP " + r.status);
        return text;
      });
    }).then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      var parts = page.querySelectorAll("p.row-count, p.boolean-result, .table-wrap");
      target.textContent = "";
      Array.prototype.forEach.call(parts, function (part) { target.appendChild(document.importNode(part, true)); });
      target.removeAttribute("aria-busy");
      var table = target.querySelector("table.results");
      if (table && window.CakgResults) window.CakgResults.enhance(table);
    }, function (error) {
      target.removeAttribute("aria-busy");
      target.textContent = "The table could not be read: " + error.message;
    });
  };

  function ViewPlugin(kind) {
    function Plugin(yasr) { this.yasr = yasr; this.priority = 5; this.label = window.CakgViews.LABELS[kind]; }
    Plugin.prototype.canHandleResults = function () {
      var model = resultModel(this.yasr);
      return model !== null && window.CakgViews.plan(kind, model).ok;
    };
    Plugin.prototype.getIcon = function () {
      return icon({ map: "◎", chart: "▤", timeline: "⋯", graph: "⬡" }[kind]);
    };
    Plugin.prototype.draw = function () {
      var stage = document.createElement("div");
      stage.className = "cakg-view result-view";
      this.yasr.resultsEl.appendChild(stage);
      return window.CakgViews.draw(kind, stage, resultModel(this.yasr), { href: entityHref }).catch(function (error) {
        stage.textContent = "No " + window.CakgViews.LABELS[kind].toLowerCase() + " for this result: " + error.message + ".";
      });
    };
    return Plugin;
  }

  // YASR's own table stays, as "All columns" (every variable, IRIs as IRIs), after the views.
  var YasrTable = Yasgui.Yasr.plugins.table;
  function AllColumns(yasr) {
    var table = new YasrTable(yasr);
    table.label = "All columns";
    return table;
  }
  var plugins = ["table", "response"], defaultPlugin = "table";
  if (window.CakgViews) {
    Yasgui.Yasr.registerPlugin("people", PeopleTable);
    ["map", "chart", "timeline", "graph"].forEach(function (kind) { Yasgui.Yasr.registerPlugin(kind, ViewPlugin(kind)); });
    Yasgui.Yasr.registerPlugin("table", YasrTable, false);
    Yasgui.Yasr.registerPlugin("columns", AllColumns);
    plugins = ["people", "map", "chart", "timeline", "graph", "columns", "response"];
    defaultPlugin = "people";
  }
  // A tab's YASR reads these defaults (its own config does not reach the plugin order).
  Yasgui.Yasr.defaults.pluginOrder = plugins;
  Yasgui.Yasr.defaults.defaultPlugin = defaultPlugin;

  // ---------------------------------------------------------------- YASGUI on the local endpoint
  var catalogue = function () { return [{ endpoint: endpoint }]; };
  Yasgui.defaults.requestConfig = Object.assign({}, Yasgui.defaults.requestConfig, { endpoint: endpoint, method: "POST" });
  Yasgui.defaults.endpointCatalogueOptions = Object.assign({}, Yasgui.defaults.endpointCatalogueOptions, { getData: catalogue });
  Yasgui.Yasr.defaults.prefixes = config.prefixes;

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    endpointCatalogueOptions: { getData: catalogue },
    copyEndpointOnNewTab: true,
    populateFromUrl: false,
    corsProxy: undefined,
    endpointInfo: undefined,
    persistenceId: "cakg-editor",
    tabName: "Query",
    yasqe: { value: config.defaultQuery, editorHeight: "340px", resizeable: true, showQueryButton: true },
    yasr: { prefixes: config.prefixes, pluginOrder: plugins, defaultPlugin: defaultPlugin }
  });

  function useLocalEndpoint(tab) {
    if (tab && tab.getEndpoint && tab.getEndpoint() !== endpoint) tab.setEndpoint(endpoint);
  }
  useLocalEndpoint(yasgui.getTab());
  yasgui.on("tabSelect", function (instance, id) {
    window.setTimeout(function () { useLocalEndpoint(yasgui.getTab(id)); }, 0);
  });
  yasgui.on("tabAdd", function (instance, id) {
    window.setTimeout(function () { useLocalEndpoint(yasgui.getTab(id)); }, 0);
  });

  // ?query=… prefills the editor.
  if (config.query) {
    yasgui.getTab().setQuery(config.query);
  }

  // ?view=… chooses how results are shown; choosing another puts it in the URL. Without one in the
  // URL, a "# view:" line of the query that ran suggests it.
  var wantedView = new URL(window.location.href).searchParams.get("view");
  function select(yasr, plugin) {
    if (yasr && plugin && yasr.getSelectedPluginName() !== plugin) yasr.selectPlugin(plugin);
  }
  function follow(tab) {
    var yasr = tab && tab.getYasr && tab.getYasr();
    if (!yasr || yasr.cakgFollowed) return;
    yasr.cakgFollowed = true;
    yasr.on("change", function () {
      var view = VIEW_OF_PLUGIN[yasr.getSelectedPluginName()];
      var url = new URL(window.location.href);
      if (view) url.searchParams.set("view", view);
      else url.searchParams.delete("view");
      window.history.replaceState(null, "", url.toString());
    });
  }
  follow(yasgui.getTab());
  if (wantedView && PLUGIN_OF_VIEW[wantedView]) select(yasgui.getTab().getYasr(), PLUGIN_OF_VIEW[wantedView]);
  yasgui.on("tabSelect", function (instance, id) { window.setTimeout(function () { follow(yasgui.getTab(id)); }, 0); });
  yasgui.on("queryResponse", function (instance, tab) {
    if (wantedView) return;  // the URL's choice stands
    var hint = window.CakgViews ? window.CakgViews.readHints(currentQuery()).view : "table";
    if (hint === "table") return;  // what the reader chose last stays
    window.setTimeout(function () { select(tab.getYasr(), PLUGIN_OF_VIEW[hint]); }, 0);
  });

  // ---------------------------------------------------------------- saved queries as examples
  var examples = {};
  config.examples.forEach(function (e) { examples[e.name] = e; });
  Array.prototype.forEach.call(document.querySelectorAll("button.example"), function (button) {
    button.addEventListener("click", function () {
      var example = examples[button.getAttribute("data-name")];
      if (!example) return;
      var tab = yasgui.getTab();
      useLocalEndpoint(tab);
      tab.setQuery(example.query);
      if (tab.setName) tab.setName(example.title.length > 40 ? example.title.substring(0, 39) + "…" : example.title);
      Array.prototype.forEach.call(document.querySelectorAll("button.example.selected"), function (b) {
        b.classList.remove("selected");
      });
      button.classList.add("selected");
      var yasqe = tab.getYasqe && tab.getYasqe();
      if (yasqe) yasqe.focus();
    });
  });

  // ---------------------------------------------------------------- links in results stay on this site
  var idNamespace = config.idNamespace;
  var ontology = "https://w3id.org/cakg/ontology#";
  function localise(root) {
    Array.prototype.forEach.call(root.querySelectorAll("a[href^='https://w3id.org/cakg/']"), function (a) {
      var href = a.getAttribute("href");
      if (href.indexOf(idNamespace) === 0) {
        a.setAttribute("href", config.localEntityPath + href.substring(idNamespace.length));
      } else if (href.indexOf(ontology) === 0) {
        a.setAttribute("href", config.ontologyPath + "#" + href.substring(ontology.length));
      } else {
        return;
      }
      a.removeAttribute("target");
      a.setAttribute("title", href);
    });
  }
  new MutationObserver(function () { localise(document.getElementById("yasgui")); })
    .observe(document.getElementById("yasgui"), { childList: true, subtree: true });

  window.cakgEditor = { yasgui: yasgui, endpoint: endpoint };
})();
