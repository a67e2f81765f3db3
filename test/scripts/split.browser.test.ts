/**
 * The split Case command in real Chromium: the BUILT `case.ribbon.js` and `pin.request.js`
 * (dist/webresources) loaded as classic scripts into a host page that plays the Case form and its
 * `Xrm` (Web API answering the configuration read and recording the PIN request it creates,
 * Navigation recording `navigateTo`), with the integration service's PIN broker faked on
 * 127.0.0.1 on another port — another origin, so the browser's CORS rules apply as they do between
 * Dynamics and the real service. The host page loads `case.ribbon.js` with the form, as the enable
 * rule makes the platform do; the test then runs the command as the platform does: it loads
 * `pin.request.js`, runs `LogMeInRescue.Pin.Request.load`, then `LogMeInRescue.Case.Ribbon.requestPin`.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Configuration, PinRequest } from "../../src/model/schema";
import { decodePinDialogData } from "../../src/pin/dialog-data";
import { FLOW_MISSING_DETAIL } from "../../src/pin/handoff";
import { PIN_NOTIFICATION_ID } from "../../src/pin/notification";
import { PIN_NONCE_PATTERN } from "../../src/pin/protocol";
import { launchChromium } from "../helpers/browser";
import { assertBuilt, startStaticServer, type StaticServer } from "../helpers/static-server";
import { resxStrings } from "../helpers/xrm";
import { PinServiceFake } from "../pin/support/pin-service-fake";

type Lcid = 1033 | 1043;
const CASE_ID = "8b0c3c5e-1f2a-4d6b-9e7f-0a1b2c3d4e5f";
const CONTACT_ID = "4f1e2d3c-5b6a-4789-8a9b-0c1d2e3f4a5b";
const USER_ID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
const PIN_REQUEST_ID = "7d6c5b4a-3928-4716-a5b4-c3d2e1f0a9b8";
const SSO_PASSWORD = "S3cret-SSO-Pa55word!";
const text = (lcid: Lcid, key: string, ...args: string[]): string =>
  (resxStrings(lcid).get(key) ?? key).replace(/\{(\d+)\}/g, (whole, index: string) => args[Number(index)] ?? whole);

/** What the host page's fake Xrm and form recorded. */
interface Recorded {
  webApi: { op: string; entity: string; query?: string; data?: Record<string, unknown> }[];
  navigateTo: { pageInput: { pageType: string; webresourceName: string; data: string }; options: { target: number } }[];
  errorDialogs: { message: string; details: string }[];
  notifications: { message: string; level: string; id: string }[];
  progress: (string | null)[];
}

/**
 * The Case form page: the fake Xrm and form context (inline: the host is ours), then case.ribbon.js.
 * The configuration row holds a secured column's value too, so that a query selecting it would
 * show it; the fake answers only the selected columns, as the Web API does.
 */
