/**
 * The Rescue client's transport (src/rescue/client.ts speaks `fetch`) over the service's own
 * HTTPS client: the same trust store (`NODE_EXTRA_CA_CERTS`, or the agent an embedder passes),
 * keep-alive agent and response size limit as the Dataverse calls.
 *
 * It sends nothing to a host that is not in `RESCUE_ALLOWED_HOSTS` — the broker checks the
 * endpoint before it starts, this is the last line — and gives up when the client's timeout
 * aborts the call (the HTTPS request itself is bounded a little later, as a backstop).
 */
import { DEFAULT_RESCUE_TIMEOUT_MS, type FetchLike, type RescueTransport } from "../../rescue/client";
import { checkRescueEndpoint } from "../../rescue/endpoint";
import type { HttpsClient } from "../https-client";

export interface RescueTransportOptions {
  http: Pick<HttpsClient, "request">;
  /** Normalized `host[:port]` entries. */
  allowedHosts: readonly string[];
  timeoutMs?: number;
}

export class HostNotAllowedError extends Error {
  constructor() {
    super("the Rescue endpoint's host is not in RESCUE_ALLOWED_HOSTS: nothing was sent");
    this.name = "HostNotAllowedError";
  }
}

export function createRescueTransport(options: RescueTransportOptions): RescueTransport {
  const timeoutMs = options.timeoutMs ?? DEFAULT_RESCUE_TIMEOUT_MS;
  const fetch: FetchLike = async (input, init) => {
    if (checkRescueEndpoint(input, options.allowedHosts) !== "allowed") throw new HostNotAllowedError();
    const body = init.body;
    if (typeof body !== "string") throw new TypeError("the Rescue transport sends form bodies only");
    const headers: Record<string, string> = { accept: "text/plain, */*" };
    new Headers(init.headers).forEach((value, name) => {
      headers[name] = value;
    });
    const request = options.http.request({ method: "POST", url: input, headers, body, timeoutMs: timeoutMs + 1_000 });
    const signal = init.signal ?? null;
    let onAbort = (): void => undefined;
    const aborted = new Promise<never>((_resolve, reject) => {
      onAbort = () => reject(new Error("aborted"));
      signal?.addEventListener("abort", onAbort, { once: true });
      if (signal?.aborted === true) onAbort();
    });
    try {
      const response = await Promise.race([request, aborted]);
      return new Response(response.body.length === 0 ? null : new Uint8Array(response.body), { status: response.status });
    } finally {
      signal?.removeEventListener("abort", onAbort);
      // After an abort the request still ends (by its own timeout at the latest): nothing waits for it.
      void request.catch(() => undefined);
    }
  };
  return { fetch, timeoutMs };
}
