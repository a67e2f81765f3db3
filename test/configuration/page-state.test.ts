/**
 * The configuration page's state transitions (src/configuration/page-state.ts), without a browser:
 * what the admin types, leaves and saves, what Dataverse answers, and what each panel is drawn
 * from. test/configuration/page.browser.test.ts shows the same page in Chromium.
 */
import { describe, expect, it } from "vitest";
import { savePayload } from "../../src/configuration/draft";
import { BETA_ENDPOINT, PRODUCTION_ENDPOINT } from "../../src/configuration/environments";
import {
  checklistItems,
  initialPageState,
  keyStateName,
  nextPageState,
  organisationUrlToOffer,
  saveMessage,
  type ConfigurationPageState,
  type PageEvent,
} from "../../src/configuration/page-state";
import { Environment } from "../../src/model/schema";
import type { ConfigurationRow } from "../../src/settings/configuration-row";
import { configurationRow, ORGANISATION_URL, ROW_ID, SERVICE_URL, STORED_PASSWORD, TENANT } from "./support/configuration-row";

/** The organisation the admin is signed in to, as `getClientUrl()` may give it (with a trailing slash). */
const CLIENT_URL = `${ORGANISATION_URL}/`;

/** Freezes the state and everything in it, so that a transition that changes it in place throws. */
function frozen<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) frozen(inner);
  }
  return value;
}

/** The state after each event in turn (every state frozen: transitions must not change their input). */
function after(state: ConfigurationPageState, ...events: PageEvent[]): ConfigurationPageState {
  return events.reduce((current, event) => nextPageState(frozen(current), event), state);
}

const loaded = (...rows: ConfigurationRow[]): ConfigurationPageState => after(initialPageState(CLIENT_URL), { type: "configurationLoaded", rows });
const typed = (field: Extract<PageEvent, { type: "fieldTyped" }>["field"], value: string): PageEvent => ({ type: "fieldTyped", field, value });
const left = (field: Extract<PageEvent, { type: "fieldLeft" }>["field"]): PageEvent => ({ type: "fieldLeft", field });
const SAVE: PageEvent = { type: "saveRequested" };

/** A new configuration with every required field filled in. */
function filledIn(): ConfigurationPageState {
  return after(loaded(), typed("serviceUrl", SERVICE_URL), typed("tenantId", TENANT));
}

describe("loading", () => {
  it("starts loading, with nothing touched and no message", () => {
    const state = initialPageState(CLIENT_URL);
    expect(state.load).toBe("loading");
    expect(state.pageMessages).toEqual([]);
    expect(Object.values(state.problems).every((problem) => problem === null)).toBe(true);
    expect(Object.values(state.touched).every((touched) => !touched)).toBe(true);
    expect(state.save).toEqual({ phase: "idle" });
  });

  it("without a row: a new configuration on Production with this organisation's URL, said so", () => {
    const state = loaded();
    expect(state.load).toBe("ready");
    expect(state.pageMessages).toEqual([{ tone: "info", key: "Config.Load.New", args: [] }]);
    expect(state.stored).toEqual({ id: null, hasSsoPassword: false });
    expect(state.draft).toMatchObject({ environment: Environment.Production, endpoint: PRODUCTION_ENDPOINT, dynamicsUrl: ORGANISATION_URL, serviceUrl: "", tenantId: "" });
    // Fields that open with a value are checked from the first keystroke; empty ones wait until they are left.
    expect(state.touched).toEqual({ environment: false, endpoint: true, companyId: false, ssoPassword: false, serviceUrl: false, dynamicsUrl: true, tenantId: false });
    // Nothing is checked on sight: the empty required fields show no "Required".
    expect(Object.values(state.problems).every((problem) => problem === null)).toBe(true);
  });

  it("with a row: its values, whether a password is stored, never the password itself", () => {
    const state = loaded(configurationRow());
    expect(state.pageMessages).toEqual([]);
    expect(state.stored).toEqual({ id: ROW_ID, hasSsoPassword: true });
    expect(state.draft).toMatchObject({ environment: Environment.Beta, endpoint: BETA_ENDPOINT, companyId: "123456", serviceUrl: SERVICE_URL, newSsoPassword: "", requireActiveTechConsole: true });
    expect(state.touched).toMatchObject({ companyId: true, serviceUrl: true, tenantId: true, ssoPassword: false });
    expect(JSON.stringify(state)).not.toContain(STORED_PASSWORD);
  });

  it("checks the values an old row holds right away, without calling an empty field required", () => {
    const state = loaded(configurationRow({ endpoint: "http://secure.logmeinrescue.com/API", tenantId: "", companyId: "12 34", ssoPassword: null }));
    expect(state.problems.endpoint).toEqual({ key: "Config.Error.UrlHttp", args: [] });
    expect(state.problems.companyId).toEqual({ key: "Config.Error.CompanyIdDigits", args: [] });
    expect(state.problems.tenantId).toBeNull();
  });

  it("several rows: edits the newest (the first the query returns) and warns", () => {
    const state = loaded(configurationRow({ companyId: "222" }), configurationRow({ id: "11111111-0000-4000-8000-000000000001", companyId: "111" }));
    expect(state.stored.id).toBe(ROW_ID);
    expect(state.draft.companyId).toBe("222");
    expect(state.pageMessages).toEqual([{ tone: "warning", key: "Config.Load.Several", args: [] }]);
  });

  it("a failed load offers no form and says why", () => {
    const state = after(initialPageState(CLIENT_URL), { type: "configurationLoadFailed", detail: "Principal user is missing prvReadlmi_configuration privilege." });
    expect(state.load).toBe("failed");
    expect(state.pageMessages).toEqual([{ tone: "error", key: "Config.Load.Failed", args: ["Principal user is missing prvReadlmi_configuration privilege."] }]);
  });
});

