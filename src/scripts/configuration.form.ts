/**
 * `lmi_/scripts/configuration.form.js` — global `LogMeInRescue.Configuration.Form`, registered on
 * the LogMeIn Configuration main form (pass execution context as first parameter):
 *
 * - form OnLoad → `LogMeInRescue.Configuration.Form.onLoad`
 * - `lmi_environment` OnChange → `LogMeInRescue.Configuration.Form.onEnvironmentChange`
 *
 * Thin edge: read the form context and the Client API values here, do the work in
 * src/configuration/form.ts. Nothing runs when the script loads.
 */
import { configurationFormOnEnvironmentChange, configurationFormOnLoad, type ConfigurationFormDeps } from "../configuration/form";
import { describeError } from "../errors";
import { xrmTranslator } from "../xrm/strings";

function deps(): ConfigurationFormDeps {
  return { t: xrmTranslator(), clientUrl: Xrm.Utility.getGlobalContext().getClientUrl() };
}

function reportFailure(executionContext: Xrm.Events.EventContext, error: unknown): void {
  console.error("LogMeIn Rescue: configuration form script failed", error);
  try {
    const t = xrmTranslator();
    executionContext.getFormContext().ui.setFormNotification(t("Config.Form.ScriptFailed", describeError(error)), "WARNING", "lmi.config.scriptfailed");
  } catch {
    // Nothing more to do: the form keeps working without the product's checks.
  }
}

/** Form OnLoad: `LogMeInRescue.Configuration.Form.onLoad` (pass execution context). */
export function onLoad(executionContext: Xrm.Events.EventContext): void {
  try {
    configurationFormOnLoad(executionContext.getFormContext(), deps());
  } catch (error) {
    reportFailure(executionContext, error);
  }
}

/** `lmi_environment` OnChange: `LogMeInRescue.Configuration.Form.onEnvironmentChange` (pass execution context). */
export function onEnvironmentChange(executionContext: Xrm.Events.EventContext): void {
  try {
    configurationFormOnEnvironmentChange(executionContext.getFormContext(), deps());
  } catch (error) {
    reportFailure(executionContext, error);
  }
}
