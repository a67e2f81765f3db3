/**
 * `lmi_/scripts/case.ribbon.js` — global `LogMeInRescue.Case.Ribbon`: the Case command bar's
 * Request PIN command (solution/Entities/Incident/RibbonDiff.xml, DESIGN.md §6).
 *
 * This library holds the enable rule, so the platform loads it with the Case form: it stays small
 * and loading it only defines the two functions. The flow itself is `lmi_/scripts/pin.request.js`
 * (`LogMeInRescue.Pin.Request`), which the platform loads when the command runs (the command's
 * first action); `requestPin` hands the click over to it (src/pin/handoff.ts).
 */
import { canRequestPinOn } from "../pin/enable";
import { handOffRequestPin } from "../pin/handoff";
import { findPinFlow } from "../xrm/pin-flow";
import { xrmErrorDialog } from "../xrm/pin-ui";
import { loadXrmTranslator } from "../xrm/strings";

/**
 * Command action: `LogMeInRescue.Case.Ribbon.requestPin`, library `$webresource:lmi_/scripts/case.ribbon.js`,
 * CrmParameter `PrimaryControl` (the Case form). Runs `LogMeInRescue.Pin.Request.requestPin`; says
 * so when that library is not loaded. Never rejects.
 */
export function requestPin(primaryControl: Xrm.FormContext): Promise<void> {
  return handOffRequestPin(primaryControl, { findFlow: () => findPinFlow(), strings: loadXrmTranslator, error: xrmErrorDialog });
}

/** Enable rule: `LogMeInRescue.Case.Ribbon.canRequestPin`, CrmParameter `PrimaryControl`. */
export function canRequestPin(primaryControl: Xrm.FormContext): boolean {
  return canRequestPinOn(primaryControl);
}
