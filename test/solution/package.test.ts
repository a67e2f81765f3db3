import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { rootComponentsFor } from "../../src/packaging/assemble";
import { checkPackage, CONFIGURATION_PAGE, SOLUTION_MANIFEST_ORDER } from "../../src/packaging/checks";
import { attr, findAll, parseXml, textOf } from "../../src/packaging/xml-text";
import { schemasDir, validateWithXsd } from "../../src/packaging/xsd";
import { parseResx } from "../../src/strings/resx";
import { buildIntoTemp, PROJECT_ROOT, type BuiltSolution } from "../helpers/built-package";

const packageVersion = (JSON.parse(readFileSync(resolve(PROJECT_ROOT, "package.json"), "utf8")) as { version: string }).version;
const sha256 = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex");

let first: BuiltSolution;
let second: BuiltSolution;

beforeAll(async () => {
  first = await buildIntoTemp();
  second = await buildIntoTemp();
});

describe("the built solution zips", () => {
  it("are named with the four-part version from package.json", () => {
    expect(basename(first.result.managedZip)).toBe(`LogMeInRescue-Managed-${packageVersion}.0.zip`);
    expect(basename(first.result.unmanagedZip)).toBe(`LogMeInRescue-Unmanaged-${packageVersion}.0.zip`);
  });

  it("are byte-identical when built twice from the same sources", () => {
    expect(sha256(second.result.managedZip)).toBe(sha256(first.result.managedZip));
    expect(sha256(second.result.unmanagedZip)).toBe(sha256(first.result.unmanagedZip));
  });

  it("hold the manifest parts and one part per web resource", () => {
    const names = [...first.managedEntries.keys()];
    expect(names.slice(0, 3)).toEqual(["[Content_Types].xml", "customizations.xml", "solution.xml"]);
    const webResources = findAll(parseXml(first.managed.customizationsXml), "WebResource");
    expect(names.filter((name) => name.startsWith("WebResources/"))).toHaveLength(webResources.length);
    expect(first.result.skipped).toEqual([]);
  });

  it("differ only in the managed flag", () => {
    expect(first.unmanaged.customizationsXml).toBe(first.managed.customizationsXml);
    expect(first.managed.solutionXml).toContain("<Managed>1</Managed>");
    expect(first.unmanaged.solutionXml).toContain("<Managed>0</Managed>");
    expect(first.unmanaged.solutionXml.replace("<Managed>0</Managed>", "<Managed>1</Managed>")).toBe(first.managed.solutionXml);
  });
});

