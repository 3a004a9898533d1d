// A live escalation queue on another origin than ResolutionFlow's: plain browser JavaScript,
// no build step, no library.
//
// 1. POST /api/v1/auth/token/ with email and password → an API token (kept in memory only).
// 2. POST /api/v1/realtime/ticket/ → a single-use ticket that lives seconds.
// 3. new WebSocket(`ws://…/ws/v1/queue/?ticket=<ticket>`): a browser cannot set headers on a
//    websocket handshake, and the server's cookie is not ours, so the ticket authenticates it.
//    The server greets with {"event": "hello", "seq"}, then sends every escalation event of the
//    account: {"event": "handoff.<kind>", "seq", "occurred_at", "handoff": <REST object>}.
// 4. On the hello: GET /api/v1/handoffs/ with `Authorization: Token <key>` → the queue (open
//    and claimed), loaded once the socket is live so no event falls in between; again after a
//    reconnect and when the event numbers show a gap.
// Refusals close the socket after the handshake with a code the page shows: 4401 not
// authenticated (bad, expired or used ticket; revoked token), 4403 not allowed (this page's
// origin is not in the server's CORS_ALLOWED_ORIGINS), 4404 not found.
//
// The page needs its origin in the server's CORS_ALLOWED_ORIGINS; `?api=<server>` in the
// page's URL fills in the API address.

const CLOSED_STATUSES = new Set(["resolved", "returned", "cancelled"]);
const CLOSE_REASONS = {
  1000: "closed",
  1006: "connection lost",
  4401: "not authenticated: the ticket was bad, expired or used, or the token was revoked",
  4403: "refused: this page's origin is not allowed by the server",
  4404: "not found",
};

const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);
const ui = {
  signInForm: byTestId("sign-in-form"),
  ticketForm: byTestId("ticket-form"),
  apiUrl: byTestId("api-url"),
  status: byTestId("status"),
  error: byTestId("error"),
  socketState: byTestId("socket-state"),
  lastSeq: byTestId("last-seq"),
  openCount: byTestId("open-count"),
  queue: byTestId("queue"),
  queueEmpty: byTestId("queue-empty"),
  reconnect: byTestId("reconnect"),
  signOut: byTestId("sign-out"),
};

const state = {
  apiBase: null, // URL of the server
  token: null, // the API key, in memory only
  socket: null,
  lastSeq: null, // the newest event number seen (hello or event)
  retries: 0,
  retryTimer: null,
  handling: Promise.resolve(),
};

class ApiError extends Error {
  constructor(status, body) {
    const detail = body && typeof body.detail === "string" ? body.detail : `HTTP ${status}`;
    super(detail);
    this.status = status;
    this.code = body && typeof body.code === "string" ? body.code : null;
  }
}

function showError(message) {
  ui.error.textContent = message;
  ui.error.hidden = !message;
}

function describe(error) {
  if (error instanceof ApiError) {
    return `${error.message}${error.code ? ` (${error.code})` : ""}`;
  }
  if (error instanceof TypeError) {
    // fetch rejects with a TypeError when no answer may be read: the server is down, or it
    // did not allow this origin (CORS).
    return `Could not reach ${state.apiBase} (is it running, and is ${location.origin} in its CORS_ALLOWED_ORIGINS?)`;
  }
  return String(error);
}

async function api(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  if (state.token) {
    headers.Authorization = `Token ${state.token}`;
  }
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
  }
  const response = await fetch(new URL(path, state.apiBase), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "omit", // tokens, never the server's cookies
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    throw new ApiError(response.status, data);
  }
  return data;
}

// --- the queue on screen ------------------------------------------------------------------

function renderEscalation(handoff) {
  const existing = ui.queue.querySelector(`[data-id="${CSS.escape(handoff.id)}"]`);
  if (CLOSED_STATUSES.has(handoff.status)) {
    existing?.remove();
    ui.queueEmpty.hidden = ui.queue.children.length > 0;
    return;
  }
  const item = document.createElement("li");
  item.dataset.testid = `escalation-${handoff.id}`;
  item.dataset.id = handoff.id;
  item.dataset.status = handoff.status;
  const title = document.createElement("strong");
  title.textContent = handoff.session.title;
  const meta = document.createElement("span");
  meta.className = "meta";
  const holder = handoff.claimed_by ? ` · picked up by ${handoff.claimed_by.display_name}` : "";
  meta.textContent = ` ${handoff.urgency} · ${handoff.status}${holder} · from ${handoff.requested_by.display_name}`;
  const note = document.createElement("p");
  note.textContent = handoff.note;
  item.append(title, meta, note);
  if (existing) {
    existing.replaceWith(item);
  } else {
    ui.queue.append(item);
  }
  ui.queueEmpty.hidden = true;
}

