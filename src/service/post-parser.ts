/**
 * Parses a Rescue "Post to URL" body (XML or HTML form fields) into a `RescuePost`.
 *
 * Rescue's XML uses the variable names in lower case as child elements of `<session>`, the form
 * uses them in CamelCase (rescue-api.md §4). Names are matched case-insensitively, `Note` is
 * read as `Notes`, unknown names are ignored, any XML root is accepted. Hostile input is refused
 * with a `PostRejected` carrying the HTTP status and a short reason: DTDs (and so every entity
 * declaration: billion laughs, external entities), malformed XML, duplicated variables, a
 * missing or implausible session id, an unknown `event`.
 */
import { createHash } from "node:crypto";
import { XMLParser, XMLValidator } from "fast-xml-parser";

export const POST_VARIABLES = [
  "SessionID",
  "TechID",
  "TechSSOID",
  "TechName",
  "TechEmail",
  "TechDescr",
  "CField0",
  "CField1",
  "CField2",
  "CField3",
  "CField4",
  "CField5",
  "Tracking0",
  "ChatLog",
  "Notes",
  "WaitingTime",
  "PickupTime",
  "ClosingTime",
  "WorkTime",
  "LastActionTime",
  "Transmitted",
  "Platform",
  "TSurvey0",
  "TSurvey1",
  "TSurvey2",
  "TSurvey3",
  "TSurvey4",
  "TSurvey5",
  "TSurvey6",
  "TSurvey7",
  "TSurvey8",
  "TSurvey9",
] as const;
export type PostVariable = (typeof POST_VARIABLES)[number];
export type PostFields = Partial<Record<PostVariable, string>>;

export type SessionEvent = "start" | "end";
export type PostFormat = "xml" | "form";

export interface RescuePost {
  readonly sessionId: string;
  readonly event: SessionEvent;
  readonly format: PostFormat;
  readonly fields: PostFields;
  /** SHA-256 (hex) of the event and the variables: equal for an identical replay. */
  readonly digest: string;
}

/** The post cannot be accepted; `status` is the 4xx to answer, `reason` a short text. */
export class PostRejected extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    readonly reason: string,
  ) {
    super(reason);
    this.name = "PostRejected";
  }
}

/** Rescue session ids are numbers; allow a conservative superset, within the column's 20 chars. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{1,20}$/;

const BY_LOWER_NAME = new Map<string, PostVariable>(POST_VARIABLES.map((name) => [name.toLowerCase(), name]));
BY_LOWER_NAME.set("note", "Notes");

export interface RawPost {
  body: Buffer;
  /** The Content-Type header, if any. */
  contentType: string | undefined;
  /** The `event` query parameter, if any. */
  event: string | undefined;
}

/** Parses and checks a post; throws `PostRejected` for anything that must not be accepted. */
export function parseRescuePost(raw: RawPost): RescuePost {
  const { format, charset } = classifyContentType(raw.contentType, raw.body);
  const text = decodeBody(raw.body, charset);
  const pairs = format === "xml" ? readXmlPairs(text) : readFormPairs(text);

  const fields: PostFields = {};
  const seen = new Set<string>();
  for (const [name, value] of pairs) {
    const variable = BY_LOWER_NAME.get(name.toLowerCase());
    if (variable === undefined) continue;
    const spelled = name.toLowerCase();
    if (seen.has(spelled)) throw new PostRejected(400, `variable ${variable} appears more than once`);
    seen.add(spelled);
    // `Notes` wins over `Note` when both are sent.
    if (variable === "Notes" && spelled === "note" && fields.Notes !== undefined) continue;
    fields[variable] = cleanText(value);
  }

  const sessionId = (fields.SessionID ?? "").trim();
  if (sessionId === "") throw new PostRejected(400, "no SessionID in the post");
  if (!SESSION_ID_PATTERN.test(sessionId)) throw new PostRejected(400, "SessionID is not a plausible Rescue session id");
  fields.SessionID = sessionId;

  const event = resolveEvent(raw.event, fields);
  return { sessionId, event, format, fields, digest: postDigest(event, fields) };
}

/** Drops control characters Dataverse text cannot hold (keeps tab, CR, LF) and lone surrogates. */
function cleanText(value: string): string {
  return value
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, "")
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

function resolveEvent(query: string | undefined, fields: PostFields): SessionEvent {
  if (query !== undefined && query !== "") {
    const lower = query.toLowerCase();
    if (lower === "start" || lower === "end") return lower;
    throw new PostRejected(400, "event must be start or end");
  }
  return (fields.ClosingTime ?? "").trim() !== "" ? "end" : "start";
}

