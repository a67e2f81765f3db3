/**
 * Parses a Rescue "Post to URL" body (XML or HTML form fields) into a `RescuePost`.
 *
 * Rescue documents neither the content type nor the charset of its posts (rescue-api.md §4),
 * so the body decides: XML when its first character (after a byte order mark and white space)
 * is `<`, form fields otherwise, whatever the `Content-Type` says. Only a JSON or multipart
 * label on a body that is not XML is refused (415): those are formats Rescue does not send.
 * The encoding: a byte order mark, or UTF-16 recognised from the bytes of `<`; otherwise the
 * XML declaration's `encoding`, then the `charset` parameter, then UTF-8 when the bytes are
 * valid UTF-8 and Windows-1252 when they are not. Bytes that are invalid in the chosen encoding
 * become U+FFFD: they never cost the post.
 *
 * XML uses the variable names in lower case as child elements of `<session>`, the form uses
 * them in CamelCase. Names are matched case-insensitively, `Note` is read as `Notes`, unknown
 * names are ignored, any XML root is accepted (post-xml.ts says what XML is accepted).
 *
 * A post is refused with a `PostRejected` carrying the HTTP status and a short reason only
 * when it cannot be read: a DTD, XML that is not well-formed, a variable given twice (which
 * value is meant?), no `SessionID` or one that is not 1–20 of `A–Z a–z 0–9 _ -` once white
 * space is trimmed from its ends (never rewritten into one that is).
 *
 * The query string carries no meaning: a post is the end of its session when, and only when,
 * it has a `ClosingTime`.
 */
import { isUtf8 } from "node:buffer";
import { createHash } from "node:crypto";
import { readXmlPairs, XmlRefused, type ElementInterest, type XmlPair } from "./post-xml";

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
  /** `end` when the post has a `ClosingTime`, else `start`. */
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
}

/** Parses and checks a post; throws `PostRejected` for anything that must not be accepted. */
export function parseRescuePost(raw: RawPost): RescuePost {
  const { format, sessionId, values } = readVariables(raw, everyValue);
  const fields: PostFields = {};
  for (const [variable, value] of values) fields[variable] = variable === "SessionID" ? sessionId : cleanText(value);
  const event: SessionEvent = (fields.ClosingTime ?? "").trim() !== "" ? "end" : "start";
  return { sessionId, event, format, fields, digest: postDigest(event, fields) };
}

/**
 * Checks a post exactly as `parseRescuePost` does and returns its session id, keeping no other
 * value in memory: what the receiver needs before it stores the body as received.
 */
export function acceptedSessionId(raw: RawPost): string {
  return readVariables(raw, sessionIdOnly).sessionId;
}

/** What to keep of a name: its value, only the fact that it was sent, or nothing. */
type Interest = (name: string) => ElementInterest;

const everyValue: Interest = (name) => (BY_LOWER_NAME.has(name.toLowerCase()) ? "value" : "ignore");
const sessionIdOnly: Interest = (name) => {
  const variable = BY_LOWER_NAME.get(name.toLowerCase());
  return variable === undefined ? "ignore" : variable === "SessionID" ? "value" : "name";
};

function readVariables(raw: RawPost, interest: Interest): { format: PostFormat; sessionId: string; values: Map<PostVariable, string> } {
  const { format, pairs } = readPairs(raw, interest);

  const values = new Map<PostVariable, string>();
  const seen = new Set<string>();
  for (const [name, value] of pairs) {
    const spelled = name.toLowerCase();
    const variable = BY_LOWER_NAME.get(spelled);
    if (variable === undefined) continue;
    if (seen.has(spelled)) throw new PostRejected(400, `variable ${variable} appears more than once`);
    seen.add(spelled);
    // `Notes` wins over `Note` when both are sent.
    if (variable === "Notes" && spelled === "note" && values.has("Notes")) continue;
    values.set(variable, value);
  }

  // Checked as sent: only white space at the ends is dropped, nothing inside is removed.
  const sessionId = (values.get("SessionID") ?? "").trim();
  if (sessionId === "") throw new PostRejected(400, "no SessionID in the post");
  if (!SESSION_ID_PATTERN.test(sessionId)) throw new PostRejected(400, "SessionID is not a plausible Rescue session id");
  return { format, sessionId, values };
}

