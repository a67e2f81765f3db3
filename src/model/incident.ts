/**
 * The standard Case table (`incident`): the columns the product reads or writes.
 *
 * Import it as a namespace (`import * as Incident from "../model/incident"`): a web resource
 * bundle then carries only the exports it reads. A standard table: not in `solution/`.
 */

export const entity = "incident";
export const entitySet = "incidents";
export const primaryId = "incidentid";

/** The columns the product names (src/model/incident-fields.ts). */
export * as fields from "./incident-fields";

/** Single-valued navigation properties of the polymorphic `customerid`, for `$expand`. */
export const customerNavigation = { contact: "customerid_contact", account: "customerid_account" } as const;

/** Longest text of the standard columns the product cuts (their `MaxLength` in Dataverse; not in `solution/`). */
export const maxLength = { ticketNumber: 100 } as const;

/** `statecode` values. */
export const state = { Active: 0, Resolved: 1, Cancelled: 2 } as const;

/** `statuscode` used when the service resolves a Case ("Problem Solved"). */
export const resolvedStatus = 5;
