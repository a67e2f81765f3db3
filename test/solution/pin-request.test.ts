/**
 * The solution parts of the PIN broker flow, as the release build packs them (DESIGN.md §5):
 * table `lmi_pinrequest` with its columns, forms and views; the referential Case relationship;
 * `lmi_serviceurl` on the configuration; the roles and field security profiles; the admin app.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { Configuration, PinRequest, PinRequestStatus, SecurityNames } from "../../src/model/schema";
import { attr, children, findAll, parseXml, textOf, type XmlNode } from "../../src/packaging/xml-text";
import { buildIntoTemp } from "../helpers/built-package";

let doc: XmlNode;

beforeAll(async () => {
  const built = await buildIntoTemp();
  expect(built.unmanaged.customizationsXml).toBe(built.managed.customizationsXml);
  doc = parseXml(built.managed.customizationsXml);
}, 120_000);

function entity(name: string): XmlNode {
  const found = findAll(doc, "Entity").find((node) => textOf(node, "Name").toLowerCase() === name);
  if (!found) throw new Error(`no entity ${name}`);
  return found;
}

function attribute(entityName: string, logicalName: string): XmlNode | undefined {
  return findAll(entity(entityName), "attribute").find((node) => textOf(node, "LogicalName") === logicalName);
}

/** `{1033: …, 1043: …}` of the label-like children (`displayname`, `label`, `LocalizedName`, …) under `node`. */
function labels(node: XmlNode, element: string): Record<string, string> {
  return Object.fromEntries(findAll(node, element).map((label) => [attr(label, "languagecode") ?? "", attr(label, "description") ?? ""]));
}

function privileges(roleName: string): Record<string, string> {
  const role = findAll(doc, "Role").find((node) => attr(node, "name") === roleName);
  if (!role) throw new Error(`no role ${roleName}`);
  return Object.fromEntries(findAll(role, "RolePrivilege").map((privilege) => [attr(privilege, "name") ?? "", attr(privilege, "level") ?? ""]));
}

describe("table lmi_pinrequest", () => {
  it("is the user-owned 'LogMeIn PIN Request' in English and Dutch", () => {
    const info = children(children(entity(PinRequest.entity), "EntityInfo")[0] ?? {}, "entity")[0] ?? {};
    expect(textOf(info, "OwnershipTypeMask")).toBe("UserOwned");
    expect(textOf(info, "EntitySetName")).toBe(PinRequest.entitySet);
    expect(labels(children(info, "LocalizedNames")[0] ?? {}, "LocalizedName")).toEqual({ 1033: "LogMeIn PIN Request", 1043: "LogMeIn-pincodeaanvraag" });
    expect(labels(children(info, "LocalizedCollectionNames")[0] ?? {}, "LocalizedCollectionName")).toEqual({ 1033: "LogMeIn PIN Requests", 1043: "LogMeIn-pincodeaanvragen" });
  });

  it.each([
    [PinRequest.fields.name, "nvarchar", "required", PinRequest.maxLength.name],
    [PinRequest.fields.nonce, "nvarchar", "none", PinRequest.maxLength.nonce],
    [PinRequest.fields.pinCode, "nvarchar", "none", PinRequest.maxLength.pinCode],
    [PinRequest.fields.result, "nvarchar", "none", PinRequest.maxLength.result],
    [PinRequest.fields.caseId, "lookup", "required", undefined],
    [PinRequest.fields.status, "picklist", "none", undefined],
  ] as const)("has %s (%s, %s)", (name, type, required, maxLength) => {
    const column = attribute(PinRequest.entity, name);
    expect(column, name).toBeDefined();
    expect(textOf(column ?? {}, "Type")).toBe(type);
    expect(textOf(column ?? {}, "RequiredLevel")).toBe(required);
    expect(textOf(column ?? {}, "IsSecured")).toBe("0");
    if (maxLength !== undefined) expect(Number(textOf(column ?? {}, "MaxLength"))).toBe(maxLength);
    const names = labels(children(column ?? {}, "displaynames")[0] ?? {}, "displayname");
    expect(Object.keys(names).sort()).toEqual(["1033", "1043"]);
  });

  it("names lmi_name the primary name", () => {
    expect(textOf(attribute(PinRequest.entity, PinRequest.fields.name) ?? {}, "DisplayMask")).toContain("PrimaryName");
  });

  it("has the status choice Requested (default) / Processing / Issued / Failed with the publisher's values", () => {
    const status = attribute(PinRequest.entity, PinRequest.fields.status) ?? {};
    expect(textOf(status, "AppDefaultValue")).toBe(String(PinRequestStatus.Requested));
    const options = findAll(status, "option").map((option) => [Number(attr(option, "value")), labels(option, "label")]);
    expect(options).toEqual([
      [PinRequestStatus.Requested, { 1033: "Requested", 1043: "Aangevraagd" }],
      [PinRequestStatus.Processing, { 1033: "Processing", 1043: "In behandeling" }],
      [PinRequestStatus.Issued, { 1033: "Issued", 1043: "Uitgegeven" }],
      [PinRequestStatus.Failed, { 1033: "Failed", 1043: "Mislukt" }],
    ]);
  });

  it("has a main, a quick view and a card form, and shows no nonce on any form or view", () => {
    const forms = findAll(entity(PinRequest.entity), "forms").map((node) => [attr(node, "type"), findAll(node, "systemform").length]);
    expect(forms).toEqual([
      ["card", 1],
      ["main", 1],
      ["quick", 1],
    ]);
    const fields = findAll(entity(PinRequest.entity), "control").map((control) => attr(control, "datafieldname"));
    expect(fields).toEqual(expect.arrayContaining([PinRequest.fields.name, PinRequest.fields.caseId, PinRequest.fields.status, PinRequest.fields.result]));
    const shown = [...fields, ...findAll(entity(PinRequest.entity), "cell").map((cell) => attr(cell, "name"))];
    expect(shown).not.toContain(PinRequest.fields.nonce);
  });

  it("has the active, inactive, My PIN Requests, lookup, advanced find, associated and quick find views, in both languages", () => {
    const views = findAll(entity(PinRequest.entity), "savedquery").map((view) => ({
      type: textOf(view, "querytype"),
      names: labels(children(view, "LocalizedNames")[0] ?? {}, "LocalizedName"),
      mine: findAll(view, "condition").some((condition) => attr(condition, "attribute") === "ownerid" && attr(condition, "operator") === "eq-userid"),
    }));
    expect(views.map((view) => view.type).sort()).toEqual(["0", "0", "0", "1", "2", "4", "64"]);
    expect(views.find((view) => view.mine)?.names).toEqual({ 1033: "My PIN Requests", 1043: "Mijn pincodeaanvragen" });
    expect(views.map((view) => view.names[1033])).toEqual(expect.arrayContaining(["Active PIN Requests", "Inactive PIN Requests"]));
    for (const view of views) expect(Object.keys(view.names).sort()).toEqual(["1033", "1043"]);
  });
});