/** Drops control characters Dataverse text cannot hold (keeps tab, CR, LF) and lone surrogates. */
function cleanText(value: string): string {
  return value
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, "")
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

function postDigest(event: SessionEvent, fields: PostFields): string {
  const hash = createHash("sha256");
  hash.update(event);
  for (const name of POST_VARIABLES) {
    const value = fields[name];
    if (value === undefined) continue;
    // Hashed in two parts: the same digest, without a copy of a long chat.
    hash.update(`\u0000${name}\u0000`);
    hash.update(value);
  }
  return hash.digest("hex");
}

/** Media types that name a format Rescue does not send: refused unless the body is XML. */
const FOREIGN_MEDIA = /^(?:application\/(?:[\w.+-]+\+)?json|multipart\/[\w.+-]+)$/;

/** The body's variables as sent, and whether it was XML or form fields. */
function readPairs(raw: RawPost, interest: Interest): { format: PostFormat; pairs: XmlPair[] } {
  const { mediaType, charset } = parseContentType(raw.contentType);
  const body = raw.body;
  const bom = byteOrderMark(body);
  const encoding = bom?.encoding ?? utf16WithoutMark(body);

  const start = bom?.length ?? 0;
  if (encoding === "utf-16le" || encoding === "utf-16be") {
    const head = new TextDecoder(encoding).decode(body.subarray(start, start + 256));
    if (head.trimStart().startsWith("<")) return { format: "xml", pairs: xmlPairs(decodeInPieces(body.subarray(start), encoding), interest) };
    if (FOREIGN_MEDIA.test(mediaType)) throw unsupportedMedia(mediaType);
    // A UTF-16 form is unheard of; read it through its UTF-8 bytes all the same.
    const text = new TextDecoder(encoding).decode(body.subarray(start));
    return { format: "form", pairs: readFormPairs(Buffer.from(text, "utf8"), 0, "utf-8", interest) };
  }

  if (firstNonSpaceByte(body, start) === LESS_THAN) {
    const chosen = encoding ?? asciiCompatible(xmlDeclaredEncoding(body, start)) ?? asciiCompatible(charset) ?? sniffedEncoding(body.subarray(start));
    return { format: "xml", pairs: xmlPairs(decodeInPieces(body.subarray(start), chosen), interest) };
  }
  if (FOREIGN_MEDIA.test(mediaType)) throw unsupportedMedia(mediaType);
  return { format: "form", pairs: readFormPairs(body, start, encoding ?? asciiCompatible(charset), interest) };
}

function unsupportedMedia(mediaType: string): PostRejected {
  return new PostRejected(415, `${mediaType} is not a Post to URL format: send XML or HTML form fields`);
}

function xmlPairs(pieces: Iterable<string>, interest: Interest): XmlPair[] {
  try {
    return readXmlPairs(pieces, interest);
  } catch (error) {
    if (error instanceof XmlRefused) throw new PostRejected(400, error.reason);
    throw error;
  }
}

function parseContentType(header: string | undefined): { mediaType: string; charset: string | undefined } {
  const [mediaPart = "", ...params] = (header ?? "").split(";");
  let charset: string | undefined;
  for (const param of params) {
    const equals = param.indexOf("=");
    if (equals < 0 || param.slice(0, equals).trim().toLowerCase() !== "charset") continue;
    charset = param.slice(equals + 1).trim().replace(/^"|"$/g, "");
  }
  return { mediaType: mediaPart.trim().toLowerCase(), charset };
}

const LESS_THAN = 0x3c;

function byteOrderMark(body: Buffer): { encoding: string; length: number } | null {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return { encoding: "utf-8", length: 3 };
  if (body[0] === 0xff && body[1] === 0xfe) return { encoding: "utf-16le", length: 2 };
  if (body[0] === 0xfe && body[1] === 0xff) return { encoding: "utf-16be", length: 2 };
  return null;
}

