/**
 * Routes for the configuration page tests (see test/helpers/static-server.ts):
 * - a host page that plays Dynamics: it defines the parent `Xrm` (context with client URL and
 *   language, WebApi present) and iframes `/WebResources/lmi_/pages/configuration.html`;
 * - a fake `ClientGlobalContext.js.aspx` for the standalone mode;
 * - a fake Dataverse Web API v9.2 for `lmi_configurations`, the `lmi_session` key metadata and
 *   the `ReactivateEntityKey` action, which records every request.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Route } from "../../helpers/static-server";

export type Row = Record<string, unknown>;

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  headers: IncomingMessage["headers"];
  body: unknown;
}

export interface FakeDataverse {
  /** Configuration rows (all active). */
  rows: Row[];
  /** `EntityKeyIndexStatus` of `lmi_sessionkey`; null = the key does not exist. */
  keyStatus: string | null;
  /** Status after a successful ReactivateEntityKey. */
  statusAfterReactivate: string;
  /** When set, creates and updates fail with this OData error. */
  failWrites: { status: number; code: string; message: string } | null;
  /** When set, reading the key metadata fails with this OData error. */
  failKeyRead: { status: number; code: string; message: string } | null;
  /** When set, reading the configuration rows fails with this OData error. */
  failConfigurationRead: { status: number; code: string; message: string } | null;
  /** Language of the user in the host page and the global context (LCID). */
  languageId: number;
  /** Whether the fake ClientGlobalContext.js.aspx exists. */
  globalContextAvailable: boolean;
  requests: RecordedRequest[];
  reset(): void;
}

export function createFakeDataverse(): FakeDataverse {
  const fake: FakeDataverse = {
    rows: [],
    keyStatus: "Active",
    statusAfterReactivate: "InProgress",
    failWrites: null,
    failKeyRead: null,
    failConfigurationRead: null,
    languageId: 1033,
    globalContextAvailable: true,
    requests: [],
    reset() {
      fake.rows = [];
      fake.keyStatus = "Active";
      fake.statusAfterReactivate = "InProgress";
      fake.failWrites = null;
      fake.failKeyRead = null;
      fake.failConfigurationRead = null;
      fake.languageId = 1033;
      fake.globalContextAvailable = true;
      fake.requests = [];
    },
  };
  return fake;
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json; odata.metadata=minimal", "OData-Version": "4.0", ...headers });
  response.end(JSON.stringify(body));
}

function odataError(response: ServerResponse, error: { status: number; code: string; message: string }): void {
  json(response, error.status, { error: { code: error.code, message: error.message } });
}

const API = "/api/data/v9.2/";
const SET = "lmi_configurations";

/** The Web API fake. */
export function webApiRoute(fake: FakeDataverse): Route {
  return (request, response, rawBody) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    if (!url.pathname.startsWith(API)) return false;
    const path = decodeURIComponent(url.pathname.slice(API.length));
    let body: unknown = null;
    if (rawBody !== "") {
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = rawBody;
      }
    }
    fake.requests.push({ method: request.method ?? "GET", path, query: decodeURIComponent(url.search), headers: request.headers, body });
    if (request.headers["odata-version"] !== "4.0") {
      odataError(response, { status: 400, code: "0x0", message: "OData-Version 4.0 header missing" });
      return true;
    }

    if (request.method === "GET" && path === SET) {
      if (fake.failConfigurationRead) {
        odataError(response, fake.failConfigurationRead);
        return true;
      }
      const top = Number(url.searchParams.get("$top") ?? "5000");
      const rows = [...fake.rows].sort((a, b) => String(b.modifiedon).localeCompare(String(a.modifiedon))).slice(0, top);
      json(response, 200, { "@odata.context": `${API}$metadata#${SET}`, value: rows });
      return true;
    }
    if (request.method === "POST" && path === SET) {
      if (fake.failWrites) {
        odataError(response, fake.failWrites);
        return true;
      }
      const id = randomUUID();
      fake.rows.push({ ...(body as Row), lmi_configurationid: id, statecode: 0, modifiedon: new Date().toISOString() });
      response.writeHead(204, { "OData-EntityId": `http://${request.headers.host ?? "x"}${API}${SET}(${id})`, "OData-Version": "4.0" });
      response.end();
      return true;
    }
    const one = new RegExp(`^${SET}\\(([0-9a-f-]{36})\\)$`).exec(path);
    if (request.method === "PATCH" && one) {
      if (fake.failWrites) {
        odataError(response, fake.failWrites);
        return true;
      }
      const row = fake.rows.find((candidate) => candidate.lmi_configurationid === one[1]);
      if (!row) {
        odataError(response, { status: 404, code: "0x80040217", message: "lmi_configuration With Id = … Does Not Exist" });
        return true;
      }
      Object.assign(row, body as Row, { modifiedon: new Date().toISOString() });
      response.writeHead(204, { "OData-Version": "4.0" });
      response.end();
      return true;
    }
    if (request.method === "GET" && path === "EntityDefinitions(LogicalName='lmi_session')/Keys") {
      if (fake.failKeyRead) {
        odataError(response, fake.failKeyRead);
        return true;
      }
      const value = fake.keyStatus === null ? [] : [{ LogicalName: "lmi_sessionkey", SchemaName: "lmi_sessionkey", EntityKeyIndexStatus: fake.keyStatus, MetadataId: randomUUID() }];
      json(response, 200, { value });
      return true;
    }
    if (request.method === "POST" && path === "ReactivateEntityKey") {
      fake.keyStatus = fake.statusAfterReactivate;
      json(response, 200, { "@odata.context": `${API}$metadata#Microsoft.Dynamics.CRM.ReactivateEntityKeyResponse` });
      return true;
    }
    odataError(response, { status: 404, code: "0x8006088a", message: `Resource not found for the segment '${path}'.` });
    return true;
  };
}

/** A host page that plays the model-driven app: parent `Xrm` + the page in an iframe. */
export function hostPageRoute(fake: FakeDataverse): Route {
  return (request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== "/host.html") return false;
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Dynamics 365 host</title>
<style>html,body{margin:0}iframe{display:block;width:100%;height:1200px;border:0}</style>
<script>
  var context = {
    getClientUrl: function () { return location.origin; },
    userSettings: { languageId: ${fake.languageId}, userName: "Ada Admin" },
  };
  window.Xrm = { Utility: { getGlobalContext: function () { return context; } }, WebApi: {}, Navigation: {} };
</script></head>
<body><main><iframe id="config" title="LogMeIn Rescue configuration" src="/WebResources/lmi_/pages/configuration.html"></iframe></main></body></html>`);
    return true;
  };
}

/** `ClientGlobalContext.js.aspx` for the standalone page (under /WebResources/, as in Dynamics). */
export function globalContextRoute(fake: FakeDataverse): Route {
  return (request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== "/WebResources/ClientGlobalContext.js.aspx") return false;
    fake.requests.push({ method: "GET", path: "ClientGlobalContext.js.aspx", query: "", headers: request.headers, body: null });
    if (!fake.globalContextAvailable) {
      response.writeHead(404, { "content-type": "text/plain" });
      response.end("not found");
      return true;
    }
    response.writeHead(200, { "content-type": "text/javascript; charset=utf-8" });
    response.end(`function GetGlobalContext() {
  return { getClientUrl: function () { return location.origin; }, userSettings: { languageId: ${fake.languageId}, userName: "Ada Admin" } };
}`);
    return true;
  };
}
