/**
 * The solution's web resources: their metadata sidecars (`solution/WebResources/<name>.data.xml`,
 * stable GUIDs), where each one's content comes from (a bundle of `src/scripts/<base>.ts` for
 * `lmi_/scripts/<base>.js`, otherwise `webresources/<name>`), and the `<WebResource>` element the
 * solution carries for it.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { parseGuid } from "../common/guid";
import type { ProblemList } from "./problems";
import { escapeXml, parseXml, textOf, wellFormedError, type XmlNode } from "./xml-text";

export const PUBLISHER_PREFIX = "lmi";
export const ROOT_NAMESPACE = "LogMeInRescue";
export const SCRIPTS_FOLDER = "lmi_/scripts/";

/** Letters, digits, `.` and `_`, folders separated by single `/`, starting with the `lmi_/` prefix. */
const WEB_RESOURCE_NAME = /^lmi_\/(?:[A-Za-z0-9_.]+\/)*[A-Za-z0-9_.]+$/;

/** WebResourceType codes by file extension (webresource table, "WebResourceType Choices"). */
export const WEB_RESOURCE_TYPES: Readonly<Record<string, number>> = {
  ".html": 1,
  ".htm": 1,
  ".css": 2,
  ".js": 3,
  ".xml": 4,
  ".png": 5,
  ".jpg": 6,
  ".jpeg": 6,
  ".gif": 7,
  ".xap": 8,
  ".xsl": 9,
  ".xslt": 9,
  ".ico": 10,
  ".svg": 11,
  ".resx": 12,
};

export interface WebResourceMetadata {
  /** Project-relative path of the sidecar. */
  metadataFile: string;
  id: string;
  name: string;
  displayName: string;
  description: string;
  languageCode: string;
  type: number;
  introducedVersion: string;
  isEnabledForMobileClient: string;
  isAvailableForMobileOffline: string;
  isCustomizable: string;
  canBeDeleted: string;
  isHidden: string;
}

export type ContentSource = { kind: "bundle"; entry: string; globalName: string } | { kind: "file"; path: string };

export interface WebResourcePlan extends WebResourceMetadata {
  source: ContentSource;
}

/** Why a web resource name is not allowed, or null. */
export function webResourceNameProblem(name: string): string | null {
  if (!name.startsWith("lmi_/")) return `web resource name "${name}" must start with the publisher prefix folder "lmi_/"`;
  if (name.includes("//")) return `web resource name "${name}" has consecutive "/" characters`;
  if (!WEB_RESOURCE_NAME.test(name)) {
    return `web resource name "${name}" may contain only letters, digits, ".", "_" and single "/" (no hyphens, spaces or other characters)`;
  }
  return null;
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? "" : name.slice(dot).toLowerCase();
}

/** `lmi_/scripts/case.ribbon.js` → `LogMeInRescue.Case.Ribbon`. */
export function globalNameFor(webResourceName: string): string {
  const base = webResourceName.slice(webResourceName.lastIndexOf("/") + 1).replace(/\.js$/, "");
  const parts = base
    .split(".")
    .map((part) =>
      part
        .split("_")
        .filter(Boolean)
        .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
        .join(""),
    );
  return [ROOT_NAMESPACE, ...parts].join(".");
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) files.push(...listFiles(full));
    else files.push(full);
  }
  return files;
}

function toPosix(path: string): string {
  return path.split(sep).join("/");
}