function casePage(lcid: Lcid, serviceUrl: string): string {
  const c = Configuration.fields;
  const configuration = {
    [Configuration.primaryId]: "0f0e0d0c-0b0a-4909-8807-060504030201",
    [c.endpoint]: "https://secure.logmeinrescue.com/API",
    [c.serviceUrl]: serviceUrl,
    [c.companyId]: "1234567",
    [c.ssoPassword]: SSO_PASSWORD,
  };
  const attributes = {
    customerid: [{ id: `{${CONTACT_ID.toUpperCase()}}`, name: "Jan de Vries", entityType: "contact" }],
    ticketnumber: "CAS-01001-Z8K4P2",
    statecode: 0,
  };
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Case - Dynamics 365</title><link rel="icon" href="data:,">
    <script>
      const strings = ${JSON.stringify(Object.fromEntries(resxStrings(lcid)))};
      const configuration = ${JSON.stringify(configuration)};
      const attributes = ${JSON.stringify(attributes)};
      const recorded = window.__recorded = { webApi: [], navigateTo: [], errorDialogs: [], notifications: [], progress: [] };
      const done = (value) => Promise.resolve(value);
      const selected = (query) => ((/[?&]\\$select=([^&]*)/.exec(query || "") || [])[1] || "").split(",").filter(Boolean);
      document.cookie = "CrmOwinAuth=session-cookie-of-the-org; path=/";
      window.Xrm = {
        WebApi: {
          retrieveMultipleRecords: (entity, query) => {
            recorded.webApi.push({ op: "retrieveMultipleRecords", entity, query });
            if (entity !== "${Configuration.entity}") return done({ entities: [] });
            return done({ entities: [Object.fromEntries(selected(query).map((column) => [column, configuration[column]]))] });
          },
          retrieveRecord: (entity) => { recorded.webApi.push({ op: "retrieveRecord", entity }); return done({}); },
          createRecord: (entity, data) => { recorded.webApi.push({ op: "createRecord", entity, data }); return done({ entityType: entity, id: "{${PIN_REQUEST_ID.toUpperCase()}}" }); },
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

/** A 127.0.0.1 port nothing listens on (a server is started and closed again). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const service = new PinServiceFake();
let server: StaticServer;
let browser: Browser;
let context: BrowserContext;
/** The service URL each case page's configuration holds (the fake's, unless a test changes it). */
let serviceUrl = "";

beforeAll(async () => {
  assertBuilt("lmi_/scripts/case.ribbon.js");
  assertBuilt("lmi_/scripts/pin.request.js");
  await service.start();
  server = await startStaticServer([
    (request, response) => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      if (url.pathname !== "/case.html") return false;
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      response.end(casePage(url.searchParams.get("lcid") === "1043" ? 1043 : 1033, serviceUrl));
      return true;
    },
  ]);
  browser = await launchChromium();
  context = await browser.newContext();
}, 60_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
  await service?.close();
});

beforeEach(() => {
  service.reset();
  service.allowOrigin = server.url;
  serviceUrl = service.url;
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
  it("case.ribbon.js loads with the form inertly; the command loads pin.request.js, records the PIN request, asks the service across origins and opens lmi_/pages/pin.html with the PIN", async () => {
    const { page, errors, consoleErrors } = await openCase(1033);
    expect(await namespaces(page)).toEqual(["Case.Ribbon"]);
    expect(await canRequestPin(page)).toBe(true);
    expect(await recorded(page)).toEqual({ webApi: [], navigateTo: [], errorDialogs: [], notifications: [], progress: [] });
    expect(service.requests).toEqual([]);

    await runCommand(page, { withFlowAction: true });
    expect(await namespaces(page)).toEqual(["Case.Ribbon", "Pin.Request"]);

    const seen = await recorded(page);
    expect(seen.webApi.map((op) => `${op.op} ${op.entity}`)).toEqual([`retrieveMultipleRecords ${Configuration.entity}`, `createRecord ${PinRequest.entity}`]);
    expect(seen.webApi[0]?.query).toBe("?$select=lmi_serviceurl&$filter=statecode%20eq%200&$orderby=modifiedon%20desc&$top=1");
    const created = seen.webApi[1]?.data ?? {};
    expect(created.lmi_nonce).toMatch(PIN_NONCE_PATTERN);
    expect(created["lmi_caseid@odata.bind"]).toBe(`/incidents(${CASE_ID})`);

    // What really crossed the wire: the CORS preflight, then one POST with exactly {requestId, nonce}, no cookie.
    expect(service.requests.map((request) => `${request.method} ${request.path}`)).toEqual(["OPTIONS /api/pin", "POST /api/pin"]);
    const [preflight, post] = service.requests;
    expect(preflight?.headers["access-control-request-method"]).toBe("POST");
    expect(post?.headers.origin).toBe(server.url);
    expect(post?.headers["content-type"]).toBe("application/json");
    expect(post?.headers.cookie).toBeUndefined();
    expect(post?.headers.authorization).toBeUndefined();
    expect(JSON.parse(post?.rawBody ?? "null")).toEqual({ requestId: PIN_REQUEST_ID, nonce: created.lmi_nonce });

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

    // A repeat click on the same page: one Dataverse create and one service call, a fresh nonce.
    await runCommand(page, { withFlowAction: false });
    const again = await recorded(page);
    expect(again.webApi.slice(2).map((op) => `${op.op} ${op.entity}`)).toEqual([`createRecord ${PinRequest.entity}`]);
    expect(again.webApi[2]?.data?.lmi_nonce).not.toBe(created.lmi_nonce);
    expect(service.pinPosts()).toHaveLength(2);
    expect(again.navigateTo).toHaveLength(2);

    // No secret of the configuration (which the fake Web API holds) reached the requests, the UI, the body's DOM or the console.
    const visible = JSON.stringify({ requests: service.requests, recorded: again, body: await page.evaluate(() => document.body.outerHTML), consoleErrors });
    expect(visible).not.toContain(SSO_PASSWORD);
    await page.close();
  });

  it("a service that refuses this origin (CORS) gets its own message naming ALLOWED_ORIGIN's value, in Dutch", async () => {
    service.allowOrigin = "https://contoso.crm4.dynamics.com";
    const { page, errors } = await openCase(1043);
    await runCommand(page, { withFlowAction: true });
    const seen = await recorded(page);
    const message = text(1043, "Ribbon.Error.serviceCors", service.url, server.url);
    expect(seen.errorDialogs.map((dialog) => dialog.message)).toEqual([message]);
    expect(seen.notifications).toEqual([{ message: text(1043, "Ribbon.Notification", message), level: "ERROR", id: PIN_NOTIFICATION_ID }]);
    // The browser's call was refused (its preflight, or the POST itself when an earlier test's
    // preflight answer is still cached: the service answers a foreign origin without CORS headers
    // either way), then it probed /healthz without CORS.
    const requests = service.requests.map((request) => `${request.method} ${request.path}`);
    expect(requests).toHaveLength(2);
    expect(["OPTIONS /api/pin", "POST /api/pin"]).toContain(requests[0]);
    expect(requests[1]).toBe("GET /healthz");
    expect(seen.navigateTo).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a refusal the service answers with CORS headers shows that word's message", async () => {
    service.answer = { status: 409, json: { error: "REQUEST_USED" } };
    const { page } = await openCase(1033);
    await runCommand(page, { withFlowAction: true });
    expect((await recorded(page)).errorDialogs.map((dialog) => dialog.message)).toEqual([text(1033, "Ribbon.Error.REQUEST_USED")]);
    await page.close();
  });

  it("a service that cannot be reached gets its own message", async () => {
    serviceUrl = `http://127.0.0.1:${await closedPort()}`;
    const { page, errors } = await openCase(1033);
    await runCommand(page, { withFlowAction: true });
    const seen = await recorded(page);
    expect(seen.errorDialogs.map((dialog) => dialog.message)).toEqual([text(1033, "Ribbon.Error.serviceUnreachable", serviceUrl)]);
    expect(seen.progress).toEqual([text(1033, "Ribbon.Progress"), null]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("without the flow action (a customized command): the localized message as form notification and error dialog, the detail in the console", async () => {
    const { page, errors, consoleErrors } = await openCase(1043);
    await runCommand(page, { withFlowAction: false });

    const message = text(1043, "Ribbon.Error.flowNotLoaded");
    const seen = await recorded(page);
    expect(seen.errorDialogs).toEqual([{ message, details: FLOW_MISSING_DETAIL }]);
    expect(seen.notifications).toEqual([{ message: text(1043, "Ribbon.Notification", message), level: "ERROR", id: PIN_NOTIFICATION_ID }]);
    expect(seen.navigateTo).toEqual([]);
    expect(seen.webApi).toEqual([]);
    expect(service.requests).toEqual([]);
    expect(consoleErrors.join("\n")).toContain("LogMeInRescue.Pin.Request.requestPin is not defined");
    expect(errors).toEqual([]);
    await page.close();
  });
});
