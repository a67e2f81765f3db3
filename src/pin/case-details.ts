/**
 * What the PIN request sends about the Case: its id, number, customer and the customer's email.
 * Taken from the open form where it is there (no request); otherwise one read of the Case with
 * its customer expanded fills in the rest.
 */
import { normalizeId, textOf, type DataverseClient, type Row } from "../dataverse/client";
import { Account, Contact, Incident } from "../model/schema";
import type { CustomerType } from "./dialog-data";

export interface CaseDetails {
  /** Lower case, without braces ("" on an unsaved form). */
  id: string;
  number: string;
  customer: { id: string; entityType: CustomerType; name: string } | null;
  /** The customer's email ("" when unknown). */
  email: string;
}

const fields = Incident.fields;
const nav = Incident.customerNavigation;

/** The Case as the form shows it; `number` and `email` are "" when those columns are not on the form. */
export function caseFromForm(form: Xrm.FormContext): CaseDetails {
  const customer = form.getAttribute<Xrm.Attributes.LookupAttribute>(fields.customerId)?.getValue()?.[0];
  const entityType = customer?.entityType;
  return {
    id: normalizeId(form.data.entity.getId()),
    number: textOf(form.getAttribute(fields.ticketNumber)?.getValue()),
    customer:
      customer && (entityType === Contact.entity || entityType === Account.entity)
        ? { id: normalizeId(customer.id), entityType, name: textOf(customer.name) }
        : null,
    email: textOf(form.getAttribute(fields.emailAddress)?.getValue()),
  };
}

/**
 * The Case details for a repeat click: what the form shows now, completed by what an earlier
 * request learnt about the same Case and customer (no request). Null when that request was for
 * another Case or customer.
 */
export function reuseCaseDetails(earlier: CaseDetails | undefined, fromForm: CaseDetails): CaseDetails | null {
  if (earlier?.id !== fromForm.id || earlier.customer?.id !== fromForm.customer?.id) return null;
  return { ...fromForm, number: fromForm.number || earlier.number, email: fromForm.email || earlier.email };
}

/** The OData query of the one Case read: its number, its email and its customer's email. */
const CASE_QUERY = `?$select=${fields.ticketNumber},${fields.emailAddress}&$expand=${nav.contact}($select=${Contact.fields.email}),${nav.account}($select=${Account.fields.email})`;

/**
 * Fills in what the form lacks (`wantEmail`: the email is sent in cfield1). Resolves without a
 * request when the form has it all.
 */
export async function completeCaseDetails(client: DataverseClient, details: CaseDetails, wantEmail: boolean): Promise<CaseDetails> {
  if (details.number && (details.email || !wantEmail || !details.customer)) return details;
  const row = await client.retrieve(Incident.entity, details.id, CASE_QUERY);
  const customer = (row[nav.contact] ?? row[nav.account]) as Row | null | undefined;
  return {
    ...details,
    number: details.number || textOf(row[fields.ticketNumber]),
    email: details.email || textOf(customer?.[Contact.fields.email]) || textOf(row[fields.emailAddress]),
  };
}
