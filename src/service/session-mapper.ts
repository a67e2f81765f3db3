/**
 * Maps a Rescue post onto the columns of `lmi_session` (DESIGN.md §5), given what is stored.
 *
 * - Text is cut to the column length (src/model/session.ts) without splitting a character, with
 *   the product's one rule (src/common/text.ts), and reported.
 * - Timings: seconds as whole numbers, date-times as UTC ISO strings; a value that does not
 *   parse is left out and reported in `problems`, never guessed.
 * - `ChatLog` carries only the chat since the previous post, so it is appended to the stored
 *   log; a chunk that is already stored as a whole (an identical replay, or a retry after a
 *   write whose answer was lost) is not appended again.
 * - `lmi_status` only moves forward: Active → Closed, never back.
 * - Empty values never blank what is stored.
 */
import * as Session from "../model/session";
import * as SessionFields from "../model/session-fields";
import { keepTextEnd, truncateText } from "../common/text";
import type { PostFields, PostVariable, RescuePost } from "./post-parser";

/** What is stored for the session, as read before the write. */
export interface StoredSession {
  readonly chatLog: string;
  readonly status: number | null;
}

export interface SessionWrite {
  /** Column values for the PATCH body (without the Case link). */
  readonly columns: Record<string, string | number>;
  /** True when the post's chat was added to the stored log. */
  readonly chatAppended: boolean;
  /** True when the post's chat chunk was found already stored as a whole. */
  readonly chatAlreadyStored: boolean;
  /** Values that were left out or shortened, by variable (never the value itself). */
  readonly problems: readonly MappingProblem[];
}

export interface MappingProblem {
  readonly variable: PostVariable;
  readonly problem: "unparseable" | "out of range" | "truncated";
  /** The raw text for timing values (short, no chat or notes), to help an operator. */
  readonly raw?: string;
}

const F = SessionFields;
const L = Session.maxLength;
const { SessionStatus } = Session;

const TEXT_COLUMNS: readonly [PostVariable, string, number][] = [
  ["TechID", F.techId, L.techId],
  ["TechSSOID", F.techSsoId, L.techSsoId],
  ["TechName", F.techName, L.techName],
  ["TechEmail", F.techEmail, L.techEmail],
  ["TechDescr", F.techDescr, L.techDescr],
  ["CField0", F.cfield0, L.cfield0],
  ["CField1", F.cfield1, L.cfield1],
  ["CField2", F.cfield2, L.cfield2],
  ["CField3", F.cfield3, L.cfield3],
  ["CField4", F.cfield4, L.cfield4],
  ["CField5", F.cfield5, L.cfield5],
  ["Tracking0", F.tracking0, L.tracking0],
  ["Notes", F.notes, L.notes],
  ["Platform", F.platform, L.platform],
  ["TSurvey0", F.tsurvey0, L.tsurvey0],
  ["TSurvey1", F.tsurvey1, L.tsurvey1],
  ["TSurvey2", F.tsurvey2, L.tsurvey2],
  ["TSurvey3", F.tsurvey3, L.tsurvey3],
  ["TSurvey4", F.tsurvey4, L.tsurvey4],
  ["TSurvey5", F.tsurvey5, L.tsurvey5],
  ["TSurvey6", F.tsurvey6, L.tsurvey6],
  ["TSurvey7", F.tsurvey7, L.tsurvey7],
  ["TSurvey8", F.tsurvey8, L.tsurvey8],
  ["TSurvey9", F.tsurvey9, L.tsurvey9],
];

const SECONDS_COLUMNS: readonly [PostVariable, string, number][] = [
  ["WaitingTime", F.waitingTime, Session.maxValue.waitingTime],
  ["WorkTime", F.workTime, Session.maxValue.workTime],
];

const DATE_COLUMNS: readonly [PostVariable, string][] = [
  ["PickupTime", F.pickupTime],
  ["ClosingTime", F.closingTime],
  ["LastActionTime", F.lastActionTime],
];

/** Marker put in front of a chat log that had to be cut to fit the column. */
export const CHAT_TRUNCATED_MARKER = "[earlier chat removed: the log exceeded the column size]\n";

