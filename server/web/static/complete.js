/* Autocomplete for the search boxes: names from /search/complete as you type (no library, no CDN).
 *
 * An <input data-complete="/search/complete"> becomes an ARIA 1.2 combobox with a listbox of
 * suggestions: arrows move, Enter opens the highlighted entity's page, Escape closes, and a
 * suggestion can be clicked. Without JavaScript the form still submits to /search.
 * Text from the server is set with textContent, never as HTML.
 */
(function () {
  "use strict";
  var DELAY = 120;

  function setup(input, n) {
    var url = input.getAttribute("data-complete");
    var form = input.form;
    var list = document.createElement("ul");
    var timer = null, asked = 0, items = [], active = -1;
    list.id = "complete-" + n;
    list.className = "complete";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("autocomplete", "off");
    form.classList.add("completing");
    input.insertAdjacentElement("afterend", list);

    function place() {
      list.style.left = input.offsetLeft + "px";
      list.style.top = (input.offsetTop + input.offsetHeight) + "px";
      list.style.width = input.offsetWidth + "px";
    }

    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(i) {
      var options = list.children;
      if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
      active = i;
      if (i >= 0 && options[i]) {
        options[i].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", options[i].id);
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function show(results) {
      items = results;
      list.textContent = "";
      active = -1;
      if (!results.length) { close(); return; }
      results.forEach(function (r, i) {
        var li = document.createElement("li");
        var name = document.createElement("span");
        var kind = document.createElement("span");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.setAttribute("data-href", r.href);
        name.className = "name";
        name.textContent = r.label;
        kind.className = "kind";
        kind.textContent = r.type;
        li.appendChild(name);
        li.appendChild(kind);
        if (r.matched !== r.label || r.fuzzy) {
          var note = document.createElement("span");
          note.className = "meta";
          note.textContent = r.fuzzy ? "close spelling" : "as “" + r.matched + "”";
          li.appendChild(note);
        }
        li.addEventListener("mousedown", function (e) { e.preventDefault(); go(i); });
        list.appendChild(li);
      });
      place();
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function go(i) {
      if (items[i] && items[i].href) window.location.href = items[i].href;  // "" : not a safe link
    }

    function ask() {
      var q = input.value.trim();
      var mine = ++asked;
      if (!q) { show([]); return; }
      fetch(url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { if (mine === asked && document.activeElement === input) show(data.results || []); })
        .catch(function () { if (mine === asked) close(); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY);
    });
    input.addEventListener("keydown", function (e) {
      if (list.hidden) {
        if (e.key === "ArrowDown" && input.value.trim()) { ask(); e.preventDefault(); }
        return;
      }
      if (e.key === "ArrowDown") { highlight(Math.min(active + 1, items.length - 1)); e.preventDefault(); }
      else if (e.key === "ArrowUp") { highlight(Math.max(active - 1, -1)); e.preventDefault(); }
      else if (e.key === "Enter" && active >= 0) { go(active); e.preventDefault(); }
      else if (e.key === "Escape") { close(); e.preventDefault(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  var boxes = document.querySelectorAll("input[data-complete]");
  for (var i = 0; i < boxes.length; i++) setup(boxes[i], i);
})();
