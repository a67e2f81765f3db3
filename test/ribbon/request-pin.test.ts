/**
 * The Request PIN command end to end in Node: the real pair of entry files (the flow,
 * `pin.request.ts`, installed on the global namespace as the command's first action makes the
 * platform do, and `case.ribbon.ts`, whose `requestPin` hands the click over to it), xrm-mock for
 * the Case form and the dialogs, Dataverse behind Xrm.WebApi spies, and Rescue as a real HTTP
 * server that parses the form bodies the real client posts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Configuration, UserSettings } from "../../src/model/schema";
import { decodePinDialogData } from "../../src/pin/dialog-data";
import { FLOW_MISSING_DETAIL } from "../../src/pin/handoff";
import { PIN_NOTIFICATION_ID } from "../../src/pin/notification";
import { DEFAULT_RESCUE_TIMEOUT_MS } from "../../src/rescue/client";
import { RESCUE_WORDS } from "../../src/rescue/replies";
import { resxStrings } from "../helpers/xrm";
import {
  CASE_ID,
  CONTACT_ID,
  NEW_SETTINGS_ID,
  SETTINGS_ID,
  SSO_PASSWORD,
  STORED_AUTH_CODE,
  USER_EMAIL,
  USER_ID,
  navigation,
  openCase,
  platformError,
  type CaseOptions,
} from "./support/case-fixture";
import { DROP, HANG, RescueFake, type RescueReply } from "./support/rescue-fake";
import { captureConsole, installFlow, loadFlow, loadRibbon, session } from "./support/run";

const rescue = new RescueFake();
const FRESH_AUTH_CODE = "fresh-auth-code-7f3e9a";
const en = resxStrings(1033);
const nl = resxStrings(1043);
const text = (key: string, lcid: 1033 | 1043 = 1033): string => {
  const value = (lcid === 1033 ? en : nl).get(key);
  if (!value) throw new Error(`no string ${key} in ${lcid}`);
  return value;
};

beforeAll(async () => {
  await rescue.start();
});
afterAll(async () => {
  await rescue.close();
});
beforeEach(() => {
  rescue.reset();
});

/** A saved Case whose form shows the customer, the Case number and the customer's email. */
function open(options: Partial<CaseOptions> = {}): ReturnType<typeof openCase> {
  return openCase({ endpoint: rescue.endpoint, ticketNumber: "CAS-01001-Z8K4P2", formEmail: "jan.devries@example.nl", ...options });
}

/** Clicks Request PIN once through the freshly loaded pair (case.ribbon.ts → pin.request.ts). */
async function click(form: Xrm.FormContext): Promise<void> {
  const ribbon = await loadRibbon();
  await ribbon.requestPin(form);
}

function errorMessages(): string[] {
  return navigation().errorDialogCalls.map((call) => call.errorOptions.message ?? "");
}