function readMetadata(root: string, file: string, problems: ProblemList): WebResourceMetadata | null {
  const rel = toPosix(relative(root, file));
  const xml = readFileSync(file, "utf8");
  const malformed = wellFormedError(xml);
  if (malformed) {
    problems.add(rel, `not well-formed XML (${malformed})`);
    return null;
  }
  const node = parseXml(xml).WebResource as XmlNode | undefined;
  if (!node || typeof node !== "object") {
    problems.add(rel, "the root element must be <WebResource>");
    return null;
  }
  const expectedName = toPosix(relative(join(root, "solution", "WebResources"), file)).replace(/\.data\.xml$/, "");
  const name = textOf(node, "Name");
  const id = textOf(node, "WebResourceId");
  const typeText = textOf(node, "WebResourceType");
  let ok = true;
  if (name !== expectedName) {
    problems.add(rel, `<Name> is "${name}" but the file's place says "${expectedName}": they must agree`);
    ok = false;
  }
  const nameProblem = webResourceNameProblem(name);
  if (nameProblem) {
    problems.add(rel, nameProblem);
    ok = false;
  }
  const webResourceId = parseGuid(id);
  if (webResourceId === null) {
    problems.add(rel, `<WebResourceId> "${id}" is not a GUID`);
    ok = false;
  }
  const expectedType = WEB_RESOURCE_TYPES[extensionOf(name)];
  if (expectedType === undefined) {
    problems.add(rel, `"${name}" has no known web resource file extension (${Object.keys(WEB_RESOURCE_TYPES).join(", ")})`);
    ok = false;
  } else if (String(expectedType) !== typeText) {
    problems.add(rel, `<WebResourceType> is "${typeText}" but a ${extensionOf(name)} file is type ${expectedType}`);
    ok = false;
  }
  if (!ok || webResourceId === null) return null;
  return {
    metadataFile: rel,
    id: webResourceId,
    name,
    displayName: textOf(node, "DisplayName") || name,
    description: textOf(node, "Description"),
    languageCode: textOf(node, "LanguageCode"),
    type: Number(typeText),
    introducedVersion: textOf(node, "IntroducedVersion") || "1.0.0.0",
    isEnabledForMobileClient: textOf(node, "IsEnabledForMobileClient") || "0",
    isAvailableForMobileOffline: textOf(node, "IsAvailableForMobileOffline") || "0",
    isCustomizable: textOf(node, "IsCustomizable") || "0",
    canBeDeleted: textOf(node, "CanBeDeleted") || "1",
    isHidden: textOf(node, "IsHidden") || "0",
  };
}

export interface WebResourceDiscovery {
  /** Web resources whose content exists, by name (sorted). */
  included: WebResourcePlan[];
  /** Metadata sidecars whose content does not exist yet (not an error: the build skips them). */
  skipped: { name: string; expected: string }[];
}

/**
 * Reads every sidecar, pairs it with its content source, and reports content without metadata
 * (a file under `webresources/` or an entry under `src/scripts/` that no sidecar describes).
 */
export function discoverWebResources(root: string, problems: ProblemList): WebResourceDiscovery {
  const metadataDir = join(root, "solution", "WebResources");
  const metadataFiles = listFiles(metadataDir).filter((file) => file.endsWith(".data.xml"));
  for (const file of listFiles(metadataDir)) {
    if (!file.endsWith(".data.xml")) {
      problems.add(toPosix(relative(root, file)), 'only "<web resource name>.data.xml" metadata files belong in solution/WebResources/; the content lives in webresources/ or src/scripts/');
    }
  }
  const included: WebResourcePlan[] = [];
  const skipped: { name: string; expected: string }[] = [];
  const described = new Set<string>();

  for (const file of metadataFiles) {
    const metadata = readMetadata(root, file, problems);
    if (!metadata) continue;
    described.add(metadata.name);
    const source = contentSourceFor(root, metadata.name);
    const present = source.kind === "bundle" ? existsSync(join(root, source.entry)) : existsSync(join(root, source.path));
    if (present) included.push({ ...metadata, source });
    else skipped.push({ name: metadata.name, expected: source.kind === "bundle" ? source.entry : source.path });
  }

  for (const file of listFiles(join(root, "webresources"))) {
    const name = toPosix(relative(join(root, "webresources"), file));
    const rel = toPosix(relative(root, file));
    const nameProblem = webResourceNameProblem(name);
    if (nameProblem) problems.add(rel, nameProblem);
    else if (!described.has(name)) problems.add(rel, `has no metadata: add solution/WebResources/${name}.data.xml (WebResourceId, Name, DisplayName, WebResourceType)`);
  }
  for (const file of listFiles(join(root, "src", "scripts")).filter((f) => f.endsWith(".ts"))) {
    const base = toPosix(relative(join(root, "src", "scripts"), file)).replace(/\.ts$/, "");
    const name = `${SCRIPTS_FOLDER}${base}.js`;
    const rel = toPosix(relative(root, file));
    const nameProblem = webResourceNameProblem(name);
    if (nameProblem) problems.add(rel, nameProblem);
    else if (!described.has(name)) problems.add(rel, `is a web resource entry without metadata: add solution/WebResources/${name}.data.xml`);
  }

  included.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { included, skipped };
}