describe("typing and leaving fields", () => {
  it("an untouched field is not checked while it is typed in; leaving it shows what is wrong", () => {
    let state = after(loaded(), typed("tenantId", "abc"));
    expect(state.draft.tenantId).toBe("abc");
    expect(state.problems.tenantId).toBeNull();
    state = after(state, left("tenantId"));
    expect(state.touched.tenantId).toBe(true);
    expect(state.problems.tenantId).toEqual({ key: "Config.Error.TenantIdFormat", args: [] });
  });

  it("a touched field is checked on every keystroke, and the message follows the value", () => {
    let state = after(loaded(), typed("tenantId", "abc"), left("tenantId"), typed("tenantId", `{${TENANT}}`));
    expect(state.problems.tenantId).toBeNull();
    state = after(state, typed("tenantId", ""));
    expect(state.problems.tenantId).toEqual({ key: "Config.Error.Required", args: [] });
  });

  it("leaving an empty required field unchanged shows nothing; leaving it after a change says it is required", () => {
    expect(after(loaded(), typed("serviceUrl", "")).problems.serviceUrl).toBeNull();
    expect(after(loaded(), typed("serviceUrl", "x"), typed("serviceUrl", ""), left("serviceUrl")).problems.serviceUrl).toEqual({ key: "Config.Error.Required", args: [] });
  });

  it("an untouched field that shows a problem is checked as it is typed in until the problem is gone", () => {
    // A stored password without a company id: the empty (so untouched) company id shows "needed" on load.
    let state = loaded(configurationRow({ companyId: "" }));
    expect(state.touched.companyId).toBe(false);
    expect(state.problems.companyId).toEqual({ key: "Config.Error.CompanyIdNeeded", args: [] });
    state = after(state, typed("companyId", "12a"));
    expect(state.problems.companyId).toEqual({ key: "Config.Error.CompanyIdDigits", args: [] });
    state = after(state, typed("companyId", "123"));
    expect(state.problems.companyId).toBeNull();
    // Still untouched and showing nothing: not checked again until it is left.
    state = after(state, typed("companyId", "12a"));
    expect(state.problems.companyId).toBeNull();
    expect(after(state, left("companyId")).problems.companyId).toEqual({ key: "Config.Error.CompanyIdDigits", args: [] });
  });

  it("keeps the values as typed: the URL root and the tenant without braces only go into what Save sends", () => {
    const state = after(filledIn(), typed("serviceUrl", `${SERVICE_URL}/`), typed("tenantId", `{${TENANT}}`));
    expect(state.draft.serviceUrl).toBe(`${SERVICE_URL}/`);
    expect(state.draft.tenantId).toBe(`{${TENANT}}`);
    expect(savePayload(state.draft, state.stored, state.clientUrl)).toMatchObject({ lmi_serviceurl: SERVICE_URL, lmi_tenantid: TENANT });
  });

  it("the options are part of the draft", () => {
    const state = after(loaded(), { type: "optionSet", option: "doNotPassCField1", checked: true }, { type: "optionSet", option: "requireActiveTechConsole", checked: true }, { type: "optionSet", option: "requireActiveTechConsole", checked: false });
    expect(state.draft).toMatchObject({ doNotPassCField1: true, requireActiveTechConsole: false });
  });
});

