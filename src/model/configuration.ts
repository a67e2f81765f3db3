/**
 * `lmi_configuration` — "LogMeIn Configuration": organisation-owned, one active row (DESIGN.md §5).
 *
 * Import it as a namespace (`import * as Configuration from "../model/configuration"`): a web
 * resource bundle then carries only the exports it reads. The build checks every fact here
 * against `solution/Entities/lmi_configuration/Entity.xml` (src/packaging/solution-tables.ts).
 */

export const entity = "lmi_configuration";
export const entitySet = "lmi_configurations";
export const primaryId = "lmi_configurationid";

/** The columns the product names (src/model/configuration-fields.ts). */
export * as fields from "./configuration-fields";

/** Longest text each text column takes, in UTF-16 code units (`MaxLength`). */
export const maxLength = {
  name: 100,
  endpoint: 400,
  serviceUrl: 400,
  companyId: 20,
  ssoPassword: 200,
  dynamicsUrl: 400,
  tenantId: 36,
} as const;

/** Choice `lmi_environment`. */
export const Environment = {
  Production: 645100000,
  Beta: 645100001,
  Custom: 645100002,
} as const;
export type EnvironmentValue = (typeof Environment)[keyof typeof Environment];

/** The choice columns and their values. */
export const choices = { environment: Environment } as const;
