/**
 * What the Case command hands the PIN dialog through `navigateTo`'s `data` (it ends up in the
 * dialog's query string): the PIN, the Case, the customer reference and when the PIN was made.
 * Never a secret (no auth code, no SSO data). The dialog validates everything it reads, because a
 * query string can be edited.
 */
import * as Incident from "../model/incident";
import { GUID_PATTERN } from "../common/guid";
import { truncateText } from "../common/text";

export type CustomerType = "contact" | "account";

/** True for the tables a Case's customer can be (`contact`, `account`). */
export function isCustomerType(value: unknown): value is CustomerType {
  return value === "contact" || value === "account";
}

export interface PinDialogData {
  pin: string;
  caseId: string;
  caseNumber: string;
  customer: { id: string; entityType: CustomerType } | null;
  /** ISO 8601 time the PIN was generated. */
  generatedAt: string;
}

const PIN = /^\d{6}$/;

export function encodePinDialogData(data: PinDialogData): string {
  const params = new URLSearchParams({ pin: data.pin, case: data.caseId, no: data.caseNumber, at: data.generatedAt });
  if (data.customer) {
    params.set("ct", data.customer.entityType);
    params.set("cid", data.customer.id);
  }
  return params.toString();
}

/** The dialog data, or null when the PIN or the Case id is missing or malformed. */
export function decodePinDialogData(encoded: string | null | undefined): PinDialogData | null {
  if (!encoded) return null;
  const params = new URLSearchParams(encoded);
  const pin = params.get("pin") ?? "";
  const caseId = (params.get("case") ?? "").toLowerCase();
  if (!PIN.test(pin) || !GUID_PATTERN.test(caseId)) return null;
  const entityType = params.get("ct");
  const customerId = (params.get("cid") ?? "").toLowerCase();
  const at = params.get("at") ?? "";
  return {
    pin,
    caseId,
    caseNumber: truncateText(params.get("no") ?? "", Incident.maxLength.ticketNumber),
    customer: isCustomerType(entityType) && GUID_PATTERN.test(customerId) ? { id: customerId, entityType } : null,
    generatedAt: Number.isNaN(Date.parse(at)) ? "" : at,
  };
}
