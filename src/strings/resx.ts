/**
 * Reads the `<data name="…"><value>…</value></data>` entries of a .NET RESX file.
 *
 * Used by the HTML pages (which fetch their RESX file) and by the build checks. The product's RESX
 * files are written by us, so this handles the RESX shape and XML's predefined and numeric
 * character references; it is not a general XML parser.
 */

const DATA_ENTRY = /<data\s+([^>]*?)\/?>(?:([\s\S]*?)<\/data>)?/g;
const NAME_ATTRIBUTE = /(?:^|\s)name\s*=\s*(?:"([^"]*)"|'([^']*)')/;
const VALUE_ELEMENT = /<value\s*(?:\/>|>([\s\S]*?)<\/value>)/;
const COMMENTS = /<!--[\s\S]*?-->/g;

const NAMED_ENTITIES: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** Decodes the five predefined XML entities and numeric character references. */
export function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g, (whole, ref: string) => {
    if (ref.startsWith("#x")) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith("#")) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    return NAMED_ENTITIES[ref] ?? whole;
  });
}

/** The key → text map of a RESX document. Later duplicates win, as in .NET. */
export function parseResx(xml: string): Map<string, string> {
  const strings = new Map<string, string>();
  const body = xml.replace(COMMENTS, "");
  for (const match of body.matchAll(DATA_ENTRY)) {
    const attributes = match[1] ?? "";
    const nameMatch = NAME_ATTRIBUTE.exec(attributes);
    if (!nameMatch) continue;
    const name = decodeXmlText(nameMatch[1] ?? nameMatch[2] ?? "");
    const valueMatch = VALUE_ELEMENT.exec(match[2] ?? "");
    strings.set(name, decodeXmlText(valueMatch?.[1] ?? ""));
  }
  return strings;
}
