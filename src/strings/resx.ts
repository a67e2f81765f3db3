/**
 * Reads the `<data name="…"><value>…</value></data>` entries of a .NET RESX file.
 *
 * Used by the HTML pages (which fetch their RESX file) and by the build checks. The product's RESX
 * files are written by us, so this handles the RESX shape and XML's predefined and numeric
 * character references; it is not a general XML parser.
 */

const DATA_ENTRY = /<data\b([^>]*?)(?:\/>|>([\s\S]*?)<\/data>)/g;
const NAME_ATTRIBUTE = /(?:^|\s)name\s*=\s*(["'])(.*?)\1/;
const VALUE_ELEMENT = /<value\s*>([\s\S]*?)<\/value>/;
const COMMENTS = /<!--[\s\S]*?-->/g;
const REFERENCE = /&(?:#x([\da-fA-F]+)|#(\d+)|(lt|gt|amp|quot|apos));/g;
const NAMED_ENTITIES: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** Decodes the five predefined XML entities and numeric character references. */
export function decodeXmlText(text: string): string {
  return text.replace(REFERENCE, (whole, hex?: string, decimal?: string, name?: string) =>
    name ? (NAMED_ENTITIES[name] ?? whole) : String.fromCodePoint(hex ? parseInt(hex, 16) : Number(decimal)),
  );
}

/** The key → text map of a RESX document. Later duplicates win, as in .NET. */
export function parseResx(xml: string): Map<string, string> {
  const strings = new Map<string, string>();
  for (const [, attributes = "", body = ""] of xml.replace(COMMENTS, "").matchAll(DATA_ENTRY)) {
    const name = NAME_ATTRIBUTE.exec(attributes)?.[2];
    if (name !== undefined) strings.set(decodeXmlText(name), decodeXmlText(VALUE_ELEMENT.exec(body)?.[1] ?? ""));
  }
  return strings;
}
