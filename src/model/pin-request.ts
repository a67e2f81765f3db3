/**
 * `lmi_pinrequest` — "LogMeIn PIN Request": user-owned, one per Request PIN click (DESIGN.md §5,
 * §7): the agent's proof of identity to the integration service (Dataverse sets `createdby`; only
 * the creating browser knows the nonce) and the record of the outcome.
 *
 * Import it as a namespace (`import * as PinRequest from "../model/pin-request"`): a web resource
 * bundle then carries only the exports it reads. The build checks every fact here against
 * `solution/Entities/lmi_pinrequest/Entity.xml` and the relationships (src/packaging/solution-tables.ts).
 */

export const entity = "lmi_pinrequest";
export const entitySet = "lmi_pinrequests";
export const primaryId = "lmi_pinrequestid";

/** The columns the product names (src/model/pin-request-fields.ts). */
export * as fields from "./pin-request-fields";

/** Single-valued navigation property of `lmi_caseid`, for `@odata.bind` and `$expand`. */
export const caseIdNavigation = "lmi_caseid";
/** Single-valued navigation property of `createdby`, for `$expand`. */
export const createdByNavigation = "createdby";

/** Referential relationship Case 1:N LogMeIn PIN Request (on `lmi_caseid`). */
export const caseRelationship = "lmi_incident_lmi_pinrequest";

/** Longest text each text column takes, in UTF-16 code units (`MaxLength`). */
export const maxLength = {
  name: 100,
  nonce: 100,
  pinCode: 20,
  result: 100,
} as const;

/** Choice `lmi_status`. */
export const PinRequestStatus = {
  Requested: 645100000,
  Processing: 645100001,
  Issued: 645100002,
  Failed: 645100003,
} as const;
export type PinRequestStatusValue = (typeof PinRequestStatus)[keyof typeof PinRequestStatus];

/** The choice columns and their values. */
export const choices = { status: PinRequestStatus } as const;
