/**
 * The service's retry policy on its own (src/service/retry-policy.ts): which failures are retried,
 * how long each wait is, the PIN broker's deadline, and the Retry-After the service sends.
 */
import { describe, expect, test } from "vitest";
import { PIN_BROKER_DEADLINE_MS } from "../../src/pin/protocol";
import { DataverseError } from "../../src/service/dataverse-client";
import { PostRejected } from "../../src/service/post-parser";
import {
  backoffDelay,
  dataverseStatusVerdict,
  DEFAULT_BACKOFF,
  isRetryable,
  parseRetryAfter,
  PIN_BROKER_TIMINGS,
  PinDeadline,
  rateLimitRetryAfterSeconds,
  rescueRetryFor,
  retryAfterOf,
  retryDelay,
  serverRetryAfterMs,
  signInAnswerFails,
  throttleWaitMs,
  type PinBrokerTimings,
} from "../../src/service/retry-policy";
import { SpoolRecordUnreadable } from "../../src/service/spool";

const middle = (): number => 0.5;

describe("backoff", () => {
  test("1 s doubling to 5 min", () => {
    expect([1, 2, 3, 4, 9, 10, 30].map((attempt) => backoffDelay(attempt, DEFAULT_BACKOFF, middle))).toEqual([1_000, 2_000, 4_000, 8_000, 256_000, 300_000, 300_000]);
  });

  test("±20 % jitter, never more", () => {
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0)).toBe(3_200);
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0.999_999)).toBe(4_800);
    for (let i = 0; i < 200; i += 1) {
      const delay = backoffDelay(2, DEFAULT_BACKOFF);
      expect(delay).toBeGreaterThanOrEqual(1_600);
      expect(delay).toBeLessThanOrEqual(2_400);
    }
  });

  test("a Retry-After longer than the backoff is waited out; a shorter one, 0 or none never shortens it", () => {
    expect(retryDelay(1, 120_000, DEFAULT_BACKOFF, middle)).toBe(120_000);
    for (const retryAfter of [0, 500, undefined]) expect(retryDelay(1, retryAfter, DEFAULT_BACKOFF, middle)).toBe(1_000);
    expect(retryDelay(4, 5_000, DEFAULT_BACKOFF, middle)).toBe(8_000);
  });
});

describe("Retry-After from Dataverse", () => {
  const now = Date.parse("2024-03-05T10:00:00Z");

  test.each([
    ["120", 120_000],
    [" 1.5 ", 1_500],
    ["0", 0],
    ["Tue, 05 Mar 2024 10:00:30 GMT", 30_000],
    ["Tue, 05 Mar 2024 09:59:00 GMT", 0],
    ["", undefined],
    [undefined, undefined],
    ["soon", undefined],
    ["-5", undefined],
  ])("parseRetryAfter(%j) = %j ms", (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });

  test("429: its Retry-After, 5 s when it names none, at most 5 min", () => {
    expect(throttleWaitMs("7", now)).toBe(7_000);
    expect(throttleWaitMs(undefined, now)).toBe(5_000);
    expect(throttleWaitMs("garbage", now)).toBe(5_000);
    expect(throttleWaitMs("-5", now)).toBe(5_000);
    expect(throttleWaitMs("86400", now)).toBe(300_000);
  });

  test("5xx: a Retry-After only when sent, at most 5 min", () => {
    expect(serverRetryAfterMs(undefined, now)).toBeUndefined();
    expect(serverRetryAfterMs("30", now)).toBe(30_000);
    expect(serverRetryAfterMs("3600", now)).toBe(300_000);
  });
});