async function loadQueue() {
  const page = await api("/api/v1/handoffs/?page_size=200");
  ui.queue.replaceChildren();
  for (const handoff of page.results) {
    renderEscalation(handoff);
  }
  ui.queueEmpty.hidden = page.results.length > 0;
}

function setSocketState(text, name, closeCode = "") {
  ui.socketState.textContent = text;
  ui.socketState.dataset.state = name;
  ui.socketState.dataset.closeCode = closeCode;
}

function setSeq(seq) {
  state.lastSeq = seq;
  ui.lastSeq.textContent = String(seq);
}

// --- the websocket --------------------------------------------------------------------------

function socketUrl(ticket) {
  const url = new URL("/ws/v1/queue/", state.apiBase);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("ticket", ticket);
  return url;
}

async function onMessage(message) {
  if (message.event === "hello") {
    // Load the queue now that the socket is live: nothing can fall between the two, and
    // after a reconnect this is the resync.
    if (state.token) {
      await loadQueue();
    }
    setSeq(message.seq);
    ui.openCount.textContent = `(${message.open} waiting)`;
    state.retries = 0;
    setSocketState("live", "open");
  } else if (message.event === "queue.count") {
    ui.openCount.textContent = `(${message.open} waiting)`;
  } else if (message.event.startsWith("handoff.")) {
    const missed = state.lastSeq !== null && message.seq > state.lastSeq + 1;
    setSeq(Math.max(message.seq, state.lastSeq ?? 0));
    if (missed && state.token) {
      await loadQueue(); // a gap in the numbers: an event was missed, resync
    } else {
      renderEscalation(message.handoff);
    }
  }
}

function openSocket(ticket) {
  closeSocket();
  setSocketState("connecting…", "connecting");
  const socket = new WebSocket(socketUrl(ticket));
  state.socket = socket;
  socket.addEventListener("message", (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    // One message at a time, in order (the hello's queue load finishes before the next event).
    state.handling = state.handling.then(() => onMessage(message)).catch((error) => showError(describe(error)));
  });
  socket.addEventListener("close", (event) => {
    if (state.socket !== socket) {
      return; // replaced or closed on purpose
    }
    state.socket = null;
    const reason = CLOSE_REASONS[event.code] ?? (event.reason || "closed");
    setSocketState(`closed (${event.code}): ${reason}`, "closed", String(event.code));
    // 4xxx: a decision of the server; retrying the same way will not help. Anything else
    // (a restart, a dropped network) is retried with a fresh ticket, waiting longer each time.
    if (event.code < 4000 && state.token) {
      const delay = Math.min(30000, 1000 * 2 ** state.retries);
      state.retries += 1;
      state.retryTimer = setTimeout(() => connect().catch((error) => showError(describe(error))), delay);
    }
    ui.reconnect.hidden = !state.token;
  });
}

function closeSocket() {
  clearTimeout(state.retryTimer);
  const socket = state.socket;
  state.socket = null;
  socket?.close(1000);
}

async function connect() {
  const ticket = await api("/api/v1/realtime/ticket/", { method: "POST" });
  openSocket(ticket.ticket);
}

// --- signing in and out ---------------------------------------------------------------------

function setApiBase(value) {
  state.apiBase = new URL(value).origin;
}

ui.signInForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(ui.signInForm);
  showError("");
  try {
    setApiBase(form.get("api"));
    ui.status.textContent = "Signing in…";
    const issued = await api("/api/v1/auth/token/", {
      method: "POST",
      body: { email: form.get("email"), password: form.get("password"), name: `browser example on ${location.origin}` },
    });
    state.token = issued.token;
    const me = await api("/api/v1/me/");
    ui.status.textContent = `Signed in as ${me.display_name} (${me.role}).`;
    ui.signOut.hidden = false;
    await connect();
  } catch (error) {
    ui.status.textContent = "Signed out.";
    showError(describe(error));
  }
});

ui.ticketForm.addEventListener("submit", (event) => {
  event.preventDefault();
  showError("");
  try {
    setApiBase(new FormData(ui.signInForm).get("api"));
    openSocket(new FormData(ui.ticketForm).get("ticket"));
  } catch (error) {
    showError(describe(error));
  }
});

ui.reconnect.addEventListener("click", async () => {
  showError("");
  try {
    await connect();
  } catch (error) {
    showError(describe(error));
  }
});

ui.signOut.addEventListener("click", async () => {
  closeSocket();
  try {
    await api("/api/v1/auth/token/revoke/", { method: "POST", body: {} });
  } catch (error) {
    showError(`Signing out: ${describe(error)}`);
  }
  state.token = null;
  state.lastSeq = null;
  ui.lastSeq.textContent = "–";
  ui.queue.replaceChildren();
  ui.signOut.hidden = true;
  ui.reconnect.hidden = true;
  ui.status.textContent = "Signed out.";
  setSocketState("not connected", "closed");
});

ui.apiUrl.value = new URLSearchParams(location.search).get("api") ?? "http://127.0.0.1:8000";
