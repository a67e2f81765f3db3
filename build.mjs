#!/usr/bin/env node
// Builds the LogMeIn Rescue solution: `npm run build` (release) or `node build.mjs --dev`.
// The logic lives in src/packaging/ (TypeScript, tested); tsx lets this plain Node script load it.
import { register } from "tsx/esm/api";

register();
const { runBuildCli } = await import("./src/packaging/build.ts");
process.exitCode = await runBuildCli(import.meta.dirname, process.argv.slice(2));
