/**
 * Client budgets of the Case command (`npm run bench`; issue #3). Figures:
 *
 * 1. `lmi_/scripts/case.ribbon.js` as the real build makes it (minified IIFE): bytes and gzip
 *    bytes; budget ≤ 10 KB and ≤ 4 KB (KB = 1,000 bytes; the KiB figures are printed too). It is
 *    on the Case form's load path (the enable rule). `lmi_/scripts/pin.request.js`, the flow the
 *    platform loads only when the command runs, is printed for information;
 * 2. loading either script runs no code but defining its namespace (`LogMeInRescue.Case.Ribbon`,
 *    `LogMeInRescue.Pin.Request`): no Xrm, no request, no timer, no other global; checked in a
 *    sandbox whose every other global is a tripwire;
 * 3. client time from the click to the Rescue request, Dataverse and Rescue answering at once,
 *    through the built `case.ribbon.js`'s `requestPin` with the built `pin.request.js` loaded (as
 *    the command loads it) and a fake `Xrm` whose Web API answers at once: median and p95 over
 *    many clicks, for a first click (fresh page: both scripts loaded again, two Dataverse reads)
 *    and a repeat click (everything cached); budget: median ≤ 5 ms for both.
 *
 * Exits non-zero when a budget fails.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runInNewContext, runInThisContext } from "node:vm";
import { gzipSync } from "node:zlib";
import type { Row } from "../../src/dataverse/client";
import { Configuration, UserSettings } from "../../src/model/schema";
import { buildSolution } from "../../src/packaging/build";
import { parseResx } from "../../src/strings/resx";

const ROOT = resolve(import.meta.dirname, "../..");
const BUDGET = { bytes: 10_000, gzipBytes: 4_000, clickToRequestMs: 5 };
const WARMUP = 300;
const RUNS = 1_000;

let failed = false;
function report(label: string, value: string, ok: boolean | null): void {
  if (ok === false) failed = true;
  console.log(`${ok === null ? "  " : ok ? "✔ " : "✖ "}${label.padEnd(56)} ${value}`);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const size = (bytes: number): string => `${(bytes / 1000).toFixed(2)} KB (${(bytes / 1024).toFixed(2)} KiB)`;

// 1. Size, from a release build of the whole solution into a temporary folder.
const outDir = mkdtempSync(join(tmpdir(), "lmi-bench-"));
let ribbonCode: string;
let flowCode: string;
try {
  await buildSolution({ root: ROOT, outDir, minify: true });
  ribbonCode = readFileSync(join(outDir, "webresources/lmi_/scripts/case.ribbon.js"), "utf8");
  flowCode = readFileSync(join(outDir, "webresources/lmi_/scripts/pin.request.js"), "utf8");
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
const bytes = Buffer.byteLength(ribbonCode);
const gzipBytes = gzipSync(ribbonCode, { level: 9 }).length;
console.log("Case command, on the form's load path (lmi_/scripts/case.ribbon.js)");
report("minified size (budget ≤ 10 KB)", size(bytes), bytes <= BUDGET.bytes);
report("gzipped size (budget ≤ 4 KB)", size(gzipBytes), gzipBytes <= BUDGET.gzipBytes);
console.log("Request PIN flow, loaded when the command runs (lmi_/scripts/pin.request.js)");
report("minified size (information)", size(Buffer.byteLength(flowCode)), null);
report("gzipped size (information)", size(gzipSync(flowCode, { level: 9 }).length), null);

// 2. Loading: only the namespace is defined.
console.log("Loading");
for (const [file, code, area, kind, functions] of [
  ["case.ribbon.js", ribbonCode, "Case", "Ribbon", "canRequestPin,requestPin"],
  ["pin.request.js", flowCode, "Pin", "Request", "load,requestPin"],
] as const) {
  const touched: string[] = [];
  const sandbox: Record<string, unknown> = {};
  for (const name of ["Xrm", "fetch", "XMLHttpRequest", "setTimeout", "setInterval", "queueMicrotask", "document", "window", "navigator", "localStorage", "sessionStorage", "console", "Intl", "Promise"]) {
    Object.defineProperty(sandbox, name, {
      get: () => {
        touched.push(name);
        return undefined;
      },
    });
  }
  let loadError = "";
  try {
    runInNewContext(code, sandbox);
  } catch (error) {
    loadError = String(error);
  }
  const root = (sandbox.LogMeInRescue ?? {}) as Record<string, Record<string, Record<string, unknown>> | undefined>;
  const namespace = root[area]?.[kind] ?? {};
  const defined = Object.keys(namespace).sort().join();
  const added = Object.keys(sandbox).filter((key) => !Object.getOwnPropertyDescriptor(sandbox, key)?.get);
  const inert = loadError === "" && touched.length === 0 && added.join() === "LogMeInRescue" && Object.keys(root).join() === area && defined === functions;
  report(
    `${file} defines only LogMeInRescue.${area}.${kind}`,
    inert ? `functions: ${defined.replace(",", ", ")}; no Xrm, request or timer` : `error: ${loadError || "-"}; touched: ${touched.join(", ") || "-"}; globals: ${added.join(", ")}; functions: ${defined}`,
    inert,
  );
}

// 3. Click → Rescue request, with Dataverse and Rescue answering at once, through the built pair.
const strings = parseResx(readFileSync(join(ROOT, "webresources/lmi_/strings/Strings.1033.resx"), "utf8"));
const CASE_ID = "{8B0C3C5E-1F2A-4D6B-9E7F-0A1B2C3D4E5F}";
const configurationRow: Row = {
  [Configuration.primaryId]: "0f0e0d0c-0b0a-4909-8807-060504030201",
  [Configuration.fields.endpoint]: "https://secure.logmeinrescue.com/API",
  [Configuration.fields.companyId]: "1234567",
  [Configuration.fields.ssoPassword]: "S3cret!",
  [Configuration.fields.requireActiveTechConsole]: false,
  [Configuration.fields.doNotPassCField1]: false,
};
const settingsRow: Row = {
  [UserSettings.primaryId]: "6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a098",
  [UserSettings.fields.techId]: "4242",
  [UserSettings.fields.ssoId]: "dana.sso",
  [UserSettings.fields.authCode]: "stored-auth-code",
};
const attributes: Record<string, unknown> = {
  customerid: [{ id: "{4F1E2D3C-5B6A-4789-8A9B-0C1D2E3F4A5B}", name: "Jan de Vries", entityType: "contact" }],
  ticketnumber: "CAS-01001-Z8K4P2",
  emailaddress: "jan.devries@example.nl",
};
const form = {
  data: { getIsDirty: () => false, save: () => Promise.resolve(), entity: { getId: () => CASE_ID } },
  getAttribute: (name: string) => (name in attributes ? { getValue: () => attributes[name] } : null),
  ui: { setFormNotification: () => true, clearFormNotification: () => true },
} as unknown as Xrm.FormContext;

let clickedAt = 0;
let requestedAt = 0;
let dialogs = 0;
const failures: string[] = [];
const resolved = <T>(value: T) => (): Promise<T> => Promise.resolve(value);
/** The Client API the two scripts use, answering at once. */
const fakeXrm = {
  WebApi: {
    retrieveMultipleRecords: (entity: string) => Promise.resolve({ entities: [entity === Configuration.entity ? configurationRow : settingsRow] }),
    retrieveRecord: resolved({}),
    createRecord: resolved({ entityType: "", id: "" }),
    updateRecord: resolved({ entityType: "", id: "" }),
  },
  Utility: {
    getGlobalContext: () => ({ userSettings: { userId: "{3F2504E0-4F89-11D3-9A0C-0305E82C3301}", userName: "Dana Agent", languageId: 1033 } }),
    getResourceString: (_webResource: string, key: string) => strings.get(key) ?? null,
    showProgressIndicator: () => undefined,
    closeProgressIndicator: () => undefined,
  },
  Navigation: {
    navigateTo: () => {
      dialogs += 1;
      return Promise.resolve();
    },
    openErrorDialog: (options: { message?: string; details?: string }) => {
      failures.push(`${options.message ?? ""} (${options.details ?? ""})`);
      return Promise.resolve();
    },
    openConfirmDialog: resolved({ confirmed: false }),
    openForm: resolved({}),
  },
};
const reply = new Response("OK PINCODE:012345");
const page = globalThis as unknown as { Xrm?: unknown; fetch: typeof fetch; LogMeInRescue?: { Case?: { Ribbon?: { requestPin?: (form: Xrm.FormContext) => Promise<void> } } } };
page.Xrm = fakeXrm;
page.fetch = () => {
  requestedAt = performance.now();
  return Promise.resolve(reply.clone());
};

