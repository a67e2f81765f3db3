/**
 * A fake of the parts of Microsoft Entra ID and the Dataverse Web API v9.2 the integration
 * service uses — one HTTPS server on 127.0.0.1 with a self-signed certificate.
 *
 * Behaviour modelled on the real services: client-credentials tokens with expiry and
 * revocation; alternate-key addressing `lmi_sessions(lmi_rescuesessionid='…')`; upsert PATCH
 * with `If-Match` / `If-None-Match` (404 / 412), weak ETags bumped on every write; unknown
 * columns and over-long text refused with 400 like Dataverse does (the lengths are the solution
 * XML's `MaxLength`s, read from `solution/` — not the code's copy in src/model/); Case reads, owner changes
 * and `CloseIncident` (400 on a Case that is not active); the alternate-key metadata. Faults
 * can be queued per request (429 with Retry-After, 5xx, any status).
 *
 * For the PIN broker: `lmi_pinrequests` (read by id with `$select` and nested `$expand` of the
 * creator and the Case with its contact or account customer, PATCH with `If-Match` — an ETag or
 * `*` — and 412 on a changed row, DELETE, the retention query); `lmi_usersettingses` by the
 * alternate key on the lookup (`_lmi_userid_value=…`, upsert with `If-None-Match: *`) and by id;
 * the configuration row with the secured SSO password (null unless `ssoPasswordReadable`).
 * `$select` names are checked: an unknown column is a 400, as in Dataverse. A URL is read as a
 * server reads it: the path decoded, the query split at `&` before each value is decoded (a `+`
 * is a space), so a value the service forgot to encode arrives changed, as it would.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { Account, Configuration, Contact, Incident, PinRequest, PinRequestStatus, Session, SystemUser, UserSettings } from "../../../src/model/schema";
import { readSolutionTables } from "../../../src/packaging/solution-tables";
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
  ticketnumber?: string;
  /** The Case's own email address. */
  emailaddress?: string;
  customer?: { entityType: "contact" | "account"; id: string };
}

export interface PinRequestRow {
  id: string;
  caseId: string | null;
  nonce: string;
  status: number;
  pinCode: string | null;
  result: string | null;
  /** ISO date-time, as Dataverse writes `createdon`. */
  createdOn: string;
  createdBy: string;
  ownerId: string;
  version: number;
}

export interface UserSettingsRow {
  id?: string;
  userId: string;
  techId?: string;
  ssoId?: string;
  authCode?: string;
  ownerId?: string;
  name?: string;
}

export interface FakeConfiguration {
  close: boolean;
  reassign: boolean;
  /** Default: the production Rescue API. */
  endpoint?: string;
  companyId?: string;
  ssoPassword?: string;
  requireActiveTechConsole?: boolean;
  doNotPassCField1?: boolean;
  /** `lmi_serviceurl`: read by agents' browsers (test/pin/support/agent-web-api.ts), not by the service. */
  serviceUrl?: string;
}

/** The production Rescue API: the configuration's endpoint when a test names none. */
export const PRODUCTION_RESCUE_ENDPOINT = "https://secure.logmeinrescue.com/API";

export const TENANT_ID = "11111111-2222-3333-4444-555555555555";
export const CLIENT_ID = "66666666-7777-8888-9999-000000000000";
export const CLIENT_SECRET = "fake-client-secret-value-42";

const SESSION_COLUMNS = new Set<string>([...Object.values(Session.fields), `${Session.caseIdNavigation}@odata.bind`]);

