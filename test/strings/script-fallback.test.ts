/**
 * Form and ribbon scripts show English when neither the user's nor the organisation's language has
 * the string. `Xrm.Utility.getResourceString` answers from the strings file of the user's language,
 * else of the organisation's base language, else not at all; here it is played by a fake that does
 * exactly that with the product's real strings files, for a German user (1031) in a German
 * organisation (1031). Checked on the source (`xrmTranslator`) and on the built scripts, loaded as
 * Dynamics loads them, through what the agent sees (progress, notification, error dialog).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { stringsUsedBy } from "../../src/packaging/bundle";
import { STRINGS_WEB_RESOURCE } from "../../src/strings/translator";
import { xrmTranslator } from "../../src/xrm/strings";
import { buildIntoTemp, type BuiltSolution } from "../solution/built-package";
import { initXrm, resxStrings } from "../helpers/xrm";

type Lcid = 1031 | 1033 | 1043;
const SHIPPED: ReadonlyMap<number, ReadonlyMap<string, string>> = new Map([
  [1033, resxStrings(1033)],
  [1043, resxStrings(1043)],
]);
const english = resxStrings(1033);
const dutch = resxStrings(1043);

/** `getResourceString` as the platform answers it, for the strings files this solution ships. */
function platformGetResourceString(userLcid: Lcid, orgLcid: Lcid): (webResourceName: string, key: string) => string {
  return (webResourceName, key) => {
    const table = SHIPPED.get(userLcid) ?? SHIPPED.get(orgLcid);
    if (webResourceName !== STRINGS_WEB_RESOURCE || !table) throw new Error(`${webResourceName} does not exist.`);
    return table.get(key) ?? (null as unknown as string);
  };
}

/** True when `text` is an English string with its placeholders filled in. */
function isEnglishString(text: string): boolean {
  return [...english.values()].some((template) => {
    const pattern = template.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\\\{\d+\\\}/g, "[\\s\\S]*");
    return new RegExp(`^${pattern}$`).test(text);
  });
}

const looksLikeKey = (text: string): boolean => /\b(?:Common|Config|Pin|Ribbon)\.[A-Za-z]/.test(text);

describe("xrmTranslator (source)", () => {
  it("answers in English for a German user in a German organisation", () => {
    initXrm();
    vi.spyOn(Xrm.Utility, "getResourceString").mockImplementation(platformGetResourceString(1031, 1031));
    const t = xrmTranslator(Object.fromEntries(english));
    expect(t("Ribbon.Progress")).toBe(english.get("Ribbon.Progress"));
    expect(t("Ribbon.Notification", "x")).toBe((english.get("Ribbon.Notification") ?? "").replace("{0}", "x"));
    expect(t("No.Such.Key")).toBe("No.Such.Key");
  });

  it("answers from the platform when it has the string: Dutch for a Dutch user, the base language for a German one", () => {
    initXrm();
    vi.spyOn(Xrm.Utility, "getResourceString").mockImplementation(platformGetResourceString(1043, 1033));
    expect(xrmTranslator(Object.fromEntries(english))("Ribbon.Progress")).toBe(dutch.get("Ribbon.Progress"));
    vi.spyOn(Xrm.Utility, "getResourceString").mockImplementation(platformGetResourceString(1031, 1043));
    expect(xrmTranslator(Object.fromEntries(english))("Ribbon.Progress")).toBe(dutch.get("Ribbon.Progress"));
  });

  it("uses English when the platform answers null instead of throwing", () => {
    initXrm();
    vi.spyOn(Xrm.Utility, "getResourceString").mockReturnValue(null as unknown as string);
    expect(xrmTranslator({ "Ribbon.Progress": "Requesting" })("Ribbon.Progress")).toBe("Requesting");
  });
});

describe("the strings a script carries", () => {
  const strings = new Map([
    ["Ribbon.Progress", "p"],
    ["Ribbon.Error.ERROR", "e"],
    ["Ribbon.Error.INVALID.Email", "i"],
    ["Config.Option.Close.Label", "l"],
    ["Config.Option.Close.Help", "h"],
    ["Config.Other", "o"],
    ["Pin.Title", "t"],
  ]);

  it("are the keys its code names, those it builds from a literal prefix, and no others", () => {
    const code = 'x("Ribbon.Progress");var k="Ribbon.Error."+w;var o={close:"Config.Option.Close"};y(`${o[a]}.Label`);z("LogMeInRescue.Pin.Request")';
    expect(stringsUsedBy(code, strings)).toEqual({
      "Ribbon.Progress": "p",
      "Ribbon.Error.ERROR": "e",
      "Ribbon.Error.INVALID.Email": "i",
      "Config.Option.Close.Label": "l",
      "Config.Option.Close.Help": "h",
    });
  });
});

