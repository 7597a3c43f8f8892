/* Small progressive enhancements for the explorer pages (everything works without them). */
(function () {
  "use strict";
  // Forms marked data-drop-empty leave empty fields out of the URL, so the parameter's default applies.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-drop-empty]"), function (form) {
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.querySelectorAll("input[name]"), function (input) {
        if (input.value.trim() === "") input.disabled = true;
      });
      window.setTimeout(function () {
        Array.prototype.forEach.call(form.querySelectorAll("input[name]"), function (input) { input.disabled = false; });
      }, 0);
    });
  });
})();

/* Parameters by name: a saved query's form suggests the graph's own entities as one types, in any language.
   Inputs with data-choices="KIND" complete from the list the page carries (#cakg-param-choices); inputs with
   data-complete="/search" ask the search for entities. The box keeps what was typed or the chosen entity's
   short form (a code or kind/slug); the service reads a name in any language either way. */
(function () {
  "use strict";
  var ID = "https://w3id.org/cakg/id/";
  var LIMIT = 12;
  var listed = {};
  var data = document.getElementById("cakg-param-choices");
  if (data) { try { listed = JSON.parse(data.textContent); } catch (e) { listed = {}; } }

  function squash(text) {
    return String(text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/đ/g, "d").replace(/[^\p{L}\p{N}\p{M}]+/gu, "");
  }

  function rank(choice, wanted) {
    if (!wanted) return [3, ""];
    var names = [choice.label].concat(choice.names || []);
    var best = null;
    names.forEach(function (name, index) {
      var key = squash(name), score = null;
      if (key === wanted) score = 0; else if (key.indexOf(wanted) === 0) score = 1; else if (key.indexOf(wanted) > 0) score = 2;
      if (score !== null && (best === null || score < best[0])) best = [score + (index ? 0.5 : 0), index ? name : ""];
    });
    if (best === null && squash(choice.value).indexOf(wanted) === 0) best = [1, ""];
    return best;
  }

  function shortForm(iri) { return iri.indexOf(ID) === 0 ? iri.slice(ID.length) : iri; }

  function enhance(input, source) {
    var field = input.parentNode;
    field.classList.add("has-suggestions");
    var list = document.createElement("ul");
    list.className = "cakg-suggest";
    list.id = input.id + "-suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var caption = document.createElement("span");
    caption.className = "param-label";
    caption.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", caption);
    caption.insertAdjacentElement("afterend", list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    var shown = [], active = -1, timer = null, asked = 0;

    // The entity the box names exactly (its code, kind/slug, IRI or one of its names), if any.
    function exact() {
      var value = squash(input.value);
      return (source.choices || []).filter(function (c) {
        return value && (squash(c.value) === value || (c.iri && (squash(c.iri) === value || squash(shortForm(c.iri)) === value))
                         || [c.label].concat(c.names || []).some(function (n) { return squash(n) === value; }));
      })[0];
    }

    function describe() {
      var found = exact();
      caption.textContent = found ? found.label : "";
      return found;
    }

    function close() {
      list.hidden = true; active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function choose(choice) {
      input.value = choice.value;
      caption.textContent = choice.label;
      close();
    }

    function render(items) {
      shown = items; active = -1;
      list.textContent = "";
      items.forEach(function (item, index) {
        var option = document.createElement("li");
        option.id = list.id + "-" + index;
        option.setAttribute("role", "option");
        var label = document.createElement("strong");
        label.textContent = item.choice.label;
        option.appendChild(label);
        if (item.via) {
          var via = document.createElement("span");
          via.className = "via";
          via.textContent = item.via;
          option.appendChild(via);
        }
        var code = document.createElement("code");
        code.textContent = item.choice.value;
        option.appendChild(code);
        option.addEventListener("mousedown", function (event) { event.preventDefault(); choose(item.choice); });
        list.appendChild(option);
      });
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
    }

    function fromList() {
      var wanted = squash(input.value);
      var scored = [];
      (source.choices || []).forEach(function (choice) {
        var r = rank(choice, wanted);
        if (r) scored.push({ choice: choice, score: r[0], via: r[1] });
      });
      scored.sort(function (a, b) { return a.score - b.score || a.choice.label.localeCompare(b.choice.label); });
      render(scored.slice(0, LIMIT));
    }

    function fromSearch() {
      var q = input.value.trim();
      if (q.length < 2) { render([]); return; }
      var mine = ++asked;
      fetch(source.url + "?format=json&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { entities: [] }; })
        .then(function (answer) {
          if (mine !== asked) return;
          var items = (answer.entities || []).filter(function (e) { return e.iri.indexOf(ID) === 0; }).slice(0, LIMIT)
            .map(function (e) {
              return { choice: { value: shortForm(e.iri), label: e.label }, via: e.match !== e.label ? e.match : "" };
            });
          render(items);
        })
        .catch(function () { render([]); });
    }

    function update() {
      if (source.url) { window.clearTimeout(timer); timer = window.setTimeout(fromSearch, 200); }
      else fromList();
    }

    function move(step) {
      if (!shown.length) return;
      active = (active + step + shown.length) % shown.length;
      Array.prototype.forEach.call(list.children, function (li, index) { li.classList.toggle("active", index === active); });
      input.setAttribute("aria-activedescendant", list.id + "-" + active);
    }

    // Typing something that names one entity exactly needs no list over the rest of the form.
    input.addEventListener("input", function () { if (describe() && !source.url) close(); else update(); });
    if (input.form) input.form.addEventListener("submit", close);
    input.addEventListener("focus", function () { if (!source.url && !exact()) update(); });
    input.addEventListener("blur", function () { window.setTimeout(close, 100); describe(); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); if (list.hidden) update(); else move(1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); move(-1); }
      else if (event.key === "Enter" && !list.hidden && active >= 0) { event.preventDefault(); choose(shown[active].choice); }
      else if (event.key === "Escape") close();
    });
    describe();
  }

  Array.prototype.forEach.call(document.querySelectorAll("input[data-choices]"), function (input) {
    enhance(input, { choices: listed[input.getAttribute("data-choices")] || [] });
  });
  Array.prototype.forEach.call(document.querySelectorAll("input[data-complete]"), function (input) {
    enhance(input, { url: input.getAttribute("data-complete") });
  });
})();
