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
import type { Translator } from "../strings/translator";
import { loadXrmTranslator } from "../xrm/strings";

/** The strings, loaded once per page (for a user whose language has none, that takes one request). */
let strings: Promise<Translator> | undefined;

/** Runs `handler` with the strings and the organisation URL; a failure becomes a form notification (the form keeps working without the product's checks). Never rejects. */
async function run(executionContext: Xrm.Events.EventContext, handler: (form: Xrm.FormContext, deps: ConfigurationFormDeps) => void): Promise<void> {
  strings ??= loadXrmTranslator();
  const t = await strings;
  try {
    handler(executionContext.getFormContext(), { t, clientUrl: Xrm.Utility.getGlobalContext().getClientUrl() });
  } catch (error) {
    console.error("LogMeIn Rescue: configuration form script failed", error);
    try {
      executionContext.getFormContext().ui.setFormNotification(t("Config.Form.ScriptFailed", describeError(error)), "WARNING", "lmi.config.scriptfailed");
    } catch {
      // Nothing more to do: the form keeps working without the product's checks.
    }
  }
}

/** Form OnLoad: `LogMeInRescue.Configuration.Form.onLoad` (pass execution context). Never rejects. */
export function onLoad(executionContext: Xrm.Events.EventContext): Promise<void> {
  return run(executionContext, configurationFormOnLoad);
}

/** `lmi_environment` OnChange: `LogMeInRescue.Configuration.Form.onEnvironmentChange` (pass execution context). Never rejects. */
export function onEnvironmentChange(executionContext: Xrm.Events.EventContext): Promise<void> {
  return run(executionContext, configurationFormOnEnvironmentChange);
}
