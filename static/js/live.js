// Live pages of Escalation Mode (docs/architecture.md#realtime-events): ticking ages, the Escalation Queue, and the
// panels that follow one session (the session page's escalation panel, the handoff-context
// status). The server stays the source of truth: an event only says "this changed", and the
// page re-fetches the server-rendered partial for it with htmx. After a reconnect, or when
// the seq numbers show a missed event, the page resyncs whole, so it is never left stale.
(function () {
  "use strict";

  var CLOSED = ["resolved", "returned", "cancelled"];
  var ZERO_ID = "00000000-0000-0000-0000-000000000000";
  var REFUSED = { 4401: "Signed out: reload the page to sign in again.",
                  4403: "Live updates are not available here.",
                  4404: "Live updates are not available here." };

  // ---- ticking ages ---------------------------------------------------------------------
  // Same format as the server's ``age`` filter. ``skew`` corrects this computer's clock by
  // the server time stamped on live regions (data-server-now).
  var skew = 0;

  function formatAge(seconds) {
    if (seconds < 60) return seconds + " s";
    var minutes = Math.floor(seconds / 60);
    if (minutes < 60) return minutes + " min";
    var hours = Math.floor(minutes / 60);
    minutes = minutes % 60;
    if (hours < 24) return hours + " h " + (minutes < 10 ? "0" : "") + minutes + " min";
    return Math.floor(hours / 24) + " d " + (hours % 24) + " h";
  }

  function readServerClock(root) {
    var stamped = root.querySelector ? root.querySelectorAll("[data-server-now]") : [];
    var list = root.hasAttribute && root.hasAttribute("data-server-now") ? [root] : [];
    Array.prototype.push.apply(list, stamped);
    list.forEach(function (el) {
      var server = Date.parse(el.getAttribute("data-server-now"));
      if (!isNaN(server)) skew = server - Date.now();
      el.removeAttribute("data-server-now");
    });
  }

  function tick() {
    var now = Date.now() + skew;
    document.querySelectorAll("[data-since]").forEach(function (el) {
      var since = Date.parse(el.getAttribute("data-since"));
      if (!isNaN(since)) el.textContent = formatAge(Math.max(0, Math.floor((now - since) / 1000)));
    });
    // An open escalation passing the account's unclaimed_alert_minutes is highlighted now,
    // not at the next event.
    document.querySelectorAll("[data-alert-at]").forEach(function (card) {
      var at = Date.parse(card.getAttribute("data-alert-at"));
      if (isNaN(at) || now < at) return;
      card.classList.add("is-overdue");
      card.removeAttribute("data-alert-at");
      var badge = card.querySelector("[data-overdue-badge]");
      if (badge) badge.hidden = false;
    });
  }

  // ---- swapping a region without losing what the person was doing -----------------------

  // Typed text, a chosen option, an opened <details> and the focus survive a refresh of the
  // region around them.
  function keep(region) {
    var kept = { values: {}, open: [], focus: null, errors: {} };
    if (!region) return kept;
    // A refusal shown in a form's error slot ("Message: it holds at most…") stays through a
    // re-render that brings the same form back with its slot empty.
    region.querySelectorAll("[id$='-error']").forEach(function (slot) {
      if (slot.childNodes.length) {
        kept.errors[slot.id] = Array.prototype.map.call(slot.childNodes, function (node) { return node.cloneNode(true); });
      }
    });
    region.querySelectorAll("textarea[id], input[type=text][id], select[id]").forEach(function (field) {
      var changed = field.tagName === "SELECT"
        ? Array.prototype.some.call(field.options, function (o) { return o.selected !== o.defaultSelected; })
        : field.value !== field.defaultValue;
      if (changed) kept.values[field.id] = field.value;
    });
    region.querySelectorAll("details[open][class]").forEach(function (d) { kept.open.push(d.className); });
    if (document.activeElement && region.contains(document.activeElement) && document.activeElement.id) {
      kept.focus = document.activeElement.id;
    }
    return kept;
  }

  function restore(kept) {
    Object.keys(kept.values).forEach(function (id) {
      var field = document.getElementById(id);
      if (field) field.value = kept.values[id];
    });
    Object.keys(kept.errors).forEach(function (id) {
      var slot = document.getElementById(id);
      if (slot && !slot.childNodes.length) slot.replaceChildren.apply(slot, kept.errors[id]);
    });
    kept.open.forEach(function (cls) {
      var d = document.querySelector("details." + cls.split(" ").join("."));
      if (d) d.open = true;
    });
    if (kept.focus) {
      var el = document.getElementById(kept.focus);
      if (el) el.focus();
    }
  }

  // A refusal shown on a queue card ("Sam Senior picked this up first") stays while the card
  // is in the state it was refused in, whichever of the refusal and the live refresh of the
  // card (the event of the winning claim) arrives last.
  var cardErrors = {};

  function keepCardErrors() {
    document.querySelectorAll("[data-testid=queue-card-error]").forEach(function (error) {
      var card = error.closest("[data-handoff]");
      if (card) cardErrors[card.id] = { status: card.getAttribute("data-status"), node: error.cloneNode(true) };
    });
    Object.keys(cardErrors).forEach(function (id) {
      var card = document.getElementById(id);
      if (!card || card.getAttribute("data-status") !== cardErrors[id].status) { delete cardErrors[id]; return; }
      if (!card.querySelector("[data-testid=queue-card-error]")) {
        card.insertBefore(cardErrors[id].node.cloneNode(true), card.querySelector("form"));
      }
    });
  }
  document.addEventListener("htmx:afterSettle", keepCardErrors);

  // One refresh at a time per region; an event arriving meanwhile asks for one more, so the
  // last answer shown is never older than the last event seen.
  var inflight = {};
  // htmx keeps one request per issuing element and drops all but the last one queued behind
  // it; each region gets a hidden element of its own to issue from, so refreshes of different
  // regions never drop each other (and the region itself does not dim while it refreshes).
  var sources = {};

  function sourceFor(key) {
    if (!sources[key] || !sources[key].isConnected) {
      sources[key] = document.createElement("span");
      sources[key].hidden = true;
      sources[key].setAttribute("data-refresh-source", key);
      document.body.appendChild(sources[key]);
    }
    return sources[key];
  }

  // A refresh answered while the person's own request from that region is still in flight
  // (Pick Up pressed just after the winning claim's event asked for the card) is not swapped
  // in: replacing the card would detach the form, and the answer to the click ("Sam Senior
  // picked this up first") would find no place to go. The region refreshes again once the
  // person's request is answered.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    var key = source && source.getAttribute && source.getAttribute("data-refresh-source");
    var target = event.detail.target;
    if (!key || !target || !refreshes[key]) return;
    if (!busyIn(target)) return;
    event.detail.shouldSwap = false;
    var args = refreshes[key];
    afterNextAnswer(function () { refresh.apply(null, args); });
  });
  var refreshes = {};

  // The busy mark (htmx's request class) sits on a form's indicator when it has one, and the
  // answer's event on the form: wait for the next answer on the page, and look again then.
  // Whether a request from inside ``region`` (or the region itself) waits for its answer.
  function busyIn(region) {
    return Boolean(region && (region.classList.contains("htmx-request") || region.querySelector(".htmx-request")));
  }

  // A form that left the page before its answer (its region replaced) answers where the
  // document does not hear it, so the look is also taken again after a moment.
  function afterNextAnswer(fn) {
    var done = false, timer = null;
    function again() {
      if (done) return;
      done = true;
      clearTimeout(timer);
      document.removeEventListener("htmx:afterRequest", again);
      setTimeout(fn, 0);
    }
    document.addEventListener("htmx:afterRequest", again);
    timer = setTimeout(again, 300);
  }

  function refresh(key, targetId, url, after) {
    if (inflight[key]) { inflight[key] = "again"; return; }
    if (!document.getElementById(targetId)) { if (after) after(); return; }
    refreshes[key] = [key, targetId, url, after];
    inflight[key] = true;
    var kept = keep(document.getElementById(targetId));
    window.htmx.ajax("GET", url, { source: sourceFor(key), target: "#" + targetId, swap: "outerHTML" }).then(function () {
      restore(kept);
      var fresh = document.getElementById(targetId);
      if (fresh) readServerClock(fresh);
      tick();
      if (after) after();
    }, function () { /* app.js reports failed requests in the messages region */ }).then(function () {
      var again = inflight[key] === "again";
      inflight[key] = false;
      if (again) refresh(key, targetId, url, after);
    });
  }

  // ---- the socket -----------------------------------------------------------------------

  // The connection's state, in words where the page has a place for it, and on <html
  // data-live="open|reconnecting|off"> for styles and browser tests.
  function showState(text, state) {
    document.documentElement.setAttribute("data-live", state);
    document.querySelectorAll("[data-live-state]").forEach(function (el) {
      el.textContent = text || "";
      el.hidden = !text;
    });
  }

  // Opens path, reconnects with exponential backoff (1 s doubling to 30 s, with jitter) and
  // tells onMessage whether this connection is a reconnect. A refusal (4401/4403/4404)
  // stops it: retrying would not help.
  function openSocket(path, onMessage) {
    var delay = 1000, everOpened = false, pinger = null;
    function connect() {
      var socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + path);
      var reconnect = everOpened;
      socket.onopen = function () {
        everOpened = true;
        delay = 1000;
        showState("", "open");
        pinger = setInterval(function () {
          if (socket.readyState === 1) socket.send(JSON.stringify({ type: "ping" }));
        }, 25000);
      };
      socket.onmessage = function (message) {
        var data;
        try { data = JSON.parse(message.data); } catch (e) { return; }
        onMessage(data, reconnect);
      };
      socket.onclose = function (event) {
        clearInterval(pinger);
        if (REFUSED[event.code]) { showState(REFUSED[event.code], "off"); return; }
        showState("Reconnecting…", "reconnecting");
        setTimeout(connect, delay + Math.floor(Math.random() * delay * 0.3));
        delay = Math.min(delay * 2, 30000);
      };
    }
    connect();
  }

  // One socket per path for the whole page: the queue, the nav count, notifications and the
  // home page's card all listen on the account's socket.
  var listeners = {};

  function listen(path, onMessage) {
    if (listeners[path]) { listeners[path].push(onMessage); return; }
    listeners[path] = [onMessage];
    openSocket(path, function (data, reconnect) {
      listeners[path].forEach(function (fn) { fn(data, reconnect); });
    });
  }

  // ---- the nav count, the tab title and browser notifications, on every page ---------------

  var ACCOUNT_SOCKET = "/ws/v1/queue/";
  var URGENCY_RANK = { low: 0, normal: 1, high: 2, critical: 3 };
  var NOTIFY_KEY = "rf.notify";
  var baseTitle = document.title.replace(/^\(\d+\) /, "");

  // The number of escalations nobody has picked up: in the nav badge and in the tab title.
  function showOpenCount(open) {
    var badge = document.querySelector("[data-testid=nav-escalations-count]");
    if (!badge) return;
    // The navigation's count, and its copy on the phone's folded Menu button.
    document.querySelectorAll("[data-testid=nav-escalations-count], [data-count-of=nav-escalations]").forEach(function (count) {
      count.textContent = open;
      count.hidden = open === 0;
    });
    document.title = open > 0 ? "(" + open + ") " + baseTitle : baseTitle;
  }

  function notifyPrefs() {
    try { return JSON.parse(localStorage.getItem(NOTIFY_KEY)) || { on: false, min: "high" }; }
    catch (e) { return { on: false, min: "high" }; }
  }

  function notifyOf(handoff) {
    var prefs = notifyPrefs();
    if (!prefs.on || !window.Notification || Notification.permission !== "granted") return;
    if ((URGENCY_RANK[handoff.urgency] || 0) < (URGENCY_RANK[prefs.min] || 0)) return;
    if (handoff.handed_off_by && handoff.handed_off_by.id === document.body.getAttribute("data-user-id")) return;
    var note = new Notification("Escalation (" + handoff.urgency + "): " + handoff.session.title,
                                { body: handoff.note || "", tag: "rf-handoff-" + handoff.id });
    note.onclick = function () { window.focus(); location.href = "/escalations/" + handoff.id + "/"; };
    document.dispatchEvent(new CustomEvent("rf:notified", { detail: handoff }));
  }

  // The queue page's switch: asks the browser once (only while it has not been answered),
  // remembers the choice and the urgency in localStorage.
  function startNotifySettings(box) {
    var toggle = box.querySelector("[data-notify-toggle]");
    var urgency = box.querySelector("[data-notify-urgency]");
    var state = box.querySelector("[data-notify-state]");
    var prefs = notifyPrefs();
    function save() { localStorage.setItem(NOTIFY_KEY, JSON.stringify({ on: toggle.checked, min: urgency.value })); }
    function say(text) { state.textContent = text; state.hidden = !text; }
    if (!window.Notification) { toggle.disabled = true; say("This browser cannot show notifications."); return; }
    toggle.checked = prefs.on && Notification.permission === "granted";
    urgency.value = prefs.min;
    if (prefs.on && Notification.permission === "denied") say("Notifications are blocked for this site in the browser's settings.");
    urgency.addEventListener("change", save);
    toggle.addEventListener("change", function () {
      if (!toggle.checked) { save(); say(""); return; }
      var asked = Notification.permission === "default" ? Notification.requestPermission() : Promise.resolve(Notification.permission);
      asked.then(function (answer) {
        if (answer !== "granted") {
          toggle.checked = false;
          say("Notifications are blocked for this site in the browser's settings.");
        } else {
          say("On: new escalations at or above the urgency chosen.");
        }
        save();
      });
    });
  }

  function startNav() {
    if (!document.querySelector("[data-testid=nav-escalations-count]")) return;
    showOpenCount(parseInt(document.querySelector("[data-testid=nav-escalations-count]").textContent, 10) || 0);
    listen(ACCOUNT_SOCKET, function (data) {
      if (data.event === "queue.count" || (data.event === "hello" && typeof data.open === "number")) {
        showOpenCount(data.open);
      } else if (data.event === "handoff.created" && data.handoff) {
        notifyOf(data.handoff);
      }
    });
  }

  function announce(data) {
    document.dispatchEvent(new CustomEvent("rf:handoff", { detail: data }));
  }

  // ---- the Escalation Queue -------------------------------------------------------------

  function startQueue(list) {
    var lastSeq = parseInt(list.getAttribute("data-seq"), 10) || 0;
    var listUrl = list.getAttribute("data-list-url");
    var cardUrl = list.getAttribute("data-card-url");

    function afterChange() {
      var current = document.getElementById("queue-list");
      if (!current) return;
      lastSeq = Math.max(lastSeq, parseInt(current.getAttribute("data-seq"), 10) || 0);
      if (!current.querySelector("[data-testid=queue-card]") && !current.querySelector("[data-testid=queue-empty]")) {
        resync();
      }
    }

    // A Pick Up (or any form) in flight inside a region must get its answer before a live
    // refresh replaces the form waiting for it: htmx drops the answer of a detached element,
    // and "Sam Senior picked this up first" would be lost. The refresh runs once it lands.
    function whenIdle(region, fn) {
      if (!busyIn(region)) { fn(); return; }
      afterNextAnswer(function () { whenIdle(document.getElementById(region.id) || region, fn); });
    }

    function resync() {
      whenIdle(document.getElementById("queue-list"), function () {
        refresh("queue", "queue-list", listUrl, function () {
          // The whole list is fresh: its unfiltered count of unclaimed escalations is too.
          var current = document.getElementById("queue-list");
          if (current) showOpenCount(parseInt(current.getAttribute("data-open-count"), 10) || 0);
          afterChange();
        });
      });
    }

    function refreshCard(id) {
      var card = document.getElementById("handoff-" + id);
      // A card not on the page is a new escalation: the list puts it in its place by urgency and age.
      if (!card) { resync(); return; }
      whenIdle(card, function () { refresh("card-" + id, "handoff-" + id, cardUrl.replace(ZERO_ID, id), afterChange); });
    }

    listen(list.getAttribute("data-live-queue"), function (data, reconnect) {
      if (data.event === "hello") {
        if (reconnect || data.seq > lastSeq) resync();
        return;
      }
      if (typeof data.event !== "string" || data.event.indexOf("handoff.") !== 0 || !data.handoff) return;
      announce(data);
      var missed = data.seq > lastSeq + 1;
      lastSeq = Math.max(lastSeq, data.seq);
      if (missed) { resync(); return; }
      if (CLOSED.indexOf(data.handoff.status) >= 0) {
        var card = document.getElementById("handoff-" + data.handoff.id);
        if (card) card.remove();
        afterChange();
        return;
      }
      refreshCard(data.handoff.id);
    });
    // (The nav count follows queue.count events: startNav.)
  }

  // ---- panels following one session ---------------------------------------------------------

  function startPanel(panel) {
    var id = panel.id;
    var seq = parseInt(panel.getAttribute("data-seq"), 10) || 0;
    var url = panel.getAttribute("data-refresh-url");
    var onlyHandoff = panel.getAttribute("data-handoff");  // the context screen follows one escalation

    listen(panel.getAttribute("data-live-socket"), function (data, reconnect) {
      if (data.event === "hello") {
        if (reconnect || data.seq > seq) refresh(id, id, url);
        return;
      }
      if (typeof data.event !== "string" || data.event.indexOf("handoff.") !== 0 || !data.handoff) return;
      seq = Math.max(seq, data.seq);
      announce(data);
      if (onlyHandoff && data.handoff.id !== onlyHandoff) return;
      refresh(id, id, url);
    });
  }

  // ---- one live session page for everyone watching it ----------------------------------
  // ``session.changed`` (sessions_app/events.py) names the regions a write changed: they are
  // re-fetched together, out of band, and swapped in place. ``reload`` (status, assignee, who
  // may write) and any reconnect re-render the whole screen, keeping what the reader typed.
  // Escalation events refresh the escalation panel.

  // sessions_app/views/common.py REGIONS: region name → element id.
  var REGION_IDS = { head: "session-meta", transcript: "transcript", facts: "facts-list", fixes: "fixes-list",
                     preview: "preview-body", flow_step: "flow-step", flow_path: "flow-path" };

  function clearOutcomes() {
    document.querySelectorAll("#messages .message--success, #messages .message--info").forEach(function (message) {
      message.remove();
    });
  }

  function startSession(root) {
    var me = root.getAttribute("data-user-id");
    var liveUrl = root.getAttribute("data-live-url");
    var regionsUrl = root.getAttribute("data-regions-url");
    var seq = 0;
    var panel = document.getElementById("session-escalation");
    if (panel) seq = parseInt(panel.getAttribute("data-seq"), 10) || 0;
    var pending = {}, fetching = false, whole = false;
    // The number of the last session.changed event this screen includes (sessions_app/events.py):
    // rendered by the server, advanced by each event applied, re-read after a whole re-render.
    var applied = parseInt(root.getAttribute("data-event-seq"), 10) || 0;

    function readSeq() {
      var fresh = document.getElementById("session-escalation");
      if (fresh) seq = Math.max(seq, parseInt(fresh.getAttribute("data-seq"), 10) || 0);
    }

    function afterSwap() {
      var page = document.getElementById("session-page");
      if (page) {
        applied = Math.max(applied, parseInt(page.getAttribute("data-event-seq"), 10) || 0);
        page.setAttribute("data-event-seq", applied);
        readServerClock(page);
        document.documentElement.setAttribute("data-session-status", page.getAttribute("data-status") || "");
      }
      readSeq();
      tick();
      document.dispatchEvent(new CustomEvent("rf:session-refreshed"));
    }

    // Fetched without htmx's request queue, then kept, swapped and restored in one go: what
    // the reader typed is read at the moment of the swap, so a composer its own send just
    // cleared is never refilled with the text it had when the refresh began.
    var waiting = false;

    function next() {
      if (fetching || waiting) return;
      var names = Object.keys(pending);
      if (!whole && !names.length) return;
      var current = document.getElementById("session-page");
      if (!current) return;
      if (busyIn(current)) {  // see below: wait for that answer first
        waiting = true;
        afterNextAnswer(function () { waiting = false; next(); });
        return;
      }
      var everything = whole;
      var url = everything ? liveUrl : regionsUrl + "?" + names.map(function (name) {
        return "region=" + encodeURIComponent(name);
      }).join("&");
      whole = false; pending = {}; fetching = true;
      var failed = false, deferred = false;
      fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } }).then(function (response) {
        if (!response.ok) throw new Error("refresh answered " + response.status);
        return response.text();
      }).then(function (html) {
        var page = document.getElementById("session-page");
        if (!page) return;
        // A form of the screen still waiting for its answer (Send, a fix's Worked, Resolve)
        // would be detached by the swap, and a refusal addressed to its place lost: the
        // refresh is asked for again once that answer is in.
        if (busyIn(page)) {
          if (everything) whole = true;
          names.forEach(function (name) { pending[name] = true; });
          deferred = true;
          waiting = true;
          afterNextAnswer(function () { waiting = false; next(); });
          return;
        }
        if (everything) {
          var kept = keep(page);
          window.htmx.swap(page, html, { swapStyle: "outerHTML" });
          restore(kept);
        } else {
          var regionsKept = names.map(function (name) { return keep(regionElement(name)); });
          window.htmx.swap(page, html, { swapStyle: "none" });
          regionsKept.forEach(restore);
        }
        afterSwap();
      }).catch(function (error) {
        // The next event (or reconnect) re-renders the whole screen, so nothing stays stale.
        failed = true;
        whole = true;
        if (window.console) console.warn("session refresh failed", error);
      }).then(function () { fetching = false; if (!failed && !deferred) next(); });
    }

    function regionElement(name) {
      return document.getElementById(REGION_IDS[name] || "");
    }

    function resyncAll() { whole = true; next(); }

    function regions(names) {
      names.forEach(function (name) { pending[name] = true; });
      next();
    }

    listen(root.getAttribute("data-live-session"), function (data, reconnect) {
      if (data.event === "hello") {
        if (reconnect || data.seq > seq) resyncAll();
        return;
      }
      if (data.event === "session.changed") {
        // Already on the screen (a re-render raced the event): nothing to do. One skipped
        // (an event lost while the socket stayed open): re-render the whole screen.
        if (typeof data.seq === "number") {
          if (data.seq <= applied) return;
          var gap = data.seq > applied + 1;
          applied = data.seq;
          var page = document.getElementById("session-page");
          if (page) page.setAttribute("data-event-seq", applied);
          if (gap) { resyncAll(); return; }
        }
        var mine = Boolean(data.actor) && data.actor === me;
        // Someone else moved the session on: the reader's last outcome banner ("Escalated:
        // the seniors see it…") describes an earlier moment; the screen says what is true now.
        if (!mine) clearOutcomes();
        if (data.reload) { resyncAll(); return; }
        // The writer's own page was answered with these regions already.
        if (mine) return;
        regions(data.regions || []);
        return;
      }
      if (typeof data.event !== "string" || data.event.indexOf("handoff.") !== 0 || !data.handoff) return;
      // The seq counts the whole account's events, so a jump here is another session's
      // escalation, not a missed event of this one: no gap check on this socket.
      seq = Math.max(seq, data.seq);
      announce(data);
      var current = document.getElementById("session-escalation");
      if (current) refresh("session-escalation", "session-escalation", current.getAttribute("data-refresh-url"), readSeq);
    });
  }

  function start() {
    readServerClock(document);
    var list = document.getElementById("queue-list");
    if (list && list.getAttribute("data-live-queue")) startQueue(list);
    startNav();
    var notify = document.querySelector("[data-notify]");
    if (notify) startNotifySettings(notify);
    var sessionPage = document.getElementById("session-page");
    if (sessionPage && sessionPage.getAttribute("data-live-session")) startSession(sessionPage);
    document.querySelectorAll("[data-live-socket][id]").forEach(function (panel) {
      if (!panel.closest("#session-page")) startPanel(panel);
    });
    tick();
    setInterval(tick, 1000);
  }

  if (!window.htmx || !window.WebSocket) return;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
