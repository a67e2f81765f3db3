/**
 * One esbuild run per script web resource: an IIFE whose global name mirrors the web resource path
 * (`lmi_/scripts/case.ribbon.js` → `LogMeInRescue.Case.Ribbon`), so each script defines exactly its
 * own namespace and several scripts share the `LogMeInRescue` root. One build per entry, because
 * esbuild applies `globalName` to every entry point of a build.
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
}

function describeMessage(message: Message): string {
  const where = message.location ? `${message.location.file}:${message.location.line}:${message.location.column}: ` : "";
  return `${where}${message.text}`;
}

/** Bundles every request in parallel; returns the JavaScript text per web resource name. */
export async function bundleScripts(requests: readonly BundleRequest[], options: BundleOptions, problems: ProblemList): Promise<Map<string, string>> {
  const results = await Promise.all(
    requests.map(async (request) => {
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
          define: { "process.env.NODE_ENV": options.minify ? '"production"' : '"development"' },
        });
        for (const warning of result.warnings) problems.add(request.entry, `esbuild warning: ${describeMessage(warning)}`);
        const output = result.outputFiles[0];
        if (!output) {
          problems.add(request.entry, "esbuild produced no output");
          return null;
        }
        return [request.name, output.text] as const;
      } catch (error) {
        const errors = (error as { errors?: Message[] }).errors;
        if (errors?.length) for (const message of errors) problems.add(request.entry, describeMessage(message));
        else problems.add(request.entry, `esbuild failed: ${String(error)}`);
        return null;
      }
    }),
  );
  return new Map(results.filter((entry): entry is readonly [string, string] => entry !== null));
}
