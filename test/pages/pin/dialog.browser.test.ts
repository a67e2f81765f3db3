/**
 * The PIN dialog (`lmi_/pages/pin.html` + `pin.page.js`, as built into dist/webresources) in real
 * Chromium, inside a host page that plays the Dynamics dialog and its parent Xrm (WebApi.createRecord
 * and Navigation.openForm recorded). Both languages; screenshots go to test-output/pin/.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, BrowserContext, Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodePinDialogData, type PinDialogData } from "../../../src/pin/dialog-data";
import { axeSource, launchChromium, stringKeysShown } from "../../helpers/browser";
import { assertBuilt, BUILT_WEB_RESOURCES, startStaticServer, type StaticServer } from "../../helpers/static-server";
import { resxStrings } from "../../helpers/xrm";

const SCREENSHOTS = resolve(import.meta.dirname, "../../../test-output/pin");
const AXE = axeSource();
const CASE_ID = "8b0c3c5e-1f2a-4d6b-9e7f-0a1b2c3d4e5f";
const CONTACT_ID = "4f1e2d3c-5b6a-4789-8a9b-0c1d2e3f4a5b";
const USER_ID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
const EMAIL_ID = "0d5c4b3a-2918-4776-8655-443322110099";
const LINK = "https://secure.logmeinrescue.com/R?i=2&Code=012345";

type Lcid = 1033 | 1043;
const text = (lcid: Lcid, key: string, ...args: string[]): string =>
  (resxStrings(lcid).get(key) ?? key).replace(/\{(\d+)\}/g, (whole, index: string) => args[Number(index)] ?? whole);

const DATA: PinDialogData = {
  pin: "012345",
  caseId: CASE_ID,
  caseNumber: "CAS-01001-Z8K4P2 <b>&\"'",
  customer: { id: CONTACT_ID, entityType: "contact" },
  generatedAt: "2026-12-02T09:41:00.000Z",
};

/** A Content-Security-Policy without 'unsafe-inline', as Dataverse can enforce on web resources. */
const STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'";

