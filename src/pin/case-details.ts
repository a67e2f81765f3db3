/**
 * What the Request PIN click takes from the open Case form, without a request: the Case id, its
 * number (for the PIN request's name and the dialog) and the customer reference (for the dialog's
 * email draft). The integration service reads the rest of the Case itself.
 */
import { textOf } from "../dataverse/odata";
import * as IncidentFields from "../model/incident-fields";
import { normalizeId } from "../common/guid";
import { isCustomerType, type CustomerType } from "./dialog-data";

export interface CaseDetails {
  /** Lower case, without braces ("" on an unsaved form). */
  id: string;
  /** The Case number ("" when the column is not on the form). */
  number: string;
  /** The Case title ("" when not on the form): names the PIN request when the number is missing. */
  title: string;
  customer: { id: string; entityType: CustomerType } | null;
}

/** The Case as the form shows it. */
export function caseFromForm(form: Xrm.FormContext): CaseDetails {
  const customer = form.getAttribute<Xrm.Attributes.LookupAttribute>(IncidentFields.customerId)?.getValue()?.[0];
  const entityType = customer?.entityType;
  return {
    id: normalizeId(form.data.entity.getId()),
    number: textOf(form.getAttribute(IncidentFields.ticketNumber)?.getValue()),
    title: textOf(form.getAttribute(IncidentFields.title)?.getValue()),
    customer: customer && isCustomerType(entityType) ? { id: normalizeId(customer.id), entityType } : null,
  };
}
