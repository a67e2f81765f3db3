/**
 * The schema set in schemas/dataverse/ is what its README says: Microsoft's published files plus
 * the two documented patches, with true checksums; libxml2-wasm compiles it, and it still refuses
 * what the published schemas refuse outside form control parameters.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readSchemaSet, SchemaSetError, schemasDir, validateWithXsd } from "../../src/packaging/xsd";
import { PROJECT_ROOT } from "../helpers/built-package";

const SCHEMAS = schemasDir(PROJECT_ROOT);
const PATCHES = ["libxml2-compat.patch", "libxml2-wasm-compat.patch"];
const temporary: string[] = [];

afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "lmi-schemas-"));
  temporary.push(dir);
  return dir;
}

const sha256 = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex");

describe("schemas/dataverse", () => {
  it("has a true SHA256SUMS for every file it lists, the working set, both patches and published/", () => {
    const lines = readFileSync(join(SCHEMAS, "SHA256SUMS"), "utf8").trim().split("\n");
    const listed = lines.map((line) => {
      const [sum = "", name = ""] = line.split(/ [ *]/);
      expect(sha256(readFileSync(join(SCHEMAS, name))), name).toBe(sum);
      return name;
    });
    const workingSet = readdirSync(SCHEMAS).filter((name) => name.endsWith(".xsd"));
    const published = readdirSync(join(SCHEMAS, "published")).map((name) => `published/${name}`);
    expect(listed.sort()).toEqual([...workingSet, ...published, ...PATCHES].sort());
  });

  it("is Microsoft's published set with the two patches applied, byte for byte", () => {
    const dir = tempDir();
    for (const name of readdirSync(join(SCHEMAS, "published"))) copyFileSync(join(SCHEMAS, "published", name), join(dir, name));
    for (const patch of PATCHES) {
      const run = spawnSync("git", ["apply", "-p1", join(SCHEMAS, patch)], { cwd: dir, encoding: "utf8" });
      expect(`${run.stderr}${run.error?.message ?? ""}`, patch).toBe("");
      expect(run.status, patch).toBe(0);
    }
    for (const name of readdirSync(dir)) {
      expect(readFileSync(join(dir, name)).equals(readFileSync(join(SCHEMAS, name))), name).toBe(true);
    }
    const changed = readdirSync(dir).filter((name) => !readFileSync(join(dir, name)).equals(readFileSync(join(SCHEMAS, "published", name))));
    expect(changed.sort()).toEqual(["CustomizationsSolution.xsd", "Fetch.xsd", "FormXml.xsd"]);
  });

  it("relaxes only the content of form control parameters in the second patch", () => {
    const patch = readFileSync(join(SCHEMAS, "libxml2-wasm-compat.patch"), "latin1");
    expect(patch.match(/^\+\+\+ .*$/gm)).toEqual(["+++ b/FormXml.xsd"]);
    const added = patch.split("\n").filter((line) => line.startsWith("+") && !line.startsWith("+++")).map((line) => line.slice(1).trim());
    expect(added).toEqual([expect.stringMatching(/^<!-- libxml2-wasm-compat: .* -->$/), "<xs:sequence>", '<xs:any processContents="lax" minOccurs="0" maxOccurs="unbounded" />', "</xs:sequence>"]);
  });

  it("compiles in libxml2-wasm and refuses what RibbonCore.xsd does not allow", () => {
    const ribbon = '<RibbonDiffXml><CustomActions /><Templates><RibbonTemplates Id="Mscrm.Templates" /></Templates><CommandDefinitions /><RuleDefinitions><TabDisplayRules /><DisplayRules /><EnableRules /></RuleDefinitions><LocLabels /></RibbonDiffXml>';
    expect(validateWithXsd(ribbon, SCHEMAS, "ribbon.xml", "RibbonCore.xsd")).toEqual({ ok: true });
    const wrong = validateWithXsd(ribbon.replace("<CustomActions />", "<CustomAction />"), SCHEMAS, "ribbon.xml", "RibbonCore.xsd");
    expect(wrong.ok).toBe(false);
    expect(wrong.ok === false && wrong.errors.join("\n")).toMatch(/^line 1: Element 'CustomAction': This element is not expected/);
  });

  it("names a missing schema file and an edited one", () => {
    const dir = tempDir();
    for (const name of readdirSync(SCHEMAS).filter((file) => file.endsWith(".xsd") || file === "SHA256SUMS")) copyFileSync(join(SCHEMAS, name), join(dir, name));
    expect(readSchemaSet(dir).size).toBe(12);
    rmSync(join(dir, "SiteMapType.xsd"));
    expect(() => readSchemaSet(dir)).toThrow(new SchemaSetError("SiteMapType.xsd", "is missing"));
    copyFileSync(join(SCHEMAS, "SiteMap.xsd"), join(dir, "SiteMapType.xsd"));
    expect(() => validateWithXsd("<x/>", dir, "x.xml")).toThrow(/^SiteMapType\.xsd: does not match its checksum in SHA256SUMS/);
    rmSync(join(dir, "SHA256SUMS"));
    expect(() => readSchemaSet(dir)).toThrow("SHA256SUMS: is missing");
  });
});
