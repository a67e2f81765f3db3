/**
 * The Request PIN flow behind the Case command (DESIGN.md §7, browser side), with everything it
 * touches passed in, so that tests and the benchmark run the real logic against fakes.
 *
 * Per click: the configuration's integration service URL (read once and cached for the page; the
 * only column read), a new `lmi_pinrequest` row for the Case with a fresh nonce, and one
 * `POST <service>/api/pin`. The service, as the integration's application user, does everything
 * that needs a secret (the company SSO password, the agent's auth code) and calls Rescue; the
 * browser never sees either. Steady state: 1 Dataverse create + 1 service call per click.
 *
 * A session lives as long as the page. It runs one request at a time and forgets the cached
 * service URL after any failure, so that a fix made meanwhile is seen on the next click.
 */
import type { DataverseClient } from "../dataverse/client";
import { describeError } from "../errors";
import * as UserSettings from "../model/user-settings";
import { loadActiveServiceUrl } from "../settings/configuration-row";
import { serviceRoot } from "../settings/service-url";
import type { Translator } from "../strings/translator";
import { askServiceForPin, type BrokerTransport } from "./broker-client";
import { caseFromForm } from "./case-details";
import { encodePinDialogData } from "./dialog-data";
import { brokerFailureError, PinError, toPinError } from "./failures";
import { createNonce, type RandomBytes } from "./nonce";
import { PIN_NOTIFICATION_ID } from "./notification";
import { createPinRequest, pinRequestName } from "./pin-request-row";

/** The Client API surface the flow uses (src/xrm/pin-ui.ts in Dynamics, fakes in tests). */
export interface PinUi {
  /** Shows the progress indicator with `message`; closes it when called without one. */
  progress(message?: string): void;
  error(message: string, details: string): PromiseLike<unknown>;
  /** Resolves to true when the user chose the confirm button. */
  confirm(title: string, text: string, confirmLabel: string): PromiseLike<boolean>;
  openRecord(entity: string, id: string): PromiseLike<unknown>;
  /** Opens the PIN dialog with its encoded data. */
  openPinDialog(data: string, title: string): PromiseLike<unknown>;
}

export interface PinDeps {
  dataverse: DataverseClient;
  /** How the integration service is called (the browser's `fetch`). */
  service: BrokerTransport;
  /** This page's origin (the Dynamics organisation), named in the CORS message for the admin. */
  origin: () => string;
  /** `crypto.getRandomValues` in the browser: the nonce's random source. */
  randomBytes: RandomBytes;
  t: Translator;
  ui: PinUi;
  /** The clock for the PIN request's name and the dialog's time (default: now). */
  now?: () => Date;
}

/** The command: obtains a PIN for the Case on `form` and opens the PIN dialog. Never rejects. */
export type RequestPin = (form: Xrm.FormContext) => Promise<void>;

export function createPinSession({ dataverse, service, origin, randomBytes, t, ui, now = () => new Date() }: PinDeps): RequestPin {
  let root: string | undefined;
  let busy = false;

  /** The service root from the configuration: read once per page (one request, one column). */
  async function serviceRootOfConfiguration(): Promise<string> {
    const stored = await loadActiveServiceUrl(dataverse);
    if (stored === null) throw new PinError("NOT_CONFIGURED", "no active lmi_configuration row");
    if (stored === "") throw new PinError("serviceUrlMissing", "lmi_configuration has no lmi_serviceurl");
    const parsed = serviceRoot(stored);
    if (parsed) return parsed;
    const shown = stored.replace(/\/\/[^/@]*@/, "//***@"); // never echo credentials someone put into the URL
    throw new PinError("serviceUrlInvalid", `lmi_serviceurl is not an https root address: ${shown}`, [shown]);
  }

  async function obtainPin(form: Xrm.FormContext): Promise<string> {
    if (form.data.getIsDirty()) {
      try {
        await form.data.save();
      } catch (error) {
        throw new PinError("notSaved", describeError(error));
      }
    }
    const details = caseFromForm(form);
    if (!details.id) throw new PinError("notSaved");

    root ??= await serviceRootOfConfiguration();
    const nonce = createNonce(randomBytes);
    const requestId = await createPinRequest(dataverse, { caseId: details.id, name: pinRequestName(details.number || details.title, now()), nonce });
    const answer = await askServiceForPin(root, { requestId, nonce }, service, { origin: origin() });
    if (!answer.ok) throw brokerFailureError(t, answer.failure, answer.status, { origin: origin() });
    const { pin, caseNumber, customer } = answer.success;
    return encodePinDialogData({ pin, caseId: details.id, caseNumber: caseNumber || details.number, customer: customer ?? details.customer, generatedAt: now().toISOString() });
  }

  async function report(form: Xrm.FormContext, caught: unknown): Promise<void> {
    root = undefined;
    const error = toPinError(caught);
    const message = t(error.key, ...error.args);
    console.error(`LogMeIn Rescue: Request PIN failed: ${error.message}`);
    form.ui.setFormNotification(t("Ribbon.Notification", message), error.settingsId ? "WARNING" : "ERROR", PIN_NOTIFICATION_ID);
    if (!error.settingsId) await ui.error(message, error.message);
    else if (await ui.confirm(t("Ribbon.UserSettings.Title"), message, t("Ribbon.UserSettings.Open"))) await ui.openRecord(UserSettings.entity, error.settingsId);
  }

  return async (form) => {
    if (busy) return;
    busy = true;
    try {
      form.ui.clearFormNotification(PIN_NOTIFICATION_ID);
      ui.progress(t("Ribbon.Progress"));
      let data: string;
      try {
        data = await obtainPin(form);
      } finally {
        ui.progress();
      }
      await ui.openPinDialog(data, t("Ribbon.Dialog.Title"));
    } catch (error) {
      await report(form, error).catch((reportError: unknown) => console.warn(`LogMeIn Rescue: showing the failure: ${describeError(reportError)}`));
    } finally {
      busy = false;
    }
  };
}
