/**
 * The Case ribbon in the solution: the RibbonDiff source against the 9.0.0.2090 schema and the
 * DESIGN §6 contract (plus the first action that loads the flow library), the built package
 * (XSD-valid, with the ribbon, both command libraries and their RESX dependencies, every
 * registered function defined by its library), the built case.ribbon.js and pin.request.js
 * loading inertly, and the enable rule.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { runInNewContext } from "node:vm";
import { beforeAll, describe, expect, it } from "vitest";
import { XrmMockGenerator } from "xrm-mock";
import { loadLibrary } from "../../src/packaging/checks";
import { schemasDir, validateWithXsd } from "../../src/packaging/xsd";
import { canRequestPinOn } from "../../src/pin/enable";
import { initXrm } from "../helpers/xrm";
import { buildIntoTemp, type BuiltSolution } from "../helpers/built-package";

const ROOT = resolve(import.meta.dirname, "../..");
/** Microsoft's XSDs, where the build itself finds them (no absolute path in a test). */
const SCHEMAS = schemasDir(ROOT);
const RIBBON_DIFF = join(ROOT, "solution/Entities/Incident/RibbonDiff.xml");
const ribbonXml = readFileSync(RIBBON_DIFF, "utf8");

/** Attribute values of every element `name` in `xml` (the ribbon XML is ours: a regex is enough). */
function elements(xml: string, name: string): Record<string, string>[] {
  return [...xml.matchAll(new RegExp(`<${name}\\b([^>]*)>`, "g"))].map((match) =>
    Object.fromEntries([...(match[1] ?? "").matchAll(/([\w:]+)="([^"]*)"/g)].map((attribute) => [attribute[1] ?? "", attribute[2] ?? ""])),
  );
}

describe("RibbonDiff.xml (source)", () => {
  it("validates against RibbonCore.xsd (9.0.0.2090)", () => {
    expect(validateWithXsd(ribbonXml, SCHEMAS, "RibbonDiff.xml", "RibbonCore.xsd")).toEqual({ ok: true });
  });

  it("defines the button, command, rules and actions of DESIGN §6, the flow library's load action first", () => {
    expect(elements(ribbonXml, "Button")).toEqual([
      expect.objectContaining({
        Id: "lmi.incident.RequestPin.Button",
        Command: "lmi.incident.RequestPin.Command",
        ModernImage: "$webresource:lmi_/images/requestpin.svg",
      }),
    ]);
    expect(elements(ribbonXml, "CustomAction")[0]?.Location).toBe("Mscrm.Form.incident.MainTab.Save.Controls._children");
    expect(elements(ribbonXml, "CommandDefinition")).toEqual([{ Id: "lmi.incident.RequestPin.Command" }]);
    // The platform loads a command's libraries in action order: pin.request.js before the hand-off.
    expect(elements(ribbonXml, "JavaScriptFunction")).toEqual([
      { FunctionName: "LogMeInRescue.Pin.Request.load", Library: "$webresource:lmi_/scripts/pin.request.js" },
      { FunctionName: "LogMeInRescue.Case.Ribbon.requestPin", Library: "$webresource:lmi_/scripts/case.ribbon.js" },
    ]);
    const actions = /<Actions>([\s\S]*?)<\/Actions>/.exec(ribbonXml)?.[1] ?? "";
    expect(actions).toMatch(/<JavaScriptFunction FunctionName="LogMeInRescue\.Pin\.Request\.load" Library="\$webresource:lmi_\/scripts\/pin\.request\.js" \/>\s*<JavaScriptFunction FunctionName="LogMeInRescue\.Case\.Ribbon\.requestPin"[^>]*>\s*<CrmParameter Value="PrimaryControl" \/>/);
    expect(elements(ribbonXml, "CustomRule")).toEqual([
      { FunctionName: "LogMeInRescue.Case.Ribbon.canRequestPin", Library: "$webresource:lmi_/scripts/case.ribbon.js", Default: "false" },
    ]);
    expect(elements(ribbonXml, "CrmParameter")).toEqual([{ Value: "PrimaryControl" }, { Value: "PrimaryControl" }]);
    // Hidden on the Create form: a display rule (the command bar also hides disabled commands).
    expect(ribbonXml).toMatch(/<DisplayRule Id="lmi\.incident\.RequestPin\.DisplayRule">\s*<FormStateRule State="Create" InvertResult="true" \/>/);
  });

  it("has every $LocLabels: label in English and Dutch", () => {
    const ids = [...new Set([...ribbonXml.matchAll(/\$LocLabels:([\w.]+)/g)].map((match) => match[1]))];
    expect(ids.length).toBeGreaterThanOrEqual(2);
    for (const id of ids) {
      const label = new RegExp(`<LocLabel Id="${id?.replace(/\./g, "\\.")}">([\\s\\S]*?)</LocLabel>`).exec(ribbonXml)?.[1] ?? "";
      const titles = elements(label, "Title");
      expect(titles.map((title) => title.languagecode).sort(), id).toEqual(["1033", "1043"]);
      expect(titles.every((title) => (title.description ?? "").trim() !== ""), id).toBe(true);
    }
    expect(ribbonXml).toContain('description="Request PIN" languagecode="1033"');
    expect(ribbonXml).toContain('description="Pincode aanvragen" languagecode="1043"');
  });
});

describe("the built solution", () => {
  let built: BuiltSolution;
  beforeAll(async () => {
    built = await buildIntoTemp();
  }, 120_000);

  it("validates against CustomizationsSolution.xsd with the Case ribbon inside", () => {
    expect(built.result.xsd).toBe("valid");
    for (const [name, pkg] of [["managed", built.managed], ["unmanaged", built.unmanaged]] as const) {
      expect(validateWithXsd(pkg.customizationsXml, SCHEMAS, `${name} customizations.xml`), name).toEqual({ ok: true });
      const incident = /<Entity>\s*<Name[^>]*>Incident<\/Name>[\s\S]*?<\/Entity>/.exec(pkg.customizationsXml)?.[0] ?? "";
      expect(incident).toContain('<Button Id="lmi.incident.RequestPin.Button"');
      expect(incident).toContain('FunctionName="LogMeInRescue.Case.Ribbon.requestPin"');
      expect(incident.indexOf('FunctionName="LogMeInRescue.Pin.Request.load"')).toBeGreaterThan(-1);
      expect(incident.indexOf('FunctionName="LogMeInRescue.Pin.Request.load"')).toBeLessThan(incident.indexOf('FunctionName="LogMeInRescue.Case.Ribbon.requestPin"'));
    }
  });

  it("has both command libraries in the zip, each defining the functions the ribbon registers from it", () => {
    for (const [kind, pkg] of [["managed", built.managed], ["unmanaged", built.unmanaged]] as const) {
      const incident = /<Entity>\s*<Name[^>]*>Incident<\/Name>[\s\S]*?<\/Entity>/.exec(pkg.customizationsXml)?.[0] ?? "";
      const registered = [...elements(incident, "JavaScriptFunction"), ...elements(incident, "CustomRule")].map(({ FunctionName, Library }) => ({
        functionName: FunctionName ?? "",
        library: (Library ?? "").replace(/^\$webresource:/, ""),
      }));
      expect(registered.map((entry) => `${entry.library} ${entry.functionName}`), kind).toEqual([
        "lmi_/scripts/pin.request.js LogMeInRescue.Pin.Request.load",
        "lmi_/scripts/case.ribbon.js LogMeInRescue.Case.Ribbon.requestPin",
        "lmi_/scripts/case.ribbon.js LogMeInRescue.Case.Ribbon.canRequestPin",
      ]);
      for (const { functionName, library } of registered) {
        const element = new RegExp(`<WebResource>(?:(?!</WebResource>)[\\s\\S])*?<Name>${library.replace(/\./g, "\\.")}</Name>[\\s\\S]*?</WebResource>`).exec(pkg.customizationsXml)?.[0] ?? "";
        const fileName = /<FileName>\/?([^<]+)<\/FileName>/.exec(element)?.[1] ?? "";
        const content = pkg.parts.get(fileName);
        expect(content, `${kind}: ${library} in the zip`).toBeDefined();
        const loaded = loadLibrary(new TextDecoder().decode(content));
        expect(loaded.error, `${kind}: ${library}`).toBeNull();
        const fn = functionName.split(".").reduce<unknown>((scope, part) => (scope as Record<string, unknown> | undefined)?.[part], loaded.globals);
        expect(typeof fn, `${kind}: ${functionName}`).toBe("function");
      }
    }
  });

  it("ships the Request PIN web resources, the scripts with both RESX files as dependencies", () => {
    const xml = built.unmanaged.customizationsXml;
    const resource = (name: string): string => new RegExp(`<WebResource>(?:(?!</WebResource>)[\\s\\S])*?<Name>${name.replace(/\./g, "\\.")}</Name>[\\s\\S]*?</WebResource>`).exec(xml)?.[0] ?? "";
    for (const name of ["lmi_/scripts/case.ribbon.js", "lmi_/scripts/pin.request.js", "lmi_/scripts/pin.page.js", "lmi_/pages/pin.html", "lmi_/images/requestpin.svg", "lmi_/styles/pin.css"]) {
      expect(resource(name), name).not.toBe("");
    }
    for (const script of ["lmi_/scripts/case.ribbon.js", "lmi_/scripts/pin.request.js", "lmi_/scripts/pin.page.js"]) {
      const dependencies = resource(script);
      expect(dependencies, script).toContain("lmi_/strings/Strings.1033.resx");
      expect(dependencies, script).toContain("lmi_/strings/Strings.1043.resx");
    }
  });

  it.each([
    ["case.ribbon.js", "Case", "Ribbon", ["canRequestPin", "requestPin"]],
    ["pin.request.js", "Pin", "Request", ["load", "requestPin"]],
  ] as const)("%s only defines its namespace when it loads: no Xrm, no request, no timer", (file, area, kind, functions) => {
    const code = readFileSync(join(built.outDir, `webresources/lmi_/scripts/${file}`), "utf8");
    const touched: string[] = [];
    const sandbox: Record<string, unknown> = { LogMeInRescue: { Configuration: { Form: { onLoad: "kept" } } } };
    for (const name of ["Xrm", "fetch", "XMLHttpRequest", "setTimeout", "setInterval", "queueMicrotask", "document", "window", "navigator", "localStorage", "sessionStorage", "console", "Intl", "Promise"]) {
      Object.defineProperty(sandbox, name, {
        get: () => {
          touched.push(name);
          return undefined;
        },
      });
    }
    runInNewContext(code, sandbox);
    expect(touched).toEqual([]);
    const root = sandbox.LogMeInRescue as Record<string, Record<string, Record<string, unknown>> | undefined>;
    const namespace = root[area]?.[kind] ?? {};
    expect(Object.keys(root).sort()).toEqual([area, "Configuration"].sort());
    expect(Object.keys(root[area] ?? {})).toEqual([kind]);
    expect(Object.keys(namespace).sort()).toEqual([...functions]);
    for (const name of functions) expect(typeof namespace[name], name).toBe("function");
    expect(root.Configuration).toEqual({ Form: { onLoad: "kept" } });
    expect(Object.keys(sandbox).filter((key) => !Object.getOwnPropertyDescriptor(sandbox, key)?.get)).toEqual(["LogMeInRescue"]);
  });
});

describe("enable rule canRequestPin", () => {
  const caseId = "{8B0C3C5E-1F2A-4D6B-9E7F-0A1B2C3D4E5F}";

  it("is off on the Create form (unsaved Case)", () => {
    const { formContext } = initXrm({ entity: { entityName: "incident", id: "" }, formType: 1 });
    expect(canRequestPinOn(formContext)).toBe(false);
  });

  it("is on for a saved, active Case", () => {
    const { formContext } = initXrm({ entity: { entityName: "incident", id: caseId }, formType: 2 });
    XrmMockGenerator.Attribute.createOptionSet("statecode", 0);
    expect(canRequestPinOn(formContext)).toBe(true);
  });

  it("is off for a resolved or cancelled Case, and without a form", () => {
    const { formContext } = initXrm({ entity: { entityName: "incident", id: caseId }, formType: 3 });
    XrmMockGenerator.Attribute.createOptionSet("statecode", 1);
    expect(canRequestPinOn(formContext)).toBe(false);
    expect(canRequestPinOn(null)).toBe(false);
  });
});