describe("built scripts, for a German user in a German organisation", () => {
  let built: BuiltSolution;
  beforeAll(async () => {
    built = await buildIntoTemp();
  }, 120_000);

  function script(name: string): string {
    return readFileSync(join(built.outDir, "webresources/lmi_/scripts", name), "utf8");
  }

  /** A window with a fake Xrm as the platform would have it, and what the agent was shown. */
  function dynamicsWindow(userLcid: Lcid, orgLcid: Lcid): { window: Record<string, unknown>; shown: string[] } {
    const shown: string[] = [];
    const refuse = (): Promise<never> => Promise.reject(Object.assign(new Error("Principal user is missing prvReadlmi_configuration privilege."), { errorCode: -2147220960 }));
    const context = {
      userSettings: { languageId: userLcid, userId: "{3F2504E0-4F89-11D3-9A0C-0305E82C3301}", userName: "Dana Agent" },
      organizationSettings: { languageId: orgLcid },
      getClientUrl: () => "https://contoso.crm4.dynamics.com",
    };
    const xrm = {
      Utility: {
        getResourceString: platformGetResourceString(userLcid, orgLcid),
        getGlobalContext: () => context,
        showProgressIndicator: (message: string) => shown.push(message),
        closeProgressIndicator: () => undefined,
      },
      Navigation: {
        openErrorDialog: (options: { message: string }) => {
          shown.push(options.message);
          return Promise.resolve();
        },
        openConfirmDialog: (options: { title: string; text: string; confirmButtonLabel: string }) => {
          shown.push(options.title, options.text, options.confirmButtonLabel);
          return Promise.resolve({ confirmed: false });
        },
        navigateTo: () => Promise.resolve(),
        openForm: () => Promise.resolve(),
      },
      WebApi: { retrieveMultipleRecords: refuse, retrieveRecord: refuse, createRecord: refuse, updateRecord: refuse },
    };
    const window: Record<string, unknown> = { Xrm: xrm, console: { error: () => undefined, warn: () => undefined, log: () => undefined }, Promise, setTimeout, fetch: () => Promise.reject(new Error("offline")) };
    window.window = window;
    window.self = window;
    window.globalThis = window;
    return { window, shown };
  }

  function caseForm(shown: string[]): Xrm.FormContext {
    return {
      data: { getIsDirty: () => false, entity: { getId: () => "{8B0C3C5E-1F2A-4D6B-9E7F-0A1B2C3D4E5F}", getEntityName: () => "incident" } },
      ui: { setFormNotification: (message: string) => shown.push(message), clearFormNotification: () => true },
      getAttribute: () => null,
    } as unknown as Xrm.FormContext;
  }

  it("case.ribbon.js says in English that the flow is not loaded", async () => {
    const { window, shown } = dynamicsWindow(1031, 1031);
    runInNewContext(script("case.ribbon.js"), window);
    const ribbon = (window.LogMeInRescue as { Case: { Ribbon: { requestPin(form: Xrm.FormContext): Promise<void> } } }).Case.Ribbon;
    await ribbon.requestPin(caseForm(shown));
    const message = english.get("Ribbon.Error.flowNotLoaded") ?? "";
    expect(shown).toEqual([(english.get("Ribbon.Notification") ?? "").replace("{0}", message), message]);
  });

  it("pin.request.js shows every text of a failed request in English", async () => {
    const { window, shown } = dynamicsWindow(1031, 1031);
    runInNewContext(script("pin.request.js"), window);
    runInNewContext(script("case.ribbon.js"), window);
    const ribbon = (window.LogMeInRescue as { Case: { Ribbon: { requestPin(form: Xrm.FormContext): Promise<void> } } }).Case.Ribbon;
    await ribbon.requestPin(caseForm(shown));
    expect(shown.length).toBeGreaterThanOrEqual(2);
    expect(shown).toContain(english.get("Ribbon.Progress"));
    for (const text of shown) {
      expect(looksLikeKey(text), text).toBe(false);
      expect(isEnglishString(text), text).toBe(true);
    }
  });

  it("case.ribbon.js still answers in Dutch for a Dutch user", async () => {
    const { window, shown } = dynamicsWindow(1043, 1033);
    runInNewContext(script("case.ribbon.js"), window);
    const ribbon = (window.LogMeInRescue as { Case: { Ribbon: { requestPin(form: Xrm.FormContext): Promise<void> } } }).Case.Ribbon;
    await ribbon.requestPin(caseForm(shown));
    expect(shown).toContain(dutch.get("Ribbon.Error.flowNotLoaded"));
  });
});
