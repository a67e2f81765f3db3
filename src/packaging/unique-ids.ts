/**
 * Ids that must be unique in their scope. Microsoft's XSDs check only a little of this (the areas
 * of a site map, the groups of one area); a merge that leaves an element twice passes them, and
 * the platform then keeps one of the two, refuses the import, or a script finds the wrong one.
 *
 * Checked here: GUIDs across the solution; the Area, Group and SubArea ids of a site map; the
 * components and roles of an app; the ids of a table's ribbon, per kind; the control ids, tab and
 * section names and libraries of a form; the columns and keys of a table and the values of a
 * choice; relationship names; the privileges of a role and the columns of a field security
 * profile; the keys of a strings file; the root components of solution.xml.
 */
import { normalizeId, parseGuid } from "../common/guid";
import { securityRoles } from "./assemble";
import type { ProblemList } from "./problems";
import { attr, children, findAll, parseXml, textOf, type XmlNode } from "./xml-text";

const CUSTOMIZATIONS = "customizations.xml";

/** One use of an id: `key` is what is compared, `label` how a message names it. */
export interface IdUse {
  key: string;
  label: string;
  /** The element that uses it, named in the message when a scope holds several kinds. */
  element?: string;
}

/**
 * Adds one problem for each key used more than once in `uses` (empty keys are left to other
 * checks): `[<scope>: ]<label> appears <n> times[ (<elements>)]; <rule>`.
 */
export function reportRepeats(problems: ProblemList, part: string, scope: string, uses: readonly IdUse[], rule: string): void {
  const byKey = new Map<string, IdUse[]>();
  for (const use of uses) if (use.key !== "") byKey.set(use.key, [...(byKey.get(use.key) ?? []), use]);
  for (const [first, ...others] of byKey.values()) {
    if (!first || others.length === 0) continue;
    const same = [first, ...others];
    const elements = same.every((use) => use.element) ? ` (${same.map((use) => use.element).join(", ")})` : "";
    problems.add(part, `${scope ? `${scope}: ` : ""}${first.label} appears ${same.length} times${elements}; ${rule}`);
  }
}

const idUse = (id: string | undefined, element?: string): IdUse => ({ key: id ?? "", label: `Id "${id ?? ""}"`, element });

/** Every id of the package, each in its scope; `problems` gets one line per repeated id. */
export function checkUniqueIds(doc: XmlNode, problems: ProblemList): void {
  checkUniqueGuids(doc, problems);
  checkSiteMaps(doc, problems);
  checkAppModules(doc, problems);
  for (const entity of findAll(doc, "Entity")) {
    const entityName = textOf(entity, "Name").toLowerCase();
    checkRibbon(entity, entityName, problems);
    checkForms(entity, entityName, problems);
    checkTable(entity, entityName, problems);
  }
  reportRepeats(
    problems,
    CUSTOMIZATIONS,
    "",
    findAll(doc, "EntityRelationship").map((relationship) => ({ key: (attr(relationship, "Name") ?? "").toLowerCase(), label: `relationship ${attr(relationship, "Name") ?? ""}` })),
    "a relationship's name is unique in the organisation",
  );
  checkSecurity(doc, problems);
}

function checkUniqueGuids(doc: XmlNode, problems: ProblemList): void {
  const seen = new Map<string, string>();
  const note = (id: string | undefined, what: string): void => {
    if (!id) return;
    const key = parseGuid(id);
    if (key === null) {
      problems.add(CUSTOMIZATIONS, `${what} id "${id}" is not a GUID`);
      return;
    }
    const previous = seen.get(key);
    if (previous) problems.add(CUSTOMIZATIONS, `GUID ${key} is used twice: by ${previous} and by ${what}`);
    else seen.set(key, what);
  };
  for (const form of findAll(doc, "systemform")) {
    const formId = textOf(form, "formid");
    note(formId, "a form");
    for (const element of ["tab", "section", "cell", "header", "footer"]) {
      for (const node of findAll(form, element)) note(attr(node, "id"), `a ${element} of form ${formId}`);
    }
    for (const library of formLibraries(form)) note(attr(library, "libraryUniqueId"), `a library of form ${formId}`);
    for (const handler of findAll(form, "Handler")) note(attr(handler, "handlerUniqueId"), `a handler of form ${formId}`);
  }
  for (const query of findAll(doc, "savedquery")) note(textOf(query, "savedqueryid"), "a view");
  for (const resource of findAll(doc, "WebResources").flatMap((node) => children(node, "WebResource"))) note(textOf(resource, "WebResourceId"), `web resource ${textOf(resource, "Name")}`);
  // Security roles only: an app's <AppModuleRoleMaps> names the same ids again.
  for (const role of securityRoles(doc)) note(attr(role, "id"), `role ${attr(role, "name") ?? "?"}`);
  for (const profile of findAll(doc, "FieldSecurityProfile")) note(attr(profile, "fieldsecurityprofileid"), `field security profile ${attr(profile, "name") ?? "?"}`);
}

