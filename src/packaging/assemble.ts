/**
 * Assembles the three manifest parts of a solution zip from the SolutionPackager-style sources in
 * `solution/`: `customizations.xml` (entities with their forms, views and ribbon, roles,
 * relationships, web resources, app module and site map), `solution.xml` (version, managed flag,
 * root components) and `[Content_Types].xml`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ProblemList } from "./problems";
import { attr, children, dropXsiNamespace, escapeXml, fillPlaceholder, findAll, innerXml, parseXml, stripProlog, textOf, wellFormedError, type XmlNode } from "./xml-text";

const UTF8_BOM = "\uFEFF";
const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';

function sortedEntries(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** Reads a source XML file, reporting it when it is not well-formed. */
function readSource(root: string, rel: string, problems: ProblemList): string | null {
  const xml = readFileSync(join(root, rel), "utf8");
  const malformed = wellFormedError(stripProlog(xml));
  if (malformed) {
    problems.add(rel, `not well-formed XML (${malformed})`);
    return null;
  }
  return stripProlog(xml).trim();
}

/** The content of a source file's root element, e.g. the `<systemform>` inside `<forms>`. */
function rootContent(root: string, rel: string, rootName: string, problems: ProblemList): string | null {
  const xml = readSource(root, rel, problems);
  if (xml === null) return null;
  if (!new RegExp(`^<${rootName}[\\s>/]`).test(xml)) {
    problems.add(rel, `the root element must be <${rootName}>`);
    return null;
  }
  const inner = innerXml(xml, rootName);
  if (inner === null) {
    problems.add(rel, `could not read the content of <${rootName}>`);
    return null;
  }
  return inner.trim();
}

function fill(xml: string, name: string, content: string, file: string, problems: ProblemList): string {
  const filled = fillPlaceholder(xml, name, content);
  if (filled === null) {
    problems.add(file, `needs an empty <${name} /> placeholder for the build to fill`);
    return xml;
  }
  return filled;
}

function assembleEntity(root: string, folder: string, problems: ProblemList): string | null {
  const base = `solution/Entities/${folder}`;
  const entityFile = `${base}/Entity.xml`;
  if (!existsSync(join(root, entityFile))) {
    problems.add(base, "an entity folder needs an Entity.xml");
    return null;
  }
  const source = readSource(root, entityFile, problems);
  if (source === null) return null;
  let xml = dropXsiNamespace(source);

  const formTypes = sortedEntries(join(root, base, "FormXml")).filter((type) => isDirectory(join(root, base, "FormXml", type)));
  if (formTypes.length > 0) {
    const forms = formTypes
      .map((type) => {
        const systemForms = sortedEntries(join(root, base, "FormXml", type))
          .filter((file) => file.endsWith(".xml"))
          .map((file) => rootContent(root, `${base}/FormXml/${type}/${file}`, "forms", problems) ?? "")
          .join("");
        return `<forms type="${escapeXml(type)}">${systemForms}</forms>`;
      })
      .join("");
    xml = fill(xml, "FormXml", forms, entityFile, problems);
  }

  const queryFiles = sortedEntries(join(root, base, "SavedQueries")).filter((file) => file.endsWith(".xml"));
  if (queryFiles.length > 0) {
    const queries = queryFiles.map((file) => rootContent(root, `${base}/SavedQueries/${file}`, "savedqueries", problems) ?? "").join("");
    xml = fill(xml, "SavedQueries", `<savedqueries>${queries}</savedqueries>`, entityFile, problems);
  }

  const ribbonFile = `${base}/RibbonDiff.xml`;
  if (existsSync(join(root, ribbonFile))) {
    const ribbon = rootContent(root, ribbonFile, "RibbonDiffXml", problems);
    if (ribbon !== null) xml = fill(xml, "RibbonDiffXml", ribbon, entityFile, problems);
  }
  return xml;
}

function concatenateRoots(root: string, folder: string, rootName: string, problems: ProblemList, nested: boolean): string {
  const dir = join(root, "solution", folder);
  const files = nested
    ? sortedEntries(dir)
        .filter((entry) => isDirectory(join(dir, entry)))
        .map((entry) => `solution/${folder}/${entry}/${rootName}.xml`)
        .filter((rel) => existsSync(join(root, rel)))
    : sortedEntries(dir)
        .filter((file) => file.endsWith(".xml"))
        .map((file) => `solution/${folder}/${file}`);
  return files
    .map((rel) => {
      const xml = readSource(root, rel, problems);
      if (xml === null) return "";
      if (!new RegExp(`^<${rootName}[\\s>/]`).test(xml)) {
        problems.add(rel, `the root element must be <${rootName}>`);
        return "";
      }
      return dropXsiNamespace(xml);
    })
    .join("");
}

/** customizations.xml from the sources plus the generated `<WebResource>` elements. */
export function assembleCustomizations(root: string, webResourceElements: readonly string[], problems: ProblemList): string {
  const shellFile = "solution/Other/Customizations.xml";
  if (!existsSync(join(root, shellFile))) {
    problems.add(shellFile, "is missing: it is the customizations.xml shell (the top-level elements in schema order)");
    return "";
  }
  let xml = readSource(root, shellFile, problems) ?? "";

  const entities = sortedEntries(join(root, "solution", "Entities"))
    .filter((folder) => isDirectory(join(root, "solution", "Entities", folder)))
    .map((folder) => assembleEntity(root, folder, problems) ?? "")
    .join("");
  if (entities) xml = fill(xml, "Entities", entities, shellFile, problems);

  const roles = concatenateRoots(root, "Roles", "Role", problems, false);
  if (roles) xml = fill(xml, "Roles", roles, shellFile, problems);

  const relationshipFiles = sortedEntries(join(root, "solution", "Other", "Relationships")).filter((file) => file.endsWith(".xml"));
  const relationships = relationshipFiles
    .map((file) => rootContent(root, `solution/Other/Relationships/${file}`, "EntityRelationships", problems) ?? "")
    .join("");
  if (relationships) xml = fill(xml, "EntityRelationships", relationships, shellFile, problems);

  if (webResourceElements.length > 0) xml = fill(xml, "WebResources", webResourceElements.join(""), shellFile, problems);

  const siteMaps = concatenateRoots(root, "AppModuleSiteMaps", "AppModuleSiteMap", problems, true);
  if (siteMaps) xml = fill(xml, "AppModuleSiteMaps", siteMaps, shellFile, problems);
  const appModules = concatenateRoots(root, "AppModules", "AppModule", problems, true);
  if (appModules) xml = fill(xml, "AppModules", appModules, shellFile, problems);

  return `${XML_DECLARATION}\n${xml}\n`;
}

