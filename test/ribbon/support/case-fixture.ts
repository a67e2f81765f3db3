/**
 * A saved Case open in xrm-mock, with Dataverse faked behind `Xrm.WebApi` spies (an in-memory
 * configuration row, the user's settings row, the Case and its customer) and every call counted.
 */
import { vi } from "vitest";
import { XrmMockGenerator, type FormContextMock } from "xrm-mock";
import { Configuration, Environment, UserSettings } from "../../../src/model/schema";
import { initXrm, type XrmFixture } from "../../helpers/xrm";

export const CASE_ID = "8b0c3c5e-1f2a-4d6b-9e7f-0a1b2c3d4e5f";
export const CONTACT_ID = "4f1e2d3c-5b6a-4789-8a9b-0c1d2e3f4a5b";
export const USER_ID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
export const SETTINGS_ID = "6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a098";
export const NEW_SETTINGS_ID = "11111111-2222-4333-8444-555555555555";
export const SSO_PASSWORD = "S3cret-SSO-Pa55word!";
export const STORED_AUTH_CODE = "stored-auth-code-5b2c81";
export const USER_EMAIL = "dana.agent@contoso.com";

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
  endpoint: string;
  /** Configuration columns to override; null: no configuration row. */
  configuration?: Row | null;
  /** User settings columns to override; null: the user has no row yet. */
  settings?: Row | null;
  userEmail?: string;
  customerName?: string;
  customerEmail?: string;
  /** The Case's number on the form (undefined: the column is not on the form). */
  ticketNumber?: string;
  /** The Case's "Email Address" on the form (undefined: not on the form). */
  formEmail?: string;
  dirty?: boolean;
  saveFails?: boolean;
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
  settingsRow(): Row | null;
  /** The form notifications xrm-mock recorded. */
  notifications(): Notification[];
  save: ReturnType<typeof vi.fn>;
  /** Makes the next Dataverse call of `operation` fail like the platform does. */
  failNext(operation: DataverseCall["operation"]): void;
}

export function openCase(options: CaseOptions): CaseFixture {
  const fixture = initXrm({ languageId: options.languageId ?? 1033, userId: `{${USER_ID.toUpperCase()}}`, entity: { entityName: "incident", id: `{${CASE_ID.toUpperCase()}}` }, formType: 2 });
  XrmMockGenerator.Attribute.createLookup("customerid", [{ id: `{${CONTACT_ID.toUpperCase()}}`, name: options.customerName ?? "Jan de Vries", entityType: "contact" }]);
  if (options.ticketNumber !== undefined) XrmMockGenerator.Attribute.createString("ticketnumber", options.ticketNumber);
  if (options.formEmail !== undefined) XrmMockGenerator.Attribute.createString("emailaddress", options.formEmail);
  XrmMockGenerator.Attribute.createOptionSet("statecode", 0);

  const form = fixture.formContext as FormContextMock & Xrm.FormContext;
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
          [c.environment]: Environment.Custom,
          [c.endpoint]: options.endpoint,
          [c.companyId]: "1234567",
          [c.ssoPassword]: SSO_PASSWORD,
          [c.requireActiveTechConsole]: false,
          [c.doNotPassCField1]: false,
          [c.modifiedOn]: "2026-11-30T10:00:00Z",
          ...options.configuration,
        };
  const u = UserSettings.fields;
  let settings: Row | null =
    options.settings === null
      ? null
      : { [UserSettings.primaryId]: SETTINGS_ID, [u.techId]: "4242", [u.ssoId]: "dana.sso", [u.authCode]: STORED_AUTH_CODE, ...options.settings };
  const caseRow: Row = {
    incidentid: CASE_ID,
    ticketnumber: "CAS-01001-Z8K4P2",
    emailaddress: null,
    customerid_contact: { contactid: CONTACT_ID, emailaddress1: options.customerEmail ?? "jan.devries@example.nl" },
    customerid_account: null,
  };

  const calls: DataverseCall[] = [];
  const failures = new Set<DataverseCall["operation"]>();
  const fail = (operation: DataverseCall["operation"]): Promise<never> | undefined => {
    if (!failures.delete(operation)) return undefined;
    return platformError(-2147220960, "Principal user is missing prvReadlmi_usersettings privilege");
  };
  const webApi = Xrm.WebApi;
  vi.spyOn(webApi, "retrieveMultipleRecords").mockImplementation(((entity: string, query?: string) => {
    calls.push({ operation: "retrieveMultipleRecords", entity, query });
    const failure = fail("retrieveMultipleRecords");
    if (failure) return failure;
    if (entity === Configuration.entity) return Promise.resolve({ entities: configuration ? [configuration] : [] });
    if (entity === UserSettings.entity) {
      return Promise.resolve({ entities: settings ? [{ ...settings, [UserSettings.userIdNavigation]: { internalemailaddress: options.userEmail ?? USER_EMAIL } }] : [] });
    }
    return Promise.resolve({ entities: [] });
  }) as unknown as typeof webApi.retrieveMultipleRecords);
  vi.spyOn(webApi, "retrieveRecord").mockImplementation(((entity: string, id: string, query?: string) => {
    calls.push({ operation: "retrieveRecord", entity, id, query });
    return fail("retrieveRecord") ?? (entity === "incident" ? Promise.resolve({ ...caseRow }) : platformError(-2147220969, `${entity} does not exist`));
  }) as unknown as typeof webApi.retrieveRecord);
  vi.spyOn(webApi, "createRecord").mockImplementation(((entity: string, data: Row) => {
    calls.push({ operation: "createRecord", entity, data });
    const failure = fail("createRecord");
    if (failure) return failure;
    if (entity === UserSettings.entity) settings = { [UserSettings.primaryId]: NEW_SETTINGS_ID, ...data };
    return Promise.resolve({ entityType: entity, id: `{${NEW_SETTINGS_ID.toUpperCase()}}` });
  }) as unknown as typeof webApi.createRecord);
  vi.spyOn(webApi, "updateRecord").mockImplementation(((entity: string, id: string, data: Row) => {
    calls.push({ operation: "updateRecord", entity, id, data });
    const failure = fail("updateRecord");
    if (failure) return failure;
    if (entity === UserSettings.entity && settings) settings = { ...settings, ...data };
    return Promise.resolve({ entityType: entity, id });
  }) as unknown as typeof webApi.updateRecord);

  return {
    ...fixture,
    form,
    calls,
    reads: () => calls.filter((call) => call.operation.startsWith("retrieve")),
    writes: () => calls.filter((call) => !call.operation.startsWith("retrieve")),
    settingsRow: () => settings,
    notifications: () => ((form.ui as unknown as { formNotifications?: Notification[] }).formNotifications ?? []),
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