describe("Request PIN: success", () => {
  it("posts the form-encoded request DESIGN §7 describes and opens the PIN dialog", async () => {
    const fixture = open();
    await click(fixture.form);

    const [call, ...more] = rescue.calls;
    expect(more).toEqual([]);
    expect(call?.method).toBe("requestPINCode");
    expect(call?.httpMethod).toBe("POST");
    expect(call?.url).toBe("/API/requestPINCode.aspx");
    expect(call?.contentType).toBe("application/x-www-form-urlencoded; charset=UTF-8");
    expect(call?.fields).toEqual({
      cfield0: "Jan de Vries",
      cfield1: "jan.devries@example.nl",
      cfield2: "CAS-01001-Z8K4P2",
      tracking0: CASE_ID,
      notechconsole: "1",
      authcode: STORED_AUTH_CODE,
      NodeId: "4242",
    });

    const [dialog, ...otherDialogs] = navigation().navigateToCalls;
    expect(otherDialogs).toEqual([]);
    expect(dialog?.pageInput).toMatchObject({ pageType: "webresource", webresourceName: "lmi_/pages/pin.html" });
    expect(dialog?.navigationOptions).toMatchObject({ target: 2, position: 1, title: text("Ribbon.Dialog.Title") });
    const data = decodePinDialogData(dialog?.pageInput.data);
    expect(data).toMatchObject({ pin: "012345", caseId: CASE_ID, caseNumber: "CAS-01001-Z8K4P2", customer: { id: CONTACT_ID, entityType: "contact" } });
    expect(Date.parse(data?.generatedAt ?? "")).toBeGreaterThan(Date.now() - 60_000);

    expect(errorMessages()).toEqual([]);
    expect(fixture.notifications()).toEqual([]);
    expect(fixture.progress.shown).toEqual([text("Ribbon.Progress")]);
    expect(fixture.progress.closed).toBe(1);
    expect(fixture.writes()).toEqual([]);
  });

  it("keeps the PIN a zero-padded string and accepts a space after the colon", async () => {
    rescue.reply("requestPINCode", "OK PINCODE: 000042\n");
    await click(open().form);
    expect(decodePinDialogData(navigation().navigateToCalls[0]?.pageInput.data)?.pin).toBe("000042");
  });

  it("sends tracking0 as the Case id in lower case without braces", async () => {
    await click(open().form);
    expect(rescue.calls[0]?.fields.tracking0).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(rescue.calls[0]?.fields.tracking0).toBe(CASE_ID);
  });

  it.each([
    [true, "0"],
    [false, "1"],
  ])("maps Require active Tech Console = %s to notechconsole=%s", async (required, expected) => {
    await click(open({ configuration: { [Configuration.fields.requireActiveTechConsole]: required } }).form);
    expect(rescue.calls[0]?.fields.notechconsole).toBe(expected);
  });

  it("sends the customer's email in cfield1, or nothing when the admin opted out", async () => {
    await click(open({ formEmail: undefined, customerEmail: "klant@voorbeeld.nl" }).form);
    expect(rescue.calls[0]?.fields.cfield1).toBe("klant@voorbeeld.nl");

    rescue.reset();
    const optedOut = open({ formEmail: undefined, configuration: { [Configuration.fields.doNotPassCField1]: true } });
    await click(optedOut.form);
    expect(rescue.calls[0]?.fields.cfield1).toBe("");
    expect(rescue.calls[0]?.fields.cfield0).toBe("Jan de Vries");
  });

  it("truncates to Rescue's limits without splitting a character", async () => {
    const name = `${"a".repeat(62)}é😀 and more`; // é is one code unit, 😀 two: 62 + 1 + 2 > 64
    const email = `${"x".repeat(509)}👩‍💻@example.nl`;
    await click(open({ customerName: name, formEmail: email }).form);
    const fields = rescue.calls[0]?.fields ?? {};
    expect(fields.cfield0).toBe(`${"a".repeat(62)}é`);
    expect(fields.cfield1).toBe("x".repeat(509));
    expect(fields.cfield0?.length).toBeLessThanOrEqual(64);
    expect(fields.cfield1?.length).toBeLessThanOrEqual(512);
    expect(fields.cfield0).not.toMatch(/[\uD800-\uDBFF]$/);
  });

  it("leaves NodeId out when the technician id is empty and getAccount has none", async () => {
    rescue.reply("getAccount", "OK AccountID:7 Organization:Contoso AdminID:3 TechID:0 Email:dana@contoso.com");
    await click(open({ settings: { [UserSettings.fields.techId]: null, [UserSettings.fields.authCode]: null } }).form);
    const pin = rescue.callsTo("requestPINCode")[0];
    expect(pin?.fields).not.toHaveProperty("NodeId");
  });

  it("saves a dirty form first, then requests the PIN", async () => {
    const fixture = open({ dirty: true });
    let rescueCallsWhenSaved = -1;
    fixture.save.mockImplementationOnce(() => {
      rescueCallsWhenSaved = rescue.calls.length;
      return Promise.resolve();
    });
    await click(fixture.form);
    expect(fixture.save).toHaveBeenCalledTimes(1);
    expect(rescueCallsWhenSaved).toBe(0);
    expect(rescue.callsTo("requestPINCode")).toHaveLength(1);
    expect(navigation().navigateToCalls).toHaveLength(1);
  });

  it("stops with a clear message when the dirty form cannot be saved", async () => {
    const fixture = open({ dirty: true, saveFails: true });
    await captureConsole(() => click(fixture.form));
    expect(rescue.calls).toEqual([]);
    expect(errorMessages()).toEqual([text("Ribbon.Error.notSaved")]);
    expect(fixture.progress.closed).toBe(fixture.progress.shown.length);
  });

  it("speaks Dutch to a Dutch user", async () => {
    const fixture = open({ languageId: 1043 });
    await click(fixture.form);
    expect(fixture.progress.shown).toEqual([text("Ribbon.Progress", 1043)]);
    expect(navigation().navigateToCalls[0]?.navigationOptions.title).toBe(text("Ribbon.Dialog.Title", 1043));
  });
});

