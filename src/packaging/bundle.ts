/**
 * One esbuild run per script web resource: an IIFE whose global name mirrors the web resource path
 * (`lmi_/scripts/case.ribbon.js` → `LogMeInRescue.Case.Ribbon`), so each script defines exactly its
 * own namespace and several scripts share the `LogMeInRescue` root. One build per entry, because
 * esbuild applies `globalName` to every entry point of a build.
 *
 * A script whose code refers to `LMI_ENGLISH_FALLBACK` (src/xrm/strings.ts) is built a second time
 * with that global defined as the English strings it can show: `Xrm.Utility.getResourceString`
 * knows only the user's and the organisation's base language, so these are what the script shows
 * in any other language.
 */
import { build, type Message } from "esbuild";
import { join } from "node:path";
import type { ProblemList } from "./problems";

export interface BundleRequest {
  name: string;
  entry: string;
  globalName: string;
}

export interface BundleOptions {
  root: string;
  /** Release builds are minified and carry no source maps. */
  minify: boolean;
  /** The English strings (key → text), for the scripts that fall back to them. */
  englishStrings: ReadonlyMap<string, string>;
}

/** The global a script reads its English fallback strings from (declared in src/xrm/strings.ts). */
export const ENGLISH_FALLBACK_GLOBAL = "LMI_ENGLISH_FALLBACK";

/**
 * The strings a script can show: every key its code names as a string literal, and every key that
 * continues a literal the code builds keys from (`"Ribbon.Error." + word`, or `` `${base}.Label` ``
 * with `base` = "Config.Option.X"). Only literals whose first part is a key's first part count.
 */
export function stringsUsedBy(code: string, strings: ReadonlyMap<string, string>): Record<string, string> {
  const firstParts = new Set([...strings.keys()].map((key) => key.split(".")[0] ?? ""));
  const literals = new Set<string>();
  for (const match of code.matchAll(/["'`}]([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*\.?)/g)) {
    const literal = match[1] ?? "";
    if (firstParts.has(literal.split(".")[0] ?? "") && literal.includes(".")) literals.add(literal);
  }
  const used: Record<string, string> = {};
  for (const [key, text] of strings) {
    const named = [...literals].some((literal) => key === literal || (literal.endsWith(".") ? key.startsWith(literal) : key.startsWith(`${literal}.`)));
    if (named) used[key] = text;
  }
  return used;
}

function describeMessage(message: Message): string {
  const where = message.location ? `${message.location.file}:${message.location.line}:${message.location.column}: ` : "";
  return `${where}${message.text}`;
}

/** Bundles every request in parallel; returns the JavaScript text per web resource name. */
export async function bundleScripts(requests: readonly BundleRequest[], options: BundleOptions, problems: ProblemList): Promise<Map<string, string>> {
  const bundle = async (request: BundleRequest, englishFallback?: Record<string, string>): Promise<string | null> => {
    try {
      const result = await build({
        absWorkingDir: options.root,
        entryPoints: [join(options.root, request.entry)],
        bundle: true,
        write: false,
        format: "iife",
        globalName: request.globalName,
        platform: "browser",
        target: ["es2020"],
        minify: options.minify,
        sourcemap: options.minify ? false : "inline",
        legalComments: "none",
        charset: "utf8",
        logLevel: "silent",
        tsconfig: join(options.root, "tsconfig.json"),
        define: {
          "process.env.NODE_ENV": options.minify ? '"production"' : '"development"',
          ...(englishFallback && { [ENGLISH_FALLBACK_GLOBAL]: JSON.stringify(englishFallback) }),
        },
      });
      for (const warning of result.warnings) problems.add(request.entry, `esbuild warning: ${describeMessage(warning)}`);
      const output = result.outputFiles[0];
      if (!output) problems.add(request.entry, "esbuild produced no output");
      return output?.text ?? null;
    } catch (error) {
      const errors = (error as { errors?: Message[] }).errors;
      if (errors?.length) for (const message of errors) problems.add(request.entry, describeMessage(message));
      else problems.add(request.entry, `esbuild failed: ${String(error)}`);
      return null;
    }
  };
  const results = await Promise.all(
    requests.map(async (request) => {
      const code = await bundle(request);
      if (code === null || !new RegExp(`\\b${ENGLISH_FALLBACK_GLOBAL}\\b`).test(code)) return code === null ? null : ([request.name, code] as const);
      const withFallback = await bundle(request, stringsUsedBy(code, options.englishStrings));
      return withFallback === null ? null : ([request.name, withFallback] as const);
    }),
  );
  return new Map(results.filter((entry): entry is readonly [string, string] => entry !== null));
}
