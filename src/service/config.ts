/**
 * Service configuration from environment variables (names fixed by issue 5 / DESIGN.md §8).
 *
 * `loadServiceConfig` checks every variable and reports all problems at once in a
 * `ConfigError` whose message is meant for an operator: one line per variable, no stack trace,
 * never the value of a secret.
 */
import path from "node:path";

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
  /** Rescue API base without trailing slash, e.g. `https://secure.logmeinrescue.com/API`. */
  readonly rescueApiBase: string;
  /** The only origin allowed to call the relay from a browser. */
  readonly allowedOrigin: string;
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
  RESCUE_API_BASE: "https://secure.logmeinrescue.com/API",
  ALLOWED_ORIGIN: undefined,
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

  const rescueApiBase = httpsUrl("RESCUE_API_BASE", read("RESCUE_API_BASE"), { rootOnly: false });

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

  if (problems.length > 0) throw new ConfigError(problems);
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
    rescueApiBase,
    allowedOrigin,
  };
}