describe("Request PIN: auth codes", () => {
  it("bootstraps a missing auth code with the company SSO settings, fills in the technician id and stores both in one write", async () => {
    const fixture = open({ settings: { [UserSettings.fields.authCode]: null, [UserSettings.fields.techId]: "" } });
    await click(fixture.form);

    expect(rescue.calls.map((call) => call.method)).toEqual(["requestAuthCodeSSO", "getAccount", "requestPINCode"]);
    expect(rescue.calls[0]?.fields).toEqual({ ssoid: "dana.sso", pwd: SSO_PASSWORD, company: "1234567" });
    expect(rescue.calls[0]?.url).toBe("/API/requestAuthCodeSSO.aspx");
    expect(rescue.calls[1]?.fields).toEqual({ authcode: FRESH_AUTH_CODE });
    expect(rescue.calls[2]?.fields).toMatchObject({ authcode: FRESH_AUTH_CODE, NodeId: "4242" });
    expect(fixture.writes()).toEqual([
      { operation: "updateRecord", entity: UserSettings.entity, id: SETTINGS_ID, data: { [UserSettings.fields.authCode]: FRESH_AUTH_CODE, [UserSettings.fields.techId]: "4242" } },
    ]);
    expect(navigation().navigateToCalls).toHaveLength(1);
  });

  it("does not ask getAccount when the technician id is known", async () => {
    const fixture = open({ settings: { [UserSettings.fields.authCode]: "" } });
    await click(fixture.form);
    expect(rescue.calls.map((call) => call.method)).toEqual(["requestAuthCodeSSO", "requestPINCode"]);
    expect(fixture.writes()[0]?.data).toEqual({ [UserSettings.fields.authCode]: FRESH_AUTH_CODE });
  });

  it("never requests a new auth code while the stored one works", async () => {
    await click(open().form);
    expect(rescue.callsTo("requestAuthCodeSSO")).toEqual([]);
  });

  it("on INVALID_SECRETAUTHCODE fetches exactly one new code, stores it and retries once", async () => {
    rescue.reply("requestPINCode", "INVALID_SECRETAUTHCODE");
    const fixture = open();
    await click(fixture.form);
    expect(rescue.calls.map((call) => call.method)).toEqual(["requestPINCode", "requestAuthCodeSSO", "requestPINCode"]);
    expect(rescue.calls[0]?.fields.authcode).toBe(STORED_AUTH_CODE);
    expect(rescue.calls[2]?.fields.authcode).toBe(FRESH_AUTH_CODE);
    expect(fixture.settingsRow()?.[UserSettings.fields.authCode]).toBe(FRESH_AUTH_CODE);
    expect(navigation().navigateToCalls).toHaveLength(1);
    expect(errorMessages()).toEqual([]);
  });

  it("gives up after one refresh and one retry (no loop)", async () => {
    rescue.defaults.requestPINCode = "INVALID_SECRETAUTHCODE";
    const fixture = open();
    await captureConsole(() => click(fixture.form));
    expect(rescue.calls.map((call) => call.method)).toEqual(["requestPINCode", "requestAuthCodeSSO", "requestPINCode"]);
    expect(errorMessages()).toEqual([text("Ribbon.Error.INVALID_SECRETAUTHCODE")]);
  });

  it("does not refresh a code it has just obtained", async () => {
    rescue.defaults.requestPINCode = "INVALID_SECRETAUTHCODE";
    await captureConsole(() => click(open({ settings: { [UserSettings.fields.authCode]: "" } }).form));
    expect(rescue.calls.map((call) => call.method)).toEqual(["requestAuthCodeSSO", "requestPINCode"]);
    expect(errorMessages()).toEqual([text("Ribbon.Error.INVALID_SECRETAUTHCODE")]);
  });

  it("uses the user's primary email when the SSO id is empty", async () => {
    const fixture = open({ settings: { [UserSettings.fields.authCode]: "", [UserSettings.fields.ssoId]: "" } });
    await click(fixture.form);
    expect(rescue.calls[0]?.fields.ssoid).toBe(USER_EMAIL);
    expect(navigation().navigateToCalls).toHaveLength(1);
  });

  it.each(["INVALID", "INVALIDSSOID"])("says so when Rescue rejects the email used as SSO id (%s)", async (word) => {
    rescue.reply("requestAuthCodeSSO", word);
    const fixture = open({ settings: { [UserSettings.fields.authCode]: "", [UserSettings.fields.ssoId]: "" } });
    await captureConsole(() => click(fixture.form));
    const expected = text("Ribbon.Error.INVALID.Email").replace("{0}", USER_EMAIL);
    expect(errorMessages()).toEqual([expected]);
    expect(fixture.notifications()[0]).toMatchObject({ level: "ERROR", uniqueId: PIN_NOTIFICATION_ID });
    expect(fixture.notifications()[0]?.message).toContain(expected);
  });

  it("blames the company id, not the email used as SSO id, on INVALIDPARAM_COMPANY", async () => {
    rescue.reply("requestAuthCodeSSO", "INVALIDPARAM_COMPANY");
    await captureConsole(() => click(open({ settings: { [UserSettings.fields.authCode]: "", [UserSettings.fields.ssoId]: "" } }).form));
    expect(errorMessages()).toEqual([text("Ribbon.Error.INVALIDPARAM_COMPANY")]);
  });

  it.each([
    ["INVALID", "Ribbon.Error.INVALID"],
    ["INVALIDPARAM_COMPANY", "Ribbon.Error.INVALIDPARAM_COMPANY"],
    ["INVALIDSSOID", "Ribbon.Error.INVALIDSSOID"],
    ["ERROR", "Ribbon.Error.ERROR"],
  ])("explains requestAuthCodeSSO's %s", async (word, key) => {
    rescue.reply("requestAuthCodeSSO", word);
    await captureConsole(() => click(open({ settings: { [UserSettings.fields.authCode]: "" } }).form));
    expect(errorMessages()).toEqual([text(key)]);
    expect(rescue.callsTo("requestPINCode")).toEqual([]);
  });

  it("asks for the company SSO password when the agent may not read it", async () => {
    await captureConsole(() => click(open({ settings: { [UserSettings.fields.authCode]: "" }, configuration: { [Configuration.fields.ssoPassword]: null } }).form));
    expect(errorMessages()).toEqual([text("Ribbon.Error.ssoPasswordUnavailable")]);
    expect(rescue.calls).toEqual([]);
  });

  it("names a missing company id", async () => {
    await captureConsole(() => click(open({ settings: { [UserSettings.fields.authCode]: "" }, configuration: { [Configuration.fields.companyId]: "" } }).form));
    expect(errorMessages()).toEqual([text("Ribbon.Error.configIncomplete").replace("{0}", text("Ribbon.Field.companyId"))]);
  });

  it("asks for an SSO id when there is neither one nor a user email", async () => {
    await captureConsole(() => click(open({ userEmail: "", settings: { [UserSettings.fields.authCode]: "", [UserSettings.fields.ssoId]: "" } }).form));
    expect(errorMessages()).toEqual([text("Ribbon.Error.ssoIdMissing")]);
    expect(rescue.calls).toEqual([]);
  });

  it("still gives the PIN when the new auth code cannot be stored, and says why in the console", async () => {
    const fixture = open({ settings: { [UserSettings.fields.authCode]: "" } });
    fixture.failNext("updateRecord");
    const { output } = await captureConsole(() => click(fixture.form));
    expect(navigation().navigateToCalls).toHaveLength(1);
    expect(output).toContain("storing the user settings");
  });
});