function formLibraries(form: XmlNode): XmlNode[] {
  return findAll(form, "formLibraries").flatMap((node) => children(node, "Library"));
}

const SITE_MAP_ELEMENTS = ["Area", "Group", "SubArea"] as const;

function checkSiteMaps(doc: XmlNode, problems: ProblemList): void {
  for (const siteMap of findAll(doc, "AppModuleSiteMap")) {
    const uses = SITE_MAP_ELEMENTS.flatMap((element) => findAll(siteMap, element).map((node) => idUse(attr(node, "Id"), element)));
    reportRepeats(problems, CUSTOMIZATIONS, `site map ${textOf(siteMap, "SiteMapUniqueName")}`, uses, "every Area, Group and SubArea of a site map needs an Id of its own");
  }
}

function checkAppModules(doc: XmlNode, problems: ProblemList): void {
  for (const appModule of findAll(doc, "AppModules").flatMap((node) => children(node, "AppModule"))) {
    const scope = `app ${textOf(appModule, "UniqueName")}`;
    const components = findAll(appModule, "AppModuleComponent").map((component) => {
      const type = attr(component, "type") ?? "";
      const schemaName = attr(component, "schemaName");
      const id = attr(component, "id") ?? "";
      return {
        key: `${type}|${schemaName?.toLowerCase() ?? normalizeId(id)}`,
        label: `<AppModuleComponent type="${type}" ${schemaName === undefined ? `id="${id}"` : `schemaName="${schemaName}"`}>`,
      };
    });
    reportRepeats(problems, CUSTOMIZATIONS, scope, components, "list each table, form and site map of the app once");
    const roles = findAll(appModule, "AppModuleRoleMaps")
      .flatMap((node) => children(node, "Role"))
      .map((role) => ({ key: normalizeId(attr(role, "id") ?? ""), label: `<Role id="${attr(role, "id") ?? ""}"> in <AppModuleRoleMaps>` }));
    reportRepeats(problems, CUSTOMIZATIONS, scope, roles, "map each role to the app once");
  }
}

/** Every element below `node` that has an `Id` attribute, with its element name (document order within each name). */
function elementsWithId(node: XmlNode): { element: string; id: string }[] {
  const found: { element: string; id: string }[] = [];
  const visit = (current: XmlNode): void => {
    for (const [key, value] of Object.entries(current)) {
      if (key.startsWith("@_") || key === "#text") continue;
      for (const child of Array.isArray(value) ? (value as unknown[]) : [value]) {
        if (typeof child !== "object" || child === null) continue;
        const id = attr(child as XmlNode, "Id");
        if (id !== undefined) found.push({ element: key, id });
        visit(child as XmlNode);
      }
    }
  };
  visit(node);
  return found;
}

/**
 * A table's ribbon: the platform merges ribbon customizations by id, so within one table's ribbon
 * each custom action, control, command, rule and label has an id of its own (per kind: a button
 * and its command may share a name). Rule and command references (`<EnableRule Id>` inside a
 * `<CommandDefinition>`) are uses, not definitions, and are left out.
 */
function checkRibbon(entity: XmlNode, entityName: string, problems: ProblemList): void {
  for (const ribbon of findAll(entity, "RibbonDiffXml")) {
    const scope = `${entityName} ribbon`;
    const rule = "ribbon ids must be unique in a table's ribbon, or the platform keeps only one of them";
    const ruleDefinitions = children(ribbon, "RuleDefinitions");
    const definitions = (parent: string, element: string): IdUse[] =>
      ruleDefinitions.flatMap((node) => findAll(node, parent)).flatMap((node) => children(node, element)).map((node) => idUse(attr(node, "Id"), element));
    const kinds: IdUse[][] = [
      findAll(ribbon, "CustomAction").map((node) => idUse(attr(node, "Id"), "CustomAction")),
      findAll(ribbon, "CommandUIDefinition").flatMap(elementsWithId).map(({ element, id }) => idUse(id, element)),
      findAll(ribbon, "CommandDefinition").map((node) => idUse(attr(node, "Id"), "CommandDefinition")),
      definitions("EnableRules", "EnableRule"),
      definitions("DisplayRules", "DisplayRule"),
      findAll(ribbon, "LocLabel").map((node) => idUse(attr(node, "Id"), "LocLabel")),
    ];
    for (const uses of kinds) reportRepeats(problems, CUSTOMIZATIONS, scope, uses, rule);
  }
}

