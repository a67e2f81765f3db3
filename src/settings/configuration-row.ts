/**
 * The organisation's LogMeIn configuration row (`lmi_configuration`): which row counts, and its
 * typed shape. Used by the PIN request (read) and by the configuration page and form (edit), so
 * both always agree on "the" configuration: the newest active row.
 *
 * The PIN request reads only the service URL (`loadActiveServiceUrl`): the browser never selects a
 * secured column (`lmi_ssopassword`), and the agent has no field security profile that could read it.
 */
import { textOf, type DataverseClient, type Row } from "../dataverse/client";
import { Configuration, Environment, type EnvironmentValue } from "../model/schema";

export interface ConfigurationRow {
  id: string;
  name: string;
  environment: EnvironmentValue | null;
  endpoint: string;
  /** `lmi_serviceurl` as stored ("" when not set). */
  serviceUrl: string;
  companyId: string;
  /** The company SSO password; null when the reader may not see it (field security) or none is set. */
  ssoPassword: string | null;
  dynamicsUrl: string;
  tenantId: string;
  requireActiveTechConsole: boolean;
  closeTicketOnSessionEnd: boolean;
  reassignCaseOnSessionStart: boolean;
  doNotPassCField1: boolean;
  modifiedOn: string | null;
}

const f = Configuration.fields;

/** Columns read for a configuration row (a function, so that a bundle without the page drops it). */
const configurationColumns = (): readonly string[] => [
  Configuration.primaryId,
  f.name,
  f.environment,
  f.endpoint,
  f.serviceUrl,
  f.companyId,
  f.ssoPassword,
  f.dynamicsUrl,
  f.tenantId,
  f.requireActiveTechConsole,
  f.closeTicketOnSessionEnd,
  f.reassignCaseOnSessionStart,
  f.doNotPassCField1,
  f.modifiedOn,
];

/**
 * OData query for `columns` of the active configuration rows, newest first. `top` 2 tells the
 * caller whether there is more than one (the configuration page says so); the PIN request needs
 * only the first.
 */
function activeConfigurationQuery(columns: readonly string[], top: number): string {
  return `?$select=${columns.join(",")}&$filter=${f.stateCode} eq 0&$orderby=${f.modifiedOn} desc&$top=${top}`;
}

function flag(row: Row, column: string): boolean {
  return row[column] === true;
}

/** A Web API row → ConfigurationRow (text trimmed, missing text is "", unknown choice values are null; the password as stored). */
function toConfigurationRow(row: Row): ConfigurationRow {
  const environment = row[f.environment];
  const ssoPassword = row[f.ssoPassword];
  const modifiedOn = row[f.modifiedOn];
  return {
    id: textOf(row[Configuration.primaryId]),
    name: textOf(row[f.name]),
    environment: typeof environment === "number" && (Object.values(Environment) as number[]).includes(environment) ? (environment as EnvironmentValue) : null,
    endpoint: textOf(row[f.endpoint]),
    serviceUrl: textOf(row[f.serviceUrl]),
    companyId: textOf(row[f.companyId]),
    ssoPassword: typeof ssoPassword === "string" && ssoPassword !== "" ? ssoPassword : null,
    dynamicsUrl: textOf(row[f.dynamicsUrl]),
    tenantId: textOf(row[f.tenantId]),
    requireActiveTechConsole: flag(row, f.requireActiveTechConsole),
    closeTicketOnSessionEnd: flag(row, f.closeTicketOnSessionEnd),
    reassignCaseOnSessionStart: flag(row, f.reassignCaseOnSessionStart),
    doNotPassCField1: flag(row, f.doNotPassCField1),
    modifiedOn: typeof modifiedOn === "string" ? modifiedOn : null,
  };
}

/** The active configuration rows, newest first (at most `top`). */
export async function loadActiveConfigurations(client: DataverseClient, top = 1): Promise<ConfigurationRow[]> {
  const rows = await client.retrieveMultiple(Configuration.entity, activeConfigurationQuery(configurationColumns(), top));
  return rows.map(toConfigurationRow);
}

/**
 * The newest active configuration's integration service URL, as stored ("" when it has none), or
 * null when there is no active configuration. One request that selects that one column only.
 */
export async function loadActiveServiceUrl(client: DataverseClient): Promise<string | null> {
  const [row] = await client.retrieveMultiple(Configuration.entity, activeConfigurationQuery([f.serviceUrl], 1));
  return row ? textOf(row[f.serviceUrl]) : null;
}
