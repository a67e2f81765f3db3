/**
 * Where `case.ribbon.js` finds the Request PIN flow: `LogMeInRescue.Pin.Request.requestPin`, which
 * `lmi_/scripts/pin.request.js` defines on the global namespace when the platform loads it (the
 * same way the platform itself resolves a ribbon action's dotted FunctionName).
 */
import type { RequestPinFlow } from "../pin/handoff";

interface FlowNamespace {
  LogMeInRescue?: { Pin?: { Request?: { requestPin?: unknown } } };
}

/** The loaded flow's `requestPin`, or null when `pin.request.js` has not been loaded in `scope`. */
export function findPinFlow(scope: object = globalThis): RequestPinFlow | null {
  const requestPin = (scope as FlowNamespace).LogMeInRescue?.Pin?.Request?.requestPin;
  return typeof requestPin === "function" ? (requestPin as RequestPinFlow) : null;
}
