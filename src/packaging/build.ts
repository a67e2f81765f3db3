/**
 * `npm run build`: bundles the web resource scripts, copies the static web resources, assembles and
 * checks the solution XML, and writes `dist/LogMeInRescue-Managed-<v>.zip` and
 * `dist/LogMeInRescue-Unmanaged-<v>.zip` (byte-identical for the same commit). Stops with every
 * problem it found, each naming the file to fix.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { gzipSync } from "node:zlib";
import { parseResx } from "../strings/resx";
import { assembleCustomizations, assembleSolutionManifest, contentTypesXml, rootComponentsFor, solutionVersion } from "./assemble";
import { bundleScripts } from "./bundle";
import { checkPackage, REQUIRED_LANGUAGES, type SolutionPackage } from "./checks";
import { checkModelAgainstSolution } from "./solution-tables";
import { BuildError, ProblemList } from "./problems";
import { dependencyXml, discoverWebResources, partNameFor, webResourceElement, type WebResourcePlan } from "./web-resources";
import { CUSTOMIZATIONS_XSD, SCHEMAS_FOLDER, SchemaSetError, schemasDir, validateWithXsd } from "./xsd";
import { createZip } from "./zip";

export interface BuildOptions {
  /** Project root (where package.json, solution/, src/ and webresources/ are). */
  root: string;
  /** Output folder, default `<root>/dist`. */
  outDir?: string;
  /** Release build (minified, no source maps); default true. */
  minify?: boolean;
  log?: (line: string) => void;
}

export interface BuiltWebResource {
  name: string;
  bytes: number;
  gzipBytes: number;
}

export interface BuildResult {
  version: string;
  managedZip: string;
  unmanagedZip: string;
  webResources: BuiltWebResource[];
  skipped: { name: string; expected: string }[];
  /** customizations.xml passed the XSD check (a failed or impossible check stops the build). */
  xsd: "valid";
  durationMs: number;
}

export const ZIP_PREFIX = "LogMeInRescue";

export function zipName(kind: "Managed" | "Unmanaged", version: string): string {
  return `${ZIP_PREFIX}-${kind}-${version}.zip`;
}

function listTypeScript(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) return listTypeScript(full);
    return full.endsWith(".ts") ? [full] : [];
  });
}

/**
 * Literal `t("Key")` calls in the web resource sources must name a key of every language's strings
 * (`languages`: the strings file's path → its keys). Keys built at run time
 * (`t("Ribbon.Error." + word)`) are not literal and are left to the tests.
 */
