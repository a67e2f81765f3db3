/** The Request PIN command's enable rule: a saved, active Case (no request, answers at once). */
import * as Incident from "../model/incident";
import * as IncidentFields from "../model/incident-fields";
import { FormType } from "../xrm/form-type";

export function canRequestPinOn(form: Xrm.FormContext | null | undefined): boolean {
  const formType = form?.ui?.getFormType() as number | undefined;
  if (!form?.data?.entity || formType === FormType.Create || formType === FormType.BulkEdit || !form.data.entity.getId()) return false;
  const state: unknown = form.getAttribute(IncidentFields.stateCode)?.getValue();
  return state === null || state === undefined || state === Incident.state.Active;
}