export function contentSourceFor(root: string, name: string): ContentSource {
  if (name.startsWith(SCRIPTS_FOLDER) && name.endsWith(".js")) {
    const base = name.slice(SCRIPTS_FOLDER.length, -".js".length);
    const entry = `src/scripts/${base}.ts`;
    if (existsSync(join(root, entry)) || !existsSync(join(root, "webresources", name))) {
      return { kind: "bundle", entry, globalName: globalNameFor(name) };
    }
  }
  return { kind: "file", path: `webresources/${name}` };
}

/** The zip part that holds a web resource's bytes, in the style of current exports. */
export function partNameFor(resource: Pick<WebResourceMetadata, "name" | "id">): string {
  return `/WebResources/${resource.name.replace(/[^A-Za-z0-9_]/g, "")}${resource.id.toUpperCase()}`;
}

/** A stable GUID derived from names (SHA-1, RFC 4122 version 5 layout), for generated ids. */
export function nameBasedGuid(...names: string[]): string {
  const hash = createHash("sha1").update(names.join("\u0000")).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** DependencyXml that makes the given libraries (RESX strings) load with a script. */
export function dependencyXml(script: WebResourceMetadata, libraries: readonly WebResourceMetadata[]): string {
  if (libraries.length === 0) return "";
  const entries = libraries
    .map(
      (library) =>
        `<Library name="${escapeXml(library.name)}" displayName="${escapeXml(library.displayName)}" languagecode="${escapeXml(library.languageCode)}" description="${escapeXml(library.description)}" libraryUniqueId="{${nameBasedGuid(script.name, library.name)}}" />`,
    )
    .join("");
  return `<Dependencies><Dependency componentType="WebResource">${entries}</Dependency></Dependencies>`;
}

/** The `<WebResource>` element for customizations.xml, children in the schema's order. */
export function webResourceElement(resource: WebResourceMetadata, dependencies: string): string {
  const lines = [
    `<WebResourceId>{${resource.id}}</WebResourceId>`,
    `<Name>${escapeXml(resource.name)}</Name>`,
    `<DisplayName>${escapeXml(resource.displayName)}</DisplayName>`,
    resource.description ? `<Description>${escapeXml(resource.description)}</Description>` : "",
    resource.languageCode ? `<LanguageCode>${escapeXml(resource.languageCode)}</LanguageCode>` : "",
    `<WebResourceType>${resource.type}</WebResourceType>`,
    `<IntroducedVersion>${escapeXml(resource.introducedVersion)}</IntroducedVersion>`,
    `<IsEnabledForMobileClient>${escapeXml(resource.isEnabledForMobileClient)}</IsEnabledForMobileClient>`,
    `<IsAvailableForMobileOffline>${escapeXml(resource.isAvailableForMobileOffline)}</IsAvailableForMobileOffline>`,
    dependencies ? `<DependencyXml>${escapeXml(dependencies)}</DependencyXml>` : "",
    `<IsCustomizable>${escapeXml(resource.isCustomizable)}</IsCustomizable>`,
    `<CanBeDeleted>${escapeXml(resource.canBeDeleted)}</CanBeDeleted>`,
    `<IsHidden>${escapeXml(resource.isHidden)}</IsHidden>`,
    `<FileName>${partNameFor(resource)}</FileName>`,
  ].filter(Boolean);
  return `<WebResource>${lines.join("")}</WebResource>`;
}