/** UTF-16 without a byte order mark, recognised by an ASCII character next to a zero byte. */
function utf16WithoutMark(body: Buffer): string | undefined {
  if (body.length < 2) return undefined;
  const [first = 0, second = 0] = body;
  if (first !== 0 && first < 0x80 && second === 0) return "utf-16le";
  if (first === 0 && second !== 0 && second < 0x80) return "utf-16be";
  return undefined;
}

function firstNonSpaceByte(body: Buffer, start: number): number | undefined {
  for (let i = start; i < body.length; i += 1) {
    const byte = body[i];
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return byte;
  }
  return undefined;
}

/** The `encoding` of an XML declaration at the start, read as ASCII. */
function xmlDeclaredEncoding(body: Buffer, start: number): string | undefined {
  const head = body.toString("latin1", start, Math.min(body.length, start + 256));
  return /^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z][\w.:-]*)["']/.exec(head)?.[1];
}

/**
 * The WHATWG name of a charset label for bytes that are not UTF-16 (a UTF-16 label on such
 * bytes is wrong, and so ignored), or undefined when the label is unknown.
 */
function asciiCompatible(label: string | undefined): string | undefined {
  if (label === undefined || label === "") return undefined;
  let encoding: string;
  try {
    encoding = new TextDecoder(label).encoding;
  } catch {
    return undefined;
  }
  return encoding.startsWith("utf-16") ? undefined : encoding;
}

/** UTF-8 when the bytes are valid UTF-8, otherwise Windows-1252 (which reads any byte). */
function sniffedEncoding(bytes: Uint8Array): string {
  return isUtf8(bytes) ? "utf-8" : "windows-1252";
}

const DECODE_PIECE_BYTES = 64 * 1024;

/** Decodes the body a piece at a time, so the whole text never exists as one string. */
function* decodeInPieces(bytes: Buffer, encoding: string): Generator<string> {
  const decoder = new TextDecoder(encoding);
  for (let start = 0; start < bytes.length; start += DECODE_PIECE_BYTES) {
    yield decoder.decode(bytes.subarray(start, start + DECODE_PIECE_BYTES), { stream: true });
  }
  yield decoder.decode();
}

/**
 * `application/x-www-form-urlencoded` pairs, read from the bytes: `+` is a space, `%XY` a byte
 * (a `%` not followed by two hex digits stays as it is), and the bytes of each name and value
 * are decoded with `charset` or, without one, as UTF-8 when valid and Windows-1252 when not.
 * Only the values `interest` asks for are decoded.
 */
function readFormPairs(body: Buffer, start: number, charset: string | undefined, interest: Interest): XmlPair[] {
  const pairs: XmlPair[] = [];
  for (let from = start; from < body.length; ) {
    let end = body.indexOf(0x26, from);
    if (end < 0) end = body.length;
    if (end > from) {
      let equals = body.indexOf(0x3d, from);
      if (equals < 0 || equals > end) equals = end;
      const name = decodeFormComponent(body, from, equals, charset);
      const wanted = interest(name);
      if (wanted !== "ignore") pairs.push([name, wanted === "value" ? decodeFormComponent(body, Math.min(equals + 1, end), end, charset) : ""]);
    }
    from = end + 1;
  }
  return pairs;
}

function decodeFormComponent(body: Buffer, from: number, to: number, charset: string | undefined): string {
  const bytes = Buffer.allocUnsafe(to - from);
  let length = 0;
  for (let i = from; i < to; i += 1) {
    const byte = body[i] ?? 0;
    if (byte === 0x2b) {
      bytes[length++] = 0x20;
    } else if (byte === 0x25 && i + 2 < to && isHex(body[i + 1]) && isHex(body[i + 2])) {
      bytes[length++] = hexValue(body[i + 1]) * 16 + hexValue(body[i + 2]);
      i += 2;
    } else {
      bytes[length++] = byte;
    }
  }
  const decoded = bytes.subarray(0, length);
  return new TextDecoder(charset ?? sniffedEncoding(decoded)).decode(decoded);
}

function isHex(byte: number | undefined): boolean {
  return byte !== undefined && ((byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66));
}

function hexValue(byte: number | undefined): number {
  const b = byte ?? 0x30;
  return b <= 0x39 ? b - 0x30 : (b | 0x20) - 0x61 + 10;
}
