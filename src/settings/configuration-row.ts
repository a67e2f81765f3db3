/**
 * The organisation's LogMeIn configuration row (`lmi_configuration`): which row counts, and its
 * typed shape. Runtime-neutral: the PIN request (read), the configuration page and form (edit) and
 * the integration service (`src/service/configuration-options.ts`) all use it, so they always
 * agree on "the" configuration: the newest active row.
 *
 * The PIN request reads only the service URL (`loadActiveServiceUrl`): the browser never selects a
 * secured column (`lmi_ssopassword`), and the agent has no field security profile that could read it.
 */
import type { DataverseClient } from "../dataverse/client";
import { odataQuery, textOf, type Row } from "../dataverse/odata";
import * as Configuration from "../model/configuration";
import * as ConfigurationFields from "../model/configuration-fields";

export interface ConfigurationRow {
  id: string;
  name: string;
  environment: Configuration.EnvironmentValue | null;
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

/** Columns read for a configuration row (a function, so that a bundle without the page drops it). */
const configurationColumns = (): readonly string[] => [
  Configuration.primaryId,
  ConfigurationFields.name,
  ConfigurationFields.environment,
  ConfigurationFields.endpoint,
  ConfigurationFields.serviceUrl,
  ConfigurationFields.companyId,
  ConfigurationFields.ssoPassword,
  ConfigurationFields.dynamicsUrl,
  ConfigurationFields.tenantId,
  ConfigurationFields.requireActiveTechConsole,
  ConfigurationFields.closeTicketOnSessionEnd,
  ConfigurationFields.reassignCaseOnSessionStart,
  ConfigurationFields.doNotPassCField1,
  ConfigurationFields.modifiedOn,
];

/**
 * Which row is "the" configuration: the query for `columns` of the active rows, newest change
 * first. `top` 2 tells the caller whether there is more than one (the configuration page says so);
 * the PIN request and the service need only the first.
 */
export function activeConfigurationQuery(columns: readonly string[], top: number): string {
  return odataQuery({ select: columns, filter: `${ConfigurationFields.stateCode} eq 0`, orderby: `${ConfigurationFields.modifiedOn} desc`, top });
}

function flag(row: Row, column: string): boolean {
  return row[column] === true;
}

/** A Web API row → ConfigurationRow (text trimmed, missing text is "", unknown choice values are null; the password as stored). */
export function toConfigurationRow(row: Row): ConfigurationRow {
  const environment = row[ConfigurationFields.environment];
  const ssoPassword = row[ConfigurationFields.ssoPassword];
  const modifiedOn = row[ConfigurationFields.modifiedOn];
  return {
    id: textOf(row[Configuration.primaryId]),
    name: textOf(row[ConfigurationFields.name]),
    environment: typeof environment === "number" && (Object.values(Configuration.Environment) as number[]).includes(environment) ? (environment as Configuration.EnvironmentValue) : null,
    endpoint: textOf(row[ConfigurationFields.endpoint]),
    serviceUrl: textOf(row[ConfigurationFields.serviceUrl]),
    companyId: textOf(row[ConfigurationFields.companyId]),
    ssoPassword: typeof ssoPassword === "string" && ssoPassword !== "" ? ssoPassword : null,
    dynamicsUrl: textOf(row[ConfigurationFields.dynamicsUrl]),
    tenantId: textOf(row[ConfigurationFields.tenantId]),
    requireActiveTechConsole: flag(row, ConfigurationFields.requireActiveTechConsole),
    closeTicketOnSessionEnd: flag(row, ConfigurationFields.closeTicketOnSessionEnd),
    reassignCaseOnSessionStart: flag(row, ConfigurationFields.reassignCaseOnSessionStart),
    doNotPassCField1: flag(row, ConfigurationFields.doNotPassCField1),
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
  const [row] = await client.retrieveMultiple(Configuration.entity, activeConfigurationQuery([ConfigurationFields.serviceUrl], 1));
  return row ? textOf(row[ConfigurationFields.serviceUrl]) : null;
}
