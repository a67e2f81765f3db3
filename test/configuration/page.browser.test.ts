/**
 * The configuration page (`lmi_/pages/configuration.html` + `configuration.page.js`, as built into
 * dist/webresources) in real Chromium: hosted by a page that plays the parent Xrm, and standalone
 * with ClientGlobalContext.js.aspx, against a fake Dataverse Web API. Screenshots go to
 * test-output/configuration/.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, BrowserContext, Frame, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { axeSource, launchChromium, stringKeysShown } from "../helpers/browser";
import { assertBuilt, BUILT_WEB_RESOURCES, startStaticServer, type StaticServer } from "../helpers/static-server";
import { resxStrings } from "../helpers/xrm";
import { createFakeDataverse, globalContextRoute, hostPageRoute, webApiRoute, type RecordedRequest, type Row } from "./support/page-fakes";

/** The built web resources (`npm run build`); LMI_WEBRESOURCES_DIR points the test at another build. */
const ROOT = process.env.LMI_WEBRESOURCES_DIR ?? BUILT_WEB_RESOURCES;
const SCREENSHOTS = resolve(import.meta.dirname, "../../test-output/configuration");
const AXE = axeSource();

const PRODUCTION = "https://secure.logmeinrescue.com/API";
const BETA = "https://securebeta.logmeinrescue.com/API";
const TENANT = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
const STORED_PASSWORD = "Geheim-SSO-Wachtwoord-7731!";
const SERVICE = "https://integration.contoso.com";
/** The Post-to-URL address the checklist builds from SERVICE. */
const POST_TO_URL = "https://<POST_USERNAME>:<POST_PASSWORD>@integration.contoso.com/api/integration";

const fake = createFakeDataverse();
let server: StaticServer;
let browser: Browser;
let context: BrowserContext;

const en = (key: string, ...args: string[]) => fill(resxStrings(1033).get(key) ?? key, args);
const nl = (key: string, ...args: string[]) => fill(resxStrings(1043).get(key) ?? key, args);
function fill(text: string, args: string[]): string {
  return text.replace(/\{(\d+)\}/g, (whole, i: string) => args[Number(i)] ?? whole);
}

function storedRow(overrides: Row = {}): Row {
  return {
    lmi_configurationid: "9a1b2c3d-0000-4000-8000-000000000001",
    lmi_name: "Default",
    lmi_environment: 645100002,
    lmi_endpoint: "https://rescue.contoso.eu/API",
    lmi_serviceurl: SERVICE,
    lmi_companyid: "987654",
    lmi_ssopassword: STORED_PASSWORD,
    lmi_dynamicsurl: server.url,
    lmi_tenantid: TENANT,
    lmi_requireactivetechconsole: true,
    lmi_closeticketonsessionend: false,
    lmi_reassigncaseonsessionstart: true,
    lmi_donotpasscfield1: false,
    statecode: 0,
    modifiedon: "2024-05-01T10:00:00Z",
    ...overrides,
  };
}

