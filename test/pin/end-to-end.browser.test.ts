/**
 * Request PIN end to end (issue 8), everything real but Dataverse and Rescue:
 * - the solution is built once (release build) and its BUILT `case.ribbon.js`, `pin.request.js`,
 *   `pin.html` + `pin.page.js` and RESX files are served on 127.0.0.1 next to a fake Case form
 *   (support/case-page.ts) whose `Xrm.WebApi` is the agent's view of the same fake Dataverse the
 *   service uses (support/agent-web-api.ts, through `exposeFunction`);
 * - the integration service runs as operators run it, a child process (`node --import tsx
 *   src/service/main.ts`) configured by environment only: DATAVERSE_URL and the sign-in are the
 *   fake Dataverse (HTTPS, self-signed, trusted through NODE_EXTRA_CA_CERTS), ALLOWED_ORIGIN is the
 *   Case page's origin, RESCUE_ALLOWED_HOSTS the fake Rescue's `127.0.0.1:port`;
 * - the configuration row points `lmi_endpoint` at the fake Rescue (HTTPS) and `lmi_serviceurl` at
 *   the service (`http://127.0.0.1:port`: the browser accepts plain http only on loopback).
 * The agent clicks Request PIN as the platform runs the command (the library of its first action
 * `LogMeInRescue.Pin.Request.load` loaded and run, then `LogMeInRescue.Case.Ribbon.requestPin`),
 * and sees the PIN in the real PIN dialog, or the message of a refusal. Everything the browser
 * could see — requests, responses, `Xrm.WebApi` answers, DOM, console — is collected and searched
 * for the SSO password and the auth codes (support/browser-visible.ts).
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PinRequestStatus } from "../../src/model/schema";
import { PIN_API_PATH, PIN_NONCE_PATTERN } from "../../src/pin/protocol";
import { parseResx } from "../../src/strings/resx";
import { launchChromium, stringKeysShown } from "../helpers/browser";
import { startStaticServer, type StaticServer } from "../helpers/static-server";
import { freePort, spawnService, writeCaFile, type ChildService } from "../service/support/child-service";
import { CLIENT_SECRET, type FakeDataverse, type IncidentRow } from "../service/support/fake-dataverse";
import { FakeRescue } from "../service/support/fake-rescue";
import { makeTempDir, POST_PASSWORD, removeDir, serviceEnvironment, startFakeDataverse, testCertificate, waitFor } from "../service/support/harness";
import { buildIntoTemp } from "../helpers/built-package";
import { AgentWebApi } from "./support/agent-web-api";
import { BrowserVisible, findSecrets, type VisibleText } from "./support/browser-visible";
import { AGENT_WEB_API_BINDING, casePageHtml } from "./support/case-page";

/** The company's SSO password: characters that URL, form, JSON and HTML encoding all change. */
const SSO_PASSWORD = "E2e-SSO Pässwörd&<x>=\"42\"";
const WEB_RESOURCES = "/WebResources/";
const LCID = 1033;

