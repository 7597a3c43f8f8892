/* The SPARQL editor page: YASGUI on the local endpoint, with nothing fetched from other hosts.
 *
 * - the endpoint and the endpoint catalogue are this site's /sparql;
 * - the prefix autocompleter reads the project's prefix table (not prefix.cc);
 * - the property and class autocompleters read the terms used in this graph (not the LOV API);
 * - results: table and raw response only (no chart plugin); links to entities stay on this site.
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
    yasr: { prefixes: config.prefixes, pluginOrder: ["table", "response"], defaultPlugin: "table" }
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