async function openHosted(): Promise<{ page: Page; frame: Frame }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${server.url}/host.html`);
  const frame = await waitForPage(page);
  expect(errors).toEqual([]);
  return { page, frame };
}

async function openStandalone(): Promise<{ page: Page; frame: Frame }> {
  const page = await context.newPage();
  await page.goto(`${server.url}/WebResources/lmi_/pages/configuration.html`);
  await page.waitForSelector("body[data-lmi-state=ready], body[data-lmi-state=error]");
  return { page, frame: page.mainFrame() };
}

async function waitForPage(page: Page): Promise<Frame> {
  const handle = await page.waitForSelector("#config");
  const frame = await handle.contentFrame();
  if (!frame) throw new Error("no frame");
  await frame.waitForSelector("body[data-lmi-state=ready], body[data-lmi-state=error]");
  await frame.waitForSelector("#lmi-key-panel:not([data-lmi-key-state=loading])");
  return frame;
}

async function fitFrame(page: Page): Promise<void> {
  await page.evaluate(() => {
    const iframe = document.querySelector<HTMLIFrameElement>("#config");
    const doc = iframe?.contentDocument;
    if (iframe && doc) iframe.style.height = `${doc.documentElement.scrollHeight + 20}px`;
  });
}

async function screenshot(page: Page, name: string): Promise<void> {
  await fitFrame(page);
  await page.screenshot({ path: resolve(SCREENSHOTS, name), fullPage: true });
}

function writes(): RecordedRequest[] {
  return fake.requests.filter((r) => r.path.startsWith("lmi_configurations") && (r.method === "POST" || r.method === "PATCH"));
}

async function text(frame: Frame, selector: string): Promise<string> {
  return ((await frame.textContent(selector)) ?? "").trim();
}

async function activeId(frame: Frame): Promise<string> {
  return frame.evaluate(() => document.activeElement?.id ?? "");
}

/** Serious and critical axe-core findings in the frame. */
async function axeViolations(frame: Frame): Promise<string[]> {
  await frame.evaluate(AXE);
  const results = await frame.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
    return axe.run(document);
  });
  return results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

beforeAll(async () => {
  assertBuilt("lmi_/pages/configuration.html");
  assertBuilt("lmi_/scripts/configuration.page.js");
  assertBuilt("lmi_/styles/configuration.css");
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startStaticServer([hostPageRoute(fake), globalContextRoute(fake), webApiRoute(fake)], ROOT);
  browser = await launchChromium();
  // One context for the file (pages keep nothing client-side); each test opens and closes its own page.
  context = await browser.newContext({ viewport: { width: 1024, height: 900 }, locale: "en-US" });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

beforeEach(() => {
  fake.reset();
});

describe("configuration page, hosted (parent Xrm)", () => {
  it("first-time setup: fill in and save creates the row with exactly the typed values", async () => {
    const { page, frame } = await openHosted();
    expect(await text(frame, "h1")).toBe(en("Config.Title"));
    expect(await text(frame, "#lmi-page-messages")).toBe(en("Config.Load.New"));
    expect(await frame.isChecked("#lmi-environment-645100000")).toBe(true);
    expect(await frame.inputValue("#lmi-endpoint")).toBe(PRODUCTION);
    expect(await frame.inputValue("#lmi-dynamicsurl")).toBe(server.url);
    expect(await frame.inputValue("#lmi-serviceurl")).toBe("");
    expect(await text(frame, "#lmi-serviceurl-hint")).toBe(en("Config.ServiceUrl.Hint"));
    expect(await text(frame, "#lmi-save")).toBe("Save");
    expect(await text(frame, "#lmi-ssopassword-status")).toBe(en("Config.SsoPassword.NotStored"));
    expect(await frame.isHidden("#lmi-ssopassword-clear-row")).toBe(true);
    expect(await frame.isHidden("#lmi-dynamicsurl-warning")).toBe(true);
    await screenshot(page, "configuration-en-first-time.png");

    await frame.check("#lmi-environment-645100001");
    expect(await frame.inputValue("#lmi-endpoint")).toBe(BETA);
    await frame.fill("#lmi-companyid", "123456");
    await frame.fill("#lmi-ssopassword", " typed SSO pass ");
    await frame.fill("#lmi-serviceurl", ` ${SERVICE.toUpperCase().replace("HTTPS", "https")}/ `);
    await frame.fill("#lmi-tenantid", TENANT);
    await frame.check("#lmi-option-lmi_closeticketonsessionend");
    await frame.check("#lmi-option-lmi_donotpasscfield1");
    await frame.click("#lmi-save");
    await frame.waitForSelector("#lmi-save-message .lmi-message--success");
    expect(await text(frame, "#lmi-save-message")).toBe(en("Config.Save.Saved"));
    expect(await frame.getAttribute("#lmi-save-message", "aria-live")).toBe("polite");

    expect(writes()).toHaveLength(1);
    expect(writes()[0]?.method).toBe("POST");
    expect(writes()[0]?.body).toEqual({
      lmi_name: "Default",
      lmi_environment: 645100001,
      lmi_endpoint: BETA,
      lmi_companyid: "123456",
      lmi_ssopassword: " typed SSO pass ",
      lmi_serviceurl: SERVICE,
      lmi_dynamicsurl: server.url,
      lmi_tenantid: TENANT,
      lmi_requireactivetechconsole: false,
      lmi_closeticketonsessionend: true,
      lmi_reassigncaseonsessionstart: false,
      lmi_donotpasscfield1: true,
    });
    // After saving, the page knows a password is stored, shows none, and updates the new row next time.
    expect(await text(frame, "#lmi-ssopassword-status")).toBe(en("Config.SsoPassword.Stored"));
    expect(await frame.inputValue("#lmi-ssopassword")).toBe("");
    expect(await frame.content()).not.toContain("typed SSO pass");
    // The service URL shows as stored: its root, without the trailing slash.
    expect(await frame.inputValue("#lmi-serviceurl")).toBe(SERVICE);
    expect(await text(frame, "#lmi-checklist-posttourl code")).toBe(POST_TO_URL);

    await frame.fill("#lmi-companyid", "654321");
    await frame.click("#lmi-save");
    await frame.waitForFunction(() => document.querySelector("#lmi-save-message .lmi-message--success") !== null && !document.querySelector("form[aria-busy]"));
    expect(writes()).toHaveLength(2);
    const update = writes()[1];
    expect(update?.method).toBe("PATCH");
    expect(update?.path).toBe(`lmi_configurations(${String(fake.rows[0]?.lmi_configurationid)})`);
    expect(update?.headers["if-match"]).toBe("*");
    expect(update?.body).toMatchObject({ lmi_companyid: "654321" });
    expect(update?.body).not.toHaveProperty("lmi_ssopassword");
    expect(update?.body).not.toHaveProperty("lmi_name");

    // Hosted: the parent's context is used, ClientGlobalContext.js.aspx is never loaded.
    expect(fake.requests.some((r) => r.path === "ClientGlobalContext.js.aspx")).toBe(false);
    // The configuration query asks for the newest active rows.
    const query = fake.requests.find((r) => r.method === "GET" && r.path === "lmi_configurations")?.query ?? "";
    expect(query).toContain("$filter=statecode eq 0");
    expect(query).toContain("$orderby=modifiedon desc");
    expect(query).toContain("$top=2");
    await page.close();
  });

  it("loads an existing row in Dutch and never puts the stored SSO password in the DOM", async () => {
    fake.languageId = 1043;
    fake.keyStatus = "Failed";
    fake.rows = [storedRow()];
    const { page, frame } = await openHosted();
    expect(await frame.getAttribute("html", "lang")).toBe("nl");
    expect(await text(frame, "h1")).toBe(nl("Config.Title"));
    expect(await frame.isChecked("#lmi-environment-645100002")).toBe(true);
    expect(await text(frame, "#lmi-save")).toBe("Opslaan");
    expect(await frame.inputValue("#lmi-endpoint")).toBe("https://rescue.contoso.eu/API");
    expect(await frame.inputValue("#lmi-serviceurl")).toBe(SERVICE);
    expect(await frame.inputValue("#lmi-companyid")).toBe("987654");
    expect(await frame.inputValue("#lmi-tenantid")).toBe(TENANT);
    expect(await frame.isChecked("#lmi-option-lmi_requireactivetechconsole")).toBe(true);
    expect(await frame.isChecked("#lmi-option-lmi_reassigncaseonsessionstart")).toBe(true);
    expect(await frame.isChecked("#lmi-option-lmi_closeticketonsessionend")).toBe(false);
    expect(await text(frame, "#lmi-ssopassword-status")).toBe(nl("Config.SsoPassword.Stored"));
    expect(await frame.isVisible("#lmi-ssopassword-clear-row")).toBe(true);
    expect(await text(frame, "#lmi-page-messages")).toBe("");
    // The service URL tells the checklist the one Post-to-URL address for both boxes.
    expect(await frame.$$eval("#lmi-checklist-posttourl code", (codes) => codes.map((code) => code.textContent))).toEqual([POST_TO_URL]);
    expect(await text(frame, "#lmi-checklist-posttourl")).toContain(nl("Config.Checklist.PostToUrl.Credentials"));

    const everything = [
      await frame.content(),
      await page.content(),
      ...(await frame.$$eval("input, textarea, select", (elements) => elements.map((e) => (e as HTMLInputElement).value))),
    ].join("\n");
    expect(everything).not.toContain(STORED_PASSWORD);
    expect(await frame.inputValue("#lmi-ssopassword")).toBe("");
    await screenshot(page, "configuration-nl-existing-key-failed.png");
    expect(await axeViolations(frame)).toEqual([]);

    // Saving without touching the password leaves it alone.
    await frame.click("#lmi-save");
    await frame.waitForSelector("#lmi-save-message .lmi-message--success");
    expect(writes()[0]?.body).not.toHaveProperty("lmi_ssopassword");
    expect(fake.rows[0]?.lmi_ssopassword).toBe(STORED_PASSWORD);
    await page.close();
  });

  it("replaces or clears the stored password only when asked", async () => {
    fake.rows = [storedRow()];
    const { page, frame } = await openHosted();
    await frame.fill("#lmi-ssopassword", "replacement");
    await frame.click("#lmi-save");
    await frame.waitForSelector("#lmi-save-message .lmi-message--success");
    expect(writes()[0]?.body).toMatchObject({ lmi_ssopassword: "replacement" });

    await frame.check("#lmi-ssopassword-clear");
    expect(await frame.isDisabled("#lmi-ssopassword")).toBe(true);
    await frame.click("#lmi-save");
    await frame.waitForFunction(() => document.querySelector("#lmi-ssopassword-status")?.getAttribute("data-lmi-password") === "unset");
    expect(writes()[1]?.body).toMatchObject({ lmi_ssopassword: null });
    expect(await text(frame, "#lmi-ssopassword-status")).toBe(en("Config.SsoPassword.NotStored"));
    expect(await frame.isHidden("#lmi-ssopassword-clear-row")).toBe(true);
    await page.close();
  });

  it("says so when several configuration rows exist, and edits the newest", async () => {
    fake.rows = [storedRow({ lmi_configurationid: "11111111-0000-4000-8000-000000000001", modifiedon: "2023-01-01T00:00:00Z", lmi_companyid: "111" }), storedRow({ modifiedon: "2024-06-01T00:00:00Z" })];
    const { page, frame } = await openHosted();
    expect(await text(frame, "#lmi-page-messages")).toBe(en("Config.Load.Several"));
    expect(await frame.inputValue("#lmi-companyid")).toBe("987654");
    await frame.click("#lmi-save");
    await frame.waitForSelector("#lmi-save-message .lmi-message--success");
    expect(writes()[0]?.path).toBe("lmi_configurations(9a1b2c3d-0000-4000-8000-000000000001)");
    await page.close();
  });

  it("prefills the endpoint when switching environments; Custom keeps it", async () => {
    const { page, frame } = await openHosted();
    await frame.check("#lmi-environment-645100001");
    expect(await frame.inputValue("#lmi-endpoint")).toBe(BETA);
    await frame.check("#lmi-environment-645100002");
    expect(await frame.inputValue("#lmi-endpoint")).toBe(BETA);
    await frame.fill("#lmi-endpoint", "https://rescue.contoso.eu/API");
    await frame.check("#lmi-environment-645100002");
    expect(await frame.inputValue("#lmi-endpoint")).toBe("https://rescue.contoso.eu/API");
    await frame.check("#lmi-environment-645100000");
    expect(await frame.inputValue("#lmi-endpoint")).toBe(PRODUCTION);
    expect(await text(frame, "#lmi-environment-hint")).toContain("securebeta.logmeinrescue.com");
    await page.close();
  });

  it("a bad value blocks saving, with the message next to the field; fixing it clears the message as you type", async () => {
    const { page, frame } = await openHosted();
    await frame.fill("#lmi-endpoint", "http://secure.logmeinrescue.com/API");
    await frame.fill("#lmi-companyid", "12 34");
    await frame.fill("#lmi-serviceurl", `${SERVICE}/api/integration?event=start`);
    await frame.fill("#lmi-tenantid", "{not-a-guid}");
    await frame.click("#lmi-save");
    await frame.waitForSelector("#lmi-save-message .lmi-message--error");
    expect(writes()).toHaveLength(0);
    expect(await text(frame, "#lmi-save-message")).toBe(en("Config.Save.Invalid", "4"));
    expect(await text(frame, "#lmi-serviceurl-error")).toBe(en("Config.Error.UrlQuery"));
    expect(await text(frame, "#lmi-endpoint-error")).toBe(en("Config.Error.UrlHttp"));
    expect(await text(frame, "#lmi-companyid-error")).toBe(en("Config.Error.CompanyIdDigits"));
    expect(await text(frame, "#lmi-tenantid-error")).toBe(en("Config.Error.TenantIdFormat"));
    for (const id of ["lmi-endpoint", "lmi-companyid", "lmi-serviceurl", "lmi-tenantid"]) {
      expect(await frame.getAttribute(`#${id}`, "aria-invalid")).toBe("true");
      expect((await frame.getAttribute(`#${id}`, "aria-describedby"))?.split(" ")).toContain(`${id}-error`);
    }
    expect(await activeId(frame)).toBe("lmi-endpoint");
    await screenshot(page, "configuration-en-validation.png");
    expect(await axeViolations(frame)).toEqual([]);

    // As you type: the message follows the value.
    await frame.fill("#lmi-endpoint", "https://secure.logmeinrescue.com/API");
    expect(await text(frame, "#lmi-endpoint-error")).toBe("");
    expect(await frame.getAttribute("#lmi-endpoint", "aria-invalid")).toBeNull();
    await frame.fill("#lmi-companyid", "1234");
    expect(await text(frame, "#lmi-companyid-error")).toBe("");
    await frame.fill("#lmi-serviceurl", `${SERVICE}/api/integration`);
    expect(await text(frame, "#lmi-serviceurl-error")).toBe(en("Config.Error.ServiceUrlPath", SERVICE));
    await frame.fill("#lmi-serviceurl", `${SERVICE}/`);
    expect(await text(frame, "#lmi-serviceurl-error")).toBe("");
    await frame.fill("#lmi-tenantid", `{${TENANT}}`);
    expect(await text(frame, "#lmi-tenantid-error")).toBe("");
    await frame.click("#lmi-save");
    await frame.waitForSelector("#lmi-save-message .lmi-message--success");
    expect(writes()[0]?.body).toMatchObject({ lmi_endpoint: PRODUCTION, lmi_companyid: "1234", lmi_serviceurl: SERVICE, lmi_tenantid: TENANT });
    await page.close();
  });

  it("checks a field once it is left, and needs the company id with an SSO password", async () => {
    const { page, frame } = await openHosted();
    await frame.focus("#lmi-tenantid");
    await frame.press("#lmi-tenantid", "Tab");
    expect(await text(frame, "#lmi-tenantid-error")).toBe("");
    await frame.fill("#lmi-tenantid", "abc");
    await frame.press("#lmi-tenantid", "Tab");
    expect(await text(frame, "#lmi-tenantid-error")).toBe(en("Config.Error.TenantIdFormat"));
    await frame.fill("#lmi-tenantid", "");
    expect(await text(frame, "#lmi-tenantid-error")).toBe(en("Config.Error.Required"));

    await frame.fill("#lmi-ssopassword", "x");
    expect(await text(frame, "#lmi-companyid-error")).toBe(en("Config.Error.CompanyIdNeeded"));
    await frame.fill("#lmi-ssopassword", "");
    expect(await text(frame, "#lmi-companyid-error")).toBe("");
    await page.close();
  });

  it("a failed save keeps what was typed and says why", async () => {
    fake.failWrites = { status: 403, code: "0x80040220", message: "Principal user is missing prvCreatelmi_configuration privilege." };
    const { page, frame } = await openHosted();
    await frame.fill("#lmi-companyid", "5555");
    await frame.fill("#lmi-ssopassword", "pw");
    await frame.fill("#lmi-serviceurl", SERVICE);
    await frame.fill("#lmi-tenantid", TENANT);
    await frame.click("#lmi-save");
    await frame.waitForSelector("#lmi-save-message .lmi-message--error");
    expect(await text(frame, "#lmi-save-message")).toBe(en("Config.Save.Failed", "Principal user is missing prvCreatelmi_configuration privilege."));
    expect(await frame.getAttribute("#lmi-save-message", "aria-live")).toBe("assertive");
    expect(await frame.inputValue("#lmi-companyid")).toBe("5555");
    expect(await frame.inputValue("#lmi-ssopassword")).toBe("pw");
    expect(await frame.inputValue("#lmi-tenantid")).toBe(TENANT);
    expect(await text(frame, "#lmi-ssopassword-status")).toBe(en("Config.SsoPassword.NotStored"));

    fake.failWrites = null;
    await frame.click("#lmi-save");
    await frame.waitForSelector("#lmi-save-message .lmi-message--success");
    expect(writes()[1]?.body).toMatchObject({ lmi_companyid: "5555", lmi_ssopassword: "pw", lmi_tenantid: TENANT });
    await page.close();
  });

  it("offers no form when the configuration cannot be loaded (a save could duplicate the row)", async () => {
    fake.failConfigurationRead = { status: 403, code: "0x80040220", message: "Principal user is missing prvReadlmi_configuration privilege." };
    const { page, frame } = await openHosted();
    expect(await frame.getAttribute("body", "data-lmi-state")).toBe("error");
    expect(await text(frame, "#lmi-page-messages .lmi-message--error")).toContain(en("Config.Load.Failed", "Principal user is missing prvReadlmi_configuration privilege."));
    expect(await frame.getAttribute("#lmi-page-messages .lmi-message--error", "role")).toBe("alert");
    expect(await frame.isHidden("#lmi-config-form")).toBe(true);
    expect(await frame.isVisible("#lmi-page-messages button")).toBe(true);
    // The Session Key panel still works.
    expect(await text(frame, "#lmi-key-status")).toBe(en("Config.Key.Status.Active"));
    await page.close();
  });

  it("warns when the Dynamics URL is another organisation and offers this one", async () => {
    fake.rows = [storedRow({ lmi_dynamicsurl: "https://contoso-old.crm4.dynamics.com" })];
    const { page, frame } = await openHosted();
    expect(await frame.isVisible("#lmi-dynamicsurl-warning")).toBe(true);
    expect(await text(frame, "#lmi-dynamicsurl-warning-text")).toBe(en("Config.DynamicsUrl.Mismatch", server.url));
    await frame.click("#lmi-dynamicsurl-use-current");
    expect(await frame.inputValue("#lmi-dynamicsurl")).toBe(server.url);
    expect(await frame.isHidden("#lmi-dynamicsurl-warning")).toBe(true);
    expect(await activeId(frame)).toBe("lmi-dynamicsurl");
    await page.close();
  });

  it("copies checklist values", async () => {
    const { page, frame } = await openHosted();
    const button = frame.locator("#lmi-checklist-applicationuser button").first();
    expect(await button.getAttribute("aria-label")).toBe(en("Config.Checklist.CopyLabel", en("Config.Checklist.AppUser.Role")));
    await button.click();
    expect(await frame.evaluate(() => navigator.clipboard.readText())).toBe("LogMeIn Integration User");
    expect(await button.textContent()).toBe(en("Common.Copied"));
    // Without a service URL the Post-to-URL address has the host placeholder and no copy button.
    expect(await text(frame, "#lmi-checklist-posttourl code")).toBe("https://<POST_USERNAME>:<POST_PASSWORD>@<integration-service-host>/api/integration");
    expect(await text(frame, "#lmi-checklist-posttourl")).toContain(en("Config.Checklist.PostToUrl.NoService"));
    expect(await frame.locator("#lmi-checklist-posttourl button").count()).toBe(0);
    // Typing the service URL completes it, as you type.
    await frame.fill("#lmi-serviceurl", `${SERVICE}/`);
    expect(await text(frame, "#lmi-checklist-posttourl code")).toBe(POST_TO_URL);
    expect(await text(frame, "#lmi-checklist-posttourl")).not.toContain(en("Config.Checklist.PostToUrl.NoService"));
    await frame.locator("#lmi-checklist-posttourl button").click();
    expect(await frame.evaluate(() => navigator.clipboard.readText())).toBe(POST_TO_URL);
    // The application user gets the integration role and field security profile; agents only their role.
    expect(await frame.$$eval("#lmi-checklist-applicationuser code", (codes) => codes.map((code) => code.textContent))).toEqual([
      "LogMeIn Integration User",
      "LogMeIn Rescue Integration",
      server.url,
    ]);
    expect(await frame.$$eval("#lmi-checklist-agents code", (codes) => codes.map((code) => code.textContent))).toEqual(["LogMeIn Rescue Agent"]);
    expect(await text(frame, "#lmi-checklist-applicationuser")).toContain(en("Config.Checklist.AppUser.Profile"));
    expect(await text(frame, "#lmi-checklist-agents")).not.toContain(en("Config.Checklist.AppUser.Profile"));
    expect(await frame.getAttribute("#lmi-checklist-agents a", "href")).toBe(`${server.url}/main.aspx?pagetype=entitylist&etn=lmi_usersettings`);
    await page.close();
  });

  it("copies through the text-area fallback when the Clipboard API is refused, and selects the value when nothing can copy", async () => {
    const { page, frame } = await openHosted();
    await frame.evaluate(() => {
      navigator.clipboard.writeText = () => Promise.reject(new DOMException("Write permission denied.", "NotAllowedError"));
    });
    const role = frame.locator("#lmi-checklist-applicationuser button").first();
    await role.click();
    await frame.waitForFunction(() => document.querySelector(".lmi-checklist-section [aria-live]")?.textContent !== "");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe("LogMeIn Integration User");
    expect(await role.textContent()).toBe(en("Common.Copied"));

    await frame.evaluate(() => {
      document.execCommand = () => false;
    });
    await frame.locator("#lmi-checklist-agents button").first().click();
    await frame.waitForFunction((expected) => document.querySelector(".lmi-checklist-section [aria-live]")?.textContent === expected, en("Config.Checklist.CopyManual"));
    expect(await frame.evaluate(() => document.getSelection()?.toString())).toBe("LogMeIn Rescue Agent");
    await page.close();
  });
});

