// The typed REST client: openapi-fetch over the paths openapi-typescript generated from
// ResolutionFlow's OpenAPI schema (src/schema.d.ts). Every path, parameter, body and
// response below is checked by the compiler against that schema.
import createClient from "openapi-fetch";
import type { Client } from "openapi-fetch";

import type { components, paths } from "./schema.js";

export type Api = Client<paths>;
export type Schemas = components["schemas"];

/** A step of the workflow that did not get the answer it needed. */
export class StepFailed extends Error {
  readonly step: string;
  readonly status: number | null;
  readonly body: unknown;

  constructor(step: string, status: number | null, body: unknown, message?: string) {
    super(message ?? `${step}: HTTP ${String(status)} ${JSON.stringify(body)}`);
    this.name = "StepFailed";
    this.step = step;
    this.status = status;
    this.body = body;
  }
}

/** What every openapi-fetch call resolves to, reduced to what `expectData` reads. */
interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * The response body of a successful call, or a `StepFailed` naming the step, the HTTP
 * status and ResolutionFlow's error body (`{"detail", "code", ...}`).
 */
export async function expectData<T>(step: string, call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch (error: unknown) {
    throw new StepFailed(step, null, String(error), `${step}: the request failed: ${String(error)}`);
  }
  const { data, error, response } = result;
  if (!response.ok || data === undefined) {
    throw new StepFailed(step, response.status, error ?? null);
  }
  return data;
}

/** An API client with no credentials (for `POST /api/v1/auth/token/`). */
export function anonymousApi(baseUrl: string): Api {
  return createClient<paths>({ baseUrl });
}

/** An API client that sends `Authorization: Token <key>` on every request. */
export function tokenApi(baseUrl: string, token: string): Api {
  return createClient<paths>({ baseUrl, headers: { Authorization: `Token ${token}` } });
}

/** Exchange an email and password for an API token (`POST /api/v1/auth/token/`). */
export async function logIn(baseUrl: string, email: string, password: string): Promise<Schemas["IssuedToken"]> {
  return expectData(
    `log in as ${email}`,
    anonymousApi(baseUrl).POST("/api/v1/auth/token/", {
      body: { email, password, name: "example TypeScript client" },
    }),
  );
}
