/**
 * `POST /api/integration`: the Post-to-URL receiver (DESIGN.md §8), registered as its own
 * Fastify plugin so that its body limit, body reading and error answers apply to this route
 * only.
 *
 * The credentials are checked before the body is read (so a wrong password costs nothing). The
 * body, up to 16 MiB, is read as raw bytes while it streams in and refused with 413 as soon as
 * it is larger; the query string and the content type are never a reason to refuse. The post
 * is parsed to check it can be read (post-parser.ts), then stored durably exactly as received,
 * and only then answered 200. A post that cannot be read gets a 4xx with a one-line reason; a
 * post that could not be stored where a restart finds it gets 503 with `Retry-After`.
 */
import type { FastifyError, FastifyPluginCallback } from "fastify";
import { BASIC_REALM, type BasicCredentials } from "./basic-auth";
import { errorSummary, type Logger } from "./log";
import { parseRescuePost, PostRejected } from "./post-parser";
import type { Spool, SpoolEntry } from "./spool";

/** 16 MiB: a chat that fills `lmi_chatlog` (1,048,576 UTF-16 units) fits in any script, also form-encoded. */
export const MAX_POST_BYTES = 16 * 1024 * 1024;

/** Seconds Rescue (or an operator replaying a post) is asked to wait after a 503. */
export const RETRY_AFTER_SECONDS = 30;

export interface PostReceiverOptions {
  credentials: BasicCredentials;
  spool: Pick<Spool, "store">;
  /** Called once a post is durably stored. */
  onStored: (entry: SpoolEntry) => void;
  logger: Logger;
}

export const postReceiver: FastifyPluginCallback<PostReceiverOptions> = (scope, options, done) => {
  const { logger } = options;

  // Every body is read as raw bytes, whatever its content type: the post parser decides.
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: MAX_POST_BYTES }, (_request, body, done) => {
    done(null, body);
  });

  scope.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 413) return reply.code(413).type("text/plain").send("body larger than 16 MiB");
    if (status >= 400 && status < 500) return reply.code(status).type("text/plain").send("bad request");
    logger.error("request failed", { method: request.method, route: request.routeOptions.url ?? "", error: errorSummary(error) });
    return reply.code(500).type("text/plain").send("internal error");
  });

  scope.post(
    "/api/integration",
    {
      bodyLimit: MAX_POST_BYTES,
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
      const contentType = request.headers["content-type"];
      let entry: SpoolEntry;
      try {
        const sessionId = readableSessionId(body, contentType);
        entry = await options.spool.store({ sessionId, contentType, body });
      } catch (error) {
        if (error instanceof PostRejected) {
          logger.warn("post refused", { status: error.status, reason: error.reason, bytes: body.length });
          return reply.code(error.status).type("text/plain").send(error.reason);
        }
        logger.error("could not store the post: answered 503", { error: errorSummary(error), bytes: body.length });
        return reply.code(503).header("retry-after", String(RETRY_AFTER_SECONDS)).type("text/plain").send("could not store the post; try again");
      }
      logger.info("post accepted", { sessionId: entry.sessionId, seq: entry.seq, bytes: body.length });
      options.onStored(entry);
      return reply.code(200).type("text/plain").send("OK");
    },
  );
  done();
};

/**
 * Parses the post to check that it can be read, and returns its session id. The parsed values
 * are dropped here: what is stored is the body as received, parsed again at delivery.
 */
function readableSessionId(body: Buffer, contentType: string | undefined): string {
  return parseRescuePost({ body, contentType }).sessionId;
}
