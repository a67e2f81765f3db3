/**
 * Checks on a built solution package that Microsoft's XSDs cannot make: that every reference
 * resolves (web resources, ribbon and form functions, localized labels, attributes, roles, forms),
 * that root components match the content, that GUIDs are unique, that every RESX key exists in
 * every language, and that solution.xml has what an import needs. Run by the build on what it is
 * about to zip, and by the tests on the unzipped zip.
 */
import { runInNewContext } from "node:vm";
import { normalizeId, parseGuid } from "../common/guid";
import { parseResx } from "../strings/resx";
import { rootComponentsFor, securityRoles, type RootComponent } from "./assemble";
import { ProblemList, type BuildProblem } from "./problems";
import { checkUniqueIds, checkUniqueStringKeys, formLabel, reportRepeats } from "./unique-ids";
import { attr, children, findAll, parseXml, textOf, wellFormedError, type XmlNode } from "./xml-text";
import { webResourceNameProblem } from "./web-resources";

export interface SolutionPackage {
  customizationsXml: string;
  solutionXml: string;
  contentTypesXml: string;
  /** Zip entry name (e.g. `WebResources/lmi_scriptscaseribbonjs…`) → bytes. */
  parts: ReadonlyMap<string, Uint8Array>;
}

export interface PackageExpectations {
  /** Four-part version solution.xml must carry. */
  version?: string;
  managed?: boolean;
}

/** Languages every label and string must exist in. */
export const REQUIRED_LANGUAGES = ["1033", "1043"] as const;
export const SOLUTION_UNIQUE_NAME = "LogMeInRescue";
export const PUBLISHER_UNIQUE_NAME = "lmirescue";
export const CUSTOMIZATION_PREFIX = "lmi";
export const OPTION_VALUE_PREFIX = "64510";
export const CONFIGURATION_PAGE = "lmi_/pages/configuration.html";

interface PackagedWebResource {
  name: string;
  type: number;
  id: string;
  fileName: string;
  dependencyXml: string;
  content: Uint8Array | undefined;
}

const decoder = new TextDecoder("utf-8");

