/**
 * The OData conventions of the Dataverse Web API v9.2 — the one place where request paths and
 * query text are written and where answers are read. Runtime-neutral: the web resources (over
 * `Xrm.WebApi` or `fetch`) and the integration service build and read the same text with it.
 *
 * Writing:
 * - values inside OData syntax are OData literals: `odataLiteral("O'Neil")` → `'O''Neil'`;
 * - a row is addressed by its id (`entityPath`) or by an alternate key (`alternateKeyPath`); each
 *   key value is percent-encoded as a path segment;
 * - query text is built by `odataQuery` only, which percent-encodes every option's value once:
 *   spaces, `&`, `+`, `#`, `%` and non-ASCII always; the OData punctuation `$ , ; : @ / = ( ) ' !
 *   *` stays readable. Callers write plain OData (`statecode eq 0`) and never encode anything.
 *
 * Reading: the rows of a collection, a text column's value, the row id in `OData-EntityId`, and
 * the platform's `{"error":{"code","message"}}`.
 */
import { normalizeId, parseGuid } from "../common/guid";

/** Where the Web API lives below an organisation's URL (`<org>/api/data/v9.2/<path>`). */
export const WEB_API_PATH = "/api/data/v9.2/";

/** The headers every Web API request carries: JSON answers, OData 4.0. */
export const ODATA_HEADERS: Readonly<Record<string, string>> = {
  Accept: "application/json",
  "OData-MaxVersion": "4.0",
  "OData-Version": "4.0",
};

/** A row as the Web API answers it: column (or annotation) → value. */
export type Row = Record<string, unknown>;

/** An OData literal: a string quoted, with its quotes doubled; numbers, booleans and null as they are. */
export function odataLiteral(value: string | number | boolean | null): string {
  return typeof value === "string" ? `'${value.replace(/'/g, "''")}'` : String(value);
}

/** `entitySet(<id>)`: a row by its primary key (the id lower case, without braces). */
export function entityPath(entitySet: string, id: string): string {
  return `${entitySet}(${normalizeId(id)})`;
}

/**
 * `entitySet(column=value)`: a row by a one-column alternate key. `literal` is an OData literal
 * (`odataLiteral(text)` for a text column; a lookup's id as it is); it is percent-encoded here.
 */
export function alternateKeyPath(entitySet: string, column: string, literal: string): string {
  return `${entitySet}(${column}=${encodeURIComponent(literal)})`;
}

/** The read-only property that carries a lookup column's id: `lmi_caseid` → `_lmi_caseid_value`. */
export function lookupValueProperty(column: string): string {
  return `_${column}_value`;
}

/** The body property that sets a lookup through its navigation property: `lmi_caseid@odata.bind`. */
export function bindProperty(navigationProperty: string): string {
  return `${navigationProperty}@odata.bind`;
}

/** The value of a `…@odata.bind` property: `/incidents(<id>)`. */
export function bindTarget(entitySet: string, id: string): string {
  return `/${entityPath(entitySet, id)}`;
}

/** The system query options the product uses. */
export interface QueryOptions {
  select?: readonly string[];
  /** `nav($select=…;$expand=…)`, as OData writes it. */
  expand?: string;
  filter?: string;
  orderby?: string;
  top?: number;
}

const QUERY_OPTIONS = ["select", "expand", "filter", "orderby", "top"] as const;

/** Percent-encodes one option's value (see the module comment for what stays readable). */
function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replace(/%(?:24|2C|3B|3A|40|2F|3D)/g, decodeURIComponent);
}

/** `?$select=…&$expand=…&$filter=…&$orderby=…&$top=…` with the options given, each encoded once; "" for none. */
export function odataQuery(options: QueryOptions): string {
  const parts: string[] = [];
  for (const name of QUERY_OPTIONS) {
    const value = options[name];
    if (value !== undefined) parts.push(`$${name}=${encodeQueryValue(typeof value === "object" ? value.join(",") : String(value))}`);
  }
  return parts.length > 0 ? `?${parts.join("&")}` : "";
}

/** The rows of a collection answer (`{"value":[…]}`); [] for anything else. */
export function collectionRows(body: unknown): Row[] {
  const value = body !== null && typeof body === "object" ? (body as { value?: unknown }).value : undefined;
  return Array.isArray(value) ? value.filter((row): row is Row => row !== null && typeof row === "object" && !Array.isArray(row)) : [];
}

/** A text column's value, trimmed; "" for null, a missing column or a value that is not text. */
export function textOf(value: unknown): string {
  return typeof value === "string" ? value.trim() : "";
}

/** The row id in an `OData-EntityId` header (`…/lmi_configurations(<guid>)`), lower case; null when it has none. */
export function idFromEntityIdHeader(header: string | null | undefined): string | null {
  const key = /\(([^()]*)\)\s*$/.exec(header ?? "")?.[1];
  return key === undefined ? null : parseGuid(key);
}

/** What the platform said in an OData error body (`{"error":{"code":"0x…","message":"…"}}`). */
export interface ODataError {
  code?: string;
  message?: string;
}

/** Reads an OData error body; {} when the body is not one. */
export function readODataError(body: unknown): ODataError {
  const error = body !== null && typeof body === "object" ? (body as { error?: unknown }).error : undefined;
  if (error === null || typeof error !== "object") return {};
  const { code, message } = error as { code?: unknown; message?: unknown };
  return { ...(typeof code === "string" ? { code } : {}), ...(typeof message === "string" ? { message } : {}) };
}
