/**
 * Access tokens for the Dataverse Web API, as the application user (OAuth 2 client
 * credentials through `@azure/msal-node`).
 *
 * The token is kept until two minutes before it expires; `getToken(true)` fetches a fresh one
 * (after a 401). Concurrent callers share one request to the sign-in endpoint. MSAL's HTTP goes
 * through the service's `HttpsClient`, so it uses the same trust store and timeouts.
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
  private cached: { token: string; expiresAt: number } | null = null;
  private inFlight: Promise<string> | null = null;

  constructor(options: MsalTokenProviderOptions) {
    const authorityHost = options.authorityHost.replace(/\/+$/, "");
    this.scope = `${options.resource.replace(/\/+$/, "")}/.default`;
    this.refreshMarginMs = options.refreshMarginMs ?? 120_000;
    this.logger = options.logger;
    this.app = new ConfidentialClientApplication({
      auth: {
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        authority: `${authorityHost}/${options.tenantId}`,
        // The sign-in host is configured explicitly (sovereign clouds, tests): trust it as is.
        knownAuthorities: [new URL(authorityHost).host],
      },
      system: {
        networkClient: new MsalNetworkClient(options.http),
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: LogLevel.Error,
          loggerCallback: (level, message, containsPii) => {
            if (containsPii || level > LogLevel.Error) return;
            this.logger.warn("msal", { detail: message.slice(0, 300) });
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
    try {
      result = await this.app.acquireTokenByClientCredential({ scopes: [this.scope], skipCache });
    } catch (error) {
      const code = (error as { errorCode?: unknown }).errorCode;
      throw new TokenError(`token request failed${typeof code === "string" ? ` (${code})` : ""}: ${errorSummary(error)}`, { cause: error });
    }
    if (result === null || result.accessToken === "") throw new TokenError("token request returned no access token");
    const expiresAt = result.expiresOn?.getTime() ?? Date.now() + 5 * 60_000;
    this.cached = { token: result.accessToken, expiresAt };
    this.logger.info("access token acquired", { expiresAt: new Date(expiresAt).toISOString() });
    return result.accessToken;
  }
}

/** MSAL's network interface over the service's HTTPS client. */
class MsalNetworkClient implements INetworkModule {
  constructor(private readonly http: HttpsClient) {}

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.send<T>("GET", url, options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>("POST", url, options);
  }

  private async send<T>(method: "GET" | "POST", url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    const response = await this.http.request({
      method,
      url,
      ...(options?.headers === undefined ? {} : { headers: options.headers }),
      ...(options?.body === undefined ? {} : { body: options.body }),
      ...(timeout === undefined ? {} : { timeoutMs: timeout }),
    });
    let body: unknown;
    try {
      body = JSON.parse(response.body.toString("utf8"));
    } catch {
      body = {};
    }
    return { status: response.status, headers: response.headers, body: body as T };
  }
}