describe("Request PIN: POLLRATEEXCEEDED", () => {
  it("retries once after a little over a second (the real default)", async () => {
    rescue.reply("requestPINCode", "POLLRATEEXCEEDED");
    await click(open().form);
    const [first, second, ...more] = rescue.callsTo("requestPINCode");
    expect(more).toEqual([]);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1_000);
    expect(navigation().navigateToCalls).toHaveLength(1);
  });

  it("explains when the retry is rate-limited too", async () => {
    rescue.defaults.requestPINCode = "POLLRATEEXCEEDED";
    const fixture = open();
    await captureConsole(() => session({ pollRetryDelayMs: 5 })(fixture.form));
    expect(rescue.callsTo("requestPINCode")).toHaveLength(2);
    expect(errorMessages()).toEqual([text("Ribbon.Error.POLLRATEEXCEEDED")]);
  });
});

describe("Request PIN: every Rescue reply has its own message", () => {
  const words = RESCUE_WORDS.filter((word) => word !== "POLLRATEEXCEEDED" && word !== "INVALID_SECRETAUTHCODE");

  it.each(words)("requestPINCode answers %s", async (word) => {
    rescue.defaults.requestPINCode = `${word}\r\n`;
    const fixture = open();
    await captureConsole(() => session({ pollRetryDelayMs: 1 })(fixture.form));
    const message = text(`Ribbon.Error.${word}`);
    expect(errorMessages()).toEqual([message]);
    expect(fixture.notifications()).toEqual([{ message: text("Ribbon.Notification").replace("{0}", message), level: "ERROR", uniqueId: PIN_NOTIFICATION_ID }]);
    expect(navigation().navigateToCalls).toEqual([]);
    expect(fixture.progress.closed).toBe(fixture.progress.shown.length);
  });

  it("has a different message for every word, in English and in Dutch", () => {
    const keys = [...RESCUE_WORDS.map((word) => `Ribbon.Error.${word}`), "Ribbon.Error.rescueUnknown", "Ribbon.Error.network", "Ribbon.Error.timeout", "Ribbon.Error.http"];
    for (const strings of [en, nl]) {
      const messages = keys.map((key) => strings.get(key));
      expect(messages.every(Boolean)).toBe(true);
      expect(new Set(messages).size).toBe(keys.length);
    }
  });

  it.each([
    ["INVALIDPINFORMAT", "INVALIDPINFORMAT"],
    ["<html><body>Service Unavailable</body></html>", "?"],
    ["OK PINCODE:12345", "OK"],
  ])("shows an unknown answer (%s) as such", async (body, shown) => {
    rescue.defaults.requestPINCode = body;
    await captureConsole(() => click(open().form));
    expect(errorMessages()).toEqual([text("Ribbon.Error.rescueUnknown").replace("{0}", shown)]);
  });

  it("answers in Dutch for a Dutch user", async () => {
    rescue.defaults.requestPINCode = "NOTECHCONSOLERUNNING";
    await captureConsole(() => click(open({ languageId: 1043 }).form));
    expect(errorMessages()).toEqual([text("Ribbon.Error.NOTECHCONSOLERUNNING", 1043)]);
  });
});

