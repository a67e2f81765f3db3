import { describe, expect, test } from "vitest";
import { Session, SessionStatus } from "../../src/model/schema";
import { parseRescuePost, type RescuePost } from "../../src/service/post-parser";
import {
  CHAT_TRUNCATED_MARKER,
  chatChunk,
  containsChunk,
  mapPostToSession,
  parseSeconds,
  parseUtcTimestamp,
} from "../../src/service/session-mapper";
import { caseIdFromTracking } from "../../src/service/session-writer";
import { formBody, fullPost } from "./support/harness";

const F = Session.fields;
const post = (values: Record<string, string>): RescuePost =>
  parseRescuePost({ body: Buffer.from(formBody(values)), contentType: "application/x-www-form-urlencoded" });

describe("session mapper", () => {
  test("every variable lands in its column", () => {
    const values = fullPost("555", { ChatLog: "hi", Notes: "fixed it", Tracking0: "t0", ClosingTime: "2024-03-05T10:00:00Z" });
    const { columns, problems } = mapPostToSession(post(values), null);
    expect(problems).toEqual([]);
    expect(columns).toEqual({
      [F.rescueSessionId]: "555",
      [F.name]: "555 – Terry Tech",
      [F.techId]: "1234567",
      [F.techSsoId]: "tech@contoso.com",
      [F.techName]: "Terry Tech",
      [F.techEmail]: "terry@contoso.com",
      [F.techDescr]: "Level 2 support",
      [F.cfield0]: "Carla Customer",
      [F.cfield1]: "carla@example.com",
      [F.cfield2]: "CAS-01234-ABCDEF",
      [F.cfield3]: "custom 3",
      [F.cfield4]: "custom 4",
      [F.cfield5]: "custom 5",
      [F.tracking0]: "t0",
      [F.chatLog]: "hi",
      [F.notes]: "fixed it",
      [F.waitingTime]: 42,
      [F.workTime]: 600,
      [F.pickupTime]: "2024-03-05T09:15:00Z",
      [F.closingTime]: "2024-03-05T10:00:00Z",
      [F.lastActionTime]: "2024-03-05T09:25:00Z",
      [F.transmitted]: 123456789,
      [F.platform]: "Windows 11",
      [F.tsurvey0]: "yes",
      [F.tsurvey1]: "no",
      [F.tsurvey2]: "3",
      [F.tsurvey3]: "4",
      [F.tsurvey4]: "5",
      [F.tsurvey5]: "six",
      [F.tsurvey6]: "seven",
      [F.tsurvey7]: "eight",
      [F.tsurvey8]: "nine",
      [F.tsurvey9]: "ten",
      [F.status]: SessionStatus.Closed,
    });
  });

  test("unparseable timings are left out and reported, never guessed", () => {
    const { columns, problems } = mapPostToSession(
      post({ SessionID: "1", WaitingTime: "soon", WorkTime: "99999999999", PickupTime: "13/25/2024 10:00", LastActionTime: "yesterday", Transmitted: "1e9" }),
      null,
    );
    for (const column of [F.waitingTime, F.workTime, F.pickupTime, F.lastActionTime, F.transmitted]) expect(columns).not.toHaveProperty(column);
    expect(problems.map((p) => `${p.variable}:${p.problem}`).sort()).toEqual([
      "LastActionTime:unparseable",
      "PickupTime:unparseable",
      "Transmitted:unparseable",
      "WaitingTime:unparseable",
      "WorkTime:out of range",
    ]);
  });

  test("timestamps: ISO with and without zone (UTC), offsets, .NET invariant form", () => {
    expect(parseUtcTimestamp("2024-03-05T09:15:00")).toBe("2024-03-05T09:15:00Z");
    expect(parseUtcTimestamp("2024-03-05 09:15")).toBe("2024-03-05T09:15:00Z");
    expect(parseUtcTimestamp("2024-03-05T09:15:00.1234567Z")).toBe("2024-03-05T09:15:00Z");
    expect(parseUtcTimestamp("2024-03-05T09:15:00+02:00")).toBe("2024-03-05T07:15:00Z");
    expect(parseUtcTimestamp("2024-03-05T23:15:00-0130")).toBe("2024-03-06T00:45:00Z");
    expect(parseUtcTimestamp("3/5/2024 9:15:07 PM")).toBe("2024-03-05T21:15:07Z");
    expect(parseUtcTimestamp("3/5/2024 12:00:00 AM")).toBe("2024-03-05T00:00:00Z");
    expect(parseUtcTimestamp("12/31/2024 23:59")).toBe("2024-12-31T23:59:00Z");
    expect(parseUtcTimestamp("2024-02-30 10:00:00")).toBeNull();
    expect(parseUtcTimestamp("31/12/2024 10:00")).toBeNull();
    expect(parseUtcTimestamp("1/1/0001 12:00:00 AM")).toBeNull();
    expect(parseUtcTimestamp("")).toBeNull();
    expect(parseSeconds("01:02:03")).toBe(3723);
    expect(parseSeconds("-5")).toBeNull();
  });

  test("chat is appended on a new line; a chunk already stored as whole lines is not appended again", () => {
    const first = mapPostToSession(post({ SessionID: "1", ChatLog: "\r\n10:00 a: hello\r\n" }), null);
    expect(first.columns[F.chatLog]).toBe("10:00 a: hello");
    const second = mapPostToSession(post({ SessionID: "1", ChatLog: "10:01 b: hi" }), { chatLog: "10:00 a: hello", status: SessionStatus.Active });
    expect(second.columns[F.chatLog]).toBe("10:00 a: hello\n10:01 b: hi");
    const replay = mapPostToSession(post({ SessionID: "1", ChatLog: "10:00 a: hello" }), { chatLog: "10:00 a: hello\n10:01 b: hi", status: SessionStatus.Active });
    expect(replay.chatAppended).toBe(false);
    expect(replay.chatAlreadyStored).toBe(true);
    expect(replay.columns).not.toHaveProperty(F.chatLog);
    expect(containsChunk("10:00 a: hello there", "10:00 a: hello")).toBe(false);
    expect(containsChunk("x\n10:00 a: hello\r\ny", "10:00 a: hello")).toBe(true);
  });

  test("chat matching agrees with a plain scan of every occurrence (seeded random texts)", () => {
    const naive = (stored: string, chunk: string): boolean => {
      for (let at = stored.indexOf(chunk); at >= 0; at = stored.indexOf(chunk, at + 1)) {
        const end = at + chunk.length;
        if ((at === 0 || stored[at - 1] === "\n") && (end === stored.length || stored[end] === "\n" || stored[end] === "\r")) return true;
      }
      return false;
    };
    let state = 0x2545f491;
    const random = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    const text = (length: number): string => Array.from({ length }, () => "ab\n\r"[random(4)]).join("");
    let found = 0;
    for (let round = 0; round < 5_000; round += 1) {
      const stored = text(random(40));
      const chunk = random(3) === 0 && stored.length > 0 ? stored.slice(random(stored.length), random(stored.length + 1)) : text(1 + random(6));
      if (chunk === "") continue;
      const expected = naive(stored, chunk);
      if (expected) found += 1;
      expect(containsChunk(stored, chunk), JSON.stringify({ stored, chunk })).toBe(expected);
    }
    expect(found).toBeGreaterThan(100);
  });

  test("hostile chat text costs linear time: long blank runs, repetitive logs", () => {
    const started = Date.now();
    expect(chatChunk(`a${" ".repeat(500_000)}b`)).toBe(`a${" ".repeat(500_000)}b`);
    expect(chatChunk(`\n\n  line  \r\n \t${" ".repeat(500_000)}`)).toBe("  line");
    expect(containsChunk("a".repeat(1_000_000), "a".repeat(300_000))).toBe(false);
    expect(containsChunk("ab\n".repeat(300_000), `${"ab\n".repeat(100_000)}a`)).toBe(false);
    expect(containsChunk(`${"ab\n".repeat(300_000)}x`, `${"ab\n".repeat(100_000)}x`)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  test("status moves forward only; empty values do not blank stored ones", () => {
    const hold = mapPostToSession(post({ SessionID: "1", Notes: "" }), { chatLog: "", status: SessionStatus.Closed });
    expect(hold.columns).not.toHaveProperty(F.status);
    expect(hold.columns).not.toHaveProperty(F.notes);
    const end = mapPostToSession(post({ SessionID: "1", ClosingTime: "2024-03-05T10:00:00Z" }), { chatLog: "", status: SessionStatus.Active });
    expect(end.columns[F.status]).toBe(SessionStatus.Closed);
    expect(end.columns).not.toHaveProperty(F.rescueSessionId);
  });

  test("text is truncated to the column without splitting a character; the chat keeps its newest part", () => {
    const long = mapPostToSession(post({ SessionID: "1", TechName: "x".repeat(300), CField0: "y".repeat(100) }), null);
    expect(long.columns[F.techName]).toHaveLength(Session.maxLength.techName);
    expect(long.columns[F.cfield0]).toHaveLength(Session.maxLength.cfield0);
    expect(String(long.columns[F.name]).length).toBeLessThanOrEqual(Session.maxLength.name);
    const stored = "a".repeat(Session.maxLength.chatLog - 10);
    const grown = mapPostToSession(post({ SessionID: "1", ChatLog: "newest line here" }), { chatLog: stored, status: null });
    const log = String(grown.columns[F.chatLog]);
    expect(log.length).toBeLessThanOrEqual(Session.maxLength.chatLog);
    expect(log.startsWith(CHAT_TRUNCATED_MARKER)).toBe(true);
    expect(log.endsWith("newest line here")).toBe(true);
  });

  test("a cut never splits a character: not a surrogate pair, not a combined character, at the end of a column or at the start of the kept chat", () => {
    const techName = `${"t".repeat(Session.maxLength.techName - 2)}👩‍💻`; // the ZWJ sequence starts 2 units before the limit
    const named = mapPostToSession(post({ SessionID: "1", TechName: techName, CField0: `${"c".repeat(Session.maxLength.cfield0 - 1)}e\u0301` }), null);
    expect(named.columns[F.techName]).toBe("t".repeat(Session.maxLength.techName - 2));
    expect(named.columns[F.cfield0]).toBe("c".repeat(Session.maxLength.cfield0 - 1));
    expect(named.problems).toEqual(expect.arrayContaining([{ variable: "TechName", problem: "truncated" }, { variable: "CField0", problem: "truncated" }]));
    // The newest part of a log that outgrew the column starts between two characters: here the
    // cut would fall between the two halves of a flag (4 code units), which is then dropped whole.
    const keep = Session.maxLength.chatLog - CHAT_TRUNCATED_MARKER.length;
    const flagAt = 100;
    const stored = `${"x".repeat(flagAt)}🇳🇱${"a".repeat(keep - 4)}`;
    const grown = String(mapPostToSession(post({ SessionID: "1", ChatLog: "b" }), { chatLog: stored, status: null }).columns[F.chatLog]);
    expect(stored.length + 2 - keep).toBe(flagAt + 2); // where a cut by length alone would start
    expect(grown).toBe(`${CHAT_TRUNCATED_MARKER}${"a".repeat(keep - 4)}\nb`);
  });

  test("Case id from Tracking0: GUID with or without braces, any case; anything else is not a Case id", () => {
    expect(caseIdFromTracking("{0F8FAD5B-D9CB-469F-A165-70867728950E}")).toBe("0f8fad5b-d9cb-469f-a165-70867728950e");
    expect(caseIdFromTracking(" 0f8fad5b-d9cb-469f-a165-70867728950e ")).toBe("0f8fad5b-d9cb-469f-a165-70867728950e");
    expect(caseIdFromTracking("CAS-01234")).toBeNull();
    expect(caseIdFromTracking("0f8fad5b-d9cb-469f-a165-70867728950")).toBeNull();
    expect(caseIdFromTracking(undefined)).toBeNull();
  });
});
