/**
 * A fake of the parts of Microsoft Entra ID and the Dataverse Web API v9.2 the integration
 * service uses, plus a fake Rescue API for the relay — one HTTPS server on 127.0.0.1 with a
 * self-signed certificate.
 *
 * Behaviour modelled on the real services: client-credentials tokens with expiry and
 * revocation; alternate-key addressing `lmi_sessions(lmi_rescuesessionid='…')`; upsert PATCH
 * with `If-Match` / `If-None-Match` (404 / 412), weak ETags bumped on every write; unknown
 * columns and over-long text refused with 400 like Dataverse does; Case reads, owner changes
 * and `CloseIncident` (400 on a Case that is not active); the alternate-key metadata. Faults
 * can be queued per request (429 with Retry-After, 5xx, any status).
 */
import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { Configuration, Incident, Session, SystemUser, UserSettings } from "../../../src/model/schema";
import type { TestCertificate } from "./self-signed-cert";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  at: number;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

interface Fault {
  method?: string;
  pathIncludes: string;
  responses: FakeResponse[];
}

export interface SessionRow {
  lmi_sessionid: string;
  version: number;
  columns: Record<string, unknown>;
}

export interface IncidentRow {
  incidentid: string;
  statecode: number;
  statuscode: number;
  ownerid: string;
  resolutions: { subject: string; status: number }[];
}

export const TENANT_ID = "11111111-2222-3333-4444-555555555555";
export const CLIENT_ID = "66666666-7777-8888-9999-000000000000";
export const CLIENT_SECRET = "fake-client-secret-value-42";

const SESSION_COLUMNS = new Set<string>([...Object.values(Session.fields), `${Session.caseIdNavigation}@odata.bind`]);
const TEXT_LIMITS: Record<string, number> = {};
for (const [key, column] of Object.entries(Session.fields)) {
  const limits = Session.maxLength as Record<string, number>;
  const limit = limits[key] ?? (key.startsWith("tsurvey") ? Session.maxLength.tsurvey : undefined);
  if (limit !== undefined) TEXT_LIMITS[column] = limit;
}

export class FakeDataverse {
  readonly sessions = new Map<string, SessionRow>();
  readonly incidents = new Map<string, IncidentRow>();
  readonly userSettings: { techId?: string; ssoId?: string; userId: string }[] = [];
  readonly systemUsers: { id: string; email: string; disabled?: boolean }[] = [];
  readonly requests: RecordedRequest[] = [];
  readonly relayCalls: { path: string; contentType: string; body: string }[] = [];
  configuration: { close: boolean; reassign: boolean } | null = { close: false, reassign: false };
  sessionKeyStatus = "Active";
  tokenLifetimeSeconds = 3600;
  tokensIssued = 0;
  /** Sessions created (not updated) per Rescue session id: must never exceed 1. */
  readonly creations = new Map<string, number>();
  /** Artificial latency for Web API answers. */
  latencyMs = 0;
  /** Keep the request log (turn off for long load runs). */
  recordRequests = true;

  private readonly validTokens = new Set<string>();
  private readonly faults: Fault[] = [];
  private server: https.Server | null = null;
  private port = 0;

  constructor(private readonly certificate: TestCertificate) {}