/** Builds the column values for one post. `stored` is null when the row does not exist yet. */
export function mapPostToSession(post: RescuePost, stored: StoredSession | null): SessionWrite {
  const fields: PostFields = post.fields;
  const columns: Record<string, string | number> = {};
  const problems: MappingProblem[] = [];

  if (stored === null) columns[F.rescueSessionId] = post.sessionId;
  const techName = (fields.TechName ?? "").trim();
  columns[F.name] = truncateText(techName === "" ? post.sessionId : `${post.sessionId} – ${techName}`, L.name);

  for (const [variable, column, max] of TEXT_COLUMNS) {
    const value = fields[variable];
    if (value === undefined || value.trim() === "") continue;
    const text = variable === "Notes" ? value : value.trim();
    const cut = truncateText(text, max);
    if (cut.length !== text.length) problems.push({ variable, problem: "truncated" });
    columns[column] = cut;
  }

  for (const [variable, column, max] of SECONDS_COLUMNS) {
    const value = (fields[variable] ?? "").trim();
    if (value === "") continue;
    const seconds = parseSeconds(value);
    if (seconds === null) problems.push({ variable, problem: "unparseable", raw: value.slice(0, 40) });
    else if (seconds > max) problems.push({ variable, problem: "out of range", raw: value.slice(0, 40) });
    else columns[column] = seconds;
  }

  const transmitted = (fields.Transmitted ?? "").trim();
  if (transmitted !== "") {
    if (!/^\d{1,16}$/.test(transmitted)) problems.push({ variable: "Transmitted", problem: "unparseable", raw: transmitted.slice(0, 40) });
    else if (Number(transmitted) > Session.maxValue.transmitted) problems.push({ variable: "Transmitted", problem: "out of range", raw: transmitted });
    else columns[F.transmitted] = Number(transmitted);
  }

  for (const [variable, column] of DATE_COLUMNS) {
    const value = (fields[variable] ?? "").trim();
    if (value === "") continue;
    const iso = parseUtcTimestamp(value);
    if (iso === null) problems.push({ variable, problem: "unparseable", raw: value.slice(0, 40) });
    else columns[column] = iso;
  }

  const status: Session.SessionStatusValue =
    post.event === "end" || stored?.status === SessionStatus.Closed ? SessionStatus.Closed : SessionStatus.Active;
  if (stored?.status !== status) columns[F.status] = status;

  const chunk = chatChunk(fields.ChatLog);
  const storedLog = stored?.chatLog ?? "";
  let chatAppended = false;
  let chatAlreadyStored = false;
  if (chunk !== "") {
    if (containsChunk(storedLog, chunk)) {
      chatAlreadyStored = true;
    } else {
      const merged = appendChunk(storedLog, chunk);
      if (merged.length > L.chatLog) problems.push({ variable: "ChatLog", problem: "truncated" });
      columns[F.chatLog] = fitChatLog(merged, L.chatLog);
      chatAppended = true;
    }
  }

  return { columns, chatAppended, chatAlreadyStored, problems };
}

/** The post's chat without leading/trailing blank lines; "" when there is none. */
export function chatChunk(chatLog: string | undefined): string {
  if (chatLog === undefined) return "";
  // trimEnd() removes exactly what /\s+$/ would, in linear time (that regex backtracks
  // quadratically over a long run of blanks followed by text).
  return chatLog.replace(/^(?:[ \t]*\r?\n)+/, "").trimEnd();
}

/** Appends a chunk on a new line. */
export function appendChunk(stored: string, chunk: string): string {
  if (stored === "") return chunk;
  return stored.endsWith("\n") ? `${stored}${chunk}` : `${stored}\n${chunk}`;
}

/**
 * True when `chunk` is stored as whole lines (starts at a line start, ends at a line end).
 *
 * Linear in the stored length whatever the text: one native `includes` settles the usual case
 * (not stored at all); otherwise every occurrence is visited with Knuth–Morris–Pratt, because
 * restarting `indexOf` after each occurrence is quadratic on repetitive text.
 */
