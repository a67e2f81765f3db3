/**
 * The configuration page's state: one plain object that only `nextPageState(state, event)`
 * changes, one named event per thing that happens (the admin types, leaves a field, picks an
 * environment, saves; Dataverse answers). Every panel of the page (fields, session key,
 * checklist, save) is drawn from it by `page-view.ts`, which also runs the Dataverse calls and
 * reports their outcome back as events. No DOM and no Dataverse here, so every rule of the page
 * is unit-tested without a browser (test/configuration/page-state.test.ts).
 *
 * The stored SSO password never enters the state: only whether one is stored, and what the
 * admin typed to replace it.
 */
import type { EntityKeyState } from "../dataverse/entity-keys";
import type { ConfigurationRow } from "../settings/configuration-row";
import type { FormatArg } from "../strings/translator";
import { buildChecklist, type ChecklistItem } from "./checklist";
import { checkDraft, CONFIGURATION_FIELDS, draftFromRow, invalidFields, ssoPasswordAfterSave, storedFromRow, type BooleanOption, type ConfigurationDraft, type StoredConfiguration } from "./draft";
import { endpointAfterEnvironmentChange, isEnvironmentValue } from "./environments";
import { checkDynamicsUrl, isRequiredProblem, organisationUrl, sameOrganisation, type ConfigurationField, type FieldProblem } from "./validation";

/** The fields the admin types into (the environment is a choice). */
export type TextField = Exclude<ConfigurationField, "environment">;

const ALL_FIELDS = CONFIGURATION_FIELDS;

/** Text fields in page order. */
export const TEXT_FIELDS = ALL_FIELDS.filter((field): field is TextField => field !== "environment");

export type MessageTone = "success" | "warning" | "error" | "info";

/** A message bar: its tone and a RESX key with arguments (the view turns it into text). */
export interface Message {
  tone: MessageTone;
  key: string;
  args: FormatArg[];
}

/** What reading the Session Key status gave: a state, or the platform's message for a failed read. */
export type KeyReading = EntityKeyState | { kind: "error"; detail: string };

export type SaveState =
  | { phase: "idle" }
  /** Save was refused for these fields (in page order; the first gets the focus). */
  | { phase: "invalid"; fields: ConfigurationField[] }
  /** Dataverse is writing; what the page will know once it has. */
  | { phase: "saving"; ssoPasswordStored: boolean; storedServiceUrl: string }
  | { phase: "saved" }
  | { phase: "failed"; detail: string };

export interface SessionKeyState {
  /** A read of the status is under way. */
  reading: boolean;
  /** What the last read gave; null until one has ended. */
  last: KeyReading | null;
  reactivating: boolean;
  /** Under the panel: reactivating, reactivated, or why reactivating failed. */
  message: Message | null;
}

export interface ChecklistCopyState {
  /** Values whose Copy button says "Copied" (by the value's label key). */
  copied: readonly string[];
  /** What the hidden live region says about the last copy. */
  announcement: { key: string; args: FormatArg[] } | null;
}

export interface ConfigurationPageState {
  /** `getClientUrl()` of the organisation the admin is signed in to. */
  clientUrl: string;
  /** The form is offered only once the configuration is loaded (after a failed load a save could add a second row). */
  load: "loading" | "ready" | "failed";
  /** Above the form: a new configuration, several rows, or why loading failed. */
  pageMessages: readonly Message[];
  stored: StoredConfiguration;
  draft: ConfigurationDraft;
  /** Fields checked on every keystroke: left once after a change, opened with a value, or saved. */
  touched: Readonly<Record<ConfigurationField, boolean>>;
  /** The problem shown next to each field; null when none is. */
  problems: Readonly<Record<ConfigurationField, FieldProblem | null>>;
  save: SaveState;
  key: SessionKeyState;
  copy: ChecklistCopyState;
}

export type PageEvent =
  | { type: "configurationLoaded"; rows: readonly ConfigurationRow[] }
  | { type: "configurationLoadFailed"; detail: string }
  /** Every keystroke in a text field (the input's `input` event). */
  | { type: "fieldTyped"; field: TextField; value: string }
  /** The admin left a field after changing it (the input's `change` event). */
  | { type: "fieldLeft"; field: TextField }
  | { type: "environmentChosen"; environment: number }
  | { type: "optionSet"; option: BooleanOption; checked: boolean }
  | { type: "clearSsoPasswordSet"; checked: boolean }
  /** "Use this organisation's URL". */
  | { type: "organisationUrlUsed" }
  | { type: "saveRequested" }
  /** `id`: the row written (new or existing). */
  | { type: "saveSucceeded"; id: string }
  | { type: "saveFailed"; detail: string }
  | { type: "keyReadStarted" }
  /** "Refresh status": a new read, without the last reactivation message. */
  | { type: "keyRefreshRequested" }
  | { type: "keyRead"; reading: KeyReading }
  | { type: "keyReactivateStarted" }
  | { type: "keyReactivated" }
  | { type: "keyReactivateFailed"; detail: string }
  /** A checklist value was copied (`label`: its label as shown). */
  | { type: "valueCopied"; labelKey: string; label: string }
  /** Nothing could copy: the value is selected for the admin to copy by hand. */
  | { type: "copyFailed" }
  /** A Copy button's "Copied" has been shown long enough. */
  | { type: "copiedShown"; labelKey: string };

