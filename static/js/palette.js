// The command palette: Ctrl+K / Cmd+K (or the header button) opens a dialog listing what the
// user can do and open, from /palette.json (fetched on each opening, so it is current).
// Type to filter, arrow keys to move, Enter to open, Escape to close (the dialog's own).
(function () {
  "use strict";

  var dialog, input, list, status;
  var items = [];
  var shown = [];
  var active = 0;
  var request = 0;

  function words(text) {
    return text.toLowerCase().split(/\s+/).filter(Boolean);
  }

  // Best first: the label holds the whole query, then every word is in the label, then the
  // words are found anywhere (keywords of a runbook: "0x800ccc0e", "spooler").
  function rank(item, query, queryWords) {
    var label = item.label.toLowerCase();
    if (!queryWords.length) return 0;
    if (label.indexOf(query) !== -1) return label.indexOf(query) === 0 ? 0 : 1;
    if (queryWords.every(function (word) { return label.indexOf(word) !== -1; })) return 2;
    var haystack = [label, item.group, item.hint, item.keywords].join(" ").toLowerCase();
    if (queryWords.every(function (word) { return haystack.indexOf(word) !== -1; })) return 3;
    return -1;
  }

  function filter() {
    var query = input.value.trim().toLowerCase();
    var queryWords = words(query);
    shown = items
      .map(function (item, index) { return {item: item, rank: rank(item, query, queryWords), index: index}; })
      .filter(function (entry) { return entry.rank >= 0; })
      .sort(function (a, b) { return a.rank - b.rank || a.index - b.index; })
      .map(function (entry) { return entry.item; });
    active = 0;
    render();
  }

  function render() {
    list.replaceChildren();
    shown.forEach(function (item, index) {
      var option = document.createElement("li");
      option.id = "palette-option-" + index;
      option.className = "palette__option";
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", index === active ? "true" : "false");
      option.setAttribute("data-testid", "palette-item");
      option.setAttribute("data-palette-id", item.id);
      var label = document.createElement("span");
      label.className = "palette__label";
      label.textContent = item.label;
      label.title = item.label;  // a long title is cut by CSS on screen; the tooltip has it whole
      var meta = document.createElement("span");
      meta.className = "palette__meta";
      meta.textContent = item.hint ? item.group + " · " + item.hint : item.group;
      option.append(label, meta);
      option.addEventListener("mousedown", function (event) { event.preventDefault(); });
      option.addEventListener("click", function () { go(item); });
      list.appendChild(option);
    });
    if (shown.length) {
      input.setAttribute("aria-activedescendant", "palette-option-" + active);
      var current = document.getElementById("palette-option-" + active);
      if (current) current.scrollIntoView({block: "nearest"});
      status.textContent = input.value.trim() ? shown.length + " result" + (shown.length === 1 ? "" : "s") : "";
    } else {
      input.removeAttribute("aria-activedescendant");
      if (items.length) status.textContent = "Nothing matches “" + input.value.trim() + "”.";
    }
  }

  function move(step) {
    if (!shown.length) return;
    active = (active + step + shown.length) % shown.length;
    render();
  }

  function go(item) {
    if (!item) return;
    dialog.close();
    window.location.assign(item.url);
  }

  function load() {
    var mine = ++request;
    if (!items.length) status.textContent = "Loading…";
    fetch(dialog.getAttribute("data-source"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) throw new Error("the server answered " + response.status);
        return response.json();
      })
      .then(function (data) {
        if (mine !== request) return;
        items = data.items || [];
        status.textContent = "";
        filter();
      })
      .catch(function (error) {
        if (mine !== request) return;
        console.warn("ResolutionFlow: the command palette could not load its entries", error);
        status.textContent = "Could not load the list (" + error.message + "). Close and try again.";
      });
  }

  function open() {
    if (dialog.open) return;
    input.value = "";
    filter();
    dialog.showModal();
    input.focus();
    load();
  }

  function setUp() {
    dialog = document.getElementById("palette");
    if (!dialog) return;
    input = document.getElementById("palette-input");
    list = document.getElementById("palette-list");
    status = dialog.querySelector("[role=status]");

    document.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === "k") {
        event.preventDefault();
        if (dialog.open) dialog.close(); else open();
      }
    });
    document.querySelectorAll("[data-testid=palette-open]").forEach(function (button) {
      button.addEventListener("click", open);
      button.disabled = false;  // served disabled (templates/base.html): it works from now on
    });
    input.addEventListener("input", filter);
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); move(1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); move(-1); }
      else if (event.key === "Enter") { event.preventDefault(); go(shown[active]); }
    });
    // A click on the backdrop (outside the box) closes, as Escape does.
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) dialog.close();
    });
    dialog.addEventListener("close", function () {
      var opener = document.querySelector("[data-testid=palette-open]");
      if (opener && document.activeElement === document.body) opener.focus();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
