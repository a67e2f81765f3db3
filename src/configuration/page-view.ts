/**
 * The configuration page on its own HTML (`lmi_/pages/configuration.html`): panels drawn from
 * the one page state (`page-state.ts`) — the page frame, the fields, Save, the Session Key and the
 * setup checklist. Each panel turns what the admin does into an event and draws itself from the
 * state after every event; `runConfigurationPage` holds the state and runs what an event asks of
 * Dynamics (load, save, read and reactivate the key). Everything it needs from Dynamics comes in
 * as `ConfigurationPageDeps` (no `Xrm` here), so the page runs the same hosted, standalone and
 * under test.
 *
 * The stored SSO password never reaches the DOM: the page only knows whether one is stored.
 */
import type { DataverseClient } from "../dataverse/client";
import type { EntityKeyState } from "../dataverse/entity-keys";
import { describeError } from "../errors";
import * as Configuration from "../model/configuration";
import { copyText } from "../pages/clipboard";
import { createElement, requireElement, setFlag, setText } from "../pages/dom";
import { loadActiveConfigurations, type ConfigurationRow } from "../settings/configuration-row";
import { languageTag, type Translator } from "../strings/translator";
import type { ChecklistItem, ChecklistValue } from "./checklist";
import { BOOLEAN_OPTIONS, savePayload } from "./draft";
import { ENVIRONMENT_CHOICES } from "./environments";
import { keyPanel } from "./key-status";
import {
  checklistItems,
  fieldValue,
  initialPageState,
  keyStateName,
  nextPageState,
  organisationUrlToOffer,
  saveMessage,
  TEXT_FIELDS,
  type ConfigurationPageState,
  type KeyReading,
  type Message,
  type PageEvent,
  type TextField,
} from "./page-state";
import type { ConfigurationField } from "./validation";

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

/** Element id of a text field's input: `lmi-` and the field's name in lower case (`lmi-companyid`); its message is `<id>-error`. */
function fieldId(field: TextField): string {
  return `lmi-${field.toLowerCase()}`;
}

/** How long a Copy button says "Copied". */
const COPIED_SHOWN_MS = 2000;

/** Draws a panel from the state. */
type Render = (state: ConfigurationPageState) => void;
type Send = (event: PageEvent) => void;

/** What every panel works with: the document, the strings, and its elements by id. */
interface PageView {
  doc: Document;
  t: Translator;
  byId: <T extends HTMLElement = HTMLElement>(id: string) => T;
}

/** A render that runs only when `slice` of the state is another value than the last one drawn. */
function whenChanged<T>(slice: (state: ConfigurationPageState) => T, draw: (value: T) => void): Render {
  let drawn: { value: T } | null = null;
  return (state) => {
    const value = slice(state);
    if (drawn && drawn.value === value) return;
    drawn = { value };
    draw(value);
  };
}

/**
 * Shows message bars in `container`. The save and key message containers are live regions from
 * the start (announced politely, errors assertively); page messages are page content, where an
 * error is an alert.
 */
function showMessages({ doc, t }: PageView, container: HTMLElement, messages: readonly Message[]): HTMLElement[] {
  const live = container.hasAttribute("aria-live");
  const last = messages.at(-1);
  if (live && last) container.setAttribute("aria-live", last.tone === "error" ? "assertive" : "polite");
  const boxes = messages.map(({ tone, key, args }) => {
    const box = createElement(doc, "div", { className: `lmi-message lmi-message--${tone}`, textContent: t(key, ...args) });
    if (tone === "error" && !live) box.setAttribute("role", "alert");
    return box;
  });
  container.replaceChildren(...boxes);
  return boxes;
}

/** A radio or checkbox with its label, in a row of `className`. */
function choiceRow(doc: Document, className: string, input: HTMLInputElement, labelText: string, ...more: Node[]): HTMLElement {
  return createElement(doc, "div", { className }, input, createElement(doc, "label", { htmlFor: input.id, textContent: labelText }), ...more);
}

/** Loading indicator, page messages (with Retry after a failed load), the form's visibility. */
function framePanel(view: PageView): Render {
  const { doc, t, byId } = view;
  const loading = byId("lmi-loading");
  const main = byId("lmi-main");
  const form = byId("lmi-config-form");
  const messages = byId("lmi-page-messages");
  const drawMessages = whenChanged(
    (state) => state.pageMessages,
    (pageMessages) => {
      const [first] = showMessages(view, messages, pageMessages);
      if (!first || pageMessages[0]?.key !== "Config.Load.Failed") return;
      const retry = createElement(doc, "button", { type: "button", className: "lmi-button lmi-config-retry", textContent: t("Config.Load.Retry") });
      retry.addEventListener("click", () => doc.defaultView?.location.reload());
      first.append(createElement(doc, "br"), retry);
    },
  );
  return (state) => {
    drawMessages(state);
    form.hidden = state.load !== "ready";
    if (state.load === "loading") return;
    loading.hidden = true;
    main.removeAttribute("aria-busy");
    doc.body.dataset.lmiState = state.load === "ready" ? "ready" : "error";
  };
}

