/**
 * The configuration as the admin edits it on the page: what is shown when the page opens (a
 * stored row, or a new one with prefills), the field-by-field checks, and what Save sends.
 *
 * The stored SSO password never enters the draft: the draft knows only whether one is stored,
 * and carries a replacement the admin typed or the wish to clear it.
 */
import type { Row } from "../dataverse/odata";
import * as Configuration from "../model/configuration";
import { Environment } from "../model/configuration";
import type { ConfigurationRow } from "../settings/configuration-row";
import { DEFAULT_ENVIRONMENT, defaultEndpointFor, environmentForEndpoint } from "./environments";
import { checkCompanyId, checkDynamicsUrl, checkEndpoint, checkEnvironment, checkServiceUrl, checkSsoPassword, checkTenantId, organisationUrl, type ConfigurationField, type FieldCheck } from "./validation";

/** Name given to a configuration row the page creates. */
export const NEW_CONFIGURATION_NAME = "Default";

/**
 * The row's editable values (as `ConfigurationRow` types them: the service URL is the
 * integration service's root address), and instead of the stored password what to do with it.
 */
export type ConfigurationDraft = Pick<ConfigurationRow, "environment" | "endpoint" | "companyId" | "serviceUrl" | "dynamicsUrl" | "tenantId" | BooleanOption> & {
  /** A replacement password as typed; "" keeps the stored one. */
  newSsoPassword: string;
  /** Clear the stored password on save (wins over a typed replacement). */
  clearSsoPassword: boolean;
};

/** What the page knows about the stored row besides the editable values. */
export interface StoredConfiguration {
  /** null until the first save creates the row. */
  id: string | null;
  /** Whether a password is stored (as far as the reader may see: field security hides it). */
  hasSsoPassword: boolean;
}

export type BooleanOption = "requireActiveTechConsole" | "closeTicketOnSessionEnd" | "reassignCaseOnSessionStart" | "doNotPassCField1";

/** The four options in display order, with their columns and the RESX key prefix of their label (`.Label`) and help (`.Help`). */
export const BOOLEAN_OPTIONS: readonly { option: BooleanOption; column: string; textKey: string }[] = [
  { option: "requireActiveTechConsole", column: Configuration.fields.requireActiveTechConsole, textKey: "Config.Option.RequireActiveTechConsole" },
  { option: "closeTicketOnSessionEnd", column: Configuration.fields.closeTicketOnSessionEnd, textKey: "Config.Option.CloseTicketOnSessionEnd" },
  { option: "reassignCaseOnSessionStart", column: Configuration.fields.reassignCaseOnSessionStart, textKey: "Config.Option.ReassignCaseOnSessionStart" },
  { option: "doNotPassCField1", column: Configuration.fields.doNotPassCField1, textKey: "Config.Option.DoNotPassCField1" },
];

/**
 * The draft the page opens with. Without a row: Production with its endpoint, and the current
 * organisation's URL. With a row: its values; an empty endpoint is prefilled from the environment,
 * a missing environment is derived from the endpoint, an empty Dynamics URL is prefilled.
 */
export function draftFromRow(row: ConfigurationRow | null, clientUrl: string): ConfigurationDraft {
  const endpoint = row?.endpoint ?? "";
  const environment = row?.environment ?? (endpoint !== "" ? environmentForEndpoint(endpoint) : DEFAULT_ENVIRONMENT);
  const dynamicsUrl = row?.dynamicsUrl ?? "";
  return {
    environment,
    endpoint: endpoint !== "" ? endpoint : (defaultEndpointFor(environment) ?? ""),
    companyId: row?.companyId ?? "",
    newSsoPassword: "",
    clearSsoPassword: false,
    serviceUrl: row?.serviceUrl ?? "",
    dynamicsUrl: dynamicsUrl !== "" ? dynamicsUrl : organisationUrl(clientUrl),
    tenantId: row?.tenantId ?? "",
    requireActiveTechConsole: row?.requireActiveTechConsole ?? false,
    closeTicketOnSessionEnd: row?.closeTicketOnSessionEnd ?? false,
    reassignCaseOnSessionStart: row?.reassignCaseOnSessionStart ?? false,
    doNotPassCField1: row?.doNotPassCField1 ?? false,
  };
}

