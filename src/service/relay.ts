/**
 * Relay of Rescue API calls for browsers that may not call Rescue directly:
 * `POST /api/rescue/<method>.aspx` for `requestPINCode`, `requestAuthCodeSSO` and `getAccount`.
 *
 * The form body goes to `<RESCUE_API_BASE>/<method>.aspx` unchanged and Rescue's reply comes
 * back as is (status, content type, body). CORS is granted to the configured Dynamics origin
 * only; requests from any other origin are refused. The relay stores nothing and logs only the
 * method, the status and the duration — never a field value (auth codes, SSO passwords).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { HttpsClient } from "./https-client";
import { NetworkError } from "./https-client";
import type { Logger } from "./log";

export const RELAYED_METHODS = ["requestPINCode", "requestAuthCodeSSO", "getAccount"] as const;
export type RelayedMethod = (typeof RELAYED_METHODS)[number];

const BY_FILE = new Map<string, RelayedMethod>(RELAYED_METHODS.map((m) => [`${m.toLowerCase()}.aspx`, m]));

export interface RelayOptions {
  rescueApiBase: string;
  allowedOrigin: string;
  http: HttpsClient;
  logger: Logger;
  timeoutMs?: number;
}

const RELAY_BODY_LIMIT = 64 * 1024;

export function registerRescueRelay(app: FastifyInstance, options: RelayOptions): void {
  const base = options.rescueApiBase.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 30_000;

  const methodOf = (request: FastifyRequest): RelayedMethod | undefined => {
    const file = (request.params as { file?: string }).file ?? "";
    return BY_FILE.get(file.toLowerCase());
  };

  /** True when the request may proceed; sets the CORS headers for the allowed origin. */
  const checkOrigin = (request: FastifyRequest, reply: FastifyReply): boolean => {
    void reply.header("vary", "Origin");
    const origin = request.headers.origin;
    if (origin === undefined) return true; // not a cross-origin browser call
    if (origin !== options.allowedOrigin) return false;
    void reply.header("access-control-allow-origin", origin);
    return true;
  };

  app.options("/api/rescue/:file", async (request, reply) => {
    if (methodOf(request) === undefined) return reply.code(404).type("text/plain").send("unknown Rescue API method");
    const allowed = checkOrigin(request, reply) && request.headers.origin !== undefined;
    if (!allowed) return reply.code(403).type("text/plain").send("origin not allowed");
    return reply
      .code(204)
      .header("access-control-allow-methods", "POST")
      .header("access-control-allow-headers", "Content-Type")
      .header("access-control-max-age", "600")
      .send();
  });

  app.post("/api/rescue/:file", { bodyLimit: RELAY_BODY_LIMIT }, async (request, reply) => {
    const method = methodOf(request);
    if (method === undefined) return reply.code(404).type("text/plain").send("unknown Rescue API method");
    if (!checkOrigin(request, reply)) return reply.code(403).type("text/plain").send("origin not allowed");
    const contentType = (request.headers["content-type"] ?? "").toLowerCase();
    if (!contentType.startsWith("application/x-www-form-urlencoded")) {
      return reply.code(415).type("text/plain").send("content type must be application/x-www-form-urlencoded");
    }
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const started = Date.now();
    try {
      const upstream = await options.http.request({
        method: "POST",
        url: `${base}/${method}.aspx`,
        headers: { "content-type": request.headers["content-type"] ?? "application/x-www-form-urlencoded", accept: "text/plain, */*" },
        body,
        timeoutMs,
      });
      options.logger.info("relayed Rescue API call", { method, status: upstream.status, ms: Date.now() - started });
      const upstreamType = upstream.headers["content-type"];
      if (upstreamType !== undefined) void reply.type(upstreamType);
      return reply.code(upstream.status).send(upstream.body);
    } catch (error) {
      const timedOut = error instanceof NetworkError && error.message.includes("no answer");
      options.logger.warn("Rescue API call failed", { method, reason: timedOut ? "timeout" : "network", ms: Date.now() - started });
      return reply
        .code(timedOut ? 504 : 502)
        .type("text/plain")
        .send(timedOut ? "Rescue API did not answer in time" : "Rescue API unreachable");
    }
  });
}
