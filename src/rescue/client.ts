/**
 * The Rescue API transport: one form-encoded POST per call, the plain-text reply back. Only the
 * integration service calls Rescue (DESIGN.md §3, §7); it plugs its outbound HTTPS client's
 * `fetch` in (src/service/pin-broker/rescue-transport.ts), so the calls share the service's trust
 * store (`NODE_EXTRA_CA_CERTS`), keep-alive pool and response size limit.
 *
 * - `POST <endpoint>/<method>.aspx`, `application/x-www-form-urlencoded; charset=UTF-8`: the auth
 *   code and the SSO password travel in the body, never in a URL; no cookies (the auth code is
 *   the login, and the service's fetch keeps none);
 * - each call has a timeout (20 s unless the caller gives less: the PIN broker gives what is
 *   left of its deadline); a timeout of 0 sends nothing;
 * - failures are `RescueTransportError`s whose messages name the method and what happened, never
 *   the body or the endpoint.
 * Business failures arrive as HTTP 200 with a reply word: see `replies.ts`; the methods and their
 * fields are in `api.ts`.
 */

export type RescueMethod = "requestPINCode" | "requestAuthCodeSSO" | "getAccount";

export const DEFAULT_RESCUE_TIMEOUT_MS = 20_000;

/** One call as the transport sends it. */
export interface RescueHttpRequest {
  method: "POST";
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
}

/** What the client reads of an answer. */
export interface RescueHttpResponse {
  readonly ok: boolean;
  readonly status: number;
  text(): Promise<string>;
}

/** A fetch that sends `request` to `url` (the service's outbound HTTPS client). */
export type RescueFetch = (url: string, request: RescueHttpRequest) => Promise<RescueHttpResponse>;

export interface RescueTransport {
  fetch: RescueFetch;
}

export type RescueTransportFailure = "network" | "timeout" | "http";

export class RescueTransportError extends Error {
  declare readonly kind: RescueTransportFailure;
  /** The HTTP status (kind "http") or the timeout in seconds (kind "timeout"). */
  declare readonly value: number;

  constructor(kind: RescueTransportFailure, method: RescueMethod, value: number, cause?: unknown) {
    super(`Rescue ${method}: ${kind} ${value || (cause instanceof Error ? cause.message : "")}`, cause === undefined ? undefined : { cause });
    this.kind = kind;
    this.value = value;
  }
}

/** `<endpoint>/<method>.aspx`, whatever trailing slashes the configured endpoint has. */
export function rescueUrl(endpoint: string, method: RescueMethod): string {
  return `${endpoint.trim().replace(/\/+$/, "")}/${method}.aspx`;
}

/** Posts `fields` to a Rescue method and resolves to the trimmed reply text (HTTP 2xx only), within `timeoutMs`. */
export async function callRescue(
  endpoint: string,
  method: RescueMethod,
  fields: Readonly<Record<string, string>>,
  transport: RescueTransport,
  timeoutMs: number = DEFAULT_RESCUE_TIMEOUT_MS,
): Promise<string> {
  if (!(timeoutMs > 0)) throw new RescueTransportError("timeout", method, 0);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let status = 0;
  try {
    const response = await transport.fetch(rescueUrl(endpoint, method), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8", Accept: "text/plain, */*" },
      body: new URLSearchParams(fields).toString(),
      signal: controller.signal,
    });
    status = response.status;
    if (response.ok) return (await response.text()).trim();
  } catch (error) {
    throw controller.signal.aborted
      ? new RescueTransportError("timeout", method, Math.round(timeoutMs / 1000))
      : new RescueTransportError("network", method, 0, error);
  } finally {
    clearTimeout(timer);
  }
  throw new RescueTransportError("http", method, status);
}
