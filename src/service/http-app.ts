/**
 * The HTTP surface (Fastify): `POST /api/integration`, `GET /healthz`, `GET /readyz` and the
 * PIN broker `POST /api/pin` (its own scope: src/service/pin-broker/routes.ts).
 *
 * The receiver checks credentials before reading the body (so a wrong password costs nothing),
 * refuses bodies over 1 MiB while they stream in, parses and checks the post, stores it
 * durably and only then answers 200. Every refusal is a 4xx with a one-line plain-text reason.
 */
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import { BASIC_REALM, type BasicCredentials } from "./basic-auth";
import { fastifyTrustProxy, type TrustProxy } from "./config";
import { errorSummary, type Logger } from "./log";
import { parseRescuePost, PostRejected } from "./post-parser";
import type { ReadinessCheck } from "./readiness";
import { registerPinBroker, type PinBrokerRoutesOptions } from "./pin-broker/routes";
import type { Spool, SpoolEntry } from "./spool";

export const MAX_POST_BYTES = 1024 * 1024;

export interface HttpAppOptions {
  credentials: BasicCredentials;
  spool: Spool;
  /** Called once a post is durably stored. */
  onStored: (entry: SpoolEntry) => void;
  readiness: ReadinessCheck;
  logger: Logger;
  pinBroker: PinBrokerRoutesOptions;
  /** Proxies trusted for the client address (`TRUST_PROXY`). */
  trustProxy: TrustProxy;
}

export function buildHttpApp(options: HttpAppOptions): FastifyInstance {
  const { logger } = options;
  const app = Fastify({
    logger: false,
    bodyLimit: MAX_POST_BYTES,
    requestTimeout: 60_000,
    connectionTimeout: 60_000,
    keepAliveTimeout: 65_000,
    return503OnClosing: true,
    forceCloseConnections: "idle",
    routerOptions: { maxParamLength: 200 },
    trustProxy: fastifyTrustProxy(options.trustProxy),
  });

  // Every body is read as raw bytes; the routes decide what they accept.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => {
    done(null, body);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 413) return reply.code(413).type("text/plain").send("body larger than 1 MiB");
    if (status >= 400 && status < 500) {
      return reply.code(status).type("text/plain").send(status === 415 ? "unsupported content type" : "bad request");
    }
    logger.error("request failed", { method: request.method, route: request.routeOptions.url ?? "", error: errorSummary(error) });
    return reply.code(500).type("text/plain").send("internal error");
  });

  app.setNotFoundHandler((_request, reply) => reply.code(404).type("text/plain").send("not found"));

  app.addHook("onResponse", (request, reply, done) => {
    logger.info("request", {
      method: request.method,
      route: request.routeOptions.url ?? "(none)",
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    });
    done();
  });

  app.post(
    "/api/integration",
    {
      onRequest: (request, reply, done) => {
        if (options.credentials.verify(request.headers.authorization)) {
          done();
          return;
        }
        void reply.code(401).header("www-authenticate", BASIC_REALM).header("connection", "close").type("text/plain").send("credentials required");
      },
    },
    async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const query = request.query as Record<string, unknown>;
      // A repeated `event` is refused like any other value that is not start or end.
      const event = Array.isArray(query.event) ? query.event.join(",") : typeof query.event === "string" ? query.event : undefined;
      let entry: SpoolEntry;
      try {
        const post = parseRescuePost({ body, contentType: request.headers["content-type"], event });
        entry = await options.spool.store(post);
      } catch (error) {
        if (error instanceof PostRejected) {
          logger.warn("post refused", { status: error.status, reason: error.reason });
          return reply.code(error.status).type("text/plain").send(error.reason);
        }
        logger.error("could not store the post", { error: errorSummary(error) });
        return reply.code(503).header("retry-after", "30").type("text/plain").send("could not store the post; try again");
      }
      logger.info("post accepted", { sessionId: entry.sessionId, seq: entry.seq });
      options.onStored(entry);
      return reply.code(200).type("text/plain").send("OK");
    },
  );

  app.get("/healthz", async (_request, reply) => reply.code(200).send({ status: "ok" }));

  app.get("/readyz", async (_request, reply) => {
    const report = await options.readiness.report();
    return reply.code(report.ready ? 200 : 503).send(report);
  });

  registerPinBroker(app, options.pinBroker);
  return app;
}
