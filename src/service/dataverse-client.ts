/**
 * `DataverseTransport`: the integration service's Dataverse Web API v9.2 transport — bearer
 * token, OData headers, and the error policy. Paths and query text are written with
 * src/dataverse/odata.ts, and OData error bodies read with it, as the web resources do. (The web
 * resources' own client is the `DataverseClient` interface of src/dataverse/client.ts.)
 *
 * Outcome of a call, by the service's retry policy (retry-policy.ts):
 * - 2xx, or a status the caller expects (404, 412, …): returned;
 * - 401: a fresh token and an immediate retry (`FRESH_TOKEN_RETRIES`), then a retryable error;
 * - 429 (service protection limits): every call of this client waits out `Retry-After`
 *   (Dataverse extends the penalty for clients that keep sending), then a retryable error;
 * - 408, 5xx, network and sign-in failures: retryable error;
 * - any other 4xx: permanent error with Dataverse's error code and message.
 */
import { ODATA_HEADERS, readODataError, WEB_API_PATH } from "../dataverse/odata";
import type { HttpsClient, HttpsResponse } from "./https-client";
import { NetworkError } from "./https-client";
import { dataverseStatusVerdict, dataverseTimeoutNow, FRESH_TOKEN_RETRIES, serverRetryAfterMs, throttleWaitMs } from "./retry-policy";
import { TokenError, type TokenProvider } from "./token-provider";

export type DataverseErrorKind = "retryable" | "permanent";

export class DataverseError extends Error {
  constructor(
    message: string,
    readonly kind: DataverseErrorKind,
    readonly details: { status?: number; code?: string; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.name = "DataverseError";
  }
}

export interface DataverseResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON body, or null when there is none. */
  json: unknown;
}

export interface DataverseCall {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Path below `/api/data/v9.2/`, written with src/dataverse/odata.ts (so already encoded). */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Non-2xx statuses that are answers, not errors (e.g. 404 for "no such row"). */
  expect?: readonly number[];
  /**
   * While Dataverse throttles this client (429), fail at once with a retryable error instead of
   * waiting out `Retry-After` — for a caller that a person waits on (the PIN broker).
   */
  failWhenThrottled?: boolean;
  /** Timeout of this call; by default what is left of the PIN request being answered (`dataverseTimeoutNow`), else the client's 30 s. */
  timeoutMs?: number;
}

export interface DataverseTransportOptions {
  organizationUrl: string;
  http: HttpsClient;
  tokens: TokenProvider;
}

export class DataverseTransport {
  readonly apiBase: string;
  private readonly http: HttpsClient;
  private readonly tokens: TokenProvider;
  private throttledUntil = 0;

  constructor(options: DataverseTransportOptions) {
    this.apiBase = `${options.organizationUrl.replace(/\/+$/, "")}${WEB_API_PATH}`;
    this.http = options.http;
    this.tokens = options.tokens;
  }

  async send(call: DataverseCall): Promise<DataverseResponse> {
    const wait = this.throttledUntil - Date.now();
    if (wait > 0 && call.failWhenThrottled === true) {
      throw new DataverseError(`${call.method} ${call.path.split("?")[0] ?? ""}: not sent, Dataverse throttles this client for ${wait} ms`, "retryable", {
        status: 429,
        retryAfterMs: wait,
      });
    }
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));

    let response = await this.attempt(call, false);
    for (let fresh = 0; fresh < FRESH_TOKEN_RETRIES && response.status === 401; fresh += 1) response = await this.attempt(call, true);
    return this.interpret(call, response);
  }

  private async attempt(call: DataverseCall, freshToken: boolean): Promise<HttpsResponse> {
    let token: string;
    try {
      token = await this.tokens.getToken(freshToken);
    } catch (error) {
      const message = error instanceof TokenError ? error.message : "token request failed";
      throw new DataverseError(message, "retryable");
    }
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      ...ODATA_HEADERS,
      ...call.headers,
    };
    let body: string | undefined;
    if (call.body !== undefined) {
      headers["content-type"] = "application/json; charset=utf-8";
      body = JSON.stringify(call.body);
    }
    try {
      const timeoutMs = call.timeoutMs ?? dataverseTimeoutNow();
      return await this.http.request({
        method: call.method,
        url: this.apiBase + call.path,
        headers,
        ...(body === undefined ? {} : { body }),
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      });
    } catch (error) {
      if (error instanceof NetworkError) throw new DataverseError(`Dataverse unreachable: ${error.message}`, "retryable");
      throw error;
    }
  }

  private interpret(call: DataverseCall, response: HttpsResponse): DataverseResponse {
    const status = response.status;
    const json = parseJson(response.body);
    if ((status >= 200 && status < 300) || expects(call, status)) {
      return { status, headers: response.headers, json };
    }
    const { code, message: fullMessage } = readODataError(json);
    const message = fullMessage?.slice(0, 500);
    const what = `${call.method} ${call.path.split("?")[0] ?? ""}`;
    switch (dataverseStatusVerdict(status)) {
      case "throttled": {
        const retryAfterMs = throttleWaitMs(response.headers["retry-after"]);
        this.throttledUntil = Math.max(this.throttledUntil, Date.now() + retryAfterMs);
        throw new DataverseError(`${what}: throttled by Dataverse (429), retry in ${retryAfterMs} ms`, "retryable", { status, retryAfterMs, ...(code ? { code } : {}) });
      }
      case "fresh token":
        throw new DataverseError(`${what}: 401 even with a fresh token`, "retryable", { status });
      case "retry": {
        const retryAfterMs = serverRetryAfterMs(response.headers["retry-after"]);
        throw new DataverseError(`${what}: Dataverse answered ${status}${code ? ` (${code})` : ""}`, "retryable", {
          status,
          ...(code ? { code } : {}),
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        });
      }
      case "refused":
        throw new DataverseError(`${what}: Dataverse refused with ${status}${code ? ` (${code})` : ""}${message ? `: ${message}` : ""}`, "permanent", {
          status,
          ...(code ? { code } : {}),
        });
    }
  }
}

function expects(call: DataverseCall, status: number): boolean {
  return (call.expect ?? []).includes(status);
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return null;
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch {
    return null;
  }
}
