/**
 * The columns of `incident` that the product names; src/model/incident.ts has the table's
 * other facts and re-exports these as `Incident.fields`.
 *
 * Import it as a namespace (`import * as IncidentFields from "../model/incident-fields"`): a web
 * resource bundle then carries only the names it reads.
 */
export const title = "title";
export const ticketNumber = "ticketnumber";
export const customerId = "customerid";
export const ownerId = "ownerid";
export const stateCode = "statecode";
/** The Case's own "Email Address" column (filled by email-to-case). */
export const emailAddress = "emailaddress";
