import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { ConfigError, ENVIRONMENT_VARIABLES, loadServiceConfig } from "../../src/service/config";
import { REPO_ROOT } from "./support/child-service";

const valid = {
  DATAVERSE_URL: "https://contoso.crm4.dynamics.com/",
  AZURE_TENANT_ID: "11111111-2222-3333-4444-555555555555",
  AZURE_CLIENT_ID: "66666666-7777-8888-9999-000000000000",
  AZURE_CLIENT_SECRET: "top-secret-value",
  POST_USERNAME: "rescue",
  POST_PASSWORD: "a-long-post-password",
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadServiceConfig(env, "/srv/app");
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe("environment configuration", () => {
  test("defaults as documented", () => {
    const config = loadServiceConfig(valid, "/srv/app");
    expect(config).toEqual({
      dataverseUrl: "https://contoso.crm4.dynamics.com",
      tenantId: valid.AZURE_TENANT_ID,
      clientId: valid.AZURE_CLIENT_ID,
      clientSecret: valid.AZURE_CLIENT_SECRET,
      authorityHost: "https://login.microsoftonline.com",
      postUsername: "rescue",
      postPassword: "a-long-post-password",
      spoolDir: "/srv/app/spool",
      host: "0.0.0.0",
      port: 8080,
      allowedOrigin: "https://contoso.crm4.dynamics.com",
      rescueAllowedHosts: ["secure.logmeinrescue.com", "securebeta.logmeinrescue.com"],
      pinRequestRetentionDays: 30,
      trustProxy: false,
    });
  });

  test("the variable names are exactly the documented ones", () => {
    expect(Object.keys(ENVIRONMENT_VARIABLES).sort()).toEqual(
      [
        "ALLOWED_ORIGIN",
        "AZURE_AUTHORITY_HOST",
        "AZURE_CLIENT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_TENANT_ID",
        "DATAVERSE_URL",
        "HOST",
        "POST_PASSWORD",
        "POST_USERNAME",
        "PORT",
        "SPOOL_DIR",
        "RESCUE_ALLOWED_HOSTS",
        "PIN_REQUEST_RETENTION_DAYS",
        "TRUST_PROXY",
      ].sort(),
    );
  });

  test("every missing required variable is reported at once, by name", () => {
    const problems = problemsOf({});
    for (const name of ["DATAVERSE_URL", "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "POST_USERNAME", "POST_PASSWORD"]) {
      expect(problems.some((p) => p.startsWith(`${name} is required`)), name).toBe(true);
    }
  });

  test("bad values get clear messages and secrets are never echoed", () => {
    const problems = problemsOf({
      ...valid,
      DATAVERSE_URL: "http://contoso.crm4.dynamics.com",
      AZURE_AUTHORITY_HOST: "not a url",
      PORT: "99999",
      RESCUE_ALLOWED_HOSTS: "https://rescue.example/API",
      ALLOWED_ORIGIN: "https://contoso.crm4.dynamics.com/main.aspx",
      POST_USERNAME: "a:b",
      PIN_REQUEST_RETENTION_DAYS: "0",
      TRUST_PROXY: "true",
    });
    expect(problems).toHaveLength(8);
    expect(problems.join("\n")).toMatch(/DATAVERSE_URL must use https/);
    expect(problems.join("\n")).not.toContain(valid.AZURE_CLIENT_SECRET);
    expect(problems.join("\n")).not.toContain(valid.POST_PASSWORD);
  });

  test("any https organisation URL is accepted (no host-name pattern), but not one with a path", () => {
    expect(loadServiceConfig({ ...valid, DATAVERSE_URL: "https://127.0.0.1:8443" }).dataverseUrl).toBe("https://127.0.0.1:8443");
    expect(problemsOf({ ...valid, DATAVERSE_URL: "https://contoso.crm.dynamics.com/api/data/v9.2" })[0]).toMatch(/root URL only/);
  });

  test("RESCUE_ALLOWED_HOSTS: host[:port] entries, normalized as URL.host spells them; anything with a scheme, path or credentials is refused", () => {
    expect(loadServiceConfig({ ...valid, RESCUE_ALLOWED_HOSTS: " Secure.LogMeInRescue.com:443 , 127.0.0.1:8443,[::1]:9443,rescue.example.eu," }).rescueAllowedHosts).toEqual([
      "secure.logmeinrescue.com",
      "127.0.0.1:8443",
      "[::1]:9443",
      "rescue.example.eu",
    ]);
    for (const bad of ["https://secure.logmeinrescue.com", "secure.logmeinrescue.com/API", "user@secure.logmeinrescue.com", "secure.logmeinrescue.com:99999", "-bad-.example"]) {
      expect(problemsOf({ ...valid, RESCUE_ALLOWED_HOSTS: bad })[0], bad).toMatch(/^RESCUE_ALLOWED_HOSTS must be/);
    }
  });

  test("PIN_REQUEST_RETENTION_DAYS: whole days from 1 to 3650", () => {
    expect(loadServiceConfig({ ...valid, PIN_REQUEST_RETENTION_DAYS: "7" }).pinRequestRetentionDays).toBe(7);
    for (const bad of ["0", "3651", "1.5", "-1", "ten"]) expect(problemsOf({ ...valid, PIN_REQUEST_RETENTION_DAYS: bad })[0], bad).toMatch(/^PIN_REQUEST_RETENTION_DAYS/);
  });

  test("TRUST_PROXY: off, a hop count, or proxy addresses; never 'true' (any client could forge its address)", () => {
    expect(loadServiceConfig({ ...valid, TRUST_PROXY: "false" }).trustProxy).toBe(false);
    expect(loadServiceConfig({ ...valid, TRUST_PROXY: "0" }).trustProxy).toBe(false);
    expect(loadServiceConfig({ ...valid, TRUST_PROXY: "1" }).trustProxy).toBe(1);
    expect(loadServiceConfig({ ...valid, TRUST_PROXY: "10.0.0.0/8, 127.0.0.1,loopback" }).trustProxy).toEqual(["10.0.0.0/8", "127.0.0.1", "loopback"]);
    for (const bad of ["true", "yes", "11", "10.0.0.0/8;x"]) expect(problemsOf({ ...valid, TRUST_PROXY: bad })[0], bad).toMatch(/^TRUST_PROXY must be/);
  });

  test("ALLOWED_ORIGIN overrides the default origin", () => {
    expect(loadServiceConfig({ ...valid, ALLOWED_ORIGIN: "https://org.crm.dynamics.com" }).allowedOrigin).toBe("https://org.crm.dynamics.com");
  });

  test(".env.example lists every variable once, and a copy with only the org URL and secrets changed is consistent", async () => {
    const entries = (await readFile(path.join(REPO_ROOT, ".env.example"), "utf8"))
      .split("\n")
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)] as const);
    expect(entries.map(([name]) => name).sort()).toEqual(Object.keys(ENVIRONMENT_VARIABLES).sort());
    const env: Record<string, string> = Object.fromEntries(entries);
    const config = loadServiceConfig(
      { ...env, DATAVERSE_URL: "https://fabrikam.crm.dynamics.com", AZURE_CLIENT_SECRET: "s", POST_PASSWORD: "a-long-post-password" },
      "/srv/app",
    );
    expect(config.allowedOrigin).toBe("https://fabrikam.crm.dynamics.com");
  });
});
