/**
 * The integration service's one retry policy: which failures are tried again, how long to wait,
 * and the `Retry-After` the service sends. Callers ask this module; none keeps a rule of its own.
 *
 * Delivering a post to Dataverse (delivery-worker.ts, dataverse-client.ts, session-writer.ts,
 * token-provider.ts):
 * - retried: network errors, timeouts, 408, 5xx, 429, a 401 that a fresh token did not cure,
 *   a failed sign-in (token endpoint), a row that kept changing for `CONCURRENCY_ROUNDS` rounds,
 *   and anything unexpected (a ledger error, a value thrown by a library): `isRetryable`;
 * - given up (the post becomes a dead letter): any other 4xx from Dataverse, a spooled record that
 *   cannot be read back, a stored post that no longer parses;
 * - the wait: exponential backoff, 1 s doubling to 5 min, ±20 % jitter (`backoffDelay`); a
 *   `Retry-After` from Dataverse makes the wait longer, never shorter (`retryDelay`), and is
 *   capped at 5 min (`MAX_RETRY_AFTER_MS`);
 * - 429 (service protection): every Dataverse call of the service waits out `Retry-After` (5 s
 *   when Dataverse names none), except the PIN broker's, which fail at once (a person waits);
 * - 401: one fresh token and one immediate retry (`FRESH_TOKEN_RETRIES`);
 * - 412 on the session upsert: read the row again, at most `CONCURRENCY_ROUNDS` rounds per try;
 * - the sign-in endpoint answering 429 or 5xx: a failed token request retried on the backoff
 *   above, never behind MSAL's own throttle (`signInAnswerFails`).
 *
 * The PIN broker (pin-broker/broker.ts), within `PIN_BROKER_DEADLINE_MS` of the request's arrival
 * (`PinDeadline`):
 * - each Rescue call gets what is left of the deadline, at most 20 s; once it is spent the answer
 *   is `RESCUE_TIMEOUT`;
 * - `POLLRATEEXCEEDED` (one PIN per second): one retry after 1.1 s, only when the wait still
 *   leaves a Rescue call `minRescueCallMs` before the deadline;
 * - `INVALID_SECRETAUTHCODE` / `NOTLOGGEDIN`: one retry, with a code stored meanwhile or one new
 *   code (`rescueRetryFor`);
 * - anything else from Rescue (a network failure, an HTTP error, a timeout, any other word) is
 *   answered as it is, never retried: a repeated `requestAuthCodeSSO` would replace the code the
 *   first one may already have issued;
 * - an empty technician id is looked up with `getAccount` at most once per `TECH_ID_RETRY_MS`.
 *
 * What the service sends:
 * - `POST /api/integration` answers `503` with `Retry-After: 30` when a post cannot be stored;
 * - `POST /api/pin` over its rate limit answers `429` with `Retry-After` and `retryAfterSeconds`:
 *   the seconds until the caller's window ends, at least 1 (`rateLimitRetryAfterSeconds`).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { PIN_BROKER_DEADLINE_MS } from "../pin/protocol";
import { DEFAULT_RESCUE_TIMEOUT_MS } from "../rescue/client";
import { DataverseError } from "./dataverse-client";
import { PostRejected } from "./post-parser";
import { SpoolRecordUnreadable } from "./spool";

// ---------------------------------------------------------------------------------------------
// Delivery to Dataverse

export interface BackoffOptions {
  /** First retry delay. */
  initialDelayMs: number;
  /** Upper bound of the exponential delay. */
  maxDelayMs: number;
  /** Random spread, 0–1, applied to computed delays (not to Retry-After). */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialDelayMs: 1_000, maxDelayMs: 5 * 60_000, jitter: 0.2 };

/** The longest wait a `Retry-After` from Dataverse can impose. */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

/** The wait after a 429 that names no `Retry-After`. */
export const DEFAULT_THROTTLE_MS = 5_000;

/** A 401 gets this many fresh tokens, each retried at once. */
export const FRESH_TOKEN_RETRIES = 1;

/** Reads of a session row that changed meanwhile (412) before the write counts as a failed try. */
export const CONCURRENCY_ROUNDS = 5;