describe("relationship lmi_incident_lmi_pinrequest", () => {
  it("is referential: no cascade for assign, share, unshare and reparent, RemoveLink on delete, no merge element", () => {
    const relationship = findAll(doc, "EntityRelationship").find((node) => attr(node, "Name") === "lmi_incident_lmi_pinrequest") ?? {};
    expect(textOf(relationship, "ReferencingEntityName")).toBe(PinRequest.entity);
    expect(textOf(relationship, "ReferencedEntityName").toLowerCase()).toBe("incident");
    expect(textOf(relationship, "ReferencingAttributeName")).toBe(PinRequest.fields.caseId);
    expect(["CascadeAssign", "CascadeShare", "CascadeUnshare", "CascadeReparent", "CascadeDelete"].map((name) => textOf(relationship, name))).toEqual([
      "NoCascade",
      "NoCascade",
      "NoCascade",
      "NoCascade",
      "RemoveLink",
    ]);
    expect(children(relationship, "CascadeMerge")).toEqual([]);
    expect(labels(relationship, "CustomLabel")).toEqual({ 1033: "LogMeIn PIN Requests", 1043: "LogMeIn-pincodeaanvragen" });
  });
});

describe("lmi_serviceurl on the configuration", () => {
  it("is a 400-character URL column 'Integration service URL' / 'URL van de integratieservice'", () => {
    const column = attribute(Configuration.entity, Configuration.fields.serviceUrl) ?? {};
    expect([textOf(column, "Type"), textOf(column, "Format"), textOf(column, "MaxLength"), textOf(column, "IsSecured")]).toEqual(["nvarchar", "url", "400", "0"]);
    expect(labels(children(column, "displaynames")[0] ?? {}, "displayname")).toEqual({ 1033: "Integration service URL", 1043: "URL van de integratieservice" });
  });

  it("is on the main form and in the views that show the endpoint", () => {
    const main = findAll(entity(Configuration.entity), "forms").find((node) => attr(node, "type") === "main") ?? {};
    expect(findAll(main, "control").map((control) => attr(control, "datafieldname"))).toContain(Configuration.fields.serviceUrl);
    const views = findAll(entity(Configuration.entity), "savedquery").filter((view) => findAll(view, "cell").some((cell) => attr(cell, "name") === Configuration.fields.endpoint));
    expect(views.length).toBeGreaterThanOrEqual(4);
    for (const view of views) expect(findAll(view, "cell").map((cell) => attr(cell, "name"))).toContain(Configuration.fields.serviceUrl);
  });
});

