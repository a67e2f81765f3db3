/** The Request PIN command's enable rule: a saved, active Case (no request, answers at once). */
import { Incident } from "../model/schema";

/** `formContext.ui.getFormType()` values that are not a saved record (`XrmEnum` does not survive bundling). */
const FORM_TYPE_CREATE = 1;
const FORM_TYPE_BULK_EDIT = 6;

export function canRequestPinOn(form: Xrm.FormContext | null | undefined): boolean {
  const formType = form?.ui?.getFormType() as number | undefined;
  if (!form?.data?.entity || formType === FORM_TYPE_CREATE || formType === FORM_TYPE_BULK_EDIT || !form.data.entity.getId()) return false;
  const state: unknown = form.getAttribute(Incident.fields.stateCode)?.getValue();
  return state === null || state === undefined || state === Incident.state.Active;
}
