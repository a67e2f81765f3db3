/**
 * The Request PIN command end to end in Node: the real pair of entry files (the flow,
 * `pin.request.ts`, installed on the global namespace as the command's first action makes the
 * platform do, and `case.ribbon.ts`, whose `requestPin` hands the click over to it), xrm-mock for
 * the Case form and the dialogs, Dataverse behind Xrm.WebApi spies, and the integration service's
 * PIN broker behind a fake `fetch` that records what the browser really sends.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Configuration, Incident, PinRequest, UserSettings } from "../../src/model/schema";
import { DEFAULT_SERVICE_TIMEOUT_MS } from "../../src/pin/broker-client";
import { decodePinDialogData } from "../../src/pin/dialog-data";
import { FLOW_MISSING_DETAIL } from "../../src/pin/handoff";
import { PIN_NOTIFICATION_ID } from "../../src/pin/notification";
import { PIN_BROKER_REFUSALS, PIN_NONCE_PATTERN, RESCUE_WORD_STATUS } from "../../src/pin/protocol";
import { resxStrings } from "../helpers/xrm";
import { BrokerFake, refusal, SUCCESS, type BrokerReply } from "./support/broker-fake";
import { CASE_ID, CONTACT_ID, navigation, openCase, ORIGIN, SERVICE_URL, SETTINGS_ID, SSO_PASSWORD, type CaseOptions } from "./support/case-fixture";
import { captureConsole, installFlow, installPage, loadFlow, loadRibbon, session } from "./support/run";

type Lcid = 1033 | 1043;
const broker = new BrokerFake();
const text = (key: string, lcid: Lcid = 1033, ...args: string[]): string => {
  const value = resxStrings(lcid).get(key);
  if (!value) throw new Error(`no string ${key} in ${lcid}`);
  return value.replace(/\{(\d+)\}/g, (whole, index: string) => args[Number(index)] ?? whole);
};

/** Every reply word of the Rescue API (DESIGN §7, reference/rescue-api.md §2–3). */
const RESCUE_WORDS = [
  "ERROR",
  "NOTLOGGEDIN",
  "NOTTECHNICIAN",
  "NOTECHCONSOLERUNNING",
  "OUTOFPINCODES",
  "POLLRATEEXCEEDED",
  "INVALID_SECRETAUTHCODE",
  "USER_IS_DELETED",
  "USER_DELETED_OR_DISABLED",
  "INVALID",
  "INVALIDSSOID",
  "INVALIDPARAM_COMPANY",
  "INVALIDPARAM_NODE",
] as const;

/** What each refusal word carries, and the message arguments it gives. */
const REFUSAL_DETAILS: Record<string, { extra?: Record<string, unknown>; args?: (lcid: Lcid) => string[] }> = {
  CONFIG_INCOMPLETE: { extra: { field: "companyId" }, args: (lcid) => [text("Ribbon.Field.companyId", lcid)] },
  RATE_LIMITED: { extra: { retryAfterSeconds: 42 }, args: () => ["42"] },
  RESCUE_HTTP: { extra: { status: 503 }, args: () => ["503"] },
  ORIGIN_NOT_ALLOWED: { args: () => [ORIGIN] },
  SSO_ID_MISSING: { extra: { settingsId: SETTINGS_ID } },
};