export function storedFromRow(row: ConfigurationRow | null): StoredConfiguration {
  return { id: row?.id ?? null, hasSsoPassword: row?.ssoPassword !== null && row?.ssoPassword !== undefined };
}

/** Whether a password will be stored once the draft is saved. */
export function ssoPasswordAfterSave(draft: ConfigurationDraft, stored: StoredConfiguration): boolean {
  if (draft.clearSsoPassword) return false;
  return draft.newSsoPassword !== "" || stored.hasSsoPassword;
}

export type DraftChecks = Record<ConfigurationField, FieldCheck<unknown>>;

/** Checks every field of the draft (`clientUrl`: the current organisation, see checkDynamicsUrl). */
export function checkDraft(draft: ConfigurationDraft, stored: StoredConfiguration, clientUrl?: string): DraftChecks {
  return {
    environment: checkEnvironment(draft.environment),
    endpoint: checkEndpoint(draft.endpoint),
    companyId: checkCompanyId(draft.companyId, ssoPasswordAfterSave(draft, stored)),
    ssoPassword: draft.clearSsoPassword ? { ok: true, value: "" } : checkSsoPassword(draft.newSsoPassword),
    serviceUrl: checkServiceUrl(draft.serviceUrl),
    dynamicsUrl: checkDynamicsUrl(draft.dynamicsUrl, clientUrl),
    tenantId: checkTenantId(draft.tenantId),
  };
}

/** The fields with rules, in their order on the page and the form (the first invalid one gets the focus). */
export const CONFIGURATION_FIELDS: readonly ConfigurationField[] = ["environment", "endpoint", "companyId", "ssoPassword", "serviceUrl", "dynamicsUrl", "tenantId"];

export function invalidFields(checks: DraftChecks): ConfigurationField[] {
  return CONFIGURATION_FIELDS.filter((field) => !checks[field].ok);
}

function emptyToNull(value: string): string | null {
  return value === "" ? null : value;
}

function checkedText(check: FieldCheck<unknown>): string {
  if (!check.ok || typeof check.value !== "string") throw new Error("draft not valid");
  return check.value;
}

/**
 * The Web API body Save sends: every editable column with the checked value (an empty company id
 * as null); the SSO password
 * only when the admin replaced it (the typed value) or cleared it (null); `lmi_name` only for a
 * new row. Throws when the draft has an invalid field (check it first).
 */
export function savePayload(draft: ConfigurationDraft, stored: StoredConfiguration, clientUrl?: string): Row {
  const checks = checkDraft(draft, stored, clientUrl);
  if (invalidFields(checks).length > 0) throw new Error("The configuration has invalid fields.");
  const f = Configuration.fields;
  const payload: Row = {
    [f.environment]: draft.environment ?? Environment.Custom,
    [f.endpoint]: checkedText(checks.endpoint),
    [f.companyId]: emptyToNull(checkedText(checks.companyId)),
    [f.serviceUrl]: checkedText(checks.serviceUrl),
    [f.dynamicsUrl]: checkedText(checks.dynamicsUrl),
    [f.tenantId]: checkedText(checks.tenantId),
  };
  for (const { option, column } of BOOLEAN_OPTIONS) payload[column] = draft[option];
  if (draft.clearSsoPassword) payload[f.ssoPassword] = null;
  else if (draft.newSsoPassword !== "") payload[f.ssoPassword] = draft.newSsoPassword;
  if (stored.id === null) payload[f.name] = NEW_CONFIGURATION_NAME;
  return payload;
}