export function containsChunk(stored: string, chunk: string): boolean {
  if (chunk === "") return true;
  if (!stored.includes(chunk)) return false;
  const m = chunk.length;
  const border = new Int32Array(m);
  for (let i = 1, k = 0; i < m; i += 1) {
    while (k > 0 && chunk.charCodeAt(i) !== chunk.charCodeAt(k)) k = border[k - 1] ?? 0;
    if (chunk.charCodeAt(i) === chunk.charCodeAt(k)) k += 1;
    border[i] = k;
  }
  for (let i = 0, k = 0; i < stored.length; i += 1) {
    const code = stored.charCodeAt(i);
    while (k > 0 && code !== chunk.charCodeAt(k)) k = border[k - 1] ?? 0;
    if (code === chunk.charCodeAt(k)) k += 1;
    if (k === m) {
      const at = i + 1 - m;
      const end = i + 1;
      const startsLine = at === 0 || stored[at - 1] === "\n";
      const endsLine = end === stored.length || stored[end] === "\n" || stored[end] === "\r";
      if (startsLine && endsLine) return true;
      k = border[k - 1] ?? 0;
    }
  }
  return false;
}

/** Keeps the most recent chat when the log outgrows the column, marking the cut (which falls between two characters). */
function fitChatLog(log: string, max: number): string {
  if (log.length <= max) return log;
  return `${CHAT_TRUNCATED_MARKER}${keepTextEnd(log, max - CHAT_TRUNCATED_MARKER.length)}`;
}

/** Seconds from "123" or "hh:mm:ss"; null when the text is neither. */
export function parseSeconds(text: string): number | null {
  if (/^\d{1,12}$/.test(text)) return Number(text);
  const clock = /^(\d{1,6}):([0-5]\d):([0-5]\d)$/.exec(text);
  if (clock) return Number(clock[1]) * 3600 + Number(clock[2]) * 60 + Number(clock[3]);
  return null;
}

const ISO_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,7}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const SLASH_TIMESTAMP = /^(\d{1,2})\/(\d{1,2})\/(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AP]\.?M\.?)?$/i;

/**
 * A Rescue timestamp as `YYYY-MM-DDTHH:MM:SSZ`, or null when it does not parse.
 *
 * Accepted: ISO 8601 (`T` or space, optional fraction, `Z` or ±hh:mm; no zone means UTC) and
 * the .NET invariant form `M/D/YYYY h:mm[:ss] [AM|PM]` (UTC). Anything else, including a
 * slash date whose month would be over 12, is refused rather than guessed.
 */
export function parseUtcTimestamp(text: string): string | null {
  const iso = ISO_TIMESTAMP.exec(text);
  if (iso) {
    const [, y, mo, d, h, mi, s, , zone] = iso;
    let offsetMinutes = 0;
    if (zone !== undefined && zone.toUpperCase() !== "Z") {
      const sign = zone.startsWith("-") ? -1 : 1;
      const digits = zone.slice(1).replace(":", "");
      const oh = Number(digits.slice(0, 2));
      const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
      if (oh > 14 || om > 59) return null;
      offsetMinutes = sign * (oh * 60 + om);
    }
    return buildUtc(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s ?? "0"), offsetMinutes);
  }
  const slash = SLASH_TIMESTAMP.exec(text);
  if (slash) {
    const [, mo, d, y, hText, mi, s, meridiem] = slash;
    let h = Number(hText);
    if (meridiem !== undefined) {
      if (h < 1 || h > 12) return null;
      const pm = meridiem.toUpperCase().startsWith("P");
      h = (h % 12) + (pm ? 12 : 0);
    }
    return buildUtc(Number(y), Number(mo), Number(d), h, Number(mi), Number(s ?? "0"), 0);
  }
  return null;
}

function buildUtc(y: number, mo: number, d: number, h: number, mi: number, s: number, offsetMinutes: number): string | null {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  const local = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(local);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  const utc = new Date(local - offsetMinutes * 60_000);
  const year = utc.getUTCFullYear();
  if (year < 1753 || year > 9999) return null;
  return utc.toISOString().replace(/\.\d{3}Z$/, "Z");
}
