/**
 * Outbound HTTPS requests (Dataverse Web API, sign-in endpoint, Rescue API).
 *
 * Built on `node:https` with one keep-alive agent. By default the agent uses Node's standard
 * trust store, which includes certificates named in `NODE_EXTRA_CA_CERTS`; callers embedding
 * the service may pass their own agent (e.g. for a proxy or a private CA).
 */
import https from "node:https";

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

/** The request never produced an HTTP response (DNS, TCP, TLS, timeout, oversize reply). */
export class NetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "NetworkError";
  }
}

export interface HttpsClientOptions {
  agent?: https.Agent;
  timeoutMs?: number;
  maxResponseBytes?: number;
}

export class HttpsClient {
  private readonly agent: https.Agent;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;

  constructor(options: HttpsClientOptions = {}) {
    this.agent = options.agent ?? new https.Agent({ keepAlive: true, maxSockets: 32 });
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 16 * 1024 * 1024;
  }

  request(req: HttpsRequest): Promise<HttpsResponse> {
    const url = new URL(req.url);
    if (url.protocol !== "https:") return Promise.reject(new NetworkError(`refusing a non-https URL (${url.protocol})`));
    const timeoutMs = req.timeoutMs ?? this.timeoutMs;
    const body = req.body === undefined ? undefined : typeof req.body === "string" ? Buffer.from(req.body, "utf8") : req.body;
    const headers: Record<string, string> = { ...req.headers };
    if (body !== undefined) headers["content-length"] = String(body.length);

    return new Promise<HttpsResponse>((resolve, reject) => {
      let settled = false;
      const fail = (error: NetworkError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
      };
      const request = https.request(url, { method: req.method, headers, agent: this.agent }, (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxResponseBytes) {
            request.destroy();
            fail(new NetworkError(`response larger than ${this.maxResponseBytes} bytes from ${url.host}`));
            return;
          }
          chunks.push(chunk);
        });
        response.on("error", (error) => fail(new NetworkError(`response from ${url.host} failed: ${error.message}`, { cause: error })));
        response.on("end", () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          const flatHeaders: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            if (value === undefined) continue;
            flatHeaders[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
          }
          resolve({ status: response.statusCode ?? 0, headers: flatHeaders, body: Buffer.concat(chunks) });
        });
      });
      const timer = setTimeout(() => {
        request.destroy();
        fail(new NetworkError(`no answer from ${url.host} within ${timeoutMs} ms`));
      }, timeoutMs);
      request.on("error", (error) => fail(new NetworkError(`request to ${url.host} failed: ${error.message}`, { cause: error })));
      request.end(body);
    });
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.agent.destroy();
  }
}
