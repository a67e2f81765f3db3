/**
 * The PIN dialog's state: one plain object that only `nextDialogState(state, event)` changes, one
 * named event per thing that happens (a copy, the Email button, Dynamics' answers). `page.ts`
 * draws the dialog from it and runs the copies and the email calls. No DOM, no Xrm here
 * (test/pages/pin/dialog-state.test.ts).
 */
import type { PinDialogData } from "../../pin/dialog-data";
import type { FormatArg } from "../../strings/translator";

/** A text: a RESX key with arguments (the page turns it into words). */
export interface DialogText {
  key: string;
  args: FormatArg[];
}

export interface EmailState {
  /** Why "Email to customer" is off (RESX key of the hint), or null when it is on. */
  unavailableKey: "Pin.EmailUnavailable" | "Pin.EmailNoCustomer" | null;
  /** Creating or opening the draft; the button does nothing meanwhile. */
  busy: boolean;
  /** The draft the first click created: later clicks open it again instead of creating another. */
  draftId: string | null;
}

export interface PinDialogState {
  /** What the Case command handed over; null when the query string holds no valid PIN for a Case. */
  data: PinDialogData | null;
  email: EmailState;
  /** The last thing said in the status live region (a new object each time, so it is said again). */
  status: DialogText | null;
  /** The error shown above the PIN: an invalid dialog, or why the email failed. */
  error: DialogText | null;
}

export type DialogEvent =
  | { type: "copied"; what: "pin" | "link"; ok: boolean }
  | { type: "emailRequested" }
  | { type: "emailDraftCreated"; id: string }
  | { type: "emailOpened" }
  | { type: "emailFailed"; detail: string };

function text(key: string, ...args: FormatArg[]): DialogText {
  return { key, args };
}

/**
 * The dialog as it opens. `hosted`: the Dynamics host (parent `Xrm`) is there, without which no
 * email can be created or opened.
 */
export function initialDialogState(data: PinDialogData | null, hosted: boolean): PinDialogState {
  const unavailableKey = !hosted ? "Pin.EmailUnavailable" : !data?.customer ? "Pin.EmailNoCustomer" : null;
  return { data, email: { unavailableKey, busy: false, draftId: null }, status: null, error: data ? null : text("Pin.Invalid") };
}

function withEmail(state: PinDialogState, change: Partial<EmailState>): PinDialogState {
  return { ...state, email: { ...state.email, ...change } };
}

/** The state after `event`; `state` itself when the event changes nothing. */
export function nextDialogState(state: PinDialogState, event: DialogEvent): PinDialogState {
  switch (event.type) {
    case "copied":
      return { ...state, status: event.ok ? text(event.what === "pin" ? "Pin.CopiedPin" : "Pin.CopiedLink") : text("Pin.CopyFailed") };
    case "emailRequested": {
      const { email } = state;
      if (email.busy || email.unavailableKey !== null || !state.data) return state;
      const next = withEmail(state, { busy: true });
      return email.draftId === null ? { ...next, status: text("Pin.EmailWorking") } : next;
    }
    case "emailDraftCreated":
      return { ...withEmail(state, { draftId: event.id }), status: text("Pin.EmailDone") };
    case "emailOpened":
      return withEmail(state, { busy: false });
    case "emailFailed":
      return { ...withEmail(state, { busy: false }), error: text("Pin.EmailFailed", event.detail) };
  }
}
