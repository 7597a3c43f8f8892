/* cakg curation workbench: select words in a passage, fill the form the shapes define, save. No dependencies. */
(function () {
  "use strict";
  var DOC = document.currentScript.getAttribute("data-doc");
  var TOKEN = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var panel = document.getElementById("panel");
  var form = document.getElementById("fact-form");
  var quoteBox = document.getElementById("quote");
  var passageLabel = document.getElementById("passage-label");
  var classSelect = document.getElementById("class-select");
  var classDefinition = document.getElementById("class-definition");
  var fieldsBox = document.getElementById("fields");
  var formError = document.getElementById("form-error");
  var panelTitle = document.getElementById("panel-title");
  var toast = document.getElementById("toast");
  var entityClasses = Array.prototype.map.call(
    classSelect.querySelectorAll('optgroup:nth-of-type(2) option'), function (o) { return { iri: o.value, label: o.textContent }; });
  var state = { mode: "create", iri: null, passage: null, counter: 0, newEntities: {} };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "className") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  function api(method, url, body) {
    var options = { method: method, headers: { "X-CSRF-Token": TOKEN, "Content-Type": "application/json" } };
    if (method !== "GET") options.body = JSON.stringify(body || {});
    else delete options.headers["Content-Type"];
    return fetch(url, options).then(function (r) {
      return r.json().then(function (data) { data.status = r.status; return data; });
    });
  }

  function showToast(text, isError) {
    toast.textContent = text;
    toast.className = "toast" + (isError ? " error" : "");
    toast.hidden = false;
    clearTimeout(showToast.timer);
    showToast.timer = setTimeout(function () { toast.hidden = true; }, 6000);
  }

  /* ------------------------------------------------------------ selection opens the form */

  function passageOf(node) {
    var element = node && (node.nodeType === 1 ? node : node.parentElement);
    return element ? element.closest(".passage .text") : null;
  }

  document.addEventListener("mouseup", function (event) {
    if (panel.contains(event.target)) return;
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return;
    var range = selection.getRangeAt(0);
    var start = passageOf(range.startContainer), end = passageOf(range.endContainer);
    var text = selection.toString().replace(/\s+/g, " ").trim();
    if (!start || start !== end || text.length < 3) return;
    openCreate(text, start.closest(".passage"));
  });

  function markPassage(passage) {
    document.querySelectorAll(".passage.selected").forEach(function (p) { p.classList.remove("selected"); });
    if (passage) passage.classList.add("selected");
  }

  function openCreate(text, passage) {
    state = { mode: "create", iri: null, passage: passage.getAttribute("data-iri"), counter: 0, newEntities: {} };
    panelTitle.textContent = "New fact";
    quoteBox.value = text;
    quoteBox.readOnly = false;
    passageLabel.textContent = "from " + passage.id;
    classSelect.disabled = false;
    clearErrors();
    markPassage(passage);
    panel.hidden = false;
    if (classSelect.value) loadForm(classSelect.value, []); else fieldsBox.textContent = "";
    classSelect.focus();
  }

  classSelect.addEventListener("change", function () {
    state.newEntities = {};
    if (classSelect.value) loadForm(classSelect.value, []); else fieldsBox.textContent = "";
  });

  document.getElementById("cancel").addEventListener("click", closePanel);

  function closePanel() {
    panel.hidden = true;
    markPassage(null);
  }

  /* ------------------------------------------------------------ the form from the shapes */

  function loadForm(classIri, values, kept) {
    return api("GET", "/api/form?class=" + encodeURIComponent(classIri)).then(function (data) {
      if (!data.ok) { formError.textContent = data.error; return; }
      var option = classSelect.querySelector('option[value="' + CSS.escape(classIri) + '"]');
      classDefinition.textContent = data["class"].definition || (option ? option.title : "");
      renderFields(data.fields, values || [], kept || []);
    });
  }

  function renderFields(fields, values, kept) {
    fieldsBox.textContent = "";
    var groups = { required: "Required", names: "Names", roles: "Roles", general: "More properties" };
    var more = el("details", { className: "more" }, [el("summary", { text: "More properties (dates, topic, status, note…)" })]);
    var current = null;
    fields.forEach(function (field) {
      var has = values.some(function (v) { return v.key === field.key; });
      if (field.group !== current && field.group !== "general") {
        current = field.group;
        fieldsBox.appendChild(el("div", { className: "group-title", text: groups[field.group] }));
      }
      var node = renderField(field, values.filter(function (v) { return v.key === field.key; }));
      if (field.group === "general") {
        more.appendChild(node);
        if (has) more.open = true;
      } else fieldsBox.appendChild(node);
    });
    fieldsBox.appendChild(more);
    if (kept.length) {
      fieldsBox.appendChild(el("div", { className: "kept", text: "Kept as written: " + kept.map(function (k) {
        return k.property + " " + k.value; }).join("; ") }));
    }
  }

  function renderField(field, values) {
    var id = "field-" + field.key.replace(/[^A-Za-z0-9]/g, "-");
    var wrapper = el("div", { className: "field" + (field.required ? " required" : ""), "data-key": field.key });
    wrapper.appendChild(el("label", { "for": id, text: field.label + (field.key !== field.label ? " (" + field.key + ")" : "") }));
    if (field.definition) wrapper.appendChild(el("div", { className: "definition", text: field.definition }));
    if (field.allowed && field.allowed.length) {
      wrapper.appendChild(el("div", { className: "allowed", text: "allowed: " + field.allowed.map(function (a) { return a.label; }).join(", ") }));
    }
    if (field.entity) wrapper.appendChild(entityInput(field, id, values));
    else {
      var long = field.key === "note" || field.key === "vagueness";
      var input = el(long ? "textarea" : "input", { id: id, name: field.key, type: "text", rows: "2" });
      if (field.datatype === "date") input.placeholder = "YYYY, YYYY-MM or YYYY-MM-DD, as precise as the text";
      if (values.length) input.value = values[0].value;
      wrapper.appendChild(input);
    }
    wrapper.appendChild(el("div", { className: "field-error", "data-error-for": field.key }));
    return wrapper;
  }

  function entityInput(field, id, values) {
    var chips = el("div", { className: "chips" });
    var input = el("input", { id: id, type: "text", autocomplete: "off", placeholder: "type a name in any language…" });
    var list = el("ul", { className: "suggestions", role: "listbox" });
    list.hidden = true;
    chips.appendChild(input);
    values.forEach(function (v) { addChip(chips, field, v.value, v.label, false); });
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { suggest(field, input, list, chips); }, 120);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        var first = list.querySelector("li");
        if (first && !list.hidden) first.click();
      } else if (event.key === "Escape") list.hidden = true;
    });
    input.addEventListener("blur", function () { setTimeout(function () { list.hidden = true; }, 200); });
    var box = el("div", {}, [chips, list]);
    box.style.position = "relative";
    return box;
  }

  function suggest(field, input, list, chips) {
    var q = input.value.trim();
    list.textContent = "";
    if (!q) { list.hidden = true; return; }
    var allowed = (field.allowed || []).map(function (a) { return a.iri; }).join(",");
    api("GET", "/api/entities?q=" + encodeURIComponent(q) + "&allowed=" + encodeURIComponent(allowed)).then(function (data) {
      list.textContent = "";
      (data.results || []).forEach(function (r) {
        var others = Object.keys(r.labels).filter(function (l) { return l !== "en"; })
          .map(function (l) { return r.labels[l]; }).join(" · ");
        var named = r.match && r.match !== r.label ? r.label + " — " + r.match : r.label;
        var item = el("li", { role: "option", "data-iri": r.iri, title: r.iri }, [
          el("span", { text: named }), document.createTextNode(" "),
          el("span", { className: "other", text: (others ? others + " · " : "") + r.types.join(", ") })]);
        item.addEventListener("mousedown", function (e) { e.preventDefault(); });
        item.addEventListener("click", function () {
          addChip(chips, field, r.iri, r.label, false);
          input.value = ""; list.hidden = true;
        });
        list.appendChild(item);
      });
      var create = el("li", { className: "create", text: "+ create “" + q + "” as a new entity" });
      create.addEventListener("mousedown", function (e) { e.preventDefault(); });
      create.addEventListener("click", function () { list.hidden = true; newEntityForm(field, chips, q, input); });
      list.appendChild(create);
      list.hidden = false;
    });
  }

  function addChip(chips, field, value, label, isNew) {
    if (field.single) chips.querySelectorAll(".chip").forEach(function (c) { c.remove(); });
    var remove = el("button", { type: "button", "aria-label": "remove " + label, text: "×" });
    var chip = el("span", { className: "chip" + (isNew ? " new" : ""), "data-value": value, title: value },
                  [document.createTextNode(label), remove]);
    remove.addEventListener("click", function () {
      if (isNew) delete state.newEntities[value];
      chip.remove();
    });
    chips.insertBefore(chip, chips.querySelector("input"));
    var holder = chips.closest(".field");
    if (holder && holder.classList.contains("has-error")) {  /* the curator is fixing it */
      holder.classList.remove("has-error");
      holder.querySelector(".field-error").textContent = "";
    }
  }

  function newEntityForm(field, chips, text, input) {
    var allowedIris = (field.allowed || []).map(function (a) { return a.iri; });
    var select = el("select", { "aria-label": "class of the new entity" });
    entityClasses.forEach(function (c) {
      var option = el("option", { value: c.iri, text: c.label });
      select.appendChild(option);
    });
    var preferred = entityClasses.filter(function (c) { return allowedIris.indexOf(c.iri) >= 0; })[0];
    if (preferred) select.value = preferred.iri;
    var english = el("input", { type: "text", "aria-label": "English label", value: text });
    var chinese = el("input", { type: "text", "aria-label": "Chinese label", placeholder: "Chinese label (needed for organisations, places, agreements)" });
    var add = el("button", { type: "button", text: "Add new entity" });
    var cancel = el("button", { type: "button", text: "Cancel" });
    var box = el("div", { className: "new-entity" }, [
      el("label", { text: "New entity: class" }), select, el("label", { text: "English label" }), english,
      el("label", { text: "Chinese label" }), chinese, el("div", { className: "form-actions" }, [add, cancel])]);
    add.addEventListener("click", function () {
      if (!english.value.trim()) { english.focus(); return; }
      state.counter += 1;
      var ref = "new:" + state.counter;
      state.newEntities[ref] = { ref: ref, "class": select.value, label: english.value.trim(), label_zh: chinese.value.trim() };
      addChip(chips, field, ref, english.value.trim() + " (new)", true);
      box.remove(); input.value = "";
    });
    cancel.addEventListener("click", function () { box.remove(); });
    chips.parentElement.appendChild(box);
    english.focus();
  }

  /* ------------------------------------------------------------ save, edit, delete */

  function collect() {
    var values = [];
    fieldsBox.querySelectorAll(".field").forEach(function (field) {
      var key = field.getAttribute("data-key");
      var chips = field.querySelectorAll(".chip");
      if (chips.length) chips.forEach(function (c) { values.push({ key: key, value: c.getAttribute("data-value") }); });
      else {
        var input = field.querySelector("input[name], textarea[name]");
        if (input && input.value.trim()) values.push({ key: key, value: input.value.trim() });
      }
    });
    return values;
  }

  function clearErrors() {
    formError.textContent = "";
    fieldsBox.querySelectorAll(".has-error").forEach(function (f) { f.classList.remove("has-error"); });
    form.querySelectorAll(".field-error").forEach(function (e) { e.textContent = ""; });
  }

  function showViolations(data) {
    clearErrors();
    var general = [];
    (data.violations || []).forEach(function (v) {
      var target = null;
      if (v.entity) {
        var chip = fieldsBox.querySelector('.chip[data-value="' + CSS.escape(v.entity) + '"]');
        target = chip ? chip.closest(".field") : null;
      } else if (v.field) {
        target = fieldsBox.querySelector('.field[data-key="' + CSS.escape(v.field) + '"]');
        if (!target && v.field === "quote") target = quoteBox.parentElement;
      }
      if (target) {
        var more = target.closest("details"); if (more) more.open = true;
        target.classList.add("has-error");
        var box = target.querySelector(".field-error");
        box.textContent = (box.textContent ? box.textContent + " · " : "") + (v.entity ? "new entity: " : "") + v.message;
      } else general.push(v.message + (v.path ? " [" + v.path + "]" : ""));
    });
    formError.textContent = general.length ? general.join(" · ") : (data.violations ? "" : data.error);
    var first = form.querySelector(".has-error, .form-error:not(:empty)");
    if (first) first.scrollIntoView({ block: "nearest" });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var save = document.getElementById("save");
    save.disabled = true;
    save.textContent = "Validating…";
    var request;
    if (state.mode === "create") {
      request = api("POST", "/api/facts", {
        doc: DOC, "class": classSelect.value, quote: quoteBox.value, passage: state.passage, values: collect(),
        new_entities: Object.keys(state.newEntities).map(function (k) { return state.newEntities[k]; }) });
    } else {
      request = api("PUT", "/api/facts", { iri: state.iri, "class": classSelect.value, values: collect() });
    }
    request.then(function (data) {
      if (data.ok) {
        showToast("Saved " + data.iri.replace(/^.*\/id\//, "") + " into " + data.file);
        var passages = state.mode === "create" ? [data.passage] : passagesCiting(state.iri);
        closePanel();
        passages.forEach(refreshPassage);
      } else if (data.status === 422) showViolations(data);
      else { clearErrors(); formError.textContent = data.error || "the save failed"; }
    }).catch(function (error) { formError.textContent = String(error); })
      .finally(function () { save.disabled = false; save.textContent = "Save"; });
  });

  function passagesCiting(iri) {
    var found = [];
    document.querySelectorAll('.citations li[data-fact="' + CSS.escape(iri) + '"]').forEach(function (li) {
      var iriOf = li.closest(".passage").getAttribute("data-iri");
      if (found.indexOf(iriOf) < 0) found.push(iriOf);
    });
    return found;
  }

  function refreshPassage(iri) {
    return fetch("/doc/" + encodeURIComponent(DOC) + "/passage?iri=" + encodeURIComponent(iri)).then(function (r) {
      return r.text();
    }).then(function (html) {
      var old = document.querySelector('.passage[data-iri="' + CSS.escape(iri) + '"]');
      if (!old) return;
      var holder = document.createElement("div");
      holder.innerHTML = html.trim();
      var fresh = holder.firstElementChild;
      old.replaceWith(fresh);
      var todo = document.querySelector('#todo a[href="#' + CSS.escape(fresh.id) + '"]');
      if (todo && !fresh.classList.contains("uncited")) todo.parentElement.remove();
      if (!todo && fresh.classList.contains("uncited")) {  /* its last fact was deleted: back on the list */
        var item = el("li", {}, [el("a", { href: "#" + fresh.id, text: fresh.id }), document.createTextNode(" "),
                                 el("span", { className: "muted", text: fresh.querySelector(".text").textContent.slice(0, 70) })]);
        document.querySelector("#todo ol").appendChild(item);
      }
      var count = String(document.querySelectorAll("#todo li").length);
      document.querySelectorAll(".uncited-count").forEach(function (c) { c.textContent = count; });
    });
  }

  document.addEventListener("click", function (event) {
    var editButton = event.target.closest(".edit-fact");
    var deleteButton = event.target.closest(".delete-fact");
    if (editButton) openEdit(editButton.getAttribute("data-iri"), editButton.closest(".passage"));
    if (deleteButton) removeFact(deleteButton.getAttribute("data-iri"));
  });

  function openEdit(iri, passage) {
    api("GET", "/api/fact?iri=" + encodeURIComponent(iri)).then(function (data) {
      if (!data.ok) { showToast(data.error, true); return; }
      state = { mode: "edit", iri: iri, passage: null, counter: 0, newEntities: {} };
      panelTitle.textContent = "Edit " + iri.replace(/^.*\/id\//, "");
      quoteBox.value = data.evidence.map(function (e) { return e.quote; }).join("\n");
      quoteBox.readOnly = true;
      passageLabel.textContent = data.file + " · quotes are kept; delete and encode again to change one";
      classSelect.value = data["class"];
      classSelect.disabled = true;
      clearErrors();
      markPassage(passage);
      panel.hidden = false;
      loadForm(data["class"], data.values, data.kept);
    });
  }

  function removeFact(iri) {
    if (!window.confirm("Delete " + iri + " from data/? The shapes are checked first.")) return;
    var passages = passagesCiting(iri);
    api("DELETE", "/api/facts?iri=" + encodeURIComponent(iri), {}).then(function (data) {
      if (data.ok) { showToast("Deleted " + iri.replace(/^.*\/id\//, "") + " from " + data.file); passages.forEach(refreshPassage); }
      else showToast(data.error + (data.violations ? ": " + data.violations.map(function (v) { return v.message; }).join("; ") : ""), true);
    });
  }
})();
