/**
 * The split Case command in real Chromium: the BUILT `case.ribbon.js` and `pin.request.js`
 * (dist/webresources) loaded as classic scripts into a host page that plays the Case form and its
 * `Xrm` (Web API answering the configuration and user-settings reads, Navigation recording
 * `navigateTo`), with Rescue faked on 127.0.0.1 (allowing the page's origin, as the integration
 * service's relay does). The host page loads `case.ribbon.js` with the form, as the enable rule
 * makes the platform do; the test then runs the command as the platform does: it loads
 * `pin.request.js`, runs `LogMeInRescue.Pin.Request.load`, then `LogMeInRescue.Case.Ribbon.requestPin`.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Configuration, UserSettings } from "../../src/model/schema";
import { decodePinDialogData } from "../../src/pin/dialog-data";
import { FLOW_MISSING_DETAIL } from "../../src/pin/handoff";
import { PIN_NOTIFICATION_ID } from "../../src/pin/notification";
import { launchChromium } from "../helpers/browser";
import { assertBuilt, startStaticServer, type StaticServer } from "../helpers/static-server";
import { resxStrings } from "../helpers/xrm";
import { RescueFake } from "./support/rescue-fake";

type Lcid = 1033 | 1043;
const CASE_ID = "8b0c3c5e-1f2a-4d6b-9e7f-0a1b2c3d4e5f";
const CONTACT_ID = "4f1e2d3c-5b6a-4789-8a9b-0c1d2e3f4a5b";
const USER_ID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
const AUTH_CODE = "stored-auth-code-5b2c81";
const text = (lcid: Lcid, key: string): string => resxStrings(lcid).get(key) ?? key;

/** What the host page's fake Xrm and form recorded. */
interface Recorded {
  webApi: { op: string; entity: string }[];
  navigateTo: { pageInput: { pageType: string; webresourceName: string; data: string }; options: { target: number } }[];
  errorDialogs: { message: string; details: string }[];
  notifications: { message: string; level: string; id: string }[];
  progress: (string | null)[];
}

