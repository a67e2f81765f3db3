/**
 * The Request PIN form notification's unique id: one notification per Case form, replaced on every
 * click (by the flow in session.ts, and by the hand-off in handoff.ts when the flow is missing).
 */
export const PIN_NOTIFICATION_ID = "lmi.incident.RequestPin";
