/**
 * The PIN dialog's state transitions (src/pages/pin/dialog-state.ts), without a browser: Copy PIN,
 * Copy link, and "Email to customer" from the first click to an opened or failed draft.
 * test/pages/pin/dialog.browser.test.ts shows the same dialog in Chromium.
 */
import { describe, expect, it } from "vitest";
import { initialDialogState, nextDialogState, type DialogEvent, type PinDialogState } from "../../../src/pages/pin/dialog-state";
import { PIN_DIALOG_DATA } from "./support/pin-dialog-data";

const DATA = PIN_DIALOG_DATA;
const EMAIL_ID = "0d5c4b3a-2918-4776-8655-443322110099";

/** The state after each event in turn; every state is frozen, so a transition must not change its input. */
function after(state: PinDialogState, ...events: DialogEvent[]): PinDialogState {
  return events.reduce((current, event) => nextDialogState(Object.freeze({ ...current, email: Object.freeze({ ...current.email }) }), event), state);
}

const REQUEST: DialogEvent = { type: "emailRequested" };

describe("the dialog as it opens", () => {
  it("with a PIN, the Dynamics host and a customer: everything on, nothing said yet", () => {
    expect(initialDialogState(DATA, true)).toEqual({ data: DATA, email: { unavailableKey: null, busy: false, draftId: null }, status: null, error: null });
  });

  it("says why Email is off: no Dynamics host, or no customer on the Case", () => {
    expect(initialDialogState(DATA, false).email.unavailableKey).toBe("Pin.EmailUnavailable");
    expect(initialDialogState({ ...DATA, customer: null }, true).email.unavailableKey).toBe("Pin.EmailNoCustomer");
  });

  it("without a valid PIN: says what to do", () => {
    expect(initialDialogState(null, true).error).toEqual({ key: "Pin.Invalid", args: [] });
  });
});

describe("Copy PIN and Copy link", () => {
  it("says what was copied, or that nothing could be", () => {
    const opened = initialDialogState(DATA, true);
    expect(after(opened, { type: "copied", what: "pin", ok: true }).status).toEqual({ key: "Pin.CopiedPin", args: [] });
    expect(after(opened, { type: "copied", what: "link", ok: true }).status).toEqual({ key: "Pin.CopiedLink", args: [] });
    expect(after(opened, { type: "copied", what: "link", ok: false }).status).toEqual({ key: "Pin.CopyFailed", args: [] });
  });

  it("a second copy is said again (a new status, not the same one)", () => {
    const once = after(initialDialogState(DATA, true), { type: "copied", what: "pin", ok: true });
    const twice = after(once, { type: "copied", what: "pin", ok: true });
    expect(twice.status).toEqual(once.status);
    expect(twice.status).not.toBe(once.status);
  });
});

describe("Email to customer", () => {
  it("the first click creates the draft (saying so) and opens it; the button waits meanwhile", () => {
    const working = after(initialDialogState(DATA, true), REQUEST);
    expect(working.email).toEqual({ unavailableKey: null, busy: true, draftId: null });
    expect(working.status).toEqual({ key: "Pin.EmailWorking", args: [] });
    expect(nextDialogState(working, REQUEST)).toBe(working);
    const created = after(working, { type: "emailDraftCreated", id: EMAIL_ID });
    expect(created.email).toEqual({ unavailableKey: null, busy: true, draftId: EMAIL_ID });
    expect(created.status).toEqual({ key: "Pin.EmailDone", args: [] });
    expect(after(created, { type: "emailOpened" }).email.busy).toBe(false);
  });

  it("a later click opens the same draft again, without a new message", () => {
    const opened = after(initialDialogState(DATA, true), REQUEST, { type: "emailDraftCreated", id: EMAIL_ID }, { type: "emailOpened" });
    const again = after(opened, REQUEST);
    expect(again.email).toEqual({ unavailableKey: null, busy: true, draftId: EMAIL_ID });
    expect(again.status).toBe(opened.status);
  });

  it("a failure says why and lets the agent try again; a draft already made is kept", () => {
    const failed = after(initialDialogState(DATA, true), REQUEST, { type: "emailFailed", detail: "Principal user is missing prvCreateActivity privilege" });
    expect(failed.error).toEqual({ key: "Pin.EmailFailed", args: ["Principal user is missing prvCreateActivity privilege"] });
    expect(failed.email).toEqual({ unavailableKey: null, busy: false, draftId: null });
    expect(after(failed, REQUEST).email.busy).toBe(true);

    const openFailed = after(initialDialogState(DATA, true), REQUEST, { type: "emailDraftCreated", id: EMAIL_ID }, { type: "emailFailed", detail: "openForm failed" });
    expect(openFailed.email).toEqual({ unavailableKey: null, busy: false, draftId: EMAIL_ID });
  });

  it("does nothing when Email is off or there is no PIN", () => {
    for (const state of [initialDialogState(DATA, false), initialDialogState({ ...DATA, customer: null }, true), initialDialogState(null, true)]) {
      expect(nextDialogState(state, REQUEST)).toBe(state);
    }
  });
});
