import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { ProblemList } from "../../src/packaging/problems";
import { fillPlaceholder, innerXml } from "../../src/packaging/xml-text";
import { discoverWebResources, globalNameFor, nameBasedGuid, partNameFor, webResourceNameProblem } from "../../src/packaging/web-resources";
import { createZip, readZip } from "../../src/packaging/zip";
import { solutionVersion } from "../../src/packaging/assemble";

describe("web resource names", () => {
  it("accepts the names of DESIGN §6", () => {
    for (const name of ["lmi_/scripts/case.ribbon.js", "lmi_/pages/pin.html", "lmi_/strings/Strings.1043.resx", "lmi_/images/requestpin.svg"]) {
      expect(webResourceNameProblem(name)).toBeNull();
    }
  });

  it.each([
    ["lmi_/images/request-pin.svg", "only letters, digits"],
    ["lmi_/pages//pin.html", 'consecutive "/"'],
    ["new_/pages/pin.html", 'prefix folder "lmi_/"'],
    ["lmi_/pages/pin page.html", "only letters, digits"],
    ["lmi_/pages/", "only letters, digits"],
  ])("refuses %s", (name, reason) => {
    expect(webResourceNameProblem(name)).toContain(reason);
  });

  it("derives the global name from the path", () => {
    expect(globalNameFor("lmi_/scripts/case.ribbon.js")).toBe("LogMeInRescue.Case.Ribbon");
    expect(globalNameFor("lmi_/scripts/configuration.form.js")).toBe("LogMeInRescue.Configuration.Form");
    expect(globalNameFor("lmi_/scripts/pin.page.js")).toBe("LogMeInRescue.Pin.Page");
    expect(globalNameFor("lmi_/scripts/user_settings.form.js")).toBe("LogMeInRescue.UserSettings.Form");
  });

  it("names zip parts like current exports: name without punctuation plus the upper-case id", () => {
    expect(partNameFor({ name: "lmi_/scripts/case.ribbon.js", id: "6f1c2a4e-0b7d-4c55-9a3e-1d2f3a4b5c6d" })).toBe(
      "/WebResources/lmi_scriptscaseribbonjs6F1C2A4E-0B7D-4C55-9A3E-1D2F3A4B5C6D",
    );
  });

  it("derives stable name-based GUIDs in version 5 layout", () => {
    const guid = nameBasedGuid("lmi_/scripts/case.ribbon.js", "lmi_/strings/Strings.1033.resx");
    expect(guid).toBe(nameBasedGuid("lmi_/scripts/case.ribbon.js", "lmi_/strings/Strings.1033.resx"));
    expect(guid).not.toBe(nameBasedGuid("lmi_/scripts/case.ribbon.js", "lmi_/strings/Strings.1043.resx"));
    expect(guid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe("web resource metadata", () => {
  /** A project with one image web resource whose metadata carries `webResourceId`. */
  function discoverImageWith(webResourceId: string): { ids: string[]; problems: string[] } {
    const root = mkdtempSync(join(tmpdir(), "lmi-webresource-"));
    try {
      const files: Record<string, string> = {
        "webresources/lmi_/images/icon.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
        "solution/WebResources/lmi_/images/icon.svg.data.xml": `<WebResource><WebResourceId>${webResourceId}</WebResourceId><Name>lmi_/images/icon.svg</Name><WebResourceType>11</WebResourceType></WebResource>`,
      };
      for (const [file, text] of Object.entries(files)) {
        mkdirSync(dirname(join(root, file)), { recursive: true });
        writeFileSync(join(root, file), text);
      }
      const problems = new ProblemList();
      const ids = discoverWebResources(root, problems).included.map((resource) => resource.id);
      return { ids, problems: problems.items.map((problem) => `${problem.file}: ${problem.message}`) };
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }

  it("takes the WebResourceId in the product's form for ids, with or without braces, in either case", () => {
    for (const written of ["{D82CC5F1-000C-4643-A8BC-5CE51C0FDBA9}", "d82cc5f1-000c-4643-a8bc-5ce51c0fdba9"]) {
      expect(discoverImageWith(written), written).toEqual({ ids: ["d82cc5f1-000c-4643-a8bc-5ce51c0fdba9"], problems: [] });
    }
  });

  it.each(["{d82cc5f1-000c-4643-a8bc-5ce51c0fdba9", "d82cc5f1-000c-4643-a8bc-5ce51c0fdba9}", "d82cc5f1000c4643a8bc5ce51c0fdba9", "icon"])("refuses the WebResourceId %s", (written) => {
    const discovered = discoverImageWith(written);
    expect(discovered.ids).toEqual([]);
    expect(discovered.problems).toContain(`solution/WebResources/lmi_/images/icon.svg.data.xml: <WebResourceId> "${written}" is not a GUID`);
  });
});

describe("solution version", () => {
  it("adds the fourth part to package.json's version", () => {
    expect(solutionVersion("1.2.0")).toBe("1.2.0.0");
    expect(solutionVersion("1.2")).toBeNull();
    expect(solutionVersion("1.2.0-beta.1")).toBeNull();
  });
});

describe("XML stitching", () => {
  it("fills only empty placeholders and keeps their attributes", () => {
    expect(fillPlaceholder('<Entity><FormXml /><RibbonDiffXml a="1"/></Entity>', "RibbonDiffXml", "<X/>")).toBe('<Entity><FormXml /><RibbonDiffXml a="1"><X/></RibbonDiffXml></Entity>');
    expect(fillPlaceholder("<Entity><FormXml></FormXml></Entity>", "FormXml", "<forms/>")).toBe("<Entity><FormXml><forms/></FormXml></Entity>");
    expect(fillPlaceholder("<Entity><FormXml><forms/></FormXml></Entity>", "FormXml", "<x/>")).toBeNull();
    expect(fillPlaceholder("<Entity><FormXmlExtra /></Entity>", "FormXml", "<x/>")).toBeNull();
  });

  it("reads a root element's content", () => {
    expect(innerXml('<forms xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><systemform/></forms>', "forms")).toBe("<systemform/>");
    expect(innerXml("<forms />", "forms")).toBe("");
    expect(innerXml("<other/>", "forms")).toBeNull();
  });
});

describe("reproducible zips", () => {
  it("writes the same bytes whatever the time zone, and reads back what it wrote", () => {
    const entries = [
      ["solution.xml", "<a/>"],
      ["WebResources/x", new Uint8Array([1, 2, 3])],
    ] as const;
    const original = process.env.TZ;
    try {
      process.env.TZ = "UTC";
      const utc = createZip(entries);
      process.env.TZ = "Pacific/Chatham";
      const chatham = createZip(entries);
      expect(Buffer.from(chatham).equals(Buffer.from(utc))).toBe(true);
      const read = readZip(utc);
      expect([...read.keys()]).toEqual(["solution.xml", "WebResources/x"]);
      expect([...(read.get("WebResources/x") ?? [])]).toEqual([1, 2, 3]);
    } finally {
      if (original === undefined) delete process.env.TZ;
      else process.env.TZ = original;
    }
  });
});
