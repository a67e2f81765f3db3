/** Runs the Request PIN command the way Dynamics does, against the fakes. */
import { vi } from "vitest";
import { createPinSession, type RequestPin } from "../../../src/pin/session";
import type * as Ribbon from "../../../src/scripts/case.ribbon";
import type * as Flow from "../../../src/scripts/pin.request";
import { xrmPinUi } from "../../../src/xrm/pin-ui";
import { xrmTranslator } from "../../../src/xrm/strings";
import { xrmDataverseClient } from "../../../src/xrm/web-api";

interface GlobalNamespace {
  LogMeInRescue?: { Pin?: { Request?: unknown } };
}

/**
 * Puts `flow` where `lmi_/scripts/pin.request.js` defines it when the platform loads it
 * (`LogMeInRescue.Pin.Request` on the global object), or takes it away (`null`: the library was
 * not loaded, e.g. a customized command without its first action).
 */
export function installFlow(flow: Pick<typeof Flow, "requestPin"> | null): void {
  const root = ((globalThis as GlobalNamespace).LogMeInRescue ??= {});
  const pin = (root.Pin ??= {});
  if (flow) pin.Request = flow;
  else delete pin.Request;
}

/** The real flow entry file (`src/scripts/pin.request.ts`), freshly loaded: its page-life session starts empty. */
export async function loadFlow(): Promise<typeof Flow> {
  vi.resetModules();
  return import("../../../src/scripts/pin.request");
}

/**
 * The real pair as the Request PIN command runs it, freshly loaded (a new page): the flow entry
 * (`pin.request.ts`) installed where `case.ribbon.ts` looks for it, then `case.ribbon.ts`, whose
 * `requestPin` is the command's action. `flow: false`: the flow library is not loaded.
 */
export async function loadRibbon({ flow = true }: { flow?: boolean } = {}): Promise<typeof Ribbon> {
  installFlow(flow ? await loadFlow() : null);
  vi.resetModules();
  return import("../../../src/scripts/case.ribbon");
}

/** A session wired like the flow entry's, with the Rescue timeout and the poll-rate delay injectable. */
export function session(options: { timeoutMs?: number; pollRetryDelayMs?: number } = {}): RequestPin {
  return createPinSession({
    dataverse: xrmDataverseClient(Xrm.WebApi),
    rescue: { fetch: (input, init) => fetch(input, init), timeoutMs: options.timeoutMs },
    user: () => {
      const { userId, userName } = Xrm.Utility.getGlobalContext().userSettings;
      return { id: userId, name: userName };
    },
    t: xrmTranslator(),
    ui: xrmPinUi("lmi_/pages/pin.html"),
    pollRetryDelayMs: options.pollRetryDelayMs,
  });
}

/** Everything written to the console while `run` runs (and nothing printed). */
export async function captureConsole<T>(run: () => Promise<T>): Promise<{ result: T; output: string }> {
  const lines: string[] = [];
  const spies = (["log", "info", "warn", "error", "debug"] as const).map((level) =>
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((arg) => (arg instanceof Error ? `${arg.name}: ${arg.message} ${arg.stack ?? ""}` : typeof arg === "string" ? arg : JSON.stringify(arg))).join(" "));
    }),
  );
  try {
    return { result: await run(), output: lines.join("\n") };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}
