/**
 * The Rescue client's transport (src/rescue/client.ts speaks fetch): the service's outbound HTTPS
 * client's `fetch`, so Rescue calls share the trust store (`NODE_EXTRA_CA_CERTS`, or the
 * certificates an embedder passes), the keep-alive pool and the response size limit of the
 * Dataverse calls, and follow no redirect.
 *
 * It sends nothing to a host that is not in `RESCUE_ALLOWED_HOSTS` — the broker checks the
 * endpoint before it starts, this is the last line. Each call is bounded by the client's timeout
 * (its `signal`).
 */
import type { RescueTransport } from "../../rescue/client";
import { checkRescueEndpoint } from "../../rescue/endpoint";
import type { HttpsClient } from "../https-client";

export interface RescueTransportOptions {
  http: Pick<HttpsClient, "fetch">;
  /** Normalized `host[:port]` entries. */
  allowedHosts: readonly string[];
}

export class HostNotAllowedError extends Error {
  constructor() {
    super("the Rescue endpoint's host is not in RESCUE_ALLOWED_HOSTS: nothing was sent");
    this.name = "HostNotAllowedError";
  }
}

export function createRescueTransport(options: RescueTransportOptions): RescueTransport {
  return {
    fetch: (url, request) => {
      if (checkRescueEndpoint(url, options.allowedHosts) !== "allowed") return Promise.reject(new HostNotAllowedError());
      return options.http.fetch(url, request);
    },
  };
}