let fake: FakeDataverse;
let rescue: FakeRescue;
let workDir: string;
let strings: ReadonlyMap<string, string>;
let server: StaticServer;
let service: ChildService;
let serviceOrigin: string;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  const launching = launchChromium();
  const building = buildIntoTemp();
  // Both settled before anything can throw, so afterAll can close whatever started.
  const [launched, built] = await Promise.allSettled([launching, building]);
  if (launched.status === "fulfilled") browser = launched.value;
  if (launched.status === "rejected") throw launched.reason;
  if (built.status === "rejected") throw built.reason;
  const webResourcesDir = join(built.value.outDir, "webresources");
  strings = parseResx(readFileSync(join(webResourcesDir, `lmi_/strings/Strings.${LCID}.resx`), "utf8"));

  fake = await startFakeDataverse();
  rescue = new FakeRescue(testCertificate());
  rescue.ssoPassword = SSO_PASSWORD;
  await rescue.start();
  workDir = await makeTempDir("lmi-e2e-");

  server = await startStaticServer(
    [
      (request, response) => {
        const url = new URL(request.url ?? "/", "http://127.0.0.1");
        if (url.pathname !== "/main.aspx") return false;
        response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        response.end(casePage(url.searchParams.get("id") ?? "", url.searchParams.get("agent") ?? ""));
        return true;
      },
    ],
    webResourcesDir,
  );

  const port = await freePort();
  serviceOrigin = `http://127.0.0.1:${port}`;
  fake.configuration = {
    close: false,
    reassign: false,
    endpoint: rescue.endpoint,
    serviceUrl: serviceOrigin,
    companyId: rescue.companyId,
    ssoPassword: SSO_PASSWORD,
    requireActiveTechConsole: false,
    doNotPassCField1: false,
  };
  service = await spawnService({
    ...serviceEnvironment(fake, join(workDir, "spool"), port),
    NODE_EXTRA_CA_CERTS: await writeCaFile(workDir, testCertificate().certPem),
    ALLOWED_ORIGIN: server.url,
    RESCUE_ALLOWED_HOSTS: rescue.host,
  });
}, 60_000);

afterAll(async () => {
  for (const context of contexts.splice(0)) await context.close();
  await browser?.close();
  if (service?.process.exitCode === null && service.process.signalCode === null) {
    // The service stops within 10 s of SIGTERM by contract (src/service/main.ts); past that it is killed.
    service.process.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const stopped = await Promise.race([service.exited, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 12_000)))]);
    clearTimeout(timer);
    if (stopped === null) {
      service.process.kill("SIGKILL");
      await service.exited;
    }
  }
  await server?.close();
  await rescue?.close();
  await fake?.stop();
  if (workDir) await removeDir(workDir);
});

/** The Case form page of Case `caseId` as agent `agentId` sees it. */
function casePage(caseId: string, agentId: string): string {
  const incident = fake.incidents.get(caseId);
  const agent = fake.systemUsers.find((user) => user.id === agentId);
  const customer = incident?.customer;
  const contact = customer === undefined ? undefined : fake.contacts.get(customer.id);
  if (incident === undefined || agent === undefined || customer === undefined || contact === undefined) throw new Error(`no Case ${caseId} with a contact, or no agent ${agentId}`);
  return casePageHtml({
    caseId,
    ticketNumber: incident.ticketnumber ?? "",
    customer: { id: customer.id, name: contact.fullname, entityType: customer.entityType },
    agent: { id: agent.id, name: agent.fullname ?? "" },
    languageId: LCID,
    strings,
    webResourcesPath: WEB_RESOURCES,
  });
}

interface Agent {
  id: string;
  email: string;
  name: string;
}

/** A Dynamics user whom Rescue knows as a technician by their email; with `settings`, their user settings row holds an auth code Rescue issued earlier. */
function newAgent(name: string, techId: string, { settings }: { settings: boolean }): Agent {
  const email = `${name.toLowerCase().replace(/\W+/g, ".")}.${randomUUID().slice(0, 8)}@contoso.com`;
  const id = fake.addSystemUser({ fullname: name, email });
  rescue.addTechnician(email, techId);
  if (settings) fake.userSettings.push({ id: randomUUID(), userId: id, name, ssoId: email, techId, authCode: rescue.issueAuthCode(email), ownerId: id });
  return { id, email, name };
}

function newCase(ticketnumber: string, customer: { name: string; email: string }): IncidentRow {
  return fake.addCustomerCase({ ticketnumber, customer: "contact", name: customer.name, email: customer.email });
}

interface OpenCase {
  page: Page;
  visible: BrowserVisible;
  webApi: AgentWebApi;
}

