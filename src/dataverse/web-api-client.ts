/**
 * `DataverseClient` over `fetch` and the Dataverse Web API v9.2, for HTML pages.
 *
 * A page opened on its own (site map, new window, the solution's configuration node) has only
 * `ClientGlobalContext.js.aspx`: the context, no `Xrm.WebApi`. The page is served by the
 * organisation itself, so the Web API is same-origin: requests go to
 * `<getClientUrl()>/api/data/v9.2/…` with the user's session cookie, as the platform's own
 * scripts do. Besides the record operations, `send()` reaches anything else relative to the
 * Web API root (metadata, actions).
 *
 * Errors become `WebApiError` carrying the platform's own message (`error.message` of the
 * OData error body), the HTTP status and the platform error code. Request bodies never appear
 * in errors.
 */
import * as Configuration from "../model/configuration";
import * as Incident from "../model/incident";
import * as Session from "../model/session";
import * as UserSettings from "../model/user-settings";
import { WebApiError, type DataverseClient } from "./client";
import { collectionRows, entityPath, idFromEntityIdHeader, ODATA_HEADERS, readODataError, WEB_API_PATH, type Row } from "./odata";

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Logical name → entity set name, for the tables the product's pages touch. */
const ENTITY_SETS: Readonly<Record<string, string>> = {
  [Configuration.entity]: Configuration.entitySet,
  [UserSettings.entity]: UserSettings.entitySet,
  [Session.entity]: Session.entitySet,
  [Incident.entity]: Incident.entitySet,
};

export interface WebApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON body; null for an empty body (204). */
  body: unknown;
}

export interface WebApiClient extends DataverseClient {
  /** The Web API root this client talks to (`<client url>/api/data/v9.2/`). */
  readonly root: string;
  /**
   * Sends one request to a path relative to the Web API root (`EntityDefinitions(…)/Keys`,
   * `ReactivateEntityKey`). Resolves for 2xx answers; rejects with `WebApiError` otherwise.
   */
  send(method: "GET" | "POST" | "PATCH" | "DELETE", relativePath: string, body?: unknown, extraHeaders?: Record<string, string>): Promise<WebApiResponse>;
}

export interface WebApiClientOptions {
  /** `getClientUrl()` of the current organisation. */
  clientUrl: string;
  fetch?: FetchLike;
  /** Per request, in milliseconds (default 60 s). */
  timeoutMs?: number;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text.trim() === "") return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function createWebApiClient(options: WebApiClientOptions): WebApiClient {
  const root = `${options.clientUrl.replace(/\/+$/, "")}${WEB_API_PATH}`;
  const doFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 60_000;

  function entitySet(entity: string): string {
    const set = ENTITY_SETS[entity];
    if (!set) throw new WebApiError(`No entity set is known for table ${entity}.`);
    return set;
  }

  async function send(method: "GET" | "POST" | "PATCH" | "DELETE", relativePath: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<WebApiResponse> {
    const headers: Record<string, string> = { ...ODATA_HEADERS, ...extraHeaders };
    if (body !== undefined) headers["Content-Type"] = "application/json; charset=utf-8";
    const controller = typeof AbortController === "function" ? new AbortController() : null;
    const timer = controller ? setTimeout(() => controller.abort(), timeoutMs) : null;
    let response: Response;
    try {
      response = await doFetch(root + relativePath.replace(/^\/+/, ""), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
        signal: controller?.signal,
      });
    } catch (error) {
      const aborted = controller?.signal.aborted === true;
      throw new WebApiError(
        aborted ? `The Dataverse Web API did not answer within ${Math.round(timeoutMs / 1000)} s.` : `The Dataverse Web API could not be reached (${error instanceof Error ? error.message : String(error)}).`,
      );
    } finally {
      if (timer !== null) clearTimeout(timer);
    }
    const parsed = await readBody(response);
    if (!response.ok) {
      const { message, code } = readODataError(parsed);
      throw new WebApiError(message ?? `HTTP ${response.status} ${response.statusText}`.trim(), response.status, code);
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }

  return {
    root,
    send,
    async retrieveMultiple(entity, query, maxPageSize) {
      const headers: Record<string, string> = maxPageSize ? { Prefer: `odata.maxpagesize=${maxPageSize}` } : {};
      const response = await send("GET", `${entitySet(entity)}${query}`, undefined, headers);
      return collectionRows(response.body);
    },
    async retrieve(entity, id, query = "") {
      const response = await send("GET", `${entityPath(entitySet(entity), id)}${query}`);
      return (response.body && typeof response.body === "object" ? response.body : {}) as Row;
    },
    async create(entity, data) {
      const response = await send("POST", entitySet(entity), data);
      const id = idFromEntityIdHeader(response.headers.get("OData-EntityId"));
      if (id) return id;
      throw new WebApiError(`The Web API created the ${entity} row but did not say its id.`, response.status);
    },
    async update(entity, id, data) {
      // If-Match: * turns the PATCH into a pure update: a row deleted meanwhile is reported, never re-created.
      await send("PATCH", entityPath(entitySet(entity), id), data, { "If-Match": "*" });
    },
  };
}
