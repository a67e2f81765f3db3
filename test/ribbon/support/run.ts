/** Runs the Request PIN command the way Dynamics does, against the fakes. */
import { vi } from "vitest";
import { createPinSession, type RequestPin } from "../../../src/pin/session";
import type * as Ribbon from "../../../src/scripts/case.ribbon";
import { xrmPinUi } from "../../../src/xrm/pin-ui";
import { xrmTranslator } from "../../../src/xrm/strings";
import { xrmDataverseClient } from "../../../src/xrm/web-api";

/** The real entry file, freshly loaded (its page-life session starts empty). */
export async function loadRibbon(): Promise<typeof Ribbon> {
  vi.resetModules();
  return import("../../../src/scripts/case.ribbon");
}

/** A session wired like the entry's, with the Rescue timeout and the poll-rate delay injectable. */
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
