/**
 * Form and ribbon scripts show English when neither the user's nor the organisation's language has
 * the string. `Xrm.Utility.getResourceString` answers from the strings file of the user's language,
 * else of the organisation's base language, else not at all; here it is played by a fake that does
 * exactly that with the product's real strings files, for a German user (1031) in a German
 * organisation (1031). The scripts then read the English strings file from the organisation (a fake
 * `fetch` serves the real file). Checked on the source (`loadXrmTranslator`) and on the built
 * scripts, loaded as Dynamics loads them, through what the agent sees (progress, notification,
 * error dialog).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { STRINGS_WEB_RESOURCE } from "../../src/strings/translator";
import { FALLBACK_STRINGS_PATH, loadXrmTranslator } from "../../src/xrm/strings";
import { buildIntoTemp, type BuiltSolution } from "../helpers/built-package";
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

const CLIENT_URL = "https://contoso.crm4.dynamics.com";
const ENGLISH_RESX = readFileSync(join(import.meta.dirname, "../../webresources/lmi_/strings/Strings.1033.resx"), "utf8");

/** A fetch of the organisation's web resources that serves the real English strings file, and what it was asked. */
function organisationFiles(): { fetchText: (url: string) => Promise<string>; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    fetchText: (url) => {
      asked.push(url);
      return url === `${CLIENT_URL}${FALLBACK_STRINGS_PATH}` ? Promise.resolve(ENGLISH_RESX) : Promise.reject(new Error(`404 ${url}`));
    },
  };
}

describe("loadXrmTranslator (source)", () => {
  it("answers in English for a German user in a German organisation, from the English strings file read once", async () => {
    initXrm({ clientUrl: CLIENT_URL });
    vi.spyOn(Xrm.Utility, "getResourceString").mockImplementation(platformGetResourceString(1031, 1031));
    const files = organisationFiles();
    const t = await loadXrmTranslator(files.fetchText);
    expect(t("Ribbon.Progress")).toBe(english.get("Ribbon.Progress"));
    expect(t("Ribbon.Notification", "x")).toBe((english.get("Ribbon.Notification") ?? "").replace("{0}", "x"));
    expect(t("No.Such.Key")).toBe("No.Such.Key");
    expect(files.asked).toEqual([`${CLIENT_URL}/WebResources/lmi_/strings/Strings.1033.resx`]);
  });

  it("answers from the platform, with no request, when it has the strings: Dutch for a Dutch user, the base language for a German one", async () => {
    initXrm({ clientUrl: CLIENT_URL });
    const files = organisationFiles();
    vi.spyOn(Xrm.Utility, "getResourceString").mockImplementation(platformGetResourceString(1043, 1033));
    expect((await loadXrmTranslator(files.fetchText))("Ribbon.Progress")).toBe(dutch.get("Ribbon.Progress"));
    vi.spyOn(Xrm.Utility, "getResourceString").mockImplementation(platformGetResourceString(1031, 1043));
    expect((await loadXrmTranslator(files.fetchText))("Ribbon.Progress")).toBe(dutch.get("Ribbon.Progress"));
    expect(files.asked).toEqual([]);
  });

  it("uses English when the platform answers null instead of throwing", async () => {
    initXrm({ clientUrl: CLIENT_URL });
    vi.spyOn(Xrm.Utility, "getResourceString").mockReturnValue(null as unknown as string);
    expect((await loadXrmTranslator(organisationFiles().fetchText))("Ribbon.Progress")).toBe(english.get("Ribbon.Progress"));
  });

  it("still answers (keys) and says why in the console when the English file cannot be read", async () => {
    initXrm({ clientUrl: CLIENT_URL });
    vi.spyOn(Xrm.Utility, "getResourceString").mockImplementation(platformGetResourceString(1031, 1031));
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const t = await loadXrmTranslator(() => Promise.reject(new Error("HTTP 404")));
    expect(t("Ribbon.Progress")).toBe("Ribbon.Progress");
    expect(String(logged.mock.calls[0]?.[0])).toContain("could not read the English strings");
    logged.mockRestore();
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
  function dynamicsWindow(userLcid: Lcid, orgLcid: Lcid): { window: Record<string, unknown>; shown: string[]; fetched: string[] } {
    const shown: string[] = [];
    const fetched: string[] = [];
    const fetchFake = (url: string): Promise<unknown> => {
      fetched.push(url);
      if (url !== `${CLIENT_URL}${FALLBACK_STRINGS_PATH}`) return Promise.reject(new TypeError("Failed to fetch"));
      return Promise.resolve({ ok: true, status: 200, text: () => Promise.resolve(ENGLISH_RESX) });
    };
    const refuse = (): Promise<never> => Promise.reject(Object.assign(new Error("Principal user is missing prvReadlmi_configuration privilege."), { errorCode: -2147220960 }));
    const context = {
      userSettings: { languageId: userLcid, userId: "{3F2504E0-4F89-11D3-9A0C-0305E82C3301}", userName: "Dana Agent" },
      organizationSettings: { languageId: orgLcid },
      getClientUrl: () => CLIENT_URL,
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
    const window: Record<string, unknown> = { Xrm: xrm, console: { error: () => undefined, warn: () => undefined, log: () => undefined }, Promise, setTimeout, fetch: fetchFake };
    window.window = window;
    window.self = window;
    window.globalThis = window;
    return { window, shown, fetched };
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

  it("case.ribbon.js still answers in Dutch for a Dutch user, without reading any strings file", async () => {
    const { window, shown, fetched } = dynamicsWindow(1043, 1033);
    runInNewContext(script("case.ribbon.js"), window);
    const ribbon = (window.LogMeInRescue as { Case: { Ribbon: { requestPin(form: Xrm.FormContext): Promise<void> } } }).Case.Ribbon;
    await ribbon.requestPin(caseForm(shown));
    expect(shown).toContain(dutch.get("Ribbon.Error.flowNotLoaded"));
    expect(fetched).toEqual([]);
  });

  it("no built script carries a copy of the strings", () => {
    for (const name of ["case.ribbon.js", "pin.request.js", "configuration.form.js"]) {
      const code = script(name);
      expect(code, name).not.toContain(english.get("Ribbon.Error.flowNotLoaded") ?? "?");
      expect(code, name).not.toContain(english.get("Ribbon.Progress") ?? "?");
    }
  });
});
