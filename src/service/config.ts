/**
 * Service configuration from environment variables (names fixed by issue 5 / DESIGN.md §8).
 *
 * `loadServiceConfig` checks every variable and reports all problems at once in a
 * `ConfigError` whose message is meant for an operator: one line per variable, no stack trace,
 * never the value of a secret.
 */
import path from "node:path";
import { DEFAULT_RESCUE_ALLOWED_HOSTS, normalizeHostEntry } from "../rescue/endpoint";

export interface ServiceConfig {
  /** Organisation root URL without trailing slash, e.g. `https://contoso.crm4.dynamics.com`. */
  readonly dataverseUrl: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Sign-in host without trailing slash, e.g. `https://login.microsoftonline.com`. */
  readonly authorityHost: string;
  readonly postUsername: string;
  readonly postPassword: string;
  /** Absolute path of the durable spool directory. */
  readonly spoolDir: string;
  readonly host: string;
  readonly port: number;
  /** The only browser origin allowed to call `/api/pin` (CORS). */
  readonly allowedOrigin: string;
  /** `host[:port]` entries (as `URL.host` spells them) of the Rescue API endpoints the service may call. */
  readonly rescueAllowedHosts: readonly string[];
  /** PIN request rows older than this many days are deleted. */
  readonly pinRequestRetentionDays: number;
  /**
   * Which proxies in front of the service to trust for the client address (`X-Forwarded-For`):
   * false (none: the TCP peer is the client), a hop count, or proxy addresses / CIDR ranges.
   */
  readonly trustProxy: TrustProxy;
}

export type TrustProxy = false | number | readonly string[];

/**
 * `trustProxy` for Fastify: a hop count becomes "trust the first n hops" (Fastify itself refuses
 * plain hop counts, as a client that can reach the service directly could forge them: use one
 * only when the service is reachable through the proxy alone, as on App Service).
 */
export function fastifyTrustProxy(trustProxy: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (trustProxy === false) return false;
  if (typeof trustProxy === "number") return (_address, hop) => hop < trustProxy;
  return [...trustProxy];
}

/** Every environment variable the service reads, with its default (undefined = required). */
export const ENVIRONMENT_VARIABLES = {
  DATAVERSE_URL: undefined,
  AZURE_TENANT_ID: undefined,
  AZURE_CLIENT_ID: undefined,
  AZURE_CLIENT_SECRET: undefined,
  AZURE_AUTHORITY_HOST: "https://login.microsoftonline.com",
  POST_USERNAME: undefined,
  POST_PASSWORD: undefined,
  SPOOL_DIR: "./spool",
  HOST: "0.0.0.0",
  PORT: "8080",
  ALLOWED_ORIGIN: undefined,
  RESCUE_ALLOWED_HOSTS: DEFAULT_RESCUE_ALLOWED_HOSTS.join(","),
  PIN_REQUEST_RETENTION_DAYS: "30",
  TRUST_PROXY: "false",
} as const satisfies Record<string, string | undefined>;

export type EnvironmentVariableName = keyof typeof ENVIRONMENT_VARIABLES;

/** Thrown when the environment is not usable; `problems` has one operator-readable line each. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid service configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** A tenant GUID or domain: it becomes a path segment of the sign-in URL. */
const TENANT = /^[a-z0-9][a-z0-9.-]*$/i;