beforeEach(() => {
  broker.reset();
  installPage(broker);
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

/** A saved Case whose form shows the customer and the Case number. */
function open(options: CaseOptions = {}): ReturnType<typeof openCase> {
  return openCase({ ticketNumber: "CAS-01001-Z8K4P2", ...options });
}

/** Clicks Request PIN once through the freshly loaded pair (case.ribbon.ts → pin.request.ts). */
async function click(form: Xrm.FormContext): Promise<void> {
  const ribbon = await loadRibbon();
  await ribbon.requestPin(form);
}

function errorMessages(): string[] {
  return navigation().errorDialogCalls.map((call) => call.errorOptions.message ?? "");
}

/** Clicks once with `reply` as the service's answer; answers what the agent was shown. */
async function clickWith(reply: BrokerReply, lcid: Lcid = 1033): Promise<{ fixture: ReturnType<typeof openCase>; output: string }> {
  broker.reply(reply);
  const fixture = open({ languageId: lcid });
  const { output } = await captureConsole(() => click(fixture.form));
  return { fixture, output };
}

describe("Request PIN: success", () => {
  it("reads the service URL, records the PIN request, posts {requestId, nonce} to /api/pin and opens the PIN dialog", async () => {
    const fixture = open();
    await click(fixture.form);

    expect(fixture.reads()).toEqual([
      {
        operation: "retrieveMultipleRecords",
        entity: Configuration.entity,
        query: "?$select=lmi_serviceurl&$filter=statecode%20eq%200&$orderby=modifiedon%20desc&$top=1",
      },
    ]);
    const [row, ...otherRows] = fixture.pinRequests();
    expect(otherRows).toEqual([]);
    expect(fixture.writes()).toEqual([{ operation: "createRecord", entity: PinRequest.entity, data: expect.any(Object) as unknown }]);
    expect(Object.keys(row ?? {}).sort()).toEqual(["id", "lmi_caseid@odata.bind", "lmi_name", "lmi_nonce"]);
    expect(row?.["lmi_caseid@odata.bind"]).toBe(`/${Incident.entitySet}(${CASE_ID})`);
    expect(row?.lmi_name).toMatch(/^CAS-01001-Z8K4P2 \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(row?.lmi_nonce).toMatch(PIN_NONCE_PATTERN);

    const [call, ...otherCalls] = broker.calls;
    expect(otherCalls).toEqual([]);
    expect(call?.url).toBe(`${SERVICE_URL}/api/pin`);
    expect(call?.init).toMatchObject({ method: "POST", mode: "cors", credentials: "omit" });
    // The default cache mode, so that Chromium reuses the service's cached CORS preflight (no-store would skip it).
    expect(call?.init.cache).toBeUndefined();
    expect(new Headers(call?.init.headers).get("content-type")).toBe("application/json");
    expect(call?.body).toEqual({ requestId: row?.id, nonce: row?.lmi_nonce });
    expect(broker.probes).toEqual([]);

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
  });

  it("takes the Case number and customer for the dialog from the answer, falling back to the form", async () => {
    broker.reply({ status: 200, json: { pin: "000042", caseNumber: "CAS-SERVICE", customer: { entityType: "account", id: "AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE" } } });
    await click(open().form);
    expect(decodePinDialogData(navigation().navigateToCalls[0]?.pageInput.data)).toMatchObject({
      pin: "000042",
      caseNumber: "CAS-SERVICE",
      customer: { entityType: "account", id: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee" },
    });

    broker.reply({ status: 200, json: { pin: "123456", caseNumber: "", customer: null } });
    await click(open().form);
    expect(decodePinDialogData(navigation().navigateToCalls.at(-1)?.pageInput.data)).toMatchObject({
      pin: "123456",
      caseNumber: "CAS-01001-Z8K4P2",
      customer: { entityType: "contact", id: CONTACT_ID },
    });
  });

  it("names the PIN request after the Case number, else the title, else the time alone", async () => {
    const withTitle = openCase({ title: "Printer offline" });
    await click(withTitle.form);
    expect(withTitle.pinRequests()[0]?.lmi_name).toMatch(/^Printer offline \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const bare = openCase();
    await click(bare.form);
    expect(bare.pinRequests()[0]?.lmi_name).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const long = openCase({ title: "x".repeat(300) });
    await click(long.form);
    expect(String(long.pinRequests()[0]?.lmi_name)).toHaveLength(PinRequest.maxLength.name);
  });

  it("tolerates a trailing slash on the stored service URL", async () => {
    await click(open({ configuration: { [Configuration.fields.serviceUrl]: `${SERVICE_URL}/` } }).form);
    expect(broker.calls[0]?.url).toBe(`${SERVICE_URL}/api/pin`);
  });

  it("saves a dirty form first, then records the request and asks the service", async () => {
    const fixture = open({ dirty: true });
    let callsWhenSaved = -1;
    fixture.save.mockImplementationOnce(() => {
      callsWhenSaved = fixture.calls.length + broker.calls.length;
      return Promise.resolve();
    });
    await click(fixture.form);
    expect(fixture.save).toHaveBeenCalledTimes(1);
    expect(callsWhenSaved).toBe(0);
    expect(broker.calls).toHaveLength(1);
    expect(navigation().navigateToCalls).toHaveLength(1);
  });

  it("speaks Dutch to a Dutch user", async () => {
    const fixture = open({ languageId: 1043 });
    await click(fixture.form);
    expect(fixture.progress.shown).toEqual([text("Ribbon.Progress", 1043)]);
    expect(navigation().navigateToCalls[0]?.navigationOptions.title).toBe(text("Ribbon.Dialog.Title", 1043));
  });
});

describe("Request PIN: the nonce", () => {
  it("is base64url of 32 bytes from crypto.getRandomValues", async () => {
    const drawn: Uint8Array[] = [];
    const real = crypto.getRandomValues.bind(crypto);
    vi.spyOn(crypto, "getRandomValues").mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
      const filled = real(array as unknown as Uint8Array);
      drawn.push(Uint8Array.from(filled));
      return array;
    });
    const fixture = open();
    await click(fixture.form);
    expect(drawn.map((bytes) => bytes.length)).toEqual([32]);
    const nonce = String(fixture.pinRequests()[0]?.lmi_nonce);
    expect(nonce).toBe(Buffer.from(drawn[0] ?? []).toString("base64url"));
    expect(nonce).toHaveLength(43);
    expect(Buffer.from(nonce, "base64url")).toHaveLength(32);
    expect((broker.calls[0]?.body as { nonce?: string }).nonce).toBe(nonce);
  });

  it("is fresh for every click, also on the same page", async () => {
    const fixture = open();
    const ribbon = await loadRibbon();
    for (let click = 0; click < 5; click++) await ribbon.requestPin(fixture.form);
    const nonces = fixture.pinRequests().map((row) => row.lmi_nonce);
    expect(nonces).toHaveLength(5);
    expect(new Set(nonces).size).toBe(5);
    expect(broker.calls.map((call) => (call.body as { nonce?: string }).nonce)).toEqual(nonces);
  });

  it("comes from the random source it is given (not from Math.random)", async () => {
    const fixture = open();
    vi.spyOn(Math, "random").mockImplementation(() => {
      throw new Error("Math.random must not be used for the nonce");
    });
    const fixed = (bytes: Uint8Array): Uint8Array => bytes.fill(0xfb);
    await session(broker, { randomBytes: fixed })(fixture.form);
    expect(fixture.pinRequests()[0]?.lmi_nonce).toBe(Buffer.alloc(32, 0xfb).toString("base64url"));
  });
});

describe("Request PIN: no secret reaches the browser", () => {
  it("selects no secured column and no other column than the service URL", async () => {
    const fixture = open();
    await click(fixture.form);
    const queries = fixture.reads().map((call) => call.query ?? "");
    expect(queries).toHaveLength(1);
    for (const query of queries) {
      expect(/\$select=([^&]*)/.exec(query)?.[1]).toBe(Configuration.fields.serviceUrl);
      expect(query).not.toContain(Configuration.fields.ssoPassword);
      expect(query).not.toContain(UserSettings.fields.authCode);
    }
    expect(fixture.reads().map((call) => call.entity)).not.toContain(UserSettings.entity);
  });

  it("never shows, logs or sends the nonce anywhere but the request body, whatever happens", async () => {
    const scenarios: { name: string; reply: BrokerReply; probe?: "up" | "down" }[] = [
      { name: "success", reply: { status: 200, json: SUCCESS } },
      { name: "refusal", reply: refusal(404, "UNKNOWN_REQUEST") },
      { name: "Rescue word", reply: refusal(RESCUE_WORD_STATUS, "NOTTECHNICIAN", { method: "requestPINCode" }) },
      { name: "unreachable", reply: { transport: "reject" } },
      { name: "CORS", reply: { transport: "reject" }, probe: "up" },
      { name: "bad answer", reply: { status: 502, body: "<html>Bad gateway</html>" } },
    ];
    for (const scenario of scenarios) {
      broker.reset();
      broker.probe = scenario.probe ?? "down";
      broker.reply(scenario.reply);
      const fixture = open();
      const { output } = await captureConsole(() => click(fixture.form));
      const nonce = String(fixture.pinRequests()[0]?.lmi_nonce);
      expect(nonce, scenario.name).toMatch(PIN_NONCE_PATTERN);
      const shown = JSON.stringify({
        dialogs: navigation().errorDialogCalls,
        confirms: navigation().confirmDialogCalls,
        notifications: fixture.notifications(),
        navigate: navigation().navigateToCalls,
      });
      for (const secret of [nonce, SSO_PASSWORD]) {
        expect(output, `${scenario.name}: console`).not.toContain(secret);
        expect(shown, `${scenario.name}: UI`).not.toContain(secret);
        for (const call of [...broker.calls, ...broker.probes]) expect(call.url, scenario.name).not.toContain(secret);
      }
      for (const probe of broker.probes) expect(probe.init.body, scenario.name).toBeUndefined();
    }
  });
});

describe("Request PIN: request counts", () => {
  it("first click: 1 Dataverse read + 1 create + 1 service call; a repeat click: 1 create + 1 service call", async () => {
    const fixture = open();
    const ribbon = await loadRibbon();
    await ribbon.requestPin(fixture.form);
    expect(fixture.calls.map((call) => `${call.operation} ${call.entity}`)).toEqual([`retrieveMultipleRecords ${Configuration.entity}`, `createRecord ${PinRequest.entity}`]);
    expect(broker.calls).toHaveLength(1);

    for (let repeat = 0; repeat < 3; repeat++) {
      fixture.calls.length = 0;
      broker.calls.length = 0;
      await ribbon.requestPin(fixture.form);
      expect(fixture.calls.map((call) => `${call.operation} ${call.entity}`)).toEqual([`createRecord ${PinRequest.entity}`]);
      expect(broker.calls).toHaveLength(1);
    }
    expect(navigation().navigateToCalls).toHaveLength(4);
  });

  it("reads the configuration again after a failure, so that a fix made meanwhile counts", async () => {
    broker.reply(refusal(503, "NOT_CONFIGURED"));
    const fixture = open();
    const ribbon = await loadRibbon();
    await captureConsole(() => ribbon.requestPin(fixture.form));
    await ribbon.requestPin(fixture.form);
    expect(fixture.reads()).toHaveLength(2);
    expect(navigation().navigateToCalls).toHaveLength(1);
    expect(fixture.notifications()).toEqual([]);
  });

  it("ignores a second click while a request is running", async () => {
    broker.reply({ transport: "hang" });
    const fixture = open();
    const run = session(broker, { timeoutMs: 300 });
    const first = captureConsole(() => run(fixture.form));
    await vi.waitFor(() => expect(broker.calls).toHaveLength(1));
    await run(fixture.form); // returns at once: nothing starts
    expect(fixture.progress.shown).toHaveLength(1);
    expect(fixture.pinRequests()).toHaveLength(1);
    await first;
    expect(broker.calls).toHaveLength(1);
    expect(errorMessages()).toEqual([text("Ribbon.Error.serviceTimeout", 1033, "1")]);
  });

  it("ignores a double click (both clicks before the first request ends)", async () => {
    const fixture = open();
    const ribbon = await loadRibbon();
    await Promise.all([ribbon.requestPin(fixture.form), ribbon.requestPin(fixture.form)]);
    expect(broker.calls).toHaveLength(1);
    expect(navigation().navigateToCalls).toHaveLength(1);
    expect(fixture.progress.shown).toHaveLength(1);
  });
});

describe("Request PIN: every refusal word of the service has its own message", () => {
  const words = Object.entries(PIN_BROKER_REFUSALS);
  const cases = words.flatMap(([word, status]) => ([1033, 1043] as const).map((lcid) => [word, status, lcid] as const));

  it.each(cases)("%s (HTTP %i) in %i", async (word, status, lcid) => {
    const details = REFUSAL_DETAILS[word] ?? {};
    const { fixture, output } = await clickWith(refusal(status, word, details.extra), lcid);
    const message = text(`Ribbon.Error.${word}`, lcid, ...(details.args?.(lcid) ?? []));
    expect(message).not.toMatch(/\{\d\}/);
    const notification = fixture.notifications()[0];
    expect(notification).toEqual({ message: text("Ribbon.Notification", lcid, message), level: word === "SSO_ID_MISSING" ? "WARNING" : "ERROR", uniqueId: PIN_NOTIFICATION_ID });
    if (word === "SSO_ID_MISSING") expect(navigation().confirmDialogCalls.map((call) => call.confirmStrings.text)).toEqual([message]);
    else expect(errorMessages()).toEqual([message]);
    expect(output).toContain(`HTTP ${status}`);
    expect(output).toContain(word);
    expect(navigation().navigateToCalls).toEqual([]);
    expect(fixture.progress.closed).toBe(fixture.progress.shown.length);
  });

  it("names each configuration field CONFIG_INCOMPLETE can name", async () => {
    for (const field of ["endpoint", "companyId", "ssoPassword"] as const) {
      await clickWith(refusal(503, "CONFIG_INCOMPLETE", { field }));
      expect(errorMessages().at(-1)).toBe(text("Ribbon.Error.CONFIG_INCOMPLETE", 1033, text(`Ribbon.Field.${field}`)));
    }
    await clickWith(refusal(503, "CONFIG_INCOMPLETE"));
    expect(errorMessages().at(-1)).toBe(text("Ribbon.Error.CONFIG_INCOMPLETE", 1033, text("Ribbon.Field.setting")));
  });

  it("SSO_ID_MISSING offers to open the agent's user settings, and opens them", async () => {
    const { fixture } = await clickWith(refusal(422, "SSO_ID_MISSING", { settingsId: SETTINGS_ID.toUpperCase() }));
    expect(navigation().confirmDialogCalls[0]?.confirmStrings).toMatchObject({ title: text("Ribbon.UserSettings.Title"), confirmButtonLabel: text("Ribbon.UserSettings.Open") });
    expect(navigation().formCalls[0]?.entityFormOptions).toEqual({ entityName: UserSettings.entity, entityId: SETTINGS_ID });
    expect(navigation().errorDialogCalls).toEqual([]);
    expect(fixture.notifications()[0]?.level).toBe("WARNING");
  });

  it("SSO_ID_MISSING without a settings row still says what to do, in the error dialog", async () => {
    await clickWith(refusal(422, "SSO_ID_MISSING"));
    expect(errorMessages()).toEqual([text("Ribbon.Error.SSO_ID_MISSING")]);
    expect(navigation().confirmDialogCalls).toEqual([]);
  });
});

describe("Request PIN: every Rescue word has its own message", () => {
  const cases = RESCUE_WORDS.flatMap((word) => ([1033, 1043] as const).map((lcid) => [word, lcid] as const));

  it.each(cases)("%s in %i", async (word, lcid) => {
    const { fixture } = await clickWith(refusal(RESCUE_WORD_STATUS, word, { method: "requestPINCode" }), lcid);
    const message = text(`Ribbon.Error.${word}`, lcid);
    expect(errorMessages()).toEqual([message]);
    expect(fixture.notifications()).toEqual([{ message: text("Ribbon.Notification", lcid, message), level: "ERROR", uniqueId: PIN_NOTIFICATION_ID }]);
    expect(navigation().navigateToCalls).toEqual([]);
  });

  it.each(["INVALID", "INVALIDSSOID"])("%s for the email used as SSO id says the email is not an SSO id, naming it", async (word) => {
    await clickWith(refusal(RESCUE_WORD_STATUS, word, { method: "requestAuthCodeSSO", emailAsSsoId: "dana.agent@contoso.com" }));
    expect(errorMessages()).toEqual([text("Ribbon.Error.INVALID.Email", 1033, "dana.agent@contoso.com")]);
  });

  it("INVALIDPARAM_COMPANY keeps its own message when the email was the SSO id", async () => {
    await clickWith(refusal(RESCUE_WORD_STATUS, "INVALIDPARAM_COMPANY", { method: "requestAuthCodeSSO", emailAsSsoId: "dana.agent@contoso.com" }));
    expect(errorMessages()).toEqual([text("Ribbon.Error.INVALIDPARAM_COMPANY")]);
  });

  it.each([1033, 1043] as const)("an unknown word is shown as such, with the word (%i)", async (lcid) => {
    await clickWith(refusal(RESCUE_WORD_STATUS, "INVALIDPINFORMAT", { method: "requestPINCode" }), lcid);
    expect(errorMessages()).toEqual([text("Ribbon.Error.rescueUnknown", lcid, "INVALIDPINFORMAT")]);
  });

  it.each([1033, 1043] as const)("an empty Rescue reply has its own message (%i)", async (lcid) => {
    await clickWith(refusal(RESCUE_WORD_STATUS, "RESCUE_EMPTY", { method: "requestPINCode" }), lcid);
    expect(errorMessages()).toEqual([text("Ribbon.Error.RESCUE_EMPTY", lcid)]);
  });
});

describe("Request PIN: browser-side failures, each with its own message", () => {
  it.each([1033, 1043] as const)("the service cannot be reached (the request and the /healthz probe fail) (%i)", async (lcid) => {
    const { fixture, output } = await clickWith({ transport: "reject" }, lcid);
    expect(errorMessages()).toEqual([text("Ribbon.Error.serviceUnreachable", lcid, SERVICE_URL)]);
    expect(broker.probes.map((probe) => [probe.url, probe.init.method, probe.init.mode, probe.init.credentials])).toEqual([[`${SERVICE_URL}/healthz`, "GET", "no-cors", "omit"]]);
    expect(output).toContain(": Failed to fetch; /healthz fails too");
    expect(fixture.progress.closed).toBe(1);
  });

  it.each([1033, 1043] as const)("a CORS refusal (the request fails, the no-cors probe answers) names ALLOWED_ORIGIN's value (%i)", async (lcid) => {
    broker.probe = "up";
    await clickWith({ transport: "reject" }, lcid);
    const message = text("Ribbon.Error.serviceCors", lcid, SERVICE_URL, ORIGIN);
    expect(message).toContain("ALLOWED_ORIGIN");
    expect(errorMessages()).toEqual([message]);
  });

  it.each([1033, 1043] as const)("no answer within the timeout (30 s by default; 1 s here) (%i)", async (lcid) => {
    expect(DEFAULT_SERVICE_TIMEOUT_MS).toBe(30_000);
    broker.reply({ transport: "hang" });
    const fixture = open({ languageId: lcid });
    const started = performance.now();
    await captureConsole(() => session(broker, { timeoutMs: 1_000 })(fixture.form));
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(errorMessages()).toEqual([text("Ribbon.Error.serviceTimeout", lcid, "1")]);
    expect(broker.calls[0]?.init.signal?.aborted).toBe(true);
    expect(broker.probes).toEqual([]);
    expect(fixture.progress.closed).toBe(1);
  });

  it.each([
    ["a proxy's HTML error page", { status: 502, body: "<html><body>Bad Gateway</body></html>" }, "502"],
    ["200 with a PIN that is not six digits", { status: 200, json: { pin: "12345" } }, "200"],
    ["200 that is not JSON", { status: 200, body: "OK PINCODE:012345" }, "200"],
    ["an error status without a word", { status: 500, json: { message: "boom" } }, "500"],
    ["a word that is not a word", { status: 400, json: { error: "bad request!" } }, "400"],
  ] as const)("an answer that is not the protocol's JSON: %s", async (_name, reply, status) => {
    for (const lcid of [1033, 1043] as const) {
      broker.reply(reply);
      const fixture = open({ languageId: lcid });
      await captureConsole(() => click(fixture.form));
      expect(errorMessages().at(-1)).toBe(text("Ribbon.Error.serviceBadAnswer", lcid, status));
    }
  });

  it.each([
    ["no active configuration", { configuration: null }, "NOT_CONFIGURED", []],
    ["no service URL", { configuration: { [Configuration.fields.serviceUrl]: null } }, "serviceUrlMissing", []],
    ["a service URL of spaces", { configuration: { [Configuration.fields.serviceUrl]: "   " } }, "serviceUrlMissing", []],
    ["an http service URL", { configuration: { [Configuration.fields.serviceUrl]: "http://integration.contoso.com" } }, "serviceUrlInvalid", ["http://integration.contoso.com"]],
    ["a service URL with a path", { configuration: { [Configuration.fields.serviceUrl]: `${SERVICE_URL}/api/pin` } }, "serviceUrlInvalid", [`${SERVICE_URL}/api/pin`]],
    ["a service URL with credentials (not echoed)", { configuration: { [Configuration.fields.serviceUrl]: "https://rescue:hunter2@integration.contoso.com" } }, "serviceUrlInvalid", ["https://***@integration.contoso.com"]],
  ] as const)("the configuration: %s", async (_name, options, key, args) => {
    for (const lcid of [1033, 1043] as const) {
      const fixture = open({ languageId: lcid, ...options });
      const { output } = await captureConsole(() => click(fixture.form));
      expect(errorMessages().at(-1)).toBe(text(`Ribbon.Error.${key}`, lcid, ...args));
      expect(fixture.writes()).toEqual([]);
      expect(output).not.toContain("hunter2");
      expect(JSON.stringify(navigation().errorDialogCalls)).not.toContain("hunter2");
    }
    expect(broker.calls).toEqual([]);
  });

  it("the Case cannot be saved: no request at all", async () => {
    const fixture = open({ dirty: true, saveFails: true });
    await captureConsole(() => click(fixture.form));
    expect(errorMessages()).toEqual([text("Ribbon.Error.notSaved")]);
    expect(fixture.calls).toEqual([]);
    expect(broker.calls).toEqual([]);
    expect(fixture.progress.closed).toBe(fixture.progress.shown.length);
  });

  it("an unsaved Case: no request at all", async () => {
    const fixture = openCase({ caseId: "" });
    await captureConsole(() => click(fixture.form));
    expect(errorMessages()).toEqual([text("Ribbon.Error.notSaved")]);
    expect(fixture.calls).toEqual([]);
  });

  it.each([
    ["the configuration read", "retrieveMultipleRecords"],
    ["the PIN request create", "createRecord"],
  ] as const)("Dynamics refuses %s: the Dataverse message, the platform's detail in the console, no service call", async (_name, operation) => {
    const fixture = open();
    fixture.failNext(operation);
    const { output } = await captureConsole(() => click(fixture.form));
    expect(errorMessages()).toEqual([text("Ribbon.Error.dataverse")]);
    expect(output).toContain(`Principal user is missing a privilege for ${operation}`);
    expect(broker.calls).toEqual([]);
    expect(fixture.progress.closed).toBe(1);
  });
});

describe("Request PIN: the messages", () => {
  const browserKeys = ["serviceUrlMissing", "serviceUrlInvalid", "serviceUnreachable", "serviceCors", "serviceTimeout", "serviceBadAnswer", "notSaved", "dataverse", "unexpected", "flowNotLoaded"];
  const keys = [...Object.keys(PIN_BROKER_REFUSALS), ...RESCUE_WORDS, "INVALID.Email", "rescueUnknown", "RESCUE_EMPTY", ...browserKeys].map((key) => `Ribbon.Error.${key}`);

  it.each([1033, 1043] as const)("are all there and all different (%i)", (lcid) => {
    const strings = resxStrings(lcid);
    const messages = keys.map((key) => strings.get(key));
    expect(messages.filter((message) => !message), "missing").toEqual([]);
    expect(new Set(messages).size).toBe(keys.length);
  });

  it("each tell the agent what to do (click again, or whom to ask), in both languages", () => {
    for (const key of keys) {
      expect(resxStrings(1033).get(key), key).toMatch(/click Request PIN again|ask your|Open your settings/i);
      expect(resxStrings(1043).get(key), key).toMatch(/klik opnieuw op Pincode aanvragen|vraag uw|vraag dan uw|vraag het dan uw|open uw instellingen/i);
    }
  });

  it("no longer mention a field security profile for agents or clearing an auth code", () => {
    for (const lcid of [1033, 1043] as const) {
      for (const [key, value] of resxStrings(lcid)) {
        if (!key.startsWith("Ribbon.")) continue;
        expect(value, key).not.toContain("LogMeIn Rescue Agent\" ");
        expect(value, key).not.toMatch(/Clear the auth code|verificatiecode in uw LogMeIn-gebruikersinstellingen leeg/);
      }
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
    expect(fixture.notifications()).toEqual([{ message: text("Ribbon.Notification", languageId, message), level: "ERROR", uniqueId: PIN_NOTIFICATION_ID }]);
    expect(output).toContain("LogMeInRescue.Pin.Request.requestPin is not defined");
    expect(output).toContain("LogMeInRescue.Pin.Request.load");
    expect(fixture.calls).toEqual([]);
    expect(broker.calls).toEqual([]);
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
    expect(broker.calls).toHaveLength(1);
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
    const touched: string[] = [];
    try {
      Reflect.deleteProperty(globalThis, "Xrm");
      vi.stubGlobal("fetch", () => {
        touched.push("fetch");
        return Promise.reject(new Error("no request expected"));
      });
      const { result, output } = await captureConsole(() => Promise.resolve(flow.load()));
      expect(result).toBeUndefined();
      expect(output).toBe("");
    } finally {
      globalThis.Xrm = xrm;
    }
    expect(flow.load).toHaveLength(0);
    expect(touched).toEqual([]);
    expect(fixture.calls).toEqual([]);
    expect(fixture.notifications()).toEqual([]);
    expect(fixture.progress.shown).toEqual([]);
    expect(broker.calls).toEqual([]);
    expect(navigation().navigateToCalls).toEqual([]);
    expect(navigation().errorDialogCalls).toEqual([]);
  });
});
