/**
 * Reads the variables of a Rescue XML post with `saxes`, a streaming parser that checks
 * well-formedness by the XML 1.0 rules and never expands an entity a document defines.
 *
 * Accepted: any root element, any XML declaration, character references, the five predefined
 * entities, CDATA sections, comments and processing instructions anywhere, namespace prefixes
 * (names are matched on their local part), attributes (ignored). A variable is a child element
 * of the root; its value is all the text inside it (text and CDATA, also of nested elements).
 *
 * Tolerated, because the post is readable and must not be lost over them: characters XML does
 * not allow (raw control characters, which some serialisers write as they are; the post
 * parser removes them from the values) and character references to characters XML does not
 * allow (`&#x1;`), which stay as written.
 *
 * Refused with `XmlRefused` (the post parser answers 400): a DTD (and so every entity
 * declaration: billion laughs, external and parameter entities), a reference to an entity XML
 * does not predefine, anything else that is not well-formed, nesting deeper than
 * `MAX_XML_DEPTH`.
 */
import { SaxesParser } from "saxes";

export const MAX_XML_DEPTH = 64;

/** The XML cannot be accepted; `reason` is a short text for the answer and the log. */
export class XmlRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "XmlRefused";
  }
}

/** Errors `saxes` reports for text that is readable all the same (see the module comment). */
const TOLERATED_ERRORS = ["disallowed character.", "malformed character entity."];

/** A variable as it appeared: the element's local name and its text. */
export type XmlPair = [name: string, value: string];

/** What to report of a child element of the root: its text, only its name (text ""), or nothing. */
export type ElementInterest = "value" | "name" | "ignore";

/**
 * The child elements of the root with their text, in document order, from the document's
 * text in pieces (so the whole text never has to exist as one string). `interest` says what to
 * report of each name (everything is checked for well-formedness all the same).
 */
export function readXmlPairs(pieces: Iterable<string>, interest: (localName: string) => ElementInterest): XmlPair[] {
  const parser = new SaxesParser({ position: false });
  const pairs: XmlPair[] = [];
  let depth = 0;
  let collecting: { name: string; parts: string[] | null } | null = null;

  const collect = (text: string): void => {
    collecting?.parts?.push(text);
  };
  parser.on("doctype", () => {
    throw new XmlRefused("DTDs and entity declarations are not accepted");
  });
  parser.on("opentag", (tag) => {
    depth += 1;
    if (depth > MAX_XML_DEPTH) throw new XmlRefused(`XML is nested deeper than ${MAX_XML_DEPTH} levels`);
    if (depth === 2) {
      const name = localName(tag.name);
      const wanted = interest(name);
      collecting = wanted === "ignore" ? null : { name, parts: wanted === "value" ? [] : null };
    }
  });
  parser.on("closetag", () => {
    if (depth === 2 && collecting !== null) {
      pairs.push([collecting.name, collecting.parts?.join("") ?? ""]);
      collecting = null;
    }
    depth -= 1;
  });
  parser.on("text", collect);
  parser.on("cdata", collect);
  parser.on("error", (error) => {
    const message = error.message;
    if (TOLERATED_ERRORS.includes(message)) return;
    if (message === "undefined entity.") throw new XmlRefused("undefined entity reference in the XML");
    throw new XmlRefused(`body is not well-formed XML (${message.replace(/\.$/, "")})`);
  });

  for (const piece of pieces) parser.write(piece);
  parser.close();
  return pairs;
}

function localName(name: string): string {
  const colon = name.indexOf(":");
  return colon < 0 ? name : name.slice(colon + 1);
}
