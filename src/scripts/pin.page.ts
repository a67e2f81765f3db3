/**
 * `lmi_/scripts/pin.page.js` — global `LogMeInRescue.Pin.Page`: the script of the PIN dialog
 * (`lmi_/pages/pin.html`). It starts the page itself once the document is parsed, so the page needs
 * no inline script (Dataverse may enforce a Content-Security-Policy without 'unsafe-inline').
 * Page scripts may run on load; only ribbon and form libraries must be inert.
 */
import { startPinPage } from "../pages/pin/page";

/** Fills the dialog from its query string (`data` from the Case command). */
export function start(): void {
  startPinPage().catch((error: unknown) => {
    console.error("LogMeIn Rescue: the PIN dialog could not start", error);
  });
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start, { once: true });
else start();
