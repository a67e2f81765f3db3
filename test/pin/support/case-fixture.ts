/**
 * A saved Case open in xrm-mock, with Dataverse faked behind `Xrm.WebApi` spies: the configuration
 * row (which answers only the columns a query selects, as the Web API does) and the PIN requests
 * the flow creates. Every call is counted.
 */
import { vi } from "vitest";
import { XrmMockGenerator, type FormContextMock } from "xrm-mock";
import { Configuration, Environment, PinRequest } from "../../../src/model/schema";
import { initXrm, type XrmFixture } from "../../helpers/xrm";

export const CASE_ID = "8b0c3c5e-1f2a-4d6b-9e7f-0a1b2c3d4e5f";
export const CONTACT_ID = "4f1e2d3c-5b6a-4789-8a9b-0c1d2e3f4a5b";
export const USER_ID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
export const SETTINGS_ID = "6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a098";
export const SERVICE_URL = "https://integration.contoso.com";
export const ORIGIN = "https://contoso.crm4.dynamics.com";
/** Secured columns of the configuration; the fake holds values so that a query selecting them would see them. */
export const SSO_PASSWORD = "S3cret-SSO-Pa55word!";

export type Row = Record<string, unknown>;

/** How Xrm.WebApi and formContext.data.save reject: an `Xrm.ErrorResponse` object, not an Error. */
export function platformError(errorCode: number, message: string): Promise<never> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the platform's shape
  return Promise.reject({ errorCode, message });
}

export interface Notification {
  message: string;
  level: string;
  uniqueId: string;
}

export interface CaseOptions {
  languageId?: 1033 | 1043;
  /** Configuration columns to override; null: no configuration row. */
  configuration?: Row | null;
  customerName?: string;
  /** The Case's number on the form (undefined: the column is not on the form). */
  ticketNumber?: string;
  /** The Case's title on the form (undefined: not on the form). */
  title?: string;
  dirty?: boolean;
  saveFails?: boolean;
  /** The form's record id ("" for an unsaved Case). */
  caseId?: string;
}

export interface DataverseCall {
  operation: "retrieveMultipleRecords" | "retrieveRecord" | "createRecord" | "updateRecord";
  entity: string;
  id?: string;
  query?: string;
  data?: Row;
}

export interface CaseFixture extends XrmFixture {
  form: FormContextMock & Xrm.FormContext;
  calls: DataverseCall[];
  reads(): DataverseCall[];
  writes(): DataverseCall[];
  /** The PIN request rows created, with the id each got. */
  pinRequests(): (Row & { id: string })[];
  /** The form notifications xrm-mock recorded. */
  notifications(): Notification[];
  save: ReturnType<typeof vi.fn>;
  /** Makes the next Dataverse call of `operation` fail like the platform does. */
  failNext(operation: DataverseCall["operation"]): void;
}

/** The columns a `?$select=a,b&…` query asks for. */
function selected(query: string | undefined): string[] {
  const select = /[?&]\$select=([^&]*)/.exec(query ?? "")?.[1];
  return select ? select.split(",") : [];
}

