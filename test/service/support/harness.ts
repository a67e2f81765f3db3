/**
 * Test harness: a fake Dataverse (HTTPS, self-signed) and an in-process integration service
 * listening on 127.0.0.1, plus helpers to build and send Rescue posts.
 */
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { DEFAULT_RESCUE_ALLOWED_HOSTS } from "../../../src/rescue/endpoint";
import type { ServiceConfig } from "../../../src/service/config";
import { IntegrationService, type IntegrationServiceOptions } from "../../../src/service/integration-service";
import { createServiceLog, type Logger, type ServiceLog } from "../../../src/service/log";
import { CLIENT_ID, CLIENT_SECRET, FakeDataverse, TENANT_ID } from "./fake-dataverse";
import { createSelfSignedCertificate, type TestCertificate } from "./self-signed-cert";

export const POST_USER = "rescue";
export const POST_PASSWORD = "s3cret-Post-Password!";
export const DYNAMICS_ORIGIN = "https://contoso.crm4.dynamics.com";

let sharedCertificate: TestCertificate | null = null;
export function testCertificate(): TestCertificate {
  sharedCertificate ??= createSelfSignedCertificate();
  return sharedCertificate;
}

export function basicAuth(user = POST_USER, password = POST_PASSWORD): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

/** Environment for a service talking to `fake` (names exactly as the service reads them). */
export function serviceEnvironment(fake: FakeDataverse, spoolDir: string, port = 0): Record<string, string> {
  return {
    DATAVERSE_URL: fake.organizationUrl,
    AZURE_TENANT_ID: TENANT_ID,
    AZURE_CLIENT_ID: CLIENT_ID,
    AZURE_CLIENT_SECRET: CLIENT_SECRET,
    AZURE_AUTHORITY_HOST: fake.authorityHost,
    POST_USERNAME: POST_USER,
    POST_PASSWORD: POST_PASSWORD,
    SPOOL_DIR: spoolDir,
    HOST: "127.0.0.1",
    PORT: String(port),
    ALLOWED_ORIGIN: DYNAMICS_ORIGIN,
  };
}

export interface LogCapture {
  /** The service's log (debug level), writing into `lines`. */
  log: ServiceLog;
  logger: Logger;
  /** Every line written, as written (with its newline). */
  lines: string[];
}

export function captureLogs(secrets: string[] = [CLIENT_SECRET, POST_PASSWORD]): LogCapture {
  const lines: string[] = [];
  const log = createServiceLog({ level: "debug", secrets, destination: { write: (line: string) => void lines.push(line) } });
  return { log, logger: log.logger, lines };
}

export interface RunningService {
  service: IntegrationService;
  baseUrl: string;
  spoolDir: string;
  logs: LogCapture;
  stop(): Promise<void>;
}

export type ServiceOverrides = Partial<Omit<IntegrationServiceOptions, "config" | "log">>;

export function configFor(fake: FakeDataverse, spoolDir: string, overrides: Partial<ServiceConfig> = {}): ServiceConfig {
  return {
    dataverseUrl: fake.organizationUrl,
    tenantId: TENANT_ID,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    authorityHost: fake.authorityHost,
    postUsername: POST_USER,
    postPassword: POST_PASSWORD,
    spoolDir,
    host: "127.0.0.1",
    port: 0,
    allowedOrigin: DYNAMICS_ORIGIN,
    rescueAllowedHosts: [...DEFAULT_RESCUE_ALLOWED_HOSTS],
    pinRequestRetentionDays: 30,
    trustProxy: false,
    ...overrides,
  };
}

/** The test certificate besides the public roots: what the in-process service trusts for outbound HTTPS. */
export function trustedCertificates(): string[] {
  return [...tls.rootCertificates, testCertificate().certPem];
}

export async function startService(
  fake: FakeDataverse,
  spoolDir: string,
  overrides: ServiceOverrides = {},
  config: Partial<ServiceConfig> = {},
): Promise<RunningService> {
  const logs = captureLogs();
  const service = await IntegrationService.create({
    config: configFor(fake, spoolDir, config),
    log: logs.log,
    trustedCertificates: trustedCertificates(),
    backoff: { initialDelayMs: 20, maxDelayMs: 200, jitter: 0 },
    configurationCacheMs: 0,
    readinessCacheMs: 0,
    ...overrides,
  });
  const address: AddressInfo = await service.listen("127.0.0.1", 0);
  return {
    service,
    baseUrl: `http://127.0.0.1:${address.port}`,
    spoolDir,
    logs,
    stop: () => service.close(),
  };
}

export async function startFakeDataverse(): Promise<FakeDataverse> {
  const fake = new FakeDataverse(testCertificate());
  await fake.start();
  return fake;
}

export async function makeTempDir(prefix = "lmi-spool-"): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export type PostValues = Record<string, string>;

export function xmlBody(values: PostValues, root = "session"): string {
  const escape = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const children = Object.entries(values)
    .map(([name, value]) => `<${name.toLowerCase()}>${escape(value)}</${name.toLowerCase()}>`)
    .join("");
  return `<?xml version="1.0" encoding="utf-8"?><${root}>${children}</${root}>`;
}

export function formBody(values: PostValues): string {
  return new URLSearchParams(values).toString();
}

export interface SendOptions {
  format?: "xml" | "form";
  event?: "start" | "end";
  authorization?: string | null;
  contentType?: string;
}

export async function sendPost(baseUrl: string, values: PostValues | string, options: SendOptions = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const format = options.format ?? "xml";
  const body = typeof values === "string" ? values : format === "xml" ? xmlBody(values) : formBody(values);
  const headers: Record<string, string> = {
    "content-type": options.contentType ?? (format === "xml" ? "text/xml; charset=utf-8" : "application/x-www-form-urlencoded"),
  };
  const authorization = options.authorization === undefined ? basicAuth() : options.authorization;
  if (authorization !== null) headers.authorization = authorization;
  const url = `${baseUrl}/api/integration${options.event === undefined ? "" : `?event=${options.event}`}`;
  const response = await fetch(url, { method: "POST", headers, body });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 15_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A full Rescue post for one session, every variable set. */
export function fullPost(sessionId: string, overrides: PostValues = {}): PostValues {
  return {
    SessionID: sessionId,
    TechID: "1234567",
    TechSSOID: "tech@contoso.com",
    TechName: "Terry Tech",
    TechEmail: "terry@contoso.com",
    TechDescr: "Level 2 support",
    CField0: "Carla Customer",
    CField1: "carla@example.com",
    CField2: "CAS-01234-ABCDEF",
    CField3: "custom 3",
    CField4: "custom 4",
    CField5: "custom 5",
    Tracking0: "",
    ChatLog: "",
    Notes: "",
    WaitingTime: "42",
    PickupTime: "2024-03-05 09:15:00",
    ClosingTime: "",
    WorkTime: "600",
    LastActionTime: "2024-03-05T09:25:00Z",
    Transmitted: "123456789",
    Platform: "Windows 11",
    TSurvey0: "yes",
    TSurvey1: "no",
    TSurvey2: "3",
    TSurvey3: "4",
    TSurvey4: "5",
    TSurvey5: "six",
    TSurvey6: "seven",
    TSurvey7: "eight",
    TSurvey8: "nine",
    TSurvey9: "ten",
    ...overrides,
  };
}