describe("environment and endpoint", () => {
  it("Production and Beta fill in their endpoint, Custom keeps what is there, and both are checked", () => {
    let state = after(loaded(), { type: "environmentChosen", environment: Environment.Beta });
    expect(state.draft).toMatchObject({ environment: Environment.Beta, endpoint: BETA_ENDPOINT });
    expect(state.touched.endpoint).toBe(true);
    state = after(state, typed("endpoint", "https://rescue.contoso.eu/API"), { type: "environmentChosen", environment: Environment.Custom });
    expect(state.draft).toMatchObject({ environment: Environment.Custom, endpoint: "https://rescue.contoso.eu/API" });
    state = after(state, typed("endpoint", "rescue.contoso.eu/API"), { type: "environmentChosen", environment: Environment.Custom });
    expect(state.problems.endpoint).toEqual({ key: "Config.Error.UrlNoScheme", args: ["https://rescue.contoso.eu/API"] });
    state = after(state, { type: "environmentChosen", environment: Environment.Production });
    expect(state.draft.endpoint).toBe(PRODUCTION_ENDPOINT);
    expect(state.problems.endpoint).toBeNull();
    expect(state.problems.environment).toBeNull();
  });
});

describe("the SSO password", () => {
  it("kept: saving without touching it sends no password and the page still knows one is stored", () => {
    let state = after(loaded(configurationRow()), SAVE);
    expect(state.save).toEqual({ phase: "saving", ssoPasswordStored: true, storedServiceUrl: SERVICE_URL });
    expect(savePayload(state.draft, state.stored, state.clientUrl)).not.toHaveProperty("lmi_ssopassword");
    state = after(state, { type: "saveSucceeded", id: ROW_ID });
    expect(state.stored).toEqual({ id: ROW_ID, hasSsoPassword: true });
  });

  it("replaced: the typed password is sent once and forgotten after the save", () => {
    let state = after(loaded(configurationRow()), typed("ssoPassword", " new secret "), SAVE);
    expect(savePayload(state.draft, state.stored, state.clientUrl)).toMatchObject({ lmi_ssopassword: " new secret " });
    state = after(state, { type: "saveSucceeded", id: ROW_ID });
    expect(state.draft.newSsoPassword).toBe("");
    expect(JSON.stringify(state)).not.toContain("new secret");
    expect(state.stored.hasSsoPassword).toBe(true);
  });

  it("cleared: the typed replacement is dropped, null is sent, and afterwards none is stored", () => {
    let state = after(loaded(configurationRow()), typed("ssoPassword", "half typed"), { type: "clearSsoPasswordSet", checked: true });
    expect(state.draft).toMatchObject({ newSsoPassword: "", clearSsoPassword: true });
    state = after(state, SAVE);
    expect(savePayload(state.draft, state.stored, state.clientUrl)).toMatchObject({ lmi_ssopassword: null });
    state = after(state, { type: "saveSucceeded", id: ROW_ID });
    expect(state.stored.hasSsoPassword).toBe(false);
    expect(state.draft.clearSsoPassword).toBe(false);
  });

  it("there is nothing to clear when no password is stored", () => {
    const state = after(loaded(configurationRow({ ssoPassword: null })), { type: "clearSsoPasswordSet", checked: true });
    expect(state.draft.clearSsoPassword).toBe(false);
  });

  it("needs the company id once a password will be stored, and not after the password is taken away again", () => {
    let state = after(filledIn(), typed("ssoPassword", "x"));
    expect(state.problems.companyId).toEqual({ key: "Config.Error.CompanyIdNeeded", args: [] });
    state = after(state, typed("ssoPassword", ""));
    expect(state.problems.companyId).toBeNull();
    // A stored password needs it too, until it is cleared.
    state = after(loaded(configurationRow()), typed("companyId", ""));
    expect(state.problems.companyId).toEqual({ key: "Config.Error.CompanyIdNeeded", args: [] });
    state = after(state, { type: "clearSsoPasswordSet", checked: true });
    expect(state.problems.companyId).toBeNull();
  });
});