describe("Request PIN: transport and Dataverse failures", () => {
  it("explains a network failure", async () => {
    rescue.defaults.requestPINCode = DROP;
    const fixture = open();
    const { output } = await captureConsole(() => click(fixture.form));
    expect(errorMessages()).toEqual([text("Ribbon.Error.network")]);
    expect(output).toContain("Rescue requestPINCode: network");
    expect(fixture.progress.closed).toBe(1);
  });

  it("explains an endpoint that does not answer at all", async () => {
    const fixture = openCase({ endpoint: "http://127.0.0.1:9/API", ticketNumber: "CAS-1", formEmail: "a@b.nl" });
    await captureConsole(() => click(fixture.form));
    expect(errorMessages()).toEqual([text("Ribbon.Error.network")]);
  });

  it("gives up after the timeout (20 s by default; shortened here)", async () => {
    expect(DEFAULT_RESCUE_TIMEOUT_MS).toBe(20_000);
    rescue.defaults.requestPINCode = HANG;
    const fixture = open();
    const started = performance.now();
    await captureConsole(() => session({ timeoutMs: 1_000 })(fixture.form));
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(errorMessages()).toEqual([text("Ribbon.Error.timeout").replace("{0}", "1")]);
    expect(fixture.progress.closed).toBe(1);
  });

  it("explains an HTTP error from the endpoint", async () => {
    rescue.defaults.requestPINCode = { status: 503, body: "Service Unavailable" };
    await captureConsole(() => click(open().form));
    expect(errorMessages()).toEqual([text("Ribbon.Error.http").replace("{0}", "503")]);
  });

  it("explains a Dataverse error and puts the platform's detail in the console", async () => {
    const fixture = open();
    fixture.failNext("retrieveMultipleRecords");
    const { output } = await captureConsole(() => click(fixture.form));
    expect(errorMessages()).toEqual([text("Ribbon.Error.dataverse")]);
    expect(output).toContain("prvReadlmi_usersettings");
    expect(rescue.calls).toEqual([]);
    expect(fixture.progress.closed).toBe(1);
  });
});