describe("every visible text is a string, not its key", () => {
  it("in English: a new configuration, the Save button and the messages of a blocked save", async () => {
    const { page, frame } = await openHosted();
    expect(await text(frame, "#lmi-save")).toBe("Save");
    await frame.fill("#lmi-tenantid", "{not-a-guid}");
    await frame.click("#lmi-save");
    await frame.waitForSelector("#lmi-save-message .lmi-message--error");
    expect(await stringKeysShown(frame)).toEqual([]);
    await page.close();
  });

  it("in Dutch: a stored configuration of another organisation with a failed key", async () => {
    fake.languageId = 1043;
    fake.keyStatus = "Failed";
    fake.rows = [storedRow({ lmi_dynamicsurl: "https://contoso-old.crm4.dynamics.com" })];
    const { page, frame } = await openHosted();
    expect(await text(frame, "#lmi-save")).toBe("Opslaan");
    expect(await frame.isVisible("#lmi-dynamicsurl-warning")).toBe(true);
    expect(await stringKeysShown(frame)).toEqual([]);
    await page.close();
  });
});

describe("Session Key panel", () => {
  const cases = [
    { status: "Active", label: "Config.Key.Status.Active", explanation: "Config.Key.Explain.Active", reactivate: false },
    { status: "Pending", label: "Config.Key.Status.Pending", explanation: "Config.Key.Explain.Pending", reactivate: true },
    { status: "InProgress", label: "Config.Key.Status.InProgress", explanation: "Config.Key.Explain.InProgress", reactivate: true },
    { status: "Failed", label: "Config.Key.Status.Failed", explanation: "Config.Key.Explain.Failed", reactivate: true },
    { status: null, label: "Config.Key.Status.Missing", explanation: "Config.Key.Explain.Missing", reactivate: false },
  ] as const;

  it.each(cases)("shows $status", async ({ status, label, explanation, reactivate }) => {
    fake.keyStatus = status;
    const { page, frame } = await openHosted();
    expect(await text(frame, "#lmi-key-status")).toBe(en(label));
    expect(await text(frame, "#lmi-key-explanation")).toBe(en(explanation));
    expect(await frame.isVisible("#lmi-key-reactivate")).toBe(reactivate);
    expect(await frame.getAttribute("#lmi-key-panel", "data-lmi-key-state")).toBe(status ?? "missing");
    await page.close();
  });

  it("explains a failed read (no metadata privilege)", async () => {
    fake.failKeyRead = { status: 403, code: "0x80040220", message: "Principal user is missing prvReadEntityKey privilege." };
    const { page, frame } = await openHosted();
    expect(await text(frame, "#lmi-key-status")).toBe(en("Config.Key.Status.ReadFailed"));
    expect(await text(frame, "#lmi-key-explanation")).toBe(en("Config.Key.Explain.ReadFailed", "Principal user is missing prvReadEntityKey privilege."));
    expect(await frame.isHidden("#lmi-key-reactivate")).toBe(true);
    await page.close();
  });

  it("Reactivate calls ReactivateEntityKey and shows the new status", async () => {
    fake.keyStatus = "Failed";
    fake.statusAfterReactivate = "InProgress";
    const { page, frame } = await openHosted();
    await frame.click("#lmi-key-reactivate");
    await frame.waitForSelector("#lmi-key-panel[data-lmi-key-state=InProgress]");
    const calls = fake.requests.filter((r) => r.path === "ReactivateEntityKey");
    expect(calls).toHaveLength(1);
    expect(calls[0]?.method).toBe("POST");
    expect(calls[0]?.body).toEqual({ EntityLogicalName: "lmi_session", EntityKeyLogicalName: "lmi_sessionkey" });
    expect(await text(frame, "#lmi-key-message")).toBe(en("Config.Key.Reactivated"));
    expect(await text(frame, "#lmi-key-status")).toBe(en("Config.Key.Status.InProgress"));

    fake.keyStatus = "Active";
    await frame.click("#lmi-key-refresh");
    await frame.waitForSelector("#lmi-key-panel[data-lmi-key-state=Active]");
    expect(await frame.isHidden("#lmi-key-reactivate")).toBe(true);
    await page.close();
  });
});

