/**
 * How a PIN request fails: every failure is a `PinError` naming the RESX message that tells the
 * agent what to do (`Ribbon.Error.<key>`, in the user's language); its `message` is the technical
 * detail for the console. A Rescue reply word maps to `Ribbon.Error.<WORD>`; a word without a
 * message of its own is shown as an unknown answer.
 */
import { DataverseError } from "../dataverse/client";
import { describeError } from "../errors";
import { RescueTransportError } from "../rescue/client";
import type { FormatArg, Translator } from "../strings/translator";

export class PinError extends Error {
  /** RESX key of the agent's message. */
  declare readonly key: string;
  declare readonly args: FormatArg[];
  /** The user settings row to offer opening (the row was just created). */
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

/** A Rescue reply word as a PinError; `emailAsSsoId`: the SSO id tried was the user's email. */
export function rescueError(t: Translator, method: string, word: string, emailAsSsoId?: string): PinError {
  const detail = `Rescue ${method}: ${word || "?"}`;
  if (emailAsSsoId && SSO_ID_REJECTED.includes(word)) return new PinError("INVALID.Email", detail, [emailAsSsoId]);
  const key = "Ribbon.Error." + word;
  return word && t(key) !== key ? new PinError(word, detail) : new PinError("rescueUnknown", detail, [word || "?"]);
}

/** Anything caught → a PinError (unknown errors become "unexpected"). */
export function toPinError(error: unknown): PinError {
  if (error instanceof PinError) return error;
  if (error instanceof RescueTransportError) return new PinError(error.kind, error.message, [error.value]);
  return new PinError(error instanceof DataverseError ? "dataverse" : "unexpected", describeError(error));
}
