/**
 * The Request PIN flow behind the Case command (DESIGN.md §7), with everything it touches passed
 * in, so that tests and the benchmark run the real logic against fakes.
 *
 * A session lives as long as the page. It caches the configuration, the user's settings and the
 * Case details after a successful request (a repeat click makes one request: Rescue's), runs one
 * request at a time, and forgets its caches after any failure so that a fix made meanwhile
 * (configuration, user settings) is seen on the next click. Secrets it sees (SSO password, auth
 * codes) are scrubbed from everything it logs or shows.
 */
import type { DataverseClient } from "../dataverse/client";
import { describeError } from "../errors";
import { UserSettings } from "../model/schema";
import { callRescue, type RescueMethod, type RescueTransport } from "../rescue/client";
import { parseReply, REPLY_VALUES } from "../rescue/replies";
import { RESCUE_FIELD_LIMITS as LIMIT, truncateText } from "../rescue/text";
import { loadActiveConfigurations, type ConfigurationRow } from "../settings/configuration-row";
import type { Translator } from "../strings/translator";
import { caseFromForm, completeCaseDetails, reuseCaseDetails, type CaseDetails } from "./case-details";
import { encodePinDialogData } from "./dialog-data";
import { PinError, rescueError, toPinError } from "./failures";
import { PIN_NOTIFICATION_ID } from "./notification";
import { createUserSettings, loadUserSettings, storeUserSettings, type UserSettingsRow } from "./user-settings";

/** Rescue allows one PIN per second: the one retry after POLLRATEEXCEEDED waits a little longer. */
const DEFAULT_POLL_RETRY_DELAY_MS = 1_100;

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
  rescue: RescueTransport;
  user: () => { id: string; name: string };
  t: Translator;
  ui: PinUi;
  /** Delay before the one retry after POLLRATEEXCEEDED (default 1.1 s). */
  pollRetryDelayMs?: number;
}

/** The command: obtains a PIN for the Case on `form` and opens the PIN dialog. Never rejects. */
export type RequestPin = (form: Xrm.FormContext) => Promise<void>;

