/**
 * Validation against Microsoft's published solution XSDs (9.0.0.2090), in-process with the npm
 * package `libxml2-wasm` (libxml2 compiled to WebAssembly): no system XML tool, nothing read from
 * outside the project. The schemas are the working set in `schemas/dataverse/` (see its README),
 * checked against its `SHA256SUMS` before they are used: a missing, unreadable or edited schema is
 * a `SchemaSetError`, which the build reports as a failure.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { XmlBufferInputProvider, XmlDocument, XmlLibError, XsdValidator, xmlRegisterInputProvider, type ErrorDetail } from "libxml2-wasm";

/** The schema set, relative to the project root. */
export const SCHEMAS_FOLDER = "schemas/dataverse";
export const CUSTOMIZATIONS_XSD = "CustomizationsSolution.xsd";
const CHECKSUMS_FILE = "SHA256SUMS";

/** The schema folder of a project. */
export function schemasDir(root: string): string {
  return join(root, ...SCHEMAS_FOLDER.split("/"));
}

/** The schema set cannot be used: `file` names the schema file (relative to the schema folder) to look at, `reason` what is wrong with it. */
export class SchemaSetError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = "SchemaSetError";
  }
}

export type XsdResult = { ok: true } | { ok: false; errors: string[] };

function readSchemaFile(dir: string, name: string): Buffer {
  try {
    return readFileSync(join(dir, name));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SchemaSetError(name, code === "ENOENT" ? "is missing" : `cannot be read (${code ?? String(error)})`);
  }
}

/**
 * The working set's `*.xsd` files (the top folder of SHA256SUMS, not `published/`), each checked
 * against its checksum. Keyed by file name.
 */
export function readSchemaSet(dir: string): Map<string, Buffer> {
  const sums = readSchemaFile(dir, CHECKSUMS_FILE).toString("utf8");
  const files = new Map<string, Buffer>();
  for (const line of sums.split(/\r?\n/)) {
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.trim());
    const [, expected, name] = match ?? [];
    if (!expected || !name?.endsWith(".xsd") || name.includes("/")) continue;
    const bytes = readSchemaFile(dir, name);
    const actual = createHash("sha256").update(bytes).digest("hex");
    if (actual !== expected) throw new SchemaSetError(name, `does not match its checksum in ${CHECKSUMS_FILE} (a schema is changed only through a patch file there, with ${CHECKSUMS_FILE} updated)`);
    files.set(name, bytes);
  }
  if (files.size === 0) throw new SchemaSetError(CHECKSUMS_FILE, "lists no schema files");
  return files;
}

/**
 * libxml2 reads a schema's includes through input providers, which are registered for the whole
 * process: one provider, holding the schema bytes only while a schema set is being compiled, under
 * a name of its own so that nothing else is ever read.
 */
const VIRTUAL_FOLDER = "lmi-schemas";
let provider: XmlBufferInputProvider | undefined;

function schemaProvider(): XmlBufferInputProvider {
  if (!provider) {
    provider = new XmlBufferInputProvider({});
    if (!xmlRegisterInputProvider(provider)) throw new Error("libxml2-wasm did not accept the schema input provider");
  }
  return provider;
}

function describe(detail: ErrorDetail, label: string): string {
  const where = detail.file === undefined || detail.file === label ? `line ${detail.line}` : `${detail.file.replace(`${VIRTUAL_FOLDER}/`, "")} line ${detail.line}`;
  return `${where}: ${detail.message.trim()}`;
}

function compile(files: ReadonlyMap<string, Buffer>, entrySchema: string): XsdValidator {
  const entry = files.get(entrySchema);
  if (!entry) throw new SchemaSetError(entrySchema, `is not listed in ${CHECKSUMS_FILE}`);
  const buffers = schemaProvider();
  const names = [...files.keys()].map((name) => `${VIRTUAL_FOLDER}/${name}`);
  for (const [name, bytes] of files) buffers.addBuffer(`${VIRTUAL_FOLDER}/${name}`, bytes);
  let schemaDoc: XmlDocument | undefined;
  try {
    schemaDoc = XmlDocument.fromBuffer(entry, { url: `${VIRTUAL_FOLDER}/${entrySchema}` });
    return XsdValidator.fromDoc(schemaDoc);
  } catch (error) {
    const details = error instanceof XmlLibError ? error.details.map((detail) => describe(detail, "")) : [];
    throw new SchemaSetError(entrySchema, `libxml2 cannot compile the schema: ${details.join("; ") || String(error)}`);
  } finally {
    schemaDoc?.dispose();
    for (const name of names) buffers.removeBuffer(name);
  }
}

/**
 * Validates XML text against an entry schema of the set in `schemaDir`. Violations come back as
 * `line N: message` (libxml2's words); problems with the schemas themselves throw `SchemaSetError`.
 */
export function validateWithXsd(xml: string, schemaDir: string, label: string, entrySchema = CUSTOMIZATIONS_XSD): XsdResult {
  const validator = compile(readSchemaSet(schemaDir), entrySchema);
  let doc: XmlDocument | undefined;
  try {
    doc = XmlDocument.fromString(xml.replace(/^\uFEFF/, ""), { url: label });
    validator.validate(doc);
    return { ok: true };
  } catch (error) {
    if (!(error instanceof XmlLibError)) throw error;
    const errors = error.details.map((detail) => describe(detail, label));
    return { ok: false, errors: errors.length > 0 ? errors : [error.message.trim()] };
  } finally {
    doc?.dispose();
    validator.dispose();
  }
}