/** A fresh page: both built scripts loaded as classic scripts (the flow's session starts empty). */
function loadPage(): (form: Xrm.FormContext) => Promise<void> {
  runInThisContext(ribbonCode, { filename: "case.ribbon.js" });
  runInThisContext(flowCode, { filename: "pin.request.js" });
  const requestPin = page.LogMeInRescue?.Case?.Ribbon?.requestPin;
  if (!requestPin) throw new Error("case.ribbon.js did not define LogMeInRescue.Case.Ribbon.requestPin");
  return requestPin;
}

async function measure(repeat: boolean): Promise<number[]> {
  const times: number[] = [];
  const shared = loadPage();
  if (repeat) await shared(form);
  for (let run = 0; run < WARMUP + RUNS; run++) {
    const click = repeat ? shared : loadPage();
    requestedAt = 0;
    dialogs = 0;
    clickedAt = performance.now();
    await click(form);
    if (failures.length > 0) throw new Error(`the click failed: ${failures.join("; ")}`);
    if (requestedAt === 0 || dialogs !== 1) throw new Error("the click made no Rescue request or opened no PIN dialog");
    if (run >= WARMUP) times.push(requestedAt - clickedAt);
  }
  return times.sort((a, b) => a - b);
}

console.log(`Click → Rescue request through case.ribbon.js → pin.request.js (client time, ${RUNS} clicks after ${WARMUP} warm-up clicks)`);
for (const [label, repeat] of [
  ["first click (2 Dataverse reads, then Rescue)", false],
  ["repeat click (cached: Rescue only)", true],
] as const) {
  const times = await measure(repeat);
  const median = percentile(times, 50);
  report(`${label}, median (budget ≤ 5 ms)`, `${median.toFixed(3)} ms (p95 ${percentile(times, 95).toFixed(3)} ms, max ${(times.at(-1) ?? 0).toFixed(3)} ms)`, median <= BUDGET.clickToRequestMs);
}

if (failed) {
  console.log("\nA budget failed.");
  process.exitCode = 1;
}
