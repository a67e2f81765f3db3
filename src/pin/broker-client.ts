/**
 * The browser's one call to the integration service's PIN broker: `POST <service>/api/pin` with
 * `{requestId, nonce}` as JSON, without cookies or credentials (src/pin/protocol.ts, DESIGN.md §7).
 *
 * The answer is the protocol's JSON: a success, or a failure word. Everything else becomes a
 * `PinError` with its own message:
 * - no answer within the timeout (30 s: the service's own deadline of 25 s and some room) → `serviceTimeout`;
 * - the request fails without an answer (fetch rejects): the browser does not say why, so
 *   `<service>/healthz` is probed without CORS (`mode: "no-cors"`). If that succeeds the service is
 *   up and refused this page's origin (CORS) → `serviceCors`; if it fails too → `serviceUnreachable`;
 * - an answer that is not the protocol's JSON (a proxy's error page, another server) →
 *   `serviceBadAnswer`.
 * The nonce travels only in the request body: it is in no URL, error or log line. The POST keeps
 * the browser's default cache mode: a POST answer is never cached anyway (and the service answers
 * `Cache-Control: no-store`), while `cache: "no-store"` would also make Chromium skip its cached
 * CORS preflight, costing every click a second round trip to the service.
 */
import { describeError } from "../errors";
import { SERVICE_PATHS, serviceAddress } from "../settings/service-url";
import { PinError, type FailureContext } from "./failures";
import { PIN_BROKER_BROWSER_WAIT_MS, readPinBrokerFailure, readPinBrokerSuccess, type PinBrokerFailure, type PinBrokerRequest, type PinBrokerSuccess } from "./protocol";

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** How long the agent waits for the service's answer. */
export const DEFAULT_SERVICE_TIMEOUT_MS = PIN_BROKER_BROWSER_WAIT_MS;
/** How long the health probe after a failed request may take. */
export const DEFAULT_PROBE_TIMEOUT_MS = 5_000;

export interface BrokerTransport {
  fetch: FetchLike;
  /** Default 30 s (`PIN_BROKER_BROWSER_WAIT_MS`). */
  timeoutMs?: number;
  /** Default 5 s. */
  probeTimeoutMs?: number;
}

export type BrokerAnswer = { ok: true; success: PinBrokerSuccess } | { ok: false; failure: PinBrokerFailure; status: number };

/** Runs `send` with an AbortSignal that fires after `timeoutMs`; tells whether it fired. */
async function withTimeout<T>(timeoutMs: number, send: (signal: AbortSignal) => Promise<T>): Promise<{ value: T } | { error: unknown; timedOut: boolean }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    return { value: await send(controller.signal) };
  } catch (error) {
    return { error, timedOut: controller.signal.aborted };
  } finally {
    clearTimeout(timer);
  }
}

/** Whether the service answers at all, CORS aside: an opaque answer to a no-cors GET of /healthz. */
async function serviceIsUp(root: string, transport: BrokerTransport): Promise<boolean> {
  const probe = await withTimeout(transport.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS, (signal) =>
    transport.fetch(serviceAddress(root, SERVICE_PATHS.health), { method: "GET", mode: "no-cors", credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer", signal }),
  );
  return "value" in probe;
}

/**
 * Asks the service at `root` for the PIN of the PIN request `request`. Rejects only with a
 * PinError (`context.origin` is named in the CORS message, for the service's `ALLOWED_ORIGIN`).
 */
export async function askServiceForPin(root: string, request: PinBrokerRequest, transport: BrokerTransport, context: FailureContext): Promise<BrokerAnswer> {
  const address = serviceAddress(root, SERVICE_PATHS.pin);
  const timeoutMs = transport.timeoutMs ?? DEFAULT_SERVICE_TIMEOUT_MS;
  const sent = await withTimeout(timeoutMs, async (signal) => {
    const response = await transport.fetch(address, {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      referrerPolicy: "no-referrer",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ requestId: request.requestId, nonce: request.nonce } satisfies PinBrokerRequest),
      signal,
    });
    return { status: response.status, text: await response.text() };
  });

  if ("error" in sent) {
    if (sent.timedOut) throw new PinError("serviceTimeout", `POST ${address}: no answer in ${timeoutMs} ms`, [Math.ceil(timeoutMs / 1000)]);
    const detail = `POST ${address}: ${describeError(sent.error)}`;
    if (await serviceIsUp(root, transport)) throw new PinError("serviceCors", `${detail}; ${SERVICE_PATHS.health} answers: CORS refused`, [root, context.origin]);
    throw new PinError("serviceUnreachable", `${detail}; ${SERVICE_PATHS.health} fails too`, [root]);
  }

  let body: unknown;
  try {
    body = JSON.parse(sent.value.text);
  } catch {
    body = undefined;
  }
  if (sent.value.status === 200) {
    const success = readPinBrokerSuccess(body);
    if (success) return { ok: true, success };
  } else {
    const failure = readPinBrokerFailure(body);
    if (failure) return { ok: false, failure, status: sent.value.status };
  }
  throw new PinError("serviceBadAnswer", `POST ${address}: HTTP ${sent.value.status}, not the broker's JSON`, [sent.value.status]);
}