/** The agent's own browser (a fresh context) with the Case open; everything it sees is collected. */
async function openCase(agent: Agent, incident: IncidentRow): Promise<OpenCase> {
  const context = await browser.newContext();
  contexts.push(context);
  const visible = new BrowserVisible();
  visible.attach(context);
  const webApi = new AgentWebApi(fake, agent.id);
  visible.include(() =>
    webApi.calls.flatMap((call): VisibleText[] => [
      { where: `Xrm.WebApi.${call.op}(${call.entity}) arguments`, text: JSON.stringify(call.args) },
      { where: `Xrm.WebApi.${call.op}(${call.entity}) answer`, text: JSON.stringify(call.answer) },
    ]),
  );
  await context.exposeFunction(AGENT_WEB_API_BINDING, (op: unknown, entity: unknown, args: unknown) => webApi.call(String(op), String(entity), Array.isArray(args) ? (args as unknown[]) : []));
  const page = await context.newPage();
  await visible.watchWire(context, page);
  page.setDefaultTimeout(15_000);
  await page.goto(`${server.url}/main.aspx?etn=incident&id=${incident.incidentid}&agent=${agent.id}`);
  return { page, visible, webApi };
}

interface PageGlobals {
  formContext: unknown;
  LogMeInRescue: { Case: { Ribbon: { requestPin(form: unknown): Promise<void> } }; Pin: { Request: { load(): void } } };
}

/**
 * One click on Request PIN, as the platform runs the command: the first action's library
 * (`pin.request.js`, loaded once per page) and function `load`, then `requestPin` with the form.
 * Resolves when the flow has ended, which is after the agent closed the dialog it opened.
 */
function clickRequestPin(page: Page, { firstClick }: { firstClick: boolean }): Promise<void> {
  const click = (async () => {
    if (firstClick) await page.addScriptTag({ url: `${WEB_RESOURCES}lmi_/scripts/pin.request.js` });
    await page.evaluate(async () => {
      const w = window as unknown as PageGlobals;
      w.LogMeInRescue.Pin.Request.load();
      await w.LogMeInRescue.Case.Ribbon.requestPin(w.formContext);
    });
  })();
  // A test that fails before awaiting the click closes the page under it: that is not a second failure.
  click.catch(() => undefined);
  return click;
}

/** The PIN dialog the click opened, once its page is filled in. */
async function pinDialog(page: Page): Promise<Frame> {
  const frame = await (await page.waitForSelector("#lmi-dialog-frame")).contentFrame();
  if (frame === null) throw new Error("the dialog has no frame");
  await frame.waitForSelector("body[data-lmi-state]");
  return frame;
}

/** The PIN in Rescue's latest `requestPINCode` answer (`OK PINCODE:012345`). */
function pinRescueIssued(): string {
  const reply = rescue.callsTo("requestPINCode").at(-1)?.reply ?? "";
  const pin = /^OK PINCODE:(\d{6})\s*$/.exec(reply)?.[1];
  if (pin === undefined) throw new Error(`Rescue's last requestPINCode answer is not a PIN: ${JSON.stringify(reply)}`);
  return pin;
}

/** "012345" → "012 345", as a person reads the PIN in the dialog. */
const shown = (pin: string): string => `${pin.slice(0, 3)} ${pin.slice(3)}`;

/** The service's "PIN request answered" log lines so far: one per `POST /api/pin` it handled. */
const answeredLines = (): number => service.stdout.filter((line) => line.includes('"PIN request answered"')).length;

/** The number of calls the service handled since `before` lines (its log reaches the test through a pipe, maybe after the browser got the answer). */
async function serviceCallsSince(before: number): Promise<number> {
  await waitFor(() => answeredLines() > before, 5_000, "the service's log line of the PIN request");
  return answeredLines() - before;
}