/** A host page in the role of the Dynamics dialog: a title bar, the parent Xrm, the iframe (`csp`: served under STRICT_CSP). */
function hostPage(lcid: Lcid, data: string, withXrm: boolean, csp: boolean): string {
  const xrm = withXrm
    ? `window.__calls = [];
      window.Xrm = {
        Utility: { getGlobalContext: () => ({ userSettings: { languageId: ${lcid}, userId: "{${USER_ID.toUpperCase()}}", userName: "Dana Agent" } }) },
        WebApi: { createRecord: (entity, data) => { window.__calls.push({ op: "createRecord", entity, data }); return Promise.resolve({ entityType: entity, id: "{${EMAIL_ID.toUpperCase()}}" }); } },
        Navigation: { openForm: (options) => { window.__calls.push({ op: "openForm", options }); return Promise.resolve({ savedEntityReference: [] }); } },
      };`
    : "";
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Case - Dynamics 365</title><link rel="icon" href="data:,">
    <style>
      body { margin: 0; background: rgba(0,0,0,.4); font-family: "Segoe UI", sans-serif; }
      .dialog { width: 520px; margin: 24px auto; background: #fff; border-radius: 4px; box-shadow: 0 8px 16px rgba(0,0,0,.3); }
      .title { display: flex; justify-content: space-between; padding: 16px 20px 0; font-size: 20px; font-weight: 600; }
      iframe { display: block; width: 520px; height: 640px; border: 0; }
    </style>
    <script>${xrm}</script></head>
    <body><div class="dialog" role="dialog" aria-label="LogMeIn Rescue PIN"><div class="title"><span>${lcid === 1043 ? "LogMeIn Rescue-pincode" : "LogMeIn Rescue PIN"}</span><span aria-hidden="true">✕</span></div>
    <iframe id="dialog" title="PIN" src="/WebResources/lmi_/pages/pin.html?data=${encodeURIComponent(data)}${csp ? "&csp=1" : ""}"></iframe></div></body></html>`;
}

let server: StaticServer;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  assertBuilt("lmi_/pages/pin.html");
  assertBuilt("lmi_/scripts/pin.page.js");
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startStaticServer([
    (request, response) => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      if (url.pathname !== "/host.html") return false;
      const lcid = url.searchParams.get("lcid") === "1043" ? 1043 : 1033;
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      response.end(hostPage(lcid, url.searchParams.get("data") ?? "", url.searchParams.get("xrm") !== "0", url.searchParams.get("csp") === "1"));
      return true;
    },
    (request, response) => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      if (url.pathname !== "/WebResources/lmi_/pages/pin.html" || url.searchParams.get("csp") !== "1") return false;
      response.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-security-policy": STRICT_CSP });
      response.end(readFileSync(resolve(BUILT_WEB_RESOURCES, "lmi_/pages/pin.html")));
      return true;
    },
  ]);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 600, height: 720 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
}, 60_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

async function open(lcid: Lcid, data = encodePinDialogData(DATA), withXrm = true, csp = false): Promise<{ page: Page; frame: Frame; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  await page.goto(`${server.url}/host.html?lcid=${lcid}&xrm=${withXrm ? 1 : 0}&csp=${csp ? 1 : 0}&data=${encodeURIComponent(data)}`);
  const frame = await (await page.waitForSelector("#dialog")).contentFrame();
  if (!frame) throw new Error("no dialog frame");
  await frame.waitForSelector("body[data-lmi-state]");
  return { page, frame, errors };
}

const clipboard = (page: Page): Promise<string> => page.evaluate(() => navigator.clipboard.readText());
const calls = (page: Page): Promise<{ op: string; entity?: string; data?: Record<string, unknown>; options?: Record<string, unknown> }[]> =>
  page.evaluate(() => (window as unknown as { __calls: [] }).__calls);

describe.each([1033, 1043] as const)("PIN dialog (%s)", (lcid) => {
  it("shows the PIN, the link, the words for the customer and when it was generated", async () => {
    const { page, frame, errors } = await open(lcid);
    expect(await frame.textContent("#pin-value")).toBe("012 345");
    expect(await frame.getAttribute("#pin-link", "href")).toBe(LINK);
    expect(await frame.textContent("#pin-link")).toBe(LINK);
    expect(await frame.textContent("#tell-text")).toBe(text(lcid, "Pin.TellText", "012 345"));
    expect(await frame.textContent("#tell-text")).toContain("www.LogMeIn123.com");
    expect(await frame.textContent("#pin-generated")).toMatch(lcid === 1043 ? /^Aangemaakt .*2026/ : /^Generated .*2026/);
    expect(await frame.textContent("#pin-spoken")).toBe(text(lcid, "Pin.PinSpoken", "0 1 2 3 4 5"));
    // The PIN is announced (a polite live region, visually hidden).
    await frame.waitForFunction((expected) => document.getElementById("pin-announce")?.textContent === expected, text(lcid, "Pin.PinSpoken", "0 1 2 3 4 5"));
    expect(await frame.getAttribute("#pin-announce", "role")).toBe("status");
    expect(await frame.textContent("#pin-status")).toBe("");
    expect(await frame.evaluate(() => document.documentElement.lang)).toBe(lcid === 1043 ? "nl" : "en");
    expect(await frame.evaluate(() => document.title)).toBe(text(lcid, "Pin.Title"));
    await page.screenshot({ path: resolve(SCREENSHOTS, `pin-dialog-${lcid}.png`) });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows no string key as text: the dialog, and the hints when Email is off", async () => {
    for (const [data, withXrm] of [[DATA, true], [DATA, false], [{ ...DATA, customer: null }, true]] as const) {
      const { page, frame } = await open(lcid, encodePinDialogData(data), withXrm);
      expect(await frame.isVisible("#pin-content")).toBe(true);
      expect(await stringKeysShown(frame)).toEqual([]);
      await page.close();
    }
    const invalid = await open(lcid, "pin=12&case=nope");
    expect(await invalid.frame.isVisible("#pin-error")).toBe(true);
    expect(await stringKeysShown(invalid.frame)).toEqual([]);
    await invalid.page.close();
  });

  it("works with the keyboard alone: Copy PIN, Copy link, Email to customer", async () => {
    const { page, frame, errors } = await open(lcid);
    // Focus starts on Copy PIN.
    expect(await frame.evaluate(() => document.activeElement?.id)).toBe("copy-pin");
    await page.keyboard.press("Enter");
    await frame.waitForFunction((expected) => document.getElementById("pin-status")?.textContent === expected, text(lcid, "Pin.CopiedPin"));
    expect(await clipboard(page)).toBe("012345");

    await page.keyboard.press("Tab"); // the link
    expect(await frame.evaluate(() => document.activeElement?.id)).toBe("pin-link");
    await page.keyboard.press("Tab"); // Copy link
    expect(await frame.evaluate(() => document.activeElement?.id)).toBe("copy-link");
    const outline = await frame.evaluate(() => getComputedStyle(document.activeElement ?? document.body).outlineStyle);
    expect(outline).not.toBe("none");
    await page.keyboard.press("Space");
    await frame.waitForFunction((expected) => document.getElementById("pin-status")?.textContent === expected, text(lcid, "Pin.CopiedLink"));
    expect(await clipboard(page)).toBe(LINK);

    await page.keyboard.press("Tab"); // Email to customer
    expect(await frame.evaluate(() => document.activeElement?.id)).toBe("email");
    expect(await frame.textContent("#email")).toBe(text(lcid, "Pin.Email"));
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => (window as unknown as { __calls: unknown[] }).__calls.length >= 2);

    const [create, openForm, ...more] = await calls(page);
    expect(more).toEqual([]);
    expect(create?.op).toBe("createRecord");
    expect(create?.entity).toBe("email");
    const email = create?.data ?? {};
    expect(email["regardingobjectid_incident_email@odata.bind"]).toBe(`/incidents(${CASE_ID})`);
    expect(email.email_activity_parties).toEqual([
      { "partyid_systemuser@odata.bind": `/systemusers(${USER_ID})`, participationtypemask: 1 },
      { "partyid_contact@odata.bind": `/contacts(${CONTACT_ID})`, participationtypemask: 2 },
    ]);
    expect(email.directioncode).toBe(true);
    expect(email.subject).toBe(text(lcid, "Pin.EmailSubject", DATA.caseNumber, "012 345"));
    const body = String(email.description);
    expect(body).toContain("<strong>012 345</strong>");
    expect(body).toContain(`<a href="${LINK.replace("&", "&amp;")}">${LINK.replace("&", "&amp;")}</a>`);
    expect(body).toContain('<a href="https://www.LogMeIn123.com">www.LogMeIn123.com</a>');
    expect(body).toContain(text(lcid, "Pin.EmailGreeting"));
    expect(body).toContain("CAS-01001-Z8K4P2 &lt;b&gt;&amp;&quot;&#39;");
    expect(body).not.toContain("<b>&");
    expect(openForm).toEqual({ op: "openForm", options: { entityName: "email", entityId: EMAIL_ID } });
    await frame.waitForFunction((expected) => document.getElementById("pin-status")?.textContent === expected, text(lcid, "Pin.EmailDone"));

    // A second press opens the same draft again instead of creating another.
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => (window as unknown as { __calls: unknown[] }).__calls.length >= 3);
    expect((await calls(page)).map((call) => call.op)).toEqual(["createRecord", "openForm", "openForm"]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("starts by itself under a Content-Security-Policy without 'unsafe-inline' (no inline script)", async () => {
    expect(readFileSync(resolve(BUILT_WEB_RESOURCES, "lmi_/pages/pin.html"), "utf8")).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    const { page, frame, errors } = await open(lcid, encodePinDialogData(DATA), true, true);
    expect(await frame.evaluate(() => document.body.dataset.lmiState)).toBe("ready");
    expect(await frame.textContent("#pin-value")).toBe("012 345");
    expect(await frame.textContent("#pin-heading")).toBe(text(lcid, "Pin.Heading"));
    expect(errors).toEqual([]);
    await page.close();
  });

  it("has no serious or critical axe-core violation", async () => {
    const { page, frame } = await open(lcid);
    await frame.addScriptTag({ content: AXE });
    const violations = await frame.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(context: Document): Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> } }).axe;
      return (await axe.run(document)).violations.map(({ id, impact, nodes }) => ({ id, impact, nodes: nodes.length }));
    });
    expect(violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical")).toEqual([]);
    await page.close();
  });
});

describe("PIN dialog: edge cases", () => {
  it("says what to do when opened without a valid PIN", async () => {
    const { page, frame } = await open(1033, "pin=12&case=nope");
    expect(await frame.isVisible("#pin-error")).toBe(true);
    expect(await frame.textContent("#pin-error")).toBe(text(1033, "Pin.Invalid"));
    expect(await frame.isVisible("#pin-content")).toBe(false);
    await page.close();
  });

  it("keeps Copy working but explains why Email is off without the Dynamics host or a customer", async () => {
    const standalone = await open(1033, encodePinDialogData(DATA), false);
    expect(await standalone.frame.isDisabled("#email")).toBe(true);
    expect(await standalone.frame.textContent("#email-hint")).toBe(text(1033, "Pin.EmailUnavailable"));
    await standalone.page.close();

    const noCustomer = await open(1043, encodePinDialogData({ ...DATA, customer: null }));
    expect(await noCustomer.frame.isDisabled("#email")).toBe(true);
    expect(await noCustomer.frame.textContent("#email-hint")).toBe(text(1043, "Pin.EmailNoCustomer"));
    await noCustomer.frame.click("#copy-pin");
    // The copy is done once the dialog says so (reading the clipboard earlier races the copy).
    await noCustomer.frame.waitForFunction((expected) => document.getElementById("pin-status")?.textContent === expected, text(1043, "Pin.CopiedPin"));
    expect(await clipboard(noCustomer.page)).toBe("012345");
    await noCustomer.page.close();
  });

  it("shows what went wrong when the email cannot be created, and lets the agent try again", async () => {
    const { page, frame } = await open(1033);
    await page.evaluate(() => {
      const xrm = (window as unknown as { Xrm: { WebApi: { createRecord: () => Promise<never> } } }).Xrm;
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the platform's shape
      xrm.WebApi.createRecord = () => Promise.reject({ errorCode: -2147220960, message: "Principal user is missing prvCreateActivity privilege" });
    });
    await frame.click("#email");
    await frame.waitForSelector("#pin-error:not([hidden])");
    const [before, after] = text(1033, "Pin.EmailFailed").split("{0}");
    const shown = (await frame.textContent("#pin-error")) ?? "";
    expect(shown.startsWith(before ?? "-")).toBe(true);
    expect(shown.endsWith(after ?? "-")).toBe(true);
    expect(shown).toContain("Principal user is missing prvCreateActivity privilege");
    expect(await frame.isEnabled("#email")).toBe(true);
    await page.close();
  });
});