function postDigest(event: SessionEvent, fields: PostFields): string {
  const hash = createHash("sha256");
  hash.update(event);
  for (const name of POST_VARIABLES) {
    const value = fields[name];
    if (value === undefined) continue;
    hash.update(`\u0000${name}\u0000${value}`);
  }
  return hash.digest("hex");
}

function classifyContentType(header: string | undefined, body: Buffer): { format: PostFormat; charset: string } {
  if (header === undefined || header.trim() === "") {
    // Rescue documents no content type: sniff, as public receivers do.
    const first = body.subarray(0, 64).toString("latin1").trimStart();
    return { format: first.startsWith("<") ? "xml" : "form", charset: "utf-8" };
  }
  const [mediaPart = "", ...params] = header.split(";");
  const media = mediaPart.trim().toLowerCase();
  let charset = "utf-8";
  for (const param of params) {
    const [key = "", value = ""] = param.split("=", 2);
    if (key.trim().toLowerCase() === "charset") charset = value.trim().replace(/^"|"$/g, "").toLowerCase();
  }
  if (media === "application/xml" || media === "text/xml" || media.endsWith("+xml")) return { format: "xml", charset };
  if (media === "application/x-www-form-urlencoded") return { format: "form", charset };
  throw new PostRejected(415, "content type must be XML or application/x-www-form-urlencoded");
}

const SUPPORTED_CHARSETS = new Map<string, string>([
  ["utf-8", "utf-8"],
  ["utf8", "utf-8"],
  ["us-ascii", "utf-8"],
  ["ascii", "utf-8"],
  ["iso-8859-1", "windows-1252"],
  ["latin1", "windows-1252"],
  ["windows-1252", "windows-1252"],
]);

function decodeBody(body: Buffer, charset: string): string {
  const encoding = SUPPORTED_CHARSETS.get(charset);
  if (encoding === undefined) throw new PostRejected(415, "charset must be UTF-8");
  try {
    const text = new TextDecoder(encoding, { fatal: true }).decode(body);
    return text.startsWith("\uFEFF") ? text.slice(1) : text;
  } catch {
    throw new PostRejected(400, "body is not valid UTF-8");
  }
}

function readFormPairs(text: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [name, value] of new URLSearchParams(text)) pairs.push([name, value]);
  return pairs;
}

const xmlParser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  // Decodes numeric character references; named ones other than XML's five are refused first.
  htmlEntities: true,
  maxNestedTags: 20,
  isArray: () => false,
});

/** An `&` that does not start one of XML's five predefined entities or a character reference. */
const UNDEFINED_ENTITY = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});)/;
const DTD_PATTERN = /<!DOCTYPE|<!ENTITY|<!ELEMENT|<!ATTLIST/i;

function readXmlPairs(text: string): [string, string][] {
  if (DTD_PATTERN.test(text)) throw new PostRejected(400, "DTDs and entity declarations are not accepted");
  if (UNDEFINED_ENTITY.test(text)) throw new PostRejected(400, "undefined entity reference in the XML");
  const validation = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (validation !== true) throw new PostRejected(400, "body is not well-formed XML");
  let document: unknown;
  try {
    document = xmlParser.parse(text);
  } catch {
    throw new PostRejected(400, "body is not well-formed XML");
  }
  if (!isRecord(document)) throw new PostRejected(400, "XML has no root element");
  const roots = Object.keys(document).filter((key) => !key.startsWith("?") && key !== "#text");
  if (roots.length !== 1) throw new PostRejected(400, "XML must have exactly one root element");
  const root = document[roots[0] ?? ""];
  if (!isRecord(root)) throw new PostRejected(400, "no SessionID in the post");
  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries(root)) {
    if (name === "#text") continue;
    if (Array.isArray(value)) {
      if (BY_LOWER_NAME.has(name.toLowerCase())) throw new PostRejected(400, `element ${name} appears more than once`);
      continue;
    }
    const textValue = elementText(value);
    if (textValue === undefined) {
      if (BY_LOWER_NAME.has(name.toLowerCase())) throw new PostRejected(400, `element ${name} must contain text only`);
      continue;
    }
    pairs.push([name, textValue]);
  }
  return pairs;
}

function elementText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === null || value === undefined) return "";
  if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) return "";
    if (keys.length === 1 && keys[0] === "#text") return elementText(value["#text"]);
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
