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
  // A form the browser posts itself (no htmx) is sent once: a double-click on "Start" or on
  // "Turn into a draft runbook" started two sessions or made two drafts. The second submit
  // is dropped while the first is on its way (the form says it is busy), until the page is
  // left, shown again from the back-forward cache, or SEND_ONCE_MS have passed (a request that
  // never answered must not leave the form dead). Forms htmx sends have already had their
  // default prevented and are left to hx-disabled-elt.
  var SEND_ONCE_MS = 15000;

  function sendable(form) {
    form.removeAttribute("data-sent");
    form.removeAttribute("aria-busy");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.matches || !form.matches("form[method=post]")) return;
    if (form.hasAttribute("data-sent")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-sent", "");
    form.setAttribute("aria-busy", "true");
    window.setTimeout(function () { sendable(form); }, SEND_ONCE_MS);
  });
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-sent]").forEach(sendable);
  });

  document.addEventListener("htmx:sendError", function () {
    report("Could not reach ResolutionFlow. Check your connection and try again.");
  });

  // A refusal the server addressed to a place on the page (HX-Retarget: a form's error slot,
  // a list showing the error next to its item) is swapped there whatever its status, 403
  // included, so the person reads the reason where they acted.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status >= 400 && xhr.status < 500 && xhr.getResponseHeader("HX-Retarget")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // ---- drafts --------------------------------------------------------------------------
  // What a person types into a field marked data-draft is kept in this tab's sessionStorage
  // (per page and field; never sent anywhere, gone with the tab) until the form is sent and
  // accepted. A sign-out or an expired login (the login page, then back), a reload or a
  // page swapped under the person loses nothing: the field gets its draft back when it is
  // shown untouched.
  function draftKey(field) {
    return "rf-draft:" + location.pathname + "#" + field.id;
  }

  function keepDraft(field) {
    try {
      if (field.value && field.value !== field.defaultValue) sessionStorage.setItem(draftKey(field), field.value);
      else sessionStorage.removeItem(draftKey(field));
    } catch (e) { /* storage full or refused: the field itself still holds the text */ }
  }

  function dropDrafts(form) {
    form.querySelectorAll("[data-draft]").forEach(function (field) {
      try { sessionStorage.removeItem(draftKey(field)); } catch (e) { /* nothing kept */ }
    });
  }

  function restoreDrafts(root) {
    if (!root || !root.querySelectorAll) return;
    var fields = Array.prototype.slice.call(root.querySelectorAll("[data-draft]"));
    if (root.matches && root.matches("[data-draft]")) fields.push(root);
    fields.forEach(function (field) {
      var saved = null;
      try { saved = sessionStorage.getItem(draftKey(field)); } catch (e) { return; }
      if (saved && field.value === field.defaultValue && saved !== field.value) field.value = saved;
    });
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("[data-draft]")) keepDraft(event.target);
  });
  document.addEventListener("htmx:load", function (event) { restoreDrafts(event.detail.elt); });

  // Forms marked data-reset-on-success are emptied after a 2xx answer only: a refused
  // form keeps what was typed so it can be corrected. An answer that sends the browser
  // elsewhere (HX-Redirect: to the login page when the login ended) accepted nothing: the
  // form and its drafts stay.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    var xhr = event.detail.xhr;
    var status = xhr ? xhr.status : 0;
    if (!form || !form.matches || status < 200 || status >= 300 || xhr.getResponseHeader("HX-Redirect")) return;
    if (form.matches("form")) dropDrafts(form);
    if (form.matches("form[data-reset-on-success]")) form.reset();
  });

  // A filter typed into (or a status picked) while the page was still loading, before htmx
  // had wired its form, would otherwise filter nothing until the next keystroke: once the
  // page is ready, each search form (hx-get) whose fields differ from what was served
  // announces its input. Only GET forms: re-running a search repeats no change, whereas a
  // browser restoring a field's old value must not re-send a POST.
  // Only what a person can type into or pick counts: a form's buttons (and fieldsets) have
  // no defaultValue, and counting them re-sent every search form on every page load.
  var NOT_TYPED = ["hidden", "submit", "button", "reset", "image", "file"];

  function differsFromServed(field) {
    if (field.tagName === "SELECT") {
      return Array.prototype.some.call(field.options, function (option) { return option.selected !== option.defaultSelected; });
    }
    if (field.tagName === "TEXTAREA") return field.value !== field.defaultValue;
    if (field.tagName !== "INPUT" || NOT_TYPED.indexOf(field.type) !== -1) return false;
    if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
    return field.value !== field.defaultValue;
  }

  function catchUpSearchForms() {
    document.querySelectorAll("form[hx-get]").forEach(function (form) {
      var changed = Array.prototype.find.call(form.elements, differsFromServed);
      if (changed) changed.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  // htmx wires the page on DOMContentLoaded, from a listener added before this one
  // (htmx.min.js is the first deferred script), so the forms are wired when this runs. A
  // deferred script runs before that event, while readyState is already "interactive".
  function whenReady() {
    catchUpSearchForms();
    restoreDrafts(document.body);
  }

  if (document.readyState === "complete") {
    whenReady();
  } else {
    document.addEventListener("DOMContentLoaded", whenReady);
  }
})();
