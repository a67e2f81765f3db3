/**
 * The HTTP surface (Fastify): `POST /api/integration`, `GET /healthz`, `GET /readyz` and the
 * PIN broker `POST /api/pin` (its own scope: src/service/pin-broker/routes.ts).
 *
 * The receiver (`/api/integration`) is its own plugin with its own body limit: post-receiver.ts.
 * Every refusal is a 4xx with a one-line plain-text reason.
 *
 * Fastify logs through the service's logger (log.ts): every request gets an id (`reqId` on
 * each of its lines, from `request.log`) and one line when it is answered — method, route (never
 * the URL with its query string), status and time taken.
 */
import { randomUUID } from "node:crypto";
import Fastify, { LogController, type FastifyError, type FastifyInstance } from "fastify";
import type { BasicCredentials } from "./basic-auth";
import { fastifyTrustProxy, type TrustProxy } from "./config";
import { errorSummary, type Logger } from "./log";
import { postReceiver } from "./post-receiver";
import type { ReadinessCheck } from "./readiness";
import { registerPinBroker, type PinBrokerRoutesOptions } from "./pin-broker/routes";
import type { Spool, SpoolEntry } from "./spool";

const MAX_BODY_BYTES = 1024 * 1024;

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
  const app = Fastify({
    loggerInstance: options.logger,
    // Fastify's two lines per request (received, completed, with the URL) give way to the one below.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    bodyLimit: MAX_BODY_BYTES,
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
    request.log.error({ method: request.method, route: request.routeOptions.url ?? "", error: errorSummary(error) }, "request failed");
    return reply.code(500).type("text/plain").send("internal error");
  });

  app.setNotFoundHandler((_request, reply) => reply.code(404).type("text/plain").send("not found"));

  app.addHook("onResponse", (request, reply, done) => {
    request.log.info({ method: request.method, route: request.routeOptions.url ?? "(none)", status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, "request");
    done();
  });

  void app.register(postReceiver, { credentials: options.credentials, spool: options.spool, onStored: options.onStored });

  app.get("/healthz", async (_request, reply) => reply.code(200).send({ status: "ok" }));

  app.get("/readyz", async (_request, reply) => {
    const report = await options.readiness.report();
    return reply.code(report.ready ? 200 : 503).send(report);
  });

  registerPinBroker(app, options.pinBroker);
  return app;
}
