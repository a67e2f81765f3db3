/** Runs the Request PIN command the way Dynamics does, against the fakes. */
import { vi } from "vitest";
import { createPinSession, type RequestPin } from "../../../src/pin/session";
import type * as Ribbon from "../../../src/scripts/case.ribbon";
import type * as Flow from "../../../src/scripts/pin.request";
import { xrmPinUi } from "../../../src/xrm/pin-ui";
import { xrmTranslator } from "../../../src/xrm/strings";
import { xrmDataverseClient } from "../../../src/xrm/web-api";
import type { BrokerFake } from "./broker-fake";
import { ORIGIN } from "./case-fixture";

interface GlobalNamespace {
  LogMeInRescue?: { Pin?: { Request?: unknown } };
}

/**
 * The page's globals the flow entry uses at the click: `fetch` answered by `broker`, and the
 * page's `location` (its origin is the Dynamics organisation). `crypto` is Node's own.
 */
export function installPage(broker: BrokerFake): void {
  vi.stubGlobal("fetch", broker.fetch);
  vi.stubGlobal("location", { origin: ORIGIN });
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

/** A session wired like the flow entry's, with the service timeouts and the random source injectable. */
export function session(broker: BrokerFake, options: { timeoutMs?: number; probeTimeoutMs?: number; randomBytes?: (bytes: Uint8Array) => Uint8Array } = {}): RequestPin {
  return createPinSession({
    dataverse: xrmDataverseClient(Xrm.WebApi),
    service: { fetch: broker.fetch, timeoutMs: options.timeoutMs, probeTimeoutMs: options.probeTimeoutMs },
    origin: () => ORIGIN,
    randomBytes: options.randomBytes ?? ((bytes) => crypto.getRandomValues(bytes)),
    t: xrmTranslator(),
    ui: xrmPinUi("lmi_/pages/pin.html"),
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