/** Every secret there is by now: the SSO password, every auth code Rescue issued or was sent, the service's own secrets. */
function secrets(): Record<string, string> {
  const codes = new Set<string>();
  for (const settings of fake.userSettings) if (settings.authCode) codes.add(settings.authCode);
  for (const call of rescue.calls) if (call.fields.authcode) codes.add(call.fields.authcode);
  for (const call of rescue.callsTo("requestAuthCodeSSO")) {
    const code = /AUTHCODE:\s*(\S+)/.exec(call.reply ?? "")?.[1];
    if (code !== undefined) codes.add(code);
  }
  return {
    "SSO password": SSO_PASSWORD,
    ...Object.fromEntries([...codes].map((code, index) => [`auth code #${index + 1}`, code])),
    "client secret": CLIENT_SECRET,
    POST_PASSWORD,
  };
}

/**
 * No secret anywhere the browser could see — and the collection really saw the flow (else the
 * check would pass on nothing): the service's request and answer, the scripts, the Web API
 * answers, the DOM with what the agent was shown, and `consoleIncludes` when given.
 */
async function expectNoSecretVisible(visible: BrowserVisible, seen: { shownText: string; consoleIncludes?: string }): Promise<void> {
  await visible.settle();
  const texts = visible.texts();
  const all = texts.map((entry) => entry.text).join("\n");
  const servicePosts = visible.requestsTo(serviceOrigin).filter((request) => request.method === "POST" && request.url === `${serviceOrigin}${PIN_API_PATH}`);
  expect(servicePosts.length, "requests to the service collected").toBeGreaterThan(0);
  expect(servicePosts.every((request) => request.body.includes('"nonce"')), "request bodies collected").toBe(true);
  expect(visible.responsesFrom(serviceOrigin).filter((response) => response.body.startsWith("{")).length, "service answers collected").toBe(servicePosts.length);
  for (const script of ["case.ribbon.js", "pin.request.js"]) {
    expect(visible.responses.find((response) => response.url.endsWith(`/lmi_/scripts/${script}`))?.body.length ?? 0, `${script} collected`).toBeGreaterThan(1000);
  }
  expect(texts.some((entry) => entry.where.startsWith("Xrm.WebApi.retrieveMultipleRecords") && entry.text.includes("lmi_serviceurl")), "Web API answers collected").toBe(true);
  expect(visible.dom.some((entry) => entry.text.includes(seen.shownText)), "DOM collected").toBe(true);
  if (seen.consoleIncludes !== undefined) expect(visible.consoleLines.join("\n"), "console collected").toContain(seen.consoleIncludes);

  const found = secrets();
  expect(Object.keys(found).filter((name) => name.startsWith("auth code")).length, "auth codes to look for").toBeGreaterThan(0);
  expect(findSecrets(texts, found)).toEqual([]);
  // The search does find the password in the shapes it could take, added to what was collected.
  for (const planted of [SSO_PASSWORD, encodeURIComponent(SSO_PASSWORD), JSON.stringify(SSO_PASSWORD), new URLSearchParams({ pwd: SSO_PASSWORD }).toString()]) {
    expect(findSecrets([{ where: "planted", text: `${all}${planted}` }], { "SSO password": SSO_PASSWORD })).toEqual(["SSO password in planted"]);
  }
}

/** Every request the browser put on the wire went to 127.0.0.1 (the page, the web resources, the service). */
function expectOnlyLoopback(visible: BrowserVisible): void {
  expect(visible.wire.length).toBeGreaterThan(0);
  expect(visible.wire.map((request) => request.url).filter((url) => !url.startsWith("data:") && new URL(url).hostname !== "127.0.0.1")).toEqual([]);
}

