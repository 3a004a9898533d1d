// ResolutionFlow's core escalation workflow, driven through the public API by two people:
//
//   technician: log in, start an Assistant session, post a message, escalate;
//   engineer:   log in, get a websocket ticket, open the queue socket, receive the
//               escalation's `handoff.created`, pick it up, post a message in the
//               session, return it to the technician with a coaching note.
//
// Prints one JSON summary line on success (exit 0); on any failure prints
// `{"ok": false, "step", "status", "error"}` to stderr and exits 1.
//
// Configuration (environment):
//   RF_BASE_URL            the server, default http://127.0.0.1:8000 (`make run`)
//   RF_TECH_EMAIL          default jamie.junior@demo.resolutionflow.test (the demo pilot)
//   RF_TECH_PASSWORD       default demo-pass-2026
//   RF_ENGINEER_EMAIL      default sam.senior@demo.resolutionflow.test
//   RF_ENGINEER_PASSWORD   default demo-pass-2026
//   RF_EVENT_TIMEOUT_MS    how long to wait for a websocket message, default 10000
import { expectData, logIn, StepFailed, tokenApi } from "./api.js";
import type { Api } from "./api.js";
import { QueueSocket, SocketFailed } from "./queue-socket.js";

interface Config {
  baseUrl: string;
  wsBaseUrl: string;
  tech: { email: string; password: string };
  engineer: { email: string; password: string };
  eventTimeoutMs: number;
}

function readConfig(env: NodeJS.ProcessEnv): Config {
  const baseUrl = env.RF_BASE_URL ?? "http://127.0.0.1:8000";
  const ws = new URL(baseUrl);
  ws.protocol = ws.protocol === "https:" ? "wss:" : "ws:";
  const timeout = Number(env.RF_EVENT_TIMEOUT_MS ?? "10000");
  if (!Number.isInteger(timeout) || timeout <= 0) {
    throw new StepFailed("configuration", null, null, `RF_EVENT_TIMEOUT_MS must be a positive whole number of milliseconds, not ${String(env.RF_EVENT_TIMEOUT_MS)}`);
  }
  return {
    baseUrl,
    wsBaseUrl: ws.toString(),
    tech: {
      email: env.RF_TECH_EMAIL ?? "jamie.junior@demo.resolutionflow.test",
      password: env.RF_TECH_PASSWORD ?? "demo-pass-2026",
    },
    engineer: {
      email: env.RF_ENGINEER_EMAIL ?? "sam.senior@demo.resolutionflow.test",
      password: env.RF_ENGINEER_PASSWORD ?? "demo-pass-2026",
    },
    eventTimeoutMs: timeout,
  };
}

export interface Summary {
  ok: true;
  session: { id: string; status: string };
  handoff: { id: string; status: string; closing_note: string; claimed_by: string | null; first_action_kind: string };
  event: { event: string; seq: number; hello_seq: number };
  feed: string[];
  actions: { before_claim: string[]; after_claim: string[] };
  technician_message: string;
  engineer_message: string;
  ticket_expires_in: number;
}

/** Revoke the token in use, so the example leaves no live credentials behind. */
async function revoke(api: Api): Promise<void> {
  await expectData("revoke a token", api.POST("/api/v1/auth/token/revoke/", { body: {} }));
}

