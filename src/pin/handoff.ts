/**
 * The Case command's hand-off from `case.ribbon.js` to the Request PIN flow in `pin.request.js`.
 *
 * `case.ribbon.js` is on the Case form's load path (it holds the enable rule), so it stays small;
 * the flow lives in `pin.request.js`, which the platform loads only when the command runs (the
 * command's first action, `LogMeInRescue.Pin.Request.load`). At the click the flow is looked up on
 * the global namespace and run. When it is not there (the command was customized without that
 * action), the agent is told so in their language and the console gets the technical detail.
 * Never rejects.
 */
import { describeError } from "../errors";
import type { Translator } from "../strings/translator";
import { PIN_NOTIFICATION_ID } from "./notification";

/** The flow's entry point: `LogMeInRescue.Pin.Request.requestPin` (never rejects by contract). */
export type RequestPinFlow = (primaryControl: Xrm.FormContext) => Promise<void>;

const FLOW_FUNCTION = "LogMeInRescue.Pin.Request.requestPin";
const FLOW_LIBRARY = "lmi_/scripts/pin.request.js";

/** What the console and the error dialog's details say when the flow library is not loaded. */
export const FLOW_MISSING_DETAIL =
  `${FLOW_FUNCTION} is not defined: the Request PIN command did not load ${FLOW_LIBRARY}. ` +
  `Its first action must be LogMeInRescue.Pin.Request.load from $webresource:${FLOW_LIBRARY}, before LogMeInRescue.Case.Ribbon.requestPin.`;

export interface HandOffDeps {
  /** The loaded flow, or null when its library is not in this window. */
  findFlow: () => RequestPinFlow | null;
  /** The strings, loaded only when there is something to say (never rejects). */
  strings: () => Promise<Translator>;
  /** The error dialog (message for the agent, technical details). */
  error: (message: string, details: string) => PromiseLike<unknown>;
}

export async function handOffRequestPin(form: Xrm.FormContext, { findFlow, strings, error }: HandOffDeps): Promise<void> {
  let messageKey: string;
  let detail: string;
  try {
    const flow = findFlow();
    if (flow) {
      await flow(form);
      return;
    }
    messageKey = "Ribbon.Error.flowNotLoaded";
    detail = FLOW_MISSING_DETAIL;
  } catch (failure) {
    // The flow promises never to reject: this is a flow library that does not match this one.
    messageKey = "Ribbon.Error.unexpected";
    detail = `${FLOW_FUNCTION} failed: ${describeError(failure)}`;
  }
  console.error(`LogMeIn Rescue: Request PIN failed: ${detail}`);
  try {
    const t = await strings();
    const message = t(messageKey);
    form.ui.setFormNotification(t("Ribbon.Notification", message), "ERROR", PIN_NOTIFICATION_ID);
    await error(message, detail);
  } catch (reportError) {
    console.warn(`LogMeIn Rescue: showing the failure: ${describeError(reportError)}`);
  }
}