interface FieldsPanel {
  render: Render;
  /** Puts the focus on a field (the environment: its chosen radio). */
  focus(field: ConfigurationField): void;
}

/** Environment, the text fields with their messages, the SSO password, the Dynamics URL warning, the options. */
function fieldsPanel({ doc, t, byId }: PageView, send: Send): FieldsPanel {
  const inputs = Object.fromEntries(TEXT_FIELDS.map((field) => [field, byId<HTMLInputElement>(fieldId(field))])) as Record<TextField, HTMLInputElement>;
  const errors = Object.fromEntries(TEXT_FIELDS.map((field) => [field, byId(`${fieldId(field)}-error`)])) as Record<TextField, HTMLElement>;
  const environmentError = byId("lmi-environment-error");
  const clearPassword = byId<HTMLInputElement>("lmi-ssopassword-clear");
  const clearPasswordRow = byId("lmi-ssopassword-clear-row");
  const passwordStatus = byId("lmi-ssopassword-status");
  const passwordHint = byId("lmi-ssopassword-hint");
  const dynamicsWarning = byId("lmi-dynamicsurl-warning");
  const dynamicsWarningText = byId("lmi-dynamicsurl-warning-text");

  const radios = ENVIRONMENT_CHOICES.map((choice) => {
    const radio = createElement(doc, "input", { type: "radio", id: `lmi-environment-${choice.value}`, name: "lmi-environment", value: String(choice.value) });
    byId("lmi-environment-choices").appendChild(choiceRow(doc, "lmi-choice", radio, t(choice.labelKey)));
    radio.addEventListener("change", () => {
      if (radio.checked) send({ type: "environmentChosen", environment: Number(radio.value) });
    });
    return radio;
  });

  const options = BOOLEAN_OPTIONS.map(({ option, column, textKey }) => {
    const box = createElement(doc, "input", { type: "checkbox", id: `lmi-option-${column}` });
    const help = createElement(doc, "p", { className: "lmi-hint", id: `${box.id}-help`, textContent: t(`${textKey}.Help`) });
    box.setAttribute("aria-describedby", help.id);
    byId("lmi-options").appendChild(choiceRow(doc, "lmi-option", box, t(`${textKey}.Label`), help));
    box.addEventListener("change", () => send({ type: "optionSet", option, checked: box.checked }));
    return { option, box };
  });

  for (const field of TEXT_FIELDS) {
    const input = inputs[field];
    input.addEventListener("input", () => send({ type: "fieldTyped", field, value: input.value }));
    input.addEventListener("change", () => send({ type: "fieldLeft", field }));
  }
  clearPassword.addEventListener("change", () => send({ type: "clearSsoPasswordSet", checked: clearPassword.checked }));
  byId("lmi-dynamicsurl-use-current").addEventListener("click", () => {
    send({ type: "organisationUrlUsed" });
    inputs.dynamicsUrl.focus();
  });

  function render(state: ConfigurationPageState): void {
    const { draft, problems } = state;
    for (const radio of radios) radio.checked = Number(radio.value) === draft.environment;
    for (const { option, box } of options) box.checked = draft[option];
    for (const field of TEXT_FIELDS) {
      const input = inputs[field];
      const value = fieldValue(draft, field);
      if (input.value !== value) input.value = value;
      const problem = problems[field];
      setText(errors[field], problem ? t(problem.key, ...problem.args) : "");
      setFlag(input, "aria-invalid", problem !== null);
    }
    const environmentProblem = problems.environment;
    setText(environmentError, environmentProblem ? t(environmentProblem.key, ...environmentProblem.args) : "");

    const passwordStored = state.stored.hasSsoPassword;
    setText(passwordStatus, t(passwordStored ? "Config.SsoPassword.Stored" : "Config.SsoPassword.NotStored"));
    passwordStatus.dataset.lmiPassword = passwordStored ? "set" : "unset";
    setText(passwordHint, t(passwordStored ? "Config.SsoPassword.HintReplace" : "Config.SsoPassword.HintNew"));
    clearPasswordRow.hidden = !passwordStored;
    clearPassword.checked = draft.clearSsoPassword;
    inputs.ssoPassword.disabled = draft.clearSsoPassword;

    const offer = organisationUrlToOffer(state);
    dynamicsWarning.hidden = offer === null;
    setText(dynamicsWarningText, offer === null ? "" : t("Config.DynamicsUrl.Mismatch", offer));
  }

  return {
    render,
    focus(field) {
      if (field === "environment") (radios.find((radio) => radio.checked) ?? radios[0])?.focus();
      else inputs[field].focus();
    },
  };
}