/** The name the checks give a form in messages: its table and its name (or id). */
export function formLabel(entityName: string, form: XmlNode): string {
  return `${entityName} form "${textOf(children(form, "LocalizedNames")[0] ?? {}, "LocalizedName") || textOf(form, "formid")}"`;
}

function checkForms(entity: XmlNode, entityName: string, problems: ProblemList): void {
  for (const form of findAll(entity, "systemform")) {
    const scope = formLabel(entityName, form);
    const named = (element: string, attribute: string, label: string): IdUse[] =>
      findAll(form, element).map((node) => ({ key: attr(node, attribute) ?? "", label: `${label} "${attr(node, attribute) ?? ""}"` }));
    reportRepeats(problems, CUSTOMIZATIONS, scope, named("control", "id", "control id"), "formContext.getControl finds only one of them; give each control an id of its own");
    reportRepeats(problems, CUSTOMIZATIONS, scope, named("tab", "name", "tab name"), "formContext.ui.tabs.get finds only one of them");
    reportRepeats(problems, CUSTOMIZATIONS, scope, named("section", "name", "section name"), "every section of a form needs a name of its own");
    reportRepeats(
      problems,
      CUSTOMIZATIONS,
      scope,
      formLibraries(form).map((library) => ({ key: attr(library, "name") ?? "", label: `library "${attr(library, "name") ?? ""}"` })),
      "list each library of a form once",
    );
  }
}

/** The columns, keys and choice values of a table of the solution. */
function checkTable(entity: XmlNode, entityName: string, problems: ProblemList): void {
  const entityNode = children(children(entity, "EntityInfo")[0] ?? {}, "entity")[0];
  if (!entityNode) return;
  const attributes = children(entityNode, "attributes").flatMap((node) => children(node, "attribute"));
  const columnName = (attribute: XmlNode): string => (textOf(attribute, "LogicalName") || (attr(attribute, "PhysicalName") ?? "")).toLowerCase();
  reportRepeats(
    problems,
    CUSTOMIZATIONS,
    `table ${entityName}`,
    attributes.map((attribute) => ({ key: columnName(attribute), label: `column ${columnName(attribute)}` })),
    "a table has each column once",
  );
  for (const attribute of attributes) {
    reportRepeats(
      problems,
      CUSTOMIZATIONS,
      `choice ${entityName}.${columnName(attribute)}`,
      findAll(attribute, "option").map((option) => ({ key: attr(option, "value") ?? "", label: `value ${attr(option, "value") ?? ""}` })),
      "each option of a choice needs a value of its own",
    );
  }
  reportRepeats(
    problems,
    CUSTOMIZATIONS,
    `table ${entityName}`,
    findAll(entity, "EntityKey").map((key) => ({ key: textOf(key, "LogicalName").toLowerCase(), label: `key ${textOf(key, "LogicalName")}` })),
    "each alternate key of a table needs a name of its own",
  );
}

function checkSecurity(doc: XmlNode, problems: ProblemList): void {
  for (const role of securityRoles(doc)) {
    reportRepeats(
      problems,
      CUSTOMIZATIONS,
      `role ${attr(role, "name") ?? "?"}`,
      findAll(role, "RolePrivilege").map((privilege) => ({ key: (attr(privilege, "name") ?? "").toLowerCase(), label: `privilege ${attr(privilege, "name") ?? ""}` })),
      "a role grants each privilege once, at one level",
    );
  }
  for (const profile of findAll(doc, "FieldSecurityProfile")) {
    reportRepeats(
      problems,
      CUSTOMIZATIONS,
      `field security profile ${attr(profile, "name") ?? "?"}`,
      findAll(profile, "FieldPermission").map((permission) => {
        const column = `${textOf(permission, "EntityName")}.${textOf(permission, "AttributeName")}`.toLowerCase();
        return { key: column, label: `column ${column}` };
      }),
      "a field security profile sets each column's permissions once",
    );
  }
}

/** The keys of a strings file (RESX), each once: the platform answers one of two same-named strings. */
export function checkUniqueStringKeys(name: string, resx: string, problems: ProblemList): void {
  const keys = findAll(parseXml(resx), "data").map((data) => ({ key: attr(data, "name") ?? "", label: `key "${attr(data, "name") ?? ""}"` }));
  reportRepeats(problems, name, "", keys, "getResourceString answers only one of them; keep one string per key");
}
