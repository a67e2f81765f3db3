import { describe, expect, it } from "vitest";
import { fillPlaceholder, innerXml } from "../../src/packaging/xml-text";
import { globalNameFor, nameBasedGuid, partNameFor, webResourceNameProblem } from "../../src/packaging/web-resources";
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
