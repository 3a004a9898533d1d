// The escalation queue's websocket (/ws/v1/queue/) opened with a single-use ticket.
//
// A ticket comes from `POST /api/v1/realtime/ticket/` (a few seconds of life, one use) and
// goes in the URL: `/ws/v1/queue/?ticket=<ticket>`. The server accepts, greets with
// `{"event": "hello", "seq": <the account's newest event number>, ...}`, then sends every
// escalation event of the account: `{"event": "handoff.<kind>", "seq", "occurred_at",
// "handoff": <the REST escalation object>}`, and `{"event": "queue.count", "open": n}`.
// Refusals come after the handshake as close codes: 4401 not authenticated (a bad, expired
// or used ticket), 4403 not allowed (a foreign Origin), 4404 not found.
//
// Messages are JSON the compiler knows nothing about: they are read as `unknown` and
// narrowed field by field, so nothing is assumed that was not checked.
import WebSocket from "ws";

/** The greeting the server sends right after accepting. */
export interface Hello {
  event: "hello";
  seq: number;
  open: number | null;
}

/** One escalation event; `handoff` keeps the fields this client reads. */
export interface HandoffEvent {
  event: string;
  seq: number;
  occurredAt: string;
  handoff: { id: string; status: string; sessionId: string | null };
}

export type QueueMessage = { kind: "hello"; hello: Hello } | { kind: "handoff"; event: HandoffEvent } | { kind: "other"; event: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Narrows one parsed websocket message; `null` when it is not an object with an `event`. */
export function readQueueMessage(value: unknown): QueueMessage | null {
  if (!isRecord(value) || typeof value.event !== "string") {
    return null;
  }
  const { event, seq } = value;
  if (event === "hello") {
    if (typeof seq !== "number") {
      return null;
    }
    return { kind: "hello", hello: { event, seq, open: typeof value.open === "number" ? value.open : null } };
  }
  if (event.startsWith("handoff.")) {
    const { handoff, occurred_at: occurredAt } = value;
    if (typeof seq !== "number" || typeof occurredAt !== "string" || !isRecord(handoff)) {
      return null;
    }
    const { id, status, session } = handoff;
    if (typeof id !== "string" || typeof status !== "string") {
      return null;
    }
    const sessionId = isRecord(session) && typeof session.id === "string" ? session.id : null;
    return { kind: "handoff", event: { event, seq, occurredAt, handoff: { id, status, sessionId } } };
  }
  return { kind: "other", event };
}

function textOf(data: WebSocket.RawData): string {
  return new TextDecoder().decode(Array.isArray(data) ? Buffer.concat(data) : data);
}

/** The socket closed, failed to open, or a wait ran out of time. */
export class SocketFailed extends Error {
  readonly closeCode: number | null;

  constructor(message: string, closeCode: number | null) {
    super(message);
    this.name = "SocketFailed";
    this.closeCode = closeCode;
  }
}

interface Waiter {
  matches: (message: QueueMessage) => boolean;
  resolve: (message: QueueMessage) => void;
  reject: (error: SocketFailed) => void;
}

/**
 * The queue socket with a buffer: every message is kept, so `waitFor` finds one that
 * arrived before it was called as well as one that arrives later.
 */
export class QueueSocket {
  private readonly socket: WebSocket;
  private readonly received: QueueMessage[] = [];
  private waiters: Waiter[] = [];
  private closed: SocketFailed | null = null;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on("message", (data, isBinary) => {
      if (isBinary) {
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(textOf(data));
      } catch {
        return;
      }
      const message = readQueueMessage(parsed);
      if (message === null) {
        return;
      }
      this.received.push(message);
      const still: Waiter[] = [];
      for (const waiter of this.waiters) {
        if (waiter.matches(message)) {
          waiter.resolve(message);
        } else {
          still.push(waiter);
        }
      }
      this.waiters = still;
    });
    socket.on("close", (code, reason) => {
      this.closed = new SocketFailed(`the queue socket closed with code ${String(code)} ${reason.toString()}`.trim(), code);
      for (const waiter of this.waiters) {
        waiter.reject(this.closed);
      }
      this.waiters = [];
    });
  }

  /**
   * Opens `<wsBaseUrl>/ws/v1/queue/?ticket=<ticket>` and resolves with the socket and its
   * hello. Rejects with `SocketFailed` (and the close code, e.g. 4401 for a used ticket)
   * when the server closes before greeting, or after `timeoutMs` milliseconds.
   */
  static async open(wsBaseUrl: string, ticket: string, timeoutMs: number): Promise<{ queue: QueueSocket; hello: Hello }> {
    const url = new URL("/ws/v1/queue/", wsBaseUrl);
    url.searchParams.set("ticket", ticket);
    const socket = new WebSocket(url);
    socket.on("error", () => {
      // Reported through "close" (every error is followed by a close).
    });
    const queue = new QueueSocket(socket);
    const message = await queue.waitFor((candidate) => candidate.kind === "hello", timeoutMs, "the queue socket's hello");
    if (message.kind !== "hello") {
      throw new SocketFailed("the queue socket did not greet", null);
    }
    return { queue, hello: message.hello };
  }

  /**
   * The first message (already received or still to come) that `matches`; rejects with
   * `SocketFailed` when the socket closes first or `timeoutMs` milliseconds pass.
   */
  waitFor(matches: (message: QueueMessage) => boolean, timeoutMs: number, what: string): Promise<QueueMessage> {
    const seen = this.received.find(matches);
    if (seen !== undefined) {
      return Promise.resolve(seen);
    }
    if (this.closed !== null) {
      return Promise.reject(this.closed);
    }
    return new Promise<QueueMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== entry);
        reject(new SocketFailed(`no ${what} within ${String(timeoutMs)} ms`, null));
      }, timeoutMs);
      const entry: Waiter = {
        matches,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiters.push(entry);
    });
  }

  /** Waits for the `handoff.<kind>` event of escalation `handoffId`. */
  async waitForHandoffEvent(kind: string, handoffId: string, timeoutMs: number): Promise<HandoffEvent> {
    const message = await this.waitFor(
      (candidate) => candidate.kind === "handoff" && candidate.event.event === `handoff.${kind}` && candidate.event.handoff.id === handoffId,
      timeoutMs,
      `handoff.${kind} event of escalation ${handoffId}`,
    );
    if (message.kind !== "handoff") {
      throw new SocketFailed(`not a handoff event: ${message.kind}`, null);
    }
    return message.event;
  }

  /** Closes the socket (normal closure) and resolves once it is closed. */
  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.socket.once("close", () => {
        resolve();
      });
      this.socket.close(1000);
    });
  }
}
