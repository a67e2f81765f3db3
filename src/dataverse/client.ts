/**
 * The Dataverse operations the web resources need, behind one small interface so that logic can be
 * tested without a browser: `src/xrm/web-api.ts` implements it over `Xrm.WebApi` (forms, ribbon,
 * dialogs), and `src/dataverse/web-api-client.ts` over `fetch` for pages that only have
 * `ClientGlobalContext.js.aspx`. (The integration service has its own transport,
 * src/service/dataverse-client.ts; both write and read the Web API's text with src/dataverse/odata.ts.)
 *
 * Entity arguments are logical names (`lmi_configuration`), as in `Xrm.WebApi`. Queries are OData
 * system query options made by `odataQuery` (`?$select=…&$filter=…`). Rows are `Row`s of
 * src/dataverse/odata.ts; ids go in and come out lower case, without braces (src/common/guid.ts).
 */
import type { Row } from "./odata";

export interface DataverseClient {
  retrieveMultiple(entity: string, query: string, maxPageSize?: number): Promise<Row[]>;
  retrieve(entity: string, id: string, query?: string): Promise<Row>;
  /** Creates a row and resolves to its id (lower case, without braces). */
  create(entity: string, data: Row): Promise<string>;
  update(entity: string, id: string, data: Row): Promise<void>;
}

/** A Web API call of a web resource that failed, with what the platform said (never contains request bodies). */
export class WebApiError extends Error {
  declare readonly status?: number;
  declare readonly code?: string | number;

  constructor(message: string, status?: number, code?: string | number) {
    super(message);
    this.name = "WebApiError";
    this.status = status;
    this.code = code;
  }
}
