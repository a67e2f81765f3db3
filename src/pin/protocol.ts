/**
 * `POST <service URL>/api/pin` — the contract between the browser (`lmi_/scripts/pin.request.js`)
 * and the integration service's PIN broker (DESIGN.md §7). Runtime-neutral: the browser bundle and
 * the service both import it, so the two sides cannot drift apart.
 *
 * Request: `Content-Type: application/json`, body `{"requestId":"<lmi_pinrequestid>","nonce":"<lmi_nonce>"}`,
 * at most `PIN_REQUEST_MAX_BODY_BYTES`; no cookies, no credentials.
 *
 * Answer: `200 {"pin":"012345",…}` (`PinBrokerSuccess`), or any other status with
 * `{"error":"<WORD>",…}` (`PinBrokerFailure`). Every answer, success or refusal, carries the CORS
 * headers for the allowed Dynamics origin, so the agent's browser can read the word and show that
 * word's message (`Ribbon.Error.<WORD>` in the RESX strings).
 */
import * as Incident from "../model/incident";
import { GUID_PATTERN } from "../common/guid";
import { truncateText } from "../common/text";

export const PIN_API_PATH = "/api/pin";

/** The largest request body the broker reads; anything larger is `TOO_LARGE`. */
export const PIN_REQUEST_MAX_BODY_BYTES = 4096;

/** A PIN request row may be claimed only this long after its `createdon`. */
export const PIN_REQUEST_MAX_AGE_MS = 2 * 60_000;

/**
 * The service answers every call within this time, whatever Rescue does (each Rescue call gets
 * what is left of it, at most its own 20 s); the browser waits `PIN_BROKER_BROWSER_WAIT_MS`, a
 * little longer, so that a slow Rescue ends in the service's `RESCUE_TIMEOUT` (recorded on the PIN
 * request row) rather than in the browser giving up while the service carries on.
 */
export const PIN_BROKER_DEADLINE_MS = 25_000;
export const PIN_BROKER_BROWSER_WAIT_MS = PIN_BROKER_DEADLINE_MS + 5_000;

/** `lmi_nonce`: base64url of 32 random bytes (43 characters, no padding). */
export const PIN_NONCE_BYTES = 32;
export const PIN_NONCE_PATTERN = /^[A-Za-z0-9_-]{43,100}$/;

export interface PinBrokerRequest {
  /** `lmi_pinrequestid` of the row the browser just created (a GUID, lower case, no braces). */
  requestId: string;
  /** The row's `lmi_nonce`. */
  nonce: string;
}

/**
 * The service's own refusal words, with the HTTP status each is answered with. The browser shows
 * `Ribbon.Error.<WORD>`; the word is also written to `lmi_result` when the row could be claimed.
 */
export const PIN_BROKER_REFUSALS = {
  /** Body not JSON, or `requestId`/`nonce` missing or malformed. */
  BAD_REQUEST: 400,
  /** `Origin` is not the allowed Dynamics origin (answered without CORS headers). */
  ORIGIN_NOT_ALLOWED: 403,
  /** No such PIN request, or the nonce does not match (one answer for both). */
  UNKNOWN_REQUEST: 404,
  /** The PIN request was already used (not Requested any more, or another call claimed it first). */
  REQUEST_USED: 409,
  /** The PIN request is older than `PIN_REQUEST_MAX_AGE_MS`. */
  REQUEST_EXPIRED: 410,
  /** Body larger than `PIN_REQUEST_MAX_BODY_BYTES`. */
  TOO_LARGE: 413,
  /** Not `application/json`. */
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** The agent has no SSO id in their user settings and no primary email (`settingsId` names the row). */
  SSO_ID_MISSING: 422,
  /** The Case of the PIN request cannot be read by the service. */
  CASE_NOT_FOUND: 422,
  /** Too many calls from this address (rate limit). */
  RATE_LIMITED: 429,
  /** Unexpected failure inside the service (details in the service log). */
  INTERNAL: 500,
  /** Dataverse refused or failed a call the broker needs (details in the service log). */
  DATAVERSE_FAILED: 502,
  /** Rescue could not be reached (DNS, connection, TLS). */
  RESCUE_UNREACHABLE: 502,
  /** Rescue answered with an HTTP error status (`status` carries it). */
  RESCUE_HTTP: 502,
  /** No active LogMeIn configuration row. */
  NOT_CONFIGURED: 503,
  /** The configuration lacks something the broker needs (`field`: which one). */
  CONFIG_INCOMPLETE: 503,
  /** The configured Rescue endpoint's host is not in the service's `RESCUE_ALLOWED_HOSTS`. */
  ENDPOINT_NOT_ALLOWED: 503,
  /** Rescue did not answer within the service's timeout. */
  RESCUE_TIMEOUT: 504,
} as const;
export type PinBrokerRefusal = keyof typeof PIN_BROKER_REFUSALS;

