/**
 * Access tokens for the Dataverse Web API, as the application user (OAuth 2 client
 * credentials through `@azure/msal-node`).
 *
 * The token is kept until two minutes before it expires; `getToken(true)` fetches a fresh one
 * (after a 401). Concurrent callers share one request to the sign-in endpoint. MSAL's HTTP goes
 * through the service's `HttpsClient` (fetch), so it uses the same trust store, pool and timeouts.
 *
 * A failure of the sign-in endpoint is retried on the service's own backoff (the delivery that
 * needed the token is retried), never behind MSAL's throttle: MSAL would answer every request
 * for 60 s or more (or its `Retry-After`) from a throttling cache after one 429 or 5xx, stalling
 * all deliveries. So the network module turns the answers the retry policy names
 * (`signInAnswerFails`: 429, 5xx) into a network failure and hands MSAL no `Retry-After`. The log says what happened: "access token acquired" only for a token the
 * endpoint just issued, "access token request failed" with the endpoint's answer otherwise.
 */
import {
  ConfidentialClientApplication,
  LogLevel,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from "@azure/msal-node";
import type { HttpsClient } from "./https-client";
import { errorSummary, type Logger } from "./log";
import { signInAnswerFails } from "./retry-policy";

export interface TokenProvider {
  getToken(forceRefresh?: boolean): Promise<string>;
}

export interface MsalTokenProviderOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** e.g. `https://login.microsoftonline.com` */
  authorityHost: string;
  /** Dataverse organisation URL; the scope is `<url>/.default`. */
  resource: string;
  http: HttpsClient;
  logger: Logger;
  /** Reuse a token until this long before it expires. */
  refreshMarginMs?: number;
}

/** The sign-in endpoint could not give a token (network, or Entra refused the app). */
export class TokenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TokenError";
  }
}

export class MsalTokenProvider implements TokenProvider {
  private readonly app: ConfidentialClientApplication;
  private readonly scope: string;
  private readonly refreshMarginMs: number;
  private readonly logger: Logger;
  private readonly network: MsalNetworkClient;
  private cached: { token: string; expiresAt: number } | null = null;
  private inFlight: Promise<string> | null = null;

  constructor(options: MsalTokenProviderOptions) {
    const authorityHost = options.authorityHost.replace(/\/+$/, "");
    this.scope = `${options.resource.replace(/\/+$/, "")}/.default`;
    this.refreshMarginMs = options.refreshMarginMs ?? 120_000;
    this.logger = options.logger;
    this.network = new MsalNetworkClient(options.http);
    this.app = new ConfidentialClientApplication({
      auth: {
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        authority: `${authorityHost}/${options.tenantId}`,
        // The sign-in host is configured explicitly (sovereign clouds, tests): trust it as is.
        knownAuthorities: [new URL(authorityHost).host],
      },
      system: {
        networkClient: this.network,
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: LogLevel.Error,
          loggerCallback: (level, message, containsPii) => {
            if (containsPii || level > LogLevel.Error) return;
            this.logger.warn({ detail: message.slice(0, 300) }, "msal");
          },
        },
      },
    });
  }

  getToken(forceRefresh = false): Promise<string> {
    if (!forceRefresh && this.cached !== null && Date.now() < this.cached.expiresAt - this.refreshMarginMs) {
      return Promise.resolve(this.cached.token);
    }
    if (forceRefresh) this.cached = null;
    if (this.inFlight !== null) return this.inFlight;
    const request = this.fetchToken(forceRefresh).finally(() => {
      this.inFlight = null;
    });
    this.inFlight = request;
    return request;
  }

  private async fetchToken(skipCache: boolean): Promise<string> {
    let result;
    this.network.lastFailure = null;
    try {
      result = await this.app.acquireTokenByClientCredential({ scopes: [this.scope], skipCache });
    } catch (error) {
      const code = (error as { errorCode?: unknown }).errorCode;
      const cause = this.network.lastFailure ?? errorSummary(error);
      const failure = new TokenError(`token request failed${typeof code === "string" ? ` (${code})` : ""}: ${cause}`, { cause: error });
      this.logger.warn({ error: failure.message.slice(0, 300) }, "access token request failed: the delivery that needed it is retried with backoff");
      throw failure;
    }
    if (result === null || result.accessToken === "") {
      this.logger.warn("access token request returned no token: the delivery that needed it is retried with backoff");
      throw new TokenError("token request returned no access token");
    }
    const expiresAt = result.expiresOn?.getTime() ?? Date.now() + 5 * 60_000;
    this.cached = { token: result.accessToken, expiresAt };
    if (result.fromCache) this.logger.debug({ expiresAt: new Date(expiresAt).toISOString() }, "access token taken from MSAL's cache");
    else this.logger.info({ expiresAt: new Date(expiresAt).toISOString() }, "access token acquired");
    return result.accessToken;
  }
}

/**
 * MSAL's network interface over the service's outbound HTTPS client (fetch). An answer the retry
 * policy names (`signInAnswerFails`: 429, 5xx) is thrown as a network failure, and `Retry-After`
 * is never passed on, so that MSAL does not start its throttle.
 */
class MsalNetworkClient implements INetworkModule {
  /** What went wrong with the last request, for the log (MSAL reports only "network_error"). */
  lastFailure: string | null = null;

  constructor(private readonly http: HttpsClient) {}

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.send<T>("GET", url, options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>("POST", url, options);
  }

  private async send<T>(method: "GET" | "POST", url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    let response;
    try {
      response = await this.http.request({
        method,
        url,
        ...(options?.headers === undefined ? {} : { headers: options.headers }),
        ...(options?.body === undefined ? {} : { body: options.body }),
        ...(timeout === undefined ? {} : { timeoutMs: timeout }),
      });
    } catch (error) {
      this.lastFailure = errorSummary(error);
      throw error;
    }
    const host = new URL(url).host;
    if (signInAnswerFails(response.status)) {
      this.lastFailure = `the sign-in endpoint ${host} answered ${response.status}`;
      throw new Error(this.lastFailure);
    }
    const headers = { ...response.headers };
    delete headers["retry-after"];
    let body: unknown;
    try {
      body = JSON.parse(response.body.toString("utf8"));
    } catch {
      body = {};
    }
    return { status: response.status, headers, body: body as T };
  }
}