export function createPinSession({ dataverse, rescue: transport, user: currentUser, t, ui, pollRetryDelayMs }: PinDeps): RequestPin {
  let configuration: ConfigurationRow | undefined;
  let settings: UserSettingsRow | undefined;
  let caseDetails: CaseDetails | undefined;
  let busy = false;
  const secrets = new Set<string>();
  const keep = (secret: string | null): void => {
    if (secret && secret.length > 3) secrets.add(secret);
  };
  const redact = (text: string): string => [...secrets].reduce((safe, secret) => safe.split(secret).join("***"), text);
  const warn = (what: string, error: unknown): void => console.warn(`LogMeIn Rescue: ${what}: ${redact(describeError(error))}`);
  const store = (row: UserSettingsRow, changes: { authCode?: string; techId?: string }): Promise<void> =>
    storeUserSettings(dataverse, row.id, changes).catch((error: unknown) => warn("storing the user settings", error));

  /** Calls a Rescue method and parses its reply: the value of an OK reply, or the failure word. */
  async function rescue(config: ConfigurationRow, method: RescueMethod, fields: Record<string, string>): Promise<string | { word: string }> {
    return parseReply(await callRescue(config.endpoint, method, fields, transport), REPLY_VALUES[method]);
  }

  /** The technician id from getAccount ("" when none); best effort, as a relay may not offer getAccount. */
  async function accountTechId(config: ConfigurationRow, authCode: string): Promise<string> {
    const reply = await rescue(config, "getAccount", { authcode: authCode }).catch((error: unknown) => ({ word: describeError(error) }));
    if (typeof reply === "string") return reply.replace(/^0+$/, "");
    warn("getAccount", reply.word);
    return "";
  }

  /** A new auth code from the company SSO settings (and the technician id if missing), stored. */
  async function newAuthCode(config: ConfigurationRow, row: UserSettingsRow): Promise<UserSettingsRow> {
    if (!config.companyId) throw new PinError("configIncomplete", undefined, [t("Ribbon.Field.companyId")]);
    if (!config.ssoPassword) throw new PinError("ssoPasswordUnavailable");
    const ssoId = row.ssoId || row.userEmail;
    if (!ssoId) throw new PinError("ssoIdMissing");
    const authCode = await rescue(config, "requestAuthCodeSSO", { ssoid: ssoId, pwd: config.ssoPassword, company: config.companyId });
    if (typeof authCode !== "string") throw rescueError(t, "requestAuthCodeSSO", authCode.word, row.ssoId ? "" : ssoId);
    keep(authCode);
    const techId = row.techId || (await accountTechId(config, authCode));
    await store(row, { authCode, techId: techId === row.techId ? "" : techId });
    return { ...row, authCode, techId };
  }

  async function obtainPin(form: Xrm.FormContext): Promise<string> {
    if (form.data.getIsDirty()) {
      try {
        await form.data.save();
      } catch (error) {
        throw new PinError("notSaved", describeError(error));
      }
    }
    const fromForm = caseFromForm(form);
    if (!fromForm.id) throw new PinError("notSaved");
    const user = currentUser();

    // The reads run in parallel (their failures are all Dataverse errors); a configuration
    // problem is reported first, as it explains the others.
    const [config, found, details] = await Promise.all([
      configuration ?? loadActiveConfigurations(dataverse).then((rows) => rows[0]),
      settings ?? loadUserSettings(dataverse, user.id),
      reuseCaseDetails(caseDetails, fromForm) ?? completeCaseDetails(dataverse, fromForm, !configuration?.doNotPassCField1),
    ]);
    if (!config) throw new PinError("notConfigured");
    keep(config.ssoPassword);
    if (!config.endpoint) throw new PinError("configIncomplete", undefined, [t("Ribbon.Field.endpoint")]);
    if (!found) {
      const id = await createUserSettings(dataverse, user);
      throw new PinError("userSettingsCreated", `created ${UserSettings.entity} ${id}`, [`${t("Ribbon.Field.techId")}, ${t("Ribbon.Field.ssoId")}`], id);
    }
    let row = found;
    keep(row.authCode);

    let renewed = !row.authCode;
    if (renewed) row = await newAuthCode(config, row);

    for (let pollRetried = false; ; ) {
      const pin = await rescue(config, "requestPINCode", {
        cfield0: truncateText(details.customer?.name ?? "", LIMIT.cfield0),
        cfield1: config.doNotPassCField1 ? "" : truncateText(details.email, LIMIT.cfield1),
        cfield2: truncateText(details.number, LIMIT.cfield2),
        tracking0: truncateText(details.id, LIMIT.tracking0),
        notechconsole: config.requireActiveTechConsole ? "0" : "1",
        authcode: row.authCode,
        ...(row.techId && { NodeId: row.techId }),
      });
      if (typeof pin === "string") {
        configuration = config;
        settings = row;
        caseDetails = details;
        return encodePinDialogData({ pin, caseId: details.id, caseNumber: details.number, customer: details.customer, generatedAt: new Date().toISOString() });
      }
      if (pin.word === "INVALID_SECRETAUTHCODE" && !renewed) {
        row = await newAuthCode(config, row);
        renewed = true;
      } else if (pin.word === "POLLRATEEXCEEDED" && !pollRetried) {
        pollRetried = true;
        await new Promise((resolve) => setTimeout(resolve, pollRetryDelayMs ?? DEFAULT_POLL_RETRY_DELAY_MS));
      } else throw rescueError(t, "requestPINCode", pin.word);
    }
  }

  async function report(form: Xrm.FormContext, caught: unknown): Promise<void> {
    configuration = settings = caseDetails = undefined;
    const error = toPinError(caught);
    const message = redact(t(error.key, ...error.args));
    const detail = redact(error.message);
    console.error(`LogMeIn Rescue: Request PIN failed: ${detail}`);
    form.ui.setFormNotification(t("Ribbon.Notification", message), error.settingsId ? "WARNING" : "ERROR", PIN_NOTIFICATION_ID);
    if (!error.settingsId) await ui.error(message, detail);
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
      await report(form, error).catch((reportError: unknown) => warn("showing the failure", reportError));
    } finally {
      busy = false;
    }
  };
}
