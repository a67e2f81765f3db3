/**
 * Every string key the HTML pages name (`data-lmi-text="…"`, filled in by the page scripts) has a
 * string in English and Dutch, so no page ever shows a raw key such as "Common.Save".
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { resxStrings } from "../helpers/xrm";

const PAGES = resolve(import.meta.dirname, "../../webresources/lmi_/pages");

describe("the keys the HTML pages name", () => {
  const pages = readdirSync(PAGES).filter((name) => name.endsWith(".html"));

  it("are found in the pages", () => {
    expect(pages).toEqual(expect.arrayContaining(["configuration.html", "pin.html"]));
  });

  it.each(pages)("%s: every data-lmi-text key has an English and a Dutch string", (page) => {
    const keys = [...readFileSync(join(PAGES, page), "utf8").matchAll(/data-lmi-text="([^"]+)"/g)].map((match) => match[1] ?? "");
    const missing = keys.flatMap((key) => ([1033, 1043] as const).filter((lcid) => !resxStrings(lcid).get(key)).map((lcid) => `${key} (${lcid})`));
    expect(missing).toEqual([]);
  });
});