/** HTTP status of an answer carrying a Rescue reply word (Rescue answered, and refused). */
export const RESCUE_WORD_STATUS = 422;

/** The configuration columns `CONFIG_INCOMPLETE` can name. */
export type PinBrokerConfigField = "endpoint" | "companyId" | "ssoPassword";

/** The Rescue calls a reply word can come from. */
export type PinBrokerRescueMethod = "requestAuthCodeSSO" | "requestPINCode" | "getAccount";

export interface PinBrokerSuccess {
  /** Six digits, zero-padded: a string. */
  pin: string;
  /** The Case's number as the service read it ("" when it has none). */
  caseNumber: string;
  /** The Case's customer, for the email draft (null when it is neither a contact nor an account). */
  customer: { entityType: "contact" | "account"; id: string } | null;
}

export interface PinBrokerFailure {
  /** A `PinBrokerRefusal`, or a Rescue reply word (upper case, `[A-Z0-9_]{1,40}`), or `RESCUE_EMPTY` for a reply with no word. */
  error: string;
  /**
   * With a Rescue reply word: the Rescue call that answered it (a `PinBrokerRescueMethod` when the
   * service writes it). Read as any identifier, for the console only: the browser bundles must
   * not carry the Rescue method names.
   */
  method?: string;
  /** With `INVALID`/`INVALIDSSOID` from `requestAuthCodeSSO` when the SSO id tried was the agent's primary email: that email. */
  emailAsSsoId?: string;
  /** With `CONFIG_INCOMPLETE`: the missing configuration column. */
  field?: PinBrokerConfigField;
  /** With `RESCUE_HTTP`: Rescue's HTTP status. */
  status?: number;
  /** With `SSO_ID_MISSING` (and whenever the service created or knows the agent's user settings row): its id, so the dialog can offer to open it. */
  settingsId?: string;
  /** With `RATE_LIMITED`: seconds to wait. */
  retryAfterSeconds?: number;
}

const WORD = /^[A-Z][A-Z0-9_]{0,39}$/;
const IDENTIFIER = /^\w{1,40}$/;
const PIN = /^\d{6}$/;
const CONFIG_FIELD = /^(endpoint|companyId|ssoPassword)$/;
const EMAIL = /^.{1,320}$/;

/** `value` when it is a string matching `pattern`. */
const matching = (value: unknown, pattern: RegExp): string | undefined => (typeof value === "string" && pattern.test(value) ? value : undefined);
/** `value` as a whole number ≥ 0 when it is a finite number. */
const count = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) ? Math.max(0, Math.round(value)) : undefined);
const fields = (body: unknown): Record<string, unknown> => (typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {});

/** Reads a parsed JSON answer as a success, or null when it is not one. */
export function readPinBrokerSuccess(body: unknown): PinBrokerSuccess | null {
  const { pin, caseNumber, customer } = fields(body);
  if (!matching(pin, PIN)) return null;
  const { entityType, id } = fields(customer);
  const customerId = matching(typeof id === "string" ? id.toLowerCase() : id, GUID_PATTERN);
  return {
    pin: pin as string,
    caseNumber: typeof caseNumber === "string" ? truncateText(caseNumber, Incident.maxLength.ticketNumber) : "",
    customer: (entityType === "contact" || entityType === "account") && customerId ? { entityType, id: customerId } : null,
  };
}

/** Reads a parsed JSON answer as a failure (each field checked; bad ones left out), or null when it carries no well-formed word. */
export function readPinBrokerFailure(body: unknown): PinBrokerFailure | null {
  const raw = fields(body);
  const error = matching(raw.error, WORD);
  if (!error) return null;
  const failure: PinBrokerFailure = {
    error,
    method: matching(raw.method, IDENTIFIER),
    emailAsSsoId: matching(raw.emailAsSsoId, EMAIL),
    field: matching(raw.field, CONFIG_FIELD) as PinBrokerConfigField | undefined,
    status: count(raw.status),
    settingsId: matching(typeof raw.settingsId === "string" ? raw.settingsId.toLowerCase() : undefined, GUID_PATTERN),
    retryAfterSeconds: count(raw.retryAfterSeconds),
  };
  for (const key of Object.keys(failure) as (keyof PinBrokerFailure)[]) if (failure[key] === undefined) delete failure[key];
  return failure;
}
