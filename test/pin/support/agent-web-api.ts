/**
 * `Xrm.WebApi` as one agent's browser meets it, over the SAME `FakeDataverse` rows the integration
 * service reads over HTTPS: the end-to-end test exposes `call` into the page (playwright
 * `exposeFunction`), so the `lmi_pinrequest` row the browser creates is the row the service claims,
 * with `createdby` = this agent, as Dataverse sets it.
 *
 * Modelled as the Web API behaves for what the Request PIN flow does:
 * - `retrieveMultipleRecords("lmi_configuration", "?$select=…&$filter=statecode eq 0&$orderby=modifiedon desc&$top=n")`:
 *   the configuration row, only the selected columns (an unknown column is refused, as Dataverse
 *   refuses it). Field security is deliberately NOT applied: the secured `lmi_ssopassword` is
 *   answered with its value when selected, so only the browser's not selecting it keeps the
 *   password out of the page — the test shows that, instead of the fake hiding it;
 * - `createRecord("lmi_pinrequest", {lmi_name, lmi_nonce, "lmi_caseid@odata.bind"})`: a new row
 *   created by and owned by the agent (unknown columns, over-long text and a Case that does not
 *   exist are refused);
 * - anything else is refused with a message naming the call, so an unexpected call shows up as a
 *   failure in the page and in `calls`.
 * A refusal is answered as the platform rejects: an object `{ errorCode, message }`.
 *
 * Every call and the exact answer the page got is recorded: the answers are browser-visible.
 */
import { Configuration, Incident, PinRequest } from "../../../src/model/schema";
import type { FakeDataverse } from "../../service/support/fake-dataverse";

/** How the platform rejects a Web API call. */
export interface PlatformError {
  errorCode: number;
  message: string;
}

export type WebApiAnswer = { ok: true; value: unknown } | { ok: false; error: PlatformError };

export interface WebApiCall {
  op: string;
  entity: string;
  args: unknown[];
  answer: WebApiAnswer;
}

/** Dataverse's "invalid property / query" and "does not exist" codes. */
const INVALID = -2147204784; // 0x80060888
const DOES_NOT_EXIST = -2147220969; // 0x80040217

const refuse = (errorCode: number, message: string): WebApiAnswer => ({ ok: false, error: { errorCode, message } });

export class AgentWebApi {
  readonly calls: WebApiCall[] = [];
  /** `lmi_name` of each PIN request row created here, by row id (the fake's row has no name column). */
  readonly pinRequestNames = new Map<string, string>();

  constructor(
    private readonly dataverse: FakeDataverse,
    /** The agent's `systemuserid` (lower case, no braces). */
    readonly agentId: string,
  ) {}

