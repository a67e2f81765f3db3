/** What the Case command hands the PIN dialog, for the dialog's unit tests. */
import type { PinDialogData } from "../../../../src/pin/dialog-data";

/** A PIN for a Case whose customer is an account. */
export const PIN_DIALOG_DATA: PinDialogData = {
  pin: "004711",
  caseId: "8b0c3c5e-1f2a-4d6b-9e7f-0a1b2c3d4e5f",
  caseNumber: "CAS-01001-Z8K4P2",
  customer: { id: "a1b2c3d4-0000-4000-8000-0000000000aa", entityType: "account" },
  generatedAt: "2026-12-02T09:41:00.000Z",
};