export interface RootComponent {
  type: number;
  schemaName?: string;
  id?: string;
  behavior: number;
}

/** Solution component type codes (solutioncomponent.componenttype). */
export const ComponentType = {
  Entity: 1,
  Role: 20,
  WebResource: 61,
  SiteMap: 62,
  FieldSecurityProfile: 70,
  AppModule: 80,
} as const;

/** The solution's security roles (`<Roles><Role>`), not the roles an app is mapped to (`<AppModuleRoleMaps><Role>`). */
export function securityRoles(doc: XmlNode): XmlNode[] {
  return findAll(doc, "Roles").flatMap((node) => children(node, "Role"));
}

/** The root components the content of customizations.xml calls for. */
export function rootComponentsFor(customizationsXml: string): RootComponent[] {
  const doc = parseXml(customizationsXml);
  const components: RootComponent[] = [];
  for (const entity of findAll(doc, "Entity")) {
    const name = textOf(entity, "Name").toLowerCase();
    if (!name) continue;
    const custom = entity.EntityInfo !== undefined;
    components.push({ type: ComponentType.Entity, schemaName: name, behavior: custom ? 0 : 2 });
  }
  for (const role of securityRoles(doc)) {
    const id = attr(role, "id");
    if (id) components.push({ type: ComponentType.Role, id: id.toLowerCase(), behavior: 0 });
  }
  for (const profile of findAll(doc, "FieldSecurityProfile")) {
    const id = attr(profile, "fieldsecurityprofileid");
    if (id) components.push({ type: ComponentType.FieldSecurityProfile, id: id.toLowerCase(), behavior: 0 });
  }
  for (const resource of findAll(doc, "WebResource")) {
    components.push({ type: ComponentType.WebResource, schemaName: textOf(resource, "Name"), behavior: 0 });
  }
  for (const siteMap of findAll(doc, "AppModuleSiteMap")) {
    components.push({ type: ComponentType.SiteMap, schemaName: textOf(siteMap, "SiteMapUniqueName"), behavior: 0 });
  }
  for (const appModule of findAll(doc, "AppModules").flatMap((node: XmlNode) => findAll(node, "AppModule"))) {
    components.push({ type: ComponentType.AppModule, schemaName: textOf(appModule, "UniqueName"), behavior: 0 });
  }
  const key = (c: RootComponent): string => `${String(c.type).padStart(4, "0")}|${c.schemaName ?? c.id ?? ""}`;
  return components.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function rootComponentXml(component: RootComponent): string {
  const identity = component.schemaName !== undefined ? `schemaName="${escapeXml(component.schemaName)}"` : `id="${escapeXml(component.id ?? "")}"`;
  return `<RootComponent type="${component.type}" ${identity} behavior="${component.behavior}" />`;
}

/** The solution version: package.json `x.y.z` → `x.y.z.0`. */
export function solutionVersion(packageVersion: string): string | null {
  return /^\d+\.\d+\.\d+$/.test(packageVersion) ? `${packageVersion}.0` : null;
}

/** solution.xml: the source manifest with version, managed flag and root components filled in. */
export function assembleSolutionManifest(root: string, version: string, managed: boolean, components: readonly RootComponent[], problems: ProblemList): string {
  const file = "solution/Other/Solution.xml";
  if (!existsSync(join(root, file))) {
    problems.add(file, "is missing: it is the solution manifest (SolutionManifest with UniqueName, Publisher, …)");
    return "";
  }
  let xml = readSource(root, file, problems) ?? "";
  const stamped = xml.replace(/<Version>[^<]*<\/Version>/, `<Version>${version}</Version>`);
  if (stamped === xml && !xml.includes(`<Version>${version}</Version>`)) problems.add(file, "has no <Version> element for the build to stamp");
  xml = stamped.replace(/<Managed>[^<]*<\/Managed>/, `<Managed>${managed ? 1 : 0}</Managed>`);
  if (!/<Managed>[01]<\/Managed>/.test(xml)) problems.add(file, "has no <Managed> element for the build to set");
  const rootComponents = components.map(rootComponentXml).join("\n      ");
  const filled = fillPlaceholder(xml, "RootComponents", `\n      ${rootComponents}\n    `);
  if (filled === null) {
    problems.add(file, "needs an empty <RootComponents /> placeholder: the build lists the root components from the content");
  } else {
    xml = filled;
  }
  return `${XML_DECLARATION}\n${xml}\n`;
}

/** [Content_Types].xml with one Override per web resource part (as current exports write it). */
export function contentTypesXml(partNames: readonly string[]): string {
  const overrides = partNames.map((part) => `<Override PartName="${escapeXml(part)}" ContentType="application/octet-stream" />`).join("");
  return `${UTF8_BOM}${XML_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/octet-stream" />${overrides}</Types>`;
}
