// Instant suggestions for the search box: a progressive enhancement (the form works without it).
// Keyboard (ARIA combobox): ArrowDown/ArrowUp move, Enter opens the highlighted standard, Escape closes.
// Focus never leaves the box for the list: its links are out of the tab order (tabindex=-1) and a mouse
// press on them does not blur the box, so Tab closes the list and moves on, and focus never falls to <body>.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("suggestions");
  if (!input || !list || !window.fetch) { return; }
  var labels = {};
  try { labels = JSON.parse(list.getAttribute("data-status-labels") || "{}"); } catch (e) { labels = {}; }
  var active = -1, timer = null, lastQuery = "";

  function close() {
    clearTimeout(timer); lastQuery = "";
    list.hidden = true; list.textContent = ""; active = -1;
    input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant");
  }
  function highlight(i) {
    var items = list.querySelectorAll("li");
    if (!items.length) { return; }
    active = (i + items.length) % items.length;
    items.forEach(function (el, j) { el.setAttribute("aria-selected", j === active ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", items[active].id);
  }
  function show(items) {
    list.textContent = "";
    items.forEach(function (s, i) {
      var li = document.createElement("li");
      li.id = "suggestion-" + i; li.setAttribute("role", "option"); li.setAttribute("aria-selected", "false");
      var a = document.createElement("a");
      a.href = s.url; a.tabIndex = -1; a.textContent = s.number + " — " + s.title;
      li.appendChild(a);
      if (s.status) {  // old editions must not look current
        var badge = document.createElement("span");
        badge.className = "badge status-" + s.status;
        badge.textContent = labels[s.status] || s.status;
        li.appendChild(document.createTextNode(" ")); li.appendChild(badge);
      }
      list.appendChild(li);
    });
    list.hidden = items.length === 0; active = -1;
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2) { close(); return; }
    timer = setTimeout(function () {
      lastQuery = q;
      fetch("/api/suggest?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (data) {
          if (q === lastQuery && document.activeElement === input) { show(data.suggestions || []); }
        })
        .catch(close);
    }, 120);
  });
  input.addEventListener("keydown", function (e) {
    if (list.hidden) { return; }
    if (e.key === "ArrowDown") { e.preventDefault(); highlight(active + 1); }
    else if (e.key === "ArrowUp") { e.preventDefault(); highlight(active - 1); }
    else if (e.key === "Escape") { close(); }
    else if (e.key === "Tab") { close(); }  // the Tab itself goes on to the next control
    else if (e.key === "Enter" && active >= 0) {
      e.preventDefault(); window.location.href = list.querySelectorAll("a")[active].href;
    }
  });
  // a press on a suggestion keeps the focus in the box, so its click still lands on the link
  list.addEventListener("mousedown", function (e) { e.preventDefault(); });
  input.addEventListener("blur", close);
})();
