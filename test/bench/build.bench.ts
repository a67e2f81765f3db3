/**
 * Build time budget (`npm run bench:build`; issue #10): `node build.mjs` as a developer runs it,
 * a fresh Node process each time (loading tsx, esbuild and libxml2-wasm included), into a
 * temporary folder. Prints the wall time of each run and the time the build printed; budget: the
 * median under 5 s. Exits non-zero when the budget fails or a build fails.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
const BUDGET_MS = 5_000;
const RUNS = 5;

const outDir = mkdtempSync(join(tmpdir(), "lmi-bench-build-"));
const times: number[] = [];
let failed = false;
try {
  for (let run = 1; run <= RUNS; run++) {
    const started = performance.now();
    const build = spawnSync(process.execPath, ["build.mjs", "--out", outDir], { cwd: ROOT, encoding: "utf8" });
    const wall = performance.now() - started;
    const printed = /Built version \S+ in (.+)\.$/m.exec(build.stdout)?.[1] ?? "no time printed";
    const valid = build.stdout.includes("customizations.xml is valid against the XSDs");
    console.log(`  run ${run}: ${(wall / 1000).toFixed(2)} s wall; the build printed "${printed}"${valid ? "" : " (no XSD validation line!)"}`);
    if (build.status !== 0 || !valid) {
      console.error(build.stdout, build.stderr);
      failed = true;
    }
    times.push(wall);
  }
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)] ?? Number.NaN;
const ok = median < BUDGET_MS && !failed;
console.log(`${ok ? "✔" : "✖"} npm run build, median of ${RUNS} (budget < ${BUDGET_MS / 1000} s)`.padEnd(60) + ` ${(median / 1000).toFixed(2)} s`);
process.exitCode = ok ? 0 : 1;
