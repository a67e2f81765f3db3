/**
 * How a PIN request fails: every failure is a `PinError` naming the RESX message that tells the
 * agent what to do (`Ribbon.Error.<key>`, in the user's language); its `message` is the technical
 * detail for the console. The integration service answers a failure with a word (`{"error":"WORD"}`,
 * src/pin/protocol.ts): its own refusal words and Rescue's reply words both map to
 * `Ribbon.Error.<WORD>`; a word without a message of its own is shown as an unknown Rescue answer.
 */
import { WebApiError } from "../dataverse/client";
import { describeError } from "../errors";
import type { FormatArg, Translator } from "../strings/translator";
import type { PinBrokerFailure } from "./protocol";

export class PinError extends Error {
  /** RESX key of the agent's message. */
  declare readonly key: string;
  declare readonly args: FormatArg[];
  /** The agent's user settings row, offered to open (the fix is there). */
  declare readonly settingsId?: string;

  constructor(key: string, detail = key, args: FormatArg[] = [], settingsId?: string) {
    super(detail);
    this.key = "Ribbon.Error." + key;
    this.args = args;
    this.settingsId = settingsId;
  }
}

/** The reply words that mean Rescue does not know the SSO id (not the company id or the password). */
const SSO_ID_REJECTED = ["INVALID", "INVALIDSSOID"];

/** What the page knows that some messages name. */
export interface FailureContext {
  /** This page's origin: what the service's `ALLOWED_ORIGIN` must be. */
  origin: string;
}

/** The service's answer as the technical detail for the console (it carries no secret). */
const failureDetail = (failure: PinBrokerFailure, status: number): string => `the integration service answered HTTP ${status} ${JSON.stringify(failure)}`;

/** The integration service's failure answer → the message for its word. */
export function brokerFailureError(t: Translator, failure: PinBrokerFailure, status: number, context: FailureContext): PinError {
  const word = failure.error;
  const detail = failureDetail(failure, status);
  if (failure.emailAsSsoId && SSO_ID_REJECTED.includes(word)) return new PinError("INVALID.Email", detail, [failure.emailAsSsoId]);
  switch (word) {
    case "CONFIG_INCOMPLETE":
      return new PinError(word, detail, [t(`Ribbon.Field.${failure.field ?? "setting"}`)]);
    case "RATE_LIMITED":
      return new PinError(word, detail, [failure.retryAfterSeconds ?? 60]);
    case "RESCUE_HTTP":
      return new PinError(word, detail, [failure.status ?? "?"]);
    case "ORIGIN_NOT_ALLOWED":
      return new PinError(word, detail, [context.origin]);
    case "SSO_ID_MISSING":
      return new PinError(word, detail, [], failure.settingsId);
  }
  const key = "Ribbon.Error." + word;
  return t(key) !== key ? new PinError(word, detail) : new PinError("rescueUnknown", detail, [word]);
}

/** Anything caught → a PinError (unknown errors become "unexpected"). */
export function toPinError(error: unknown): PinError {
  if (error instanceof PinError) return error;
  return new PinError(error instanceof WebApiError ? "dataverse" : "unexpected", describeError(error));
}
