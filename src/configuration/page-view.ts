/**
 * The configuration page's behaviour on its own HTML (`lmi_/pages/configuration.html`): load the
 * configuration row, show it, check fields as the admin types, save, show the Session Key status
 * and the setup checklist. Everything it needs from Dynamics comes in as `ConfigurationPageDeps`
 * (no `Xrm` here), so the page runs the same hosted, standalone and under test.
 *
 * The stored SSO password never reaches the DOM: the page only knows whether one is stored.
 */
import type { DataverseClient } from "../dataverse/client";
import type { EntityKeyState } from "../dataverse/entity-keys";
import { describeError } from "../errors";
import { copyText } from "../pages/clipboard";
import { Configuration, type EnvironmentValue } from "../model/schema";
import { loadActiveConfigurations, type ConfigurationRow } from "../settings/configuration-row";
import { languageTag, type Translator } from "../strings/translator";
import { buildChecklist, type ChecklistItem } from "./checklist";
import {
  BOOLEAN_OPTIONS,
  checkDraft,
  draftFromRow,
  invalidFields,
  savePayload,
  ssoPasswordAfterSave,
  storedFromRow,
  type BooleanOption,
  type ConfigurationDraft,
  type StoredConfiguration,
} from "./draft";
import { ENVIRONMENT_CHOICES, endpointAfterEnvironmentChange, isEnvironmentValue } from "./environments";
import { keyPanel } from "./key-status";
import { isRequiredProblem, organisationUrl, sameOrganisation, type ConfigurationField, type FieldCheck } from "./validation";

export interface SessionKeyApi {
  read(): Promise<EntityKeyState>;
  reactivate(): Promise<void>;
}

export interface ConfigurationPageDeps {
  doc: Document;
  t: Translator;
  /** The language the strings are in (sets `<html lang>`). */
  lcid: number;
  /** `getClientUrl()` of the organisation the admin is signed in to. */
  clientUrl: string;
  client: DataverseClient;
  sessionKey: SessionKeyApi;
}

type TextField = Exclude<ConfigurationField, "environment">;

/** Element id (prefix) of each text field; errors are `<id>-error`. */
const FIELD_IDS: Readonly<Record<TextField, string>> = {
  endpoint: "lmi-endpoint",
  companyId: "lmi-companyid",
  ssoPassword: "lmi-ssopassword",
  serviceUrl: "lmi-serviceurl",
  dynamicsUrl: "lmi-dynamicsurl",
  tenantId: "lmi-tenantid",
};

const OPTION_TEXT: Readonly<Record<BooleanOption, string>> = {
  requireActiveTechConsole: "Config.Option.RequireActiveTechConsole",
  closeTicketOnSessionEnd: "Config.Option.CloseTicketOnSessionEnd",
  reassignCaseOnSessionStart: "Config.Option.ReassignCaseOnSessionStart",
  doNotPassCField1: "Config.Option.DoNotPassCField1",
};

type MessageTone = "success" | "warning" | "error" | "info";

function optionId(option: BooleanOption): string {
  const column = BOOLEAN_OPTIONS.find((entry) => entry.option === option)?.column ?? option;
  return `lmi-option-${column}`;
}

function environmentRadioId(value: number): string {
  return `lmi-environment-${value}`;
}