describe("keyboard and accessibility", () => {
  it("can be filled in and saved with the keyboard only, with a visible focus", async () => {
    const { page, frame } = await openHosted();
    await page.keyboard.press("Tab");
    expect(await activeId(frame)).toBe("lmi-environment-645100000");
    await page.keyboard.press("ArrowRight");
    expect(await frame.isChecked("#lmi-environment-645100001")).toBe(true);
    expect(await frame.inputValue("#lmi-endpoint")).toBe(BETA);
    const focusStyle = await frame.evaluate(() => {
      const style = getComputedStyle(document.activeElement!);
      return { outline: style.outlineStyle, width: style.outlineWidth };
    });
    expect(focusStyle.outline).not.toBe("none");
    expect(focusStyle.width).not.toBe("0px");

    await page.keyboard.press("Tab");
    expect(await activeId(frame)).toBe("lmi-endpoint");
    await page.keyboard.press("Tab");
    expect(await activeId(frame)).toBe("lmi-companyid");
    await page.keyboard.type("24680");
    await page.keyboard.press("Tab");
    expect(await activeId(frame)).toBe("lmi-ssopassword");
    await page.keyboard.type("kb-secret");
    await page.keyboard.press("Tab");
    expect(await activeId(frame)).toBe("lmi-serviceurl");
    await page.keyboard.type(SERVICE);
    await page.keyboard.press("Tab");
    expect(await activeId(frame)).toBe("lmi-dynamicsurl");
    await page.keyboard.press("Tab");
    expect(await activeId(frame)).toBe("lmi-tenantid");
    await page.keyboard.type(`{${TENANT}}`);
    await page.keyboard.press("Tab");
    expect(await activeId(frame)).toBe("lmi-option-lmi_requireactivetechconsole");
    await page.keyboard.press("Space");
    for (const id of ["lmi-option-lmi_closeticketonsessionend", "lmi-option-lmi_reassigncaseonsessionstart", "lmi-option-lmi_donotpasscfield1", "lmi-save"]) {
      await page.keyboard.press("Tab");
      expect(await activeId(frame)).toBe(id);
    }
    await page.keyboard.press("Enter");
    await frame.waitForSelector("#lmi-save-message .lmi-message--success");
    expect(writes()[0]?.body).toMatchObject({
      lmi_environment: 645100001,
      lmi_endpoint: BETA,
      lmi_companyid: "24680",
      lmi_ssopassword: "kb-secret",
      lmi_serviceurl: SERVICE,
      lmi_tenantid: TENANT,
      lmi_requireactivetechconsole: true,
      lmi_closeticketonsessionend: false,
    });
    expect(await activeId(frame)).toBe("lmi-save");
    // Onwards to the Session Key and the checklist.
    await page.keyboard.press("Tab");
    expect(await activeId(frame)).toBe("lmi-key-refresh");
    await page.keyboard.press("Tab");
    expect(await frame.evaluate(() => document.activeElement?.closest("#lmi-checklist") !== null)).toBe(true);
    await page.close();
  });

  it("has no serious or critical axe-core violations, in English and Dutch", async () => {
    const first = await openHosted();
    expect(await axeViolations(first.frame)).toEqual([]);
    await first.page.close();

    fake.languageId = 1043;
    fake.keyStatus = "Pending";
    fake.rows = [storedRow({ lmi_dynamicsurl: "https://contoso-old.crm4.dynamics.com" })];
    const second = await openHosted();
    expect(await axeViolations(second.frame)).toEqual([]);
    await screenshot(second.page, "configuration-nl-url-warning-key-pending.png");
    await second.page.close();
  });
});