/** The Save button and the message under it. */
function savePanel(view: PageView, send: Send): Render {
  const form = view.byId<HTMLFormElement>("lmi-config-form");
  const button = view.byId("lmi-save");
  const messageBox = view.byId("lmi-save-message");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send({ type: "saveRequested" });
  });
  return whenChanged(
    (state) => state.save,
    (save) => {
      const saving = save.phase === "saving";
      setFlag(button, "aria-disabled", saving);
      setFlag(form, "aria-busy", saving);
      const message = saveMessage(save);
      if (message) showMessages(view, messageBox, [message]);
    },
  );
}

/** The Session Key status, its explanation, Reactivate and Refresh, and their message. */
function sessionKeyPanel(view: PageView, send: Send): Render {
  const { doc, t, byId } = view;
  const section = byId("lmi-key-section");
  const panel = byId("lmi-key-panel");
  const status = byId("lmi-key-status");
  const explanation = byId("lmi-key-explanation");
  const reactivate = byId("lmi-key-reactivate");
  const refresh = byId("lmi-key-refresh");
  reactivate.addEventListener("click", () => send({ type: "keyReactivateStarted" }));
  refresh.addEventListener("click", () => send({ type: "keyRefreshRequested" }));
  const drawMessage = whenChanged(
    (state) => state.key.message,
    (message) => showMessages(view, byId("lmi-key-message"), message ? [message] : []),
  );

  return (state) => {
    const { key } = state;
    section.hidden = !key.reading && key.last === null;
    const name = keyStateName(key);
    if (name !== null) panel.dataset.lmiKeyState = name;
    setFlag(reactivate, "aria-disabled", key.reactivating);
    drawMessage(state);
    if (key.reading) setText(status, t("Common.Loading"));
    if (key.reading || !key.last) return;
    const shown = keyPanel(key.last);
    panel.dataset.lmiTone = shown.tone;
    setText(status, t(shown.statusKey, ...shown.statusArgs));
    setText(explanation, t(shown.explanationKey, ...shown.explanationArgs));
    const hadFocus = doc.activeElement === reactivate;
    reactivate.hidden = !shown.canReactivate;
    if (hadFocus && reactivate.hidden) refresh.focus();
  };
}

/** "What else to set up": the steps with the values to copy, drawn from what is typed. */
function checklistPanel(view: PageView, send: Send): Render {
  const { doc, t, byId } = view;
  const section = byId("lmi-checklist-section");
  const list = byId("lmi-checklist");
  const copyStatus = createElement(doc, "p", { className: "lmi-visually-hidden" });
  copyStatus.setAttribute("aria-live", "polite");
  section.appendChild(copyStatus);
  /** The Copy buttons on the page, by the label key of their value. */
  let buttons = new Map<string, HTMLElement>();

  async function copyValue(code: HTMLElement, labelKey: string, value: string): Promise<void> {
    if (await copyText(value, doc)) {
      send({ type: "valueCopied", labelKey, label: t(labelKey) });
      setTimeout(() => send({ type: "copiedShown", labelKey }), COPIED_SHOWN_MS);
      return;
    }
    const selection = doc.defaultView?.getSelection();
    const range = doc.createRange();
    range.selectNodeContents(code);
    selection?.removeAllRanges();
    selection?.addRange(range);
    send({ type: "copyFailed" });
  }

  /** A value: its label, and the value with a Copy button, or "not entered". */
  function valueRow(value: ChecklistValue): HTMLElement {
    const label = t(value.labelKey);
    const dd = createElement(doc, "dd");
    if (value.value === "") dd.append(createElement(doc, "span", { className: "lmi-missing-value", textContent: t("Config.Checklist.NotEntered") }));
    else {
      const code = createElement(doc, "code", { textContent: value.value });
      dd.append(code);
      if (value.complete) {
        const button = createElement(doc, "button", { type: "button", className: "lmi-button" });
        button.setAttribute("aria-label", t("Config.Checklist.CopyLabel", label));
        button.addEventListener("click", () => void copyValue(code, value.labelKey, value.value));
        buttons.set(value.labelKey, button);
        dd.append(button);
      }
    }
    return createElement(doc, "div", { className: "lmi-copy-row" }, createElement(doc, "dt", { textContent: label }), dd);
  }

  function itemElement(item: ChecklistItem): HTMLElement {
    const { link } = item;
    return createElement(
      doc,
      "li",
      { id: `lmi-checklist-${item.id}` },
      createElement(doc, "h3", { textContent: t(item.titleKey) }),
      createElement(doc, "p", { textContent: t(item.textKey) }),
      createElement(doc, "dl", {}, ...item.values.map(valueRow)),
      ...item.noteKeys.map((noteKey) => createElement(doc, "p", { className: "lmi-hint", textContent: t(noteKey) })),
      ...(link ? [createElement(doc, "p", {}, createElement(doc, "a", { href: link.href, target: "_blank", rel: "noopener noreferrer", textContent: t(link.labelKey) }))] : []),
    );
  }

  /** The checklist drawn last (JSON): it is drawn again only when a step or value changes, not on every keystroke. */
  let drawnItems = "";
  const drawAnnouncement = whenChanged(
    (state) => state.copy.announcement,
    (announcement) => {
      if (announcement) copyStatus.textContent = t(announcement.key, ...announcement.args);
    },
  );

  return (state) => {
    if (state.load !== "ready") return;
    section.hidden = false;
    const items = checklistItems(state);
    const itemsJson = JSON.stringify(items);
    if (itemsJson !== drawnItems) {
      drawnItems = itemsJson;
      buttons = new Map();
      list.replaceChildren(...items.map(itemElement));
    }
    for (const [labelKey, button] of buttons) setText(button, t(state.copy.copied.includes(labelKey) ? "Common.Copied" : "Common.Copy"));
    drawAnnouncement(state);
  };
}

