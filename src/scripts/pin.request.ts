/**
 * `lmi_/scripts/pin.request.js` — global `LogMeInRescue.Pin.Request`: the Request PIN flow of the
 * Case command (DESIGN.md §7). Loaded by the platform only when the command runs (its first action,
 * `load`), so the Case form's load path carries only the small `case.ribbon.js`, whose `requestPin`
 * hands the click over to `requestPin` here. Loading this file only defines the two functions; the
 * first click builds the session that lives as long as the page.
 *
 * It holds no Rescue client and no secret: it records a PIN request in Dataverse and asks the
 * integration service for the PIN (src/pin/session.ts).
 */
import { createPinSession, type RequestPin } from "../pin/session";
import { xrmPinUi } from "../xrm/pin-ui";
import { loadXrmTranslator } from "../xrm/strings";
import { xrmDataverseClient } from "../xrm/web-api";

let session: Promise<RequestPin> | undefined;

/**
 * Command action: `LogMeInRescue.Pin.Request.load`, library `$webresource:lmi_/scripts/pin.request.js`,
 * the first action of the Request PIN command. It does nothing: it exists only so that the command
 * names this library, which makes the platform load it when the command runs, before the next
 * action (`LogMeInRescue.Case.Ribbon.requestPin`) looks for `requestPin` below.
 */
export function load(): void {
  // Intentionally empty: loading this library is the whole effect.
}

/**
 * The flow: obtains a PIN for the Case on `primaryControl` and opens the PIN dialog; every failure
 * ends in a message for the agent. One request at a time per page. Never rejects. Called by
 * `LogMeInRescue.Case.Ribbon.requestPin`, not registered on the command itself.
 */
export function requestPin(primaryControl: Xrm.FormContext): Promise<void> {
  session ??= loadXrmTranslator().then((t) =>
    createPinSession({
      dataverse: xrmDataverseClient(Xrm.WebApi),
      service: { fetch: (input, init) => fetch(input, init) },
      origin: () => globalThis.location?.origin ?? "",
      randomBytes: (bytes) => crypto.getRandomValues(bytes),
      t,
      ui: xrmPinUi("lmi_/pages/pin.html"),
    }),
  );
  return session.then((run) => run(primaryControl));
}