/** `MaxLength` of each text column of the product's tables, as the solution XML gives it to Dataverse. */
const SOLUTION = readSolutionTables(resolve(import.meta.dirname, "../../.."));
function textLimits(entity: string): ReadonlyMap<string, number> {
  const table = SOLUTION.tables.get(entity);
  if (table === undefined) throw new Error(`fake Dataverse: ${entity} is not in solution/`);
  return new Map([...table.columns.values()].flatMap((column) => (column.maxLength === undefined ? [] : [[column.logicalName, column.maxLength] as const])));
}
const TEXT_LIMITS = {
  [Session.entity]: textLimits(Session.entity),
  [PinRequest.entity]: textLimits(PinRequest.entity),
  [UserSettings.entity]: textLimits(UserSettings.entity),
};
/** Whether `value` fits the text column `column` of `entity` (a column without a length takes anything). */
function fits(entity: keyof typeof TEXT_LIMITS, column: string, value: string): boolean {
  return value.length <= (TEXT_LIMITS[entity].get(column) ?? Number.POSITIVE_INFINITY);
}

export class FakeDataverse {
  readonly sessions = new Map<string, SessionRow>();
  readonly incidents = new Map<string, IncidentRow>();
  readonly userSettings: UserSettingsRow[] = [];
  readonly systemUsers: { id: string; email: string; disabled?: boolean; fullname?: string }[] = [];
  readonly pinRequests = new Map<string, PinRequestRow>();
  readonly contacts = new Map<string, { fullname: string; email: string }>();
  readonly accounts = new Map<string, { name: string; email: string }>();
  readonly requests: RecordedRequest[] = [];
  configuration: FakeConfiguration | null = { close: false, reassign: false };
  /** false models an application user outside the "LogMeIn Rescue Integration" field security profile. */
  ssoPasswordReadable = true;
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

  addSystemUser(user: { fullname: string; email: string; id?: string }): string {
    const id = user.id ?? randomUUID();
    this.systemUsers.push({ id, email: user.email, fullname: user.fullname });
    return id;
  }

  /** A Case with a contact (or account) customer. */
  addCustomerCase(options: { ticketnumber?: string; customer?: "contact" | "account" | null; name?: string; email?: string; caseEmail?: string } = {}): IncidentRow {
    const row = this.addIncident();
    row.ticketnumber = options.ticketnumber ?? `CAS-${String(this.incidents.size).padStart(5, "0")}-X1Y2Z3`;
    if (options.caseEmail !== undefined) row.emailaddress = options.caseEmail;
    const type = options.customer === undefined ? "contact" : options.customer;
    if (type !== null) {
      const id = randomUUID();
      if (type === "contact") this.contacts.set(id, { fullname: options.name ?? "Carla Customer", email: options.email ?? "carla@example.com" });
      else this.accounts.set(id, { name: options.name ?? "Fabrikam B.V.", email: options.email ?? "info@fabrikam.example" });
      row.customer = { entityType: type, id };
    }
    return row;
  }

  /** A PIN request row as the agent's browser creates it (`createdBy` the agent), `ageMs` old. */
  addPinRequest(options: { caseId: string | null; createdBy: string; nonce?: string; ageMs?: number; status?: number }): PinRequestRow {
    const row: PinRequestRow = {
      id: randomUUID(),
      caseId: options.caseId,
      nonce: options.nonce ?? randomBytes(32).toString("base64url"),
      status: options.status ?? PinRequestStatus.Requested,
      pinCode: null,
      result: null,
      createdOn: new Date(Date.now() - (options.ageMs ?? 0)).toISOString().replace(/\.\d{3}Z$/, "Z"),
      createdBy: options.createdBy,
      ownerId: options.createdBy,
      version: 1,
    };
    this.pinRequests.set(row.id, row);
    return row;
  }

  settingsOf(userId: string): UserSettingsRow | undefined {
    return this.userSettings.find((s) => s.userId === userId);
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
      if (url.startsWith("/api/data/v9.2/")) {
        const auth = headers.authorization ?? "";
        const token = auth.startsWith("Bearer ") ? auth.slice(7) : "";
        if (!this.validTokens.has(token)) {
          send({ status: 401, headers: { "www-authenticate": "Bearer" }, body: { error: { code: "0x80072182", message: "unauthorized" } } });
          return;
        }
        send(this.handleData(method, url.slice("/api/data/v9.2/".length), headers, body));
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
    const [rawResource = "", query = ""] = rest.split("?", 2);
    const resource = decodeURIComponent(rawResource);
    const params = new URLSearchParams(query);

    const sessionKey = /^lmi_sessions\(lmi_rescuesessionid='((?:[^']|'')*)'\)$/.exec(resource);
    if (sessionKey) return this.sessionRequest(method, (sessionKey[1] ?? "").replace(/''/g, "'"), headers, body);