function mapFields<T>(valueOf: (field: ConfigurationField) => T): Record<ConfigurationField, T> {
  return Object.fromEntries(ALL_FIELDS.map((field) => [field, valueOf(field)])) as Record<ConfigurationField, T>;
}

function allFields<T>(value: T): Record<ConfigurationField, T> {
  return mapFields(() => value);
}

/** The page before anything is loaded: a new configuration's draft, nothing touched, nothing shown. */
export function initialPageState(clientUrl: string): ConfigurationPageState {
  return {
    clientUrl,
    load: "loading",
    pageMessages: [],
    stored: storedFromRow(null),
    draft: draftFromRow(null, clientUrl),
    touched: allFields(false),
    problems: allFields<FieldProblem | null>(null),
    save: { phase: "idle" },
    key: { reading: false, last: null, reactivating: false, message: null },
    copy: { copied: [], announcement: null },
  };
}

function message(tone: MessageTone, key: string, ...args: FormatArg[]): Message {
  return { tone, key, args };
}

/**
 * Checks `field` against the draft and shows the outcome next to it. "Required" is shown only
 * with `showRequired` (the field was left or saved), so an empty field is not an error on sight.
 */
function check(state: ConfigurationPageState, field: ConfigurationField, showRequired: boolean): ConfigurationPageState {
  const result = checkDraft(state.draft, state.stored, state.clientUrl)[field];
  const problem = !result.ok && (showRequired || !isRequiredProblem(result)) ? result.problem : null;
  return { ...state, problems: { ...state.problems, [field]: problem } };
}

function touch(state: ConfigurationPageState, field: ConfigurationField): ConfigurationPageState {
  return { ...state, touched: { ...state.touched, [field]: true } };
}

/** Checks a field the admin is typing in when it is touched or already shows a problem. */
function checkAsTyped(state: ConfigurationPageState, field: ConfigurationField, alsoWhen = false): ConfigurationPageState {
  const touched = state.touched[field];
  return touched || state.problems[field] !== null || alsoWhen ? check(state, field, touched || alsoWhen) : state;
}

/** The company id is required once a password will be stored: check it again when the password changes. */
function checkCompanyIdAgain(state: ConfigurationPageState): ConfigurationPageState {
  return checkAsTyped(state, "companyId", ssoPasswordAfterSave(state.draft, state.stored));
}

function withDraft(state: ConfigurationPageState, change: Partial<ConfigurationDraft>): ConfigurationPageState {
  return { ...state, draft: { ...state.draft, ...change } };
}

/** What a text field holds in the draft (the password field: the replacement typed). */
export function fieldValue(draft: ConfigurationDraft, field: TextField): string {
  return field === "ssoPassword" ? draft.newSsoPassword : draft[field];
}

function typed(field: TextField, value: string): Partial<ConfigurationDraft> {
  return field === "ssoPassword" ? { newSsoPassword: value } : { [field]: value };
}

function loaded(state: ConfigurationPageState, rows: readonly ConfigurationRow[]): ConfigurationPageState {
  const row = rows[0] ?? null;
  const draft = draftFromRow(row, state.clientUrl);
  let next: ConfigurationPageState = {
    ...state,
    load: "ready",
    pageMessages: [...(row ? [] : [message("info", "Config.Load.New")]), ...(rows.length > 1 ? [message("warning", "Config.Load.Several")] : [])],
    stored: storedFromRow(row),
    draft,
    // A field that opens with a value is checked as it is typed in from the first keystroke.
    touched: { ...state.touched, ...Object.fromEntries(TEXT_FIELDS.map((field) => [field, fieldValue(draft, field) !== ""])) },
  };
  // Values that came with the row are checked right away (an old row may hold a bad value).
  if (row) for (const field of ALL_FIELDS) if (field !== "ssoPassword") next = check(next, field, false);
  return next;
}

function saveRequested(state: ConfigurationPageState): ConfigurationPageState {
  if (state.save.phase === "saving") return state;
  const checks = checkDraft(state.draft, state.stored, state.clientUrl);
  const next = { ...state, touched: allFields(true), problems: mapFields((field) => (checks[field].ok ? null : checks[field].problem)) };
  const invalid = invalidFields(checks);
  if (invalid.length > 0 || !checks.serviceUrl.ok) return { ...next, save: { phase: "invalid", fields: invalid } };
  return { ...next, save: { phase: "saving", ssoPasswordStored: ssoPasswordAfterSave(state.draft, state.stored), storedServiceUrl: String(checks.serviceUrl.value) } };
}

function saveSucceeded(state: ConfigurationPageState, id: string): ConfigurationPageState {
  const { save } = state;
  if (save.phase !== "saving") return state;
  return {
    ...withDraft(state, { serviceUrl: save.storedServiceUrl, newSsoPassword: "", clearSsoPassword: false }),
    stored: { id, hasSsoPassword: save.ssoPasswordStored },
    pageMessages: [],
    save: { phase: "saved" },
  };
}

