/**
 * Outbound HTTPS (Dataverse Web API, sign-in endpoint, Rescue API) on Node's fetch (undici).
 *
 * One undici `Agent` is the connection pool of every outbound call: keep-alive, at most
 * `connections` sockets per origin, and a response size limit. Without `trustedCertificates` it
 * trusts Node's standard store, which includes the certificates named in `NODE_EXTRA_CA_CERTS`;
 * with them (tests, embedding) exactly those. `fetch` and `Agent` both come from the `undici`
 * package, so that the two are always of one version (Node's own fetch is undici of the major
 * Node bundles: 6 in Node 20 and 22, 7 in Node 24).
 *
 * - `request`: a whole request — the answer's body read into a buffer — with a timeout over all
 *   of it (Dataverse, sign-in);
 * - `fetch`: the fetch API itself over the same pool, for a client that speaks fetch (Rescue);
 *   the caller's `signal` bounds it.
 * Neither follows redirects (a 3xx is an answer: credentials never go to a host the caller did not
 * name), and both refuse anything but https.
 */
import { Agent, fetch, type Response } from "undici";

export interface HttpsRequest {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Whole-request timeout; defaults to the client's. */
  timeoutMs?: number;
}

export interface HttpsResponse {
  status: number;
  /** Lower-case header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
}

/** A fetch request over the client (the Rescue client's shape). */
export interface HttpsFetchInit {
  method: "POST";
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
}

/** The request never produced an HTTP response (DNS, TCP, TLS, timeout, oversize reply). */
export class NetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "NetworkError";
  }
}

export interface HttpsClientOptions {
  /** CA certificates (PEM) to trust instead of Node's standard store; for tests and embedding. */
  trustedCertificates?: readonly string[];
  /** Whole-request timeout of `request` (30 s). */
  timeoutMs?: number;
  /** Largest response body (16 MiB). */
  maxResponseBytes?: number;
  /** Sockets per origin (32). */
  connections?: number;
}

export class HttpsClient {
  private readonly dispatcher: Agent;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;

  constructor(options: HttpsClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 16 * 1024 * 1024;
    this.dispatcher = new Agent({
      connections: options.connections ?? 32,
      maxResponseSize: this.maxResponseBytes,
      ...(options.trustedCertificates === undefined ? {} : { connect: { ca: [...options.trustedCertificates] } }),
    });
  }

  async request(req: HttpsRequest): Promise<HttpsResponse> {
    const url = httpsUrl(req.url);
    const timeoutMs = req.timeoutMs ?? this.timeoutMs;
    const signal = AbortSignal.timeout(Math.max(0, Math.ceil(timeoutMs)));
    try {
      const response = await fetch(url, {
        method: req.method,
        ...(req.headers === undefined ? {} : { headers: req.headers }),
        ...(req.body === undefined ? {} : { body: req.body }),
        redirect: "manual",
        signal,
        dispatcher: this.dispatcher,
      });
      const body = await this.readBody(response, url);
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name] = value;
      });
      return { status: response.status, headers, body };
    } catch (error) {
      if (error instanceof NetworkError) throw error;
      if (signal.aborted) throw new NetworkError(`no answer from ${url.host} within ${timeoutMs} ms`, { cause: error });
      throw this.failure(error, url);
    }
  }

  /** The fetch API over this client's pool (no redirects followed, https only). */
  async fetch(input: string, init: HttpsFetchInit): Promise<Response> {
    const url = httpsUrl(input);
    try {
      return await fetch(url, { ...init, redirect: "manual", dispatcher: this.dispatcher });
    } catch (error) {
      if (init.signal.aborted) throw error;
      throw this.failure(error, url);
    }
  }

  /** Ends every connection, also of requests still running (they fail). */
  async close(): Promise<void> {
    await this.dispatcher.destroy();
  }

  /** The body, counted as it arrives (after any content decoding): more than the limit ends the request. */
  private async readBody(response: Response, url: URL): Promise<Buffer> {
    if (response.body === null) return Buffer.alloc(0);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      // Leaving the loop cancels the body.
      if (size > this.maxResponseBytes) throw new NetworkError(`response larger than ${this.maxResponseBytes} bytes from ${url.host}`);
      chunks.push(Buffer.from(chunk));
    }
    return Buffer.concat(chunks, size);
  }

  private failure(error: unknown, url: URL): NetworkError {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const code = (cause as { code?: unknown } | null)?.code;
    if (code === "UND_ERR_RES_EXCEEDED_MAX_SIZE") return new NetworkError(`response larger than ${this.maxResponseBytes} bytes from ${url.host}`, { cause: error });
    const message = cause instanceof Error ? cause.message : String(cause);
    return new NetworkError(`request to ${url.host} failed: ${message}`, { cause: error });
  }
}

function httpsUrl(text: string): URL {
  const url = new URL(text);
  if (url.protocol !== "https:") throw new NetworkError(`refusing a non-https URL (${url.protocol})`);
  return url;
}