function checkStringKeysUsed(root: string, languages: ReadonlyMap<string, ReadonlySet<string>>, problems: ProblemList): void {
  const sources = listTypeScript(join(root, "src")).filter((file) => {
    const rel = relative(root, file).split(sep).join("/");
    return !rel.startsWith("src/service/") && !rel.startsWith("src/packaging/");
  });
  for (const file of sources) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/\bt\(\s*(["'])([A-Za-z0-9_.]+)\1\s*[,)]/g)) {
      const key = match[2] ?? "";
      for (const [stringsFile, keys] of languages) {
        if (keys.has(key)) continue;
        const line = text.slice(0, match.index).split("\n").length;
        problems.add(`${relative(root, file).split(sep).join("/")}:${line}`, `t("${key}") has no string in ${stringsFile}`);
      }
    }
  }
}

function readVersion(root: string, problems: ProblemList): string {
  const file = join(root, "package.json");
  const version = (JSON.parse(readFileSync(file, "utf8")) as { version?: unknown }).version;
  const solution = typeof version === "string" ? solutionVersion(version) : null;
  if (!solution) problems.add("package.json", `"version" must be major.minor.patch (e.g. 1.2.0), not ${JSON.stringify(version)}`);
  return solution ?? "0.0.0.0";
}

function kilobytes(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

export async function buildSolution(options: BuildOptions): Promise<BuildResult> {
  const started = performance.now();
  const root = options.root;
  const outDir = options.outDir ?? join(root, "dist");
  const log = options.log ?? ((): void => undefined);
  const minify = options.minify ?? true;
  const problems = new ProblemList();
  const step = (label: string, since: number): void => log(`  ${label} (${Math.round(performance.now() - since)} ms)`);

  const version = readVersion(root, problems);
  let t0 = performance.now();
  const discovery = discoverWebResources(root, problems);
  problems.throwIfAny();
  for (const skipped of discovery.skipped) log(`  skipped ${skipped.name}: no source yet (${skipped.expected})`);

  const bundled = await bundleScripts(
    discovery.included.flatMap((resource) =>
      resource.source.kind === "bundle" ? [{ name: resource.name, entry: resource.source.entry, globalName: resource.source.globalName }] : [],
    ),
    { root, minify },
    problems,
  );
  problems.throwIfAny();
  step(`bundled ${bundled.size} script${bundled.size === 1 ? "" : "s"}${minify ? " (minified)" : ""}`, t0);

  t0 = performance.now();
  const contents = new Map<string, Uint8Array>();
  for (const resource of discovery.included) {
    contents.set(resource.name, resource.source.kind === "bundle" ? Buffer.from(bundled.get(resource.name) ?? "", "utf8") : readFileSync(join(root, resource.source.path)));
  }
  const strings = discovery.included.filter((resource) => resource.type === 12 && resource.name.startsWith("lmi_/strings/Strings."));
  const stringKeys = new Map(
    REQUIRED_LANGUAGES.flatMap((language) => {
      const file = strings.find((resource) => resource.name === `lmi_/strings/Strings.${language}.resx`);
      return file ? [[`webresources/${file.name}`, new Set(parseResx(Buffer.from(contents.get(file.name) ?? new Uint8Array()).toString("utf8")).keys())] as const] : [];
    }),
  );
  checkStringKeysUsed(root, stringKeys, problems);

  const elements = discovery.included.map((resource: WebResourcePlan) => webResourceElement(resource, resource.type === 3 ? dependencyXml(resource, strings) : ""));
  const customizationsXml = assembleCustomizations(root, elements, problems);
  problems.throwIfAny();
  const components = rootComponentsFor(customizationsXml);
  const manifests = {
    managed: assembleSolutionManifest(root, version, true, components, problems),
    unmanaged: assembleSolutionManifest(root, version, false, components, problems),
  };
  problems.throwIfAny();
  const contentTypes = contentTypesXml(discovery.included.map(partNameFor));
  step(`assembled customizations.xml (${discovery.included.length} web resources, ${components.length} root components)`, t0);

  t0 = performance.now();
  const parts = new Map<string, Uint8Array>();
  for (const resource of discovery.included) parts.set(partNameFor(resource).replace(/^\//, ""), contents.get(resource.name) ?? new Uint8Array());
  for (const [kind, solutionXml] of Object.entries(manifests)) {
    const pkg: SolutionPackage = { customizationsXml, solutionXml, contentTypesXml: contentTypes, parts };
    for (const problem of checkPackage(pkg, { version, managed: kind === "managed" })) {
      problems.add(problem.file === "customizations.xml" || problem.file === "solution.xml" ? `${problem.file} (${kind})` : problem.file, problem.message);
    }
    if (problems.size > 0) break;
  }
  // The sources are well-formed by now; src/model/ must say what they say.
  checkModelAgainstSolution(root, problems);
  problems.throwIfAny();
  step("checked references, labels, attributes, ids, root components, and src/model/ against solution/", t0);

  t0 = performance.now();
  try {
    const xsd = validateWithXsd(customizationsXml, schemasDir(root), "customizations.xml");
    if (!xsd.ok) for (const error of xsd.errors) problems.add("customizations.xml", `XSD: ${error}`);
  } catch (error) {
    if (!(error instanceof SchemaSetError)) throw error;
    problems.add(`${SCHEMAS_FOLDER}/${error.file}`, `${error.reason}; customizations.xml cannot be validated without it`);
  }
  problems.throwIfAny();
  step(`customizations.xml is valid against the XSDs (${SCHEMAS_FOLDER}/${CUSTOMIZATIONS_XSD}, 9.0.0.2090)`, t0);

  t0 = performance.now();
  const webResourcesOut = join(outDir, "webresources");
  rmSync(webResourcesOut, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const entry of readdirSync(outDir)) {
    if (entry.startsWith(`${ZIP_PREFIX}-`) && entry.endsWith(".zip")) rmSync(join(outDir, entry));
  }
  const built: BuiltWebResource[] = [];
  for (const resource of discovery.included) {
    const bytes = contents.get(resource.name) ?? new Uint8Array();
    const target = join(webResourcesOut, resource.name);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
    built.push({ name: resource.name, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length });
  }
  const partEntries = [...parts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const zips = { managed: join(outDir, zipName("Managed", version)), unmanaged: join(outDir, zipName("Unmanaged", version)) };
  for (const [kind, path] of Object.entries(zips) as [keyof typeof zips, string][]) {
    const zip = createZip([["[Content_Types].xml", contentTypes], ["customizations.xml", customizationsXml], ["solution.xml", manifests[kind]], ...partEntries]);
    writeFileSync(path, zip);
    log(`  wrote ${relative(root, path).split(sep).join("/")} (${kilobytes(zip.length)})`);
  }
  step("wrote the solution zips", t0);

  return {
    version,
    managedZip: zips.managed,
    unmanagedZip: zips.unmanaged,
    webResources: built,
    skipped: discovery.skipped,
    xsd: "valid",
    durationMs: Math.round(performance.now() - started),
  };
}

/** Command line: `node build.mjs [--dev] [--out <dir>]`; exit code 1 with the problem list on failure. */
export async function runBuildCli(root: string, argv: readonly string[]): Promise<number> {
  const outIndex = argv.indexOf("--out");
  const outDir = outIndex >= 0 ? argv[outIndex + 1] : undefined;
  const minify = !argv.includes("--dev");
  console.log(`Building the LogMeIn Rescue solution${minify ? "" : " (development: not minified, inline source maps)"}…`);
  try {
    const result = await buildSolution({ root, outDir, minify, log: (line) => console.log(line) });
    // performance.now() counts from the start of the Node process: loading tsx, esbuild and libxml2-wasm included.
    console.log(`Built version ${result.version} in ${(performance.now() / 1000).toFixed(2)} s (the build itself: ${result.durationMs} ms).`);
    return 0;
  } catch (error) {
    if (error instanceof BuildError) {
      console.error(`\nThe build stopped: ${error.problems.length} problem${error.problems.length === 1 ? "" : "s"} to fix.`);
      for (const problem of error.problems) console.error(`  ✖ ${problem.file}: ${problem.message}`);
      return 1;
    }
    console.error("\nThe build failed unexpectedly:", error);
    return 2;
  }
}