function packagedWebResources(doc: XmlNode, pkg: SolutionPackage): PackagedWebResource[] {
  return findAll(doc, "WebResource").map((node) => {
    const fileName = textOf(node, "FileName");
    return {
      name: textOf(node, "Name"),
      type: Number(textOf(node, "WebResourceType")),
      id: textOf(node, "WebResourceId"),
      fileName,
      dependencyXml: textOf(node, "DependencyXml"),
      content: pkg.parts.get(fileName.replace(/^\//, "")),
    };
  });
}

/** Evaluates a script bundle the way a browser loads a library and lists the functions it defines. */
export function loadLibrary(code: string): { globals: Record<string, unknown>; error: string | null } {
  const sandbox: Record<string, unknown> = {};
  sandbox.window = sandbox;
  sandbox.self = sandbox;
  sandbox.globalThis = sandbox;
  try {
    runInNewContext(code, sandbox, { timeout: 2000 });
    return { globals: sandbox, error: null };
  } catch (error) {
    return { globals: sandbox, error: error instanceof Error ? error.message : String(error) };
  }
}

function resolvePath(globals: Record<string, unknown>, dotted: string): unknown {
  let current: unknown = globals;
  for (const part of dotted.split(".")) {
    if ((typeof current !== "object" && typeof current !== "function") || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/**
 * All checks; an empty list means the package is consistent. Each problem names the part of the
 * package it is in: "customizations.xml", "solution.xml", "[Content_Types].xml" or a web resource.
 */
export function checkPackage(pkg: SolutionPackage, expectations: PackageExpectations = {}): readonly BuildProblem[] {
  const problems = new ProblemList();
  for (const [part, xml] of [
    ["customizations.xml", pkg.customizationsXml],
    ["solution.xml", pkg.solutionXml],
    ["[Content_Types].xml", pkg.contentTypesXml],
  ] as const) {
    const malformed = wellFormedError(xml.replace(/^\uFEFF/, "").replace(/^\s*<\?xml[^>]*\?>\s*/, ""));
    if (malformed) problems.add(part, `not well-formed XML (${malformed})`);
  }
  if (problems.size > 0) return problems.items;

  const doc = parseXml(pkg.customizationsXml);
  const webResources = packagedWebResources(doc, pkg);
  const byName = new Map(webResources.map((resource) => [resource.name, resource]));

  checkWebResources(pkg, webResources, problems);
  checkStrings(webResources, problems);
  const libraries = new Map<string, ReturnType<typeof loadLibrary>>();
  const library = (name: string): ReturnType<typeof loadLibrary> | null => {
    const resource = byName.get(name);
    if (!resource?.content) return null;
    let loaded = libraries.get(name);
    if (!loaded) {
      loaded = loadLibrary(decoder.decode(resource.content));
      libraries.set(name, loaded);
    }
    return loaded;
  };
  checkReferences(pkg.customizationsXml, doc, byName, library, problems);
  checkLocLabels(doc, pkg.customizationsXml, problems);
  checkRibbonIds(doc, problems);
  checkAttributes(doc, problems);
  checkColumnTypes(doc, problems);
  checkCaseRelationships(doc, problems);
  checkUniqueIds(doc, problems);
  checkAppModules(doc, problems);
  checkSolutionManifest(pkg, byName, expectations, problems);
  return problems.items;
}

function checkWebResources(pkg: SolutionPackage, webResources: readonly PackagedWebResource[], problems: ProblemList): void {
  const seenNames = new Set<string>();
  const seenFiles = new Set<string>();
  for (const resource of webResources) {
    const nameProblem = webResourceNameProblem(resource.name);
    if (nameProblem) problems.add(resource.name, nameProblem);
    if (seenNames.has(resource.name)) problems.add(resource.name, "appears twice in <WebResources>");
    seenNames.add(resource.name);
    if (parseGuid(resource.id) === null) problems.add(resource.name, `WebResourceId "${resource.id}" is not a GUID`);
    if (!resource.content) problems.add(resource.name, `its FileName ${resource.fileName} is not in the zip`);
    seenFiles.add(resource.fileName.replace(/^\//, ""));
  }
  const overrides = new Set([...pkg.contentTypesXml.matchAll(/<Override\s+PartName="([^"]+)"/g)].map((m) => (m[1] ?? "").replace(/^\//, "")));
  const defaults = new Set([...pkg.contentTypesXml.matchAll(/<Default\s+Extension="([^"]+)"/g)].map((m) => (m[1] ?? "").toLowerCase()));
  for (const part of pkg.parts.keys()) {
    if (part === "[Content_Types].xml") continue;
    if (part.startsWith("WebResources/") && !seenFiles.has(part)) problems.add("[Content_Types].xml", `zip entry ${part} belongs to no <WebResource>`);
    const extension = part.includes(".") ? part.slice(part.lastIndexOf(".") + 1).toLowerCase() : "";
    if (!overrides.has(part) && !defaults.has(extension)) problems.add("[Content_Types].xml", `zip entry ${part} has no content type (no Override and no Default for its extension)`);
  }
}

function checkStrings(webResources: readonly PackagedWebResource[], problems: ProblemList): void {
  const resxFiles = webResources.filter((resource) => resource.type === 12 && resource.content);
  const groups = new Map<string, { name: string; keys: Set<string> }[]>();
  for (const resource of resxFiles) {
    const base = resource.name.replace(/\.\d+\.resx$/, "");
    const text = decoder.decode(resource.content);
    checkUniqueStringKeys(resource.name, text, problems);
    const keys = new Set(parseResx(text).keys());
    groups.set(base, [...(groups.get(base) ?? []), { name: resource.name, keys }]);
  }
  for (const [base, files] of groups) {
    const languages = new Set(files.map((file) => /\.(\d+)\.resx$/.exec(file.name)?.[1] ?? ""));
    for (const language of REQUIRED_LANGUAGES) {
      if (!languages.has(language)) problems.add(`${base}.${language}.resx`, `the ${language} strings file is missing`);
    }
    const allKeys = new Set(files.flatMap((file) => [...file.keys]));
    for (const file of files) {
      const missing = [...allKeys].filter((key) => !file.keys.has(key)).sort();
      if (missing.length > 0) problems.add(file.name, `is missing ${missing.length} key(s) other languages have: ${missing.join(", ")}`);
    }
  }
  const stringsFiles = resxFiles.filter((resource) => resource.name.startsWith("lmi_/strings/Strings."));
  checkPageTextKeys(webResources, stringsFiles, problems);
  for (const script of webResources.filter((resource) => resource.type === 3)) {
    const declared = new Set([...script.dependencyXml.matchAll(/<Library\s[^>]*name="([^"]+)"/g)].map((m) => m[1]));
    const missing = stringsFiles.filter((strings) => !declared.has(strings.name)).map((strings) => strings.name);
    if (missing.length > 0) problems.add(script.name, `does not declare the strings as dependencies (getResourceString would return null): ${missing.join(", ")}`);
  }
}

/** The attribute whose value an HTML page shows as the string of that key (src/configuration/page-view.ts). */
export const PAGE_TEXT_KEY_ATTRIBUTE = "data-lmi-text";

/**
 * Every key an HTML page names resolves in every required language: the `data-lmi-text` keys, and
 * the value of any other `data-lmi-*` attribute that has the shape of a string key (a key's first
 * part, such as `Config.`, then more dotted parts), so a key moved to another attribute is still
 * checked. State attributes (`data-lmi-state="ready"`) have no such shape.
 */
function checkPageTextKeys(webResources: readonly PackagedWebResource[], stringsFiles: readonly PackagedWebResource[], problems: ProblemList): void {
  const languages = REQUIRED_LANGUAGES.map((language) => {
    const file = stringsFiles.find((resource) => resource.name === `lmi_/strings/Strings.${language}.resx`);
    return { name: `lmi_/strings/Strings.${language}.resx`, keys: new Set(file ? parseResx(decoder.decode(file.content)).keys() : []) };
  });
  const firstParts = new Set(languages.flatMap((language) => [...language.keys].map((key) => key.split(".")[0] ?? "")));
  const keyShaped = (value: string): boolean => /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$/.test(value) && firstParts.has(value.split(".")[0] ?? "");
  for (const page of webResources.filter((resource) => resource.type === 1 && resource.content)) {
    const html = decoder.decode(page.content);
    for (const match of html.matchAll(/\s(data-lmi-[a-z0-9-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      const attribute = match[1] ?? "";
      const key = match[2] ?? match[3] ?? "";
      if (attribute !== PAGE_TEXT_KEY_ATTRIBUTE && !keyShaped(key)) continue;
      const line = html.slice(0, match.index).split("\n").length;
      for (const language of languages) {
        if (!language.keys.has(key)) problems.add(page.name, `line ${line}: ${attribute}="${key}" has no string in ${language.name}, so the page would show the key`);
      }
    }
  }
}

type LibraryLoader = (name: string) => ReturnType<typeof loadLibrary> | null;

function checkFunction(part: string, functionName: string | undefined, libraryRef: string | undefined, byName: ReadonlyMap<string, PackagedWebResource>, library: LibraryLoader, problems: ProblemList): void {
  if (!functionName || !libraryRef) {
    problems.add(part, `a function registration lacks its FunctionName or Library (${functionName ?? "?"} / ${libraryRef ?? "?"})`);
    return;
  }
  const name = libraryRef.replace(/^\$webresource:/, "");
  const resource = byName.get(name);
  if (!resource) {
    problems.add(part, `${functionName} is registered from library "${name}", which is not a web resource in this solution`);
    return;
  }
  if (resource.type !== 3) {
    problems.add(part, `${functionName} is registered from "${name}", which is not a script (type ${resource.type})`);
    return;
  }
  const loaded = library(name);
  if (!loaded) {
    problems.add(part, `${functionName}: the content of "${name}" is not in the zip`);
    return;
  }
  if (loaded.error) {
    problems.add(name, `loading the script threw "${loaded.error}"; a library must only define its namespace when it loads`);
    return;
  }
  if (typeof resolvePath(loaded.globals, functionName) !== "function") {
    problems.add(part, `function "${functionName}" is not defined by "${name}" (the bundle defines no function under that global name)`);
  }
}

function checkReferences(customizationsXml: string, doc: XmlNode, byName: ReadonlyMap<string, PackagedWebResource>, library: LibraryLoader, problems: ProblemList): void {
  for (const match of customizationsXml.matchAll(/\$webresource:([^"'<\s&]+)/g)) {
    const name = match[1] ?? "";
    if (!byName.has(name)) problems.add("customizations.xml", `"$webresource:${name}" refers to a web resource that is not in this solution`);
  }
  for (const entity of findAll(doc, "Entity")) {
    const entityName = textOf(entity, "Name");
    for (const fn of [...findAll(entity, "JavaScriptFunction"), ...findAll(entity, "CustomRule")]) {
      checkFunction(`customizations.xml (${entityName} ribbon)`, attr(fn, "FunctionName"), attr(fn, "Library"), byName, library, problems);
    }
    for (const form of findAll(entity, "systemform")) {
      const formName = `${entityName} form ${textOf(form, "formid")}`;
      const formLibraries = new Set<string>();
      for (const formLibrary of findAll(form, "formLibraries").flatMap((node) => children(node, "Library"))) {
        const name = attr(formLibrary, "name") ?? "";
        formLibraries.add(name);
        const resource = byName.get(name);
        if (!resource) problems.add(`customizations.xml (${formName})`, `form library "${name}" is not a web resource in this solution`);
        else if (resource.type !== 3) problems.add(`customizations.xml (${formName})`, `form library "${name}" is not a script`);
      }
      for (const handler of findAll(form, "Handler")) {
        const libraryName = attr(handler, "libraryName");
        if (libraryName && !formLibraries.has(libraryName)) {
          problems.add(`customizations.xml (${formName})`, `handler ${attr(handler, "functionName") ?? "?"} uses library "${libraryName}", which the form does not list in <formLibraries>`);
        }
        checkFunction(`customizations.xml (${formName})`, attr(handler, "functionName"), libraryName, byName, library, problems);
      }
    }
  }
  for (const resource of byName.values()) {
    for (const match of resource.dependencyXml.matchAll(/<Library\s[^>]*name="([^"]+)"/g)) {
      const name = match[1] ?? "";
      if (!byName.has(name)) problems.add(resource.name, `depends on "${name}", which is not a web resource in this solution`);
    }
  }
}

function checkLocLabels(doc: XmlNode, customizationsXml: string, problems: ProblemList): void {
  const labels = new Map<string, Set<string>>();
  for (const locLabel of findAll(doc, "LocLabel")) {
    const id = attr(locLabel, "Id") ?? "";
    const languages = new Set(findAll(locLabel, "Title").map((title) => attr(title, "languagecode") ?? ""));
    labels.set(id, languages);
  }
  const used = new Set([...customizationsXml.matchAll(/\$LocLabels:([A-Za-z0-9_.]+)/g)].map((m) => m[1] ?? ""));
  for (const id of used) {
    const languages = labels.get(id);
    if (!languages) {
      problems.add("customizations.xml", `"$LocLabels:${id}" has no <LocLabel Id="${id}">`);
      continue;
    }
    for (const language of REQUIRED_LANGUAGES) {
      if (!languages.has(language)) problems.add("customizations.xml", `<LocLabel Id="${id}"> has no title for language ${language}`);
    }
  }
}

function checkRibbonIds(doc: XmlNode, problems: ProblemList): void {
  for (const ribbon of findAll(doc, "RibbonDiffXml")) {
    const commands = new Set(findAll(ribbon, "CommandDefinition").map((node) => attr(node, "Id") ?? ""));
    const ruleDefinitions = findAll(ribbon, "RuleDefinitions")[0];
    const enableRules = new Set(ruleDefinitions ? findAll(ruleDefinitions, "EnableRule").map((node) => attr(node, "Id") ?? "") : []);
    const displayRules = new Set(ruleDefinitions ? findAll(ruleDefinitions, "DisplayRule").map((node) => attr(node, "Id") ?? "") : []);
    for (const control of findAll(ribbon, "Button")) {
      const command = attr(control, "Command");
      if (command && !commands.has(command) && !command.startsWith("Mscrm.")) {
        problems.add("customizations.xml (ribbon)", `button ${attr(control, "Id") ?? "?"} uses command "${command}", which has no <CommandDefinition>`);
      }
    }
    for (const command of findAll(ribbon, "CommandDefinitions").flatMap((node) => findAll(node, "CommandDefinition"))) {
      for (const ref of findAll(command, "EnableRule")) {
        const id = attr(ref, "Id") ?? "";
        if (!enableRules.has(id) && !id.startsWith("Mscrm.")) problems.add("customizations.xml (ribbon)", `command ${attr(command, "Id") ?? "?"} uses enable rule "${id}", which is not defined`);
      }
      for (const ref of findAll(command, "DisplayRule")) {
        const id = attr(ref, "Id") ?? "";
        if (!displayRules.has(id) && !id.startsWith("Mscrm.")) problems.add("customizations.xml (ribbon)", `command ${attr(command, "Id") ?? "?"} uses display rule "${id}", which is not defined`);
      }
    }
  }
}

/** Conditions, attributes and orders of a fetch `entity` or `link-entity`, not descending into nested link-entities. */
function fetchColumns(node: XmlNode): string[] {
  const names: string[] = [];
  const visit = (current: XmlNode): void => {
    for (const [key, value] of Object.entries(current)) {
      if (key.startsWith("@_") || key === "#text" || key === "link-entity") continue;
      for (const child of Array.isArray(value) ? value : [value]) {
        if (typeof child !== "object" || child === null) continue;
        const element = child as XmlNode;
        if (key === "attribute") names.push(attr(element, "name") ?? "");
        if (key === "order") names.push(attr(element, "attribute") ?? "");
        if (key === "condition" && !attr(element, "entityname")) names.push(attr(element, "attribute") ?? "");
        visit(element);
      }
    }
  };
  visit(node);
  return names.filter(Boolean);
}

/** `link-entity` joins: `to` must be a column of the outer table, the linked columns of the linked one (when it is ours). */
function checkLinks(outer: XmlNode, outerName: string, queryName: string, columnsByEntity: ReadonlyMap<string, Set<string>>, problems: ProblemList): void {
  for (const link of children(outer, "link-entity")) {
    const linkedName = (attr(link, "name") ?? "").toLowerCase();
    const to = attr(link, "to");
    const outerColumns = columnsByEntity.get(outerName);
    if (to && outerColumns && !outerColumns.has(to.toLowerCase())) problems.add("customizations.xml", `${queryName} joins on "${to}", which ${outerName} does not have`);
    const linkedColumns = columnsByEntity.get(linkedName);
    const from = attr(link, "from");
    if (linkedColumns) {
      for (const column of [...fetchColumns(link), ...(from ? [from] : [])]) {
        if (!linkedColumns.has(column.toLowerCase())) problems.add("customizations.xml", `${queryName} uses column "${column}" of ${linkedName}, which does not exist`);
      }
    }
    checkLinks(link, linkedName, queryName, columnsByEntity, problems);
  }
}

function checkAttributes(doc: XmlNode, problems: ProblemList): void {
  const columnsByEntity = new Map<string, Set<string>>();
  for (const entity of findAll(doc, "Entity")) {
    const info = children(entity, "EntityInfo")[0];
    if (!info) continue;
    const entityNode = children(info, "entity")[0];
    const name = (entityNode ? attr(entityNode, "Name") : undefined)?.toLowerCase() ?? textOf(entity, "Name").toLowerCase();
    const columns = new Set<string>();
    for (const attribute of entityNode ? findAll(entityNode, "attribute") : []) {
      const logical = textOf(attribute, "LogicalName") || textOf(attribute, "Name") || (attr(attribute, "PhysicalName") ?? "");
      columns.add(logical.toLowerCase());
    }
    columnsByEntity.set(name, columns);
  }

  for (const entity of findAll(doc, "Entity")) {
    const entityName = textOf(entity, "Name").toLowerCase();
    const columns = columnsByEntity.get(entityName);
    if (!columns) continue;
    const missing = (where: string, column: string): void => {
      if (!columns.has(column.toLowerCase())) problems.add("customizations.xml", `${where} uses column "${column}", which ${entityName} does not have`);
    };
    for (const form of findAll(entity, "systemform")) {
      const formName = formLabel(entityName, form);
      for (const control of findAll(form, "control")) {
        const field = attr(control, "datafieldname");
        if (field) missing(formName, field);
      }
      for (const event of findAll(form, "event")) {
        const field = attr(event, "attribute");
        if (field) missing(`${formName} onchange event`, field);
      }
    }
    for (const query of findAll(entity, "savedquery")) {
      const queryName = `${entityName} view "${textOf(children(query, "LocalizedNames")[0] ?? {}, "LocalizedName") || textOf(query, "savedqueryid")}"`;
      for (const fetchEntity of findAll(query, "fetch").flatMap((fetch) => children(fetch, "entity"))) {
        const fetchName = attr(fetchEntity, "name") ?? "";
        if (fetchName.toLowerCase() !== entityName) problems.add("customizations.xml", `${queryName} queries "${fetchName}" instead of ${entityName}`);
        for (const column of fetchColumns(fetchEntity)) missing(queryName, column);
        checkLinks(fetchEntity, entityName, queryName, columnsByEntity, problems);
      }
      for (const cell of findAll(query, "cell")) {
        const name = attr(cell, "name") ?? "";
        if (name && !name.includes(".")) missing(`${queryName} layout`, name);
      }
      for (const row of findAll(query, "row")) {
        const id = attr(row, "id");
        if (id) missing(`${queryName} layout row id`, id);
      }
    }
    for (const key of findAll(entity, "EntityKey")) {
      for (const column of findAll(key, "AttributeName")) missing(`key ${textOf(key, "Name")}`, textOf(column, "#text"));
    }
    for (const attribute of findAll(entity, "attribute")) {
      const type = textOf(attribute, "Type");
      if (type !== "picklist" || textOf(attribute, "IsCustomField") !== "1") continue;
      for (const option of findAll(attribute, "option")) {
        const value = attr(option, "value") ?? "";
        if (!value.startsWith(OPTION_VALUE_PREFIX)) problems.add("customizations.xml", `choice ${entityName}.${textOf(attribute, "LogicalName")} value ${value} does not start with the publisher's option value prefix ${OPTION_VALUE_PREFIX}`);
      }
    }
  }

  for (const relationship of findAll(doc, "EntityRelationship")) {
    const referencing = textOf(relationship, "ReferencingEntityName").toLowerCase();
    const column = textOf(relationship, "ReferencingAttributeName");
    const columns = columnsByEntity.get(referencing);
    if (columns && column && !columns.has(column.toLowerCase())) {
      problems.add("customizations.xml", `relationship ${attr(relationship, "Name") ?? "?"} uses column "${column}", which ${referencing} does not have`);
    }
  }
}

/** Column types no custom column of ours may have, with what to use instead. */
export const REFUSED_COLUMN_TYPES: Readonly<Record<string, string>> = {
  bigint: "real exports carry no custom big integer column and an import may refuse one; use decimal with precision 0 (<Accuracy>0</Accuracy>), as DESIGN §5 does for lmi_transmitted",
};

function checkColumnTypes(doc: XmlNode, problems: ProblemList): void {
  for (const entity of findAll(doc, "Entity")) {
    const entityName = textOf(entity, "Name").toLowerCase();
    for (const attribute of findAll(entity, "attribute")) {
      const logicalName = (textOf(attribute, "LogicalName") || (attr(attribute, "PhysicalName") ?? "")).toLowerCase();
      if (!logicalName.startsWith(`${CUSTOMIZATION_PREFIX}_`)) continue;
      const type = textOf(attribute, "Type");
      const instead = REFUSED_COLUMN_TYPES[type];
      if (instead) problems.add("customizations.xml", `column ${entityName}.${logicalName} is <Type>${type}</Type>: ${instead}`);
    }
  }
}

/**
 * DESIGN §5: every relationship from the Case to one of our tables is referential. The platform
 * refuses to reassign a Case whose related rows cascade the assignment to someone who may not
 * assign them (sessions belong to the integration user), so the service's reassignment, agents,
 * queues and routing would fail. CascadeMerge is not in the 9.0.0.2090 schema, so it is not written.
 */
export const CASE_RELATIONSHIP_CASCADES: Readonly<Record<string, string>> = {
  CascadeAssign: "NoCascade",
  CascadeShare: "NoCascade",
  CascadeUnshare: "NoCascade",
  CascadeReparent: "NoCascade",
  CascadeDelete: "RemoveLink",
};
const OPTIONAL_CASE_RELATIONSHIP_CASCADES: Readonly<Record<string, string>> = { CascadeRollupView: "NoCascade" };

function checkCaseRelationships(doc: XmlNode, problems: ProblemList): void {
  for (const relationship of findAll(doc, "EntityRelationship")) {
    const referenced = textOf(relationship, "ReferencedEntityName").toLowerCase();
    const referencing = textOf(relationship, "ReferencingEntityName").toLowerCase();
    if (referenced !== "incident" || !referencing.startsWith(`${CUSTOMIZATION_PREFIX}_`)) continue;
    const name = attr(relationship, "Name") ?? "?";
    for (const [element, expected] of Object.entries(CASE_RELATIONSHIP_CASCADES)) {
      const actual = textOf(relationship, element);
      if (actual !== expected) problems.add("customizations.xml", `relationship ${name} (Case → ${referencing}) has ${element} ${actual ? `"${actual}"` : "missing"}; it must be ${expected}: a relationship from the Case to our tables is referential (DESIGN §5)`);
    }
    for (const [element, expected] of Object.entries(OPTIONAL_CASE_RELATIONSHIP_CASCADES)) {
      const actual = textOf(relationship, element);
      if (actual && actual !== expected) problems.add("customizations.xml", `relationship ${name} (Case → ${referencing}) has ${element} "${actual}"; it must be ${expected} or left out (DESIGN §5)`);
    }
  }
}

function checkAppModules(doc: XmlNode, problems: ProblemList): void {
  const entities = new Set(findAll(doc, "Entity").map((entity) => textOf(entity, "Name").toLowerCase()));
  const forms = new Set(findAll(doc, "systemform").map((form) => normalizeId(textOf(form, "formid"))));
  const siteMaps = new Set(findAll(doc, "AppModuleSiteMap").map((siteMap) => textOf(siteMap, "SiteMapUniqueName")));
  const roles = new Set(securityRoles(doc).map((role) => normalizeId(attr(role, "id") ?? "")));
  for (const appModule of findAll(doc, "AppModules").flatMap((node) => children(node, "AppModule"))) {
    const name = textOf(appModule, "UniqueName");
    for (const component of findAll(appModule, "AppModuleComponent")) {
      const type = attr(component, "type");
      const schemaName = attr(component, "schemaName") ?? "";
      const id = normalizeId(attr(component, "id") ?? "");
      if (type === "1" && !entities.has(schemaName.toLowerCase())) problems.add("customizations.xml", `app ${name} lists table "${schemaName}", which is not in this solution`);
      if (type === "60" && !forms.has(id)) problems.add("customizations.xml", `app ${name} lists form ${id}, which is not in this solution`);
      if (type === "62" && !siteMaps.has(schemaName)) problems.add("customizations.xml", `app ${name} lists site map "${schemaName}", which is not in this solution`);
    }
    for (const role of findAll(appModule, "AppModuleRoleMaps").flatMap((node) => children(node, "Role"))) {
      const id = normalizeId(attr(role, "id") ?? "");
      if (!roles.has(id)) problems.add("customizations.xml", `app ${name} is mapped to role ${id}, which is not in this solution`);
    }
  }
  for (const subArea of findAll(doc, "SubArea")) {
    const entity = attr(subArea, "Entity");
    if (entity && entity.startsWith(`${CUSTOMIZATION_PREFIX}_`) && !entities.has(entity.toLowerCase())) {
      problems.add("customizations.xml", `site map entry ${attr(subArea, "Id") ?? "?"} opens table "${entity}", which is not in this solution`);
    }
  }
}

/** The elements solution.xml must have, in this order, under SolutionManifest (no XSD exists). */
export const SOLUTION_MANIFEST_ORDER = ["UniqueName", "LocalizedNames", "Descriptions", "Version", "Managed", "ConfigurationPage", "Publisher", "RootComponents", "MissingDependencies"] as const;

function componentKey(component: RootComponent): string {
  return `${component.type}|${component.schemaName ?? normalizeId(component.id ?? "")}|${component.behavior}`;
}

function checkSolutionManifest(pkg: SolutionPackage, byName: ReadonlyMap<string, PackagedWebResource>, expectations: PackageExpectations, problems: ProblemList): void {
  const part = "solution.xml";
  const xml = pkg.solutionXml;
  const manifestDoc = parseXml(xml);
  const root = manifestDoc.ImportExportXml as XmlNode | undefined;
  if (!root || typeof root !== "object") {
    problems.add(part, "the root element must be <ImportExportXml>");
    return;
  }
  for (const attribute of ["version", "SolutionPackageVersion", "languagecode"]) {
    if (!attr(root, attribute)) problems.add(part, `<ImportExportXml> needs the ${attribute} attribute`);
  }
  const manifest = children(root, "SolutionManifest")[0];
  if (!manifest) {
    problems.add(part, "has no <SolutionManifest>");
    return;
  }
  const manifestText = xml.slice(xml.indexOf("<SolutionManifest"));
  let last = -1;
  for (const element of SOLUTION_MANIFEST_ORDER) {
    const position = manifestText.search(new RegExp(`<${element}[\\s>/]`));
    if (position < 0) {
      problems.add(part, `<SolutionManifest> has no <${element}>`);
      continue;
    }
    if (position < last) problems.add(part, `<${element}> is out of order: the order is ${SOLUTION_MANIFEST_ORDER.join(", ")}`);
    last = Math.max(last, position);
  }
  if (textOf(manifest, "UniqueName") !== SOLUTION_UNIQUE_NAME) problems.add(part, `UniqueName must be ${SOLUTION_UNIQUE_NAME}`);
  const solutionLanguages = new Set(findAll(children(manifest, "LocalizedNames")[0] ?? {}, "LocalizedName").map((node) => attr(node, "languagecode")));
  for (const language of REQUIRED_LANGUAGES) {
    if (!solutionLanguages.has(language)) problems.add(part, `the solution has no localized name for language ${language}`);
  }
  const version = textOf(manifest, "Version");
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(version)) problems.add(part, `Version "${version}" must have four numeric parts`);
  if (expectations.version && version !== expectations.version) problems.add(part, `Version is ${version}, expected ${expectations.version} (from package.json)`);
  const managed = textOf(manifest, "Managed");
  if (managed !== "0" && managed !== "1") problems.add(part, `Managed must be 0 or 1, not "${managed}"`);
  if (expectations.managed !== undefined && managed !== (expectations.managed ? "1" : "0")) problems.add(part, `Managed is ${managed}, expected ${expectations.managed ? 1 : 0}`);
  const configurationPage = textOf(manifest, "ConfigurationPage");
  if (configurationPage !== CONFIGURATION_PAGE) problems.add(part, `ConfigurationPage must be ${CONFIGURATION_PAGE}`);
  else if (byName.get(configurationPage)?.type !== 1) problems.add(part, `ConfigurationPage ${configurationPage} is not an HTML web resource in this solution`);

  const publisher = children(manifest, "Publisher")[0];
  if (publisher) {
    if (textOf(publisher, "UniqueName") !== PUBLISHER_UNIQUE_NAME) problems.add(part, `Publisher UniqueName must be ${PUBLISHER_UNIQUE_NAME}`);
    if (textOf(publisher, "CustomizationPrefix") !== CUSTOMIZATION_PREFIX) problems.add(part, `Publisher CustomizationPrefix must be ${CUSTOMIZATION_PREFIX}`);
    const optionPrefix = textOf(publisher, "CustomizationOptionValuePrefix");
    if (optionPrefix !== OPTION_VALUE_PREFIX) problems.add(part, `Publisher CustomizationOptionValuePrefix must be ${OPTION_VALUE_PREFIX}`);
    if (!children(publisher, "LocalizedNames")[0]) problems.add(part, "Publisher has no LocalizedNames");
  }

  const declared = findAll(children(manifest, "RootComponents")[0] ?? {}, "RootComponent").map((node) => ({
    type: Number(attr(node, "type")),
    schemaName: attr(node, "schemaName"),
    id: attr(node, "id"),
    behavior: Number(attr(node, "behavior") ?? "0"),
  }));
  if (declared.length === 0) problems.add(part, "lists no root components");
  const expected = rootComponentsFor(pkg.customizationsXml);
  reportRepeats(problems, part, "", declared.map((component) => ({ key: componentKey(component), label: `root component ${componentKey(component)} (type|name|behavior)` })), "list each root component once");
  const declaredKeys = new Set(declared.map(componentKey));
  const expectedKeys = new Set(expected.map(componentKey));
  for (const key of expectedKeys) if (!declaredKeys.has(key)) problems.add(part, `root component missing for content ${key} (type|name|behavior)`);
  for (const key of declaredKeys) if (!expectedKeys.has(key)) problems.add(part, `root component ${key} (type|name|behavior) has no content in customizations.xml`);
}
