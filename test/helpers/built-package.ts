/**
 * Builds the solution once per test file into a temporary folder (release settings) and exposes
 * the unzipped managed and unmanaged packages.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll } from "vitest";
import { buildSolution, type BuildResult } from "../../src/packaging/build";
import type { SolutionPackage } from "../../src/packaging/checks";
import { readZip } from "../../src/packaging/zip";

export const PROJECT_ROOT = resolve(import.meta.dirname, "../..");

export interface BuiltSolution {
  result: BuildResult;
  outDir: string;
  managed: SolutionPackage;
  unmanaged: SolutionPackage;
  managedEntries: Map<string, Uint8Array>;
}

const text = (bytes: Uint8Array | undefined): string => new TextDecoder("utf-8").decode(bytes ?? new Uint8Array());

export function unpack(zip: Uint8Array): { pkg: SolutionPackage; entries: Map<string, Uint8Array> } {
  const entries = readZip(zip);
  return {
    entries,
    pkg: {
      customizationsXml: text(entries.get("customizations.xml")),
      solutionXml: text(entries.get("solution.xml")),
      contentTypesXml: text(entries.get("[Content_Types].xml")),
      parts: entries,
    },
  };
}

/** Removed after the test file that built them (its tests read the zips and web resources until then). */
const outDirs: string[] = [];
afterAll(() => {
  for (const dir of outDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export async function buildIntoTemp(): Promise<BuiltSolution> {
  const outDir = mkdtempSync(join(tmpdir(), "lmi-build-"));
  outDirs.push(outDir);
  const result = await buildSolution({ root: PROJECT_ROOT, outDir, minify: true });
  const managed = unpack(readFileSync(result.managedZip));
  const unmanaged = unpack(readFileSync(result.unmanagedZip));
  return { result, outDir, managed: managed.pkg, unmanaged: unmanaged.pkg, managedEntries: managed.entries };
}
