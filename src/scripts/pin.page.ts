/**
 * `lmi_/scripts/pin.page.js` — global `LogMeInRescue.Pin.Page`: the script of the PIN dialog
 * (`lmi_/pages/pin.html`, which calls `LogMeInRescue.Pin.Page.start()` once it has loaded this file).
 */
import { startPinPage } from "../pages/pin/page";

/** Fills the dialog from its query string (`data` from the Case command). */
export function start(): void {
  startPinPage().catch((error: unknown) => {
    console.error("LogMeIn Rescue: the PIN dialog could not start", error);
  });
}