/** Logs a failed Dataverse call to the console (the technical detail) and answers the platform's message for the page. */
function failureDetail(what: string, error: unknown): string {
  console.error(`LogMeIn Rescue: could not ${what}`, error);
  return describeError(error);
}

/** The texts of the HTML (`data-lmi-text`), the title and the language. */
function translateStaticText(doc: Document, t: Translator, lcid: number): void {
  doc.documentElement.lang = languageTag(lcid);
  for (const element of Array.from(doc.querySelectorAll<HTMLElement>("[data-lmi-text]"))) {
    const key = element.dataset.lmiText;
    if (key) element.textContent = t(key);
  }
  doc.title = `${t("Config.Title")} – ${t("Common.ProductName")}`;
}

/** Runs the page until it is loaded and ready for the admin. Never rejects. */
export async function runConfigurationPage(deps: ConfigurationPageDeps): Promise<void> {
  const { doc, t, client } = deps;
  const view: PageView = {
    doc,
    t,
    byId: (id) => requireElement(doc, id),
  };
  translateStaticText(doc, t, deps.lcid);

  let state = initialPageState(deps.clientUrl);
  const fields = fieldsPanel(view, send);
  const panels: Render[] = [framePanel(view), fields.render, savePanel(view, send), sessionKeyPanel(view, send), checklistPanel(view, send)];

  /** Moves the state on by one event, draws every panel, and runs what the event asks of Dynamics. */
  function send(event: PageEvent): void {
    const before = state;
    state = nextPageState(before, event);
    if (state === before) return;
    for (const render of panels) render(state);
    if (event.type === "saveRequested") {
      if (state.save.phase === "saving") void save();
      else if (state.save.phase === "invalid" && state.save.fields[0]) fields.focus(state.save.fields[0]);
    }
    if (event.type === "keyReactivateStarted") void reactivateKey();
    if (event.type === "keyRefreshRequested") void readKey();
  }

  async function readKey(): Promise<void> {
    let reading: KeyReading;
    try {
      reading = await deps.sessionKey.read();
    } catch (error) {
      reading = { kind: "error", detail: failureDetail("read the Session Key status", error) };
    }
    send({ type: "keyRead", reading });
  }

  async function reactivateKey(): Promise<void> {
    try {
      await deps.sessionKey.reactivate();
      send({ type: "keyReactivated" });
    } catch (error) {
      send({ type: "keyReactivateFailed", detail: failureDetail("reactivate the Session Key", error) });
    }
    send({ type: "keyReadStarted" });
    await readKey();
  }

  async function save(): Promise<void> {
    const { draft, stored, clientUrl } = state;
    try {
      const payload = savePayload(draft, stored, clientUrl);
      let id = stored.id;
      if (id === null) id = await client.create(Configuration.entity, payload);
      else await client.update(Configuration.entity, id, payload);
      send({ type: "saveSucceeded", id });
    } catch (error) {
      send({ type: "saveFailed", detail: failureDetail("save the configuration", error) });
    }
  }

  for (const render of panels) render(state);
  // The Session Key loads in parallel with the configuration.
  send({ type: "keyReadStarted" });
  const keyLoaded = readKey();
  let rows: ConfigurationRow[] | null = null;
  try {
    rows = await loadActiveConfigurations(client, 2);
  } catch (error) {
    send({ type: "configurationLoadFailed", detail: failureDetail("load the configuration", error) });
  }
  if (rows) send({ type: "configurationLoaded", rows });
  await keyLoaded;
}