describe("the Dynamics URL", () => {
  it("offers this organisation's URL when the stored one is another organisation", () => {
    const state = loaded(configurationRow({ dynamicsUrl: "https://contoso-old.crm4.dynamics.com" }));
    expect(organisationUrlToOffer(state)).toBe(ORGANISATION_URL);
    const fixed = after(state, { type: "organisationUrlUsed" });
    expect(fixed.draft.dynamicsUrl).toBe(ORGANISATION_URL);
    expect(fixed.touched.dynamicsUrl).toBe(true);
    expect(fixed.problems.dynamicsUrl).toBeNull();
    expect(organisationUrlToOffer(fixed)).toBeNull();
  });

  it("does not warn about this organisation (case and trailing slash aside) or while the address is not valid", () => {
    expect(organisationUrlToOffer(after(loaded(), typed("dynamicsUrl", "HTTPS://Contoso.crm4.dynamics.com/")))).toBeNull();
    expect(organisationUrlToOffer(after(loaded(), typed("dynamicsUrl", "https://contoso-old")))).toBe(ORGANISATION_URL);
    expect(organisationUrlToOffer(after(loaded(), typed("dynamicsUrl", "contoso-old.crm4.dynamics.com")))).toBeNull();
  });
});

describe("saving", () => {
  it("a refused save shows every problem, 'required' included, and names the fields in page order", () => {
    const state = after(loaded(), typed("endpoint", "http://secure.logmeinrescue.com/API"), typed("companyId", "12 34"), SAVE);
    expect(state.save).toEqual({ phase: "invalid", fields: ["endpoint", "companyId", "serviceUrl", "tenantId"] });
    expect(Object.values(state.touched).every(Boolean)).toBe(true);
    expect(state.problems).toMatchObject({
      endpoint: { key: "Config.Error.UrlHttp" },
      companyId: { key: "Config.Error.CompanyIdDigits" },
      serviceUrl: { key: "Config.Error.Required" },
      tenantId: { key: "Config.Error.Required" },
      dynamicsUrl: null,
    });
    expect(saveMessage(state.save)).toEqual({ tone: "error", key: "Config.Save.Invalid", args: [4] });
    expect(saveMessage(after(filledIn(), typed("tenantId", "x"), SAVE).save)).toEqual({ tone: "error", key: "Config.Save.InvalidOne", args: [1] });
  });

  it("a second refused save is a new outcome (the message is shown and announced again)", () => {
    const first = after(loaded(), SAVE);
    const second = after(first, SAVE);
    expect(second.save).toEqual(first.save);
    expect(second.save).not.toBe(first.save);
  });

  it("in progress: says so, and a second Save changes nothing", () => {
    const saving = after(filledIn(), SAVE);
    expect(saving.save.phase).toBe("saving");
    expect(saveMessage(saving.save)).toEqual({ tone: "info", key: "Config.Save.Saving", args: [] });
    expect(nextPageState(saving, SAVE)).toBe(saving);
  });

  it("succeeded: the new row's id, the service URL as stored, the page messages gone", () => {
    const state = after(filledIn(), typed("serviceUrl", ` ${SERVICE_URL.toUpperCase().replace("HTTPS", "https")}/ `), SAVE, { type: "saveSucceeded", id: ROW_ID });
    expect(state.stored.id).toBe(ROW_ID);
    expect(state.draft.serviceUrl).toBe(SERVICE_URL);
    expect(state.pageMessages).toEqual([]);
    expect(saveMessage(state.save)).toEqual({ tone: "success", key: "Config.Save.Saved", args: [] });
    // The next save updates that row and sends no name.
    const next = after(state, typed("companyId", "654321"), SAVE);
    expect(savePayload(next.draft, next.stored, next.clientUrl)).not.toHaveProperty("lmi_name");
  });

  it("failed: says why and keeps everything typed, so that Save can be tried again", () => {
    const saving = after(filledIn(), typed("companyId", "5555"), typed("ssoPassword", "pw"), SAVE);
    const failed = after(saving, { type: "saveFailed", detail: "Principal user is missing prvCreatelmi_configuration privilege." });
    expect(saveMessage(failed.save)).toEqual({ tone: "error", key: "Config.Save.Failed", args: ["Principal user is missing prvCreatelmi_configuration privilege."] });
    expect(failed.draft).toEqual(saving.draft);
    expect(failed.stored).toEqual({ id: null, hasSsoPassword: false });
    expect(after(failed, SAVE).save.phase).toBe("saving");
  });

  it("an answer with no save under way changes nothing", () => {
    const state = filledIn();
    expect(nextPageState(state, { type: "saveSucceeded", id: ROW_ID })).toBe(state);
    expect(nextPageState(state, { type: "saveFailed", detail: "late" })).toBe(state);
  });
});