/** The backoff before retry number `attempt` (1 for the first retry). */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const base = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  const spread = base * options.jitter;
  return Math.max(0, Math.round(base - spread + random() * 2 * spread));
}

/** The wait before retry number `attempt`: the backoff, or the server's `Retry-After` when that is longer (never shorter). */
export function retryDelay(attempt: number, retryAfterMs: number | undefined, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  return Math.max(backoffDelay(attempt, options, random), retryAfterMs ?? 0);
}

/**
 * `Retry-After` in milliseconds: delta seconds or an HTTP date (a past date is 0); undefined when
 * absent or unreadable. An HTTP date names its month, so text without letters ("-5") is not read
 * as one (`Date.parse` would take it for the year -5, and a 429 would then wait nothing).
 */
export function parseRetryAfter(header: string | undefined, now: number = Date.now()): number | undefined {
  if (header === undefined || header.trim() === "") return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = /[a-z]/i.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** How long every Dataverse call waits after a 429: its `Retry-After`, else 5 s, at most 5 min. */
export function throttleWaitMs(retryAfter: string | undefined, now: number = Date.now()): number {
  return Math.min(parseRetryAfter(retryAfter, now) ?? DEFAULT_THROTTLE_MS, MAX_RETRY_AFTER_MS);
}

/** A `Retry-After` sent with a 5xx or 408, capped; undefined when there is none. */
export function serverRetryAfterMs(retryAfter: string | undefined, now: number = Date.now()): number | undefined {
  const ms = parseRetryAfter(retryAfter, now);
  return ms === undefined ? undefined : Math.min(ms, MAX_RETRY_AFTER_MS);
}

/** What an HTTP status from Dataverse that the caller did not expect calls for. */
export type DataverseStatusVerdict = "fresh token" | "throttled" | "retry" | "refused";

/** 401 → a fresh token; 429 → wait out `Retry-After`; 408 and 5xx → retry later; any other 4xx → refused for good. */
export function dataverseStatusVerdict(status: number): DataverseStatusVerdict {
  if (status === 401) return "fresh token";
  if (status === 429) return "throttled";
  if (status === 408 || status >= 500) return "retry";
  return "refused";
}

/**
 * Whether a failed delivery is tried again. False only for what no retry can fix: Dataverse
 * refused the post for good, the spooled record cannot be read back, or the stored post no
 * longer parses (each becomes a dead letter). Everything else — including values that are not
 * Errors — is retried.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof DataverseError) return error.kind === "retryable";
  return !(error instanceof SpoolRecordUnreadable || error instanceof PostRejected);
}

/** The `Retry-After` a Dataverse failure carries (429, or a 5xx that named one). */
export function retryAfterOf(error: unknown): number | undefined {
  return error instanceof DataverseError ? error.details.retryAfterMs : undefined;
}

/**
 * Sign-in endpoint answers that fail the token request as a network failure, without
 * `Retry-After`: MSAL would otherwise answer every request from its throttle cache for 60 s or
 * more after one 429 or 5xx, stalling all deliveries, instead of retrying on the backoff above.
 */
export function signInAnswerFails(status: number): boolean {
  return status === 429 || status >= 500;
}

// ---------------------------------------------------------------------------------------------
// The PIN broker

/** The broker's time limits; production uses `PIN_BROKER_TIMINGS`, tests shorter ones. */
export interface PinBrokerTimings {
  /** Every call is answered this long after it arrived, whatever Rescue does. */
  deadlineMs: number;
  /** Kept at the end of the deadline for writing the outcome on the PIN request row. */
  outcomeReserveMs: number;
  /** One Rescue call at most. */
  rescueCallMs: number;
  /** Wait before the one retry after `POLLRATEEXCEEDED`. */
  pollRetryDelayMs: number;
  /** The `POLLRATEEXCEEDED` retry happens only when its wait leaves a Rescue call at least this long. */
  minRescueCallMs: number;
}

export const PIN_BROKER_TIMINGS: PinBrokerTimings = {
  deadlineMs: PIN_BROKER_DEADLINE_MS,
  outcomeReserveMs: 1_000,
  rescueCallMs: DEFAULT_RESCUE_TIMEOUT_MS,
  // Rescue allows one PIN per second: the retry waits a little longer.
  pollRetryDelayMs: 1_100,
  minRescueCallMs: 1_000,
};

/** How long an empty technician id is not looked up again after `getAccount` gave none. */
export const TECH_ID_RETRY_MS = 60 * 60_000;

/** Reply words that mean the auth code no longer logs the technician in. */
const AUTH_CODE_REFUSED = new Set(["INVALID_SECRETAUTHCODE", "NOTLOGGEDIN"]);

/** The retries one PIN request has used. */
export interface RescueRetriesUsed {
  authCode: boolean;
  pollRate: boolean;
}

/** What a reply word from `requestPINCode` calls for. */
export type RescueRetry = "new auth code" | "wait and retry" | "answer";

/** `INVALID_SECRETAUTHCODE`/`NOTLOGGEDIN` → another auth code, once; `POLLRATEEXCEEDED` → wait and retry, once, when it fits; else the word is the answer. */
export function rescueRetryFor(word: string, used: RescueRetriesUsed, deadline: PinDeadline): RescueRetry {
  if (AUTH_CODE_REFUSED.has(word) && !used.authCode) return "new auth code";
  if (word === "POLLRATEEXCEEDED" && !used.pollRate && deadline.pollRetryFits()) return "wait and retry";
  return "answer";
}

/** One PIN request's deadline, counted from its arrival. */
export class PinDeadline {
  private readonly endsAt: number;
  private readonly answerBy: number;

  constructor(
    readonly timings: PinBrokerTimings,
    start: number = Date.now(),
    private readonly now: () => number = Date.now,
  ) {
    this.answerBy = start + timings.deadlineMs;
    this.endsAt = this.answerBy - timings.outcomeReserveMs;
  }

  /** Time left for Rescue calls (0 when spent). */
  remainingMs(): number {
    return Math.max(0, this.endsAt - this.now());
  }

  /** The timeout of the next Rescue call: what is left, at most `rescueCallMs`; 0 when time is up. */
  rescueCallTimeoutMs(): number {
    return Math.min(this.timings.rescueCallMs, this.remainingMs());
  }

  /**
   * The timeout of a Dataverse call made while answering: what is left until the answer is due,
   * but at least the outcome's reserve (so the outcome can still be written on the row).
   */
  dataverseCallTimeoutMs(): number {
    return Math.ceil(Math.max(this.timings.outcomeReserveMs, this.answerBy - this.now()));
  }

  /** Whether the `POLLRATEEXCEEDED` wait still leaves a Rescue call `minRescueCallMs`. */
  pollRetryFits(): boolean {
    return this.remainingMs() - this.timings.pollRetryDelayMs >= this.timings.minRescueCallMs;
  }
}

/**
 * The deadline of the PIN request being answered, for every Dataverse call made while answering
 * it (reads, the claim, user settings, the configuration when its cache is cold, the outcome):
 * the transport asks `dataverseTimeoutNow()`, so the stores need not pass the deadline along.
 */
const pinDeadlineScope = new AsyncLocalStorage<PinDeadline>();

/** Runs `answer` with `deadline` as the current PIN request's deadline. */
export function withinPinDeadline<T>(deadline: PinDeadline, answer: () => Promise<T>): Promise<T> {
  return pinDeadlineScope.run(deadline, answer);
}

/** The timeout for a Dataverse call made now: from the current PIN request's deadline; undefined outside one (the transport's own 30 s). */
export function dataverseTimeoutNow(): number | undefined {
  return pinDeadlineScope.getStore()?.dataverseCallTimeoutMs();
}

// ---------------------------------------------------------------------------------------------
// What the service sends

/** Seconds Rescue (or an operator replaying a post) is asked to wait after a 503 from the receiver. */
export const RECEIVER_RETRY_AFTER_SECONDS = 30;

/** `Retry-After` of a rate-limited `POST /api/pin`: the seconds until the window ends, at least 1. */
export function rateLimitRetryAfterSeconds(windowRemainingMs: number): number {
  return Math.max(1, Math.ceil(windowRemainingMs / 1000));
}