describe("which failures are retried", () => {
  test.each([
    [400, "refused"],
    [401, "fresh token"],
    [403, "refused"],
    [404, "refused"],
    [408, "retry"],
    [409, "refused"],
    [412, "refused"],
    [413, "refused"],
    [429, "throttled"],
    [500, "retry"],
    [502, "retry"],
    [503, "retry"],
    [504, "retry"],
  ] as const)("Dataverse answering %i (not expected by the caller): %s", (status, verdict) => {
    expect(dataverseStatusVerdict(status)).toBe(verdict);
  });

  test("a delivery is given up only when Dataverse refused for good, the record is unreadable or the post no longer parses", () => {
    const retried: unknown[] = [
      new DataverseError("Dataverse unreachable", "retryable"),
      new DataverseError("throttled", "retryable", { status: 429, retryAfterMs: 9_000 }),
      new Error("ledger: EIO"),
      undefined,
      null,
      "socket hang up",
    ];
    const givenUp: unknown[] = [
      new DataverseError("refused", "permanent", { status: 400 }),
      new SpoolRecordUnreadable("segment gone"),
      new PostRejected(400, "broken XML"),
    ];
    expect(retried.map(isRetryable)).toEqual(retried.map(() => true));
    expect(givenUp.map(isRetryable)).toEqual(givenUp.map(() => false));
    expect(retryAfterOf(retried[1])).toBe(9_000);
    expect(retryAfterOf(retried[2])).toBeUndefined();
  });

  test("the sign-in endpoint's 429 and 5xx fail the token request (retried on the backoff, not MSAL's throttle); other answers are MSAL's", () => {
    expect([200, 400, 401, 403, 429, 500, 503].map(signInAnswerFails)).toEqual([false, false, false, false, true, true, true]);
  });
});

describe("the PIN broker's deadline", () => {
  const timings: PinBrokerTimings = { deadlineMs: 25_000, outcomeReserveMs: 1_000, rescueCallMs: 20_000, pollRetryDelayMs: 1_100, minRescueCallMs: 1_000 };

  test("production values: 25 s in all (the protocol's), each Rescue call at most 20 s, the poll retry after 1.1 s", () => {
    expect(PIN_BROKER_TIMINGS).toEqual(timings);
    expect(PIN_BROKER_TIMINGS.deadlineMs).toBe(PIN_BROKER_DEADLINE_MS);
  });

  test("each Rescue call gets what is left (the outcome's reserve kept), at most 20 s; nothing once it is spent", () => {
    let now = 1_000_000;
    const deadline = new PinDeadline(timings, now, () => now);
    expect(deadline.rescueCallTimeoutMs()).toBe(20_000);
    now += 15_000; // a slow auth code
    expect(deadline.rescueCallTimeoutMs()).toBe(9_000);
    now += 9_000;
    expect(deadline.rescueCallTimeoutMs()).toBe(0);
    now += 5_000;
    expect(deadline.remainingMs()).toBe(0);
  });

  test("the POLLRATEEXCEEDED retry only when its wait leaves a Rescue call at least a second", () => {
    let now = 0;
    const deadline = new PinDeadline(timings, now, () => now);
    now = 24_000 - 2_100;
    expect(deadline.pollRetryFits()).toBe(true);
    expect(rescueRetryFor("POLLRATEEXCEEDED", { authCode: false, pollRate: false }, deadline)).toBe("wait and retry");
    now += 1;
    expect(deadline.pollRetryFits()).toBe(false);
    expect(rescueRetryFor("POLLRATEEXCEEDED", { authCode: false, pollRate: false }, deadline)).toBe("answer");
  });

  test("a refused auth code: another code once; the poll rate: one retry; every other word is the answer", () => {
    const deadline = new PinDeadline(timings);
    const fresh = { authCode: false, pollRate: false };
    for (const word of ["INVALID_SECRETAUTHCODE", "NOTLOGGEDIN"]) {
      expect(rescueRetryFor(word, fresh, deadline)).toBe("new auth code");
      expect(rescueRetryFor(word, { ...fresh, authCode: true }, deadline)).toBe("answer");
    }
    expect(rescueRetryFor("POLLRATEEXCEEDED", { ...fresh, pollRate: true }, deadline)).toBe("answer");
    for (const word of ["NOTECHCONSOLERUNNING", "OUTOFPINCODES", "ERROR", "INVALID", ""]) expect(rescueRetryFor(word, fresh, deadline)).toBe("answer");
  });
});

describe("the Retry-After the service sends", () => {
  test("rate-limited /api/pin: the seconds until the window ends, at least 1", () => {
    expect([0, 1, 999, 1_000, 1_001, 59_001, 60_000].map(rateLimitRetryAfterSeconds)).toEqual([1, 1, 1, 1, 2, 60, 60]);
  });
});