  get origin(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** DATAVERSE_URL for the service. */
  get organizationUrl(): string {
    return this.origin;
  }

  /** AZURE_AUTHORITY_HOST for the service. */
  get authorityHost(): string {
    return `${this.origin}/login`;
  }

  /** RESCUE_API_BASE for the service. */
  get rescueApiBase(): string {
    return `${this.origin}/rescue/API`;
  }

  async start(port = 0): Promise<void> {
    const server = https.createServer({ cert: this.certificate.certPem, key: this.certificate.keyPem, keepAlive: true }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const answer = (): void => this.handle(req.method ?? "GET", req.url ?? "/", req.headers, body, res);
        if (this.latencyMs > 0) setTimeout(answer, this.latencyMs);
        else answer();
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = null;
  }

  /** Queue answers for the next requests whose path contains `pathIncludes`. */
  failNext(pathIncludes: string, responses: FakeResponse[], method?: string): void {
    this.faults.push({ pathIncludes, responses: [...responses], ...(method === undefined ? {} : { method }) });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  revokeTokens(): void {
    this.validTokens.clear();
  }

  addIncident(ownerId: string = randomUUID(), statecode = 0): IncidentRow {
    const row: IncidentRow = { incidentid: randomUUID(), statecode, statuscode: statecode === 0 ? 1 : 5, ownerid: ownerId, resolutions: [] };
    this.incidents.set(row.incidentid, row);
    return row;
  }

  session(rescueSessionId: string): Record<string, unknown> | undefined {
    return this.sessions.get(rescueSessionId)?.columns;
  }

  /** The stored chat log of a session ("" when none). */
  chatLog(rescueSessionId: string): string {
    const value = this.session(rescueSessionId)?.[Session.fields.chatLog];
    return typeof value === "string" ? value : "";
  }

  dataRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.startsWith("/api/data/"));
  }

  private handle(method: string, url: string, headers: IncomingHttpHeaders, body: string, res: ServerResponse): void {
    if (this.recordRequests) this.requests.push({ method, path: url, headers, body, at: Date.now() });
    const send = (answer: FakeResponse): void => {
      const payload = answer.body === undefined ? "" : typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
      res.writeHead(answer.status, { "content-type": "application/json; charset=utf-8", ...answer.headers });
      res.end(payload);
    };

    const fault = this.faults.find((f) => url.includes(f.pathIncludes) && (f.method === undefined || f.method === method));
    if (fault !== undefined) {
      const next = fault.responses.shift();
      if (fault.responses.length === 0) this.faults.splice(this.faults.indexOf(fault), 1);
      if (next !== undefined) {
        send(next);
        return;
      }
    }

    try {
      if (url.startsWith("/login/")) {
        send(this.handleLogin(method, url, body));
        return;
      }
      if (url.startsWith("/rescue/API/")) {
        this.relayCalls.push({ path: url, contentType: String(headers["content-type"] ?? ""), body });
        res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "x-fake-rescue": "1" });
        res.end(url.includes("requestPINCode") ? "OK PINCODE:012345\r\n" : `OK ECHO:${body}`);
        return;
      }
      if (url.startsWith("/api/data/v9.2/")) {
        const auth = headers.authorization ?? "";
        const token = auth.startsWith("Bearer ") ? auth.slice(7) : "";
        if (!this.validTokens.has(token)) {
          send({ status: 401, headers: { "www-authenticate": "Bearer" }, body: { error: { code: "0x80072182", message: "unauthorized" } } });
          return;
        }
        send(this.handleData(method, decodeURIComponent(url.slice("/api/data/v9.2/".length)), headers, body));
        return;
      }
      send({ status: 404, body: { error: { code: "NotFound", message: "no such route" } } });
    } catch (error) {
      send({ status: 500, body: { error: { code: "FakeError", message: String(error) } } });
    }
  }

  private handleLogin(method: string, url: string, body: string): FakeResponse {
    const path = url.split("?")[0] ?? "";
    const base = `${this.origin}/login/${TENANT_ID}`;
    if (method === "GET" && path.endsWith("/v2.0/.well-known/openid-configuration")) {
      return {
        status: 200,
        body: {
          token_endpoint: `${base}/oauth2/v2.0/token`,
          authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${base}/oauth2/v2.0/logout`,
          issuer: `${base}/v2.0`,
          jwks_uri: `${base}/discovery/v2.0/keys`,
          response_types_supported: ["code", "id_token", "token"],
          token_endpoint_auth_methods_supported: ["client_secret_post"],
        },
      };
    }
    if (method === "GET" && path.includes("/discovery/instance")) {
      return {
        status: 200,
        body: {
          tenant_discovery_endpoint: `${base}/v2.0/.well-known/openid-configuration`,
          "api-version": "1.1",
          metadata: [{ preferred_network: `127.0.0.1:${this.port}`, preferred_cache: `127.0.0.1:${this.port}`, aliases: [`127.0.0.1:${this.port}`] }],
        },
      };
    }
    if (method === "POST" && path === `/login/${TENANT_ID}/oauth2/v2.0/token`) {
      const form = new URLSearchParams(body);
      if (form.get("grant_type") !== "client_credentials" || form.get("client_id") !== CLIENT_ID || form.get("client_secret") !== CLIENT_SECRET) {
        return { status: 401, body: { error: "invalid_client", error_description: "AADSTS7000215: Invalid client secret provided." } };
      }
      if (form.get("scope") !== `${this.organizationUrl}/.default`) {
        return { status: 400, body: { error: "invalid_scope", error_description: "AADSTS70011: bad scope" } };
      }
      this.tokensIssued += 1;
      const token = `fake-token-${this.tokensIssued}-${randomUUID()}`;
      this.validTokens.add(token);
      return { status: 200, body: { token_type: "Bearer", expires_in: this.tokenLifetimeSeconds, ext_expires_in: this.tokenLifetimeSeconds, access_token: token } };
    }
    return { status: 404, body: { error: "not_found" } };
  }

  private handleData(method: string, rest: string, headers: IncomingHttpHeaders, body: string): FakeResponse {
    const [resource = "", query = ""] = rest.split("?", 2);
    const params = new URLSearchParams(query.replace(/\+/g, "%2B"));

    const sessionKey = /^lmi_sessions\(lmi_rescuesessionid='((?:[^']|'')*)'\)$/.exec(resource);
    if (sessionKey) return this.sessionRequest(method, (sessionKey[1] ?? "").replace(/''/g, "'"), headers, body);

    const incident = /^incidents\(([0-9a-f-]{36})\)$/.exec(resource);
    if (incident) return this.incidentRequest(method, incident[1] ?? "", headers, body);

    if (method === "GET" && resource === Configuration.entitySet) {
      const row = this.configuration;
      return {
        status: 200,
        body: {
          value:
            row === null
              ? []
              : [{ [Configuration.fields.closeTicketOnSessionEnd]: row.close, [Configuration.fields.reassignCaseOnSessionStart]: row.reassign }],
        },
      };
    }
    if (method === "GET" && resource === UserSettings.entitySet) {
      const filter = parseFilter(params.get("$filter") ?? "");
      const match = this.userSettings.find(
        (s) =>
          (filter[UserSettings.fields.techId] !== undefined && s.techId === filter[UserSettings.fields.techId]) ||
          (filter[UserSettings.fields.ssoId] !== undefined && s.ssoId === filter[UserSettings.fields.ssoId]),
      );
      return { status: 200, body: { value: match === undefined ? [] : [{ [`_${UserSettings.fields.userId}_value`]: match.userId }] } };
    }
    if (method === "GET" && resource === SystemUser.entitySet) {
      const filter = parseFilter(params.get("$filter") ?? "");
      const email = filter[SystemUser.fields.internalEmailAddress];
      const match = this.systemUsers.find((u) => u.email.toLowerCase() === (email ?? "").toLowerCase() && u.disabled !== true);
      return { status: 200, body: { value: match === undefined ? [] : [{ [SystemUser.primaryId]: match.id }] } };
    }
    if (method === "POST" && resource === "CloseIncident") {
      const payload = JSON.parse(body) as { IncidentResolution?: Record<string, unknown>; Status?: unknown };
      const resolution = payload.IncidentResolution ?? {};
      const bind = asString(resolution["incidentid@odata.bind"]);
      const id = /^\/incidents\(([0-9a-f-]{36})\)$/.exec(bind)?.[1] ?? "";
      const row = this.incidents.get(id);
      if (row === undefined) return { status: 404, body: { error: { code: "0x80040217", message: "incident does not exist" } } };
      if (typeof resolution.subject !== "string" || typeof payload.Status !== "number") {
        return { status: 400, body: { error: { code: "0x80040203", message: "bad CloseIncident payload" } } };
      }
      if (row.statecode !== 0) return { status: 400, body: { error: { code: "0x8004015d", message: "This case has already been resolved." } } };
      row.statecode = 1;
      row.statuscode = payload.Status;
      row.resolutions.push({ subject: resolution.subject, status: payload.Status });
      return { status: 204 };
    }
    if (method === "GET" && resource === "EntityDefinitions(LogicalName='lmi_session')/Keys") {
      return { status: 200, body: { value: [{ LogicalName: Session.sessionKey, EntityKeyIndexStatus: this.sessionKeyStatus }] } };
    }
    return { status: 404, body: { error: { code: "0x80060888", message: `Resource not found for the segment '${resource}'.` } } };
  }

  private sessionRequest(method: string, key: string, headers: IncomingHttpHeaders, body: string): FakeResponse {
    const existing = this.sessions.get(key);
    if (method === "GET") {
      if (existing === undefined) return { status: 404, body: { error: { code: "0x80040217", message: "lmi_session With Ids = … Does Not Exist" } } };
      const etag = `W/"${existing.version}"`;
      return { status: 200, headers: { etag }, body: { "@odata.etag": etag, lmi_sessionid: existing.lmi_sessionid, ...existing.columns } };
    }
    if (method !== "PATCH") return { status: 405, body: { error: { code: "0x80060888", message: "method not allowed" } } };
    const ifMatch = headers["if-match"];
    const ifNoneMatch = headers["if-none-match"];
    if (ifNoneMatch === "*" && existing !== undefined) return { status: 412, body: { error: { code: "0x80060882", message: "A record with matching key values already exists." } } };
    if (ifMatch !== undefined) {
      if (existing === undefined) return { status: 404, body: { error: { code: "0x80040217", message: "Does Not Exist" } } };
      if (ifMatch !== "*" && ifMatch !== `W/"${existing.version}"`) {
        return { status: 412, body: { error: { code: "0x80060882", message: "The version of the existing record doesn't match the RowVersion property provided." } } };
      }
    }
    const payload = JSON.parse(body) as Record<string, unknown>;
    const columns: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(payload)) {
      if (!SESSION_COLUMNS.has(name)) return { status: 400, body: { error: { code: "0x80060888", message: `Invalid property '${name}' was found in entity 'Microsoft.Dynamics.CRM.lmi_session'.` } } };
      const limit = TEXT_LIMITS[name];
      if (limit !== undefined && typeof value === "string" && value.length > limit) {
        return { status: 400, body: { error: { code: "0x80044331", message: `A validation error occurred. The length of the '${name}' attribute exceeded the maximum allowed length.` } } };
      }
      if (name === `${Session.caseIdNavigation}@odata.bind`) {
        const id = /^\/incidents\(([0-9a-f-]{36})\)$/.exec(asString(value))?.[1] ?? "";
        if (!this.incidents.has(id)) return { status: 400, body: { error: { code: "0x80040217", message: "incident With Ids = … Does Not Exist" } } };
        columns[`_${Session.caseIdNavigation}_value`] = id;
        continue;
      }
      if (name === Session.fields.rescueSessionId && value !== key) return { status: 400, body: { error: { code: "0x80048d19", message: "key mismatch" } } };
      columns[name] = value;
    }
    if (existing === undefined) {
      this.sessions.set(key, { lmi_sessionid: randomUUID(), version: 1, columns: { [Session.fields.rescueSessionId]: key, ...columns } });
      this.creations.set(key, (this.creations.get(key) ?? 0) + 1);
    } else {
      Object.assign(existing.columns, columns);
      existing.version += 1;
    }
    return { status: 204 };
  }

  private incidentRequest(method: string, id: string, headers: IncomingHttpHeaders, body: string): FakeResponse {
    const row = this.incidents.get(id);
    if (row === undefined) return { status: 404, body: { error: { code: "0x80040217", message: "incident With Ids = … Does Not Exist" } } };
    if (method === "GET") {
      return { status: 200, body: { "@odata.etag": 'W/"1"', incidentid: row.incidentid, [Incident.fields.stateCode]: row.statecode, [`_${Incident.fields.ownerId}_value`]: row.ownerid } };
    }
    if (method === "PATCH") {
      if (headers["if-match"] !== "*") return { status: 400, body: { error: { code: "fake", message: "expected If-Match: *" } } };
      if (row.statecode !== 0) return { status: 400, body: { error: { code: "0x80043e09", message: "You cannot modify a resolved case." } } };
      const payload = JSON.parse(body) as Record<string, unknown>;
      const owner = /^\/systemusers\(([0-9a-f-]{36})\)$/.exec(asString(payload["ownerid@odata.bind"]))?.[1];
      if (owner === undefined) return { status: 400, body: { error: { code: "fake", message: "only owner changes are modelled" } } };
      row.ownerid = owner;
      return { status: 204 };
    }
    return { status: 405, body: { error: { code: "fake", message: "method not allowed" } } };
  }
}

function parseFilter(filter: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const match of filter.matchAll(/(\w+) eq '((?:[^']|'')*)'/g)) result[match[1] ?? ""] = (match[2] ?? "").replace(/''/g, "'");
  return result;
}

function asString(value: unknown): string {
  return typeof value === "string" ? value : "";
}