describe("customizations.xml", () => {
  it("validates against Microsoft's CustomizationsSolution.xsd (9.0.0.2090) in the project's schemas folder", () => {
    expect(first.result.xsd).toBe("valid");
    const result = validateWithXsd(first.managed.customizationsXml, schemasDir(PROJECT_ROOT), "customizations.xml");
    expect(result).toEqual({ ok: true });
  });

  it("passes every semantic check (references, labels, attributes, ids, root components, strings)", () => {
    expect(checkPackage(first.managed, { version: `${packageVersion}.0`, managed: true })).toEqual([]);
    expect(checkPackage(first.unmanaged, { version: `${packageVersion}.0`, managed: false })).toEqual([]);
  });

  it("carries the three tables with their keys, the Case ribbon, roles, profiles and the app", () => {
    const doc = parseXml(first.managed.customizationsXml);
    const entities = findAll(doc, "Entity").map((entity) => textOf(entity, "Name").toLowerCase());
    expect(entities).toEqual(expect.arrayContaining(["lmi_configuration", "lmi_usersettings", "lmi_session", "incident"]));
    const keys = findAll(doc, "EntityKey").map((key) => [textOf(key, "LogicalName"), textOf(findAll(key, "AttributeName")[0] ?? {}, "#text")]);
    expect(keys).toEqual(expect.arrayContaining([["lmi_sessionkey", "lmi_rescuesessionid"], ["lmi_userkey", "lmi_userid"]]));
    expect(findAll(doc, "Role").map((role) => attr(role, "name"))).toEqual(expect.arrayContaining(["LogMeIn Rescue Agent", "LogMeIn Integration User"]));
    expect(findAll(doc, "FieldSecurityProfile").map((profile) => attr(profile, "name"))).toEqual(
      expect.arrayContaining(["LogMeIn Rescue Integration", "LogMeIn Rescue Administrator"]),
    );
    const buttons = findAll(doc, "Button").map((button) => attr(button, "Id"));
    expect(buttons).toContain("lmi.incident.RequestPin.Button");
    const relationship = findAll(doc, "EntityRelationship").find((node) => attr(node, "Name") === "lmi_incident_lmi_session");
    const cascades = ["CascadeAssign", "CascadeShare", "CascadeUnshare", "CascadeReparent", "CascadeDelete", "CascadeRollupView"].map((element) => relationship && textOf(relationship, element));
    expect(cascades).toEqual(["NoCascade", "NoCascade", "NoCascade", "NoCascade", "RemoveLink", "NoCascade"]);
    expect(findAll(doc, "AppModule").map((app) => textOf(app, "UniqueName"))).toContain("lmi_LogMeInRescue");
  });

  it("marks exactly the SSO password and the auth code as secured columns", () => {
    const secured = findAll(parseXml(first.managed.customizationsXml), "attribute")
      .filter((attribute) => textOf(attribute, "IsSecured") === "1")
      .map((attribute) => textOf(attribute, "LogicalName"));
    expect(secured.sort()).toEqual(["lmi_authcode", "lmi_ssopassword"]);
  });

  it("declares both strings files as dependencies of every script", () => {
    const scripts = findAll(parseXml(first.managed.customizationsXml), "WebResource").filter((resource) => textOf(resource, "WebResourceType") === "3");
    expect(scripts.length).toBeGreaterThanOrEqual(4);
    for (const script of scripts) {
      const dependencies = textOf(script, "DependencyXml");
      expect(dependencies, textOf(script, "Name")).toContain('name="lmi_/strings/Strings.1033.resx"');
      expect(dependencies, textOf(script, "Name")).toContain('name="lmi_/strings/Strings.1043.resx"');
    }
  });
});

describe("solution.xml", () => {
  it("has the required elements, in order", () => {
    const xml = first.managed.solutionXml;
    const manifest = xml.slice(xml.indexOf("<SolutionManifest"));
    const positions = SOLUTION_MANIFEST_ORDER.map((element) => manifest.search(new RegExp(`<${element}[\\s>/]`)));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(xml).toContain("<UniqueName>LogMeInRescue</UniqueName>");
    expect(xml).toContain(`<Version>${packageVersion}.0</Version>`);
    expect(xml).toContain(`<ConfigurationPage>${CONFIGURATION_PAGE}</ConfigurationPage>`);
    expect(xml).toContain("<CustomizationPrefix>lmi</CustomizationPrefix>");
    expect(xml).toContain("<CustomizationOptionValuePrefix>64510</CustomizationOptionValuePrefix>");
  });

  it("lists exactly the root components of the content", () => {
    const declared = findAll(parseXml(first.managed.solutionXml), "RootComponent").map((node) => `${attr(node, "type")}|${attr(node, "schemaName") ?? attr(node, "id")}|${attr(node, "behavior")}`);
    const expected = rootComponentsFor(first.managed.customizationsXml).map((c) => `${c.type}|${c.schemaName ?? c.id}|${c.behavior}`);
    expect(declared).toEqual(expected);
    expect(declared).toEqual(expect.arrayContaining(["1|lmi_session|0", "1|lmi_configuration|0", "1|lmi_usersettings|0", "1|incident|2", `61|${CONFIGURATION_PAGE}|0`]));
  });
});

describe("strings", () => {
  it("ship the same keys in English and Dutch, none empty", () => {
    const read = (lcid: number): Map<string, string> => parseResx(readFileSync(resolve(PROJECT_ROOT, `webresources/lmi_/strings/Strings.${lcid}.resx`), "utf8"));
    const english = read(1033);
    const dutch = read(1043);
    expect([...dutch.keys()].sort()).toEqual([...english.keys()].sort());
    for (const [key, value] of [...english, ...dutch]) expect(value.trim(), key).not.toBe("");
  });
});
