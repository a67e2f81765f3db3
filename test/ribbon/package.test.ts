/**
 * The Case ribbon in the solution: the RibbonDiff source against the 9.0.0.2090 schema and the
 * DESIGN §6 contract, the built package (XSD-valid, with the ribbon, the web resources and their
 * RESX dependencies), the built case.ribbon.js loading inertly, and the enable rule.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runInNewContext } from "node:vm";
import { beforeAll, describe, expect, it } from "vitest";
import { XrmMockGenerator } from "xrm-mock";
import { canRequestPinOn } from "../../src/pin/enable";
import { initXrm } from "../helpers/xrm";
import { buildIntoTemp, type BuiltSolution } from "../solution/built-package";

const ROOT = resolve(import.meta.dirname, "../..");
const SCHEMAS = "/work/shared/schemas/dataverse";
const RIBBON_DIFF = join(ROOT, "solution/Entities/Incident/RibbonDiff.xml");
const ribbonXml = readFileSync(RIBBON_DIFF, "utf8");

function xmllint(schema: string, file: string): { status: number | null; output: string } {
  const run = spawnSync("xmllint", ["--noout", "--schema", join(SCHEMAS, schema), file], { encoding: "utf8" });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** Attribute values of every element `name` in `xml` (the ribbon XML is ours: a regex is enough). */
function elements(xml: string, name: string): Record<string, string>[] {
  return [...xml.matchAll(new RegExp(`<${name}\\b([^>]*)>`, "g"))].map((match) =>
    Object.fromEntries([...(match[1] ?? "").matchAll(/([\w:]+)="([^"]*)"/g)].map((attribute) => [attribute[1] ?? "", attribute[2] ?? ""])),
  );
}

describe("RibbonDiff.xml (source)", () => {
  it("validates against RibbonCore.xsd (9.0.0.2090)", () => {
    const { status, output } = xmllint("RibbonCore.xsd", RIBBON_DIFF);
    expect(output).toContain("validates");
    expect(status).toBe(0);
  });

  it("defines the button, command, rules and action of DESIGN §6", () => {
    expect(elements(ribbonXml, "Button")).toEqual([
      expect.objectContaining({
        Id: "lmi.incident.RequestPin.Button",
        Command: "lmi.incident.RequestPin.Command",
        ModernImage: "$webresource:lmi_/images/requestpin.svg",
      }),
    ]);
    expect(elements(ribbonXml, "CustomAction")[0]?.Location).toBe("Mscrm.Form.incident.MainTab.Save.Controls._children");
    expect(elements(ribbonXml, "CommandDefinition")).toEqual([{ Id: "lmi.incident.RequestPin.Command" }]);
    expect(elements(ribbonXml, "JavaScriptFunction")).toEqual([
      { FunctionName: "LogMeInRescue.Case.Ribbon.requestPin", Library: "$webresource:lmi_/scripts/case.ribbon.js" },
    ]);
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
    const dir = mkdtempSync(join(tmpdir(), "lmi-ribbon-"));
    for (const [name, pkg] of [["managed", built.managed], ["unmanaged", built.unmanaged]] as const) {
      const file = join(dir, `${name}.xml`);
      writeFileSync(file, pkg.customizationsXml);
      const { status, output } = xmllint("CustomizationsSolution.xsd", file);
      expect(output, name).toContain("validates");
      expect(status, name).toBe(0);
      const incident = /<Entity>\s*<Name[^>]*>Incident<\/Name>[\s\S]*?<\/Entity>/.exec(pkg.customizationsXml)?.[0] ?? "";
      expect(incident).toContain('<Button Id="lmi.incident.RequestPin.Button"');
      expect(incident).toContain('FunctionName="LogMeInRescue.Case.Ribbon.requestPin"');
    }
  });

  it("ships the Request PIN web resources, the scripts with both RESX files as dependencies", () => {
    const xml = built.unmanaged.customizationsXml;
    const resource = (name: string): string => new RegExp(`<WebResource>(?:(?!</WebResource>)[\\s\\S])*?<Name>${name.replace(/\./g, "\\.")}</Name>[\\s\\S]*?</WebResource>`).exec(xml)?.[0] ?? "";
    for (const name of ["lmi_/scripts/case.ribbon.js", "lmi_/scripts/pin.page.js", "lmi_/pages/pin.html", "lmi_/images/requestpin.svg", "lmi_/styles/pin.css"]) {
      expect(resource(name), name).not.toBe("");
    }
    for (const script of ["lmi_/scripts/case.ribbon.js", "lmi_/scripts/pin.page.js"]) {
      const dependencies = resource(script);
      expect(dependencies, script).toContain("lmi_/strings/Strings.1033.resx");
      expect(dependencies, script).toContain("lmi_/strings/Strings.1043.resx");
    }
  });

  it("case.ribbon.js only defines LogMeInRescue.Case.Ribbon when it loads: no Xrm, no request, no timer", () => {
    const code = readFileSync(join(built.outDir, "webresources/lmi_/scripts/case.ribbon.js"), "utf8");
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
    const root = sandbox.LogMeInRescue as { Case: { Ribbon: Record<string, unknown> }; Configuration: unknown };
    expect(Object.keys(root.Case.Ribbon).sort()).toEqual(["canRequestPin", "requestPin"]);
    expect(typeof root.Case.Ribbon.requestPin).toBe("function");
    expect(typeof root.Case.Ribbon.canRequestPin).toBe("function");
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
