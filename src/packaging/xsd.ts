/**
 * Validation of customizations.xml against Microsoft's published solution XSDs (9.0.0.2090) with
 * Debian's `xmllint` (libxml2 2.9.x; newer builds cannot compile FormXml.xsd). See
 * ../shared/schemas/dataverse/README.md.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const CUSTOMIZATIONS_XSD = "CustomizationsSolution.xsd";

/** `LMI_SCHEMAS_DIR`, else `../shared/schemas/dataverse` next to the project. */
export function schemasDir(root: string): string {
  return process.env.LMI_SCHEMAS_DIR ? resolve(process.env.LMI_SCHEMAS_DIR) : resolve(root, "..", "shared", "schemas", "dataverse");
}

export function xmllintAvailable(): boolean {
  const probe = spawnSync("xmllint", ["--version"], { encoding: "utf8" });
  return probe.status === 0;
}

export type XsdResult = { ok: true } | { ok: false; errors: string[] } | { ok: "unavailable"; reason: string };

/** Validates XML text against an entry schema; errors are xmllint's lines, with the temp path replaced by `label`. */
export function validateWithXsd(xml: string, schemaDir: string, label: string, entrySchema = CUSTOMIZATIONS_XSD): XsdResult {
  const schema = join(schemaDir, entrySchema);
  if (!existsSync(schema)) return { ok: "unavailable", reason: `schema ${schema} not found (set LMI_SCHEMAS_DIR or place ../shared/ beside the project)` };
  if (!xmllintAvailable()) return { ok: "unavailable", reason: "xmllint not found: install it with `apt-get install -y libxml2-utils`" };
  const dir = mkdtempSync(join(tmpdir(), "lmi-xsd-"));
  const file = join(dir, "document.xml");
  try {
    writeFileSync(file, xml);
    const run = spawnSync("xmllint", ["--noout", "--schema", schema, file], { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
    if (run.status === 0) return { ok: true };
    const errors = `${run.stderr}`
      .split("\n")
      .map((line) => line.split(file).join(label).trim())
      .filter((line) => line && !line.endsWith(" validates") && !line.endsWith("fails to validate"));
    return { ok: false, errors: errors.length > 0 ? errors : [`xmllint exited with status ${String(run.status)}`] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
