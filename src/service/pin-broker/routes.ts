/**
 * `POST /api/pin` and its CORS preflight `OPTIONS /api/pin`, in their own Fastify scope:
 *
 * - only the Dynamics origin (`ALLOWED_ORIGIN`) may call: any other `Origin`, or none, gets
 *   `ORIGIN_NOT_ALLOWED` without CORS headers, before the body is read and before anything else
 *   is called. Every other answer — PIN, refusal, rate limit, oversize body — carries
 *   `Access-Control-Allow-Origin: <ALLOWED_ORIGIN>` (never credentials), so the agent's browser
 *   can read the word;
 * - a per-address rate limit (`@fastify/rate-limit`, in memory): `PIN_RATE_LIMIT.max` calls per
 *   minute, room for an agent's bursts; over it, `RATE_LIMITED` with `retryAfterSeconds`. The
 *   address is the TCP peer, or the client named in `X-Forwarded-For` by the proxies
 *   `TRUST_PROXY` trusts;
 * - bodies over 4 KiB are `TOO_LARGE` (counted while they stream in), anything but JSON is
 *   `UNSUPPORTED_MEDIA_TYPE`, malformed JSON or fields are `BAD_REQUEST`;
 * - answers are never cached (`Cache-Control: no-store`): they carry PINs;
 * - the broker logs through the request's logger (its lines carry the `requestId`), and its
 *   deadline starts when the request arrived;
 * - the preflight allows `POST` with `Content-Type`, for 10 minutes, and answers Chrome's Private
 *   Network Access question, for a service on an intranet address called from Dynamics online.
 */
import rateLimit from "@fastify/rate-limit";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { PIN_API_PATH, PIN_REQUEST_MAX_BODY_BYTES, type PinBrokerRequest } from "../../pin/protocol";
import { errorSummary, type Logger } from "../log";
import { rateLimitRetryAfterSeconds } from "../retry-policy";
import type { PinBrokerAnswer } from "./broker";
import { PinRefusal } from "./refusal";
import { checkContentType, parsePinRequestBody } from "./request-body";

/** Calls of `POST /api/pin` per address per minute. */
export const PIN_RATE_LIMIT = { max: 60, timeWindowMs: 60_000 } as const;

export interface PinBrokerRoutesOptions {
  broker: { handle(request: PinBrokerRequest, log: Logger, arrivedAt: number): Promise<PinBrokerAnswer> };
  /** The one origin allowed to call (`ALLOWED_ORIGIN`). */
  allowedOrigin: string;
  /** Overrides `PIN_RATE_LIMIT` (tests). */
  rateLimit?: { max: number; timeWindowMs: number };
}

/** The error the rate limiter throws; the scope's error handler turns it into `RATE_LIMITED`. */
class RateLimitedError extends Error {
  readonly statusCode = 429;
  constructor(readonly retryAfterSeconds: number) {
    super("rate limit exceeded");
    this.name = "RateLimitedError";
  }
}

export function registerPinBroker(app: FastifyInstance, options: PinBrokerRoutesOptions): void {
  const limit = options.rateLimit ?? PIN_RATE_LIMIT;

  /** CORS headers for the allowed origin; false (and none) for any other. */
  const allowOrigin = (request: FastifyRequest, reply: FastifyReply): boolean => {
    void reply.header("vary", "Origin").header("cache-control", "no-store");
    if (request.headers.origin !== options.allowedOrigin) return false;
    void reply.header("access-control-allow-origin", options.allowedOrigin).header("access-control-expose-headers", "Retry-After");
    return true;
  };

  const refuse = (reply: FastifyReply, refusal: PinRefusal): FastifyReply => reply.code(refusal.status).send(refusal.body);

  void app.register(async (scope) => {
    scope.setErrorHandler((error: FastifyError | PinRefusal | RateLimitedError, request, reply) => {
      allowOrigin(request, reply);
      if (error instanceof PinRefusal) return refuse(reply, error);
      if (error instanceof RateLimitedError) {
        request.log.warn({ address: request.ip }, "PIN request rate limit reached");
        return refuse(reply, PinRefusal.of("RATE_LIMITED", { retryAfterSeconds: error.retryAfterSeconds }));
      }
      const status = error.statusCode ?? 500;
      if (status === 413) return refuse(reply, PinRefusal.of("TOO_LARGE"));
      if (status === 415) return refuse(reply, PinRefusal.of("UNSUPPORTED_MEDIA_TYPE"));
      if (status >= 400 && status < 500) return refuse(reply, PinRefusal.of("BAD_REQUEST"));
      request.log.error({ error: errorSummary(error) }, "PIN request failed");
      return refuse(reply, PinRefusal.of("INTERNAL"));
    });

    scope.addHook("onRequest", async (request, reply) => {
      if (!allowOrigin(request, reply)) throw PinRefusal.of("ORIGIN_NOT_ALLOWED");
    });

    await scope.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) => new RateLimitedError(rateLimitRetryAfterSeconds(context.ttl)),
    });

    scope.options(PIN_API_PATH, async (request, reply) => {
      // Chrome's Private Network Access: a public Dynamics page calling a service on a private address asks first.
      if (request.headers["access-control-request-private-network"] === "true") void reply.header("access-control-allow-private-network", "true");
      return reply
        .code(204)
        .header("access-control-allow-methods", "POST")
        .header("access-control-allow-headers", "Content-Type")
        .header("access-control-max-age", "600")
        .send();
    });

    scope.post(
      PIN_API_PATH,
      { bodyLimit: PIN_REQUEST_MAX_BODY_BYTES, config: { rateLimit: { max: limit.max, timeWindow: limit.timeWindowMs } } },
      async (request, reply) => {
        checkContentType(request.headers["content-type"]);
        const body = parsePinRequestBody(Buffer.isBuffer(request.body) ? request.body : undefined);
        const answer = await options.broker.handle(body, request.log, Date.now() - reply.elapsedTime);
        return reply.code(answer.status).send(answer.body);
      },
    );
  });
}