function withKey(state: ConfigurationPageState, change: Partial<SessionKeyState>): ConfigurationPageState {
  return { ...state, key: { ...state.key, ...change } };
}

/** The state after `event`. Never changes `state`; answers `state` itself when the event changes nothing. */
export function nextPageState(state: ConfigurationPageState, event: PageEvent): ConfigurationPageState {
  switch (event.type) {
    case "configurationLoaded":
      return loaded(state, event.rows);
    case "configurationLoadFailed":
      return { ...state, load: "failed", pageMessages: [message("error", "Config.Load.Failed", event.detail)] };
    case "fieldTyped": {
      const next = checkAsTyped(withDraft(state, typed(event.field, event.value)), event.field);
      return event.field === "ssoPassword" ? checkCompanyIdAgain(next) : next;
    }
    case "fieldLeft": {
      const next = check(touch(state, event.field), event.field, true);
      return event.field === "ssoPassword" ? checkCompanyIdAgain(next) : next;
    }
    case "environmentChosen": {
      const environment = isEnvironmentValue(event.environment) ? event.environment : null;
      const next = touch(withDraft(state, { environment, endpoint: endpointAfterEnvironmentChange(environment, state.draft.endpoint) }), "endpoint");
      return check(check(next, "environment", true), "endpoint", true);
    }
    case "optionSet":
      return withDraft(state, { [event.option]: event.checked });
    case "clearSsoPasswordSet": {
      const clear = event.checked && state.stored.hasSsoPassword;
      const next = withDraft(state, { clearSsoPassword: clear, newSsoPassword: event.checked ? "" : state.draft.newSsoPassword });
      return checkCompanyIdAgain(check(next, "ssoPassword", true));
    }
    case "organisationUrlUsed":
      return check(touch(withDraft(state, { dynamicsUrl: organisationUrl(state.clientUrl) }), "dynamicsUrl"), "dynamicsUrl", true);
    case "saveRequested":
      return saveRequested(state);
    case "saveSucceeded":
      return saveSucceeded(state, event.id);
    case "saveFailed":
      return state.save.phase === "saving" ? { ...state, save: { phase: "failed", detail: event.detail } } : state;
    case "keyReadStarted":
      return withKey(state, { reading: true });
    case "keyRefreshRequested":
      return withKey(state, { reading: true, message: null });
    case "keyRead":
      return withKey(state, { reading: false, last: event.reading });
    case "keyReactivateStarted":
      return state.key.reactivating ? state : withKey(state, { reactivating: true, message: message("info", "Config.Key.Reactivating") });
    case "keyReactivated":
      return withKey(state, { reactivating: false, message: message("success", "Config.Key.Reactivated") });
    case "keyReactivateFailed":
      return withKey(state, { reactivating: false, message: message("error", "Config.Key.ReactivateFailed", event.detail) });
    case "valueCopied":
      return {
        ...state,
        copy: {
          copied: state.copy.copied.includes(event.labelKey) ? state.copy.copied : [...state.copy.copied, event.labelKey],
          announcement: { key: "Config.Checklist.CopiedValue", args: [event.label] },
        },
      };
    case "copyFailed":
      return { ...state, copy: { ...state.copy, announcement: { key: "Config.Checklist.CopyManual", args: [] } } };
    case "copiedShown":
      return { ...state, copy: { ...state.copy, copied: state.copy.copied.filter((labelKey) => labelKey !== event.labelKey) } };
  }
}

/** The message under the Save button for a save state. */
export function saveMessage(save: SaveState): Message | null {
  switch (save.phase) {
    case "idle":
      return null;
    case "invalid":
      return message("error", save.fields.length === 1 ? "Config.Save.InvalidOne" : "Config.Save.Invalid", save.fields.length);
    case "saving":
      return message("info", "Config.Save.Saving");
    case "saved":
      return message("success", "Config.Save.Saved");
    case "failed":
      return message("error", "Config.Save.Failed", save.detail);
  }
}

/**
 * The organisation URL to offer when the Dynamics URL is a valid address of another organisation
 * than the one the admin is signed in to; null when there is nothing to warn about.
 */
export function organisationUrlToOffer(state: ConfigurationPageState): string | null {
  const { dynamicsUrl } = state.draft;
  const differs = checkDynamicsUrl(dynamicsUrl, state.clientUrl).ok && !sameOrganisation(dynamicsUrl, state.clientUrl);
  return differs ? organisationUrl(state.clientUrl) : null;
}

/** The setup checklist for what is on the page right now. */
export function checklistItems(state: ConfigurationPageState): ChecklistItem[] {
  return buildChecklist({ ...state.draft, clientUrl: state.clientUrl });
}

/** The `data-lmi-key-state` of the Session Key panel: "loading", a status name, "missing", "unknown" or "error". */
export function keyStateName(key: SessionKeyState): string | null {
  if (key.reading) return "loading";
  if (!key.last) return null;
  return key.last.kind === "status" ? key.last.status : key.last.kind;
}
