/**
 * The Dataverse operations the web resources need, behind one small interface so that logic can be
 * tested without a browser: `src/xrm/web-api.ts` implements it over `Xrm.WebApi` (forms, ribbon,
 * dialogs), and a `fetch`-based implementation serves pages that only have
 * `ClientGlobalContext.js.aspx`.
 *
 * Entity arguments are logical names (`lmi_configuration`), as in `Xrm.WebApi`. Queries are OData
 * system query options starting with `?` (`?$select=…&$filter=…`).
 */
export type Row = Record<string, unknown>;

export interface DataverseClient {
  retrieveMultiple(entity: string, query: string, maxPageSize?: number): Promise<Row[]>;
  retrieve(entity: string, id: string, query?: string): Promise<Row>;
  /** Creates a row and resolves to its id (lower case, without braces). */
  create(entity: string, data: Row): Promise<string>;
  update(entity: string, id: string, data: Row): Promise<void>;
}

/** A failed Dataverse call, with what the platform said (never contains request bodies). */
export class DataverseError extends Error {
  declare readonly status?: number;
  declare readonly code?: string | number;

  constructor(message: string, status?: number, code?: string | number) {
    super(message);
    this.name = "DataverseError";
    this.status = status;
    this.code = code;
  }
}

/** A text column's or attribute's value, trimmed; "" for null, a missing column or a non-string. */
export function textOf(value: unknown): string {
  return typeof value === "string" ? value.trim() : "";
}

/** `{ABC-…}` or `abc-…` → `abc-…`: how ids are compared and sent. */
export function normalizeId(id: string): string {
  return id.replace(/[{}]/g, "").toLowerCase();
}

/** Escapes a string literal for an OData `$filter` (single quotes doubled). */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
