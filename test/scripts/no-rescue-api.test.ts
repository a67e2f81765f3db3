/**
 * What the browser gets: the built web resources in dist/ (`npm run build`; `npm test` builds
 * first) and the web resources inside both solution zips hold no Rescue API client. No bundle
 * names a Rescue API method, and the Request PIN scripts name no Rescue API address: the
 * integration service alone calls Rescue (DESIGN.md §3, §7). That no secured column is ever selected
 * is shown by the flow's tests (test/pin/request-pin.test.ts), which see every query it sends.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { readZip } from "../../src/packaging/zip";
import { assertBuilt, BUILT_WEB_RESOURCES } from "../helpers/static-server";

const DIST = resolve(import.meta.dirname, "../../dist");
/** The Rescue API methods (reference/rescue-api.md §2–3); `requestAuthCode` also catches `requestAuthCodeSSO`. */
const RESCUE_METHODS = ["requestPINCode", "requestAuthCode", "requestAuthCodeSSO", "getAccount"];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

function rescueMethodsIn(text: string): string[] {
  return RESCUE_METHODS.filter((method) => text.toLowerCase().includes(method.toLowerCase()));
}

describe("the built browser bundles (dist/)", () => {
  it("name no Rescue API method, in any web resource", () => {
    assertBuilt("lmi_/scripts/pin.request.js");
    const files = filesUnder(BUILT_WEB_RESOURCES).filter((file) => /\.(js|html)$/.test(file));
    expect(files.map((file) => file.slice(BUILT_WEB_RESOURCES.length + 1)).sort()).toEqual(
      expect.arrayContaining(["lmi_/scripts/case.ribbon.js", "lmi_/scripts/pin.request.js", "lmi_/scripts/pin.page.js", "lmi_/scripts/configuration.page.js", "lmi_/scripts/configuration.form.js"]),
    );
    for (const file of files) expect(rescueMethodsIn(readFileSync(file, "utf8")), file).toEqual([]);
  });

  it("the Request PIN scripts name no Rescue API address", () => {
    for (const name of ["lmi_/scripts/case.ribbon.js", "lmi_/scripts/pin.request.js"]) {
      const code = readFileSync(join(BUILT_WEB_RESOURCES, name), "utf8");
      expect(code, name).not.toMatch(/logmeinrescue\.com/i);
      expect(code, name).not.toMatch(/\.aspx/i);
    }
    // The flow does talk to the integration service.
    expect(readFileSync(join(BUILT_WEB_RESOURCES, "lmi_/scripts/pin.request.js"), "utf8")).toContain("/api/pin");
  });

  it("hold no Rescue API method in the web resources of either solution zip", () => {
    const zips = existsSync(DIST) ? readdirSync(DIST).filter((name) => /^LogMeInRescue-(Managed|Unmanaged)-[\d.]+\.zip$/.test(name)) : [];
    expect(zips.map((name) => name.replace(/-[\d.]+\.zip$/, "")).sort(), 'run "npm run build" first').toEqual(["LogMeInRescue-Managed", "LogMeInRescue-Unmanaged"]);
    for (const zip of zips) {
      const parts = [...readZip(readFileSync(join(DIST, zip)))].filter(([name]) => name.startsWith("WebResources/"));
      expect(parts.length, zip).toBeGreaterThan(5);
      for (const [name, bytes] of parts) expect(rescueMethodsIn(new TextDecoder().decode(bytes)), `${zip}: ${name}`).toEqual([]);
    }
  });
});