describe("Request PIN: configuration and user settings", () => {
  it("says the integration is not configured yet", async () => {
    const fixture = open({ configuration: null });
    await captureConsole(() => click(fixture.form));
    expect(errorMessages()).toEqual([text("Ribbon.Error.notConfigured")]);
    expect(rescue.calls).toEqual([]);
  });

  it("names a missing endpoint", async () => {
    await captureConsole(() => click(open({ configuration: { [Configuration.fields.endpoint]: "  " } }).form));
    expect(errorMessages()).toEqual([text("Ribbon.Error.configIncomplete").replace("{0}", text("Ribbon.Field.endpoint"))]);
  });

  it("creates the user's empty settings row, says what is missing and offers to open it", async () => {
    const fixture = open({ settings: null });
    await captureConsole(() => click(fixture.form));

    expect(fixture.writes()).toEqual([
      {
        operation: "createRecord",
        entity: UserSettings.entity,
        data: { [UserSettings.fields.name]: "Dana Agent", [`${UserSettings.userIdNavigation}@odata.bind`]: `/systemusers(${USER_ID})` },
      },
    ]);
    const missing = `${text("Ribbon.Field.techId")}, ${text("Ribbon.Field.ssoId")}`;
    const message = text("Ribbon.Error.userSettingsCreated").replace("{0}", missing);
    expect(fixture.notifications()).toEqual([{ message: text("Ribbon.Notification").replace("{0}", message), level: "WARNING", uniqueId: PIN_NOTIFICATION_ID }]);
    expect(navigation().confirmDialogCalls[0]?.confirmStrings).toMatchObject({ text: message, confirmButtonLabel: text("Ribbon.UserSettings.Open") });
    expect(navigation().formCalls[0]?.entityFormOptions).toEqual({ entityName: UserSettings.entity, entityId: NEW_SETTINGS_ID });
    expect(rescue.calls).toEqual([]);
  });

  it("on the next click reads the new row again and gets going with the user's email", async () => {
    const fixture = open({ settings: null });
    const ribbon = await loadRibbon();
    await captureConsole(() => ribbon.requestPin(fixture.form));
    await ribbon.requestPin(fixture.form);
    expect(fixture.reads().filter((call) => call.entity === UserSettings.entity)).toHaveLength(2);
    expect(rescue.calls.map((call) => call.method)).toEqual(["requestAuthCodeSSO", "getAccount", "requestPINCode"]);
    expect(rescue.calls[0]?.fields.ssoid).toBe(USER_EMAIL);
    expect(fixture.settingsRow()).toMatchObject({ [UserSettings.fields.authCode]: FRESH_AUTH_CODE, [UserSettings.fields.techId]: "4242" });
    expect(fixture.notifications()).toEqual([]);
    expect(navigation().navigateToCalls).toHaveLength(1);
  });
});

describe("Request PIN: one at a time, and request counts", () => {
  it("ignores a second click while a request is running", async () => {
    rescue.reply("requestPINCode", HANG);
    const fixture = open();
    const ribbon = await loadRibbon();
    const first = ribbon.requestPin(fixture.form);
    await rescue.waitForCalls("requestPINCode");
    await ribbon.requestPin(fixture.form); // returns at once: nothing starts
    expect(fixture.progress.shown).toHaveLength(1);
    expect(rescue.calls).toHaveLength(1);
    rescue.answerHung("OK PINCODE:654321");
    await first;
    expect(rescue.callsTo("requestPINCode")).toHaveLength(1);
    expect(navigation().navigateToCalls).toHaveLength(1);
    expect(decodePinDialogData(navigation().navigateToCalls[0]?.pageInput.data)?.pin).toBe("654321");
  });

  it("ignores a double click (both clicks before the first request ends)", async () => {
    const fixture = open();
    const ribbon = await loadRibbon();
    await Promise.all([ribbon.requestPin(fixture.form), ribbon.requestPin(fixture.form)]);
    expect(rescue.callsTo("requestPINCode")).toHaveLength(1);
    expect(navigation().navigateToCalls).toHaveLength(1);
    expect(fixture.progress.shown).toHaveLength(1);
  });

  it("first click: 2 Dataverse reads + 1 Rescue call; a repeat click: exactly 1 HTTP request in total", async () => {
    const fixture = open();
    const ribbon = await loadRibbon();
    await ribbon.requestPin(fixture.form);
    expect(fixture.reads().map((call) => call.entity)).toEqual([Configuration.entity, UserSettings.entity]);
    expect(fixture.writes()).toEqual([]);
    expect(rescue.calls).toHaveLength(1);

    fixture.calls.length = 0;
    rescue.reset();
    await new Promise((resolve) => setTimeout(resolve, 1_050)); // Rescue: one PIN per second
    await ribbon.requestPin(fixture.form);
    expect(fixture.calls).toEqual([]);
    expect(rescue.calls.map((call) => call.method)).toEqual(["requestPINCode"]);
    expect(navigation().navigateToCalls).toHaveLength(2);
  });

  it("with the auth code bootstrap: 2 reads, the bootstrap calls and their one write", async () => {
    const fixture = open({ settings: { [UserSettings.fields.authCode]: "" } });
    await click(fixture.form);
    expect(fixture.reads()).toHaveLength(2);
    expect(fixture.writes()).toHaveLength(1);
    expect(rescue.calls.map((call) => call.method)).toEqual(["requestAuthCodeSSO", "requestPINCode"]);
  });

  it("when the form does not show the customer's email: one read of the Case, cached for the repeat click", async () => {
    const fixture = open({ formEmail: undefined, ticketNumber: undefined, customerEmail: "klant@voorbeeld.nl" });
    const ribbon = await loadRibbon();
    await ribbon.requestPin(fixture.form);
    expect(fixture.reads().map((call) => call.entity)).toEqual([Configuration.entity, UserSettings.entity, "incident"]);
    expect(rescue.calls[0]?.fields).toMatchObject({ cfield1: "klant@voorbeeld.nl", cfield2: "CAS-01001-Z8K4P2" });

    fixture.calls.length = 0;
    rescue.reset();
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    await ribbon.requestPin(fixture.form);
    expect(fixture.calls).toEqual([]);
    expect(rescue.calls).toHaveLength(1);
    expect(rescue.calls[0]?.fields).toMatchObject({ cfield1: "klant@voorbeeld.nl", cfield2: "CAS-01001-Z8K4P2" });
  });

  it("a repeat click sends what the form shows now (edited name and email), still without a read", async () => {
    const fixture = open({ ticketNumber: undefined });
    const ribbon = await loadRibbon();
    await ribbon.requestPin(fixture.form);
    expect(fixture.reads().map((call) => call.entity)).toEqual([Configuration.entity, UserSettings.entity, "incident"]);

    fixture.form.getAttribute<Xrm.Attributes.LookupAttribute>("customerid").setValue([{ id: `{${CONTACT_ID}}`, name: "Jan de Vries-Bakker", entityType: "contact" }]);
    fixture.form.getAttribute<Xrm.Attributes.StringAttribute>("emailaddress").setValue("jan.bakker@example.nl");
    fixture.calls.length = 0;
    rescue.reset();
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    await ribbon.requestPin(fixture.form);
    expect(fixture.calls).toEqual([]);
    expect(rescue.calls[0]?.fields).toMatchObject({ cfield0: "Jan de Vries-Bakker", cfield1: "jan.bakker@example.nl", cfield2: "CAS-01001-Z8K4P2" });
  });

  it("reads everything again after a failure, so that a fix made meanwhile counts", async () => {
    rescue.reply("requestPINCode", "NOTTECHNICIAN");
    const fixture = open();
    const ribbon = await loadRibbon();
    await captureConsole(() => ribbon.requestPin(fixture.form));
    await ribbon.requestPin(fixture.form);
    expect(fixture.reads()).toHaveLength(4);
    expect(navigation().navigateToCalls).toHaveLength(1);
    expect(fixture.notifications()).toEqual([]);
  });
});

