/**
 * Rescue's plain-text replies. Every method answers HTTP 200 with a status word, sometimes
 * followed by data: `OK PINCODE:012345`, `OK AUTHCODE: abc`, `OK AccountID:1 … TechID:42 …`,
 * `NOTTECHNICIAN`. Bodies are trimmed and parsed tolerantly (spaces after the colon occur, case
 * varies). Anything else is a failure carrying the reply word — letters, digits and underscores
 * only, never the rest of the body.
 */

/** The reply words the product explains (DESIGN.md §7, plus two that public code shows). */
export const RESCUE_WORDS = [
  "ERROR",
  "NOTLOGGEDIN",
  "NOTTECHNICIAN",
  "NOTECHCONSOLERUNNING",
  "OUTOFPINCODES",
  "POLLRATEEXCEEDED",
  "INVALID_SECRETAUTHCODE",
  "USER_IS_DELETED",
  "USER_DELETED_OR_DISABLED",
  "INVALID",
  "INVALIDPARAM_COMPANY",
  "INVALIDSSOID",
  "INVALIDPARAM_NODE",
] as const;

/** What each method's `OK` reply carries: the label before the colon and the value's shape. */
export const REPLY_VALUES = {
  requestPINCode: ["PINCODE", "\\d{6}"],
  requestAuthCodeSSO: ["AUTHCODE", "\\S+"],
  getAccount: ["TechID", "\\d+"],
} as const;

/** A failed reply: its word in upper case ("" when the body starts with no word, e.g. HTML). */
export interface RescueFailure {
  word: string;
}

/** The value of an `OK` reply (a string: a PIN's leading zeros matter), or the failure. */
export function parseReply(body: string, [label, shape]: readonly [string, string]): string | RescueFailure {
  const text = body.trim();
  const value = new RegExp(`^OK\\b.*?\\b${label}:\\s*(${shape})(?!\\S)`, "is").exec(text)?.[1];
  return value ?? { word: /^[a-z][\w]{0,39}(?=$|[\s:])/i.exec(text)?.[0].toUpperCase() ?? "" };
}
