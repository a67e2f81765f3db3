/**
 * Text-level XML helpers for assembling the solution: the sources are kept exactly as written
 * (SolutionPackager layout) and stitched together, so what is in git is what is in the zip.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";

/** Removes a UTF-8 BOM and the `<?xml …?>` declaration. */
export function stripProlog(xml: string): string {
  return xml.replace(/^\uFEFF/, "").replace(/^\s*<\?xml[^>]*\?>\s*/, "");
}

/** Escapes text for element content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

function elementPattern(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The content between `<name …>` and `</name>` of the first such element, or null. Empty for `<name />`. */
export function innerXml(xml: string, name: string): string | null {
  const n = elementPattern(name);
  const selfClosing = new RegExp(`<${n}(\\s[^>]*)?/>`);
  const open = new RegExp(`<${n}(\\s[^>]*)?>`);
  const openMatch = open.exec(xml);
  const selfMatch = selfClosing.exec(xml);
  if (selfMatch && (!openMatch || selfMatch.index <= openMatch.index)) return "";
  if (!openMatch) return null;
  const start = openMatch.index + openMatch[0].length;
  const end = xml.lastIndexOf(`</${name}>`);
  if (end < start) return null;
  return xml.slice(start, end);
}

/**
 * Replaces the single empty placeholder `<name />` (or `<name></name>`) with `<name>content</name>`.
 * Returns null when there is no empty placeholder, so callers can report it.
 */
export function fillPlaceholder(xml: string, name: string, content: string): string | null {
  const n = elementPattern(name);
  const placeholder = new RegExp(`<${n}(\\s[^>]*)?(?:/>|>\\s*</${n}>)`);
  const match = placeholder.exec(xml);
  if (!match) return null;
  const attributes = (match[1] ?? "").replace(/\s*\/?\s*$/, "");
  return `${xml.slice(0, match.index)}<${name}${attributes}>${content}</${name}>${xml.slice(match.index + match[0].length)}`;
}

/** Removes `xmlns:xsi="…"` from the root element of a fragment that is embedded in a larger document. */
export function dropXsiNamespace(xml: string): string {
  return xml.replace(/^(<[^>]*?)\s+xmlns:xsi="[^"]*"/, "$1");
}

/** Well-formedness check; returns the parser's message or null. */
export function wellFormedError(xml: string): string | null {
  const result = XMLValidator.validate(xml, { allowBooleanAttributes: false });
  if (result === true) return null;
  return `line ${result.err.line}, column ${result.err.col}: ${result.err.msg}`;
}

export type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  ignoreDeclaration: true,
});

const recentlyParsed = new Map<string, XmlNode>();

/**
 * Parses XML into plain objects: attributes as `@_name`, text as `#text`. The build and the checks
 * read the same large documents several times, so the last few results are kept; treat them as
 * read-only.
 */
export function parseXml(xml: string): XmlNode {
  const cached = recentlyParsed.get(xml);
  if (cached) return cached;
  const parsed = parser.parse(stripProlog(xml)) as XmlNode;
  recentlyParsed.set(xml, parsed);
  if (recentlyParsed.size > 4) recentlyParsed.delete(recentlyParsed.keys().next().value ?? "");
  return parsed;
}

/** Element values as nodes: `<a>x</a>` parses to "x" and `<a/>` to "", exposed as `{ "#text": … }`. */
function asNodes(value: unknown): XmlNode[] {
  const values: unknown[] = Array.isArray(value) ? value : [value];
  return values.map((v) => (typeof v === "object" && v !== null ? (v as XmlNode) : { "#text": typeof v === "string" || typeof v === "number" ? String(v) : "" }));
}

/** Every element called `name` anywhere below `node` (document order). */
export function findAll(node: unknown, name: string): XmlNode[] {
  const found: XmlNode[] = [];
  const visit = (current: unknown): void => {
    if (Array.isArray(current)) {
      for (const item of current) visit(item);
      return;
    }
    if (typeof current !== "object" || current === null) return;
    for (const [key, value] of Object.entries(current as XmlNode)) {
      if (key.startsWith("@_") || key === "#text") continue;
      if (key === name) found.push(...asNodes(value));
      visit(value);
    }
  };
  visit(node);
  return found;
}

/** Direct children called `name`. */
export function children(node: XmlNode, name: string): XmlNode[] {
  const value = node[name];
  return value === undefined ? [] : asNodes(value);
}

/** Text of the first direct child `name` (or of an attribute when `name` starts with "@_"). */
export function textOf(node: XmlNode, name: string): string {
  const value = node[name];
  const first: unknown = Array.isArray(value) ? value[0] : value;
  if (typeof first === "string" || typeof first === "number") return String(first);
  if (typeof first === "object" && first !== null) {
    const text = (first as XmlNode)["#text"];
    return typeof text === "string" || typeof text === "number" ? String(text) : "";
  }
  return "";
}

export function attr(node: XmlNode, name: string): string | undefined {
  const value = node[`@_${name}`];
  return typeof value === "string" ? value : undefined;
}