    const incident = /^incidents\(([0-9a-f-]{36})\)$/.exec(resource);
    if (incident) return this.incidentRequest(method, incident[1] ?? "", headers, body);

    const pinRequest = /^lmi_pinrequests\(([0-9a-f-]{36})\)$/.exec(resource);
    if (pinRequest) return this.pinRequestRequest(method, pinRequest[1] ?? "", params, headers, body);
    if (method === "GET" && resource === PinRequest.entitySet) return this.pinRequestQuery(params);

    const settingsByKey = /^lmi_usersettingses\(_lmi_userid_value=([0-9a-f-]{36})\)$/.exec(resource);
    if (settingsByKey) return this.userSettingsByKey(method, settingsByKey[1] ?? "", params, headers, body);
    const settingsById = /^lmi_usersettingses\(([0-9a-f-]{36})\)$/.exec(resource);
    if (settingsById) return this.userSettingsById(method, settingsById[1] ?? "", headers, body);

    if (method === "GET" && resource === Configuration.entitySet) {
      const row = this.configuration;
      const C = Configuration.fields;
      return {
        status: 200,
        body: {
          value:
            row === null
              ? []
              : [
                  {
                    [C.closeTicketOnSessionEnd]: row.close,
                    [C.reassignCaseOnSessionStart]: row.reassign,
                    [C.endpoint]: row.endpoint ?? PRODUCTION_RESCUE_ENDPOINT,
                    [C.companyId]: row.companyId ?? null,
                    [C.ssoPassword]: this.ssoPasswordReadable ? (row.ssoPassword ?? null) : null,
                    [C.requireActiveTechConsole]: row.requireActiveTechConsole ?? false,
                    [C.doNotPassCField1]: row.doNotPassCField1 ?? false,
                  },
                ],
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
      if (typeof value === "string" && !fits(Session.entity, name, value)) {
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

  private userView(id: string): EntityView | null {
    const user = this.systemUsers.find((u) => u.id === id);
    if (user === undefined) return null;
    return {
      type: SystemUser.entity,
      columns: { systemuserid: user.id, fullname: user.fullname ?? null, [SystemUser.fields.internalEmailAddress]: user.email || null, [SystemUser.fields.isDisabled]: user.disabled === true },
      navigation: {},
    };
  }

  private incidentView(id: string): EntityView | null {
    const row = this.incidents.get(id);
    if (row === undefined) return null;
    const nav = Incident.customerNavigation;
    const customer = row.customer;
    return {
      type: Incident.entity,
      columns: {
        incidentid: row.incidentid,
        [Incident.fields.ticketNumber]: row.ticketnumber ?? null,
        [Incident.fields.emailAddress]: row.emailaddress ?? null,
        [Incident.fields.stateCode]: row.statecode,
        [`_${Incident.fields.customerId}_value`]: customer?.id ?? null,
        [`_${Incident.fields.ownerId}_value`]: row.ownerid,
      },
      navigation: {
        [nav.contact]: () => {
          const contact = customer?.entityType === "contact" ? this.contacts.get(customer.id) : undefined;
          return contact === undefined || customer === undefined
            ? null
            : { type: Contact.entity, columns: { contactid: customer.id, fullname: contact.fullname, [Contact.fields.email]: contact.email || null }, navigation: {} };
        },
        [nav.account]: () => {
          const account = customer?.entityType === "account" ? this.accounts.get(customer.id) : undefined;
          return account === undefined || customer === undefined
            ? null
            : { type: Account.entity, columns: { accountid: customer.id, name: account.name, [Account.fields.email]: account.email || null }, navigation: {} };
        },
      },
    };
  }

  private pinRequestView(row: PinRequestRow): EntityView {
    const F = PinRequest.fields;
    return {
      type: PinRequest.entity,
      columns: {
        [PinRequest.primaryId]: row.id,
        [F.nonce]: row.nonce,
        [F.status]: row.status,
        [F.pinCode]: row.pinCode,
        [F.result]: row.result,
        [F.createdOn]: row.createdOn,
        [`_${F.createdBy}_value`]: row.createdBy,
        [`_${F.caseId}_value`]: row.caseId,
        [`_${F.ownerId}_value`]: row.ownerId,
      },
      navigation: {
        [PinRequest.createdByNavigation]: () => this.userView(row.createdBy),
        [PinRequest.caseIdNavigation]: () => (row.caseId === null ? null : this.incidentView(row.caseId)),
      },
    };
  }

  private pinRequestRequest(method: string, id: string, params: URLSearchParams, headers: IncomingHttpHeaders, body: string): FakeResponse {
    const row = this.pinRequests.get(id);
    const missing: FakeResponse = { status: 404, body: { error: { code: "0x80040217", message: `lmi_pinrequest With Ids = ${id} Does Not Exist` } } };
    const etag = (r: PinRequestRow): string => `W/"${r.version}"`;
    if (method === "GET") {
      if (row === undefined) return missing;
      try {
        const projection = parseProjection(params.get("$select"), params.get("$expand"));
        return { status: 200, headers: { etag: etag(row) }, body: { "@odata.etag": etag(row), ...project(this.pinRequestView(row), projection, PinRequest.primaryId) } };
      } catch (error) {
        if (error instanceof BadQuery) return { status: 400, body: { error: { code: "0x80060888", message: error.message } } };
        throw error;
      }
    }
    if (method === "DELETE") {
      if (row === undefined) return missing;
      this.pinRequests.delete(id);
      return { status: 204 };
    }
    if (method !== "PATCH") return { status: 405, body: { error: { code: "0x80060888", message: "method not allowed" } } };
    const ifMatch = headers["if-match"];
    if (ifMatch === undefined) return { status: 400, body: { error: { code: "fake", message: "fake: a PATCH of lmi_pinrequest must carry If-Match (without it, PATCH creates a row)" } } };
    if (row === undefined) return missing;
    if (ifMatch !== "*" && ifMatch !== etag(row)) {
      return { status: 412, body: { error: { code: "0x80060882", message: "The version of the existing record doesn't match the RowVersion property provided." } } };
    }
    const F = PinRequest.fields;
    const payload = JSON.parse(body) as Record<string, unknown>;
    for (const [name, value] of Object.entries(payload)) {
      if (name === F.status && typeof value === "number" && (Object.values(PinRequestStatus) as number[]).includes(value)) row.status = value;
      else if (name === F.pinCode && typeof value === "string" && fits(PinRequest.entity, name, value)) row.pinCode = value;
      else if (name === F.result && typeof value === "string" && fits(PinRequest.entity, name, value)) row.result = value;
      else return { status: 400, body: { error: { code: "0x80060888", message: `Invalid value or property '${name}' for 'Microsoft.Dynamics.CRM.lmi_pinrequest'.` } } };
    }
    row.version += 1;
    return { status: 204 };
  }

  /** The retention query: `$filter=createdon lt <date>`, `$orderby=createdon asc`, `$top`. */
  private pinRequestQuery(params: URLSearchParams): FakeResponse {
    const cutoff = /^createdon lt (\S+)$/.exec(params.get("$filter") ?? "")?.[1];
    if (cutoff === undefined || Number.isNaN(Date.parse(cutoff))) return { status: 400, body: { error: { code: "0x80060888", message: "fake: only '$filter=createdon lt <date>' is modelled" } } };
    const top = Number(params.get("$top") ?? "5000");
    const rows = [...this.pinRequests.values()]
      .filter((row) => Date.parse(row.createdOn) < Date.parse(cutoff))
      .sort((a, b) => Date.parse(a.createdOn) - Date.parse(b.createdOn))
      .slice(0, top);
    return { status: 200, body: { value: rows.map((row) => ({ "@odata.etag": `W/"${row.version}"`, [PinRequest.primaryId]: row.id })) } };
  }

  private settingsColumns(row: UserSettingsRow): Record<string, unknown> {
    const F = UserSettings.fields;
    return {
      [UserSettings.primaryId]: row.id,
      [F.name]: row.name ?? null,
      [`_${F.userId}_value`]: row.userId,
      [F.techId]: row.techId ?? null,
      [F.ssoId]: row.ssoId ?? null,
      [F.authCode]: row.authCode ?? null,
      [`_${F.ownerId}_value`]: row.ownerId ?? null,
    };
  }

  private userSettingsByKey(method: string, userId: string, params: URLSearchParams, headers: IncomingHttpHeaders, body: string): FakeResponse {
    const existing = this.settingsOf(userId);
    const view = (row: UserSettingsRow): Record<string, unknown> =>
      project({ type: UserSettings.entity, columns: this.settingsColumns(row), navigation: {} }, parseProjection(params.get("$select"), null), UserSettings.primaryId);
    try {
      if (method === "GET") {
        if (existing === undefined) return { status: 404, body: { error: { code: "0x80040217", message: "lmi_usersettings With Ids = … Does Not Exist" } } };
        existing.id ??= randomUUID();
        return { status: 200, body: { "@odata.etag": 'W/"1"', ...view(existing) } };
      }
      if (method !== "PATCH") return { status: 405, body: { error: { code: "0x80060888", message: "method not allowed" } } };
      if (headers["if-none-match"] !== "*") return { status: 400, body: { error: { code: "fake", message: "fake: only creation (If-None-Match: *) by the key is modelled" } } };
      if (existing !== undefined) return { status: 412, body: { error: { code: "0x80060882", message: "A record with matching key values already exists." } } };
      const payload = JSON.parse(body) as Record<string, unknown>;
      const F = UserSettings.fields;
      const user = `/systemusers(${userId})`;
      if (payload[`${UserSettings.userIdNavigation}@odata.bind`] !== undefined && payload[`${UserSettings.userIdNavigation}@odata.bind`] !== user) {
        return { status: 400, body: { error: { code: "0x80048d19", message: "key mismatch" } } };
      }
      const owner = /^\/systemusers\(([0-9a-f-]{36})\)$/.exec(asString(payload[`${F.ownerId}@odata.bind`]))?.[1];
      const name = payload[F.name];
      if (typeof name === "string" && !fits(UserSettings.entity, F.name, name)) return { status: 400, body: { error: { code: "0x80044331", message: "lmi_name too long" } } };
      const row: UserSettingsRow = { id: randomUUID(), userId, ownerId: owner ?? "integration-user", ...(typeof name === "string" ? { name } : {}) };
      this.userSettings.push(row);
      const location = `${this.origin}/api/data/v9.2/${UserSettings.entitySet}(${row.id})`;
      if (asString(headers.prefer).includes("return=representation")) return { status: 201, headers: { "odata-entityid": location }, body: { "@odata.etag": 'W/"1"', ...view(row) } };
      return { status: 204, headers: { "odata-entityid": location } };
    } catch (error) {
      if (error instanceof BadQuery) return { status: 400, body: { error: { code: "0x80060888", message: error.message } } };
      throw error;
    }
  }

  private userSettingsById(method: string, id: string, headers: IncomingHttpHeaders, body: string): FakeResponse {
    const row = this.userSettings.find((s) => s.id === id);
    if (method !== "PATCH") return { status: 405, body: { error: { code: "0x80060888", message: "method not allowed" } } };
    if (headers["if-match"] !== "*") return { status: 400, body: { error: { code: "fake", message: "fake: a PATCH by id must carry If-Match: *" } } };
    if (row === undefined) return { status: 404, body: { error: { code: "0x80040217", message: "lmi_usersettings With Ids = … Does Not Exist" } } };
    const F = UserSettings.fields;
    for (const [name, value] of Object.entries(JSON.parse(body) as Record<string, unknown>)) {
      if (name === F.authCode && typeof value === "string" && fits(UserSettings.entity, name, value)) row.authCode = value;
      else if (name === F.techId && typeof value === "string" && fits(UserSettings.entity, name, value)) row.techId = value;
      else return { status: 400, body: { error: { code: "0x80060888", message: `Invalid value or property '${name}' for 'Microsoft.Dynamics.CRM.lmi_usersettings'.` } } };
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

/** Parsed `$select` / `$expand` of one level: selected columns and expanded navigation properties. */
interface Projection {
  select: string[] | null;
  expand: Map<string, Projection>;
}

/** An entity as the fake exposes it: its columns and how each navigation property resolves. */
interface EntityView {
  type: string;
  columns: Record<string, unknown>;
  navigation: Record<string, () => EntityView | null>;
}

class BadQuery extends Error {}

/** Reads `$select=a,b&$expand=nav($select=c;$expand=nav2($select=d))` (one level per call). */
function parseProjection(select: string | null, expand: string | null): Projection {
  const projection: Projection = { select: select === null ? null : select.split(",").map((name) => name.trim()), expand: new Map() };
  for (const item of splitTopLevel(expand ?? "", ",")) {
    const match = /^(\w+)(?:\((.*)\))?$/s.exec(item.trim());
    if (!match) throw new BadQuery(`malformed $expand item '${item}'`);
    let innerSelect: string | null = null;
    let innerExpand: string | null = null;
    for (const option of splitTopLevel(match[2] ?? "", ";")) {
      if (option.startsWith("$select=")) innerSelect = option.slice("$select=".length);
      else if (option.startsWith("$expand=")) innerExpand = option.slice("$expand=".length);
      else if (option.trim() !== "") throw new BadQuery(`unsupported option '${option}' in $expand`);
    }
    projection.expand.set(match[1] ?? "", parseProjection(innerSelect, innerExpand));
  }
  return projection;
}

function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of text) {
    if (char === "(") depth += 1;
    if (char === ")") depth -= 1;
    if (char === separator && depth === 0) {
      parts.push(current);
      current = "";
    } else current += char;
  }
  if (current !== "") parts.push(current);
  return parts;
}

/** Applies a projection: the primary key always, the selected columns (unknown ones are a 400), the expansions. */
function project(view: EntityView, projection: Projection, primaryKey: string): Record<string, unknown> {
  const out: Record<string, unknown> = { [primaryKey]: view.columns[primaryKey] };
  for (const name of projection.select ?? Object.keys(view.columns)) {
    if (!(name in view.columns)) throw new BadQuery(`Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.${view.type}'.`);
    out[name] = view.columns[name];
  }
  for (const [nav, inner] of projection.expand) {
    const resolve = view.navigation[nav];
    if (resolve === undefined) throw new BadQuery(`Could not find a navigation property named '${nav}' on type 'Microsoft.Dynamics.CRM.${view.type}'.`);
    const related = resolve();
    out[nav] = related === null ? null : project(related, inner, `${related.type}id`);
  }
  return out;
}

function parseFilter(filter: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const match of filter.matchAll(/(\w+) eq '((?:[^']|'')*)'/g)) result[match[1] ?? ""] = (match[2] ?? "").replace(/''/g, "'");
  return result;
}

function asString(value: unknown): string {
  return typeof value === "string" ? value : "";
}