describe("Request PIN: secrets", () => {
  const secrets = [SSO_PASSWORD, STORED_AUTH_CODE, FRESH_AUTH_CODE];

  it("never shows or logs the SSO password or an auth code, whatever fails", async () => {
    const scenarios: { name: string; options?: Partial<CaseOptions>; setUp?: (fixture: ReturnType<typeof openCase>) => void; replies?: [string, ...RescueReply[]][] }[] = [
      { name: "rejected auth code twice", replies: [["requestPINCode", "INVALID_SECRETAUTHCODE", "INVALID_SECRETAUTHCODE"]] },
      { name: "SSO rejected", options: { settings: { [UserSettings.fields.authCode]: "" } }, replies: [["requestAuthCodeSSO", "INVALID"]] },
      { name: "network", replies: [["requestPINCode", DROP]] },
      { name: "unknown word", replies: [["requestPINCode", "SOMETHINGNEW"]] },
      {
        name: "store fails with a message that echoes the code",
        options: { settings: { [UserSettings.fields.authCode]: "" } },
        setUp: (fixture) => {
          (Xrm.WebApi.updateRecord as unknown as { mockImplementationOnce(fn: () => Promise<never>): void }).mockImplementationOnce(() =>
            platformError(-1, `Value ${FRESH_AUTH_CODE} for lmi_authcode is invalid (pwd ${SSO_PASSWORD})`),
          );
          void fixture;
        },
        replies: [["requestPINCode", "NOTTECHNICIAN"]],
      },
      { name: "Dataverse read fails", setUp: (fixture) => fixture.failNext("retrieveRecord"), options: { formEmail: undefined } },
    ];
    for (const scenario of scenarios) {
      rescue.reset();
      for (const [method, ...replies] of scenario.replies ?? []) rescue.reply(method, ...replies);
      const fixture = open(scenario.options);
      scenario.setUp?.(fixture);
      const { output } = await captureConsole(() => click(fixture.form));
      const shown = JSON.stringify({
        dialogs: navigation().errorDialogCalls,
        confirms: navigation().confirmDialogCalls,
        notifications: fixture.notifications(),
        navigate: navigation().navigateToCalls,
      });
      expect(output, scenario.name).not.toBe("");
      for (const secret of secrets) {
        expect(output, `${scenario.name}: console`).not.toContain(secret);
        expect(shown, `${scenario.name}: UI`).not.toContain(secret);
      }
      for (const call of rescue.calls) for (const secret of secrets) expect(call.url, scenario.name).not.toContain(secret);
    }
  });
});

