// Session pages: the composer's keys, the guard against answers for another session, the
// ticket note's format and Copy button, number keys for FlowPilot options, and the runbook
// picker of the New session page. Plain JS on top of htmx; every part does nothing on pages
// without its elements.
(function () {
  "use strict";

  function sessionRoot() {
    return document.querySelector("[data-session-page]");
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function isTyping(target) {
    if (!target || !target.closest) return false;
    return !!target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true'], dialog[open]");
  }

  // ---- an answer for another session is never put on this page, nor dropped silently ----

  function reportMismatch(expected, got) {
    console.warn("ResolutionFlow: an answer for session " + got + " arrived on the page of session " +
                 expected + "; it was not shown here.");
    var notice = document.getElementById("session-notice");
    if (notice) {
      notice.replaceChildren();
      var text = document.createElement("p");
      text.textContent = "A reply for another session arrived here and was not shown on this page. " +
        "Reload to be sure this page is current. ";
      var link = document.createElement("a");
      link.href = "/sessions/" + encodeURIComponent(got) + "/";
      link.textContent = "Open the other session";
      link.setAttribute("data-testid", "session-mismatch-link");
      text.appendChild(link);
      notice.appendChild(text);
      notice.hidden = false;
    }
    var root = sessionRoot();
    var url = root && root.getAttribute("data-report-url");
    if (!url) return;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken()},
      body: JSON.stringify({kind: "session_mismatch", expected: expected, got: got, page: location.pathname})
    }).catch(function (error) {
      console.warn("ResolutionFlow: the mismatch could not be reported to the server", error);
    });
  }

  // Session views name the session they answer about in X-Session-Id (their fragments also
  // carry data-session-id); answers without it (other features' panels) are not judged here.
  function answeredSession(detail) {
    return detail.xhr ? detail.xhr.getResponseHeader("X-Session-Id") : null;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var root = sessionRoot();
    if (!root) return;
    var got = answeredSession(event.detail);
    var expected = root.getAttribute("data-session-id");
    if (got && got !== expected) {
      event.detail.shouldSwap = false;
      reportMismatch(expected, got);
    }
  });

  // ---- composer: Enter sends, Shift+Enter is a new line ----------------------------------

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-composer-input]")) return;
    if (event.key !== "Enter" || event.shiftKey || event.altKey || event.isComposing) return;
    event.preventDefault();
    var form = input.form;
    if (!form || form.classList.contains("htmx-request") || !input.value.trim()) return;
    form.requestSubmit();
  });

  function scrollTranscript() {
    var transcript = document.getElementById("transcript");
    if (!transcript) return;
    transcript.scrollTop = transcript.scrollHeight;
  }

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form || !form.matches || !form.matches("[data-composer]")) return;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status >= 200 && status < 300) {
      var replies = document.querySelectorAll("#transcript .msg--assistant .msg__body");
      var said = document.getElementById("composer-status");
      if (said && replies.length) said.textContent = "The assistant replied: " + replies[replies.length - 1].textContent;
      var error = document.getElementById("composer-error");
      if (error) error.replaceChildren();
    }
    var input = form.querySelector("[data-composer-input]");
    if (input) input.focus();
  });

  // ---- after a swap: keep the conversation at its end, the chosen note format, the focus --

  var focusStep = false;
  document.addEventListener("htmx:beforeRequest", function (event) {
    focusStep = !!(event.detail.elt.closest && event.detail.elt.closest("#flow-step"));
  });

  document.addEventListener("htmx:afterSettle", function () {
    scrollTranscript();
    applyPreviewFormat();
    if (focusStep) {
      focusStep = false;
      var heading = document.getElementById("current-step");
      if (heading && !document.querySelector("#flow-step [role=alert]")) heading.focus();
    }
  });

  // ---- ticket note: format and Copy -----------------------------------------------------

  function previewFormat() {
    var chosen = document.querySelector("[data-preview-format]:checked");
    return chosen ? chosen.value : "text";
  }

  function applyPreviewFormat() {
    var area = document.getElementById("preview-text");
    if (!area) return;
    area.value = previewFormat() === "markdown" ? area.getAttribute("data-markdown") : area.defaultValue;
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-preview-format]")) applyPreviewFormat();
  });

  function copyStatus(button, text) {
    var panel = button.closest("section") || document;
    var status = panel.querySelector("[data-copy-status]");
    if (!status) return;
    status.textContent = text;
    clearTimeout(status._timer);
    status._timer = setTimeout(function () { status.textContent = ""; }, 4000);
  }

  function selectForManualCopy(button, area) {
    area.focus();
    area.select();
    copyStatus(button, "Selected: press Ctrl+C (⌘C on a Mac) to copy.");
  }

  // Copy buttons are served disabled (they do nothing without this script): enable the ones
  // on the page now that the handler below is in place, and any that a swap brings in.
  function enableCopyButtons(root) {
    if (!root.querySelectorAll) return;
    if (root.matches && root.matches("[data-copy]")) root.disabled = false;
    root.querySelectorAll("[data-copy]").forEach(function (button) { button.disabled = false; });
  }
  enableCopyButtons(document);
  document.addEventListener("htmx:load", function (event) { enableCopyButtons(event.target); });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var area = document.querySelector(button.getAttribute("data-copy"));
    if (!area) return;
    if (!navigator.clipboard || !window.isSecureContext) {
      selectForManualCopy(button, area);
      return;
    }
    navigator.clipboard.writeText(area.value).then(function () {
      copyStatus(button, "Copied");
    }, function () {
      selectForManualCopy(button, area);
    });
  });

  // ---- FlowPilot: number keys pick an option ---------------------------------------------

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    if (!/^[1-9]$/.test(event.key)) return;
    var option = document.querySelector('#flow-step [data-option-key="' + event.key + '"]');
    if (!option || option.disabled) return;
    event.preventDefault();
    option.click();
  });

  // ---- New session: the runbook picker follows the mode, and filters -------------------

  function syncMode(form) {
    var chosen = form.querySelector("input[name=mode]:checked");
    var isFlow = chosen && chosen.value === "flow";
    form.querySelectorAll("[data-mode-section=flow]").forEach(function (section) {
      section.hidden = !isFlow;
    });
  }

  function filterFlows(input) {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var picker = input.closest("fieldset");
    var shown = 0;
    picker.querySelectorAll("[data-flow-group]").forEach(function (group) {
      var groupShown = 0;
      group.querySelectorAll("[data-flow-option]").forEach(function (option) {
        var haystack = option.getAttribute("data-search") || "";
        var match = words.every(function (word) { return haystack.indexOf(word) !== -1; });
        option.hidden = !match;
        if (match) groupShown += 1;
      });
      group.hidden = groupShown === 0;
      shown += groupShown;
    });
    var empty = picker.querySelector("[data-flow-empty]");
    if (empty) empty.hidden = shown !== 0;
  }

  function setUp() {
    scrollTranscript();
    var form = document.querySelector("[data-new-session]");
    if (form) {
      syncMode(form);
      form.addEventListener("change", function (event) {
        if (event.target.name === "mode") syncMode(form);
        if (event.target.name === "flow") {
          var flowMode = form.querySelector("input[name=mode][value=flow]");
          if (flowMode && !flowMode.checked) { flowMode.checked = true; syncMode(form); }
        }
      });
      var filter = form.querySelector("[data-flow-filter]");
      if (filter) {
        filter.addEventListener("input", function () { filterFlows(filter); });
        // Enter in the filter picks the only match instead of submitting the form.
        filter.addEventListener("keydown", function (event) {
          if (event.key !== "Enter") return;
          event.preventDefault();
          var visible = form.querySelectorAll("[data-flow-option]:not([hidden]) input");
          if (visible.length === 1) { visible[0].checked = true; visible[0].focus(); }
        });
      }
      var checked = form.querySelector("[data-flow-option] input:checked");
      if (checked) checked.closest("[data-flow-option]").scrollIntoView({block: "nearest"});
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
