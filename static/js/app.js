// Small page behaviour on top of htmx. Answers htmx does not swap (403, 404, 5xx, a lost
// connection) are reported in the messages region, so no click fails silently.
(function () {
  "use strict";

  function report(text) {
    var region = document.getElementById("messages");
    if (!region) return;
    var message = document.createElement("p");
    message.className = "message message--error";
    message.setAttribute("data-testid", "message");
    message.textContent = text;
    region.replaceChildren(message);
  }

  function describe(status) {
    if (status === 403) return "You are not allowed to do that. Your role may have changed; reload the page.";
    if (status === 404) return "That item no longer exists here. Reload the page to see the current state.";
    if (status >= 500) return "Something went wrong on the server (" + status + "). Reload the page and check before trying again.";
    return "The request was refused (" + status + "). Reload the page and try again.";
  }

  document.addEventListener("htmx:responseError", function (event) {
    report(describe(event.detail.xhr.status));
  });
  document.addEventListener("htmx:sendError", function () {
    report("Could not reach ResolutionFlow. Check your connection and try again.");
  });
})();