/** The Case form page: the fake Xrm and form context (inline: the host is ours), then case.ribbon.js. */
function casePage(lcid: Lcid, endpoint: string): string {
  const c = Configuration.fields;
  const u = UserSettings.fields;
  const configuration = {
    [Configuration.primaryId]: "0f0e0d0c-0b0a-4909-8807-060504030201",
    [c.endpoint]: endpoint,
    [c.companyId]: "1234567",
    [c.ssoPassword]: "S3cret-SSO-Pa55word!",
    [c.requireActiveTechConsole]: false,
    [c.doNotPassCField1]: false,
  };
  const settings = { [UserSettings.primaryId]: "6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a098", [u.techId]: "4242", [u.ssoId]: "dana.sso", [u.authCode]: AUTH_CODE };
  const attributes = {
    customerid: [{ id: `{${CONTACT_ID.toUpperCase()}}`, name: "Jan de Vries", entityType: "contact" }],
    ticketnumber: "CAS-01001-Z8K4P2",
    emailaddress: "jan.devries@example.nl",
    statecode: 0,
  };
  const rows = { [Configuration.entity]: [configuration], [UserSettings.entity]: [settings] };
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Case - Dynamics 365</title><link rel="icon" href="data:,">
    <script>
      const strings = ${JSON.stringify(Object.fromEntries(resxStrings(lcid)))};
      const rows = ${JSON.stringify(rows)};
      const attributes = ${JSON.stringify(attributes)};
      const recorded = window.__recorded = { webApi: [], navigateTo: [], errorDialogs: [], notifications: [], progress: [] };
      const done = (value) => Promise.resolve(value);
      window.Xrm = {
        WebApi: {
          retrieveMultipleRecords: (entity) => { recorded.webApi.push({ op: "retrieveMultipleRecords", entity }); return done({ entities: rows[entity] || [] }); },
          retrieveRecord: (entity) => { recorded.webApi.push({ op: "retrieveRecord", entity }); return done({}); },
          createRecord: (entity) => { recorded.webApi.push({ op: "createRecord", entity }); return done({ entityType: entity, id: "" }); },
          updateRecord: (entity, id) => { recorded.webApi.push({ op: "updateRecord", entity }); return done({ entityType: entity, id }); },
        },
        Utility: {
          getGlobalContext: () => ({ userSettings: { userId: "{${USER_ID.toUpperCase()}}", userName: "Dana Agent", languageId: ${lcid} } }),
          getResourceString: (name, key) => (name === "lmi_/strings/Strings" && key in strings ? strings[key] : null),
          showProgressIndicator: (message) => { recorded.progress.push(message); },
          closeProgressIndicator: () => { recorded.progress.push(null); },
        },
        Navigation: {
          navigateTo: (pageInput, options) => { recorded.navigateTo.push({ pageInput, options }); return done(undefined); },
          openErrorDialog: (options) => { recorded.errorDialogs.push(options); return done(undefined); },
          openConfirmDialog: () => done({ confirmed: false }),
          openForm: () => done({ savedEntityReference: [] }),
        },
      };
      window.formContext = {
        data: { getIsDirty: () => false, save: () => done(undefined), entity: { getId: () => "{${CASE_ID.toUpperCase()}}" } },
        getAttribute: (name) => (name in attributes ? { getValue: () => attributes[name] } : null),
        ui: {
          getFormType: () => 2,
          setFormNotification: (message, level, id) => { recorded.notifications.push({ message, level, id }); return true; },
          clearFormNotification: (id) => { recorded.notifications = recorded.notifications.filter((n) => n.id !== id); return true; },
        },
      };
    </script>
    <script src="/WebResources/lmi_/scripts/case.ribbon.js"></script>
    </head><body><h1>Case CAS-01001-Z8K4P2</h1></body></html>`;
}

const rescue = new RescueFake();
let server: StaticServer;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  assertBuilt("lmi_/scripts/case.ribbon.js");
  assertBuilt("lmi_/scripts/pin.request.js");
  await rescue.start();
  server = await startStaticServer([
    (request, response) => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      if (url.pathname !== "/case.html") return false;
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      response.end(casePage(url.searchParams.get("lcid") === "1043" ? 1043 : 1033, rescue.endpoint));
      return true;
    },
  ]);
  rescue.allowOrigin = server.url;
  browser = await launchChromium();
  context = await browser.newContext();
}, 60_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
  await rescue?.close();
});

beforeEach(() => {
  rescue.reset();
});

async function openCase(lcid: Lcid): Promise<{ page: Page; errors: string[]; consoleErrors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  const consoleErrors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  await page.goto(`${server.url}/case.html?lcid=${lcid}`);
  return { page, errors, consoleErrors };
}

const recorded = (page: Page): Promise<Recorded> => page.evaluate(() => (window as unknown as { __recorded: Recorded }).__recorded);

interface PageGlobals {
  formContext: unknown;
  LogMeInRescue?: { Case?: { Ribbon?: Record<string, (form?: unknown) => unknown> }; Pin?: { Request?: Record<string, (form?: unknown) => unknown> } };
}

/** The namespaces defined so far, e.g. ["Case.Ribbon"]. */
const namespaces = (page: Page): Promise<string[]> =>
  page.evaluate(() => {
    const root = (window as unknown as { LogMeInRescue?: Record<string, object> }).LogMeInRescue ?? {};
    return Object.entries(root).flatMap(([area, kinds]) => Object.keys(kinds).map((kind) => `${area}.${kind}`));
  });

/** The enable rule, as the platform evaluates it on the form. */
const canRequestPin = (page: Page): Promise<unknown> =>
  page.evaluate(() => {
    const w = window as unknown as PageGlobals;
    return w.LogMeInRescue?.Case?.Ribbon?.canRequestPin?.(w.formContext);
  });

/** The command as the platform runs it: each action's library loaded, in action order, then the function. */
async function runCommand(page: Page, { withFlowAction }: { withFlowAction: boolean }): Promise<void> {
  if (withFlowAction) {
    await page.addScriptTag({ url: "/WebResources/lmi_/scripts/pin.request.js" });
    await page.evaluate(() => (window as unknown as PageGlobals).LogMeInRescue?.Pin?.Request?.load?.());
  }
  await page.evaluate(async () => {
    const w = window as unknown as PageGlobals;
    const requestPin = w.LogMeInRescue?.Case?.Ribbon?.requestPin;
    if (!requestPin) throw new Error("case.ribbon.js defined no requestPin");
    await requestPin(w.formContext);
  });
}

describe("the split Request PIN command in Chromium (built scripts)", () => {
  it("case.ribbon.js loads with the form inertly; the command loads pin.request.js, gets the PIN from Rescue and opens lmi_/pages/pin.html with it", async () => {
    const { page, errors, consoleErrors } = await openCase(1033);
    expect(await namespaces(page)).toEqual(["Case.Ribbon"]);
    expect(await canRequestPin(page)).toBe(true);
    expect(await recorded(page)).toEqual({ webApi: [], navigateTo: [], errorDialogs: [], notifications: [], progress: [] });
    expect(rescue.calls).toEqual([]);

    await runCommand(page, { withFlowAction: true });
    expect(await namespaces(page)).toEqual(["Case.Ribbon", "Pin.Request"]);

    const [call, ...moreCalls] = rescue.calls;
    expect(moreCalls).toEqual([]);
    expect(call).toMatchObject({ method: "requestPINCode", httpMethod: "POST", origin: server.url, contentType: "application/x-www-form-urlencoded; charset=UTF-8" });
    expect(call?.fields).toEqual({
      cfield0: "Jan de Vries",
      cfield1: "jan.devries@example.nl",
      cfield2: "CAS-01001-Z8K4P2",
      tracking0: CASE_ID,
      notechconsole: "1",
      authcode: AUTH_CODE,
      NodeId: "4242",
    });

    const seen = await recorded(page);
    expect(seen.webApi.map((op) => `${op.op} ${op.entity}`)).toEqual([`retrieveMultipleRecords ${Configuration.entity}`, `retrieveMultipleRecords ${UserSettings.entity}`]);
    const [dialog, ...moreDialogs] = seen.navigateTo;
    expect(moreDialogs).toEqual([]);
    expect(dialog?.pageInput).toMatchObject({ pageType: "webresource", webresourceName: "lmi_/pages/pin.html" });
    expect(dialog?.options).toMatchObject({ target: 2 });
    expect(decodePinDialogData(dialog?.pageInput.data)).toMatchObject({ pin: "012345", caseId: CASE_ID, caseNumber: "CAS-01001-Z8K4P2", customer: { id: CONTACT_ID, entityType: "contact" } });
    expect(seen.errorDialogs).toEqual([]);
    expect(seen.notifications).toEqual([]);
    expect(seen.progress).toEqual([text(1033, "Ribbon.Progress"), null]);
    expect(errors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it("without the flow action (a customized command): the localized message as form notification and error dialog, the detail in the console", async () => {
    const { page, errors, consoleErrors } = await openCase(1043);
    await runCommand(page, { withFlowAction: false });

    const message = text(1043, "Ribbon.Error.flowNotLoaded");
    const seen = await recorded(page);
    expect(seen.errorDialogs).toEqual([{ message, details: FLOW_MISSING_DETAIL }]);
    expect(seen.notifications).toEqual([{ message: text(1043, "Ribbon.Notification").replace("{0}", message), level: "ERROR", id: PIN_NOTIFICATION_ID }]);
    expect(seen.navigateTo).toEqual([]);
    expect(seen.webApi).toEqual([]);
    expect(rescue.calls).toEqual([]);
    expect(consoleErrors.join("\n")).toContain("LogMeInRescue.Pin.Request.requestPin is not defined");
    expect(errors).toEqual([]);
    await page.close();
  });
});