/** Runs the page until it is loaded and ready for the admin. Never rejects. */
export async function runConfigurationPage(deps: ConfigurationPageDeps): Promise<void> {
  const { doc, t, clientUrl, client } = deps;

  function byId<T extends HTMLElement = HTMLElement>(id: string): T {
    const element = doc.getElementById(id);
    if (!element) throw new Error(`configuration.html: element #${id} is missing`);
    return element as T;
  }

  const main = byId("lmi-main");
  const loading = byId("lmi-loading");
  const pageMessages = byId("lmi-page-messages");
  const form = byId<HTMLFormElement>("lmi-config-form");
  const saveButton = byId<HTMLButtonElement>("lmi-save");
  const saveMessage = byId("lmi-save-message");
  const inputs = Object.fromEntries(Object.entries(FIELD_IDS).map(([field, id]) => [field, byId<HTMLInputElement>(id)])) as Record<TextField, HTMLInputElement>;
  const clearPassword = byId<HTMLInputElement>("lmi-ssopassword-clear");
  const clearPasswordRow = byId("lmi-ssopassword-clear-row");
  const passwordStatus = byId("lmi-ssopassword-status");
  const passwordHint = byId("lmi-ssopassword-hint");
  const dynamicsWarning = byId("lmi-dynamicsurl-warning");
  const dynamicsWarningText = byId("lmi-dynamicsurl-warning-text");
  const useCurrentUrl = byId<HTMLButtonElement>("lmi-dynamicsurl-use-current");
  const environmentChoices = byId("lmi-environment-choices");
  const environmentError = byId("lmi-environment-error");
  const optionsContainer = byId("lmi-options");
  const keySection = byId("lmi-key-section");
  const keyPanelElement = byId("lmi-key-panel");
  const keyStatus = byId("lmi-key-status");
  const keyExplanation = byId("lmi-key-explanation");
  const keyReactivate = byId<HTMLButtonElement>("lmi-key-reactivate");
  const keyRefresh = byId<HTMLButtonElement>("lmi-key-refresh");
  const keyMessage = byId("lmi-key-message");
  const checklistSection = byId("lmi-checklist-section");
  const checklist = byId("lmi-checklist");

  // ---- static text -------------------------------------------------------------------------
  doc.documentElement.lang = languageTag(deps.lcid);
  for (const element of Array.from(doc.querySelectorAll<HTMLElement>("[data-lmi-text]"))) {
    const key = element.dataset.lmiText;
    if (key) element.textContent = t(key);
  }
  doc.title = `${t("Config.Title")} – ${t("Common.ProductName")}`;

  /**
   * Shows a message bar in `container`. The save and key message containers are live regions
   * from the start (announced politely, errors assertively); load messages are page content.
   */
  function message(container: HTMLElement, tone: MessageTone, text: string, append = false): HTMLElement {
    if (container.hasAttribute("aria-live")) container.setAttribute("aria-live", tone === "error" ? "assertive" : "polite");
    if (!append) container.replaceChildren();
    const box = doc.createElement("div");
    box.className = `lmi-message lmi-message--${tone}`;
    if (tone === "error" && !container.hasAttribute("aria-live")) box.setAttribute("role", "alert");
    box.textContent = text;
    container.appendChild(box);
    return box;
  }

  // ---- environment radios and options -----------------------------------------------------------
  for (const choice of ENVIRONMENT_CHOICES) {
    const row = doc.createElement("div");
    row.className = "lmi-choice";
    const radio = doc.createElement("input");
    radio.type = "radio";
    radio.name = "lmi-environment";
    radio.id = environmentRadioId(choice.value);
    radio.value = String(choice.value);
    const label = doc.createElement("label");
    label.htmlFor = radio.id;
    label.textContent = t(choice.labelKey);
    row.append(radio, label);
    environmentChoices.appendChild(row);
  }
  const radios = Array.from(environmentChoices.querySelectorAll<HTMLInputElement>("input[type=radio]"));

  const optionInputs = {} as Record<BooleanOption, HTMLInputElement>;
  for (const { option } of BOOLEAN_OPTIONS) {
    const row = doc.createElement("div");
    row.className = "lmi-option";
    const box = doc.createElement("input");
    box.type = "checkbox";
    box.id = optionId(option);
    const label = doc.createElement("label");
    label.htmlFor = box.id;
    label.textContent = t(`${OPTION_TEXT[option]}.Label`);
    const help = doc.createElement("p");
    help.className = "lmi-hint";
    help.id = `${box.id}-help`;
    help.textContent = t(`${OPTION_TEXT[option]}.Help`);
    box.setAttribute("aria-describedby", help.id);
    row.append(box, label, help);
    optionsContainer.appendChild(row);
    optionInputs[option] = box;
  }

  // ---- session key panel (loads in parallel with the configuration) --------------------------------
  let keyBusy = false;
  async function refreshKey(): Promise<void> {
    keySection.hidden = false;
    keyPanelElement.dataset.lmiKeyState = "loading";
    keyStatus.textContent = t("Common.Loading");
    let state: EntityKeyState | { kind: "error"; detail: string };
    try {
      state = await deps.sessionKey.read();
    } catch (error) {
      console.error("LogMeIn Rescue: could not read the Session Key status", error);
      state = { kind: "error", detail: describeError(error) };
    }
    const panel = keyPanel(state);
    keyPanelElement.dataset.lmiTone = panel.tone;
    keyPanelElement.dataset.lmiKeyState = state.kind === "status" ? state.status : state.kind;
    keyStatus.textContent = t(panel.statusKey, ...panel.statusArgs);
    keyExplanation.textContent = t(panel.explanationKey, ...panel.explanationArgs);
    const hadFocus = doc.activeElement === keyReactivate;
    keyReactivate.hidden = !panel.canReactivate;
    if (hadFocus && keyReactivate.hidden) keyRefresh.focus();
  }

  async function reactivateKey(): Promise<void> {
    if (keyBusy) return;
    keyBusy = true;
    keyReactivate.setAttribute("aria-disabled", "true");
    message(keyMessage, "info", t("Config.Key.Reactivating"));
    try {
      await deps.sessionKey.reactivate();
      message(keyMessage, "success", t("Config.Key.Reactivated"));
    } catch (error) {
      console.error("LogMeIn Rescue: could not reactivate the Session Key", error);
      message(keyMessage, "error", t("Config.Key.ReactivateFailed", describeError(error)));
    } finally {
      keyReactivate.removeAttribute("aria-disabled");
      keyBusy = false;
    }
    await refreshKey();
  }

  keyReactivate.addEventListener("click", () => void reactivateKey());
  keyRefresh.addEventListener("click", () => {
    keyMessage.replaceChildren();
    void refreshKey();
  });
  const keyLoaded = refreshKey();

  // ---- load the configuration ----------------------------------------------------------------------
  function finishLoading(state: "ready" | "error"): void {
    loading.hidden = true;
    main.removeAttribute("aria-busy");
    doc.body.dataset.lmiState = state;
  }

  let rows: ConfigurationRow[];
  try {
    rows = await loadActiveConfigurations(client, 2);
  } catch (error) {
    console.error("LogMeIn Rescue: could not load the configuration", error);
    const box = message(pageMessages, "error", t("Config.Load.Failed", describeError(error)));
    const retry = doc.createElement("button");
    retry.type = "button";
    retry.className = "lmi-button lmi-config-retry";
    retry.textContent = t("Config.Load.Retry");
    retry.addEventListener("click", () => doc.defaultView?.location.reload());
    box.appendChild(doc.createElement("br"));
    box.appendChild(retry);
    finishLoading("error");
    await keyLoaded;
    return;
  }

  const row = rows[0] ?? null;
  const stored: StoredConfiguration = storedFromRow(row);
  const initial = draftFromRow(row, clientUrl);
  if (!row) message(pageMessages, "info", t("Config.Load.New"));
  if (rows.length > 1) message(pageMessages, "warning", t("Config.Load.Several"), true);

  // ---- draft ↔ inputs ------------------------------------------------------------------------------
  function selectedEnvironment(): EnvironmentValue | null {
    const value = Number(radios.find((radio) => radio.checked)?.value);
    return isEnvironmentValue(value) ? value : null;
  }

  function readDraft(): ConfigurationDraft {
    const draft: ConfigurationDraft = {
      environment: selectedEnvironment(),
      endpoint: inputs.endpoint.value,
      companyId: inputs.companyId.value,
      newSsoPassword: clearPassword.checked ? "" : inputs.ssoPassword.value,
      clearSsoPassword: stored.hasSsoPassword && clearPassword.checked,
      serviceUrl: inputs.serviceUrl.value,
      dynamicsUrl: inputs.dynamicsUrl.value,
      tenantId: inputs.tenantId.value,
      requireActiveTechConsole: false,
      closeTicketOnSessionEnd: false,
      reassignCaseOnSessionStart: false,
      doNotPassCField1: false,
    };
    for (const { option } of BOOLEAN_OPTIONS) draft[option] = optionInputs[option].checked;
    return draft;
  }

  for (const radio of radios) radio.checked = Number(radio.value) === initial.environment;
  inputs.endpoint.value = initial.endpoint;
  inputs.companyId.value = initial.companyId;
  inputs.ssoPassword.value = "";
  inputs.serviceUrl.value = initial.serviceUrl;
  inputs.dynamicsUrl.value = initial.dynamicsUrl;
  inputs.tenantId.value = initial.tenantId;
  for (const { option } of BOOLEAN_OPTIONS) optionInputs[option].checked = initial[option];

  function renderPassword(): void {
    passwordStatus.textContent = t(stored.hasSsoPassword ? "Config.SsoPassword.Stored" : "Config.SsoPassword.NotStored");
    passwordStatus.dataset.lmiPassword = stored.hasSsoPassword ? "set" : "unset";
    passwordHint.textContent = t(stored.hasSsoPassword ? "Config.SsoPassword.HintReplace" : "Config.SsoPassword.HintNew");
    clearPasswordRow.hidden = !stored.hasSsoPassword;
    if (!stored.hasSsoPassword) clearPassword.checked = false;
    inputs.ssoPassword.disabled = clearPassword.checked;
  }
  renderPassword();

  // ---- field checks ------------------------------------------------------------------------------
  /** Fields the admin has left once (or that opened with a value): checked on every keystroke. */
  const touched = new Set<ConfigurationField>();
  for (const field of Object.keys(FIELD_IDS) as TextField[]) if (inputs[field].value !== "") touched.add(field);

  function showCheck(field: ConfigurationField, check: FieldCheck<unknown>, showRequired: boolean): void {
    const text = !check.ok && (showRequired || !isRequiredProblem(check)) ? t(check.problem.key, ...check.problem.args) : "";
    if (field === "environment") {
      environmentError.textContent = text;
      return;
    }
    byId(`${FIELD_IDS[field]}-error`).textContent = text;
    if (text) inputs[field].setAttribute("aria-invalid", "true");
    else inputs[field].removeAttribute("aria-invalid");
  }

  function isShowingProblem(field: TextField): boolean {
    return inputs[field].getAttribute("aria-invalid") === "true";
  }

  function checkField(field: ConfigurationField, showRequired: boolean): FieldCheck<unknown> {
    const check = checkDraft(readDraft(), stored, clientUrl)[field];
    showCheck(field, check, showRequired);
    if (field === "dynamicsUrl") renderDynamicsWarning(check.ok);
    return check;
  }

  function renderDynamicsWarning(valid: boolean): void {
    const differs = valid && !sameOrganisation(inputs.dynamicsUrl.value, clientUrl);
    dynamicsWarning.hidden = !differs;
    dynamicsWarningText.textContent = differs ? t("Config.DynamicsUrl.Mismatch", organisationUrl(clientUrl)) : "";
  }

  function renderChecklist(): void {
    const draft = readDraft();
    const items = buildChecklist({ serviceUrl: draft.serviceUrl, dynamicsUrl: draft.dynamicsUrl, tenantId: draft.tenantId, clientUrl });
    checklist.replaceChildren(...items.map(renderChecklistItem));
    checklistSection.hidden = false;
  }

  for (const field of Object.keys(FIELD_IDS) as TextField[]) {
    const input = inputs[field];
    input.addEventListener("input", () => {
      if (touched.has(field) || isShowingProblem(field)) checkField(field, touched.has(field));
      else if (field === "dynamicsUrl") renderDynamicsWarning(checkDraft(readDraft(), stored, clientUrl).dynamicsUrl.ok);
      if (field === "ssoPassword") refreshCompanyId();
      if (field === "serviceUrl" || field === "dynamicsUrl" || field === "tenantId") renderChecklist();
    });
    input.addEventListener("change", () => {
      touched.add(field);
      checkField(field, true);
      if (field === "ssoPassword") refreshCompanyId();
    });
  }

  /** The company id becomes required with a password: re-check it when the password changes. */
  function refreshCompanyId(): void {
    if (touched.has("companyId") || isShowingProblem("companyId") || ssoPasswordAfterSave(readDraft(), stored)) {
      checkField("companyId", touched.has("companyId") || ssoPasswordAfterSave(readDraft(), stored));
    }
  }

  clearPassword.addEventListener("change", () => {
    if (clearPassword.checked) inputs.ssoPassword.value = "";
    inputs.ssoPassword.disabled = clearPassword.checked;
    checkField("ssoPassword", true);
    refreshCompanyId();
  });

  for (const radio of radios) {
    radio.addEventListener("change", () => {
      if (!radio.checked) return;
      inputs.endpoint.value = endpointAfterEnvironmentChange(Number(radio.value), inputs.endpoint.value);
      touched.add("endpoint");
      checkField("environment", true);
      checkField("endpoint", true);
    });
  }

  useCurrentUrl.addEventListener("click", () => {
    inputs.dynamicsUrl.value = organisationUrl(clientUrl);
    touched.add("dynamicsUrl");
    checkField("dynamicsUrl", true);
    renderChecklist();
    inputs.dynamicsUrl.focus();
  });

  // Values that came with the row are checked right away (an old row may hold a bad value).
  if (row) for (const field of ["environment", "endpoint", "companyId", "serviceUrl", "dynamicsUrl", "tenantId"] as const) checkField(field, false);
  else renderDynamicsWarning(checkDraft(readDraft(), stored, clientUrl).dynamicsUrl.ok);

  // ---- save ------------------------------------------------------------------------------------------
  let saving = false;
  async function save(): Promise<void> {
    if (saving) return;
    const draft = readDraft();
    const checks = checkDraft(draft, stored, clientUrl);
    for (const field of Object.keys(checks) as ConfigurationField[]) {
      touched.add(field);
      showCheck(field, checks[field], true);
    }
    renderDynamicsWarning(checks.dynamicsUrl.ok);
    const invalid = invalidFields(checks);
    if (invalid.length > 0) {
      message(saveMessage, "error", t(invalid.length === 1 ? "Config.Save.InvalidOne" : "Config.Save.Invalid", invalid.length));
      const first = invalid[0];
      if (first === "environment") (radios.find((radio) => radio.checked) ?? radios[0])?.focus();
      else if (first) inputs[first].focus();
      return;
    }
    saving = true;
    saveButton.setAttribute("aria-disabled", "true");
    form.setAttribute("aria-busy", "true");
    message(saveMessage, "info", t("Config.Save.Saving"));
    try {
      const payload = savePayload(draft, stored, clientUrl);
      if (stored.id === null) stored.id = await client.create(Configuration.entity, payload);
      else await client.update(Configuration.entity, stored.id, payload);
      stored.hasSsoPassword = ssoPasswordAfterSave(draft, stored);
      inputs.serviceUrl.value = String(payload[Configuration.fields.serviceUrl]); // as stored: the root, without a trailing slash
      inputs.ssoPassword.value = "";
      clearPassword.checked = false;
      renderPassword();
      pageMessages.replaceChildren();
      message(saveMessage, "success", t("Config.Save.Saved"));
    } catch (error) {
      console.error("LogMeIn Rescue: could not save the configuration", error);
      message(saveMessage, "error", t("Config.Save.Failed", describeError(error)));
    } finally {
      saving = false;
      saveButton.removeAttribute("aria-disabled");
      form.removeAttribute("aria-busy");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void save();
  });

  // ---- checklist ---------------------------------------------------------------------------------------
  const copyStatus = doc.createElement("p");
  copyStatus.className = "lmi-visually-hidden";
  copyStatus.setAttribute("aria-live", "polite");
  checklistSection.appendChild(copyStatus);

  async function copyValue(button: HTMLButtonElement, code: HTMLElement, label: string, value: string): Promise<void> {
    if (await copyText(value, doc)) {
      button.textContent = t("Common.Copied");
      copyStatus.textContent = t("Config.Checklist.CopiedValue", label);
      setTimeout(() => {
        button.textContent = t("Common.Copy");
      }, 2000);
      return;
    }
    const selection = doc.defaultView?.getSelection();
    const range = doc.createRange();
    range.selectNodeContents(code);
    selection?.removeAllRanges();
    selection?.addRange(range);
    copyStatus.textContent = t("Config.Checklist.CopyManual");
  }

  function renderChecklistItem(item: ChecklistItem): HTMLElement {
    const li = doc.createElement("li");
    li.id = `lmi-checklist-${item.id}`;
    const title = doc.createElement("h3");
    title.textContent = t(item.titleKey);
    const text = doc.createElement("p");
    text.textContent = t(item.textKey);
    li.append(title, text);
    const list = doc.createElement("dl");
    for (const value of item.values) {
      const label = t(value.labelKey);
      const row = doc.createElement("div");
      row.className = "lmi-copy-row";
      const dt = doc.createElement("dt");
      dt.textContent = label;
      const dd = doc.createElement("dd");
      if (value.value === "") {
        const missing = doc.createElement("span");
        missing.className = "lmi-missing-value";
        missing.textContent = t("Config.Checklist.NotEntered");
        dd.appendChild(missing);
      } else {
        const code = doc.createElement("code");
        code.textContent = value.value;
        dd.appendChild(code);
        if (value.complete) {
          const button = doc.createElement("button");
          button.type = "button";
          button.className = "lmi-button";
          button.textContent = t("Common.Copy");
          button.setAttribute("aria-label", t("Config.Checklist.CopyLabel", label));
          button.addEventListener("click", () => void copyValue(button, code, label, value.value));
          dd.appendChild(button);
        }
      }
      row.append(dt, dd);
      list.appendChild(row);
    }
    li.appendChild(list);
    for (const noteKey of item.noteKeys) {
      const note = doc.createElement("p");
      note.className = "lmi-hint";
      note.textContent = t(noteKey);
      li.appendChild(note);
    }
    if (item.link) {
      const link = doc.createElement("a");
      link.href = item.link.href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.textContent = t(item.link.labelKey);
      const p = doc.createElement("p");
      p.appendChild(link);
      li.appendChild(p);
    }
    return li;
  }

  renderChecklist();
  form.hidden = false;
  finishLoading("ready");
  await keyLoaded;
}