describe("security (DESIGN §5)", () => {
  it("agents create, read, write and append their own PIN requests, read sessions organisation-wide, and no longer create user settings", () => {
    const agent = privileges(SecurityNames.agentRole);
    expect(agent).toMatchObject({
      prvCreatelmi_pinrequest: "Basic",
      prvReadlmi_pinrequest: "Basic",
      prvWritelmi_pinrequest: "Basic",
      prvAppendlmi_pinrequest: "Basic",
      prvReadlmi_configuration: "Global",
      prvReadlmi_usersettings: "Basic",
      prvWritelmi_usersettings: "Basic",
      prvReadlmi_session: "Global",
      prvCreateActivity: "Basic",
    });
    expect(agent.prvAppendToIncident).toBeDefined();
    expect(agent).not.toHaveProperty("prvDeletelmi_pinrequest");
    expect(agent).not.toHaveProperty("prvCreatelmi_usersettings");
  });

  it("the integration user reads, writes and deletes PIN requests, manages user settings and reads users, accounts and contacts", () => {
    expect(privileges(SecurityNames.integrationRole)).toMatchObject({
      prvReadlmi_pinrequest: "Global",
      prvWritelmi_pinrequest: "Global",
      prvDeletelmi_pinrequest: "Global",
      prvCreatelmi_usersettings: "Global",
      prvReadlmi_usersettings: "Global",
      prvWritelmi_usersettings: "Global",
      prvAssignlmi_usersettings: "Global",
      prvReadlmi_configuration: "Global",
      prvReadUser: "Global",
      prvReadAccount: "Global",
      prvReadContact: "Global",
      prvReadIncident: "Global",
    });
  });

  it("has the Integration and Administrator field security profiles and none for agents", () => {
    const profiles = findAll(doc, "FieldSecurityProfile");
    expect(profiles.map((profile) => attr(profile, "name")).sort()).toEqual([SecurityNames.adminFieldProfile, SecurityNames.integrationFieldProfile].sort());
    const permissions = (name: string): string[] =>
      findAll(profiles.find((profile) => attr(profile, "name") === name) ?? {}, "FieldPermission").map(
        (permission) => `${textOf(permission, "AttributeName")} read ${textOf(permission, "CanRead")} update ${textOf(permission, "CanUpdate")} create ${textOf(permission, "CanCreate")}`,
      );
    expect(permissions(SecurityNames.integrationFieldProfile)).toEqual(["lmi_ssopassword read 4 update 0 create 0", "lmi_authcode read 4 update 4 create 4"]);
    expect(permissions(SecurityNames.adminFieldProfile)).toEqual(["lmi_ssopassword read 4 update 4 create 4", "lmi_authcode read 4 update 4 create 4"]);
  });
});

describe("the admin app", () => {
  it("lists lmi_pinrequest with its main form, and a 'PIN Requests' entry under 'My LogMeIn settings'", () => {
    const app = findAll(doc, "AppModule").find((node) => textOf(node, "UniqueName") === "lmi_LogMeInRescue") ?? {};
    const components = findAll(app, "AppModuleComponent");
    expect(components.some((component) => attr(component, "type") === "1" && attr(component, "schemaName") === PinRequest.entity)).toBe(true);
    const mainForm = findAll(findAll(entity(PinRequest.entity), "forms").find((node) => attr(node, "type") === "main") ?? {}, "formid")[0];
    const formId = textOf(mainForm ?? {}, "#text").replace(/[{}]/g, "").toLowerCase();
    expect(components.map((component) => (attr(component, "id") ?? "").replace(/[{}]/g, "").toLowerCase())).toContain(formId);

    const group = findAll(doc, "Group").find((node) => attr(node, "Id") === "lmi_group_mysettings") ?? {};
    expect(Object.fromEntries(findAll(children(group, "Titles")[0] ?? {}, "Title").map((title) => [attr(title, "LCID"), attr(title, "Title")]))).toEqual({
      1033: "My LogMeIn settings",
      1043: "Mijn LogMeIn-instellingen",
    });
    const subArea = findAll(group, "SubArea").find((node) => attr(node, "Entity") === PinRequest.entity) ?? {};
    expect(Object.fromEntries(findAll(subArea, "Title").map((title) => [attr(title, "LCID"), attr(title, "Title")]))).toEqual({ 1033: "PIN Requests", 1043: "Pincodeaanvragen" });
  });
});
