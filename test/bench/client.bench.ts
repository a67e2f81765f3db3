/**
 * Client budgets of the Case command (`npm run bench`; issue #3). Figures:
 *
 * 1. `lmi_/scripts/case.ribbon.js` as the real build makes it (minified IIFE): bytes and gzip
 *    bytes; budget ≤ 10 KB and ≤ 4 KB (KB = 1,000 bytes; the KiB figures are printed too);
 * 2. loading it: runs no code but defining `LogMeInRescue.Case.Ribbon` (no Xrm, no request, no
 *    timer, no other global); checked in a sandbox whose every other global is a tripwire;
 * 3. client time from the click to the Rescue request, Dataverse and Rescue answering at once:
 *    median and p95 over many clicks, for a first click (fresh page: two Dataverse reads) and a
 *    repeat click (everything cached); budget: median ≤ 5 ms for both.
 *
 * Exits non-zero when a budget fails.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runInNewContext } from "node:vm";
import { gzipSync } from "node:zlib";
import type { DataverseClient, Row } from "../../src/dataverse/client";
import { Configuration, UserSettings } from "../../src/model/schema";
import { buildSolution } from "../../src/packaging/build";
import { createPinSession, type RequestPin } from "../../src/pin/session";
import { parseResx } from "../../src/strings/resx";
import { createTranslator } from "../../src/strings/translator";

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

// 1. Size, from a release build of the whole solution into a temporary folder.
const outDir = mkdtempSync(join(tmpdir(), "lmi-bench-"));
let code: string;
try {
  await buildSolution({ root: ROOT, outDir, minify: true });
  code = readFileSync(join(outDir, "webresources/lmi_/scripts/case.ribbon.js"), "utf8");
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
const bytes = Buffer.byteLength(code);
const gzipBytes = gzipSync(code, { level: 9 }).length;
console.log("Case command (lmi_/scripts/case.ribbon.js)");
report("minified size (budget ≤ 10 KB)", `${(bytes / 1000).toFixed(2)} KB (${(bytes / 1024).toFixed(2)} KiB)`, bytes <= BUDGET.bytes);
report("gzipped size (budget ≤ 4 KB)", `${(gzipBytes / 1000).toFixed(2)} KB (${(gzipBytes / 1024).toFixed(2)} KiB)`, gzipBytes <= BUDGET.gzipBytes);

// 2. Loading: only the namespace is defined.
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
const ribbon = (sandbox.LogMeInRescue as { Case?: { Ribbon?: Record<string, unknown> } } | undefined)?.Case?.Ribbon ?? {};
const added = Object.keys(sandbox).filter((key) => !Object.getOwnPropertyDescriptor(sandbox, key)?.get);
const inert = loadError === "" && touched.length === 0 && added.join() === "LogMeInRescue" && Object.keys(ribbon).sort().join() === "canRequestPin,requestPin";
report(
  "loading defines only LogMeInRescue.Case.Ribbon",
  inert ? `functions: ${Object.keys(ribbon).sort().join(", ")}; no Xrm, request or timer` : `error: ${loadError || "-"}; touched: ${touched.join(", ") || "-"}; globals: ${added.join(", ")}`,
  inert,
);

// 3. Click → Rescue request, with Dataverse and Rescue answering at once.
const strings = parseResx(readFileSync(join(ROOT, "webresources/lmi_/strings/Strings.1033.resx"), "utf8"));
const t = createTranslator((key) => strings.get(key));
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
const dataverse: DataverseClient = {
  retrieveMultiple: (entity) => Promise.resolve(entity === Configuration.entity ? [configurationRow] : [settingsRow]),
  retrieve: () => Promise.resolve({}),
  create: () => Promise.resolve(""),
  update: () => Promise.resolve(),
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
const reply = new Response("OK PINCODE:012345");
function newSession(): RequestPin {
  return createPinSession({
    dataverse,
    rescue: {
      fetch: () => {
        requestedAt = performance.now();
        return Promise.resolve(reply.clone());
      },
    },
    user: () => ({ id: "{3F2504E0-4F89-11D3-9A0C-0305E82C3301}", name: "Dana Agent" }),
    t,
    ui: {
      progress: () => undefined,
      error: () => Promise.resolve(),
      confirm: () => Promise.resolve(false),
      openRecord: () => Promise.resolve(),
      openPinDialog: () => Promise.resolve(),
    },
  });
}

async function measure(repeat: boolean): Promise<number[]> {
  const times: number[] = [];
  const shared = newSession();
  if (repeat) await shared(form);
  for (let run = 0; run < WARMUP + RUNS; run++) {
    const click = repeat ? shared : newSession();
    requestedAt = 0;
    clickedAt = performance.now();
    await click(form);
    if (requestedAt === 0) throw new Error("the click made no Rescue request");
    if (run >= WARMUP) times.push(requestedAt - clickedAt);
  }
  return times.sort((a, b) => a - b);
}

console.log(`Click → Rescue request (client time, ${RUNS} clicks after ${WARMUP} warm-up clicks)`);
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
