/**
 * `lmi_/scripts/case.ribbon.js` — global `LogMeInRescue.Case.Ribbon`: the Case command bar's
 * Request PIN command (solution/Entities/Incident/RibbonDiff.xml). Loading this file only defines
 * the two functions; the first click builds the session that lives as long as the page.
 */
import { canRequestPinOn } from "../pin/enable";
import { createPinSession, type RequestPin } from "../pin/session";
import { xrmPinUi } from "../xrm/pin-ui";
import { xrmTranslator } from "../xrm/strings";
import { xrmDataverseClient } from "../xrm/web-api";

let session: RequestPin | undefined;

/**
 * Command action: `LogMeInRescue.Case.Ribbon.requestPin`, library `$webresource:lmi_/scripts/case.ribbon.js`,
 * CrmParameter `PrimaryControl` (the Case form).
 */
export function requestPin(primaryControl: Xrm.FormContext): Promise<void> {
  session ??= createPinSession({
    dataverse: xrmDataverseClient(Xrm.WebApi),
    rescue: { fetch: (input, init) => fetch(input, init) },
    user: () => {
      const { userId, userName } = Xrm.Utility.getGlobalContext().userSettings;
      return { id: userId, name: userName };
    },
    t: xrmTranslator(),
    ui: xrmPinUi("lmi_/pages/pin.html"),
  });
  return session(primaryControl);
}

/** Enable rule: `LogMeInRescue.Case.Ribbon.canRequestPin`, CrmParameter `PrimaryControl`. */
export function canRequestPin(primaryControl: Xrm.FormContext): boolean {
  return canRequestPinOn(primaryControl);
}
