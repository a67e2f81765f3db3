/**
 * The "LogMeIn Rescue" app in the built package: mapped to both LogMeIn roles (so agents have it,
 * not only administrators), with a "My LogMeIn settings" group where agents find their user
 * settings, the table the Request PIN flow's "open your user settings" offer opens. Admin pages
 * are shown only to who may change the configuration. Only what the 9.0.0.2090 schema knows.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { PinRequest, UserSettings } from "../../src/model/schema";
import { attr, children, findAll, parseXml, textOf, type XmlNode } from "../../src/packaging/xml-text";
import { buildIntoTemp, type BuiltSolution } from "../helpers/built-package";

let built: BuiltSolution;
let doc: XmlNode;
let app: XmlNode;

beforeAll(async () => {
  built = await buildIntoTemp();
  doc = parseXml(built.managed.customizationsXml);
  const found = findAll(doc, "AppModule").find((node) => textOf(node, "UniqueName") === "lmi_LogMeInRescue");
  if (!found) throw new Error("no lmi_LogMeInRescue app in the package");
  app = found;
});

const normalize = (id: string | undefined): string => (id ?? "").replace(/[{}]/g, "").toLowerCase();
const titles = (node: XmlNode): Record<string, string> =>
  Object.fromEntries(findAll(children(node, "Titles")[0] ?? {}, "Title").map((title) => [attr(title, "LCID") ?? "", attr(title, "Title") ?? ""]));

describe("the LogMeIn Rescue app", () => {
  it("is mapped to both LogMeIn security roles of the solution", () => {
    const roles = new Map(findAll(doc, "Roles").flatMap((node) => children(node, "Role")).map((role) => [attr(role, "name") ?? "", normalize(attr(role, "id"))]));
    const mapped = findAll(app, "AppModuleRoleMaps").flatMap((node) => children(node, "Role")).map((role) => normalize(attr(role, "id")));
    expect(mapped.sort()).toEqual([roles.get("LogMeIn Rescue Agent"), roles.get("LogMeIn Integration User")].sort());
    expect(mapped.every((id) => /^[0-9a-f-]{36}$/.test(id))).toBe(true);
  });

  it("has a My LogMeIn settings group with the agent's user settings (the table the Request PIN flow opens) and PIN requests", () => {
    const group = findAll(doc, "Group").find((node) => attr(node, "Id") === "lmi_group_mysettings");
    expect(group).toBeDefined();
    expect(titles(group ?? {})).toEqual({ "1033": "My LogMeIn settings", "1043": "Mijn LogMeIn-instellingen" });
    const subAreas = children(group ?? {}, "SubArea");
    expect(subAreas.map((subArea) => attr(subArea, "Entity"))).toEqual([UserSettings.entity, PinRequest.entity]);
    expect(subAreas.flatMap((subArea) => children(subArea, "Privilege"))).toEqual([]);
    const components = findAll(app, "AppModuleComponent").map((component) => `${attr(component, "type") ?? ""}|${attr(component, "schemaName") ?? normalize(attr(component, "id"))}`);
    expect(components).toEqual(expect.arrayContaining([`1|${UserSettings.entity}`, `1|${PinRequest.entity}`]));
    const userSettingsTable = findAll(doc, "Entity").find((entity) => textOf(entity, "Name") === UserSettings.entity) ?? {};
    const formIds = findAll(userSettingsTable, "forms")
      .filter((forms) => attr(forms, "type") === "main")
      .flatMap((forms) => children(forms, "systemform"))
      .map((form) => normalize(textOf(form, "formid")));
    expect(formIds.length).toBeGreaterThan(0);
    expect(formIds.some((id) => components.includes(`60|${id}`))).toBe(true);
  });

  it("shows the configuration and everyone's user settings only to who may change the configuration", () => {
    const settings = findAll(doc, "Group").find((node) => attr(node, "Id") === "lmi_group_settings");
    const subAreas = children(settings ?? {}, "SubArea");
    expect(subAreas.map((subArea) => attr(subArea, "Id"))).toEqual(["lmi_subarea_configurationpage", "lmi_subarea_configuration", "lmi_subarea_usersettings"]);
    for (const subArea of subAreas) {
      expect(children(subArea, "Privilege").map((privilege) => `${attr(privilege, "Entity") ?? ""}:${attr(privilege, "Privilege") ?? ""}`), attr(subArea, "Id")).toEqual(["lmi_configuration:Write"]);
    }
  });

  it("carries none of the settings newer exports add that the 9.0.0.2090 schema does not know", () => {
    for (const element of ["statecode", "statuscode", "NavigationType", "OptimizedFor"]) expect(children(app, element), element).toEqual([]);
    expect(built.result.xsd).toBe("valid");
  });
});
