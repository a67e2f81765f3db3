/**
 * The columns of `lmi_pinrequest` that the product names; src/model/pin-request.ts has the table's
 * other facts and re-exports these as `PinRequest.fields`.
 *
 * Import it as a namespace (`import * as PinRequestFields from "../model/pin-request-fields"`): a web
 * resource bundle then carries only the names it reads.
 */
export const name = "lmi_name";
export const caseId = "lmi_caseid";
export const nonce = "lmi_nonce";
export const status = "lmi_status";
export const pinCode = "lmi_pincode";
export const result = "lmi_result";
export const createdOn = "createdon";
export const createdBy = "createdby";
export const ownerId = "ownerid";