export function openCase(options: CaseOptions = {}): CaseFixture {
  const caseId = options.caseId ?? `{${CASE_ID.toUpperCase()}}`;
  const fixture = initXrm({ languageId: options.languageId ?? 1033, userId: `{${USER_ID.toUpperCase()}}`, entity: { entityName: "incident", id: caseId }, formType: caseId ? 2 : 1 });
  XrmMockGenerator.Attribute.createLookup("customerid", [{ id: `{${CONTACT_ID.toUpperCase()}}`, name: options.customerName ?? "Jan de Vries", entityType: "contact" }]);
  if (options.ticketNumber !== undefined) XrmMockGenerator.Attribute.createString("ticketnumber", options.ticketNumber);
  if (options.title !== undefined) XrmMockGenerator.Attribute.createString("title", options.title);
  XrmMockGenerator.Attribute.createOptionSet("statecode", 0);

  const form = fixture.formContext as FormContextMock & Xrm.FormContext;
  // xrm-mock invents an id for a record without one; an unsaved form has none.
  if (!caseId) vi.spyOn(form.data.entity, "getId").mockReturnValue("");
  let dirty = options.dirty ?? false;
  vi.spyOn(form.data, "getIsDirty").mockImplementation(() => dirty);
  const save = vi.fn(() => {
    if (options.saveFails) return platformError(-2147220989, "Subject: Required fields must be filled in.");
    dirty = false;
    return Promise.resolve();
  });
  vi.spyOn(form.data, "save").mockImplementation(save as unknown as typeof form.data.save);

  const c = Configuration.fields;
  const configuration: Row | null =
    options.configuration === null
      ? null
      : {
          [Configuration.primaryId]: "0f0e0d0c-0b0a-4909-8807-060504030201",
          [c.name]: "Default",
          [c.environment]: Environment.Production,
          [c.endpoint]: "https://secure.logmeinrescue.com/API",
          [c.serviceUrl]: SERVICE_URL,
          [c.companyId]: "1234567",
          [c.ssoPassword]: SSO_PASSWORD,
          [c.modifiedOn]: "2026-11-30T10:00:00Z",
          ...options.configuration,
        };

  const calls: DataverseCall[] = [];
  const created: (Row & { id: string })[] = [];
  const failures = new Set<DataverseCall["operation"]>();
  const fail = (operation: DataverseCall["operation"]): Promise<never> | undefined => {
    if (!failures.delete(operation)) return undefined;
    return platformError(-2147220960, `Principal user is missing a privilege for ${operation}`);
  };
  const webApi = Xrm.WebApi;
  vi.spyOn(webApi, "retrieveMultipleRecords").mockImplementation(((entity: string, query?: string) => {
    calls.push({ operation: "retrieveMultipleRecords", entity, query });
    const failure = fail("retrieveMultipleRecords");
    if (failure) return failure;
    if (entity !== Configuration.entity || !configuration) return Promise.resolve({ entities: [] });
    const columns = selected(query);
    const row = columns.length === 0 ? { ...configuration } : Object.fromEntries(columns.filter((column) => column in configuration).map((column) => [column, configuration[column]]));
    return Promise.resolve({ entities: [row] });
  }) as unknown as typeof webApi.retrieveMultipleRecords);
  vi.spyOn(webApi, "retrieveRecord").mockImplementation(((entity: string, id: string, query?: string) => {
    calls.push({ operation: "retrieveRecord", entity, id, query });
    return fail("retrieveRecord") ?? platformError(-2147220969, `${entity} is not faked`);
  }) as unknown as typeof webApi.retrieveRecord);
  vi.spyOn(webApi, "createRecord").mockImplementation(((entity: string, data: Row) => {
    calls.push({ operation: "createRecord", entity, data });
    const failure = fail("createRecord");
    if (failure) return failure;
    const id = `0000aaaa-0000-4000-8000-${String(created.length + 1).padStart(12, "0")}`;
    if (entity === PinRequest.entity) created.push({ ...data, id });
    return Promise.resolve({ entityType: entity, id: `{${id.toUpperCase()}}` });
  }) as unknown as typeof webApi.createRecord);
  vi.spyOn(webApi, "updateRecord").mockImplementation(((entity: string, id: string, data: Row) => {
    calls.push({ operation: "updateRecord", entity, id, data });
    return fail("updateRecord") ?? Promise.resolve({ entityType: entity, id });
  }) as unknown as typeof webApi.updateRecord);

  return {
    ...fixture,
    form,
    calls,
    reads: () => calls.filter((call) => call.operation.startsWith("retrieve")),
    writes: () => calls.filter((call) => !call.operation.startsWith("retrieve")),
    pinRequests: () => created,
    notifications: () => (form.ui as unknown as { formNotifications?: Notification[] }).formNotifications ?? [],
    save,
    failNext: (operation) => failures.add(operation),
  };
}

/** The dialog calls xrm-mock recorded. */
export function navigation(): {
  navigateToCalls: { pageInput: Xrm.Navigation.PageInputHtmlWebResource; navigationOptions: Xrm.Navigation.NavigationOptions }[];
  errorDialogCalls: { errorOptions: Xrm.Navigation.ErrorDialogOptions }[];
  confirmDialogCalls: { confirmStrings: Xrm.Navigation.ConfirmStrings }[];
  formCalls: { entityFormOptions: Xrm.Navigation.EntityFormOptions }[];
} {
  return Xrm.Navigation as unknown as ReturnType<typeof navigation>;
}
