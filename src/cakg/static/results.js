/* Result pages: sort the entries of a result table by any column, page through them, and show the result
 * as a map, bar chart, timeline or graph (views.js), with the view in the URL (?view=…).
 *
 * The table is the server's (templates/_macros.html): one <tbody class="entry"> per entry with its
 * sort keys in data-keys. Without this script every entry is shown, unsorted, and no view is offered.
 * CakgResults.enhance(table) is also what the editor's table (editor.js) uses.
 */
(function () {
  "use strict";

  var PAGE_SIZES = [25, 50, 100, 0];  // 0: all

  function compare(a, b) {
    var emptyA = a === "" || a === null || a === undefined, emptyB = b === "" || b === null || b === undefined;
    if (emptyA || emptyB) return emptyA === emptyB ? 0 : emptyA ? 1 : -1;  // empty cells last
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: "base" });
  }

  function button(text, label, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "pager-button";
    b.textContent = text;
    if (label) b.setAttribute("aria-label", label);
    b.addEventListener("click", onClick);
    return b;
  }

  /* Sortable headers and a pager for a table of <tbody class="entry" data-keys='[…]'> entries. */
  function enhance(table, options) {
    options = options || {};
    if (!table || table.getAttribute("data-enhanced")) return null;
    table.setAttribute("data-enhanced", "true");
    var entries = Array.prototype.slice.call(table.querySelectorAll("tbody.entry"));
    var keys = entries.map(function (e) {
      try { return JSON.parse(e.getAttribute("data-keys") || "[]"); } catch (error) { return []; }
    });
    var order = entries.map(function (_, i) { return i; });
    var state = { page: 0, size: options.size || 25, column: null, descending: false };
    var headers = Array.prototype.slice.call(table.querySelectorAll("thead th")).slice(1);  // after "#"

    headers.forEach(function (th, column) {
      var label = th.textContent;
      th.textContent = "";
      var b = document.createElement("button");
      b.type = "button";
      b.className = "sort";
      b.textContent = label;
      b.title = "sort by " + label;
      b.addEventListener("click", function () {
        state.descending = state.column === column ? !state.descending : false;
        state.column = column;
        order.sort(function (i, j) {
          var c = compare(keys[i][column], keys[j][column]);
          return (state.descending ? -c : c) || i - j;
        });
        headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", state.descending ? "descending" : "ascending");
        var body = table;
        order.forEach(function (i) { body.appendChild(entries[i]); });
        state.page = 0;
        render();
      });
      th.appendChild(b);
    });

    var pager = document.createElement("nav");
    pager.className = "pager";
    pager.setAttribute("aria-label", "pages of the result");
    var wrap = table.closest(".table-wrap") || table;
    wrap.parentNode.insertBefore(pager, wrap.nextSibling);

    function render() {
      var size = state.size || entries.length;
      var pages = Math.max(1, Math.ceil(entries.length / size));
      state.page = Math.min(state.page, pages - 1);
      order.forEach(function (i, position) {
        entries[i].hidden = !(position >= state.page * size && position < (state.page + 1) * size);
      });
      while (pager.firstChild) pager.removeChild(pager.firstChild);
      if (entries.length <= PAGE_SIZES[0]) return;
      var first = state.page * size + 1, last = Math.min(entries.length, (state.page + 1) * size);
      var info = document.createElement("span");
      info.className = "pager-info";
      info.textContent = "entries " + first + "–" + last + " of " + entries.length;
      pager.appendChild(button("‹ Previous", "previous page", function () { state.page -= 1; render(); scrollBack(); }));
      pager.lastChild.disabled = state.page === 0;
      pager.appendChild(info);
      pager.appendChild(button("Next ›", "next page", function () { state.page += 1; render(); scrollBack(); }));
      pager.lastChild.disabled = state.page >= pages - 1;
      var select = document.createElement("select");
      select.setAttribute("aria-label", "entries per page");
      PAGE_SIZES.forEach(function (n) {
        var option = document.createElement("option");
        option.value = String(n);
        option.textContent = n ? n + " per page" : "all";
        option.selected = n === state.size;
        select.appendChild(option);
      });
      select.addEventListener("change", function () { state.size = Number(select.value); state.page = 0; render(); });
      pager.appendChild(select);
    }

    function scrollBack() {
      var top = table.getBoundingClientRect().top;
      if (top < 0) table.scrollIntoView({ block: "start" });
    }

    render();
    return { render: render, state: state };
  }

  window.CakgResults = { enhance: enhance };

  // ---------------------------------------------------------------- the page's result, as a table or a view

  var configElement = document.getElementById("cakg-results-config");
  Array.prototype.forEach.call(document.querySelectorAll("table.results"), function (t) { enhance(t); });
  if (!configElement || !window.CakgViews) return;
  var config = JSON.parse(configElement.textContent);
  var nav = document.querySelector("nav.result-views");
  var stage = document.getElementById("result-view");
  var tableParts = Array.prototype.slice.call(document.querySelectorAll(".table-wrap, nav.pager, p.row-count"));
  var note = nav.querySelector(".view-note");
  var loaded = null;

  function data() {
    if (!loaded) {
      loaded = fetch(config.data, { headers: { accept: "application/sparql-results+json" } }).then(function (r) {
        if (!r.ok) throw new Error("the result could not be read (HTTP " + r.status + ")");
        return r.json();
      }).then(function (json) {
        return window.CakgViews.model(json.head.vars || [], json.results.bindings || [],
                                      { view: config.view, viewColumns: config.viewColumns, titles: config.titles });
      });
    }
    return loaded;
  }

  function localHref(iri) {
    var id = "https://w3id.org/cakg/id/";
    var link = document.querySelector("table.results a[title='" + iri.replace(/'/g, "\\'") + "']");
    if (link) return link.getAttribute("href");
    return iri.indexOf(id) === 0 ? config.static.replace(/static\/$/, "") + "id/" + iri.substring(id.length) : iri;
  }

  function show(kind, push) {
    Array.prototype.forEach.call(nav.querySelectorAll("a.view-choice"), function (a) {
      if (a.getAttribute("data-view") === kind) a.setAttribute("aria-current", "true");
      else a.removeAttribute("aria-current");
    });
    if (push) {
      var url = new URL(window.location.href);
      url.searchParams.set("view", kind);
      window.history.pushState({ view: kind }, "", url.toString());
    }
    note.textContent = "";
    if (kind === "table") {
      stage.hidden = true;
      tableParts.forEach(function (part) { part.hidden = false; });
      return Promise.resolve();
    }
    tableParts.forEach(function (part) { part.hidden = true; });
    stage.hidden = false;
    stage.setAttribute("aria-busy", "true");
    return data().then(function (model) {
      return window.CakgViews.draw(kind, stage, model, { href: localHref });
    }).then(function () {
      stage.removeAttribute("aria-busy");
    }, function (error) {
      stage.removeAttribute("aria-busy");
      // The table instead, and why (after show() has cleared the note).
      return show("table", false).then(function () {
        note.textContent = "No " + window.CakgViews.LABELS[kind].toLowerCase() + " for this result: " + error.message + ".";
        return markPossible();
      });
    });
  }

  // Views that cannot draw this result are marked once the data is read (only when one is asked for,
  // so the table alone never costs a second request).
  function markPossible() {
    return data().then(function (model) {
      Array.prototype.forEach.call(nav.querySelectorAll("a.view-choice"), function (a) {
        var verdict = window.CakgViews.plan(a.getAttribute("data-view"), model);
        if (!verdict.ok) {
          a.setAttribute("aria-disabled", "true");
          a.title = verdict.reason;
        }
      });
    });
  }

  nav.hidden = false;
  Array.prototype.forEach.call(nav.querySelectorAll("a.view-choice"), function (a) {
    a.addEventListener("click", function (event) {
      event.preventDefault();
      if (a.getAttribute("aria-disabled") === "true") {
        note.textContent = a.title;
        return;
      }
      show(a.getAttribute("data-view"), true);
    });
  });
  window.addEventListener("popstate", function () {
    var kind = new URL(window.location.href).searchParams.get("view") || config.suggested || "table";
    show(window.CakgViews.KINDS.indexOf(kind) >= 0 ? kind : "table", false);
  });
  var shown = show(config.view, false);
  if (config.view !== "table") shown.then(markPossible);
  else nav.addEventListener("mouseover", function once() { nav.removeEventListener("mouseover", once); markPossible(); });
  window.cakgResults = { show: show, config: config };
})();