describe("Request PIN in Chromium through the real integration service", () => {
  it("an agent with user settings: the PIN Rescue issued shows in the PIN dialog, Rescue gets only the documented fields, the row ends Issued; a second click is 1 Dataverse call + 1 service call", async () => {
    const agent = newAgent("Dana Agent", "4201", { settings: true });
    const incident = newCase("CAS-01001-Z8K4P2", { name: "Carla Customer", email: "carla.customer@example.com" });
    const storedCode = fake.settingsOf(agent.id)?.authCode;
    const { page, visible, webApi } = await openCase(agent, incident);
    const rescueCallsBefore = rescue.calls.length;
    const answeredBefore = answeredLines();

    const firstClick = clickRequestPin(page, { firstClick: true });
    const dialog = await pinDialog(page);
    const pin = pinRescueIssued();
    expect(await dialog.textContent("#pin-value")).toBe(shown(pin));
    expect(await dialog.isVisible("#pin-content")).toBe(true);
    expect(await dialog.isHidden("#pin-error")).toBe(true);
    expect(await stringKeysShown(dialog)).toEqual([]);
    await visible.snapshot("the Case page with the PIN dialog", page);
    await visible.snapshot("the PIN dialog", dialog);

    // Rescue: one requestPINCode with the stored auth code and exactly the documented v1 fields.
    const rescueCalls = rescue.calls.slice(rescueCallsBefore);
    expect(rescueCalls.map((call) => call.method)).toEqual(["requestPINCode"]);
    const [pinCall] = rescueCalls;
    expect(pinCall?.httpMethod).toBe("POST");
    expect(pinCall?.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(pinCall?.fieldNames).toEqual(["authcode", "cfield0", "cfield1", "cfield2", "tracking0", "notechconsole"]);
    expect(pinCall?.fields).toEqual({
      authcode: storedCode,
      cfield0: "Carla Customer",
      cfield1: "carla.customer@example.com",
      cfield2: "CAS-01001-Z8K4P2",
      tracking0: incident.incidentid,
      notechconsole: "1",
    });
    expect(pinCall?.fieldNames.map((name) => name.toLowerCase())).not.toContain("nodeid");

    // The browser: one configuration read (the service URL only) and one PIN request row, which the service claimed and closed.
    expect(webApi.calls.map((call) => `${call.op} ${call.entity}`)).toEqual(["retrieveMultipleRecords lmi_configuration", "createRecord lmi_pinrequest"]);
    expect(webApi.calls[0]?.args[0]).toBe("?$select=lmi_serviceurl&$filter=statecode%20eq%200&$orderby=modifiedon%20desc&$top=1");
    const created = webApi.calls[1]?.answer;
    if (created?.ok !== true) throw new Error(`the PIN request row was not created: ${JSON.stringify(created)}`);
    const requestId = (created.value as { id: string }).id;
    const row = fake.pinRequests.get(requestId);
    expect(row).toMatchObject({ caseId: incident.incidentid, createdBy: agent.id, ownerId: agent.id, status: PinRequestStatus.Issued, pinCode: pin, result: "OK" });
    expect(row?.nonce).toMatch(PIN_NONCE_PATTERN);
    expect(webApi.pinRequestNames.get(requestId)).toMatch(/^CAS-01001-Z8K4P2 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    // What crossed the wire to the service: one POST with exactly {requestId, nonce}, from the Case page's origin, no cookie or credentials.
    await visible.settle();
    const toService = visible.requestsTo(serviceOrigin);
    expect(toService.map((request) => `${request.method} ${new URL(request.url).pathname}`)).toEqual([`POST ${PIN_API_PATH}`]);
    expect(JSON.parse(toService[0]?.body ?? "null")).toEqual({ requestId, nonce: row?.nonce });
    expect(toService[0]?.headers.origin).toBe(server.url);
    expect(toService[0]?.headers.cookie).toBeUndefined();
    expect(toService[0]?.headers.authorization).toBeUndefined();
    // On the wire: the CORS preflight (the page and the service are different origins), then that POST.
    expect(visible.wireTo(serviceOrigin).sort()).toEqual([`OPTIONS ${PIN_API_PATH}`, `POST ${PIN_API_PATH}`]);
    expect(visible.wire.find((request) => request.method === "OPTIONS")?.initiator).toBe("preflight");
    expect(await serviceCallsSince(answeredBefore)).toBe(1);

    // The agent closes the dialog; the click is over.
    await page.click("#lmi-dialog-close");
    await firstClick;

    // A second click on the same page: 1 Dataverse call (the new row) and 1 service call.
    const webApiBefore = webApi.calls.length;
    const serviceRequestsBefore = toService.length;
    const answeredBeforeSecond = answeredLines();
    const secondClick = clickRequestPin(page, { firstClick: false });
    const secondDialog = await pinDialog(page);
    const secondPin = pinRescueIssued();
    expect(secondPin).not.toBe(pin);
    expect(await secondDialog.textContent("#pin-value")).toBe(shown(secondPin));
    await visible.snapshot("the PIN dialog of the second click", secondDialog);
    await visible.settle();
    expect(webApi.calls.slice(webApiBefore).map((call) => `${call.op} ${call.entity}`)).toEqual(["createRecord lmi_pinrequest"]);
    expect(visible.requestsTo(serviceOrigin).slice(serviceRequestsBefore).map((request) => `${request.method} ${new URL(request.url).pathname}`)).toEqual([`POST ${PIN_API_PATH}`]);
    expect(await serviceCallsSince(answeredBeforeSecond)).toBe(1);
    const secondRow = fake.pinRequests.get(((webApi.calls.at(-1)?.answer as { value: { id: string } }).value).id);
    expect(secondRow).toMatchObject({ status: PinRequestStatus.Issued, pinCode: secondPin, createdBy: agent.id });
    expect(rescue.calls.slice(rescueCallsBefore).map((call) => call.method)).toEqual(["requestPINCode", "requestPINCode"]);
    await page.click("#lmi-dialog-close");
    await secondClick;

    expect(visible.pageErrors).toEqual([]);
    expect(visible.consoleLines.filter((line) => line.startsWith("error"))).toEqual([]);
    await expectNoSecretVisible(visible, { shownText: shown(secondPin) });
    expectOnlyLoopback(visible);
  });

  // The service allows caching the CORS preflight for 10 minutes (Access-Control-Max-Age: 600);
  // Chromium reuses it only for a request that does not bypass the HTTP cache, so the POST must not
  // say `cache: "no-store"` (it did, and every click cost two round trips).
  it("a repeat click puts exactly one request on the wire to the service: the POST (the first click's CORS preflight is reused)", async () => {
    const agent = newAgent("Paul Preflight", "4204", { settings: true });
    const incident = newCase("CAS-01004-G7H8J9", { name: "Petra Customer", email: "petra@example.com" });
    const { page, visible } = await openCase(agent, incident);
    const first = clickRequestPin(page, { firstClick: true });
    await pinDialog(page);
    await page.click("#lmi-dialog-close");
    await first;
    const before = visible.wireTo(serviceOrigin).length;
    const second = clickRequestPin(page, { firstClick: false });
    const dialog = await pinDialog(page);
    expect(await dialog.textContent("#pin-value")).toBe(shown(pinRescueIssued()));
    await page.click("#lmi-dialog-close");
    await second;
    expect(visible.wireTo(serviceOrigin).slice(before)).toEqual([`POST ${PIN_API_PATH}`]);
  });

  it("the agent's first PIN ever (no user settings): the service creates the row owned by the agent, obtains the auth code with the company SSO settings, and the PIN shows", async () => {
    const agent = newAgent("Frank First", "4202", { settings: false });
    const incident = newCase("CAS-01002-A1B2C3", { name: "Eva Example", email: "eva@example.com" });
    expect(fake.settingsOf(agent.id)).toBeUndefined();
    const { page, visible } = await openCase(agent, incident);
    const rescueCallsBefore = rescue.calls.length;

    const click = clickRequestPin(page, { firstClick: true });
    const dialog = await pinDialog(page);
    const pin = pinRescueIssued();
    expect(await dialog.textContent("#pin-value")).toBe(shown(pin));
    await visible.snapshot("the Case page with the PIN dialog", page);
    await visible.snapshot("the PIN dialog", dialog);

    const calls = rescue.calls.slice(rescueCallsBefore);
    expect(calls.map((call) => call.method)).toEqual(["requestAuthCodeSSO", "requestPINCode", "getAccount"]);
    const [authCall, pinCall, accountCall] = calls;
    expect(authCall?.fields).toEqual({ ssoid: agent.email, pwd: SSO_PASSWORD, company: rescue.companyId });
    const issuedCode = /^OK AUTHCODE:\s*(\S+)\s*$/.exec(authCall?.reply ?? "")?.[1];
    expect(issuedCode, `Rescue's answer: ${authCall?.reply ?? "(none)"}`).toBeDefined();
    expect(pinCall?.fields.authcode).toBe(issuedCode);
    expect(pinCall?.fields.tracking0).toBe(incident.incidentid);
    expect(accountCall?.fields).toEqual({ authcode: issuedCode });

    const settings = fake.settingsOf(agent.id);
    expect(settings).toMatchObject({ userId: agent.id, ownerId: agent.id, authCode: issuedCode, techId: "4202" });
    const [rowId] = [...fake.pinRequests.values()].filter((r) => r.createdBy === agent.id).map((r) => r.id);
    expect(fake.pinRequests.get(rowId ?? "")).toMatchObject({ status: PinRequestStatus.Issued, pinCode: pin });

    await page.click("#lmi-dialog-close");
    await click;
    expect(visible.pageErrors).toEqual([]);
    await expectNoSecretVisible(visible, { shownText: shown(pin) });
    expectOnlyLoopback(visible);
  });

  it("Rescue refuses with NOTECHCONSOLERUNNING: the agent sees that word's message in the error dialog and the form notification — no raw key, no secret — and the row ends Failed", async () => {
    const agent = newAgent("Rita Refused", "4203", { settings: true });
    const incident = newCase("CAS-01003-D4E5F6", { name: "Olaf Other", email: "olaf@example.com" });
    const { page, visible, webApi } = await openCase(agent, incident);
    rescue.reply("requestPINCode", "NOTECHCONSOLERUNNING");

    const click = clickRequestPin(page, { firstClick: true });
    await page.waitForSelector("#error-dialog");
    const message = strings.get("Ribbon.Error.NOTECHCONSOLERUNNING") ?? "";
    expect(message).toMatch(/Technician Console is not running/);
    expect(await page.textContent("#error-message")).toBe(message);
    expect(await page.textContent("#notifications")).toBe((strings.get("Ribbon.Notification") ?? "").replace("{0}", message));
    expect(await page.$("#lmi-dialog")).toBeNull();
    expect(await page.textContent("#progress")).toBe("");
    expect(await stringKeysShown(page.mainFrame())).toEqual([]);
    const messageText = `${await page.textContent("#error-message")} ${await page.textContent("#notifications")}`;
    expect(messageText).not.toMatch(/NOTECHCONSOLERUNNING|Ribbon\./);
    await visible.snapshot("the Case page with the error dialog", page);

    const created = webApi.calls.find((call) => call.op === "createRecord")?.answer;
    const requestId = created?.ok === true ? (created.value as { id: string }).id : "";
    expect(fake.pinRequests.get(requestId)).toMatchObject({ status: PinRequestStatus.Failed, pinCode: null, result: "NOTECHCONSOLERUNNING", createdBy: agent.id });

    await page.click("#error-ok");
    await click;
    expect(visible.pageErrors).toEqual([]);
    await expectNoSecretVisible(visible, { shownText: message, consoleIncludes: "NOTECHCONSOLERUNNING" });
    expectOnlyLoopback(visible);
  });
});