describe("Request PIN: the hand-off from case.ribbon.js to pin.request.js", () => {
  it.each([1033, 1043] as const)("without the flow library: a localized message, form notification and error dialog; nothing thrown (%s)", async (languageId) => {
    const fixture = open({ languageId });
    const ribbon = await loadRibbon({ flow: false });
    const { result, output } = await captureConsole(() => ribbon.requestPin(fixture.form));

    expect(result).toBeUndefined();
    const message = text("Ribbon.Error.flowNotLoaded", languageId);
    expect(message).toContain("lmi_/scripts/pin.request.js");
    expect(navigation().errorDialogCalls).toEqual([{ errorOptions: { message, details: FLOW_MISSING_DETAIL } }]);
    expect(fixture.notifications()).toEqual([{ message: text("Ribbon.Notification", languageId).replace("{0}", message), level: "ERROR", uniqueId: PIN_NOTIFICATION_ID }]);
    expect(output).toContain("LogMeInRescue.Pin.Request.requestPin is not defined");
    expect(output).toContain("LogMeInRescue.Pin.Request.load");
    expect(fixture.calls).toEqual([]);
    expect(rescue.calls).toEqual([]);
    expect(fixture.progress.shown).toEqual([]);
    expect(navigation().navigateToCalls).toEqual([]);
  });

  it("finds the flow at the click, so pin.request.js may load after case.ribbon.js (as the command does), and clears the earlier failure", async () => {
    const fixture = open();
    const ribbon = await loadRibbon({ flow: false });
    await captureConsole(() => ribbon.requestPin(fixture.form));
    expect(fixture.notifications()).toHaveLength(1);

    installFlow(await loadFlow()); // the command's first action: the platform loads pin.request.js
    await ribbon.requestPin(fixture.form);
    expect(rescue.callsTo("requestPINCode")).toHaveLength(1);
    expect(decodePinDialogData(navigation().navigateToCalls[0]?.pageInput.data)?.pin).toBe("012345");
    expect(fixture.notifications()).toEqual([]);
    expect(navigation().errorDialogCalls).toHaveLength(1);
  });

  it("a flow library that rejects (one that does not match this version) ends in the unexpected-error message, nothing thrown", async () => {
    const fixture = open();
    const ribbon = await loadRibbon({ flow: false });
    installFlow({ requestPin: () => Promise.reject(new TypeError("session is not a function")) });
    const { result, output } = await captureConsole(() => ribbon.requestPin(fixture.form));
    expect(result).toBeUndefined();
    expect(errorMessages()).toEqual([text("Ribbon.Error.unexpected")]);
    expect(navigation().errorDialogCalls[0]?.errorOptions.details).toContain("session is not a function");
    expect(fixture.notifications()[0]).toMatchObject({ level: "ERROR", uniqueId: PIN_NOTIFICATION_ID });
    expect(output).toContain("LogMeInRescue.Pin.Request.requestPin failed: session is not a function");
  });

  it("load() does nothing: touches no Xrm, makes no request, shows nothing", async () => {
    const fixture = open();
    const flow = await loadFlow();
    const xrm = globalThis.Xrm;
    const realFetch = globalThis.fetch;
    const touched: string[] = [];
    try {
      Reflect.deleteProperty(globalThis, "Xrm");
      globalThis.fetch = () => {
        touched.push("fetch");
        return Promise.reject(new Error("no request expected"));
      };
      const { result, output } = await captureConsole(() => Promise.resolve(flow.load()));
      expect(result).toBeUndefined();
      expect(output).toBe("");
    } finally {
      globalThis.Xrm = xrm;
      globalThis.fetch = realFetch;
    }
    expect(flow.load).toHaveLength(0);
    expect(touched).toEqual([]);
    expect(fixture.calls).toEqual([]);
    expect(fixture.notifications()).toEqual([]);
    expect(fixture.progress.shown).toEqual([]);
    expect(rescue.calls).toEqual([]);
    expect(navigation().navigateToCalls).toEqual([]);
    expect(navigation().errorDialogCalls).toEqual([]);
  });
});
