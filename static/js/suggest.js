// Suggestions while typing, for fields that take an organisation or a person typed exactly (data-suggest: the
// JSON endpoint). The matches are offered in a list (arrows, Enter, Escape, or a tap) and the one picked fills
// the field; data-suggest-lines: one name a line, the current line is completed. With data-create, a name that
// matches no organisation can be created there, after a confirmation naming it and its sector.
// Without this script the fields are plain text fields and the server still finds what is typed.
(function () {
  "use strict";
  if (!window.fetch) return;
  var counter = 0;

  function currentLine(field) {
    var text = field.value, caret = field.selectionStart;
    var start = text.lastIndexOf("\n", caret - 1) + 1;
    var end = text.indexOf("\n", caret);
    return { start: start, end: end === -1 ? text.length : end };
  }

  function setUp(field) {
    var lines = field.hasAttribute("data-suggest-lines");
    var id = "suggestions-" + (++counter);
    var list = document.createElement("ul");
    list.id = id;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var status = document.createElement("p");
    status.className = "hint suggest-status";
    status.setAttribute("role", "status");
    field.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    if (!lines) field.setAttribute("role", "combobox");
    field.setAttribute("aria-autocomplete", "list");
    field.setAttribute("aria-controls", id);
    field.setAttribute("aria-expanded", "false");
    var texts = field.dataset.createTexts ? JSON.parse(field.dataset.createTexts) : null;
    var timer = null, latest = 0, active = -1, options = [];

    function typed() {
      if (!lines) return field.value.trim();
      var line = currentLine(field);
      return field.value.slice(line.start, line.end).trim();
    }

    function close() {
      list.hidden = true;
      list.innerHTML = "";
      options = [];
      active = -1;
      field.setAttribute("aria-expanded", "false");
      field.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      options.forEach(function (option, i) { option.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (index >= 0) {
        field.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        field.removeAttribute("aria-activedescendant");
      }
    }

    function fill(value) {
      if (lines) {
        var line = currentLine(field);
        field.value = field.value.slice(0, line.start) + value + field.value.slice(line.end);
        var caret = line.start + value.length;
        field.setSelectionRange(caret, caret);
      } else {
        field.value = value;
      }
      close();
      field.focus();
    }

    function addOption(label, hint, onPick) {
      var option = document.createElement("li");
      option.id = id + "-" + options.length;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      var name = document.createElement("span");
      name.textContent = label;
      option.appendChild(name);
      if (hint) {
        var small = document.createElement("small");
        small.textContent = hint;
        option.appendChild(small);
      }
      option.addEventListener("mousedown", function (event) { event.preventDefault(); }); // keep the focus
      option.addEventListener("click", onPick);
      option.pick = onPick;
      list.appendChild(option);
      options.push(option);
    }

    function confirmCreate(name) {
      close();
      var panel = document.createElement("div");
      panel.className = "suggest-create card";
      panel.setAttribute("role", "group");
      var question = document.createElement("p");
      question.textContent = texts.question.replace("{name}", name);
      var label = document.createElement("label");
      label.textContent = texts.sector + " ";
      var sector = document.createElement("select");
      texts.sectors.forEach(function (choice) { sector.add(new Option(choice[1], choice[0])); });
      label.appendChild(sector);
      var create = document.createElement("button");
      create.type = "button";
      create.className = "button small";
      create.textContent = texts.create;
      var cancel = document.createElement("button");
      cancel.type = "button";
      cancel.className = "link-button";
      cancel.textContent = texts.cancel;
      panel.append(question, label, " ", create, " ", cancel);
      status.insertAdjacentElement("afterend", panel);
      sector.focus();
      cancel.addEventListener("click", function () { panel.remove(); field.focus(); });
      create.addEventListener("click", function () {
        var body = new FormData();
        var token = field.form && field.form.querySelector("input[name=csrf_token]");
        body.append("csrf_token", token ? token.value : "");
        body.append("name", name);
        body.append("sector", sector.value);
        create.disabled = true;
        fetch(field.dataset.create, { method: "POST", body: body, credentials: "same-origin",
                                      headers: { "Accept": "application/json" } })
          .then(function (response) { return response.json(); })
          .then(function (answer) {
            status.textContent = answer.message;
            create.disabled = false;
            if (!answer.ok) return;
            panel.remove();
            fill(answer.value);
          })
          .catch(function () { create.disabled = false; status.textContent = texts.failed; });
      });
    }

    function show(answer, query) {
      close();
      answer.results.forEach(function (result) {
        addOption(result.label || result.value, result.hint, function () { fill(result.value); });
      });
      if (texts && !answer.exact) {
        addOption(texts.option.replace("{name}", query), null, function () { confirmCreate(query); });
      }
      if (!options.length) return;
      list.hidden = false;
      field.setAttribute("aria-expanded", "true");
    }

    function lookUp() {
      var query = typed();
      var ticket = ++latest;
      if (query.length < 2) { close(); return; }
      fetch(field.dataset.suggest + "?q=" + encodeURIComponent(query),
            { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
        .then(function (answer) { if (ticket === latest) show(answer, query); })
        .catch(close);
    }

    field.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookUp, 200);
    });
    field.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var step = event.key === "ArrowDown" ? 1 : -1;
        highlight((active + step + options.length) % options.length);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        options[active].pick();
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    field.addEventListener("blur", function () { window.setTimeout(close, 150); });
  }

  document.querySelectorAll("[data-suggest]").forEach(setUp);
})();