describe("the Session Key panel", () => {
  it("is hidden until the first read starts, then loading, then the status", () => {
    let state = initialPageState(CLIENT_URL);
    expect(keyStateName(state.key)).toBeNull();
    state = after(state, { type: "keyReadStarted" });
    expect(keyStateName(state.key)).toBe("loading");
    state = after(state, { type: "keyRead", reading: { kind: "status", status: "Failed" } });
    expect(keyStateName(state.key)).toBe("Failed");
    expect(after(state, { type: "keyRead", reading: { kind: "missing" } }).key.last).toEqual({ kind: "missing" });
    expect(keyStateName(after(state, { type: "keyRead", reading: { kind: "error", detail: "no privilege" } }).key)).toBe("error");
  });

  it("reactivate: in progress once, then done or why not, then read again; refresh drops the message", () => {
    let state = after(initialPageState(CLIENT_URL), { type: "keyReadStarted" }, { type: "keyRead", reading: { kind: "status", status: "Failed" } }, { type: "keyReactivateStarted" });
    expect(state.key).toMatchObject({ reactivating: true, message: { tone: "info", key: "Config.Key.Reactivating" } });
    expect(nextPageState(state, { type: "keyReactivateStarted" })).toBe(state);
    const done = after(state, { type: "keyReactivated" }, { type: "keyReadStarted" });
    expect(done.key).toMatchObject({ reactivating: false, reading: true, message: { tone: "success", key: "Config.Key.Reactivated" } });
    // While the new status loads, the last one stays known (its explanation stays on screen).
    expect(done.key.last).toEqual({ kind: "status", status: "Failed" });
    state = after(state, { type: "keyReactivateFailed", detail: "ReactivateEntityKey failed" });
    expect(state.key.message).toEqual({ tone: "error", key: "Config.Key.ReactivateFailed", args: ["ReactivateEntityKey failed"] });
    state = after(state, { type: "keyRefreshRequested" });
    expect(state.key).toMatchObject({ reading: true, message: null });
  });
});

describe("the checklist", () => {
  const postToUrl = (state: ConfigurationPageState) => checklistItems(state).find((item) => item.id === "posttourl");

  it("builds the Post-to-URL address from the service URL as it is typed", () => {
    let state = loaded();
    expect(postToUrl(state)?.values).toEqual([{ labelKey: "Config.Checklist.PostToUrl.Url", value: "https://<POST_USERNAME>:<POST_PASSWORD>@<integration-service-host>/api/integration", complete: false }]);
    expect(postToUrl(state)?.noteKeys).toContain("Config.Checklist.PostToUrl.NoService");
    state = after(state, typed("serviceUrl", "https://integration.contoso.com:8443/"));
    expect(postToUrl(state)?.values).toEqual([{ labelKey: "Config.Checklist.PostToUrl.Url", value: "https://<POST_USERNAME>:<POST_PASSWORD>@integration.contoso.com:8443/api/integration", complete: true }]);
    expect(postToUrl(state)?.noteKeys).not.toContain("Config.Checklist.PostToUrl.NoService");
  });

  it("shows the Dynamics URL and tenant as on the page, copyable once valid", () => {
    const state = after(loaded(), typed("tenantId", `{${TENANT}}`), { type: "organisationUrlUsed" });
    const values = checklistItems(state).find((item) => item.id === "applicationuser")?.values ?? [];
    expect(values.find((value) => value.labelKey === "Config.Checklist.AppUser.TenantId")).toEqual({ labelKey: "Config.Checklist.AppUser.TenantId", value: TENANT, complete: true });
    expect(values.find((value) => value.labelKey === "Config.Checklist.AppUser.DynamicsUrl")).toEqual({ labelKey: "Config.Checklist.AppUser.DynamicsUrl", value: ORGANISATION_URL, complete: true });
  });

  it("Copy: 'Copied' for a while and announced with the value's label; when nothing can copy, says to copy by hand", () => {
    let state = after(loaded(), { type: "valueCopied", labelKey: "Config.Checklist.AppUser.Role", label: "Security role" });
    expect(state.copy).toEqual({ copied: ["Config.Checklist.AppUser.Role"], announcement: { key: "Config.Checklist.CopiedValue", args: ["Security role"] } });
    state = after(state, { type: "valueCopied", labelKey: "Config.Checklist.Agents.Role", label: "Agents' role" }, { type: "copiedShown", labelKey: "Config.Checklist.AppUser.Role" });
    expect(state.copy.copied).toEqual(["Config.Checklist.Agents.Role"]);
    state = after(state, { type: "copyFailed" });
    expect(state.copy.announcement).toEqual({ key: "Config.Checklist.CopyManual", args: [] });
  });
});
