/** A stored configuration row as `loadActiveConfigurations` returns it, for the draft and page state tests. */
import { BETA_ENDPOINT } from "../../../src/configuration/environments";
import { Environment } from "../../../src/model/schema";
import type { ConfigurationRow } from "../../../src/settings/configuration-row";

export const ORGANISATION_URL = "https://contoso.crm4.dynamics.com";
export const TENANT = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
export const SERVICE_URL = "https://integration.contoso.com";
export const ROW_ID = "9a1b2c3d-0000-4000-8000-000000000001";
/** The row's SSO password, which no draft or page state may hold. */
export const STORED_PASSWORD = "stored-secret";

/** Beta, every field filled in, a password stored, two options on. */
export function configurationRow(overrides: Partial<ConfigurationRow> = {}): ConfigurationRow {
  return {
    id: ROW_ID,
    name: "Default",
    environment: Environment.Beta,
    endpoint: BETA_ENDPOINT,
    serviceUrl: SERVICE_URL,
    companyId: "123456",
    ssoPassword: STORED_PASSWORD,
    dynamicsUrl: ORGANISATION_URL,
    tenantId: TENANT,
    requireActiveTechConsole: true,
    closeTicketOnSessionEnd: false,
    reassignCaseOnSessionStart: true,
    doNotPassCField1: false,
    modifiedOn: "2024-05-01T10:00:00Z",
    ...overrides,
  };
}