/** Reads and checks the configuration; throws `ConfigError` listing every problem. */
export function loadServiceConfig(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): ServiceConfig {
  const problems: string[] = [];

  const read = (name: EnvironmentVariableName): string => {
    const raw = env[name];
    const value = raw === undefined ? "" : raw.trim();
    if (value !== "") return value;
    const fallback = ENVIRONMENT_VARIABLES[name];
    if (fallback === undefined) {
      problems.push(`${name} is required but not set.`);
      return "";
    }
    return fallback;
  };

  const httpsUrl = (name: EnvironmentVariableName, value: string, opts: { rootOnly: boolean }): string => {
    if (value === "") return "";
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      problems.push(`${name} must be an absolute https URL (got something that is not a URL).`);
      return "";
    }
    if (url.protocol !== "https:") {
      problems.push(`${name} must use https:// (outbound calls are HTTPS only).`);
      return "";
    }
    if (url.username !== "" || url.password !== "") {
      problems.push(`${name} must not contain credentials.`);
      return "";
    }
    if (url.search !== "" || url.hash !== "") {
      problems.push(`${name} must not have a query string or fragment.`);
      return "";
    }
    if (opts.rootOnly && url.pathname !== "/" && url.pathname !== "") {
      problems.push(`${name} must be the root URL only, e.g. https://contoso.crm4.dynamics.com (no path).`);
      return "";
    }
    return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
  };

  const dataverseUrl = httpsUrl("DATAVERSE_URL", read("DATAVERSE_URL"), { rootOnly: true });
  const tenantId = read("AZURE_TENANT_ID");
  if (tenantId !== "" && !TENANT.test(tenantId)) {
    problems.push("AZURE_TENANT_ID must be the tenant's GUID or verified domain name (letters, digits, dots and hyphens only).");
  }
  const clientId = read("AZURE_CLIENT_ID");
  if (clientId !== "" && /[\s/?#]/.test(clientId)) {
    problems.push("AZURE_CLIENT_ID must be the application (client) id, a GUID, without spaces.");
  }
  const clientSecret = read("AZURE_CLIENT_SECRET");
  const authorityHost = httpsUrl("AZURE_AUTHORITY_HOST", read("AZURE_AUTHORITY_HOST"), { rootOnly: false });

  const postUsername = read("POST_USERNAME");
  if (postUsername.includes(":")) problems.push("POST_USERNAME must not contain a colon (HTTP Basic separates user and password with one).");
  const postPassword = env.POST_PASSWORD ?? "";
  if (postPassword === "") problems.push("POST_PASSWORD is required but not set.");

  const spoolDir = path.resolve(cwd, read("SPOOL_DIR"));
  const host = read("HOST");

  const portText = read("PORT");
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) problems.push("PORT must be a whole number from 1 to 65535.");

  let allowedOrigin = "";
  const originText = (env.ALLOWED_ORIGIN ?? "").trim();
  if (originText === "") {
    allowedOrigin = dataverseUrl === "" ? "" : new URL(dataverseUrl).origin;
  } else {
    try {
      const url = new URL(originText);
      if (url.origin === "null" || `${url.origin}` !== originText.replace(/\/$/, "")) {
        problems.push("ALLOWED_ORIGIN must be an origin only: scheme, host and optional port, e.g. https://contoso.crm4.dynamics.com.");
      } else {
        allowedOrigin = url.origin;
      }
    } catch {
      problems.push("ALLOWED_ORIGIN must be an origin such as https://contoso.crm4.dynamics.com.");
    }
  }

  const rescueAllowedHosts: string[] = [];
  for (const entry of read("RESCUE_ALLOWED_HOSTS").split(",")) {
    if (entry.trim() === "") continue;
    const host = normalizeHostEntry(entry);
    if (host === null) {
      problems.push("RESCUE_ALLOWED_HOSTS must be a comma-separated list of host names with an optional port, e.g. secure.logmeinrescue.com,securebeta.logmeinrescue.com (no https://, no path).");
      break;
    }
    if (!rescueAllowedHosts.includes(host)) rescueAllowedHosts.push(host);
  }

  const retentionText = read("PIN_REQUEST_RETENTION_DAYS");
  const pinRequestRetentionDays = Number(retentionText);
  if (!/^\d{1,4}$/.test(retentionText) || pinRequestRetentionDays < 1 || pinRequestRetentionDays > 3650) {
    problems.push("PIN_REQUEST_RETENTION_DAYS must be a whole number of days from 1 to 3650.");
  }

  const trustProxy = parseTrustProxy(read("TRUST_PROXY"));
  if (trustProxy === null) {
    problems.push(
      "TRUST_PROXY must be false, the number of proxies in front of the service (1 behind Azure App Service or one ingress), or a comma-separated list of proxy addresses or CIDR ranges.",
    );
  }

  if (problems.length > 0 || trustProxy === null) throw new ConfigError(problems);
  return {
    dataverseUrl,
    tenantId,
    clientId,
    clientSecret,
    authorityHost,
    postUsername,
    postPassword,
    spoolDir,
    host,
    port,
    allowedOrigin,
    rescueAllowedHosts,
    pinRequestRetentionDays,
    trustProxy,
  };
}

/** An IPv4 or IPv6 address with an optional prefix length, or one of proxy-addr's range names. */
const PROXY_ADDRESS = /^(?:loopback|linklocal|uniquelocal|[0-9a-f.:]+(?:\/\d{1,3})?)$/i;

/**
 * `TRUST_PROXY`: "false" → false; a whole number 1–10 → that many hops; otherwise addresses and
 * CIDR ranges of the proxies. "true" (trust any X-Forwarded-For, which every client can forge) is
 * refused, like anything else unreadable: null.
 */
function parseTrustProxy(text: string): TrustProxy | null {
  if (text.toLowerCase() === "false") return false;
  if (/^\d{1,2}$/.test(text)) {
    const hops = Number(text);
    return hops === 0 ? false : hops <= 10 ? hops : null;
  }
  const entries = text.split(",").map((entry) => entry.trim()).filter((entry) => entry !== "");
  return entries.length > 0 && entries.every((entry) => PROXY_ADDRESS.test(entry)) ? entries : null;
}
