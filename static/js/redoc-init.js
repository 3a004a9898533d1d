// Starts ReDoc on /api/v1/redoc/ with the settings the page carries as JSON (no inline script).
(function () {
  "use strict";
  var container = document.getElementById("redoc-container");
  var data = document.getElementById("redoc-settings");
  if (!container || !data || !window.Redoc) return;
  var settings = JSON.parse(data.textContent);
  if (typeof settings === "string") settings = JSON.parse(settings);
  window.Redoc.init(container.getAttribute("data-schema-url"), settings, container);
})();
