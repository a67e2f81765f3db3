/**
 * The columns of `lmi_configuration` that the product names; src/model/configuration.ts has the table's
 * other facts and re-exports these as `Configuration.fields`.
 *
 * Import it as a namespace (`import * as ConfigurationFields from "../model/configuration-fields"`): a web
 * resource bundle then carries only the names it reads.
 */
export const name = "lmi_name";
export const environment = "lmi_environment";
/** The Rescue API base the integration service calls. */
export const endpoint = "lmi_endpoint";
/** "Integration service URL": the https root browsers call for PINs and Rescue posts to. */
export const serviceUrl = "lmi_serviceurl";
export const companyId = "lmi_companyid";
/** Secured: only the integration user and administrators read it. */
export const ssoPassword = "lmi_ssopassword";
export const dynamicsUrl = "lmi_dynamicsurl";
export const tenantId = "lmi_tenantid";
export const requireActiveTechConsole = "lmi_requireactivetechconsole";
export const closeTicketOnSessionEnd = "lmi_closeticketonsessionend";
export const reassignCaseOnSessionStart = "lmi_reassigncaseonsessionstart";
export const doNotPassCField1 = "lmi_donotpasscfield1";
export const stateCode = "statecode";
export const modifiedOn = "modifiedon";