  /** One `Xrm.WebApi` call from the page; never throws (a refusal is an answer). */
  call(op: string, entity: string, args: unknown[]): WebApiAnswer {
    let answer: WebApiAnswer;
    try {
      answer = this.answer(op, entity, args);
    } catch (error) {
      answer = refuse(INVALID, `fake Web API: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.calls.push({ op, entity, args, answer });
    return answer;
  }

  private answer(op: string, entity: string, args: unknown[]): WebApiAnswer {
    if (op === "retrieveMultipleRecords" && entity === Configuration.entity) return this.configurationQuery(typeof args[0] === "string" ? args[0] : "");
    if (op === "createRecord" && entity === PinRequest.entity) return this.createPinRequest(args[0]);
    return refuse(INVALID, `fake Web API: ${op} of ${entity} is not something the Request PIN flow does`);
  }

  /** The configuration row as the Web API has it: every column, by logical name. */
  private configurationRow(): Record<string, unknown> | null {
    const row = this.dataverse.configuration;
    if (row === null) return null;
    const c = Configuration.fields;
    return {
      [Configuration.primaryId]: "0f0e0d0c-0b0a-4909-8807-060504030201",
      [c.name]: "Default",
      [c.environment]: 645100002,
      [c.endpoint]: row.endpoint ?? null,
      [c.serviceUrl]: row.serviceUrl ?? null,
      [c.companyId]: row.companyId ?? null,
      [c.ssoPassword]: row.ssoPassword ?? null,
      [c.dynamicsUrl]: null,
      [c.tenantId]: null,
      [c.requireActiveTechConsole]: row.requireActiveTechConsole ?? false,
      [c.closeTicketOnSessionEnd]: row.close,
      [c.reassignCaseOnSessionStart]: row.reassign,
      [c.doNotPassCField1]: row.doNotPassCField1 ?? false,
      [c.stateCode]: 0,
      [c.modifiedOn]: "2026-11-30T10:00:00Z",
    };
  }

  private configurationQuery(query: string): WebApiAnswer {
    const params = new URLSearchParams(query.replace(/^\?/, "").replace(/\+/g, "%2B"));
    for (const name of params.keys()) {
      if (!["$select", "$filter", "$orderby", "$top"].includes(name)) return refuse(INVALID, `fake Web API: query option ${name} is not modelled`);
    }
    const filter = params.get("$filter");
    if (filter !== null && filter !== `${Configuration.fields.stateCode} eq 0`) return refuse(INVALID, `fake Web API: only $filter=statecode eq 0 is modelled, not ${filter}`);
    const orderBy = params.get("$orderby");
    if (orderBy !== null && orderBy !== `${Configuration.fields.modifiedOn} desc`) return refuse(INVALID, `fake Web API: only $orderby=modifiedon desc is modelled, not ${orderBy}`);
    const row = this.configurationRow();
    const rows = row === null ? [] : [row];
    const top = params.get("$top");
    const limited = top === null ? rows : rows.slice(0, Number(top));
    const select = params.get("$select")?.split(",");
    const entities: Record<string, unknown>[] = [];
    for (const full of limited) {
      const columns = select ?? Object.keys(full);
      const unknown = columns.find((column) => !(column in full));
      if (unknown !== undefined) return refuse(INVALID, `Could not find a property named '${unknown}' on type 'Microsoft.Dynamics.CRM.${Configuration.entity}'.`);
      // The Web API always answers the primary key and the row's ETag besides the selected columns.
      entities.push({ "@odata.etag": 'W/"1"', [Configuration.primaryId]: full[Configuration.primaryId], ...Object.fromEntries(columns.map((column) => [column, full[column]])) });
    }
    return { ok: true, value: { entities } };
  }

  private createPinRequest(data: unknown): WebApiAnswer {
    if (typeof data !== "object" || data === null) return refuse(INVALID, "fake Web API: createRecord needs an object");
    const f = PinRequest.fields;
    const bindName = `${PinRequest.caseIdNavigation}@odata.bind`;
    let caseId: string | null = null;
    let nonce = "";
    let name = "";
    for (const [column, value] of Object.entries(data as Record<string, unknown>)) {
      if (column === bindName && typeof value === "string") {
        const id = new RegExp(`^/${Incident.entitySet}\\(([0-9a-f-]{36})\\)$`).exec(value)?.[1];
        if (id === undefined || !this.dataverse.incidents.has(id)) return refuse(DOES_NOT_EXIST, `incident With Ids = ${value} Does Not Exist`);
        caseId = id;
      } else if (column === f.nonce && typeof value === "string" && value.length <= PinRequest.maxLength.nonce) nonce = value;
      else if (column === f.name && typeof value === "string" && value.length <= PinRequest.maxLength.name) name = value;
      else return refuse(INVALID, `Invalid property or value for '${column}' on 'Microsoft.Dynamics.CRM.${PinRequest.entity}'.`);
    }
    if (caseId === null) return refuse(INVALID, `fake Web API: ${bindName} is required`);
    const row = this.dataverse.addPinRequest({ caseId, createdBy: this.agentId, nonce });
    this.pinRequestNames.set(row.id, name);
    return { ok: true, value: { entityType: PinRequest.entity, id: row.id } };
  }
}