export async function runWorkflow(config: Config): Promise<Summary> {
  const signedIn: Api[] = []; // revoked at the end, whatever happens
  let queue: QueueSocket | null = null;
  let failed = false;
  try {
    const tech = tokenApi(config.baseUrl, (await logIn(config.baseUrl, config.tech.email, config.tech.password)).token);
    signedIn.push(tech);
    const engineer = tokenApi(config.baseUrl, (await logIn(config.baseUrl, config.engineer.email, config.engineer.password)).token);
    signedIn.push(engineer);

    // The technician starts a session and tries something.
    const session = await expectData(
      "start a session",
      tech.POST("/api/v1/sessions/", {
        body: {
          mode: "assistant",
          title: "Outlook keeps asking for a password (example client)",
          problem: "Outlook on Windows 11 prompts for the mailbox password every few minutes.",
          client_name: "Harbor Dental",
          ticket_ref: "T-EXAMPLE",
        },
      }),
    );
    const techMessage = await expectData(
      "post the technician's message",
      tech.POST("/api/v1/sessions/{session_id}/messages/", {
        params: { path: { session_id: session.id } },
        body: { kind: "tech", body: "Cleared the Credential Manager entries and rebuilt the profile; it still prompts." },
      }),
    );
    if (techMessage.message === null) {
      throw new StepFailed("post the technician's message", 201, techMessage, "the server did not return the posted message");
    }

    // The engineer watches the queue live before the escalation exists, so its
    // handoff.created cannot be missed. The ticket lives seconds and works once.
    const ticket = await expectData("get a websocket ticket", engineer.POST("/api/v1/realtime/ticket/"));
    const opened = await QueueSocket.open(config.wsBaseUrl, ticket.ticket, config.eventTimeoutMs);
    queue = opened.queue;

    // The technician is stuck and escalates.
    const escalated = await expectData(
      "escalate",
      tech.POST("/api/v1/sessions/{id}/handoff/", {
        params: { path: { id: session.id } },
        body: { note: "Stuck: the prompt comes back after a profile rebuild.", urgency: "high" },
      }),
    );

    // The engineer sees it arrive, picks it up, works in the session and hands it back.
    const created = await queue.waitForHandoffEvent("created", escalated.id, config.eventTimeoutMs);
    if (created.seq <= opened.hello.seq) {
      throw new StepFailed("receive handoff.created", null, created, `event seq ${String(created.seq)} is not after the hello's ${String(opened.hello.seq)}`);
    }
    // The server says what this engineer may do to it now (the rules the pages' buttons use).
    const offered = await expectData("read the escalation", engineer.GET("/api/v1/handoffs/{id}/", { params: { path: { id: escalated.id } } }));
    if (!offered.actions.includes("claim")) {
      throw new StepFailed("read the escalation", 200, offered.actions, `claim is not among the actions offered: ${JSON.stringify(offered.actions)}`);
    }
    const claimed = await expectData(
      "claim the escalation",
      engineer.POST("/api/v1/handoffs/{id}/claim/", { params: { path: { id: escalated.id } } }),
    );
    const engineerMessage = await expectData(
      "post the engineer's message",
      engineer.POST("/api/v1/sessions/{session_id}/messages/", {
        params: { path: { session_id: session.id } },
        body: { kind: "tech", body: "Modern authentication is off in the registry (EnableADAL=0); turning it back on." },
      }),
    );
    if (engineerMessage.message === null) {
      throw new StepFailed("post the engineer's message", 201, engineerMessage, "the server did not return the posted message");
    }
    const coaching = "Check HKCU\\Software\\Microsoft\\Office\\16.0\\Common\\Identity before rebuilding profiles.";
    const returned = await expectData(
      "return the escalation",
      engineer.POST("/api/v1/handoffs/{id}/return/", {
        params: { path: { id: escalated.id } },
        body: { note: coaching },
      }),
    );
    const after = await expectData("read the session", tech.GET("/api/v1/sessions/{id}/", { params: { path: { id: session.id } } }));
    // What a client that was offline since the hello catches up on: the account's events
    // after that seq, each with the escalation's current state.
    const feed = await expectData(
      "read the events feed",
      engineer.GET("/api/v1/events/", { params: { query: { after: opened.hello.seq, limit: 200 } } }),
    );
    const feedEvents = feed.results.filter((event) => event.handoff.id === escalated.id).map((event) => event.event);

    return {
      ok: true,
      session: { id: after.id, status: after.status },
      handoff: {
        id: returned.id,
        status: returned.status,
        closing_note: returned.closing_note,
        claimed_by: claimed.claimed_by === null ? null : claimed.claimed_by.email,
        first_action_kind: returned.first_action_kind,
      },
      event: { event: created.event, seq: created.seq, hello_seq: opened.hello.seq },
      feed: feedEvents,
      actions: { before_claim: offered.actions, after_claim: claimed.actions },
      technician_message: techMessage.message.id,
      engineer_message: engineerMessage.message.id,
      ticket_expires_in: ticket.expires_in,
    };
  } catch (error: unknown) {
    failed = true;
    throw error;
  } finally {
    // Close the socket and revoke both tokens whatever happened. A failure here fails a run
    // that otherwise succeeded; after an earlier failure it is reported beside it.
    const cleanup: Promise<void>[] = signedIn.map(revoke);
    if (queue !== null) {
      cleanup.push(queue.close());
    }
    const results = await Promise.allSettled(cleanup);
    const problems = results.flatMap((result) => (result.status === "rejected" ? [String(result.reason)] : []));
    if (problems.length > 0) {
      if (!failed) {
        // eslint-disable-next-line no-unsafe-finally -- a cleanup failure must fail a run that otherwise passed
        throw new StepFailed("clean up", null, problems, `clean up: ${problems.join("; ")}`);
      }
      process.stderr.write(`${JSON.stringify({ cleanup_failed: problems })}\n`);
    }
  }
}

async function main(): Promise<number> {
  try {
    const summary = await runWorkflow(readConfig(process.env));
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return 0;
  } catch (error: unknown) {
    const report =
      error instanceof StepFailed
        ? { ok: false, step: error.step, status: error.status, error: error.message, body: error.body }
        : error instanceof SocketFailed
          ? { ok: false, step: "websocket", status: error.closeCode, error: error.message }
          : { ok: false, step: "unexpected", status: null, error: String(error) };
    process.stderr.write(`${JSON.stringify(report)}\n`);
    return 1;
  }
}

process.exitCode = await main();
