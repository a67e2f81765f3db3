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
import type { Readable } from "node:stream";
import type { FastifyError, FastifyPluginCallback } from "fastify";
import { BASIC_REALM, type BasicCredentials } from "./basic-auth";
import { errorSummary } from "./log";
import { acceptedSessionId, PostRejected } from "./post-parser";
import { RECEIVER_RETRY_AFTER_SECONDS } from "./retry-policy";
import type { Spool, SpoolEntry } from "./spool";

/** 16 MiB: a chat that fills `lmi_chatlog` (1,048,576 UTF-16 units) fits in any script, also form-encoded. */
export const MAX_POST_BYTES = 16 * 1024 * 1024;

export interface PostReceiverOptions {
  credentials: BasicCredentials;
  spool: Pick<Spool, "store">;
  /** Called once a post is durably stored. */
  onStored: (entry: SpoolEntry) => void;
}

export const postReceiver: FastifyPluginCallback<PostReceiverOptions> = (scope, options, done) => {
  // Every body is read as raw bytes, whatever its content type: the post parser decides.
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser("*", (request, payload, done) => {
    readBody(payload, request.headers["content-length"], MAX_POST_BYTES, done);
  });

  scope.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 413) return reply.code(413).type("text/plain").send("body larger than 16 MiB");
    if (status >= 400 && status < 500) return reply.code(status).type("text/plain").send("bad request");
    request.log.error({ method: request.method, route: request.routeOptions.url ?? "", error: errorSummary(error) }, "request failed");
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
        // Checked as delivery will parse it, keeping no value but the session id.
        const sessionId = acceptedSessionId({ body, contentType });
        entry = await options.spool.store({ sessionId, contentType, body });
      } catch (error) {
        if (error instanceof PostRejected) {
          request.log.warn({ status: error.status, reason: error.reason, bytes: body.length }, "post refused");
          return reply.code(error.status).type("text/plain").send(error.reason);
        }
        request.log.error({ error: errorSummary(error), bytes: body.length }, "could not store the post: answered 503");
        return reply.code(503).header("retry-after", String(RECEIVER_RETRY_AFTER_SECONDS)).type("text/plain").send("could not store the post; try again");
      }
      request.log.info({ sessionId: entry.sessionId, seq: entry.seq, bytes: body.length }, "post accepted");
      options.onStored(entry);
      return reply.code(200).type("text/plain").send("OK");
    },
  );
  done();
};

/**
 * Reads a body into one buffer while it streams in: sized from `Content-Length` when there is
 * one (so a 16 MiB post costs 16 MiB, not its chunks and then a copy), growing by doubling when
 * chunked. More than `limit` bytes, declared or received, ends the read with a 413 at once.
 */
function readBody(payload: Readable, contentLength: string | undefined, limit: number, done: (error: Error | null, body?: Buffer) => void): void {
  const declared = contentLength === undefined || !/^\d+$/.test(contentLength) ? undefined : Number(contentLength);
  if (declared !== undefined && declared > limit) {
    done(statusError(413, "body too large"));
    return;
  }
  let buffer = Buffer.allocUnsafe(declared ?? 64 * 1024);
  let length = 0;
  const finish = (error: Error | null, body?: Buffer): void => {
    payload.removeListener("data", onData);
    payload.removeListener("end", onEnd);
    payload.removeListener("error", onError);
    // Whatever else arrives is read and dropped, so that the answer can be sent.
    payload.resume();
    done(error, body);
  };
  const onData = (chunk: Buffer): void => {
    if (length + chunk.length > limit) {
      finish(statusError(413, "body too large"));
      return;
    }
    if (length + chunk.length > buffer.length) {
      const grown = Buffer.allocUnsafe(Math.min(limit, Math.max(buffer.length * 2, length + chunk.length)));
      buffer.copy(grown, 0, 0, length);
      buffer = grown;
    }
    chunk.copy(buffer, length);
    length += chunk.length;
  };
  const onEnd = (): void => {
    if (declared !== undefined && length !== declared) finish(statusError(400, "body length differs from Content-Length"));
    else finish(null, buffer.subarray(0, length));
  };
  const onError = (error: Error): void => finish(statusError(400, `body could not be read: ${error.message}`));
  payload.on("data", onData);
  payload.on("end", onEnd);
  payload.on("error", onError);
}

function statusError(statusCode: number, message: string): Error {
  return Object.assign(new Error(message), { statusCode });
}