describe("configuration page, standalone (ClientGlobalContext.js.aspx)", () => {
  it("loads the global context by its relative path and works without a parent Xrm", async () => {
    fake.rows = [storedRow()];
    fake.languageId = 1043;
    const { page, frame } = await openStandalone();
    expect(await frame.getAttribute("body", "data-lmi-state")).toBe("ready");
    expect(fake.requests.some((r) => r.path === "ClientGlobalContext.js.aspx")).toBe(true);
    expect(await text(frame, "h1")).toBe(nl("Config.Title"));
    expect(await frame.inputValue("#lmi-companyid")).toBe("987654");
    await frame.fill("#lmi-companyid", "1357");
    await frame.click("#lmi-save");
    await frame.waitForSelector("#lmi-save-message .lmi-message--success");
    expect(writes()[0]?.body).toMatchObject({ lmi_companyid: "1357" });
    expect(await page.content()).not.toContain(STORED_PASSWORD);
    await page.screenshot({ path: resolve(SCREENSHOTS, "configuration-nl-standalone.png"), fullPage: true });
    await page.close();
  });

  it("says it needs Dynamics 365 when there is no context at all", async () => {
    fake.globalContextAvailable = false;
    const { page, frame } = await openStandalone();
    expect(await frame.getAttribute("body", "data-lmi-state")).toBe("error");
    expect(await text(frame, "#lmi-page-messages")).toBe(en("Config.NoContext"));
    expect(await frame.isHidden("#lmi-config-form")).toBe(true);
    await page.close();
  });
});
